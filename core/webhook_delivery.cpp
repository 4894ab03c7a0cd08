#include "core/webhook_delivery.hpp"

#include <chrono>

#include "core/curl_transfer.hpp"
#include "core/delivery_transfer.hpp"
#include "core/digest.hpp"
#include "core/rate_limit.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

// Header values come from the event and the caller: no line breaks may reach the wire.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  return out;
}

}  // namespace

std::string webhook_signature(std::string_view key, int64_t timestamp, std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  return "sha256=" + Digest("sha256").hex(signed_text, key);
}

std::vector<std::string> webhook_headers(const WebhookRequest& req, int64_t timestamp) {
  std::vector<std::string> h = {
      "Content-Type: application/json",
      "X-PgEtl-Event: " + one_line(req.event_kind),
      "X-PgEtl-Delivery: " + one_line(req.message_id),
      "X-PgEtl-Timestamp: " + std::to_string(timestamp),
  };
  if (!req.signing_key.empty()) h.push_back("X-PgEtl-Signature: " + webhook_signature(req.signing_key, timestamp, req.body));
  h.push_back("Expect:");  // no 100-continue round trip for a small body
  return h;
}

DeliveryResult webhook_http_result(long status, const std::string& retry_after, const std::string& body,
                                   const std::string& shown_url, double now) {
  DeliveryResult r;
  r.status = status;
  if (status >= 200 && status < 300) {
    r.ok = true;
    return r;
  }
  r.retryable = retryable_http_status(status);
  if (r.retryable && !retry_after.empty()) r.retry_after = retry_after_seconds(retry_after, now);
  r.error = "HTTP " + std::to_string(status) + " from \"" + shown_url + "\"";
  if (status >= 300 && status < 400) r.error += " (redirects are not followed: give the channel the final URL)";
  else if (!body.empty()) r.error += ": " + response_excerpt(body);
  return r;
}

DeliveryResult deliver_webhook(const WebhookRequest& req) {
  const auto now = std::chrono::system_clock::now();
  const int64_t timestamp = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  CurlRequest cr;
  cr.url = encode_unsafe_chars(req.url);
  cr.shown_url = redact_url(req.url);
  cr.headers = webhook_headers(req, timestamp);
  const DeliveryTransfer t = perform_delivery(
      cr, req.transport, "http,https",
      [&](CURL* easy) {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.c_str());
      },
      "webhook delivery to \"" + cr.shown_url + "\"");
  if (t.rc != CURLE_OK) {
    DeliveryResult r;
    r.status = t.status;  // an answer cut off after its status line
    r.retryable = retryable_delivery_error(t.rc);
    r.error = "could not deliver to \"" + cr.shown_url + "\": " + t.error;
    return r;
  }
  return webhook_http_result(t.status, t.header("retry-after"), t.body, cr.shown_url,
                             std::chrono::duration<double>(now.time_since_epoch()).count());
}

}  // namespace pg_etl
