#pragma once
// Options that make an http(s) URL an API rather than a file: how to page through it,
// how to sign in, how fast to go and what to do when it fails. Names follow dlt's REST
// client, which users of Python loaders already know. Parsed from the reading options'
// members "pagination", "auth", "graphql", "params", "rate_limit", "request_retry",
// "concurrency", "read_timeout" and "max_response_bytes".
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/retry_policy.hpp"

namespace pg_etl {

enum class PaginationType { kNone, kAuto, kHeaderLink, kJsonLink, kCursor, kOffset, kPageNumber, kSingle };

struct PaginationOptions {
  PaginationType type = PaginationType::kNone;  // kNone: "pagination" not given (auto when the read is an API)
  std::string next_url_path;                    // json_link
  std::string cursor_path, cursor_param;        // cursor (a GraphQL variable for GraphQL)
  int64_t limit = 100, offset = 0;              // offset
  std::string offset_param = "offset", limit_param = "limit";
  std::string page_param = "page";              // page_number
  int64_t base_page = 1;
  std::optional<int64_t> page;                  // first page to ask for (default base_page)
  std::string page_size_param;                  // page_number: also send the page size
  std::optional<int64_t> page_size;
  std::string total_path;    // offset: total records; page_number: total pages
  std::string has_more_path; // any type: stop when false
  int64_t max_pages = 0;     // 0: no limit
  bool stop_after_empty_page = true;
};

enum class AuthType { kNone, kBearer, kBasic, kApiKey, kOAuth2ClientCredentials };

struct AuthOptions {
  AuthType type = AuthType::kNone;
  std::string token;                      // bearer
  std::string username, password;         // basic
  std::string name = "X-API-Key", api_key, location = "header";  // api_key: header or query
  std::string token_url, client_id, client_secret, scope, audience;  // oauth2
  bool client_auth_basic = true;          // oauth2: client id/secret by HTTP Basic, else in the form body
};

struct GraphqlOptions {
  std::string query;            // empty: not GraphQL
  std::string variables_json = "{}";
  std::string operation_name;
};

struct ApiOptions {
  PaginationOptions pagination;
  AuthOptions auth;
  GraphqlOptions graphql;
  std::map<std::string, std::string> params;  // query parameters of the first request
  double requests_per_second = 0;             // 0: no client-side limit
  double burst = 1;
  int concurrency = 1;                        // requests in flight at once (offset, page_number)
  RetryPolicy retry{5, 1.0, 2.0, 60.0, true};
  double read_timeout = 0;                    // seconds for the whole read; 0: none
  uint64_t max_response_bytes = 64ull << 20;
  bool present = false;                       // any API option was given

  // An http(s) read is an API read when any API option is present.
  bool is_api() const { return present; }
};

// Parses one member of the reading options into api; false when key is not an API
// option. Throws 22023 naming the key.
bool parse_api_option(const std::string& key, const std::string& value_json, ApiOptions& api);

const char* pagination_type_name(PaginationType t);

}  // namespace pg_etl
