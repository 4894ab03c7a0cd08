#include "core/db_url.hpp"

#include <vector>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

constexpr const char* kMysqlHint =
    "write mysql://user:password@host:port/database?ssl-mode=REQUIRED, percent-encoding @ : / ? # % in the "
    "user and password";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void bad_mysql_url(const std::string& url, const std::string& why, bool parsed_password,
                                const std::string& password) {
  throw Error(sqlstate::kInvalidParameterValue,
              "invalid MySQL URL \"" + redact_db_url(url, parsed_password ? password : std::string()) + "\": " + why, "",
              kMysqlHint);
}

// Percent-decoding; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); i++) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string upper_dashes_to_underscores(std::string s) {
  for (char& c : s) c = c == '-' ? '_' : ascii_toupper(c);
  return s;
}

std::string lower_underscores_to_dashes(std::string s) {
  for (char& c : s) c = c == '_' ? '-' : ascii_tolower(c);
  return s;
}

}  // namespace

std::string db_url_scheme(std::string_view url) {
  for (const char* s : {"postgresql", "postgres", "mysql", "mariadb"}) {
    std::string_view sv(s);
    if (url.size() > sv.size() + 3 && ascii_iequals(url.substr(0, sv.size()), sv) &&
        url.substr(sv.size(), 3) == "://")
      return std::string(sv);
  }
  return {};
}

MysqlUrl parse_mysql_url(const std::string& url) {
  MysqlUrl u;
  u.scheme = db_url_scheme(url);
  if (u.scheme != "mysql" && u.scheme != "mariadb")
    throw Error(sqlstate::kInvalidParameterValue,
                "\"" + redact_db_url(url, "") + "\" is not a mysql:// or mariadb:// URL", "", kMysqlHint);
  std::string_view rest(url);
  rest.remove_prefix(u.scheme.size() + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  std::string_view before_query = rest.substr(0, q);

  // userinfo: up to the last '@' before the query, so an unencoded '@' or '/' in the
  // password still parses
  const size_t at = before_query.rfind('@');
  bool have_password = false;
  if (at != std::string_view::npos) {
    std::string_view userinfo = before_query.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (!percent_decode(userinfo.substr(0, colon), u.user)) bad_mysql_url(url, "malformed %-escape in the user name", false, "");
    if (colon != std::string_view::npos) {
      if (!percent_decode(userinfo.substr(colon + 1), u.password))
        bad_mysql_url(url, "malformed %-escape in the password", false, "");
      have_password = true;
    }
    before_query.remove_prefix(at + 1);
  }
  const size_t slash = before_query.find('/');
  std::string_view hostport = before_query.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : before_query.substr(slash + 1);

  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) bad_mysql_url(url, "unterminated [IPv6 address]", have_password, u.password);
    u.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_mysql_url(url, "unexpected text after the [IPv6 address]", have_password, u.password);
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
  }
  if (!port_text.empty()) {
    unsigned long port = 0;
    for (char c : port_text) {
      if (!ascii_isdigit(c) || port > 65535) bad_mysql_url(url, "invalid port", have_password, u.password);
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) bad_mysql_url(url, "invalid port", have_password, u.password);
    u.port = static_cast<unsigned>(port);
  }
  if (!percent_decode(path, u.database)) bad_mysql_url(url, "malformed %-escape in the database name", have_password, u.password);
  if (u.database.find('/') != std::string::npos)
    bad_mysql_url(url, "the path names more than a database", have_password, u.password);

  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    std::string key, value;
    if (!percent_decode(kv.substr(0, eq), key) ||
        !percent_decode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1), value))
      bad_mysql_url(url, "malformed %-escape in a parameter", have_password, u.password);
    key = lower_underscores_to_dashes(key);
    if (key == "ssl-mode" || key == "sslmode") {
      u.ssl_mode = upper_dashes_to_underscores(value);
      if (u.ssl_mode != "DISABLED" && u.ssl_mode != "PREFERRED" && u.ssl_mode != "REQUIRED" &&
          u.ssl_mode != "VERIFY_CA" && u.ssl_mode != "VERIFY_IDENTITY")
        bad_mysql_url(url, "ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY", have_password,
                      u.password);
    } else if (key == "ssl-ca") {
      u.ssl_ca = value;
    } else if (key == "ssl-capath") {
      u.ssl_capath = value;
    } else if (key == "ssl-cert") {
      u.ssl_cert = value;
    } else if (key == "ssl-key") {
      u.ssl_key = value;
    } else if (key == "ssl-cipher") {
      u.ssl_cipher = value;
    } else if (key == "socket") {
      u.socket = value;
    } else {
      bad_mysql_url(url,
                    "unknown parameter \"" + key +
                        "\" (known: ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key, ssl-cipher, socket)",
                    have_password, u.password);
    }
  }
  if (u.host.empty() && u.socket.empty()) bad_mysql_url(url, "no host", have_password, u.password);
  if (u.host.empty()) u.host = "localhost";
  return u;
}

std::string redact_db_url(const std::string& url, const std::string& password) {
  std::string s = url;
  const size_t scheme_end = s.find("://");
  if (scheme_end != std::string::npos) {
    const size_t start = scheme_end + 3;
    if (password.empty()) {
      // Unparsed: whatever precedes the last '@' may hold a password.
      const size_t at = s.rfind('@');
      if (at != std::string::npos && at >= start && s.find(':', start) < at) s.replace(start, at - start, "***");
    } else {
      // The parsers' rule: the userinfo ends at the last '@' before the query.
      const size_t q = s.find('?', start);
      const size_t at = s.rfind('@', q == std::string::npos ? std::string::npos : q);
      if (at != std::string::npos && at >= start) {
        const size_t colon = s.find(':', start);
        if (colon < at) s.erase(colon, at - colon);
      }
    }
  }
  return scrub_secret(redact_url(s), password);
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

void append_bytea_hex(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t base = out.size();
  out.resize(base + 2 + 2 * bytes.size());
  char* p = out.data() + base;
  *p++ = '\\';
  *p++ = 'x';
  for (unsigned char c : bytes) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 15];
  }
}

std::string trim_query(std::string_view query) {
  while (!query.empty() && (ascii_isspace(query.back()) || query.back() == ';')) query.remove_suffix(1);
  while (!query.empty() && ascii_isspace(query.front())) query.remove_prefix(1);
  if (query.empty()) throw Error(sqlstate::kInvalidParameterValue, "the query is empty");
  return std::string(query);
}

}  // namespace pg_etl
