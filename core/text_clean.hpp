#pragma once
// Cleaning of free text from files and APIs, in this order:
//   1. strip_control: remove control characters (Unicode Cc) other than whitespace, and
//      the format characters that are invisible in data but break comparisons: zero
//      width space/non-joiner/joiner U+200B..U+200D, word joiner U+2060, byte-order mark
//      U+FEFF, soft hyphen U+00AD;
//   2. normalize: Unicode normalization form NFC (default), NFKC, NFD or NFKD (utf8proc);
//   3. text_case: lower, upper or title, per code point with utf8proc's simple,
//      locale-independent case mappings, so a value keeps its length in characters:
//      "I" lower-cases to "i" (no Turkish dotless ı), "İ" to "i"; "ß" upper-cases to
//      "ẞ" (U+1E9E, utf8proc's choice; "SS" would need the full, length-changing
//      mapping). Title case upper-cases (titlecase
//      mapping) the first letter or digit of each word and lower-cases the rest; a word
//      starts after any character that is not a letter, digit, combining mark or
//      apostrophe (' or U+2019): "o'neil mcdonald" is "O'neil Mcdonald";
//   4. collapse_whitespace: every run of Unicode White_Space (tab, LF, CR, space, NBSP,
//      U+0085, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000...)
//      becomes one ASCII space;
//   5. trim: White_Space (the same set) goes from both ends.
// ASCII input is cleaned without calling utf8proc (all normal forms leave it as is):
// this runs once per value of a column, on millions of rows.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace pg_etl {

struct CleanTextOptions {
  enum class Form { kNone, kNFC, kNFKC, kNFD, kNFKD };
  enum class Case { kNone, kLower, kUpper, kTitle };
  bool trim = true;
  bool collapse_whitespace = true;
  bool strip_control = true;
  Form normalize = Form::kNFC;
  Case text_case = Case::kNone;
};

// Reads {"trim": bool, "collapse_whitespace": bool, "strip_control": bool,
// "normalize": "NFC"|"NFKC"|"NFD"|"NFKD"|"none", "case": "lower"|"upper"|"title"|"none"}
// (names in any case; null or a missing key = the default). Throws 22023 naming the key
// for an unknown key or a value not listed.
CleanTextOptions clean_text_options(const nlohmann::json& options);

// s cleaned as above. Throws 22021 when s is not valid UTF-8 (or holds a NUL byte).
std::string clean_text(std::string_view s, const CleanTextOptions& o = {});

}  // namespace pg_etl
