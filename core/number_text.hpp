#pragma once
// Numbers as people write them ("$1,234.50", "1.234,5 €", "(300)", "12.5 %", "CHF 1'200",
// "1 234 567,89", "450-") to numeric text PostgreSQL's numeric input reads.
//
// Accepted around the digits, each at most once:
//   - a sign: leading + or -, or a trailing - right after the digits ("123-"); or
//     parentheses for a negative ("(1,234.50)"); two of these are not a number;
//   - a currency before or after, with or without a space: $ € £ ¥ ₹ ₽ ₩ ₺ ₪ ¢ or any
//     three upper-case ASCII letters (ISO 4217 codes: USD, EUR, CHF; not checked against
//     the list). It is dropped: "50¢" is 50, not 0.50;
//   - a percent sign after, with or without a space: the value is divided by 100, in
//     text ("12.5%" is "0.125", "100%" is "1.00"; with an exponent, the exponent drops by 2);
//   - whitespace (also U+00A0, U+202F) at both ends and next to a currency, a parenthesis
//     or the percent sign.
// The digits may have an exponent ("1.5e3", kept as written) and thousands separators:
// ',' '.' space (also U+00A0, U+202F) or apostrophe (also U+2019), one kind per value, in
// groups of three after a first group of 1-3 digits (or the Indian 12,34,56,789).
//
// Which of '.' and ',' is the decimal separator, unless the options say:
//   - both occur: the last one;
//   - one kind occurs more than once: that is the thousands separator ("1.234.567");
//   - a single ',' after 1-3 digits (not starting with 0) and before exactly 3 digits,
//     with no other separator, is a thousands separator: "1,234" is 1234 (US style).
//     With decimal_separator "," it is 1.234. A single '.' is always the decimal point
//     unless the options say otherwise: "1.234" is 1.234;
//   - otherwise the one that occurs is the decimal separator ("1,5" is 1.5).
//
// The result is canonical: an optional '-', the integer digits without leading zeros
// (at least "0"), then '.' and the fraction digits as written ("1.50" stays "1.50"), then
// "e" and the exponent. Zero has no sign. NaN and infinity are not accepted.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pg_etl {

struct NumberTextOptions {
  // thousands = kNoSeparator: the value must not have thousands separators.
  static constexpr char kNoSeparator = '\x01';
  char decimal = 0;    // '.' or ','; 0 = detect
  char thousands = 0;  // ',', '.', ' ', '\'' or kNoSeparator; 0 = detect
};

// Reads {"decimal_separator": "." | ",", "thousands_separator": "," | "." | " " | "'" | ""}
// ("" = none; null or a missing key = detect). Throws 22023 naming the key for an
// unknown key, a value not listed, or both separators the same.
NumberTextOptions number_text_options(const nlohmann::json& options);

// The canonical numeric text of s, or nothing when s is not a number as described above.
std::optional<std::string> parse_number_text(std::string_view s, const NumberTextOptions& o = {});

}  // namespace pg_etl
