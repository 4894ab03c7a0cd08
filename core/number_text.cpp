#include "core/number_text.hpp"

#include <nlohmann/json.hpp>

#include <vector>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/option_errors.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

// Separator kinds: the spellings of one kind are interchangeable (a space may be written
// as U+00A0 or U+202F, an apostrophe as U+2019).
enum class Sep : char { kNone = 0, kDot = '.', kComma = ',', kSpace = ' ', kApostrophe = '\'' };

bool starts_with(std::string_view s, size_t i, std::string_view what) { return s.substr(i, what.size()) == what; }

constexpr std::string_view kNbsp = "\u00A0", kNarrowNbsp = "\u202F", kRightQuote = "\u2019";

// Byte length of the whitespace character at s[i], or 0.
size_t space_at(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  if (ascii_isspace(s[i])) return 1;
  if (starts_with(s, i, kNbsp)) return kNbsp.size();
  if (starts_with(s, i, kNarrowNbsp)) return kNarrowNbsp.size();
  return 0;
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (size_t n = space_at(s, i)) i += n;
  return i;
}

std::string_view trim(std::string_view s) {
  s.remove_prefix(skip_spaces(s, 0));
  while (!s.empty()) {
    if (ascii_isspace(s.back())) s.remove_suffix(1);
    else if (s.ends_with(kNbsp)) s.remove_suffix(kNbsp.size());
    else if (s.ends_with(kNarrowNbsp)) s.remove_suffix(kNarrowNbsp.size());
    else break;
  }
  return s;
}

// The separator at s[i] and its byte length in len, or kNone.
Sep separator_at(std::string_view s, size_t i, size_t& len) {
  len = 1;
  switch (s[i]) {
    case '.': return Sep::kDot;
    case ',': return Sep::kComma;
    case '\'': return Sep::kApostrophe;
    case ' ': return Sep::kSpace;
    default: break;
  }
  if ((len = space_at(s, i)) > 1) return Sep::kSpace;
  if (starts_with(s, i, kRightQuote)) {
    len = kRightQuote.size();
    return Sep::kApostrophe;
  }
  return Sep::kNone;
}

// Byte length of the currency symbol or ISO code at s[i], or 0.
size_t currency_at(std::string_view s, size_t i) {
  static constexpr std::string_view kSymbols[] = {"$", "\u20AC", "\u00A3", "\u00A5", "\u20B9", "\u20BD",
                                                  "\u20A9", "\u20BA", "\u20AA", "\u00A2"};
  for (std::string_view sym : kSymbols)
    if (starts_with(s, i, sym)) return sym.size();
  auto upper = [&](size_t k) { return k < s.size() && s[k] >= 'A' && s[k] <= 'Z'; };
  // An ISO code is three letters on its own: "USDX" is not a code.
  if (upper(i) && upper(i + 1) && upper(i + 2) && !(i + 3 < s.size() && ascii_isalpha(s[i + 3]))) return 3;
  return 0;
}

// The digits of a number split at its separators: groups[k] and groups[k+1] are joined
// by seps[k]. groups[0] is empty for ".5".
struct Digits {
  std::vector<std::string_view> groups;
  std::vector<Sep> seps;
};

size_t digit_run(std::string_view s, size_t i) {
  size_t start = i;
  while (i < s.size() && ascii_isdigit(s[i])) i++;
  return i - start;
}

// Reads digits and separators from s[i]; a separator counts only between two digits
// (or before the first, for ".5"). False when there are no digits.
bool scan_digits(std::string_view s, size_t& i, Digits& d) {
  size_t len = 0;
  if (i < s.size() && !ascii_isdigit(s[i])) {
    Sep lead = separator_at(s, i, len);
    if ((lead != Sep::kDot && lead != Sep::kComma) || digit_run(s, i + 1) == 0) return false;
    d.groups.emplace_back();
    d.seps.push_back(lead);
    i++;
  }
  size_t run = digit_run(s, i);
  if (run == 0) return false;
  d.groups.push_back(s.substr(i, run));
  i += run;
  while (i < s.size()) {
    Sep sep = separator_at(s, i, len);
    if (sep == Sep::kNone) break;
    run = digit_run(s, i + len);
    if (run == 0) break;
    d.seps.push_back(sep);
    d.groups.push_back(s.substr(i + len, run));
    i += len + run;
  }
  return true;
}

// Thousands groups: the first of 1-3 digits not starting with 0, the last of 3, those in
// between of 3 (1,234,567), or, with commas, the Indian lakh and crore grouping: the
// first of 1-2 digits and those in between of 2 (12,34,567).
bool valid_grouping(const std::vector<std::string_view>& g, Sep th) {
  if (g.size() < 2) return true;
  if (g.front().empty() || g.front().size() > 3 || g.front()[0] == '0' || g.back().size() != 3) return false;
  if (g.size() == 2) return true;
  const size_t middle = g[1].size();
  if (middle == 2 && (th != Sep::kComma || g.front().size() > 2)) return false;
  if (middle != 3 && middle != 2) return false;
  for (size_t k = 1; k + 1 < g.size(); k++)
    if (g[k].size() != middle) return false;
  return true;
}

// Which separator is the decimal one, and which the thousands one (kNone: none allowed),
// as the options say or as detected (see the header).
bool resolve_separators(const Digits& d, const NumberTextOptions& o, Sep& dec, Sep& th) {
  size_t dots = 0, commas = 0;
  Sep last = Sep::kNone;
  for (Sep s : d.seps) {
    if (s == Sep::kDot) dots++, last = s;
    if (s == Sep::kComma) commas++, last = s;
  }
  const Sep opt_th = o.thousands == NumberTextOptions::kNoSeparator ? Sep::kNone : static_cast<Sep>(o.thousands);
  if (o.decimal) {
    dec = static_cast<Sep>(o.decimal);
  } else if (opt_th == Sep::kDot || opt_th == Sep::kComma) {
    dec = opt_th == Sep::kDot ? Sep::kComma : Sep::kDot;
  } else if (dots && commas) {
    dec = last;
  } else if (dots + commas == 0) {
    dec = Sep::kDot;  // nothing to decide
  } else {
    Sep one = dots ? Sep::kDot : Sep::kComma;
    bool thousands_shaped = false;
    if (!o.thousands) {
      if (dots + commas > 1) {
        thousands_shaped = true;
      } else if (one == Sep::kComma && d.seps.size() == 1) {
        std::string_view before = d.groups[0], after = d.groups[1];
        thousands_shaped = !before.empty() && before.size() <= 3 && before[0] != '0' && after.size() == 3;
      }
    }
    // A thousands-shaped single kind leaves no decimal separator: use the other kind,
    // which does not occur.
    dec = thousands_shaped ? (one == Sep::kDot ? Sep::kComma : Sep::kDot) : one;
  }
  if (o.thousands) {
    th = opt_th;
    return true;
  }
  th = Sep::kNone;
  for (Sep s : d.seps) {
    if (s == dec) continue;
    if (th != Sep::kNone && th != s) return false;  // two kinds of thousands separator
    th = s;
  }
  return true;
}

}  // namespace

NumberTextOptions number_text_options(const nlohmann::json& options) {
  static const std::vector<std::string> kKeys = {"decimal_separator", "thousands_separator"};
  NumberTextOptions o;
  if (options.is_null()) return o;
  if (!options.is_object()) throw Error(sqlstate::kInvalidParameterValue, "options must be a JSON object");
  for (auto it = options.begin(); it != options.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    if (k == "decimal_separator") {
      if (v.is_null()) continue;
      if (!v.is_string() || (v != "." && v != ",")) throw_bad_option(k, "must be \".\" or \",\" (got " + v.dump() + ")");
      o.decimal = v.get<std::string>()[0];
    } else if (k == "thousands_separator") {
      if (v.is_null()) continue;
      if (!v.is_string() || (v != "," && v != "." && v != " " && v != "'" && v != ""))
        throw_bad_option(k, "must be \",\", \".\", \" \", \"'\" or \"\" for none (got " + v.dump() + ")");
      const std::string s = v.get<std::string>();
      o.thousands = s.empty() ? NumberTextOptions::kNoSeparator : s[0];
    } else {
      throw_unknown_option(k, kKeys);
    }
  }
  if (o.decimal && o.decimal == o.thousands)
    throw_bad_option("thousands_separator", "must differ from decimal_separator (both are \"" + std::string(1, o.decimal) + "\")");
  return o;
}

std::optional<std::string> parse_number_text(std::string_view text, const NumberTextOptions& o) {
  const std::string_view s = trim(text);
  size_t i = 0;
  bool sign = false, neg = false, paren = false, closed = false, currency = false, percent = false;

  // Before the digits: '(', a sign, a currency, in any order, each once.
  while (i < s.size()) {
    if (s[i] == '(' && !paren && !sign) {
      paren = true;
      i = skip_spaces(s, i + 1);
    } else if ((s[i] == '-' || s[i] == '+') && !sign) {
      sign = true;
      neg = s[i] == '-';
      i++;
    } else if (size_t n = currency ? 0 : currency_at(s, i)) {
      currency = true;
      i = skip_spaces(s, i + n);
    } else {
      break;
    }
  }

  Digits d;
  if (!scan_digits(s, i, d)) return std::nullopt;
  std::string_view exponent;  // digits, after an optional '-'
  bool exp_neg = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) exp_neg = s[j++] == '-';
    if (size_t run = digit_run(s, j)) {
      exponent = s.substr(j, run);
      i = j + run;
    }
  }

  // After the digits: a trailing '-' right there, then '%', a currency, ')', each once.
  if (i < s.size() && s[i] == '-' && !sign) {
    sign = neg = true;
    i++;
  }
  while (i < s.size()) {
    size_t j = skip_spaces(s, i);
    if (j >= s.size()) break;
    if (s[j] == '%' && !percent) {
      percent = true;
      i = j + 1;
    } else if (s[j] == ')' && paren && !closed) {
      closed = true;
      i = j + 1;
    } else if (size_t n = currency ? 0 : currency_at(s, j)) {
      currency = true;
      i = j + n;
    } else {
      return std::nullopt;
    }
  }
  if (paren != closed) return std::nullopt;
  if (paren) {
    if (sign) return std::nullopt;
    neg = true;
  }

  Sep dec, th;
  if (!resolve_separators(d, o, dec, th)) return std::nullopt;
  // Split into integer groups and the fraction at the (single) decimal separator.
  size_t dec_at = d.seps.size();
  for (size_t k = 0; k < d.seps.size(); k++) {
    if (d.seps[k] == dec) {
      if (dec_at != d.seps.size()) return std::nullopt;  // two decimal separators
      dec_at = k;
    } else if (d.seps[k] != th || dec_at != d.seps.size()) {
      return std::nullopt;  // not a separator here, or grouping in the fraction
    }
  }
  std::vector<std::string_view> int_groups(d.groups.begin(), d.groups.begin() + static_cast<long>(dec_at) + 1);
  if (!valid_grouping(int_groups, th)) return std::nullopt;
  std::string int_digits, frac_digits;
  for (std::string_view g : int_groups) int_digits += g;
  if (dec_at < d.seps.size()) frac_digits = d.groups[dec_at + 1];

  std::string exp_text;
  if (!exponent.empty()) {
    while (exponent.size() > 1 && exponent[0] == '0') exponent.remove_prefix(1);
    if (percent) {
      if (exponent.size() > 18) return std::nullopt;
      long long e = std::stoll(std::string(exponent)) * (exp_neg ? -1 : 1) - 2;
      exp_text = std::to_string(e);
    } else {
      exp_text = (exp_neg && exponent != "0" ? "-" : "") + std::string(exponent);
    }
  } else if (percent) {
    // Move the decimal point two places left, in text: exact for any number of digits.
    std::string all = int_digits + frac_digits;
    long point = static_cast<long>(int_digits.size()) - 2;
    if (point > 0) {
      int_digits = all.substr(0, static_cast<size_t>(point));
      frac_digits = all.substr(static_cast<size_t>(point));
    } else {
      int_digits.clear();
      frac_digits = std::string(static_cast<size_t>(-point), '0') + all;
    }
  }

  size_t zeros = 0;
  while (zeros < int_digits.size() && int_digits[zeros] == '0') zeros++;
  int_digits.erase(0, zeros);
  if (int_digits.empty()) int_digits = "0";
  if (int_digits == "0" && frac_digits.find_first_not_of('0') == std::string::npos) neg = false;

  std::string out;
  out.reserve(int_digits.size() + frac_digits.size() + exp_text.size() + 3);
  if (neg) out += '-';
  out += int_digits;
  if (!frac_digits.empty()) out += '.' + frac_digits;
  if (!exp_text.empty()) out += 'e' + exp_text;
  return out;
}

}  // namespace pg_etl
