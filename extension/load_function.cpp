// etl.load(target regclass, url text, options jsonb) -> (rows_loaded, rows_rejected,
// bytes_read, files, load_id)
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/copy_loader.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
}

PG_ETL_FUNCTION(pg_etl_load) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  if (PG_ARGISNULL(0)) throw Error(sqlstate::kInvalidParameterValue, "etl.load needs a target table");
  return load_result_datum(fcinfo, load_into(PG_GETARG_OID(0), source_args(fcinfo, 1, 2)));
}
