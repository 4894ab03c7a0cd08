#pragma once
// A refillable window over a ByteSource for parsers that scan records in place.
// data()[0, size()) holds unconsumed bytes; refill(keep_from) drops everything before
// keep_from, moves the rest to the front and reads more, growing the window only when
// a single record does not fit (up to max_window, after which the record is too large).
// The window is followed by kPadding readable bytes so SIMD parsers may over-read.
#include <cstdint>
#include <vector>

#include "core/byte_source.hpp"

namespace pg_etl {

class StreamBuffer {
 public:
  static constexpr size_t kPadding = 64;

  explicit StreamBuffer(ByteSource& source, size_t initial_window = 1 << 20,
                        size_t max_window = size_t{1} << 30);

  const char* data() const { return buf_.data(); }
  size_t size() const { return size_; }
  bool eof() const { return eof_; }

  // Drops bytes before keep_from, then reads at least one more byte unless at end of
  // stream. Returns false if nothing more could be read. Offsets held by the caller
  // shift down by keep_from.
  bool refill(size_t keep_from);

  // Absolute stream offset of data()[0].
  uint64_t base_offset() const { return base_offset_; }
  size_t max_window() const { return max_window_; }

 private:
  ByteSource& source_;
  std::vector<char> buf_;
  size_t size_ = 0;
  size_t max_window_;
  uint64_t base_offset_ = 0;
  bool eof_ = false;
};

}  // namespace pg_etl
