#pragma once
// Text encodings of input files. pg_etl's databases are UTF-8: input in UTF-8 is
// validated, LATIN1 / WIN1252 input is converted to UTF-8 while streaming.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_source.hpp"

namespace pg_etl {

enum class Encoding { kUtf8, kLatin1, kWin1252 };

// Parses an encoding name as users write it (utf8, UTF-8, latin1, ISO-8859-1, win1252,
// cp1252...). Throws 22023 naming the option otherwise.
Encoding parse_encoding(const std::string& name);

// Returns the offset of the first byte that is not part of valid UTF-8 in [s, s+n),
// or n when all of it is valid. NUL bytes count as invalid: PostgreSQL text cannot hold them.
size_t find_invalid_utf8(const char* s, size_t n);

// Wraps a source so it yields UTF-8 converted from a single-byte encoding.
ByteSourcePtr open_transcoded(ByteSourcePtr source, Encoding from);

// Throws 22021 (PostgreSQL's "invalid byte sequence for encoding "UTF8"") naming the
// byte offset and the bytes, unless all of s is valid UTF-8 without NUL bytes.
void require_utf8(std::string_view s);

// s with invalid UTF-8 replaced by U+FFFD and NUL bytes dropped: safe to store in a
// text column or show in a message, whatever the input was. Cut at max_bytes without
// splitting a character.
std::string sanitize_utf8(std::string_view s, size_t max_bytes = SIZE_MAX);

// "0xc3 0x28" for an error message about the bytes at s (up to 4, within n).
std::string describe_bytes(const char* s, size_t n);

}  // namespace pg_etl
