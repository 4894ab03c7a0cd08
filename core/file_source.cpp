#include "core/file_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

[[noreturn]] void throw_errno(int err, const std::string& what, const std::string& url) {
  const char* state = err == ENOENT || err == ENOTDIR ? sqlstate::kUndefinedFile
                      : err == EACCES || err == EPERM ? sqlstate::kInsufficientPrivilege
                                                      : sqlstate::kIoError;
  throw Error(state, "could not " + what + " \"" + url + "\": " + std::strerror(err));
}

class LocalFileSource final : public ByteSource {
 public:
  LocalFileSource(const std::string& path, const std::string& url) : url_(url) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw_errno(errno, "open file", url_);
    struct stat st;
    if (fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd_);
      throw Error(sqlstate::kUndefinedFile, "\"" + url_ + "\" is a directory", "",
                  "use a glob such as " + url_ + "/*.csv to read the files in it");
    }
    (void)posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~LocalFileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  size_t read(char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) {
        bytes_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno != EINTR) throw_errno(errno, "read file", url_);
    }
  }
  uint64_t transport_bytes() const override { return bytes_; }

 private:
  std::string url_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
};

}  // namespace

ByteSourcePtr open_local_file(const std::string& path, const std::string& url) {
  return std::make_unique<LocalFileSource>(path, url);
}

FileEntry stat_local_file(const std::string& path, const std::string& url) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_errno(errno, "stat file", url);
  return FileEntry{url, static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtime), {}, {}};
}

std::vector<FileEntry> list_local_dir(const std::string& dir, bool recursive) {
  namespace fs = std::filesystem;
  std::vector<FileEntry> out;
  std::error_code ec;
  auto add = [&](const fs::directory_entry& e) {
    std::error_code sec;
    if (!e.is_regular_file(sec)) return;
    const std::string p = e.path().string();
    out.push_back(stat_local_file(p, "file://" + p));
  };
  if (recursive) {
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw_errno(ec.value(), "list directory", "file://" + dir);
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      add(*it);
    }
  } else {
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw_errno(ec.value(), "list directory", "file://" + dir);
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      add(*it);
    }
  }
  std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) { return a.url < b.url; });
  return out;
}

}  // namespace pg_etl
