#pragma once
// pg_etl's metrics as Prometheus exposes them (GET /metrics, etl.prometheus_metrics()):
// per pipeline and workflow, counters of runs by final status, rows and bytes, a run
// latency histogram and the times of the last success, last failure and next run; for
// the server, the queue, running runs, worker slots and pipelines by state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pg_etl {

struct JobMetrics {
  std::string kind;  // "pipeline" or "workflow"
  std::string name;
  bool paused = false;
  std::optional<double> next_run_at, last_success_at, last_failure_at;  // Unix seconds
  int64_t succeeded = 0, failed = 0, dead = 0, cancelled = 0;
  int64_t rows_read = 0, rows_written = 0, rows_rejected = 0, bytes_read = 0;
  double duration_sum = 0;
  int64_t duration_count = 0;
  std::vector<int64_t> duration_buckets;  // cumulative: runs that took <= each bound

  // Adds the counters of the same job under another owner (etl.run_stats keeps one row
  // per owner); times take the later one.
  void add(const JobMetrics& other);
};

struct ServerGauges {
  int64_t queued = 0, running = 0, busy_slots = 0, total_slots = 0;
};

// The exposition text. bounds: the histogram's upper bounds in seconds (+Inf implied);
// every job's duration_buckets has one count per bound (missing ones count as 0).
std::string render_run_metrics(const std::vector<JobMetrics>& jobs, const std::vector<double>& bounds,
                               const ServerGauges& server);

}  // namespace pg_etl
