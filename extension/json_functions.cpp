// JSON reshaping: etl.flatten, etl.map_fields, etl.unnest_path (core/json_reshape.hpp).
#include <string>

#include "core/error.hpp"
#include "core/json_reshape.hpp"
#include "core/sqlstate.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/call_cache.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

namespace {

nlohmann::json json_arg(FunctionCallInfo fcinfo, int n) { return nlohmann::json::parse(pg_etl::pg::jsonb_arg(fcinfo, n)); }

}  // namespace

using namespace pg_etl;
using namespace pg_etl::pg;

// etl.flatten(doc jsonb, separator text DEFAULT '_') -> jsonb
PG_ETL_FUNCTION(pg_etl_flatten) {
  return jsonb_datum(flatten_json(json_arg(fcinfo, 0), text_view_arg(fcinfo, 1)).dump());
}

// etl.map_fields(doc jsonb, mapping jsonb) -> jsonb
PG_ETL_FUNCTION(pg_etl_map_fields) {
  const FieldMapping& mapping =
      parsed_arg_cache<FieldMapping>(fcinfo, varlena_bytes_arg(fcinfo, 1), [&] { return FieldMapping(json_arg(fcinfo, 1)); });
  return jsonb_datum(mapping.apply(json_arg(fcinfo, 0)).dump());
}

// etl.unnest_path(doc jsonb, path text) -> SETOF jsonb
PG_ETL_FUNCTION(pg_etl_unnest_path) {
  const std::vector<nlohmann::json> values = values_at_path(json_arg(fcinfo, 0), text_arg(fcinfo, 1));
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  for (const nlohmann::json& v : values) {
    Datum d = jsonb_datum(v.dump());
    pg_guard([&] {
      bool null = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &d, &null);
    });
  }
  return (Datum)0;
}
