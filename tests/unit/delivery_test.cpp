// Notification transports without a network: the webhook signature and headers, what
// is retryable (HTTP, SMTP, libcurl failures), the result JSON, and channel options.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "core/channel_options.hpp"
#include "core/delivery_result.hpp"
#include "core/error.hpp"
#include "core/smtp_delivery.hpp"
#include "core/webhook_delivery.hpp"

using namespace pg_etl;

namespace {

// Secrets as the Postgres layer would resolve them.
std::string fake_secret(const std::string& name) {
  static const std::map<std::string, std::string> secrets = {
      {"hook_key", R"({"key": "whsec_test"})"},
      {"hook_token", R"({"token": "tok-1"})"},
      {"plain_key", R"("raw-key")"},
      {"no_key", R"({"username": "x"})"},
      {"smtp_login", R"({"username": "etl", "password": "pw-9", "host": "ignored"})"},
      {"auth_header", R"("Bearer abc")"},
  };
  auto it = secrets.find(name);
  if (it == secrets.end()) throw Error("42704", "secret \"" + name + "\" does not exist");
  return it->second;
}

const std::string kEvent = R"({"kind": "run_failed", "subject": "orders failed", "id": 7})";

std::string error_of(const std::function<void()>& f, const char* state = "22023") {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), state) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

bool has_header(const std::vector<std::string>& h, const std::string& line) {
  return std::find(h.begin(), h.end(), line) != h.end();
}

}  // namespace

TEST(Webhook, SignatureIsHmacOfTimestampDotBody) {
  // python3: hmac.new(b"whsec_test", b'1700000000.{"kind":"run_failed"}', hashlib.sha256).hexdigest()
  EXPECT_EQ(webhook_signature("whsec_test", 1700000000, R"({"kind":"run_failed"})"),
            "sha256=4a81a883a25451565417537254bf9bf49c6954ec186f051c1582400cf1dd8ed9");
}

TEST(Webhook, Headers) {
  WebhookRequest r;
  r.body = R"({"kind":"run_failed"})";
  r.event_kind = "run_failed";
  r.message_id = "pg_etl-7-abc";
  auto h = webhook_headers(r, 1700000000);
  EXPECT_TRUE(has_header(h, "Content-Type: application/json"));
  EXPECT_TRUE(has_header(h, "X-PgEtl-Event: run_failed"));
  EXPECT_TRUE(has_header(h, "X-PgEtl-Delivery: pg_etl-7-abc"));
  EXPECT_TRUE(has_header(h, "X-PgEtl-Timestamp: 1700000000"));
  for (const auto& line : h) EXPECT_NE(line.rfind("X-PgEtl-Signature", 0), 0u) << "no key, no signature";
  r.signing_key = "whsec_test";
  h = webhook_headers(r, 1700000000);
  EXPECT_TRUE(has_header(h, "X-PgEtl-Signature: sha256=4a81a883a25451565417537254bf9bf49c6954ec186f051c1582400cf1dd8ed9"));
  r.event_kind = "bad\r\nX-Injected: 1";
  for (const auto& line : webhook_headers(r, 1)) EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Webhook, HttpStatusesToResults) {
  const std::string url = "https://hooks.example.com/etl";
  for (long ok : {200L, 201L, 202L, 204L}) {
    DeliveryResult r = webhook_http_result(ok, "", "", url, 0);
    EXPECT_TRUE(r.ok) << ok;
    EXPECT_EQ(r.status, ok);
    EXPECT_TRUE(r.error.empty());
  }
  for (long again : {408L, 429L, 500L, 502L, 503L, 504L}) {
    DeliveryResult r = webhook_http_result(again, "", "busy", url, 0);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.retryable) << again;
  }
  for (long final_status : {301L, 400L, 401L, 403L, 404L, 410L, 422L}) {
    DeliveryResult r = webhook_http_result(final_status, "", "", url, 0);
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.retryable) << final_status;
  }
  DeliveryResult r = webhook_http_result(503, "120", R"({"error": "maintenance"})", url, 0);
  EXPECT_EQ(r.retry_after.value(), 120);
  EXPECT_EQ(r.error, R"(HTTP 503 from "https://hooks.example.com/etl": {"error": "maintenance"})");
  EXPECT_EQ(webhook_http_result(429, "Thu, 01 Jan 1970 00:01:00 GMT", "", url, 30).retry_after.value(), 30) << "an HTTP date";
  EXPECT_FALSE(webhook_http_result(503, "soon", "", url, 0).retry_after);
  EXPECT_NE(webhook_http_result(302, "", "", url, 0).error.find("redirects are not followed"), std::string::npos);
}

TEST(Delivery, RetryableTransferErrors) {
  for (CURLcode rc : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
                      CURLE_COULDNT_RESOLVE_HOST})
    EXPECT_TRUE(retryable_delivery_error(rc)) << curl_easy_strerror(rc);
  for (CURLcode rc : {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_LOGIN_DENIED, CURLE_URL_MALFORMAT,
                      CURLE_UNSUPPORTED_PROTOCOL, CURLE_USE_SSL_FAILED})
    EXPECT_FALSE(retryable_delivery_error(rc)) << curl_easy_strerror(rc);
}

TEST(Delivery, SmtpRepliesToResults) {
  const std::string url = "smtp://mail.example.com:587";
  EXPECT_TRUE(smtp_result(CURLE_OK, 250, {}, "", url, "").ok);
  // 4xx: temporary, 5xx: permanent, whatever libcurl made of them
  DeliveryResult r = smtp_result(CURLE_SEND_ERROR, 451, {"250 OK", "451 4.3.0 try again later", "221 Bye"}, "RCPT failed: 451", url, "");
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.status, 451);
  EXPECT_EQ(r.error, R"(could not send mail through "smtp://mail.example.com:587": RCPT failed: 451 (server: 451 4.3.0 try again later))");
  EXPECT_FALSE(smtp_result(CURLE_SEND_ERROR, 550, {"550 5.1.1 no such mailbox"}, "RCPT failed: 550", url, "").retryable);
  EXPECT_FALSE(smtp_result(CURLE_LOGIN_DENIED, 535, {"535 5.7.8 bad"}, "Login denied", url, "").retryable);
  EXPECT_TRUE(smtp_result(CURLE_LOGIN_DENIED, 454, {"454 4.7.0 later"}, "Login denied", url, "").retryable);
  // no reply: libcurl's code decides
  EXPECT_TRUE(smtp_result(CURLE_COULDNT_CONNECT, 0, {}, "Failed to connect", url, "").retryable);
  EXPECT_TRUE(smtp_result(CURLE_OPERATION_TIMEDOUT, 250, {"250 OK"}, "timed out", url, "").retryable);
  EXPECT_FALSE(smtp_result(CURLE_USE_SSL_FAILED, 250, {"250 HELP"}, "STARTTLS not supported.", url, "").retryable);
  // a server that echoes the password does not get it into the error
  r = smtp_result(CURLE_LOGIN_DENIED, 535, {"535 bad password hunter22"}, "Login denied", url, "hunter22");
  EXPECT_EQ(r.error.find("hunter22"), std::string::npos) << r.error;
}

TEST(Delivery, ResultJson) {
  DeliveryResult ok;
  ok.ok = true;
  ok.status = 204;
  EXPECT_EQ(nlohmann::json::parse(delivery_result_json(ok)),
            nlohmann::json::parse(R"({"ok": true, "status": 204, "error": null, "retryable": false, "retry_after": null})"));
  DeliveryResult failed;
  failed.error = "could not deliver";
  failed.retryable = true;
  failed.retry_after = 1.2;
  EXPECT_EQ(nlohmann::json::parse(delivery_result_json(failed)),
            nlohmann::json::parse(R"({"ok": false, "status": null, "error": "could not deliver", "retryable": true, "retry_after": 2})"));
}

TEST(ChannelOptions, Webhook) {
  WebhookRequest r = webhook_for_event(
      R"({"url": "https://hooks.example.com/etl", "signing_secret": "hook_key", "headers": {"X-Team": "ops", "Authorization": {"secret": "auth_header"}},
          "retry": {"max_attempts": 3}, "namespace": "ol"})",
      kEvent, "pg_etl-7-abc", fake_secret);
  EXPECT_EQ(r.url, "https://hooks.example.com/etl");
  EXPECT_EQ(r.signing_key, "whsec_test");
  EXPECT_EQ(r.transport.headers.at("X-Team"), "ops");
  EXPECT_EQ(r.transport.headers.at("Authorization"), "Bearer abc") << "{\"secret\": name} in a header";
  EXPECT_EQ(r.transport.timeout, 10);
  EXPECT_EQ(r.transport.connect_timeout, 10);
  EXPECT_EQ(r.event_kind, "run_failed");
  EXPECT_EQ(r.message_id, "pg_etl-7-abc");
  EXPECT_EQ(r.body, kEvent) << "the event is sent as given";

  auto key_of = [](const std::string& options) {
    return webhook_for_event(options, kEvent, "m", fake_secret).signing_key;
  };
  EXPECT_EQ(key_of(R"({"url": "http://h/", "signing_secret": "hook_token"})"), "tok-1");
  EXPECT_EQ(key_of(R"({"url": "http://h/", "signing_secret": "plain_key"})"), "raw-key");
  EXPECT_EQ(key_of(R"({"url": "http://h/", "signing_secret": {"secret": "hook_key"}})"), "whsec_test");
  EXPECT_EQ(key_of(R"({"url": "http://h/"})"), "");
  EXPECT_EQ(webhook_for_event(R"({"url": "http://h/", "timeout": 2.5})", kEvent, "m", fake_secret).transport.connect_timeout, 2.5);
  EXPECT_EQ(webhook_for_event(R"({"url": "http://h/"})", R"({"eventType": "START"})", "m", fake_secret).event_kind, "openlineage");
}

TEST(ChannelOptions, WebhookErrorsNameTheOption) {
  auto err = [](const std::string& options, const std::string& event = kEvent, const std::string& id = "m") {
    return error_of([&] { webhook_for_event(options, event, id, fake_secret); });
  };
  EXPECT_EQ(err(R"({"url": "ftp://h/x"})"), "option \"url\" must be an http:// or https:// URL");
  EXPECT_EQ(err(R"({"url": "https://user:pw@/x"})"), "option \"url\" must be an http:// or https:// URL");
  EXPECT_EQ(err(R"({})"), "a webhook channel needs option \"url\"");
  EXPECT_EQ(err(R"({"url": "http://h/", "signing_secrte": "x"})"), "unknown option \"signing_secrte\"");
  EXPECT_EQ(err(R"({"url": "http://h/", "signing_secret": "no_key"})"),
            "option \"signing_secret\" names a secret without a \"key\" (or \"token\") field");
  EXPECT_EQ(err(R"({"url": "http://h/", "headers": {"X-A": "1\r\nX-B: 2"}})"),
            "option \"headers.X-A\" must not contain line breaks or control characters");
  EXPECT_EQ(err(R"({"url": "http://h/", "headers": {"X-PgEtl-Signature": "forged"}})"),
            "option \"headers.X-PgEtl-Signature\" is set by pg_etl (X-PgEtl-* headers are reserved)");
  EXPECT_EQ(err(R"({"url": "http://h/", "headers": {"Content-Type": "text/plain"}})"), "option \"headers.Content-Type\" is set by pg_etl");
  EXPECT_EQ(err(R"({"url": "http://h/", "headers": {"Bad Name": "x"}})"), "option \"headers.Bad Name\" is not a header name");
  EXPECT_EQ(err(R"({"url": "http://h/", "timeout": 0})"), "option \"timeout\" must be a number of seconds above 0 and at most 3600");
  EXPECT_EQ(err(R"([1])"), "webhook options must be a JSON object");
  EXPECT_EQ(err(R"({"url": "http://h/"})", "[]"), "the event must be a JSON object");
  EXPECT_NE(err(R"({"url": "http://h/"})", kEvent, "a b").find("message_id"), std::string::npos);
  error_of([] { webhook_for_event(R"({"url": "http://h/", "signing_secret": "missing"})", kEvent, "m", fake_secret); }, "42704");
  // the URL's password is never in a message
  EXPECT_EQ(err(R"({"url": "gopher://u:hunter2@h/"})").find("hunter2"), std::string::npos);
}

TEST(ChannelOptions, Email) {
  SmtpRequest r = mail_for_event(
      R"({"url": "smtp://127.0.0.1:2525", "from": "pg_etl <etl@example.com>", "to": ["ops@example.com", "Dev <dev@example.com>"],
          "secret": "smtp_login", "starttls": "required", "ca_file": "/etc/ca.pem", "retry": {"max_attempts": 2}})",
      R"({"kind": "run_failed", "subject": "orders failed", "text": "Run 3 of orders failed.", "id": 7})", "pg_etl-7-abc",
      1709632800, fake_secret);
  EXPECT_EQ(r.url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(r.from, "etl@example.com") << "the envelope has the bare address";
  EXPECT_EQ(r.to, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(r.starttls, StartTls::kRequired);
  EXPECT_EQ(r.transport.username, "etl");
  EXPECT_EQ(r.transport.password, "pw-9");
  EXPECT_EQ(r.transport.ca_file, "/etc/ca.pem");
  EXPECT_EQ(r.transport.timeout, 30);
  EXPECT_NE(r.message.find("From: pg_etl <etl@example.com>\r\n"), std::string::npos);
  EXPECT_NE(r.message.find("To: ops@example.com, Dev <dev@example.com>\r\n"), std::string::npos);
  EXPECT_NE(r.message.find("Subject: [pg_etl] orders failed\r\n"), std::string::npos);
  EXPECT_NE(r.message.find("Message-ID: <pg_etl-7-abc@pg_etl>\r\n"), std::string::npos);
  EXPECT_NE(r.message.find("\r\n\r\nRun 3 of orders failed.\r\n\r\n{\r\n  \"id\": 7,\r\n"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("pw-9"), std::string::npos);

  auto subject_of = [](const std::string& options, const std::string& event) {
    const std::string m = mail_for_event(options, event, "m", 0, fake_secret).message;
    const size_t at = m.find("Subject: ");
    return m.substr(at + 9, m.find("\r\n", at) - at - 9);
  };
  const std::string base = R"({"url": "smtps://h", "from": "a@example.com", "to": "b@example.com")";
  EXPECT_EQ(subject_of(base + "}", R"({"kind": "sla_missed"})"), "[pg_etl] sla_missed") << "the kind without a subject";
  EXPECT_EQ(subject_of(base + R"(, "subject_prefix": "[prod]"})", R"({"kind": "x", "subject": "late"})"), "[prod] late");
  EXPECT_EQ(subject_of(base + R"(, "subject_prefix": ""})", R"({"kind": "x", "subject": "late"})"), "late");
  EXPECT_EQ(mail_for_event(base + "}", kEvent, "m", 0, fake_secret).starttls, StartTls::kTry) << "the default";
  EXPECT_EQ(mail_for_event(base + R"(, "starttls": "off"})", kEvent, "m", 0, fake_secret).starttls, StartTls::kOff);
}

TEST(ChannelOptions, EmailErrorsNameTheOption) {
  auto err = [](const std::string& options) {
    return error_of([&] { mail_for_event(options, kEvent, "m", 0, fake_secret); });
  };
  const std::string to = R"("to": ["ops@example.com"])";
  EXPECT_EQ(err(R"({"url": "http://h", "from": "a@example.com", )" + to + "}"), "option \"url\" must be an smtp:// or smtps:// URL");
  EXPECT_EQ(err(R"({"url": "smtp://h", )" + to + "}"), "an email channel needs option \"from\"");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com"})"), "an email channel needs option \"to\" (an array of addresses)");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "to": []})"), "an email channel needs option \"to\" (an array of addresses)");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "to": ["ok@example.com", "x\ny@example.com"]})"),
            "option \"to[1]\" must not contain line breaks or control characters");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "to": [5]})"), "option \"to[0]\" must be a string");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "nobody", )" + to + "}"),
            "option \"from\" must be an e-mail address such as ops@example.com or \"Ops <ops@example.com>\"");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "starttls": "yes", )" + to + "}"), "option \"starttls\" must be off, try or required");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "insecure": "yes", )" + to + "}"), "option \"insecure\" must be true or false");
  EXPECT_EQ(err(R"({"url": "smtp://h", "from": "a@example.com", "cc": [], )" + to + "}"), "unknown option \"cc\"");
}
