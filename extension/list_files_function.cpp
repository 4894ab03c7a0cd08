// etl.list_files(url, options): the files a URL or glob names, with size and time.
#include "core/error.hpp"
#include "core/read_options.hpp"
#include "core/sqlstate.hpp"
#include "core/transport.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/privileges.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

PG_ETL_FUNCTION(pg_etl_list_files) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const std::string url = text_arg(fcinfo, 0);
  if (PG_ARGISNULL(0)) throw Error(sqlstate::kInvalidParameterValue, "url must not be NULL");
  ReadOptions options = parse_read_options(jsonb_arg(fcinfo, 1));
  check_read_privilege(url, options.transport);
  std::vector<FileEntry> files = list_files(url, options.transport);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  for (const FileEntry& f : files) {
    const char* u = f.url.c_str();
    const int64_t size = f.size, mtime = f.mtime;
    pg_guard([&] {
      Datum values[3] = {CStringGetTextDatum(u), Int64GetDatum(size),
                         TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(mtime)))};
      bool nulls[3] = {false, size < 0, mtime < 0};
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    });
  }
  return (Datum)0;
}
