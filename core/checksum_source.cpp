#include "core/checksum_source.hpp"

#include <xxhash.h>

#include <cstdio>

namespace pg_etl {

struct Checksum::State {
  XXH3_state_t* s = XXH3_createState();
  ~State() { XXH3_freeState(s); }
};

Checksum::Checksum() : state_(std::make_unique<State>()) { XXH3_64bits_reset(state_->s); }
Checksum::~Checksum() = default;

void Checksum::update(const char* data, size_t n) { XXH3_64bits_update(state_->s, data, n); }

std::string Checksum::hex() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "xxh3:%016llx", static_cast<unsigned long long>(XXH3_64bits_digest(state_->s)));
  return buf;
}

namespace {
class ChecksummedSource final : public ByteSource {
 public:
  ChecksummedSource(ByteSourcePtr source, std::shared_ptr<Checksum> sum) : source_(std::move(source)), sum_(std::move(sum)) {}
  size_t read(char* buf, size_t n) override {
    size_t got = source_->read(buf, n);
    sum_->update(buf, got);
    return got;
  }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  ByteSourcePtr source_;
  std::shared_ptr<Checksum> sum_;
};
}  // namespace

ByteSourcePtr open_checksummed(ByteSourcePtr source, std::shared_ptr<Checksum> sum) {
  return std::make_unique<ChecksummedSource>(std::move(source), std::move(sum));
}

}  // namespace pg_etl
