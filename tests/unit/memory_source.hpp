#pragma once
// A ByteSource over a string that hands out at most `chunk` bytes per read, so tests
// hit every buffer boundary a network stream would.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl::testing {

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string data, size_t chunk = 1 << 20) : data_(std::move(data)), chunk_(chunk) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t transport_bytes() const override { return pos_; }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

inline ByteSourcePtr memory(std::string data, size_t chunk = 1 << 20) {
  return std::make_unique<MemorySource>(std::move(data), chunk);
}

}  // namespace pg_etl::testing
