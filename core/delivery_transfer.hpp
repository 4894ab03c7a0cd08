#pragma once
// One libcurl transfer of a notification (a webhook POST, an SMTP send), shared by the
// two transports: configured like every pg_etl transfer (configure_easy: timeouts, TLS,
// login, cancellation through the progress callback), limited to the transport's
// protocols, with the answer's header lines (HTTP headers, or SMTP's reply lines) and
// the start of its body kept for the result. No retries here: the outbox worker owns
// them.
#include <curl/curl.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/curl_transfer.hpp"
#include "core/transport.hpp"

namespace pg_etl {

struct DeliveryTransfer {
  CURLcode rc = CURLE_OK;
  long status = 0;                  // HTTP status, or the last SMTP reply code
  std::string error;                // curl_error_text when rc is not CURLE_OK
  std::vector<std::string> lines;   // header lines of the last HTTP response, or every SMTP reply line
  std::string body;                 // the start of the response body (4 KiB at most)

  // The value of header name (case-insensitive) in lines, or "".
  std::string header(std::string_view name) const;
};

// Runs req once. protocols: what the URL may use ("http,https", "smtp,smtps"); setup
// sets what the transport adds (method, body, envelope). Cancellation throws (the
// host's error, else 57014 naming what); every other failure is in the result.
DeliveryTransfer perform_delivery(const CurlRequest& req, const TransportOptions& opt, const char* protocols,
                                  const std::function<void(CURL*)>& setup, const std::string& what);

}  // namespace pg_etl
