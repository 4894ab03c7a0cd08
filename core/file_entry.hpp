#pragma once
#include <cstdint>
#include <string>

namespace pg_etl {

// One file found by a listing: what etl.list_files returns and what change detection
// (processed files, crawls) compares.
struct FileEntry {
  std::string url;        // full URL, without credentials
  int64_t size = -1;      // bytes, -1 when the server does not say
  int64_t mtime = -1;     // seconds since the Unix epoch, -1 when unknown
  std::string etag;       // S3/HTTP entity tag when known
  std::string fetch_url;  // what to open: url plus credentials given in the URL; never shown
  const std::string& open_url() const { return fetch_url.empty() ? url : fetch_url; }
};

}  // namespace pg_etl
