#include "core/mask_text.hpp"

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

// Valid UTF-8 is assumed: a code point starts at every byte that is not 10xxxxxx.
bool starts_code_point(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

}  // namespace

std::string mask_text(std::string_view s, int keep_last, std::string_view mask) {
  if (keep_last < 0)
    throw Error(sqlstate::kInvalidParameterValue, "keep_last must not be negative (got " + std::to_string(keep_last) + ")");
  require_utf8(s);
  require_utf8(mask);
  size_t n = 0;
  for (char c : s) n += starts_code_point(c);
  const size_t keep = std::min(static_cast<size_t>(keep_last), n / 2);
  // Byte offset where the kept tail begins: walk back over keep code points.
  size_t tail = s.size();
  for (size_t k = 0; k < keep; k++) {
    do tail--;
    while (!starts_code_point(s[tail]));
  }
  std::string out;
  out.reserve((n - keep) * mask.size() + (s.size() - tail));
  for (size_t i = 0; i < n - keep; i++) out += mask;
  out += s.substr(tail);
  return out;
}

}  // namespace pg_etl
