#pragma once
// ASCII character classes, trimming and case-insensitive comparison for parsers on hot
// paths: no locale, no libc calls (std::isspace and friends cost a call per byte, and
// PostgreSQL's input functions are ASCII-only too).
#include <string_view>

namespace pg_etl {

constexpr bool ascii_isspace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool ascii_isdigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool ascii_isalpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool ascii_isxdigit(char c) { return ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr char ascii_tolower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
constexpr char ascii_toupper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c; }

constexpr std::string_view ascii_trim(std::string_view s) {
  while (!s.empty() && ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && ascii_isspace(s.back())) s.remove_suffix(1);
  return s;
}

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (ascii_tolower(a[i]) != ascii_tolower(b[i])) return false;
  return true;
}

}  // namespace pg_etl
