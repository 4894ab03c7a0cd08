#pragma once
// Who may read the /metrics endpoint and the status page: a request carries the token
// as "Authorization: Bearer <token>" (Prometheus), as ?token=<token> (a browser's first
// visit), or in the session cookie that a ?token= visit sets. The cookie holds an HMAC
// of the token, never the token, so it stops working when the token changes. Tokens are
// compared in constant time (as HMACs, so not even their length leaks).
#include <string>
#include <string_view>

namespace pg_etl::http {

inline constexpr std::string_view kSessionCookie = "pg_etl_session";

enum class Credential {
  none,     // nothing offered
  valid,
  invalid,  // something offered, and wrong
};

// True when a and b are the same bytes; time independent of where they differ.
bool same_secret(std::string_view a, std::string_view b);

// The token of an "Authorization: Bearer <token>" header ("" for other schemes).
std::string bearer_token(std::string_view authorization);

// The value of cookie name in a Cookie header ("" when absent).
std::string cookie_value(std::string_view cookie_header, std::string_view name);

// What the session cookie holds for this token.
std::string session_value(std::string_view token);

// Checks what a request offers against token (not empty), in the order above.
Credential check_credentials(std::string_view token, std::string_view authorization, std::string_view query_token,
                             std::string_view cookie_header);

}  // namespace pg_etl::http
