// etl.list_files(url, options): the files a URL or glob names, with size and time;
// etl._list_files adds each file's ETag.
#include "core/transport.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

PG_ETL_FUNCTION(pg_etl_list_files) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const SourceArgs args = source_args(fcinfo, 0, 1);
  std::vector<FileEntry> files = list_files(args.url, args.options.transport);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  for (const FileEntry& f : files) {
    const char* u = f.url.c_str();
    const int64_t size = f.size, mtime = f.mtime;
    const char* etag = f.etag.c_str();
    pg_guard([&] {
      // etl._list_files (for pipelines) has a fourth column, the ETag.
      Datum values[4] = {CStringGetTextDatum(u), Int64GetDatum(size),
                         TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(mtime))),
                         CStringGetTextDatum(etag)};
      bool nulls[4] = {false, size < 0, mtime < 0, *etag == '\0'};
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    });
  }
  return (Datum)0;
}
