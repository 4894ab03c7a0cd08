// etl.preview(url, options, max_rows): the first rows of any supported file as JSON
// objects, for looking before loading. Malformed records show as
// {"_line": n, "_error": "...", "_raw": "..."} instead of failing the preview.
#include <string>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/read_options.hpp"
#include "core/record_stream.hpp"
#include "core/sqlstate.hpp"
#include "core/value_encoder.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/privileges.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace pg_etl::pg {
namespace {

void put_json(ReturnSetInfo* rsinfo, const std::string& json) {
  const char* s = json.c_str();
  pg_guard([&] {
    Datum d = DirectFunctionCall1(jsonb_in, CStringGetDatum(s));
    bool isnull = false;
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &d, &isnull);
  });
}

}  // namespace
}  // namespace pg_etl::pg

PG_ETL_FUNCTION(pg_etl_preview) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const std::string url = text_arg(fcinfo, 0);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::kInvalidParameterValue, "url must not be NULL");
  ReadOptions options = parse_read_options(jsonb_arg(fcinfo, 1));
  const int64_t max_rows = PG_ARGISNULL(2) ? 20 : PG_GETARG_INT32(2);
  check_read_privilege(url, options.transport);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);

  RecordStream stream(url, options, {});
  const std::vector<std::string> columns = stream.discover_columns();
  const bool csv = stream.first_format() == Format::kCsv;
  Record rec;
  std::string json;
  for (int64_t n = 0; n < max_rows && stream.next(rec); n++) {
    json.clear();
    if (rec.problem) {
      json = "{\"_line\": " + std::to_string(rec.line) + ", \"_error\": ";
      append_json_string(rec.problem->message, json);
      json += ", \"_raw\": ";
      append_json_string(sanitize_utf8(rec.raw, 1000), json);
      json += "}";
    } else if (csv) {
      json = "{";
      for (size_t i = 0; i < rec.values.size(); i++) {
        if (i) json += ", ";
        append_json_string(i < columns.size() ? columns[i] : "column" + std::to_string(i + 1), json);
        json += ": ";
        if (rec.values[i].is_null()) json += "null";
        else append_json_string(rec.values[i].text, json);
      }
      json += "}";
    } else {
      json.assign(rec.values[0].text);
    }
    put_json(rsinfo, json);
  }
  return (Datum)0;
}
