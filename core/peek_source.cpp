#include "core/peek_source.hpp"

#include <algorithm>
#include <cstring>

namespace pg_etl {
namespace {

class PeekedSource final : public ByteSource {
 public:
  PeekedSource(std::string head, ByteSourcePtr source) : head_(std::move(head)), source_(std::move(source)) {}
  size_t read(char* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return source_->read(buf, n);
  }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  std::string head_;
  size_t pos_ = 0;
  ByteSourcePtr source_;
};

}  // namespace

std::string peek_bytes(ByteSourcePtr& source, size_t n) {
  std::string head(n, '\0');
  size_t have = 0;
  while (have < n) {
    size_t got = source->read(head.data() + have, n - have);
    if (got == 0) break;
    have += got;
  }
  head.resize(have);
  source = std::make_unique<PeekedSource>(head, std::move(source));
  return head;
}

}  // namespace pg_etl
