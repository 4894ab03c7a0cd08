#include "core/text_clean.hpp"

#include <utf8proc.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/ascii.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/option_errors.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using Form = CleanTextOptions::Form;
using Case = CleanTextOptions::Case;

// ASCII classes by table: the per-byte work of the ASCII path.
enum AsciiClass : uint8_t { kPlain, kSpace, kInvisible };
constexpr auto kAsciiClass = [] {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 0x20; c++) t[c] = kInvisible;
  t[0x7F] = kInvisible;
  for (int c : {'\t', '\n', '\v', '\f', '\r', ' '}) t[c] = kSpace;
  return t;
}();

// Unicode's White_Space property (PropList.txt): a fixed list, stable across versions.
bool is_white_space(int32_t c) {
  if (c < 0x80) return kAsciiClass[c] == kSpace;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// What strip_control removes: Cc except White_Space, and invisible format characters.
bool is_invisible(int32_t c) {
  if (c < 0x80) return kAsciiClass[c] == kInvisible;
  return (c >= 0x80 && c <= 0x9F && c != 0x85) || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF ||
         c == 0xAD;
}

// How a code point takes part in words for title case.
enum class WordRole { kBreak, kStart, kNeutral };

WordRole word_role(int32_t c) {
  if (c < 0x80) {
    if (ascii_isalpha(static_cast<char>(c)) || ascii_isdigit(static_cast<char>(c))) return WordRole::kStart;
    return c == '\'' ? WordRole::kNeutral : WordRole::kBreak;
  }
  if (c == 0x2019) return WordRole::kNeutral;  // typographic apostrophe
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return WordRole::kStart;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
      return WordRole::kNeutral;  // a combining mark belongs to the letter before it
    default:
      return WordRole::kBreak;
  }
}

int32_t to_lower(int32_t c) { return c < 0x80 ? ascii_tolower(static_cast<char>(c)) : utf8proc_tolower(c); }
int32_t to_upper(int32_t c) { return c < 0x80 ? ascii_toupper(static_cast<char>(c)) : utf8proc_toupper(c); }
int32_t to_title(int32_t c) { return c < 0x80 ? ascii_toupper(static_cast<char>(c)) : utf8proc_totitle(c); }

// Code point at p[i] (valid UTF-8) and its byte length.
int32_t decode(const unsigned char* p, size_t n, size_t i, size_t& len) {
  if (p[i] < 0x80) {
    len = 1;
    return p[i];
  }
  utf8proc_int32_t c;
  len = static_cast<size_t>(utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &c));
  return c;
}

// Output of the final pass. For ASCII input it writes bytes into a buffer sized once
// (ASCII case mappings keep the length); otherwise it appends UTF-8.
template <bool kAscii>
class Writer {
 public:
  explicit Writer(size_t n) {
    if constexpr (kAscii) out_.resize(n);
    else out_.reserve(n);
  }
  void bytes(const char* p, size_t len) {
    if constexpr (kAscii) out_[size_++] = *p;
    else out_.append(p, len);
  }
  void code_point(int32_t c) {
    if constexpr (kAscii) {
      out_[size_++] = static_cast<char>(c);
    } else {
      utf8proc_uint8_t buf[4];
      out_.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(utf8proc_encode_char(c, buf)));
    }
  }
  size_t size() const { return kAscii ? size_ : out_.size(); }
  std::string finish(size_t n) {
    out_.resize(n);
    return std::move(out_);
  }

 private:
  std::string out_;
  size_t size_ = 0;
};

std::string strip_invisible(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0, len; i < s.size(); i += len)
    if (!is_invisible(decode(p, s.size(), i, len))) out.append(s.data() + i, len);
  return out;
}

std::string normalize(std::string_view s, Form form) {
  int options = UTF8PROC_STABLE;
  if (form == Form::kNFC || form == Form::kNFKC) options |= UTF8PROC_COMPOSE;
  else options |= UTF8PROC_DECOMPOSE;
  if (form == Form::kNFKC || form == Form::kNFKD) options |= UTF8PROC_COMPAT;
  utf8proc_uint8_t* dst = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &dst, static_cast<utf8proc_option_t>(options));
  if (n < 0)
    throw Error(n == UTF8PROC_ERROR_NOMEM ? sqlstate::kOutOfMemory : sqlstate::kInternalError,
                std::string("Unicode normalization failed: ") + utf8proc_errmsg(n));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(dst, &std::free);
  return std::string(reinterpret_cast<const char*>(dst), static_cast<size_t>(n));
}

// Steps 3-5 in one pass, and step 1 too when it has not run (nothing was normalized).
template <bool kAscii>
std::string case_and_space(std::string_view s, const CleanTextOptions& o, bool strip) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  Writer<kAscii> out(s.size());
  bool seen_text = false, in_space = false, word_start = true;
  size_t text_end = 0;
  for (size_t i = 0, len; i < s.size(); i += len) {
    int32_t c = kAscii ? (len = 1, p[i]) : decode(p, s.size(), i, len);
    if (strip && is_invisible(c)) continue;
    if (is_white_space(c)) {
      word_start = true;
      if (o.trim && !seen_text) continue;
      if (!o.collapse_whitespace) out.bytes(s.data() + i, len);
      else if (!in_space) out.code_point(' ');
      in_space = true;
      continue;
    }
    in_space = false;
    seen_text = true;
    int32_t mapped = c;
    switch (o.text_case) {
      case Case::kNone: break;
      case Case::kLower: mapped = to_lower(c); break;
      case Case::kUpper: mapped = to_upper(c); break;
      case Case::kTitle: {
        WordRole role = word_role(c);
        if (role == WordRole::kBreak) {
          word_start = true;
        } else if (role == WordRole::kStart) {
          mapped = word_start ? to_title(c) : to_lower(c);
          word_start = false;
        }
        break;
      }
    }
    if (mapped == c) out.bytes(s.data() + i, len);
    else out.code_point(mapped);
    text_end = out.size();
  }
  return out.finish(o.trim ? text_end : out.size());
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool get_bool(const nlohmann::json& v, const std::string& key) {
  if (!v.is_boolean()) throw_bad_option(key, "must be true or false (got " + v.dump() + ")");
  return v.get<bool>();
}

}  // namespace

CleanTextOptions clean_text_options(const nlohmann::json& options) {
  static const std::vector<std::string> kKeys = {"trim", "collapse_whitespace", "strip_control", "normalize", "case"};
  CleanTextOptions o;
  if (options.is_null()) return o;
  if (!options.is_object()) throw Error(sqlstate::kInvalidParameterValue, "options must be a JSON object");
  for (auto it = options.begin(); it != options.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) throw_unknown_option(k, kKeys);
    if (v.is_null()) continue;
    if (k == "trim") {
      o.trim = get_bool(v, k);
    } else if (k == "collapse_whitespace") {
      o.collapse_whitespace = get_bool(v, k);
    } else if (k == "strip_control") {
      o.strip_control = get_bool(v, k);
    } else if (k == "normalize") {
      const std::string f = v.is_string() ? v.get<std::string>() : "";
      if (ascii_iequals(f, "NFC")) o.normalize = Form::kNFC;
      else if (ascii_iequals(f, "NFKC")) o.normalize = Form::kNFKC;
      else if (ascii_iequals(f, "NFD")) o.normalize = Form::kNFD;
      else if (ascii_iequals(f, "NFKD")) o.normalize = Form::kNFKD;
      else if (ascii_iequals(f, "none")) o.normalize = Form::kNone;
      else throw_bad_option(k, "must be \"NFC\", \"NFKC\", \"NFD\", \"NFKD\" or \"none\" (got " + v.dump() + ")");
    } else {
      const std::string c = v.is_string() ? v.get<std::string>() : "";
      if (ascii_iequals(c, "lower")) o.text_case = Case::kLower;
      else if (ascii_iequals(c, "upper")) o.text_case = Case::kUpper;
      else if (ascii_iequals(c, "title")) o.text_case = Case::kTitle;
      else if (ascii_iequals(c, "none")) o.text_case = Case::kNone;
      else throw_bad_option(k, "must be \"lower\", \"upper\", \"title\" or \"none\" (got " + v.dump() + ")");
    }
  }
  return o;
}

std::string clean_text(std::string_view s, const CleanTextOptions& o) {
  require_utf8(s);
  // Normalization leaves ASCII unchanged, so ASCII input skips steps 1-2 as separate passes.
  if (is_ascii(s)) return case_and_space<true>(s, o, o.strip_control);
  if (o.normalize == Form::kNone) return case_and_space<false>(s, o, o.strip_control);
  // Stripping comes first: a zero width space between a letter and its accent would
  // otherwise keep the two from composing.
  std::string stripped;
  if (o.strip_control) stripped = strip_invisible(s), s = stripped;
  return case_and_space<false>(normalize(s, o.normalize), o, false);
}

}  // namespace pg_etl
