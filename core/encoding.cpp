#include "core/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

std::string normalize(const std::string& name) {
  std::string out;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// WIN1252 0x80..0x9F; 0 marks the five undefined bytes (mapped to U+FFFD).
constexpr uint16_t kWin1252High[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

class SingleByteToUtf8 final : public ByteSource {
 public:
  SingleByteToUtf8(ByteSourcePtr source, Encoding from) : source_(std::move(source)), from_(from) {}
  size_t read(char* buf, size_t n) override {
    // Each input byte becomes at most 3 output bytes.
    size_t want = std::max<size_t>(1, n / 3);
    in_.resize(want);
    size_t got = source_->read(in_.data(), want);
    size_t o = 0;
    for (size_t i = 0; i < got; i++) {
      uint32_t cp = static_cast<unsigned char>(in_[i]);
      if (from_ == Encoding::kWin1252 && cp >= 0x80 && cp < 0xA0) cp = kWin1252High[cp - 0x80] ? kWin1252High[cp - 0x80] : 0xFFFD;
      if (cp < 0x80) {
        buf[o++] = static_cast<char>(cp);
      } else if (cp < 0x800) {
        buf[o++] = static_cast<char>(0xC0 | (cp >> 6));
        buf[o++] = static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        buf[o++] = static_cast<char>(0xE0 | (cp >> 12));
        buf[o++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[o++] = static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    return o;
  }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  ByteSourcePtr source_;
  Encoding from_;
  std::vector<char> in_;
};

}  // namespace

Encoding parse_encoding(const std::string& name) {
  const std::string n = normalize(name);
  if (n == "utf8" || n == "unicode") return Encoding::kUtf8;
  if (n == "latin1" || n == "iso88591" || n == "l1") return Encoding::kLatin1;
  if (n == "win1252" || n == "windows1252" || n == "cp1252") return Encoding::kWin1252;
  throw Error(sqlstate::kInvalidParameterValue, "unsupported encoding \"" + name + "\"", "",
              "use UTF8, LATIN1 or WIN1252");
}

size_t find_invalid_utf8(const char* s, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time (no NUL, no high bit).
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) != 0) break;
      if (((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0) break;  // has a zero byte
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c == 0) return i;
    if (c < 0x80) { i++; continue; }
    size_t len;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; }
    else return i;
    if (i + len > n) return i;
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

ByteSourcePtr open_transcoded(ByteSourcePtr source, Encoding from) {
  if (from == Encoding::kUtf8) return source;
  return std::make_unique<SingleByteToUtf8>(std::move(source), from);
}

void require_utf8(std::string_view s) {
  size_t bad = find_invalid_utf8(s.data(), s.size());
  if (bad == s.size()) return;
  throw Error(sqlstate::kCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" at byte offset " +
                                                       std::to_string(bad) + ": " +
                                                       describe_bytes(s.data() + bad, s.size() - bad));
}

std::string sanitize_utf8(std::string_view s, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = find_invalid_utf8(s.data() + i, s.size() - i);
    size_t good_end = i + bad;
    if (out.size() + (good_end - i) > max_bytes) {
      // cut inside the valid run, at a character boundary
      size_t room = max_bytes - out.size();
      size_t cut = i + room;
      while (cut > i && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) cut--;
      out.append(s.data() + i, cut - i);
      return out;
    }
    out.append(s.data() + i, good_end - i);
    if (good_end >= s.size()) break;
    if (s[good_end] != '\0') {
      if (out.size() + 3 > max_bytes) return out;
      out += "\xEF\xBF\xBD";
    }
    i = good_end + 1;
  }
  return out;
}

std::string describe_bytes(const char* s, size_t n) {
  static const char* hex = "0123456789abcdef";
  // As PostgreSQL reports it: the bytes of the sequence the lead byte announces.
  const unsigned char lead = static_cast<unsigned char>(s[0]);
  size_t len = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
  std::string out;
  for (size_t i = 0; i < std::min(n, len); i++) {
    if (i) out += ' ';
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += "0x";
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace pg_etl
