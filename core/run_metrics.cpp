#include "core/run_metrics.hpp"

#include <algorithm>

#include "core/prometheus_text.hpp"

namespace pg_etl {

namespace {

std::optional<double> later(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

// One counter family: a sample per job.
template <typename Get>
void job_counter(prometheus::TextWriter& w, const std::vector<JobMetrics>& jobs, std::string_view name,
                 std::string_view help, Get get) {
  w.family(name, "counter", help);
  for (const JobMetrics& j : jobs) w.sample(name, {{"pipeline", j.name}, {"kind", j.kind}}, get(j));
}

// One gauge family of times: a sample per job that has one.
template <typename Get>
void job_time(prometheus::TextWriter& w, const std::vector<JobMetrics>& jobs, std::string_view name,
              std::string_view help, Get get) {
  w.family(name, "gauge", help);
  for (const JobMetrics& j : jobs)
    if (const std::optional<double>& t = get(j)) w.sample(name, {{"pipeline", j.name}, {"kind", j.kind}}, *t);
}

}  // namespace

void JobMetrics::add(const JobMetrics& o) {
  succeeded += o.succeeded;
  failed += o.failed;
  dead += o.dead;
  cancelled += o.cancelled;
  rows_read += o.rows_read;
  rows_written += o.rows_written;
  rows_rejected += o.rows_rejected;
  bytes_read += o.bytes_read;
  duration_sum += o.duration_sum;
  duration_count += o.duration_count;
  if (duration_buckets.size() < o.duration_buckets.size()) duration_buckets.resize(o.duration_buckets.size(), 0);
  for (size_t i = 0; i < o.duration_buckets.size(); i++) duration_buckets[i] += o.duration_buckets[i];
  last_success_at = later(last_success_at, o.last_success_at);
  last_failure_at = later(last_failure_at, o.last_failure_at);
}

std::string render_run_metrics(const std::vector<JobMetrics>& jobs, const std::vector<double>& bounds,
                               const ServerGauges& server) {
  prometheus::TextWriter w;
  w.reserve(1024 + jobs.size() * (1400 + 110 * bounds.size()));

  w.family("pg_etl_runs_total", "counter", "Runs of pg_etl pipelines and workflows that ended, by final status.");
  for (const JobMetrics& j : jobs) {
    const std::pair<std::string_view, int64_t> by_status[] = {
        {"succeeded", j.succeeded}, {"failed", j.failed}, {"dead", j.dead}, {"cancelled", j.cancelled}};
    for (const auto& [status, n] : by_status)
      w.sample("pg_etl_runs_total", {{"pipeline", j.name}, {"kind", j.kind}, {"status", status}}, n);
  }
  job_counter(w, jobs, "pg_etl_rows_processed_total", "Rows written to targets (CloudWatch's ProcessedItemCount).",
              [](const JobMetrics& j) { return j.rows_written; });
  job_counter(w, jobs, "pg_etl_rows_read_total", "Rows read from sources.", [](const JobMetrics& j) { return j.rows_read; });
  job_counter(w, jobs, "pg_etl_rows_rejected_total", "Rows rejected (etl.rejects).",
              [](const JobMetrics& j) { return j.rows_rejected; });
  job_counter(w, jobs, "pg_etl_bytes_read_total", "Bytes read from sources.", [](const JobMetrics& j) { return j.bytes_read; });

  w.family("pg_etl_run_duration_seconds", "histogram", "Run latency, from start to end, of runs that ended (ETLLatency).");
  std::vector<std::string> le;
  for (double b : bounds) {
    std::string s;
    prometheus::append_value(s, b);
    le.push_back(std::move(s));
  }
  for (const JobMetrics& j : jobs) {
    for (size_t i = 0; i < bounds.size(); i++) {
      const int64_t n = i < j.duration_buckets.size() ? j.duration_buckets[i] : 0;
      w.sample("pg_etl_run_duration_seconds_bucket", {{"pipeline", j.name}, {"kind", j.kind}, {"le", le[i]}}, n);
    }
    w.sample("pg_etl_run_duration_seconds_bucket", {{"pipeline", j.name}, {"kind", j.kind}, {"le", "+Inf"}}, j.duration_count);
    w.sample("pg_etl_run_duration_seconds_sum", {{"pipeline", j.name}, {"kind", j.kind}}, j.duration_sum);
    w.sample("pg_etl_run_duration_seconds_count", {{"pipeline", j.name}, {"kind", j.kind}}, j.duration_count);
  }

  job_time(w, jobs, "pg_etl_last_success_timestamp_seconds", "When the last successful run ended (Unix time).",
           [](const JobMetrics& j) -> const std::optional<double>& { return j.last_success_at; });
  job_time(w, jobs, "pg_etl_last_failure_timestamp_seconds", "When the last failed or dead run ended (Unix time).",
           [](const JobMetrics& j) -> const std::optional<double>& { return j.last_failure_at; });
  job_time(w, jobs, "pg_etl_next_run_timestamp_seconds", "When the schedule runs it next (Unix time; unpaused schedules).",
           [](const JobMetrics& j) -> const std::optional<double>& { return j.next_run_at; });

  w.family("pg_etl_queue_depth", "gauge", "Runs queued for the background worker.");
  w.sample("pg_etl_queue_depth", {}, server.queued);
  w.family("pg_etl_runs_running", "gauge", "Runs running now.");
  w.sample("pg_etl_runs_running", {}, server.running);
  w.family("pg_etl_worker_slots", "gauge", "Background worker slots for runs: busy, and total (pg_etl.max_workers).");
  w.sample("pg_etl_worker_slots", {{"state", "busy"}}, server.busy_slots);
  w.sample("pg_etl_worker_slots", {{"state", "total"}}, server.total_slots);

  w.family("pg_etl_pipelines", "gauge", "Pipelines and workflows, active or paused.");
  for (std::string_view kind : {"pipeline", "workflow"}) {
    int64_t active = 0, paused = 0;
    for (const JobMetrics& j : jobs)
      if (j.kind == kind) (j.paused ? paused : active)++;
    w.sample("pg_etl_pipelines", {{"kind", kind}, {"state", "active"}}, active);
    w.sample("pg_etl_pipelines", {{"kind", kind}, {"state", "paused"}}, paused);
  }
  return w.take();
}

}  // namespace pg_etl
