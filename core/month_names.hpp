#pragma once
// English month names, as dates in files, FTP listings and timestamp formats spell them.
#include <string_view>

#include "core/ascii.hpp"

namespace pg_etl {

inline constexpr const char* kMonthNames[12] = {"january", "february", "march",     "april",   "may",      "june",
                                                "july",    "august",   "september", "october", "november", "december"};

// 1..12 when s starts with a month's three-letter abbreviation (any case), else 0.
constexpr int month_from_abbrev(std::string_view s) {
  if (s.size() < 3) return 0;
  for (int k = 0; k < 12; k++)
    if (ascii_iequals(s.substr(0, 3), std::string_view(kMonthNames[k], 3))) return k + 1;
  return 0;
}

}  // namespace pg_etl
