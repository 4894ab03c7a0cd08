#include "core/api_options.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/error.hpp"
#include "core/json_path.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& key, const std::string& why, const std::string& hint = "") {
  throw Error(sqlstate::kInvalidParameterValue, "option \"" + key + "\" " + why, "", hint);
}

std::string str(const json& v, const std::string& key) {
  if (!v.is_string()) bad(key, "must be a string");
  return v.get<std::string>();
}

int64_t integer(const json& v, const std::string& key, int64_t lo) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo) bad(key, "must be an integer of at least " + std::to_string(lo));
  return v.get<int64_t>();
}

double number(const json& v, const std::string& key, double lo) {
  if (!v.is_number() || v.get<double>() < lo) bad(key, "must be a number of at least " + std::to_string(lo));
  return v.get<double>();
}

std::string path(const json& v, const std::string& key) {
  std::string p = str(v, key);
  parse_json_path(p, key.c_str());  // fail early, naming the option
  return p;
}

// Scalars become query parameter text; objects and arrays are not parameters.
std::string param_text(const json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  bad(key, "must be a string, number or boolean");
}

template <typename F>
void each_member(const json& obj, const std::string& key, const std::string& known, F&& f) {
  if (!obj.is_object()) bad(key, "must be an object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.value().is_null()) continue;
    if (!f(it.key(), it.value())) bad(key + "." + it.key(), "is not known", key + " accepts: " + known);
  }
}

PaginationOptions parse_pagination(const json& v) {
  PaginationOptions p;
  if (v.is_string()) {  // shorthand: "pagination": "header_link"
    json o = {{"type", v}};
    return parse_pagination(o);
  }
  static const char* known =
      "type, next_url_path, cursor_path, cursor_param, limit, offset, offset_param, limit_param, page_param, base_page, "
      "page, page_size, page_size_param, total_path, has_more_path, max_pages, stop_after_empty_page";
  std::string type = "auto";
  each_member(v, "pagination", known, [&](const std::string& k, const json& x) {
    const std::string key = "pagination." + k;
    if (k == "type") type = str(x, key);
    else if (k == "next_url_path") p.next_url_path = path(x, key);
    else if (k == "cursor_path") p.cursor_path = path(x, key);
    else if (k == "cursor_param") p.cursor_param = str(x, key);
    else if (k == "limit") p.limit = integer(x, key, 1);
    else if (k == "offset") p.offset = integer(x, key, 0);
    else if (k == "offset_param") p.offset_param = str(x, key);
    else if (k == "limit_param") p.limit_param = str(x, key);
    else if (k == "page_param") p.page_param = str(x, key);
    else if (k == "base_page") p.base_page = integer(x, key, 0);
    else if (k == "page") p.page = integer(x, key, 0);
    else if (k == "page_size") p.page_size = integer(x, key, 1);
    else if (k == "page_size_param") p.page_size_param = str(x, key);
    else if (k == "total_path") p.total_path = path(x, key);
    else if (k == "has_more_path") p.has_more_path = path(x, key);
    else if (k == "max_pages") p.max_pages = integer(x, key, 1);
    else if (k == "stop_after_empty_page") {
      if (!x.is_boolean()) bad(key, "must be true or false");
      p.stop_after_empty_page = x.get<bool>();
    } else return false;
    return true;
  });
  if (type == "auto") p.type = PaginationType::kAuto;
  else if (type == "header_link") p.type = PaginationType::kHeaderLink;
  else if (type == "json_link" || type == "json_response") p.type = PaginationType::kJsonLink;
  else if (type == "cursor") p.type = PaginationType::kCursor;
  else if (type == "offset") p.type = PaginationType::kOffset;
  else if (type == "page_number") p.type = PaginationType::kPageNumber;
  else if (type == "single_page" || type == "single") p.type = PaginationType::kSingle;
  else bad("pagination.type", "must be auto, header_link, json_link, cursor, offset, page_number or single_page (got \"" + type + "\")");
  if (p.type == PaginationType::kJsonLink && p.next_url_path.empty()) p.next_url_path = "$.next";
  if (p.type == PaginationType::kCursor) {
    if (p.cursor_path.empty()) p.cursor_path = "$.next_cursor";
    if (p.cursor_param.empty()) p.cursor_param = "cursor";
  }
  if (p.type == PaginationType::kPageNumber && p.page && *p.page < p.base_page)
    bad("pagination.page", "must not be below base_page (" + std::to_string(p.base_page) + ")");
  return p;
}

AuthOptions parse_auth(const json& v) {
  AuthOptions a;
  static const char* known =
      "type, token, username, password, name, api_key, value, location, token_url, access_token_url, client_id, "
      "client_secret, scope, audience, client_auth";
  std::string type;
  each_member(v, "auth", known, [&](const std::string& k, const json& x) {
    const std::string key = "auth." + k;
    if (k == "type") type = str(x, key);
    else if (k == "token") a.token = str(x, key);
    else if (k == "username") a.username = str(x, key);
    else if (k == "password") a.password = str(x, key);
    else if (k == "name") a.name = str(x, key);
    else if (k == "api_key" || k == "value") a.api_key = str(x, key);
    else if (k == "location") {
      a.location = str(x, key);
      if (a.location != "header" && a.location != "query") bad(key, "must be \"header\" or \"query\"");
    } else if (k == "token_url" || k == "access_token_url") a.token_url = str(x, key);
    else if (k == "client_id") a.client_id = str(x, key);
    else if (k == "client_secret") a.client_secret = str(x, key);
    else if (k == "scope") a.scope = str(x, key);
    else if (k == "audience") a.audience = str(x, key);
    else if (k == "client_auth") {
      const std::string s = str(x, key);
      if (s != "basic" && s != "body") bad(key, "must be \"basic\" or \"body\"");
      a.client_auth_basic = s == "basic";
    } else return false;
    return true;
  });
  // The type may be left out when the fields say it.
  if (type.empty()) {
    if (!a.token_url.empty()) type = "oauth2_client_credentials";
    else if (!a.token.empty()) type = "bearer";
    else if (!a.api_key.empty()) type = "api_key";
    else if (!a.username.empty()) type = "basic";
    else bad("auth", "needs a type: bearer, basic, api_key or oauth2_client_credentials",
             "a secret holding the fields can supply it: {\"auth\": {\"secret\": \"my_api\"}}");
  }
  auto need = [&](const std::string& field, const std::string& value) {
    if (value.empty()) bad("auth." + field, "is required for auth type " + type);
  };
  if (type == "bearer") a.type = AuthType::kBearer, need("token", a.token);
  else if (type == "basic" || type == "http_basic") a.type = AuthType::kBasic, need("username", a.username);
  else if (type == "api_key") a.type = AuthType::kApiKey, need("api_key", a.api_key);
  else if (type == "oauth2_client_credentials" || type == "oauth2") {
    a.type = AuthType::kOAuth2ClientCredentials;
    need("token_url", a.token_url);
    need("client_id", a.client_id);
    need("client_secret", a.client_secret);
  } else bad("auth.type", "must be bearer, basic, api_key or oauth2_client_credentials (got \"" + type + "\")");
  return a;
}

GraphqlOptions parse_graphql(const json& v) {
  GraphqlOptions g;
  if (v.is_string()) {
    g.query = v.get<std::string>();
  } else {
    each_member(v, "graphql", "query, variables, operation_name", [&](const std::string& k, const json& x) {
      if (k == "query") g.query = str(x, "graphql.query");
      else if (k == "variables") {
        if (!x.is_object()) bad("graphql.variables", "must be an object");
        g.variables_json = x.dump();
      } else if (k == "operation_name") g.operation_name = str(x, "graphql.operation_name");
      else return false;
      return true;
    });
  }
  if (g.query.empty()) bad("graphql.query", "is required");
  return g;
}

}  // namespace

const char* pagination_type_name(PaginationType t) {
  switch (t) {
    case PaginationType::kNone: return "none";
    case PaginationType::kAuto: return "auto";
    case PaginationType::kHeaderLink: return "header_link";
    case PaginationType::kJsonLink: return "json_link";
    case PaginationType::kCursor: return "cursor";
    case PaginationType::kOffset: return "offset";
    case PaginationType::kPageNumber: return "page_number";
    case PaginationType::kSingle: return "single_page";
  }
  return "none";
}

bool parse_api_option(const std::string& key, const std::string& value_json, ApiOptions& api) {
  static const char* keys[] = {"pagination", "auth", "graphql", "params", "rate_limit", "request_retry", "concurrency", "read_timeout", "max_response_bytes"};
  if (std::find(std::begin(keys), std::end(keys), key) == std::end(keys)) return false;
  const json v = json::parse(value_json);
  if (v.is_null()) return true;
  api.present = true;
  if (key == "pagination") api.pagination = parse_pagination(v);
  else if (key == "auth") api.auth = parse_auth(v);
  else if (key == "graphql") api.graphql = parse_graphql(v);
  else if (key == "params") {
    each_member(v, "params", "any query parameter", [&](const std::string& k, const json& x) {
      api.params[k] = param_text(x, "params." + k);
      return true;
    });
  } else if (key == "rate_limit") {
    if (v.is_number()) {
      api.requests_per_second = number(v, key, 0.001);
    } else {
      each_member(v, key, "requests_per_second, requests_per_minute, burst", [&](const std::string& k, const json& x) {
        if (k == "requests_per_second") api.requests_per_second = number(x, key + "." + k, 0.001);
        else if (k == "requests_per_minute") api.requests_per_second = number(x, key + "." + k, 0.001) / 60.0;
        else if (k == "burst") api.burst = number(x, key + "." + k, 1);
        else return false;
        return true;
      });
    }
  } else if (key == "request_retry") {
    // The pipeline retry policy's names, with defaults suited to single requests.
    RetryPolicy r = RetryPolicy::from_json(v.dump());
    json d = v;
    if (!d.contains("max_attempts")) r.max_attempts = api.retry.max_attempts;
    if (!d.contains("interval")) r.interval_seconds = api.retry.interval_seconds;
    if (!d.contains("max_delay")) r.max_delay_seconds = api.retry.max_delay_seconds;
    api.retry = r;
  } else if (key == "concurrency") {
    api.concurrency = static_cast<int>(integer(v, key, 1));
    if (api.concurrency > 64) bad(key, "must be at most 64");
  } else if (key == "read_timeout") {
    api.read_timeout = number(v, key, 0);
  } else if (key == "max_response_bytes") {
    api.max_response_bytes = static_cast<uint64_t>(integer(v, key, 1024));
  }
  return true;
}

}  // namespace pg_etl
