#pragma once
// E-mail notifications sent with libcurl's SMTP client: smtp:// (STARTTLS by policy) or
// smtps:// (TLS from the start), AUTH with the transport's username and password (the
// mechanism the server offers that libcurl likes best), MAIL FROM, one RCPT TO per
// recipient (one refused recipient fails the message), DATA. One attempt per call.
//
// SMTP says itself what is worth retrying: a 4xx reply is temporary (greylisting, a
// full queue, a throttled sender), a 5xx permanent (unknown recipient, refused login).
// Without a reply, connection failures and timeouts are retried, TLS failures are not.
#include <curl/curl.h>

#include <string>
#include <vector>

#include "core/delivery_result.hpp"
#include "core/transport.hpp"

namespace pg_etl {

enum class StartTls { kOff, kTry, kRequired };  // CURLUSESSL_NONE, _TRY, _ALL

struct SmtpRequest {
  std::string url;              // smtp://host[:port] or smtps://host[:port]
  std::string from;             // the envelope sender, a bare address
  std::vector<std::string> to;  // the envelope recipients, bare addresses
  std::string message;          // the whole message (build_mail)
  StartTls starttls = StartTls::kTry;
  TransportOptions transport;   // username, password, timeout, connect_timeout, ca_file, insecure
};

// The result of a finished SMTP exchange: rc, the last reply code, the server's reply
// lines, libcurl's error text. The reply line of that code joins the error; password
// is kept out of it, should a server echo it.
DeliveryResult smtp_result(CURLcode rc, long reply_code, const std::vector<std::string>& replies,
                           const std::string& curl_error, const std::string& shown_url, const std::string& password);

// Sends it once. Throws only when cancelled; every failure is in the result.
DeliveryResult deliver_mail(const SmtpRequest& req);

}  // namespace pg_etl
