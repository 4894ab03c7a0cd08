#include "core/aws_sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/digest.hpp"

namespace pg_etl {
namespace {

const Digest& sha256() {
  static const Digest d("sha256");
  return d;
}

std::string hmac(const std::string& key, const std::string& data) { return sha256().raw(data, key); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

std::string sha256_hex(const std::string& data) { return sha256().hex(data); }

std::string aws_uri_encode(const std::string& s, bool keep_slash) {
  static const char* h = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(h[c >> 4]);
      out.push_back(h[c & 15]);
    }
  }
  return out;
}

std::string sigv4_canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : query) enc.emplace_back(aws_uri_encode(k, false), aws_uri_encode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::string sigv4_canonical_request(const SigV4Request& r) {
  std::map<std::string, std::string> headers;
  for (const auto& [k, v] : r.headers) headers[lower(k)] = trim(v);
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + k;
  }
  return r.method + "\n" + r.path + "\n" + sigv4_canonical_query(r.query) + "\n" + canonical_headers + "\n" +
         signed_headers + "\n" + r.payload_hash;
}

std::string sigv4_authorization(const SigV4Request& r, const SigV4Credentials& creds, const std::string& region,
                                const std::string& service, const std::string& amz_date) {
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(sigv4_canonical_request(r));
  std::string key = hmac("AWS4" + creds.secret_access_key, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const std::string sig = hmac(key, string_to_sign);
  std::string signed_headers;
  std::map<std::string, std::string> sorted;
  for (const auto& [k, v] : r.headers) sorted[lower(k)] = v;
  for (const auto& [k, v] : sorted) signed_headers += (signed_headers.empty() ? "" : ";") + k;
  return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope + ", SignedHeaders=" + signed_headers +
         ", Signature=" + hex_encode(sig);
}

std::string amz_date_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace pg_etl
