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
#include "extension/pg/subtransaction.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace pg_etl::pg {
namespace {

void put_jsonb(ReturnSetInfo* rsinfo, Datum d) {
  pg_guard([&] {
    bool isnull = false;
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &d, &isnull);
  });
}

std::string error_object(uint64_t line, const std::string& message, std::string_view raw) {
  std::string json = "{\"_line\": " + std::to_string(line) + ", \"_error\": ";
  append_json_string(sanitize_utf8(message), json);
  json += ", \"_raw\": ";
  append_json_string(sanitize_utf8(raw, 1000), json);
  return json + "}";
}


}  // namespace
}  // namespace pg_etl::pg

PG_ETL_FUNCTION(pg_etl_preview) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const SourceArgs args = source_args(fcinfo, 0, 1);
  const int64_t max_rows = PG_ARGISNULL(2) ? 20 : PG_GETARG_INT32(2);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);

  RecordStream stream(args.url, args.options, {});
  const std::vector<std::string> columns = stream.discover_columns();
  const bool csv = stream.first_format() == Format::kCsv;
  Record rec;
  std::string json;
  for (int64_t n = 0; n < max_rows && stream.next(rec); n++) {
    json.clear();
    if (rec.problem) {
      json = error_object(rec.line, rec.problem->message, rec.raw);
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
      // A JSON record is shown as it is; PostgreSQL's own parser decides if it is JSON.
      json.assign(rec.values[0].text);
      Datum d = 0;
      if (ErrorData* e = try_in_subtransaction([&] { d = pg_etl::pg::jsonb_datum(json); })) {
        put_jsonb(rsinfo, pg_etl::pg::jsonb_datum(error_object(rec.line, e->message, rec.raw)));
        continue;
      }
      put_jsonb(rsinfo, d);
      continue;
    }
    put_jsonb(rsinfo, pg_etl::pg::jsonb_datum(json));
  }
  return (Datum)0;
}
