#pragma once
// Webhook notifications: one POST of a JSON body, signed so the receiver can check that
// it came from this server and is fresh (the scheme Stripe and GitHub use):
//   X-PgEtl-Timestamp: <Unix seconds>
//   X-PgEtl-Signature: sha256=<hex HMAC-SHA256(key, "<timestamp>.<body>")>
// X-PgEtl-Delivery carries the caller's message id, the same on every attempt, so a
// receiver drops duplicates (delivery is at least once); X-PgEtl-Event the event kind.
// One attempt per call, redirects not followed: the outbox worker owns retries.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/delivery_result.hpp"
#include "core/transport.hpp"

namespace pg_etl {

struct WebhookRequest {
  std::string url;             // http(s); user:password@ in it means basic auth
  std::string body;            // JSON text
  std::string event_kind;      // X-PgEtl-Event
  std::string message_id;      // X-PgEtl-Delivery
  std::string signing_key;     // empty: unsigned
  TransportOptions transport;  // extra headers, timeout, connect_timeout, ca_file, insecure
};

// "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>" under key.
std::string webhook_signature(std::string_view key, int64_t timestamp, std::string_view body);

// The request's own headers at timestamp ("Name: value"); the transport adds the
// User-Agent (pg_etl/<version>) and the extra headers.
std::vector<std::string> webhook_headers(const WebhookRequest& req, int64_t timestamp);

// The result of an HTTP answer: 2xx delivered; 408, 429 and 5xx worth retrying (after
// Retry-After, seconds or an HTTP date, when given); anything else final.
DeliveryResult webhook_http_result(long status, const std::string& retry_after, const std::string& body,
                                   const std::string& shown_url, double now);

// Sends it once. Throws only when cancelled; every failure is in the result.
DeliveryResult deliver_webhook(const WebhookRequest& req);

}  // namespace pg_etl
