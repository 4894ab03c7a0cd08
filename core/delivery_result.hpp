#pragma once
// What one attempt to deliver a notification came to, as the webhook and e-mail
// transports report it to the outbox worker (etl._deliver returns it as JSON). A failed
// delivery is a value, not an exception: the worker records it and decides on a retry.
// Only bad options and cancellation throw.
#include <curl/curl.h>

#include <optional>
#include <string>

namespace pg_etl {

struct DeliveryResult {
  bool ok = false;
  long status = 0;                    // HTTP status or SMTP reply code; 0: no answer
  std::string error;                  // short, without secrets, URLs without credentials
  bool retryable = false;             // worth another attempt later
  std::optional<double> retry_after;  // seconds the server asked to wait (Retry-After)
};

// {"ok": bool, "status": int | null, "error": text | null, "retryable": bool,
//  "retry_after": whole seconds (rounded up) | null}
std::string delivery_result_json(const DeliveryResult& r);

// Whether a transfer that failed without a usable answer is worth another attempt:
// what the API readers retry (a refused or dropped connection, a timeout, an empty
// answer) and also a failed DNS lookup, which for a notification is more often a
// passing outage than a typo. TLS verification, logins and bad URLs are not retried.
bool retryable_delivery_error(CURLcode rc);

}  // namespace pg_etl
