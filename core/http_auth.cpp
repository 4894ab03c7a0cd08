#include "core/http_auth.hpp"

#include "core/ascii.hpp"
#include "core/digest.hpp"

namespace pg_etl::http {

namespace {
// A fixed key: HMACs of equal inputs are equal, and comparing them leaks nothing
// about the inputs' bytes or lengths.
constexpr std::string_view kCompareKey = "pg_etl http token comparison";
constexpr std::string_view kSessionKey = "pg_etl status page session";
}  // namespace

bool same_secret(std::string_view a, std::string_view b) {
  static const Digest sha256("sha256");
  const std::string x = sha256.raw(a, kCompareKey), y = sha256.raw(b, kCompareKey);
  unsigned char diff = 0;
  for (size_t i = 0; i < x.size(); i++) diff |= static_cast<unsigned char>(x[i] ^ y[i]);
  return diff == 0;
}

std::string bearer_token(std::string_view authorization) {
  authorization = ascii_trim(authorization);
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() || !ascii_iequals(authorization.substr(0, scheme.size()), scheme)) return {};
  return std::string(ascii_trim(authorization.substr(scheme.size())));
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = ascii_trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && ascii_trim(pair.substr(0, eq)) == name) return std::string(ascii_trim(pair.substr(eq + 1)));
  }
  return {};
}

std::string session_value(std::string_view token) {
  static const Digest sha256("sha256");
  return sha256.hex(kSessionKey, token);
}

Credential check_credentials(std::string_view token, std::string_view authorization, std::string_view query_token,
                             std::string_view cookie_header) {
  std::string offered = bearer_token(authorization);
  if (offered.empty()) offered = std::string(query_token);
  if (!offered.empty()) return same_secret(offered, token) ? Credential::valid : Credential::invalid;
  const std::string session = cookie_value(cookie_header, kSessionCookie);
  if (!session.empty()) return same_secret(session, session_value(token)) ? Credential::valid : Credential::invalid;
  return Credential::none;
}

}  // namespace pg_etl::http
