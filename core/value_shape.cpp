#include "core/value_shape.hpp"

#include <cctype>

namespace pg_etl {
namespace {
bool digits(std::string_view s, size_t from, size_t n) {
  if (from + n > s.size()) return false;
  for (size_t i = from; i < from + n; i++)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
}  // namespace

ValueShape value_shape(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return ValueShape::kEmpty;
  for (const char* b : {"true", "false", "yes", "no", "t", "f", "y", "n"})
    if (iequals(s, b)) return ValueShape::kBoolean;
  // dates: YYYY-MM-DD, MM/DD/YYYY, DD.MM.YYYY, then an optional time
  if ((digits(s, 0, 4) && s.size() >= 10 && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2)) ||
      (s.size() >= 10 && digits(s, 0, 2) && (s[2] == '/' || s[2] == '.') && digits(s, 3, 2) && s[5] == s[2] && digits(s, 6, 4)))
    return s.size() == 10 ? ValueShape::kDate : ValueShape::kTimestamp;
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') i++;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, int_digits++;
  bool dot = false, exp = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    i++;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return ValueShape::kText;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    exp = true;
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) i++, e++;
    if (e == 0) return ValueShape::kText;
  }
  if (i != s.size()) return ValueShape::kText;
  if (exp) return ValueShape::kFloat;
  return dot ? ValueShape::kDecimal : ValueShape::kInteger;
}

}  // namespace pg_etl
