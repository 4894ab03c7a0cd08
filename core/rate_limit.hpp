#pragma once
// Client-side politeness for HTTP APIs: a token bucket per host (requests per second or
// per minute, with a burst), and the server's own word on when to come back
// (Retry-After, RFC 9110: delay-seconds or an HTTP-date). Time is passed in, in
// seconds, so the logic is tested without sleeping.
#include <optional>
#include <string_view>

namespace pg_etl {

class TokenBucket {
 public:
  // rate: requests per second (> 0); burst: requests that may go at once (>= 1).
  TokenBucket(double rate, double burst);
  // Seconds to wait before the next request may be sent at time now; the request is
  // counted as sent at now + the returned delay.
  double acquire(double now);

 private:
  double rate_, burst_, tokens_, last_;
  bool started_ = false;
};

// Seconds to wait that a Retry-After header value asks for, at time now (Unix seconds):
// "120" or "Fri, 31 Dec 2027 23:59:59 GMT". Nothing when the value is neither; a date in
// the past is 0.
std::optional<double> retry_after_seconds(std::string_view value, double now);

}  // namespace pg_etl
