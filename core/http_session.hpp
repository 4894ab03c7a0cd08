#pragma once
// The HTTP client of API reads: one libcurl multi handle whose connection pool every
// request of a read shares (keep-alive; HTTP/2 multiplexing where the server offers
// it), at most `concurrency` requests in flight, a token bucket per host, and retries
// of 429, 5xx and connection failures with exponential backoff and full jitter that
// honour Retry-After. Waits are cancellable and bounded by the read's deadline.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rate_limit.hpp"
#include "core/retry_policy.hpp"
#include "core/transport.hpp"

namespace pg_etl {

struct HttpRequest {
  std::string url;                   // may carry credentials (user:password@, api keys)
  std::string method = "GET";        // GET or POST
  std::string body;                  // POST body
  std::vector<std::string> headers;  // "Name: value", on top of the transport's
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  int attempts = 0;
  // The first value of header name (lower case), or "".
  std::string header(std::string_view name) const;
};

struct HttpSessionLimits {
  double requests_per_second = 0;  // per host; 0: no limit
  double burst = 1;
  int concurrency = 1;
  RetryPolicy retry{5, 1.0, 2.0, 60.0, true};
  uint64_t max_response_bytes = 64ull << 20;
  double read_timeout = 0;  // seconds from the session's start; 0: none
};

class HttpSession {
 public:
  HttpSession(TransportOptions transport, HttpSessionLimits limits);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Sends the requests, up to `concurrency` at a time, and returns their final
  // responses in order. Retryable failures are retried; a status that is still an
  // error after the last attempt is returned as it is (callers decide: a 401 may mean
  // a token to refresh). Connection failures after the last attempt, an oversized
  // response, the deadline and cancellation throw.
  std::vector<HttpResponse> perform(const std::vector<HttpRequest>& requests);
  HttpResponse perform(const HttpRequest& request);

  // perform() in two halves, so a caller can work while requests are on the wire:
  // begin() sends what may be sent now and returns; finish() waits for the responses.
  // One batch at a time.
  void begin(std::vector<HttpRequest> requests);
  std::vector<HttpResponse> finish();
  bool in_flight() const { return batch_active_; }

  // Bytes of response bodies received so far.
  uint64_t bytes_received() const { return bytes_; }
  // Seconds left before the read's deadline (a large number without one).
  double seconds_left() const;

  struct Slot;  // one easy handle (public for libcurl's callbacks)

 private:
  struct Job {
    size_t index;
    int attempt;
    double not_before;
    bool token = false;  // a rate-limit token is held for not_before
  };
  double now() const;
  double rate_limit_delay(const std::string& url);
  double pump();  // starts due requests, drives transfers; returns the time to wake next
  void start(Slot& s, const Job& job);
  void complete(Slot& s, int rc);
  void release(Slot& s);
  void abort_all();

  TransportOptions transport_;
  HttpSessionLimits limits_;
  void* multi_ = nullptr;  // CURLM*
  std::vector<std::unique_ptr<Slot>> slots_;
  std::map<std::string, TokenBucket> buckets_;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::function<double()> random01_;
  // the batch in flight
  std::vector<HttpRequest> requests_;
  std::vector<Job> queue_;
  std::vector<HttpResponse> results_;
  size_t done_ = 0;
  bool batch_active_ = false;
};

// Throws the error for a final HTTP error response: the status, the URL as shown and
// the start of the body.
[[noreturn]] void throw_http_error(const HttpResponse& response, const std::string& shown_url);

}  // namespace pg_etl
