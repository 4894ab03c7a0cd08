#include "core/transport.hpp"

#include <algorithm>
#include <set>

#include "core/curl_transfer.hpp"
#include "core/error.hpp"
#include "core/file_source.hpp"
#include "core/glob.hpp"
#include "core/remote_listing.hpp"
#include "core/s3.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

// Lists a remote directory tree below base_path for a glob, descending only as deep
// as the pattern can reach.
void walk_remote(const Url& u, const std::string& dir_path, const std::string& pattern_path, bool recursive,
                 const TransportOptions& opt, std::vector<FileEntry>& out) {
  const std::string origin = url_origin(u);
  // Credentials given in the URL travel to every listing and download, never into
  // what is shown.
  const std::string fetch_origin =
      u.password.empty() ? origin
                         : u.scheme + "://" + u.user + ":" + u.password + "@" + u.host + (u.port ? ":" + std::to_string(u.port) : "");
  for (const DirEntry& e : list_remote_dir(fetch_origin + encode_path(dir_path), opt)) {
    std::string path = dir_path + e.name;
    if (e.is_dir) {
      if (recursive) walk_remote(u, path + "/", pattern_path, recursive, opt, out);
      continue;
    }
    if (glob_match(pattern_path, path))
      out.push_back(FileEntry{origin + encode_path(path), e.size, e.mtime, {}, fetch_origin + encode_path(path)});
  }
}

std::vector<FileEntry> list_one_pattern(const std::string& url, const TransportOptions& opt) {
  Url u = parse_url(url);
  const bool glob = has_glob(url_glob_part(url));
  if (u.scheme == "file") {
    if (!glob) return {stat_local_file(u.path, "file://" + u.path)};
    std::string base = glob_base_dir(u.path);
    std::vector<FileEntry> out;
    for (FileEntry& e : list_local_dir(base.empty() ? "/" : base, glob_is_recursive(u.path)))
      if (glob_match(u.path, e.url.substr(7))) out.push_back(std::move(e));
    return out;
  }
  if (u.scheme == "s3") {
    std::string key = u.path.empty() ? "" : u.path.substr(1);
    if (!glob) {
      for (FileEntry& e : list_s3(u.host, key, opt))
        if (e.url == "s3://" + u.host + "/" + key) return {e};
      throw Error(sqlstate::kUndefinedFile, "no object \"" + redact_url(url) + "\"");
    }
    std::string prefix = glob_base_dir(key);
    // The literal part of the last segment narrows the listing too.
    std::string literal = key.substr(0, key.find_first_of("*?[{"));
    std::vector<FileEntry> out;
    for (FileEntry& e : list_s3(u.host, literal.size() > prefix.size() ? literal : prefix, opt))
      if (glob_match(key, e.url.substr(6 + u.host.size()))) out.push_back(std::move(e));
    return out;
  }
  if (u.scheme == "http" || u.scheme == "https") {
    if (glob)
      throw Error(sqlstate::kFeatureNotSupported, "HTTP has no directory listing to expand \"" + redact_url(url) + "\"",
                  "", "name the files, or list alternatives with braces: https://host/{a,b}.csv");
    FileEntry e = stat_remote(encode_unsafe_chars(url), opt);
    e.fetch_url = url;
    return {e};
  }
  // ftp, ftps, sftp
  if (!glob) {
    FileEntry e = stat_remote(encode_unsafe_chars(url), opt);
    e.fetch_url = url;
    return {e};
  }
  std::string base = glob_base_dir(u.path);
  std::vector<FileEntry> out;
  walk_remote(u, base.empty() ? "/" : base, u.path, glob_is_recursive(u.path), opt, out);
  return out;
}

}  // namespace

ByteSourcePtr open_url(const std::string& url, const TransportOptions& opt) {
  Url u = parse_url(url);
  if (u.scheme == "file") return open_local_file(u.path, "file://" + u.path);
  if (u.scheme == "s3") return open_s3(url, opt);
  CurlRequest req;
  req.url = encode_unsafe_chars(url);
  req.shown_url = redact_url(url);
  return open_curl(req, opt);
}

std::vector<FileEntry> list_files(const std::string& url, const TransportOptions& opt) {
  std::vector<FileEntry> out;
  std::set<std::string> seen;
  const std::string query = url.substr(url_glob_part(url).size());
  for (const std::string& pattern : has_glob(url_glob_part(url)) ? expand_braces(url_glob_part(url)) : std::vector<std::string>{url})
    for (FileEntry& e : list_one_pattern(pattern == url ? url : pattern + query, opt))
      if (seen.insert(e.url).second) out.push_back(std::move(e));
  std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) { return a.url < b.url; });
  return out;
}

}  // namespace pg_etl
