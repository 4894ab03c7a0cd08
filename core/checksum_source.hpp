#pragma once
// A fingerprint of every byte a transport delivers (before decompression, so it
// identifies the file as stored): XXH3-64, fast enough (~10 GB/s) to compute on every
// load. Lineage and processed-file tracking record it.
#include <memory>
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl {

class Checksum {
 public:
  Checksum();
  ~Checksum();
  void update(const char* data, size_t n);
  std::string hex() const;  // "xxh3:0123456789abcdef"

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Wraps source; every byte read updates *sum.
ByteSourcePtr open_checksummed(ByteSourcePtr source, std::shared_ptr<Checksum> sum);

}  // namespace pg_etl
