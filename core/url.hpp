#pragma once
// URLs as users write them: file:///data/x.csv, /data/x.csv, https://..., s3://bucket/key,
// ftp://, ftps://, sftp://. Parsing uses libcurl's URL API (RFC 3986, as curl itself
// will read the URL). redact_url() is what every message, log line and table shows.
#include <string>

namespace pg_etl {

struct Url {
  std::string scheme;    // lower case; "file" for plain paths
  std::string user;      // percent-decoded
  std::string password;  // percent-decoded
  std::string host;
  int port = 0;          // 0: the scheme's default
  std::string path;      // percent-decoded ("/data/x.csv"; for s3: "/key")
  std::string query;     // raw, without '?'
};

// Throws 22023 for a URL that cannot be parsed or a scheme pg_etl does not read.
Url parse_url(const std::string& url);

// The URL as messages and tables show it: without password, with secret-looking query
// values (token, signature, key, password, secret, credential) replaced by ***, and
// local paths spelt file:///path. Never throws.
std::string redact_url(const std::string& url);

bool is_local_url(const std::string& url);
bool is_network_url(const std::string& url);

// "file:///a/b c.csv" or "/a/b c.csv" -> "/a/b c.csv".
std::string local_path(const std::string& url);

// The scheme://user@host:port part of a URL (no path), for building listed URLs.
std::string url_origin(const Url& u);

// The URL with bytes that may not appear raw in a URL (space, controls, non-ASCII,
// " < > \ ^ ` |) percent-encoded, so "s3://b/a b.csv" works as users write it.
std::string encode_unsafe_chars(const std::string& url);

// file_url (as a listing shows it, without a password) with the credentials of
// source_url put back when both name the same server; otherwise file_url unchanged.
std::string with_credentials_of(const std::string& file_url, const std::string& source_url);

// Percent-encodes a path for a URL (keeps '/').
std::string encode_path(const std::string& path);

}  // namespace pg_etl

namespace pg_etl {

// Every byte but unreserved ones (A-Z a-z 0-9 - . _ ~) percent-encoded: a query value,
// a form field, a user name or password inside a URL.
std::string percent_encode(const std::string& s);

// url with query parameter name set to value (percent-encoded), replacing every
// earlier value of name; other parameters keep their order.
std::string with_query_param(const std::string& url, const std::string& name, const std::string& value);

// A link from a response (absolute, or relative to base) as an absolute URL.
std::string resolve_url(const std::string& base, const std::string& link);

}  // namespace pg_etl
