#pragma once
// Streaming gzip and zstd decompression, chosen by magic bytes (1f 8b, 28 b5 2f fd)
// so a misnamed file still reads; the name only decides when the content cannot.
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl {

enum class Compression { kNone, kGzip, kZstd };

// Wraps source in a decompressor when its first bytes are a gzip or zstd header.
// url is used in error messages. Concatenated members/frames are read through.
ByteSourcePtr open_decompressed(ByteSourcePtr source, const std::string& url);

// Compression named by a file name's suffix (.gz, .gzip, .zst, .zstd).
Compression compression_from_name(const std::string& name);

// The name without its compression suffix ("a.csv.gz" -> "a.csv").
std::string strip_compression_suffix(const std::string& name);

}  // namespace pg_etl
