#include "core/channel_options.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/option_errors.hpp"
#include "core/secret_refs.hpp"
#include "core/smtp_message.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using json = nlohmann::json;

constexpr double kMaxSeconds = 3600;

json parse_object(const std::string& text, const std::string& what) {
  json doc = json::parse(text.empty() ? "{}" : text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Error(sqlstate::kInvalidParameterValue, what + " must be a JSON object");
  return doc;
}

// Keys are checked as written, before secrets are merged in: a secret may hold more
// fields than a channel reads.
void check_keys(const json& raw, const std::vector<std::string>& known) {
  for (const auto& [k, v] : raw.items())
    if (std::find(known.begin(), known.end(), k) == known.end()) throw_unknown_option(k, known);
}

const json* member(const json& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? nullptr : &*it;
}

std::string string_option(const json& o, const char* key, const std::string& fallback = "") {
  const json* v = member(o, key);
  if (!v) return fallback;
  if (!v->is_string()) throw_bad_option(key, "must be a string");
  return v->get<std::string>();
}

// channel: "a webhook channel", "an email channel"
std::string required_string(const json& o, const char* key, const std::string& channel) {
  if (!member(o, key)) throw Error(sqlstate::kInvalidParameterValue, channel + " needs option \"" + key + "\"");
  return string_option(o, key);
}

double seconds_option(const json& o, const char* key, double fallback) {
  const json* v = member(o, key);
  if (!v) return fallback;
  if (!v->is_number() || v->get<double>() <= 0 || v->get<double>() > kMaxSeconds)
    throw_bad_option(key, "must be a number of seconds above 0 and at most 3600");
  return v->get<double>();
}

// scheme://host...: the scheme one of schemes, a host, no blanks or control characters.
// The URL itself is never quoted: it may hold a password.
void check_url(const std::string& url, std::initializer_list<const char*> schemes, const char* expected) {
  const size_t colon = url.find("://");
  std::string scheme = url.substr(0, colon == std::string::npos ? 0 : colon);
  for (char& c : scheme) c = ascii_tolower(c);
  const bool known = colon != std::string::npos &&
                     std::any_of(schemes.begin(), schemes.end(), [&](const char* s) { return scheme == s; });
  std::string authority = known ? url.substr(colon + 3, url.find_first_of("/?#", colon + 3) - colon - 3) : "";
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  if (!known || authority.empty() || authority[0] == ':') throw_bad_option("url", std::string("must be ") + expected);
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) throw_bad_option("url", "must not contain blanks or control characters");
}

TransportOptions transport_options(const json& o, double default_timeout) {
  TransportOptions t;
  t.timeout = seconds_option(o, "timeout", default_timeout);
  t.connect_timeout = seconds_option(o, "connect_timeout", std::min(10.0, t.timeout));
  t.ca_file = string_option(o, "ca_file");
  if (const json* v = member(o, "insecure")) {
    if (!v->is_boolean()) throw_bad_option("insecure", "must be true or false");
    t.insecure = v->get<bool>();
  }
  return t;
}

// The signing key in a secret's value: a string, or an object's "key" (or "token").
std::string signing_key_of(const json& value) {
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  if (value.is_object())
    for (const char* field : {"key", "token"})
      if (auto it = value.find(field); it != value.end() && it->is_string() && !it->get<std::string>().empty())
        return it->get<std::string>();
  throw_bad_option("signing_secret", "names a secret without a \"key\" (or \"token\") field");
}

bool is_token_char(char c) { return ascii_isalpha(c) || ascii_isdigit(c) || std::strchr("!#$%&'*+-.^_`|~", c); }

void add_header(TransportOptions& t, const std::string& name, const json& value) {
  const std::string key = "headers." + name;
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) throw_bad_option(key, "is not a header name");
  std::string lower = name;
  for (char& c : lower) c = ascii_tolower(c);
  for (const char* reserved : {"content-type", "content-length", "host", "transfer-encoding", "expect", "user-agent"})
    if (lower == reserved) throw_bad_option(key, "is set by pg_etl");
  if (lower.rfind("x-pgetl-", 0) == 0) throw_bad_option(key, "is set by pg_etl (X-PgEtl-* headers are reserved)");
  if (!value.is_string()) throw_bad_option(key, "must be a string");
  const std::string v = value.get<std::string>();
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\t') || c == 0x7f) throw_bad_option(key, "must not contain line breaks or control characters");
  t.headers[name] = v;
}

json event_object(const std::string& event_json) { return parse_object(event_json, "the event"); }

std::string event_field(const json& event, const char* field) {
  auto it = event.find(field);
  return it != event.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

WebhookRequest webhook_for_event(const std::string& options_json, const std::string& event_json,
                                 const std::string& message_id, const SecretLookup& secret_json) {
  const json raw = parse_object(options_json, "webhook options");
  check_keys(raw, {"url", "signing_secret", "headers", "timeout", "connect_timeout", "ca_file", "insecure", "retry", "namespace"});
  const json o = parse_object(resolve_secret_refs(raw.dump(), secret_json), "webhook options");
  WebhookRequest req;
  req.url = required_string(o, "url", "a webhook channel");
  check_url(req.url, {"http", "https"}, "an http:// or https:// URL");
  if (const json* s = member(raw, "signing_secret")) {
    if (s->is_string()) {  // a secret's name
      if (s->get<std::string>().empty()) throw_bad_option("signing_secret", "must name a secret");
      const json value = json::parse(secret_json(s->get<std::string>()), nullptr, false);
      req.signing_key = signing_key_of(value);
    } else if (s->is_object()) {  // {"secret": name}, resolved above
      req.signing_key = signing_key_of(o.at("signing_secret"));
    } else {
      throw_bad_option("signing_secret", "must be the name of a secret");
    }
  }
  req.transport = transport_options(o, 10);
  if (const json* h = member(o, "headers")) {
    if (!h->is_object()) throw_bad_option("headers", "must be an object of header names and values");
    for (const auto& [name, value] : h->items()) add_header(req.transport, name, value);
  }
  require_message_id(message_id);
  const json event = event_object(event_json);
  req.event_kind = event_field(event, "kind");
  if (req.event_kind.empty()) req.event_kind = event.contains("eventType") ? "openlineage" : "event";
  req.body = event_json;  // as given: parsing and printing could round big numbers
  req.message_id = message_id;
  return req;
}

SmtpRequest mail_for_event(const std::string& options_json, const std::string& event_json, const std::string& message_id,
                           int64_t date, const SecretLookup& secret_json) {
  const json raw = parse_object(options_json, "email options");
  check_keys(raw, {"url", "from", "to", "secret", "username", "password", "starttls", "ca_file", "insecure", "subject_prefix",
                   "timeout", "connect_timeout", "retry"});
  const json o = parse_object(resolve_secret_refs(raw.dump(), secret_json), "email options");
  SmtpRequest req;
  req.url = required_string(o, "url", "an email channel");
  check_url(req.url, {"smtp", "smtps"}, "an smtp:// or smtps:// URL");
  MailMessage m;
  m.from = parse_mail_address(required_string(o, "from", "an email channel"), "from");
  const json* to = member(o, "to");
  if (!to || (to->is_array() && to->empty()))
    throw Error(sqlstate::kInvalidParameterValue, "an email channel needs option \"to\" (an array of addresses)");
  const json recipients = to->is_array() ? *to : json::array({*to});
  for (size_t i = 0; i < recipients.size(); i++) {
    const std::string key = "to[" + std::to_string(i) + "]";
    if (!recipients[i].is_string()) throw_bad_option(key, "must be a string");
    m.to.push_back(parse_mail_address(recipients[i].get<std::string>(), key));
    req.to.push_back(m.to.back().address);
  }
  const std::string starttls = string_option(o, "starttls", "try");
  if (starttls == "off") req.starttls = StartTls::kOff;
  else if (starttls == "try") req.starttls = StartTls::kTry;
  else if (starttls == "required") req.starttls = StartTls::kRequired;
  else throw_bad_option("starttls", "must be off, try or required");
  req.transport = transport_options(o, 30);
  req.transport.username = string_option(o, "username");
  req.transport.password = string_option(o, "password");
  require_message_id(message_id);
  const json event = event_object(event_json);
  const std::string prefix = string_option(o, "subject_prefix", "[pg_etl]");
  std::string subject = event_field(event, "subject");
  if (subject.empty()) subject = event_field(event, "kind");
  if (subject.empty()) subject = "event";
  m.subject = prefix.empty() ? subject : prefix + " " + subject;
  const std::string text = event_field(event, "text");
  m.body = (text.empty() ? "" : text + "\n\n") + event.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  m.message_id = message_id;
  m.date = date;
  req.from = m.from.address;
  req.message = build_mail(m);
  return req;
}

}  // namespace pg_etl
