#include "core/date_formats.hpp"

#include "core/ascii.hpp"

#include "core/civil_time.hpp"
#include "core/month_names.hpp"

namespace pg_etl {
namespace {

const char* const kNames[] = {"YYYY-MM-DD", "YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY", "DD.MM.YYYY", "DD-MM-YYYY",
                              "Mon DD YYYY", "DD Mon YYYY"};

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    i++;
    return true;
  }
  // 1..max digits (exactly n when n > 0).
  bool digits(int& v, size_t min, size_t max) {
    size_t start = i;
    v = 0;
    while (!done() && ascii_isdigit(s[i]) && i - start < max) v = v * 10 + (s[i++] - '0');
    return i - start >= min;
  }
  bool month_name(int& m) {
    m = month_from_abbrev(s.substr(i));
    if (!m) return false;
    i += 3;
    while (!done() && ascii_isalpha(s[i])) i++;  // "June", "Sept."
    eat('.');
    return true;
  }
};

bool valid_date(int y, int m, int d) { return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m); }

bool parse_date_part(Cursor& c, DateFormat f, ParsedDateTime& t) {
  switch (f) {
    case DateFormat::kIso:
      return c.digits(t.year, 4, 4) && c.eat('-') && c.digits(t.month, 2, 2) && c.eat('-') && c.digits(t.day, 2, 2);
    case DateFormat::kYmdSlash:
      return c.digits(t.year, 4, 4) && c.eat('/') && c.digits(t.month, 1, 2) && c.eat('/') && c.digits(t.day, 1, 2);
    case DateFormat::kMdy:
      return c.digits(t.month, 1, 2) && c.eat('/') && c.digits(t.day, 1, 2) && c.eat('/') && c.digits(t.year, 4, 4);
    case DateFormat::kDmy:
      return c.digits(t.day, 1, 2) && c.eat('/') && c.digits(t.month, 1, 2) && c.eat('/') && c.digits(t.year, 4, 4);
    case DateFormat::kDmyDot:
      return c.digits(t.day, 1, 2) && c.eat('.') && c.digits(t.month, 1, 2) && c.eat('.') && c.digits(t.year, 4, 4);
    case DateFormat::kDmyDash:
      return c.digits(t.day, 1, 2) && c.eat('-') && c.digits(t.month, 1, 2) && c.eat('-') && c.digits(t.year, 4, 4);
    case DateFormat::kMonDY:
      if (!c.month_name(t.month) || !c.eat(' ')) return false;
      while (c.eat(' ')) {}
      if (!c.digits(t.day, 1, 2)) return false;
      c.eat(',');
      if (!c.eat(' ')) return false;
      return c.digits(t.year, 4, 4);
    case DateFormat::kDMonY:
      if (!c.digits(t.day, 1, 2) || !c.eat(' ')) return false;
      if (!c.month_name(t.month) || !c.eat(' ')) return false;
      return c.digits(t.year, 4, 4);
    case DateFormat::kCount: break;
  }
  return false;
}

bool parse_time_part(Cursor& c, ParsedDateTime& t) {
  if (!c.digits(t.hour, 1, 2) || !c.eat(':') || !c.digits(t.minute, 2, 2)) return false;
  if (c.eat(':')) {
    if (!c.digits(t.second, 2, 2)) return false;
    if (c.eat('.')) {
      size_t start = c.i;
      int frac = 0;
      if (!c.digits(frac, 1, 6)) return false;
      for (size_t k = c.i - start; k < 6; k++) frac *= 10;
      while (!c.done() && ascii_isdigit(c.peek())) c.i++;  // beyond microseconds
      t.micros = frac;
    }
  }
  // 12-hour clocks: "10:00 PM"
  size_t save = c.i;
  while (c.eat(' ')) {}
  char a = ascii_toupper(c.peek());
  if ((a == 'A' || a == 'P') && c.i + 1 < c.s.size() && ascii_toupper(c.s[c.i + 1]) == 'M') {
    if (t.hour < 1 || t.hour > 12) return false;
    c.i += 2;
    t.hour = (t.hour % 12) + (a == 'P' ? 12 : 0);
  } else {
    c.i = save;
  }
  t.has_time = true;
  return t.hour <= 23 && t.minute <= 59 && t.second <= 59;
}

bool parse_offset_part(Cursor& c, ParsedDateTime& t) {
  size_t save = c.i;
  while (c.eat(' ')) {}
  if (c.eat('Z') || c.eat('z')) {
    t.has_offset = true;
    return true;
  }
  char sign = c.peek();
  if (sign != '+' && sign != '-') {
    c.i = save;
    return true;  // no offset is fine
  }
  c.i++;
  int h = 0, m = 0;
  if (!c.digits(h, 2, 2)) return false;
  if (c.eat(':')) {
    if (!c.digits(m, 2, 2)) return false;
  } else if (!c.done()) {
    if (!c.digits(m, 2, 2)) return false;
  }
  if (h > 15 || m > 59) return false;
  t.has_offset = true;
  t.offset_seconds = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

}  // namespace

const char* date_format_name(DateFormat f) { return f < DateFormat::kCount ? kNames[static_cast<int>(f)] : "?"; }

std::optional<DateFormat> date_format_from_name(std::string_view name) {
  for (int i = 0; i < static_cast<int>(DateFormat::kCount); i++)
    if (name == kNames[i]) return static_cast<DateFormat>(i);
  return std::nullopt;
}

bool parse_date_time(std::string_view s, DateFormat f, ParsedDateTime& out) {
  Cursor c{ascii_trim(s)};
  ParsedDateTime t;
  if (!parse_date_part(c, f, t) || !valid_date(t.year, t.month, t.day)) return false;
  if (!c.done()) {
    if (!(c.eat('T') || c.eat(' '))) return false;
    while (c.eat(' ')) {}
    if (!parse_time_part(c, t) || !parse_offset_part(c, t)) return false;
  }
  if (!c.done()) return false;
  out = t;
  return true;
}

uint32_t matching_date_formats(std::string_view s, ParsedDateTime* first_match, uint32_t candidates,
                               ParsedDateTime* parsed) {
  uint32_t mask = 0;
  ParsedDateTime t;
  s = ascii_trim(s);
  // Every spelling starts with a digit or a month name: most text fails here, at once.
  if (s.empty() || !(ascii_isdigit(s[0]) || ascii_isalpha(s[0]))) return 0;
  for (int i = 0; i < static_cast<int>(DateFormat::kCount); i++)
    if ((candidates & (1u << i)) && parse_date_time(s, static_cast<DateFormat>(i), t)) {
      if (parsed) parsed[i] = t;
      if (!mask && first_match) *first_match = t;
      mask |= 1u << i;
    }
  return mask;
}

bool parse_time_of_day(std::string_view s, ParsedDateTime& out) {
  Cursor c{ascii_trim(s)};
  ParsedDateTime t;
  if (!parse_time_part(c, t) || !c.done()) return false;
  out = t;
  return true;
}

DateReading read_date_as_configured(std::string_view value, std::optional<DateFormat> format, std::string_view date_order,
                                    std::string& iso) {
  ParsedDateTime t;
  if (format) {
    if (!parse_date_time(value, *format, t)) return DateReading::kMismatch;
    iso = iso_text(t);
    return DateReading::kIso;
  }
  if (date_order.empty()) return DateReading::kUnchanged;
  const uint32_t m = matching_date_formats(value);
  if (!m) return DateReading::kUnchanged;  // not a date spelling we know: the server decides
  DateFormat f = DateFormat::kIso;
  for (int i = 0; i < static_cast<int>(DateFormat::kCount); i++)
    if (m & (1u << i)) {
      f = static_cast<DateFormat>(i);
      break;
    }
  const bool mdy = m & (1u << static_cast<int>(DateFormat::kMdy)), dmy = m & (1u << static_cast<int>(DateFormat::kDmy));
  if (mdy && dmy) f = date_order == "DMY" ? DateFormat::kDmy : DateFormat::kMdy;
  parse_date_time(value, f, t);
  iso = iso_text(t);
  return DateReading::kIso;
}

namespace {
// n as exactly `width` digits (n >= 0), without snprintf: loads call this per value.
void put_digits(std::string& out, int n, int width) {
  char buf[8];
  for (int k = width - 1; k >= 0; k--, n /= 10) buf[k] = static_cast<char>('0' + n % 10);
  out.append(buf, static_cast<size_t>(width));
}
}  // namespace

std::string iso_text(const ParsedDateTime& t) {
  std::string out;
  out.reserve(32);
  put_digits(out, t.year, 4), out += '-', put_digits(out, t.month, 2), out += '-', put_digits(out, t.day, 2);
  if (t.has_time) {
    out += ' ', put_digits(out, t.hour, 2), out += ':', put_digits(out, t.minute, 2), out += ':';
    put_digits(out, t.second, 2);
    if (t.micros) out += '.', put_digits(out, t.micros, 6);
  }
  if (t.has_offset) {
    const int a = t.offset_seconds < 0 ? -t.offset_seconds : t.offset_seconds;
    out += t.offset_seconds < 0 ? '-' : '+', put_digits(out, a / 3600, 2), out += ':', put_digits(out, a / 60 % 60, 2);
  }
  return out;
}

int64_t instant_micros(const ParsedDateTime& t) {
  const int64_t seconds = unix_from_civil(CivilTime{t.year, t.month, t.day, t.hour, t.minute, t.second}) - t.offset_seconds;
  return seconds * 1000000 + t.micros;
}

}  // namespace pg_etl
