#include "core/rate_limit.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "core/ascii.hpp"

namespace pg_etl {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate > 0 ? rate : 1), burst_(std::max(1.0, burst)), tokens_(burst_), last_(0) {}

double TokenBucket::acquire(double now) {
  if (!started_) started_ = true, last_ = now;
  // refill for the time since the last request (never backwards)
  if (now > last_) tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_), last_ = now;
  tokens_ -= 1;
  if (tokens_ >= 0) return std::max(0.0, last_ - now);
  // in debt: the request goes when the bucket is back at zero, which moves "last" ahead
  const double wait = -tokens_ / rate_;
  tokens_ = 0;
  last_ += wait;
  return last_ - now;
}

std::optional<double> retry_after_seconds(std::string_view value, double now) {
  value = ascii_trim(value);
  if (value.empty()) return std::nullopt;
  if (ascii_isdigit(value[0])) {
    long long s = 0;
    auto r = std::from_chars(value.data(), value.data() + value.size(), s);
    if (r.ec != std::errc() || r.ptr != value.data() + value.size()) return std::nullopt;
    return static_cast<double>(s);
  }
  // HTTP-date: libcurl's parser reads all three formats RFC 9110 allows
  const time_t t = curl_getdate(std::string(value).c_str(), nullptr);
  if (t < 0) return std::nullopt;
  return std::max(0.0, static_cast<double>(t) - now);
}

}  // namespace pg_etl
