// etl.prometheus_metrics(): etl.run_stats (one row per pipeline or workflow and owner)
// and a few index-backed gauges, read through SPI and formatted by core/run_metrics.
// It never reads run history, so it stays fast however long that history is.
#include <string>
#include <vector>

#include "core/run_metrics.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace pg_etl::pg {
namespace {

constexpr const char* kJobsSql =
    "SELECT j.kind, j.name, j.paused, CASE WHEN NOT j.paused THEN extract(epoch FROM j.next_run_at)::float8 END,"
    "       s.runs_succeeded, s.runs_failed, s.runs_dead, s.runs_cancelled, s.rows_read, s.rows_written,"
    "       s.rows_rejected, s.bytes_read, s.duration_sum, s.duration_count, s.duration_buckets,"
    "       extract(epoch FROM s.last_success_at)::float8, extract(epoch FROM s.last_failure_at)::float8"
    "  FROM (SELECT 'pipeline'::text AS kind, p.name, p.paused, p.next_run_at FROM etl.pipelines p"
    "        UNION ALL SELECT 'workflow', w.name, w.paused, w.next_run_at FROM etl.workflows w) j"
    "  LEFT JOIN etl.run_stats s ON s.kind = j.kind AND s.name = j.name"
    " ORDER BY j.name, j.kind";

constexpr const char* kServerSql =
    "SELECT (SELECT count(*) FROM etl.runs WHERE status = 'queued'),"
    "       (SELECT count(*) FROM etl.runs WHERE status = 'running'),"
    "       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_etl worker'"
    "           AND application_name IS DISTINCT FROM 'pg_etl maintenance'),"
    "       current_setting('pg_etl.max_workers')::int8, etl._duration_buckets()";

// Column c (1-based) of row i of the last SPI result; null sets *isnull.
Datum column(uint64 i, int c, bool* isnull) {
  return pg_guard([&] { return SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, c, isnull); });
}

int64_t int8_at(uint64 i, int c) {
  bool isnull;
  Datum d = column(i, c, &isnull);
  return isnull ? 0 : DatumGetInt64(d);
}

std::optional<double> float8_at(uint64 i, int c) {
  bool isnull;
  Datum d = column(i, c, &isnull);
  if (isnull) return std::nullopt;
  return DatumGetFloat8(d);
}

std::string text_at(uint64 i, int c) {
  bool isnull;
  Datum d = column(i, c, &isnull);
  if (isnull) return {};
  const char* s = pg_guard([&] { return TextDatumGetCString(d); });
  return s;
}

// The elements of a one-dimensional int8[] or float8[] column (NULL elements: 0).
template <typename T>
std::vector<T> array_at(uint64 i, int c) {
  bool isnull;
  Datum d = column(i, c, &isnull);
  std::vector<T> out;
  if (isnull) return out;
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int n = 0;
  pg_guard([&] {
    deconstruct_array(DatumGetArrayTypeP(d), std::is_same_v<T, double> ? FLOAT8OID : INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
                      &elems, &nulls, &n);
  });
  for (int k = 0; k < n; k++) {
    if (nulls[k]) out.push_back(0);
    else if constexpr (std::is_same_v<T, double>) out.push_back(DatumGetFloat8(elems[k]));
    else out.push_back(DatumGetInt64(elems[k]));
  }
  return out;
}

void execute(const char* sql) {
  pg_guard([&] {
    if (SPI_execute(sql, true, 0) != SPI_OK_SELECT) elog(ERROR, "pg_etl: reading metrics failed");
  });
}

std::string prometheus_text() {
  std::vector<JobMetrics> jobs;
  ServerGauges server;
  std::vector<double> bounds;
  pg_guard([] { SPI_connect(); });
  execute(kJobsSql);
  for (uint64 i = 0; i < SPI_processed; i++) {
    JobMetrics j;
    j.kind = text_at(i, 1);
    j.name = text_at(i, 2);
    bool isnull;
    j.paused = DatumGetBool(column(i, 3, &isnull));
    j.next_run_at = float8_at(i, 4);
    j.succeeded = int8_at(i, 5);
    j.failed = int8_at(i, 6);
    j.dead = int8_at(i, 7);
    j.cancelled = int8_at(i, 8);
    j.rows_read = int8_at(i, 9);
    j.rows_written = int8_at(i, 10);
    j.rows_rejected = int8_at(i, 11);
    j.bytes_read = int8_at(i, 12);
    j.duration_sum = float8_at(i, 13).value_or(0);
    j.duration_count = int8_at(i, 14);
    j.duration_buckets = array_at<int64_t>(i, 15);
    j.last_success_at = float8_at(i, 16);
    j.last_failure_at = float8_at(i, 17);
    // The same job under several owners (recreated by someone else): one series.
    if (!jobs.empty() && jobs.back().kind == j.kind && jobs.back().name == j.name)
      jobs.back().add(j);
    else
      jobs.push_back(std::move(j));
  }
  execute(kServerSql);
  server.queued = int8_at(0, 1);
  server.running = int8_at(0, 2);
  server.busy_slots = int8_at(0, 3);
  server.total_slots = int8_at(0, 4);
  bounds = array_at<double>(0, 5);
  pg_guard([] { SPI_finish(); });
  return render_run_metrics(jobs, bounds, server);
}

}  // namespace
}  // namespace pg_etl::pg

PG_ETL_FUNCTION(pg_etl_prometheus_metrics) { return pg_etl::pg::text_datum(pg_etl::pg::prometheus_text()); }
