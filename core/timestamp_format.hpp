#pragma once
// Timestamps written in a format the user names, with PostgreSQL's to_timestamp pattern
// letters (YYYY-MM-DD HH24:MI:SS.US), for etl.to_timestamp. A pattern is compiled once
// per query and applied to every value; nothing here allocates per value.
//
// Patterns: YYYY YY MM DD HH24 HH12 HH MI SS MS US FF1..FF6 AM PM A.M. P.M. Mon Month
// Dy Day TZH TZM TZ (an ISO offset: Z, +02, +0200, +02:00); FM is accepted and ignored;
// "quoted text" and every other character are literals; a space matches any run of
// spaces. Letters are case-insensitive. MS, US and FFn are fractions of a second, as in
// PostgreSQL ("SS.MS" reads 12.3 as 12.300).
#include <string>
#include <string_view>
#include <vector>

#include "core/date_formats.hpp"

namespace pg_etl {

class TimestampFormat {
 public:
  // Throws 22007 (invalid_datetime_format) naming the pattern when it cannot read a
  // date: a year, a month and a day are required.
  explicit TimestampFormat(std::string_view pattern);
  // Parses all of s (surrounding spaces allowed). False unless s matches the pattern
  // and names a valid calendar date and time.
  bool parse(std::string_view s, ParsedDateTime& out) const;
  const std::string& pattern() const { return pattern_; }

  enum class Field : uint8_t {
    kLiteral, kSpace, kYear4, kYear2, kMonth, kDay, kHour24, kHour12, kMinute, kSecond, kFraction,
    kMeridiem, kMonthAbbrev, kMonthName, kWeekday, kOffsetHour, kOffsetMinute, kOffset,
  };
  struct Token {
    Field field;
    std::string literal;  // kLiteral
    int digits = 0;       // kFraction: at most this many digits
  };

 private:
  std::string pattern_;
  std::vector<Token> tokens_;
};

// A timestamp in any spelling pg_etl knows without a pattern: the date_formats.hpp
// spellings (ISO first, US month/day before day/month), compact ISO (20190605,
// 20190605T101500) and Unix epoch seconds (10 digits) or milliseconds (13 digits).
bool parse_timestamp_any(std::string_view s, ParsedDateTime& out);

}  // namespace pg_etl
