#include "core/smtp_delivery.hpp"

#include <cstring>
#include <memory>

#include "core/delivery_transfer.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

// Never throws: libcurl calls it.
size_t read_message(char* out, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t k = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(out, up->data->data() + up->pos, k);
  up->pos += k;
  return k;
}

}  // namespace

DeliveryResult smtp_result(CURLcode rc, long reply_code, const std::vector<std::string>& replies,
                           const std::string& curl_error, const std::string& shown_url, const std::string& password) {
  DeliveryResult r;
  r.status = reply_code;
  if (rc == CURLE_OK) {
    r.ok = true;
    return r;
  }
  if (reply_code >= 400 && reply_code < 500) r.retryable = true;
  else if (reply_code >= 500) r.retryable = false;
  else r.retryable = retryable_delivery_error(rc);
  r.error = "could not send mail through \"" + shown_url + "\": " + curl_error;
  // the server's own words ("550 5.1.1 <x@example.com>: Recipient address rejected"):
  // the last reply of that code (a QUIT's "221 Bye" may follow it)
  if (reply_code >= 400) {
    const std::string code = std::to_string(reply_code);
    for (auto it = replies.rbegin(); it != replies.rend(); ++it)
      if (it->compare(0, code.size(), code) == 0) {
        if (*it != code && curl_error.find(*it) == std::string::npos) r.error += " (server: " + it->substr(0, 300) + ")";
        break;
      }
  }
  for (size_t at; password.size() >= 2 && (at = r.error.find(password)) != std::string::npos;) r.error.replace(at, password.size(), "***");
  return r;
}

DeliveryResult deliver_mail(const SmtpRequest& req) {
  CurlRequest cr;
  cr.url = req.url;
  cr.shown_url = redact_url(req.url);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(nullptr, &curl_slist_free_all);
  for (const std::string& to : req.to) rcpt.reset(curl_slist_append(rcpt.release(), ("<" + to + ">").c_str()));
  const std::string from = "<" + req.from + ">";
  Upload upload{&req.message};
  const DeliveryTransfer t = perform_delivery(
      cr, req.transport, "smtp,smtps",
      [&](CURL* easy) {
        curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from.c_str());
        curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt.get());
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.message.size()));
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &read_message);
        curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
        const long ssl = req.starttls == StartTls::kRequired ? CURLUSESSL_ALL
                         : req.starttls == StartTls::kTry    ? CURLUSESSL_TRY
                                                             : CURLUSESSL_NONE;
        curl_easy_setopt(easy, CURLOPT_USE_SSL, ssl);
      },
      "sending mail through \"" + cr.shown_url + "\"");
  return smtp_result(t.rc, t.status, t.lines, t.error, cr.shown_url, req.transport.password);
}

}  // namespace pg_etl
