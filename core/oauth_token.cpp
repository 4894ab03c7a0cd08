#include "core/oauth_token.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

#include "core/curl_transfer.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/http_session.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

struct CachedToken {
  std::string token;
  std::chrono::steady_clock::time_point expires;
};

std::map<std::string, CachedToken>& cache() {
  static std::map<std::string, CachedToken> c;
  return c;
}

}  // namespace

std::string oauth2_access_token(const AuthOptions& auth, const TransportOptions& transport, bool refresh) {
  // The secret is part of the key: a rotated secret never reuses the old one's token.
  const std::string key = auth.token_url + '\n' + auth.client_id + '\n' + auth.client_secret + '\n' + auth.scope + '\n' + auth.audience;
  const auto now = std::chrono::steady_clock::now();
  auto it = cache().find(key);
  if (!refresh && it != cache().end() && now < it->second.expires) return it->second.token;

  HttpRequest req;
  req.url = auth.token_url;
  req.method = "POST";
  req.body = "grant_type=client_credentials";
  if (!auth.scope.empty()) req.body += "&scope=" + percent_encode(auth.scope);
  if (!auth.audience.empty()) req.body += "&audience=" + percent_encode(auth.audience);
  if (auth.client_auth_basic)
    req.headers.push_back("Authorization: Basic " + base64_encode(percent_encode(auth.client_id) + ":" + percent_encode(auth.client_secret)));
  else
    req.body += "&client_id=" + percent_encode(auth.client_id) + "&client_secret=" + percent_encode(auth.client_secret);
  req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  req.headers.push_back("Accept: application/json");
  // The token endpoint gets the connection settings, never the API's own credentials.
  TransportOptions t = transport;
  t.headers.clear();
  t.username.clear();
  t.password.clear();
  t.bearer_token.clear();
  HttpSessionLimits limits;
  limits.retry.max_attempts = 3;
  HttpSession session(t, limits);
  HttpResponse resp = session.perform(req);
  const std::string shown = redact_url(auth.token_url);
  if (resp.status >= 400) {
    // The body of a refusal names the error (invalid_client); it holds no secret of ours.
    try {
      throw_http_error(resp, shown);
    } catch (const Error& e) {
      throw Error(resp.status == 401 || resp.status == 400 ? sqlstate::kInvalidAuthorization : e.sqlstate(),
                  "OAuth2 token request failed: " + std::string(e.what()), e.detail(),
                  "check auth.client_id and auth.client_secret (or the secret that holds them)");
    }
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(resp.body);
  } catch (const nlohmann::json::exception&) {
    throw Error(sqlstate::kInvalidAuthorization, "OAuth2 token response from \"" + shown + "\" is not JSON",
                "response: " + response_excerpt(resp.body));
  }
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
    throw Error(sqlstate::kInvalidAuthorization, "OAuth2 token response from \"" + shown + "\" has no access_token");
  double expires_in = 3600;
  if (j.contains("expires_in") && j["expires_in"].is_number()) expires_in = j["expires_in"].get<double>();
  // Renew a little early so a token does not expire between check and use.
  const double margin = std::min(30.0, expires_in / 10);
  CachedToken t2{j["access_token"].get<std::string>(),
                 now + std::chrono::milliseconds(static_cast<int64_t>((expires_in - margin) * 1000))};
  cache()[key] = t2;
  return t2.token;
}

void clear_oauth2_tokens() { cache().clear(); }

}  // namespace pg_etl
