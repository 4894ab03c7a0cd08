// SQL-callable helpers for the pipeline functions written in SQL (sql/pg_etl--*.sql):
// cron arithmetic in a time zone, retry delays, option checks and redaction, listings
// with ETags, and loading an explicit list of files.
#include <string>
#include <vector>

#include "core/query_source.hpp"
#include "core/cron.hpp"
#include "core/error.hpp"
#include "core/read_options.hpp"
#include "core/retry_policy.hpp"
#include "core/sqlstate.hpp"
#include "core/transport.hpp"
#include "core/url.hpp"
#include "extension/copy_loader.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg_time_zone.hpp"
#include "extension/privileges.hpp"
#include "extension/secrets.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
}

namespace {

int64_t unix_of(TimestampTz t) { return static_cast<int64_t>(timestamptz_to_time_t(t)); }


}  // namespace

// etl._cron_next(schedule text, tz text, after timestamptz) -> timestamptz (NULL: never)
PG_ETL_FUNCTION(pg_etl_cron_next) {
  using namespace pg_etl;
  const auto cron = CronSchedule::parse(pg::text_arg(fcinfo, 0));
  const pg::PgTimeZone zone(PG_ARGISNULL(1) ? "UTC" : pg::text_arg(fcinfo, 1));
  auto next = cron.next_after(unix_of(PG_GETARG_TIMESTAMPTZ(2)), zone);
  if (!next) PG_RETURN_NULL();
  PG_RETURN_TIMESTAMPTZ(time_t_to_timestamptz(static_cast<pg_time_t>(*next)));
}

// etl._check_schedule(schedule text, tz text) -> void; errors say where.
PG_ETL_FUNCTION(pg_etl_check_schedule) {
  using namespace pg_etl;
  CronSchedule::parse(pg::text_arg(fcinfo, 0));
  if (!PG_ARGISNULL(1)) pg::PgTimeZone zone(pg::text_arg(fcinfo, 1));
  PG_RETURN_VOID();
}

// etl._retry_delay(policy jsonb, next_attempt int) -> float8 seconds (NULL: no more attempts)
PG_ETL_FUNCTION(pg_etl_retry_delay) {
  using namespace pg_etl;
  const RetryPolicy p = RetryPolicy::from_json(pg::jsonb_arg(fcinfo, 0));
  auto d = p.delay_before(PG_GETARG_INT32(1), [] { return pg::pg_guard([] { return pg_prng_double(&pg_global_prng_state); }); });
  if (!d) PG_RETURN_NULL();
  PG_RETURN_FLOAT8(*d);
}

// etl._check_options(options jsonb) -> void: the options parse as a reader's.
PG_ETL_FUNCTION(pg_etl_check_options) {
  // resolving names the secrets: they must exist, and the caller must be allowed them
  pg_etl::parse_read_options(pg_etl::pg::with_secrets(pg_etl::pg::jsonb_arg(fcinfo, 0)));
  PG_RETURN_VOID();
}

// etl._check_url(url text) -> void
PG_ETL_FUNCTION(pg_etl_check_url) {
  pg_etl::check_source_url(pg_etl::pg::text_arg(fcinfo, 0));
  PG_RETURN_VOID();
}

// etl._redact_options(options jsonb) -> jsonb, secrets replaced by ***
PG_ETL_FUNCTION(pg_etl_redact_options) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  return pg_etl::pg::jsonb_datum(pg_etl::redact_options(pg_etl::pg::jsonb_arg(fcinfo, 0)));
}

// etl._redact_url(url text) -> text
PG_ETL_FUNCTION(pg_etl_redact_url) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const std::string r = pg_etl::redact_url(pg_etl::pg::text_arg(fcinfo, 0));
  return pg_etl::pg::pg_guard([&] { return PointerGetDatum(cstring_to_text(r.c_str())); });
}

// etl._load_files(target regclass, source text, files text[], options jsonb)
//   -> (rows_loaded, rows_rejected, bytes_read, files, load_id)
// Loads exactly the files given (URLs as listed, without credentials; credentials in
// the source URL are put back for fetching).
PG_ETL_FUNCTION(pg_etl_load_files) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  if (PG_ARGISNULL(0) || PG_ARGISNULL(2)) throw Error(sqlstate::kInvalidParameterValue, "target and files are required");
  SourceArgs args = source_args(fcinfo, 1, 3);
  std::vector<FileEntry> files;
  for (const std::string& url : text_array_arg(fcinfo, 2)) {
    FileEntry e;
    e.url = url;
    e.fetch_url = with_credentials_of(e.url, args.url);
    check_read_privilege(e.fetch_url, args.options.transport);
    files.push_back(std::move(e));
  }
  return load_result_datum(fcinfo, load_into(PG_GETARG_OID(0), args, &files));
}
