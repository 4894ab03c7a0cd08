#pragma once
// Directory listings over FTP (MLSD, machine-readable) and SFTP (ls -l style lines
// as libcurl returns them), and single-file metadata over HTTP, FTP and SFTP.
#include <string>
#include <vector>

#include "core/file_entry.hpp"
#include "core/transport.hpp"

namespace pg_etl {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  int64_t size = -1;
  int64_t mtime = -1;
};

// Lists dir_url (ends with '/'); ftp:// and ftps:// use MLSD, sftp:// a long listing.
std::vector<DirEntry> list_remote_dir(const std::string& dir_url, const TransportOptions& opt);

// Size, modification time and ETag of one remote file (HEAD for HTTP).
FileEntry stat_remote(const std::string& url, const TransportOptions& opt);

std::vector<DirEntry> parse_mlsd(const std::string& text);
std::vector<DirEntry> parse_ls_long(const std::string& text, int current_year);

}  // namespace pg_etl
