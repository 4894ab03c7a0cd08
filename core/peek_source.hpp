#pragma once
// Looking at the first bytes of a stream (magic numbers, JSON vs CSV) without losing
// them: the bytes are read, then replayed ahead of the rest of the stream.
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl {

// Reads up to n bytes from source (fewer at end of stream), replaces source with a
// stream that yields those bytes again first, and returns them.
std::string peek_bytes(ByteSourcePtr& source, size_t n);

}  // namespace pg_etl
