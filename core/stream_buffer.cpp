#include "core/stream_buffer.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

StreamBuffer::StreamBuffer(ByteSource& source, size_t initial_window, size_t max_window)
    : source_(source), buf_(initial_window + kPadding, '\0'), max_window_(max_window) {}

bool StreamBuffer::refill(size_t keep_from) {
  if (keep_from > size_) keep_from = size_;
  if (keep_from > 0) {
    std::memmove(buf_.data(), buf_.data() + keep_from, size_ - keep_from);
    size_ -= keep_from;
    base_offset_ += keep_from;
  }
  if (eof_) return false;
  size_t capacity = buf_.size() - kPadding;
  if (size_ == capacity) {
    if (capacity >= max_window_)
      throw Error(sqlstate::kBadCopyFileFormat,
                  "record larger than " + std::to_string(max_window_ >> 20) + " MB",
                  "", "an unterminated quote or a missing record separator makes one record swallow the file");
    buf_.resize(std::min(capacity * 2, max_window_) + kPadding);
    capacity = buf_.size() - kPadding;
  }
  size_t got = 0;
  while (got == 0) {
    got = source_.read(buf_.data() + size_, capacity - size_);
    if (got == 0) {
      eof_ = true;
      std::memset(buf_.data() + size_, 0, kPadding);
      return false;
    }
  }
  size_ += got;
  std::memset(buf_.data() + size_, 0, kPadding);
  return true;
}

}  // namespace pg_etl
