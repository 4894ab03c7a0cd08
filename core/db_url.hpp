#pragma once
// Database source URLs (postgresql://, mysql://) as users write them, and what messages
// show of them. Pure string handling, shared by the PostgreSQL and MySQL readers.
//
// Passwords never reach a message: every URL shown goes through redact_db_url, and
// every text that comes from a driver (libpq, Connector/C) through scrub_secret.
#include <map>
#include <string>
#include <string_view>

namespace pg_etl {

// mysql://user:password@host:port/database?ssl-mode=REQUIRED&ssl-ca=/path (also
// mariadb://). User, password and database are percent-decoded; host may be an IPv6
// literal in brackets; the port defaults to 3306. Characters that are special in a URL
// (@ : / ? # %) must be percent-encoded inside the user and password.
struct MysqlUrl {
  std::string scheme;  // "mysql" or "mariadb"
  std::string user;
  std::string password;
  std::string host;
  unsigned port = 3306;
  std::string database;
  std::string socket;  // ?socket=/path: a Unix socket instead of TCP
  // ssl-mode: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY (also accepted
  // in lower case and with '-'); empty: not given (the reader picks, see mysql_reader.hpp)
  std::string ssl_mode;
  std::string ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher;
};

// Throws 22023 for anything else; the message never shows the password.
MysqlUrl parse_mysql_url(const std::string& url);

// "mysql" / "mariadb" / "postgresql" / "postgres" when url starts with that scheme and
// "://" (case-insensitive), else "".
std::string db_url_scheme(std::string_view url);

// The URL as messages show it: redact_url's rules (no password, secret-looking query
// values ***), plus: password is starred wherever it still appears. When the URL does
// not parse, pass an empty password: everything between :// and the last '@' is starred.
std::string redact_db_url(const std::string& url, const std::string& password);

// text with every occurrence of secret replaced by ***; unchanged for an empty secret.
std::string scrub_secret(std::string text, const std::string& secret);

// Bytes as PostgreSQL's bytea hex input: "\x" followed by two lower-case hex digits a byte.
void append_bytea_hex(std::string& out, std::string_view bytes);

// The query without trailing whitespace and semicolons (so "SELECT 1;" can be wrapped in
// COPY (...)); throws 22023 when nothing is left.
std::string trim_query(std::string_view query);

}  // namespace pg_etl
