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
  const LoadResult r = load_into(PG_GETARG_OID(0), source_args(fcinfo, 1, 2));
  return pg_guard([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "etl.load must return a record");
    desc = BlessTupleDesc(desc);
    Datum values[5] = {Int64GetDatum(r.rows_loaded), Int64GetDatum(r.rows_rejected),
                       Int64GetDatum(static_cast<int64>(r.bytes_read)), Int32GetDatum(r.files), Int64GetDatum(r.load_id)};
    bool nulls[5] = {false, false, false, false, false};
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}
