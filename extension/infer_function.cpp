// etl._infer(url, options) -> jsonb: the inferred schema of a file, glob or source,
// with format, CSV dialect and per-column detail. etl.infer_schema and etl.crawl
// (SQL, sql/parts/0.4.0.sql) build on it.
#include "core/schema_inference.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

PG_ETL_FUNCTION(pg_etl_infer) {
  using namespace pg_etl;
  const pg::SourceArgs args = pg::source_args(fcinfo, 0, 1);
  return pg::jsonb_datum(infer_schema(args.url, args.options).json());
}
