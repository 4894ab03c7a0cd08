#pragma once
// Masking of sensitive values for display (card numbers, IBANs, phone numbers): each
// character, counted in code points, becomes mask, except the last keep_last ones.
//
// At most half of a value is ever shown: keep_last is capped at floor(n/2) for a value
// of n code points. Without the cap a short value ("1234" with keep_last 4, or a
// one-character value) would come out unmasked; with it, "1234" with keep_last 4 is
// "**34" and "7" is "*". Masking keeps the length visible (one mask per code point):
// that is what "****1234" conventionally tells a reader.
#include <string>
#include <string_view>

namespace pg_etl {

// s masked as above; mask may be any UTF-8 string, even empty (the masked part is then
// dropped). Throws 22023 when keep_last < 0 and 22021 when s or mask is not UTF-8.
std::string mask_text(std::string_view s, int keep_last, std::string_view mask = "*");

}  // namespace pg_etl
