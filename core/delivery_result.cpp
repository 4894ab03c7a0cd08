#include "core/delivery_result.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "core/curl_transfer.hpp"

namespace pg_etl {

std::string delivery_result_json(const DeliveryResult& r) {
  nlohmann::json j;
  j["ok"] = r.ok;
  j["status"] = r.status > 0 ? nlohmann::json(r.status) : nlohmann::json();
  j["error"] = r.error.empty() ? nlohmann::json() : nlohmann::json(r.error);
  j["retryable"] = !r.ok && r.retryable;
  j["retry_after"] = r.retry_after ? nlohmann::json(static_cast<int64_t>(std::ceil(*r.retry_after))) : nlohmann::json();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool retryable_delivery_error(CURLcode rc) {
  return retryable_curl_error(rc) || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY;
}

}  // namespace pg_etl
