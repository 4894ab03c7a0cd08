#include "core/url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* v = nullptr;
  if (curl_url_get(u, part, &v, flags) != CURLUE_OK || !v) return {};
  std::string s(v);
  curl_free(v);
  return s;
}

bool secret_param(std::string name) {
  name = lower(name);
  for (const char* w : {"token", "signature", "password", "passwd", "secret", "key", "credential", "auth", "sig"})
    if (name.find(w) != std::string::npos) return true;
  return false;
}

bool known_scheme(const std::string& s) {
  for (const char* k : {"file", "http", "https", "s3", "ftp", "ftps", "sftp"})
    if (s == k) return true;
  return false;
}

}  // namespace

Url parse_url(const std::string& url) {
  Url out;
  if (!url.empty() && url[0] == '/') {
    out.scheme = "file";
    out.path = url;
    return out;
  }
  auto colon = url.find("://");
  if (colon == std::string::npos)
    throw Error(sqlstate::kInvalidParameterValue, "\"" + redact_url(url) + "\" is not a URL or an absolute path", "",
                "write file:///path, /path, https://..., s3://bucket/key, ftp://, ftps:// or sftp://");
  out.scheme = lower(url.substr(0, colon));
  if (!known_scheme(out.scheme))
    throw Error(sqlstate::kFeatureNotSupported, "unsupported URL scheme \"" + out.scheme + "\" in \"" + redact_url(url) + "\"",
                "", "pg_etl reads file, http, https, s3, ftp, ftps and sftp URLs, and postgresql and mysql databases");
  if (out.scheme == "file") {
    std::string rest = url.substr(colon + 3);
    if (!rest.empty() && rest[0] != '/')  // file://host/path: only the local host
      rest = rest.substr(std::min(rest.find('/'), rest.size()));
    char* decoded = curl_easy_unescape(nullptr, rest.c_str(), static_cast<int>(rest.size()), nullptr);
    out.path = decoded ? decoded : rest;
    curl_free(decoded);
    if (out.path.empty() || out.path[0] != '/')
      throw Error(sqlstate::kInvalidParameterValue, "file URL \"" + url + "\" has no absolute path");
    return out;
  }
  CurlUrl u(curl_url());
  // s3://bucket/key is not a scheme curl knows; parse it as if it were https.
  std::string parseable = encode_unsafe_chars(out.scheme == "s3" ? "https" + url.substr(colon) : url);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, parseable.c_str(), CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS);
  if (rc != CURLUE_OK)
    throw Error(sqlstate::kInvalidParameterValue,
                "invalid URL \"" + redact_url(url) + "\": " + curl_url_strerror(rc));
  out.user = get_part(u.get(), CURLUPART_USER, CURLU_URLDECODE);
  out.password = get_part(u.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
  out.host = get_part(u.get(), CURLUPART_HOST);
  std::string port = get_part(u.get(), CURLUPART_PORT);
  out.port = port.empty() ? 0 : std::stoi(port);
  out.path = get_part(u.get(), CURLUPART_PATH, CURLU_URLDECODE);
  out.query = get_part(u.get(), CURLUPART_QUERY);
  return out;
}

std::string redact_url(const std::string& url) {
  if (!url.empty() && url[0] == '/') return "file://" + url;  // one spelling for local files
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  std::string out = url;
  // user:password@ -> user@ (the userinfo ends at the last '@' before the path)
  size_t auth_start = scheme_end + 3;
  size_t path_start = out.find_first_of("/?#", auth_start);
  size_t at = out.rfind('@', path_start == std::string::npos ? std::string::npos : path_start);
  if (at != std::string::npos && at >= auth_start) {
    size_t colon = out.find(':', auth_start);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  // secret query parameters
  size_t q = out.find('?');
  if (q != std::string::npos) {
    size_t frag = out.find('#', q);
    std::string query = out.substr(q + 1, frag == std::string::npos ? std::string::npos : frag - q - 1);
    std::string rebuilt;
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      std::string kv = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      size_t eq = kv.find('=');
      if (eq != std::string::npos && secret_param(kv.substr(0, eq))) kv = kv.substr(0, eq) + "=***";
      rebuilt += (rebuilt.empty() ? "" : "&") + kv;
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    out = out.substr(0, q + 1) + rebuilt + (frag == std::string::npos ? "" : out.substr(frag));
  }
  return out;
}

bool is_local_url(const std::string& url) {
  return (!url.empty() && url[0] == '/') || lower(url.substr(0, 7)) == "file://";
}

bool is_network_url(const std::string& url) { return !is_local_url(url); }

std::string local_path(const std::string& url) { return parse_url(url).path; }

std::string url_origin(const Url& u) {
  std::string s = u.scheme + "://";
  if (!u.user.empty()) {
    char* e = curl_easy_escape(nullptr, u.user.c_str(), static_cast<int>(u.user.size()));
    s += std::string(e ? e : u.user.c_str()) + "@";
    curl_free(e);
  }
  s += u.host;
  if (u.port) s += ":" + std::to_string(u.port);
  return s;
}

std::string encode_unsafe_chars(const std::string& url) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '|') {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string with_credentials_of(const std::string& file_url, const std::string& source_url) {
  if (is_local_url(source_url) || is_local_url(file_url)) return file_url;
  Url src;
  try {
    src = parse_url(source_url.substr(0, source_url.find_first_of("{")));  // braces are not URL syntax
  } catch (const Error&) {
    return file_url;
  }
  if (src.password.empty()) return file_url;
  const std::string shown_origin = url_origin(src);
  if (file_url.compare(0, shown_origin.size(), shown_origin) != 0) return file_url;
  std::string with = src.scheme + "://";
  char* u = curl_easy_escape(nullptr, src.user.c_str(), static_cast<int>(src.user.size()));
  char* p = curl_easy_escape(nullptr, src.password.c_str(), static_cast<int>(src.password.size()));
  with += std::string(u ? u : "") + ":" + std::string(p ? p : "") + "@" + src.host + (src.port ? ":" + std::to_string(src.port) : "");
  curl_free(u);
  curl_free(p);
  return with + file_url.substr(shown_origin.size());
}

std::string encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace pg_etl

namespace pg_etl {

std::string percent_encode(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

std::string with_query_param(const std::string& url, const std::string& name, const std::string& value) {
  const size_t q = url.find('?');
  const size_t hash = url.find('#');
  const std::string fragment = hash == std::string::npos ? "" : url.substr(hash);
  const std::string base = url.substr(0, std::min(q, hash));
  std::string query = q == std::string::npos ? "" : url.substr(q + 1, (hash == std::string::npos ? url.size() : hash) - q - 1);
  const std::string key = percent_encode(name);
  std::string kept;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string part = query.substr(start, amp - start);
    const std::string part_key = part.substr(0, part.find('='));
    if (!part.empty() && part_key != key && part_key != name) kept += (kept.empty() ? "" : "&") + part;
    start = amp + 1;
  }
  kept += (kept.empty() ? "" : "&") + key + "=" + percent_encode(value);
  return base + "?" + kept + fragment;
}

std::string resolve_url(const std::string& base, const std::string& link) {
  if (link.find("://") != std::string::npos) return link;
  CurlUrl u(curl_url());
  if (curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u.get(), CURLUPART_URL, link.c_str(), 0) != CURLUE_OK)
    throw Error(sqlstate::kInvalidParameterValue, "cannot resolve the link \"" + redact_url(link) + "\" against \"" + redact_url(base) + "\"");
  return get_part(u.get(), CURLUPART_URL);
}

}  // namespace pg_etl
