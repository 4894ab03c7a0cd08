#include "core/s3.hpp"

#include <cstdlib>
#include <ctime>

#include "core/aws_sigv4.hpp"
#include "core/curl_transfer.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Credentials from the options, else from the server's AWS_* environment variables.
SigV4Credentials credentials(const TransportOptions& opt) {
  SigV4Credentials c{opt.access_key_id, opt.secret_access_key, opt.session_token};
  if (c.access_key_id.empty()) {
    c.access_key_id = env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
  }
  return c;
}

struct Endpoint {
  std::string base;  // scheme://host[:port]
  std::string host;  // as sent in Host
  std::string path_prefix;
};

Endpoint endpoint_for(const std::string& bucket, const TransportOptions& opt) {
  if (opt.endpoint.empty()) {
    std::string host = opt.path_style ? "s3." + opt.region + ".amazonaws.com" : bucket + ".s3." + opt.region + ".amazonaws.com";
    return {"https://" + host, host, opt.path_style ? "/" + bucket : ""};
  }
  Url e = parse_url(opt.endpoint);
  std::string hostport = e.host + (e.port ? ":" + std::to_string(e.port) : "");
  if (opt.path_style) return {e.scheme + "://" + hostport, hostport, "/" + bucket};
  std::string host = bucket + "." + hostport;
  return {e.scheme + "://" + host, host, ""};
}

// A signed request for path (already encoded) and query, ready for curl.
CurlRequest signed_request(const std::string& bucket, const std::string& encoded_key,
                           const std::vector<std::pair<std::string, std::string>>& query, const TransportOptions& opt,
                           const std::string& shown) {
  Endpoint ep = endpoint_for(bucket, opt);
  SigV4Request r;
  r.path = ep.path_prefix + encoded_key;
  if (r.path.empty()) r.path = "/";
  r.query = query;
  r.payload_hash = kEmptySha256;
  const std::string amz_date = amz_date_now();
  r.headers["host"] = ep.host;
  r.headers["x-amz-date"] = amz_date;
  r.headers["x-amz-content-sha256"] = r.payload_hash;
  SigV4Credentials creds = credentials(opt);
  if (!creds.session_token.empty()) r.headers["x-amz-security-token"] = creds.session_token;
  CurlRequest req;
  const std::string qs = sigv4_canonical_query(query);
  req.url = ep.base + r.path + (qs.empty() ? "" : "?" + qs);
  req.shown_url = shown;
  for (const auto& [k, v] : r.headers)
    if (k != "host") req.headers.push_back(k + ": " + v);
  if (!creds.access_key_id.empty())
    req.headers.push_back("Authorization: " + sigv4_authorization(r, creds, opt.region, "s3", amz_date));
  return req;
}

std::string xml_unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '&') { out.push_back(s[i]); continue; }
    size_t semi = s.find(';', i);
    if (semi == std::string::npos) { out.push_back('&'); continue; }
    std::string ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      long cp = ent[1] == 'x' ? std::strtol(ent.c_str() + 2, nullptr, 16) : std::strtol(ent.c_str() + 1, nullptr, 10);
      if (cp < 0x80) out.push_back(static_cast<char>(cp));
      else if (cp < 0x800) out += {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
      else out += {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    } else {
      out += "&" + ent + ";";
    }
    i = semi;
  }
  return out;
}

std::string tag(const std::string& xml, const std::string& name, size_t from = 0, size_t to = std::string::npos) {
  size_t a = xml.find("<" + name + ">", from);
  if (a == std::string::npos || a >= to) return {};
  a += name.size() + 2;
  size_t b = xml.find("</" + name + ">", a);
  if (b == std::string::npos) return {};
  return xml_unescape(xml.substr(a, b - a));
}

int64_t parse_iso8601(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19) return -1;
  tm.tm_year = std::atoi(s.substr(0, 4).c_str()) - 1900;
  tm.tm_mon = std::atoi(s.substr(5, 2).c_str()) - 1;
  tm.tm_mday = std::atoi(s.substr(8, 2).c_str());
  tm.tm_hour = std::atoi(s.substr(11, 2).c_str());
  tm.tm_min = std::atoi(s.substr(14, 2).c_str());
  tm.tm_sec = std::atoi(s.substr(17, 2).c_str());
  return static_cast<int64_t>(timegm(&tm));
}

void split_s3(const std::string& url, std::string& bucket, std::string& key) {
  Url u = parse_url(url);
  bucket = u.host;
  key = u.path.empty() ? "" : u.path.substr(1);
  if (bucket.empty()) throw Error(sqlstate::kInvalidParameterValue, "S3 URL \"" + redact_url(url) + "\" names no bucket");
}

}  // namespace

ByteSourcePtr open_s3(const std::string& url, const TransportOptions& opt) {
  std::string bucket, key;
  split_s3(url, bucket, key);
  return open_curl(signed_request(bucket, "/" + aws_uri_encode(key, true), {}, opt, redact_url(url)), opt);
}

std::vector<FileEntry> parse_list_objects_v2(const std::string& xml, const std::string& bucket, std::string& next_token) {
  std::vector<FileEntry> out;
  size_t pos = 0;
  for (;;) {
    size_t a = xml.find("<Contents>", pos);
    if (a == std::string::npos) break;
    size_t b = xml.find("</Contents>", a);
    if (b == std::string::npos) break;
    FileEntry e;
    e.url = "s3://" + bucket + "/" + tag(xml, "Key", a, b);
    std::string size = tag(xml, "Size", a, b);
    e.size = size.empty() ? -1 : std::stoll(size);
    e.mtime = parse_iso8601(tag(xml, "LastModified", a, b));
    e.etag = tag(xml, "ETag", a, b);
    out.push_back(std::move(e));
    pos = b;
  }
  next_token = tag(xml, "IsTruncated") == "true" ? tag(xml, "NextContinuationToken") : "";
  return out;
}

std::vector<FileEntry> list_s3(const std::string& bucket, const std::string& prefix, const TransportOptions& opt) {
  std::vector<FileEntry> all;
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"}, {"prefix", prefix}};
    if (!token.empty()) q.emplace_back("continuation-token", token);
    CurlResponse r = fetch_small(signed_request(bucket, "/", q, opt, "s3://" + bucket + "/" + prefix), opt);
    auto page = parse_list_objects_v2(r.body, bucket, token);
    all.insert(all.end(), page.begin(), page.end());
  } while (!token.empty());
  return all;
}

}  // namespace pg_etl
