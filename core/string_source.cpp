#include "core/string_source.hpp"

#include <algorithm>

namespace pg_etl {
namespace {

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string s) : s_(std::move(s)) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min(n, s_.size() - pos_);
    s_.copy(buf, k, pos_);
    pos_ += k;
    return k;
  }
  uint64_t transport_bytes() const override { return pos_; }

 private:
  std::string s_;
  size_t pos_ = 0;
};

}  // namespace

ByteSourcePtr open_string(std::string bytes) { return std::make_unique<StringSource>(std::move(bytes)); }

}  // namespace pg_etl
