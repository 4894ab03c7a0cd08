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
};

}  // namespace pg_etl
