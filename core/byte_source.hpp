#pragma once
// A stream of bytes pulled by the readers: a local file, a download, a decompressor.
// Everything in pg_etl reads through this interface, so memory stays flat however
// large the input: readers hold one buffer, never the whole file.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pg_etl {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf. Returns 0 only at the end of the stream; throws
  // pg_etl::Error on failure (with the URL, credentials removed, in the message).
  virtual size_t read(char* buf, size_t n) = 0;
  // Bytes taken from the underlying file or network so far (compressed size for
  // compressed input): what users pay for in I/O.
  virtual uint64_t transport_bytes() const = 0;
};

using ByteSourcePtr = std::unique_ptr<ByteSource>;

}  // namespace pg_etl
