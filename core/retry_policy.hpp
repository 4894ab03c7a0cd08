#pragma once
// When to try a failed run again, as Step Functions users know it: max attempts, an
// initial interval, a backoff rate, a cap on the delay, and jitter (FULL: a uniformly
// random delay between 0 and the computed one, so many failing runs do not retry in
// lockstep; NONE).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pg_etl {

struct RetryPolicy {
  int max_attempts = 3;          // attempts in all, the first included
  double interval_seconds = 10;  // delay before the second attempt
  double backoff_rate = 2.0;     // each further delay is this much longer
  double max_delay_seconds = 3600;
  bool full_jitter = true;

  // Parsed from the pipeline options object's "retry" member (a JSON text); throws 22023.
  static RetryPolicy from_json(const std::string& json_text);

  // Delay in seconds before attempt `next_attempt` (2 for the first retry), or nothing
  // when attempts are exhausted. random01 yields numbers in [0, 1).
  std::optional<double> delay_before(int next_attempt, const std::function<double()>& random01) const;
};

}  // namespace pg_etl
