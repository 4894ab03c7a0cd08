#pragma once
// Local files (file:// URLs and absolute paths).
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/file_entry.hpp"

namespace pg_etl {

// Opens path for streaming; url is what errors name.
ByteSourcePtr open_local_file(const std::string& path, const std::string& url);

// Stats one local file (throws 58P01 when missing).
FileEntry stat_local_file(const std::string& path, const std::string& url);

// Lists regular files under dir (recursively when recursive), as file:// URLs.
std::vector<FileEntry> list_local_dir(const std::string& dir, bool recursive);

}  // namespace pg_etl
