#include "core/retry_policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

RetryPolicy RetryPolicy::from_json(const std::string& json_text) {
  RetryPolicy p;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text.empty() ? "{}" : json_text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(sqlstate::kInvalidParameterValue, std::string("retry policy is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(sqlstate::kInvalidParameterValue, "retry policy must be a JSON object");
  auto number = [&](const char* key, double lo) -> std::optional<double> {
    if (!j.contains(key)) return std::nullopt;
    if (!j[key].is_number() || j[key].get<double>() < lo)
      throw Error(sqlstate::kInvalidParameterValue,
                  std::string("retry option \"") + key + "\" must be a number of at least " + std::to_string(lo));
    return j[key].get<double>();
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "max_attempts" && k != "interval" && k != "backoff_rate" && k != "max_delay" && k != "jitter")
      throw Error(sqlstate::kInvalidParameterValue, "unknown retry option \"" + k + "\"", "",
                  "retry options: max_attempts, interval, backoff_rate, max_delay, jitter (\"full\" or \"none\")");
  }
  if (auto v = number("max_attempts", 1)) p.max_attempts = static_cast<int>(*v);
  if (auto v = number("interval", 0)) p.interval_seconds = *v;
  if (auto v = number("backoff_rate", 1)) p.backoff_rate = *v;
  if (auto v = number("max_delay", 0)) p.max_delay_seconds = *v;
  if (j.contains("jitter")) {
    if (!j["jitter"].is_string() || (j["jitter"] != "full" && j["jitter"] != "none"))
      throw Error(sqlstate::kInvalidParameterValue, "retry option \"jitter\" must be \"full\" or \"none\"");
    p.full_jitter = j["jitter"] == "full";
  }
  return p;
}

std::optional<double> RetryPolicy::delay_before(int next_attempt, const std::function<double()>& random01) const {
  if (next_attempt > max_attempts || next_attempt < 2) return std::nullopt;
  const double d = std::min(max_delay_seconds, interval_seconds * std::pow(backoff_rate, next_attempt - 2));
  return full_jitter ? d * random01() : d;
}

}  // namespace pg_etl
