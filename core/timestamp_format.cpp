#include "core/timestamp_format.hpp"

#include "core/ascii.hpp"
#include "core/civil_time.hpp"
#include "core/error.hpp"
#include "core/month_names.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using Field = TimestampFormat::Field;

const char* const kWeekdayNames[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

// Pattern words, longest first where one is a prefix of another (MONTH before MON before MM).
struct Word {
  const char* text;
  Field field;
  int digits;
};
const Word kWords[] = {
    {"YYYY", Field::kYear4, 0},      {"YY", Field::kYear2, 0},         {"MONTH", Field::kMonthName, 0},
    {"MON", Field::kMonthAbbrev, 0}, {"MM", Field::kMonth, 0},         {"MI", Field::kMinute, 0},
    {"MS", Field::kFraction, 3},     {"DAY", Field::kWeekday, 0},      {"DD", Field::kDay, 0},
    {"DY", Field::kWeekday, 0},      {"HH24", Field::kHour24, 0},      {"HH12", Field::kHour12, 0},
    {"HH", Field::kHour12, 0},       {"SS", Field::kSecond, 0},        {"US", Field::kFraction, 6},
    {"FF1", Field::kFraction, 1},    {"FF2", Field::kFraction, 2},     {"FF3", Field::kFraction, 3},
    {"FF4", Field::kFraction, 4},    {"FF5", Field::kFraction, 5},     {"FF6", Field::kFraction, 6},
    {"A.M.", Field::kMeridiem, 0},   {"P.M.", Field::kMeridiem, 0},    {"AM", Field::kMeridiem, 0},
    {"PM", Field::kMeridiem, 0},     {"TZH", Field::kOffsetHour, 0},   {"TZM", Field::kOffsetMinute, 0},
    {"TZ", Field::kOffset, 0},
};

bool starts_with_ci(std::string_view s, size_t at, std::string_view word) {
  return s.size() - at >= word.size() && ascii_iequals(s.substr(at, word.size()), word);
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  // 1..max digits.
  bool digits(int& v, size_t max) {
    const size_t start = i;
    v = 0;
    while (i < s.size() && ascii_isdigit(s[i]) && i - start < max) v = v * 10 + (s[i++] - '0');
    return i > start;
  }
  // One of names (lower case) in full, or its first three letters when abbrev; index+1.
  int name(const char* const* names, int count, bool abbrev) {
    for (int k = 0; k < count; k++) {
      const std::string_view n = names[k];
      const std::string_view want = abbrev ? n.substr(0, 3) : n;
      if (starts_with_ci(s, i, want)) {
        i += want.size();
        return k + 1;
      }
    }
    return 0;
  }
};

}  // namespace

TimestampFormat::TimestampFormat(std::string_view pattern) : pattern_(pattern) {
  bool year = false, month = false, day = false;
  for (size_t i = 0; i < pattern.size();) {
    if (starts_with_ci(pattern, i, "FM")) {  // fill mode: digits are read up to their width anyway
      i += 2;
      continue;
    }
    if (pattern[i] == '"') {
      const size_t end = pattern.find('"', i + 1);
      if (end == std::string_view::npos)
        throw Error(sqlstate::kInvalidDatetimeFormat, "unterminated quoted text in timestamp format \"" + pattern_ + "\"");
      if (end > i + 1) tokens_.push_back({Field::kLiteral, std::string(pattern.substr(i + 1, end - i - 1))});
      i = end + 1;
      continue;
    }
    if (pattern[i] == ' ') {
      while (i < pattern.size() && pattern[i] == ' ') i++;
      tokens_.push_back({Field::kSpace, {}});
      continue;
    }
    const Word* found = nullptr;
    for (const Word& w : kWords)
      if (starts_with_ci(pattern, i, w.text)) {
        found = &w;
        break;
      }
    if (!found) {
      if (!tokens_.empty() && tokens_.back().field == Field::kLiteral)
        tokens_.back().literal += pattern[i];
      else
        tokens_.push_back({Field::kLiteral, std::string(1, pattern[i])});
      i++;
      continue;
    }
    year |= found->field == Field::kYear4 || found->field == Field::kYear2;
    month |= found->field == Field::kMonth || found->field == Field::kMonthAbbrev || found->field == Field::kMonthName;
    day |= found->field == Field::kDay;
    tokens_.push_back({found->field, {}, found->digits});
    i += std::string_view(found->text).size();
  }
  if (!year || !month || !day)
    throw Error(sqlstate::kInvalidDatetimeFormat, "timestamp format \"" + pattern_ + "\" does not give a full date", "",
                "a format needs a year (YYYY or YY), a month (MM, Mon or Month) and a day (DD), e.g. "
                "\"DD.MM.YYYY HH24:MI\"");
}

bool TimestampFormat::parse(std::string_view s, ParsedDateTime& out) const {
  Cursor c{ascii_trim(s)};
  ParsedDateTime t;
  int meridiem = 0;  // 1 AM, 2 PM
  bool hour12 = false;
  int offset_sign = 1, offset_h = 0, offset_m = 0;
  for (const Token& tok : tokens_) {
    int v = 0;
    switch (tok.field) {
      case Field::kLiteral:
        if (!starts_with_ci(c.s, c.i, tok.literal)) return false;
        c.i += tok.literal.size();
        break;
      case Field::kSpace:
        while (!c.done() && ascii_isspace(c.s[c.i])) c.i++;
        break;
      case Field::kYear4:
        if (!c.digits(t.year, 4)) return false;
        break;
      case Field::kYear2:  // PostgreSQL's rule: the year nearest 2020
        if (!c.digits(v, 2)) return false;
        t.year = v < 70 ? 2000 + v : 1900 + v;
        break;
      case Field::kMonth:
        if (!c.digits(t.month, 2)) return false;
        break;
      case Field::kMonthAbbrev:
        if (!(t.month = c.name(kMonthNames, 12, true))) return false;
        break;
      case Field::kMonthName:
        if (!(t.month = c.name(kMonthNames, 12, false))) return false;
        break;
      case Field::kDay:
        if (!c.digits(t.day, 2)) return false;
        break;
      case Field::kWeekday:  // read and ignored: the date says which day it is
        if (!c.name(kWeekdayNames, 7, false) && !c.name(kWeekdayNames, 7, true)) return false;
        break;
      case Field::kHour24:
        if (!c.digits(t.hour, 2)) return false;
        t.has_time = true;
        break;
      case Field::kHour12:
        if (!c.digits(t.hour, 2)) return false;
        hour12 = t.has_time = true;
        break;
      case Field::kMinute:
        if (!c.digits(t.minute, 2)) return false;
        t.has_time = true;
        break;
      case Field::kSecond:
        if (!c.digits(t.second, 2)) return false;
        t.has_time = true;
        break;
      case Field::kFraction: {
        const size_t start = c.i;
        if (!c.digits(v, static_cast<size_t>(tok.digits))) return false;
        for (size_t k = c.i - start; k < 6; k++) v *= 10;
        t.micros = v;
        break;
      }
      case Field::kMeridiem:
        if (starts_with_ci(c.s, c.i, "a.m.") || starts_with_ci(c.s, c.i, "p.m.")) {
          meridiem = ascii_tolower(c.s[c.i]) == 'a' ? 1 : 2;
          c.i += 4;
        } else if (starts_with_ci(c.s, c.i, "am") || starts_with_ci(c.s, c.i, "pm")) {
          meridiem = ascii_tolower(c.s[c.i]) == 'a' ? 1 : 2;
          c.i += 2;
        } else {
          return false;
        }
        break;
      case Field::kOffsetHour:
        if (c.done()) return false;
        if (c.s[c.i] == '+' || c.s[c.i] == '-') offset_sign = c.s[c.i++] == '-' ? -1 : 1;
        if (!c.digits(offset_h, 2)) return false;
        t.has_offset = true;
        break;
      case Field::kOffsetMinute:
        if (!c.digits(offset_m, 2)) return false;
        t.has_offset = true;
        break;
      case Field::kOffset:
        if (c.done()) return false;
        if (c.s[c.i] == 'Z' || c.s[c.i] == 'z') {
          c.i++;
        } else {
          if (c.s[c.i] != '+' && c.s[c.i] != '-') return false;
          offset_sign = c.s[c.i++] == '-' ? -1 : 1;
          const size_t start = c.i;
          if (!c.digits(offset_h, 2) || c.i - start != 2) return false;
          if (!c.done() && c.s[c.i] == ':') c.i++;
          if (!c.done() && ascii_isdigit(c.s[c.i]) && !c.digits(offset_m, 2)) return false;
        }
        t.has_offset = true;
        break;
    }
  }
  if (!c.done()) return false;
  if (hour12 || meridiem) {
    if (t.hour < 1 || t.hour > 12) return false;
    t.hour = t.hour % 12 + (meridiem == 2 ? 12 : 0);
  }
  if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month) ||
      t.hour > 23 || t.minute > 59 || t.second > 59 || offset_h > 15 || offset_m > 59)
    return false;
  t.offset_seconds = offset_sign * (offset_h * 3600 + offset_m * 60);
  out = t;
  return true;
}

bool parse_timestamp_any(std::string_view s, ParsedDateTime& out) {
  s = ascii_trim(s);
  if (matching_date_formats(s, &out)) return true;
  size_t n = 0;
  while (n < s.size() && ascii_isdigit(s[n])) n++;
  if (n == s.size() && (n == 10 || n == 13)) {  // Unix epoch seconds or milliseconds
    int64_t v = 0;
    for (char ch : s) v = v * 10 + (ch - '0');
    const int64_t seconds = n == 13 ? v / 1000 : v;
    const CivilTime c = civil_from_unix(seconds);
    out = ParsedDateTime{};
    out.year = c.year, out.month = c.month, out.day = c.day;
    out.hour = c.hour, out.minute = c.minute, out.second = c.second;
    out.micros = n == 13 ? static_cast<int>(v % 1000) * 1000 : 0;
    out.has_time = out.has_offset = true;
    return true;
  }
  if (n == 8 && (s.size() == 8 || (s.size() >= 15 && (s[8] == 'T' || s[8] == 't')))) {  // 20190605[T101500[Z]]
    static const TimestampFormat date("YYYYMMDD"), date_time("YYYYMMDD\"T\"HH24MISS"), date_time_z("YYYYMMDD\"T\"HH24MISSTZ");
    return date.parse(s, out) || date_time.parse(s, out) || date_time_z.parse(s, out);
  }
  return false;
}

}  // namespace pg_etl
