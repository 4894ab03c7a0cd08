#pragma once
// libcurl transfers: a streaming download (CurlSource, pulled through the multi
// interface so memory stays flat and every wait can be cancelled) and small whole
// requests for listings. Errors name the URL without credentials and carry a SQLSTATE
// that says what went wrong (missing file, refused login, unreachable host...).
#include <curl/curl.h>

#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/transport.hpp"

namespace pg_etl {

struct CurlRequest {
  std::string url;        // what curl fetches (may carry credentials)
  std::string shown_url;  // what messages show
  std::vector<std::string> headers;
  std::string custom_request;  // e.g. "MLSD"
  bool head_only = false;      // CURLOPT_NOBODY
  bool dir_list_only = false;  // FTP NLST
};

// Applies the options common to every pg_etl transfer (timeouts, TLS, auth, SSH keys,
// FTP TLS, no signals) to an easy handle.
void configure_easy(CURL* easy, const CurlRequest& req, const TransportOptions& opt, curl_slist** header_list);

// curl_global_init, once per process.
void ensure_global_init();

// The SQLSTATE and message for a failed transfer: a libcurl error (rc) or an HTTP status
// >= 400, naming the shown URL, with the start of the response body as detail.
[[noreturn]] void throw_transfer_error(CURLcode rc, long status, const std::string& shown, const char* errbuf,
                                       const std::string& body, int attempts = 1);

// The first 300 bytes of a response body on one line, for messages.
std::string response_excerpt(const std::string& body);

// What went wrong in a failed libcurl call: the error buffer if it says anything, else
// curl's text for rc, without the varying "after N ms".
std::string curl_error_text(CURLcode rc, const char* errbuf);

// Failures worth trying again: a connection refused or dropped, a timeout, an empty or
// cut-off answer (not DNS, TLS verification or refused logins), and HTTP 408, 429, 5xx.
bool retryable_curl_error(CURLcode rc);
bool retryable_http_status(long status);

// Streams the body of req.
ByteSourcePtr open_curl(const CurlRequest& req, const TransportOptions& opt);

struct CurlResponse {
  long status = 0;
  std::string body;
  curl_off_t content_length = -1;
  curl_off_t filetime = -1;
  std::string etag;
};

// Runs req to completion (bodies up to max_body bytes) and fails on errors or HTTP >= 400.
CurlResponse fetch_small(const CurlRequest& req, const TransportOptions& opt, size_t max_body = 64 << 20);

}  // namespace pg_etl
