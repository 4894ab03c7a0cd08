#include "core/cron.hpp"

#include <cctype>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

struct FieldSpec {
  const char* name;
  int lo, hi;
  const char* const* names;  // names for values lo.., or null
};

const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kDays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

[[noreturn]] void fail(const std::string& expr, const std::string& field, size_t position, const std::string& why) {
  throw Error(sqlstate::kInvalidParameterValue,
              "invalid cron expression \"" + expr + "\": " + field + " field, at character " + std::to_string(position + 1) +
                  ": " + why,
              "", "use 5 fields (minute hour day-of-month month day-of-week), 6 with leading seconds, or @hourly, @daily, ...");
}

int parse_value(const std::string& expr, const FieldSpec& f, const std::string& tok, size_t pos) {
  if (tok.empty()) fail(expr, f.name, pos, "empty value");
  if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
    for (char c : tok)
      if (!std::isdigit(static_cast<unsigned char>(c))) fail(expr, f.name, pos, "\"" + tok + "\" is not a number");
    int v = std::stoi(tok);
    int hi = f.hi == 6 ? 7 : f.hi;  // day of week: 7 is Sunday too
    if (v < f.lo || v > hi)
      fail(expr, f.name, pos, std::to_string(v) + " is out of range " + std::to_string(f.lo) + "-" + std::to_string(hi));
    return v == 7 && f.hi == 6 ? 0 : v;
  }
  if (f.names) {
    std::string up;
    for (char c : tok) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; i <= f.hi - f.lo; i++)
      if (up == f.names[i]) return f.lo + i;
  }
  fail(expr, f.name, pos, "\"" + tok + "\" is not a valid value");
}

template <size_t N>
bool parse_field(const std::string& expr, const std::string& text, size_t start, const FieldSpec& f, std::bitset<N>& bits) {
  bool star = false;
  size_t pos = start;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (part.empty()) fail(expr, f.name, pos, "empty list element");
    int step = 1;
    std::string range = part;
    size_t slash = part.find('/');
    if (slash != std::string::npos) {
      std::string s = part.substr(slash + 1);
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || std::stoi(s) == 0)
        fail(expr, f.name, pos + slash + 1, "step \"" + s + "\" must be a positive number");
      step = std::stoi(s);
      range = part.substr(0, slash);
    }
    int lo, hi;
    if (range == "*" || range == "?") {
      lo = f.lo;
      hi = f.hi;
      star = star || (step == 1 && slash == std::string::npos);
    } else {
      size_t dash = range.find('-');
      if (dash == std::string::npos) {
        lo = parse_value(expr, f, range, pos);
        hi = slash == std::string::npos ? lo : f.hi;  // "5/15": from 5 to the end
      } else {
        lo = parse_value(expr, f, range.substr(0, dash), pos);
        hi = parse_value(expr, f, range.substr(dash + 1), pos + dash + 1);
        if (f.hi == 6 && hi == 0 && lo > 0) hi = 6, bits.set(0);  // MON-SUN / 1-7
        if (hi < lo) fail(expr, f.name, pos, "range " + range + " runs backwards");
      }
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v));
    pos += part.size() + 1;
  }
  return star;
}

}  // namespace

CronSchedule CronSchedule::parse(const std::string& expression) {
  CronSchedule c;
  c.expression_ = expression;
  std::string expr = expression;
  static const std::pair<const char*, const char*> macros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
  if (!expr.empty() && expr[0] == '@') {
    bool found = false;
    for (const auto& [m, e] : macros)
      if (expr == m) expr = e, found = true;
    if (!found) fail(expression, "macro", 0, "unknown macro (use @yearly, @monthly, @weekly, @daily, @hourly)");
  }
  std::vector<std::pair<std::string, size_t>> fields;
  for (size_t i = 0; i < expr.size();) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) i++;
    size_t s = i;
    while (i < expr.size() && !std::isspace(static_cast<unsigned char>(expr[i]))) i++;
    if (i > s) fields.emplace_back(expr.substr(s, i - s), expression[0] == '@' ? 0 : s);
  }
  if (fields.size() != 5 && fields.size() != 6)
    fail(expression, "whole", 0, "expected 5 or 6 fields, found " + std::to_string(fields.size()));
  c.has_seconds_ = fields.size() == 6;
  size_t k = 0;
  if (c.has_seconds_) parse_field(expression, fields[k].first, fields[k].second, {"seconds", 0, 59, nullptr}, c.seconds_), k++;
  else c.seconds_.set(0);
  parse_field(expression, fields[k].first, fields[k].second, {"minute", 0, 59, nullptr}, c.minutes_), k++;
  parse_field(expression, fields[k].first, fields[k].second, {"hour", 0, 23, nullptr}, c.hours_), k++;
  c.dom_star_ = parse_field(expression, fields[k].first, fields[k].second, {"day-of-month", 1, 31, nullptr}, c.days_), k++;
  parse_field(expression, fields[k].first, fields[k].second, {"month", 1, 12, kMonths}, c.months_), k++;
  c.dow_star_ = parse_field(expression, fields[k].first, fields[k].second, {"day-of-week", 0, 6, kDays}, c.weekdays_);
  return c;
}

bool CronSchedule::matches_day(const CivilTime& t) const {
  const bool dom = days_.test(static_cast<size_t>(t.day));
  const bool dow = weekdays_.test(static_cast<size_t>(t.weekday()));
  if (dom_star_ || dow_star_) return dom && dow;
  return dom || dow;
}

std::optional<int64_t> CronSchedule::next_after(int64_t after, const TimeZone& zone) const {
  CivilTime t = zone.to_local(after + 1);
  const int last_year = t.year + 5;
  // Walk local time field by field, skipping whole months, days, hours and minutes
  // that cannot match.
  auto next_day = [&] {
    t.hour = t.minute = t.second = 0;
    if (++t.day > days_in_month(t.year, t.month)) {
      t.day = 1;
      if (++t.month > 12) t.month = 1, t.year++;
    }
  };
  while (t.year <= last_year) {
    if (!months_.test(static_cast<size_t>(t.month))) {
      t.day = 1, t.hour = t.minute = t.second = 0;
      if (++t.month > 12) t.month = 1, t.year++;
      continue;
    }
    if (!matches_day(t)) {
      next_day();
      continue;
    }
    if (!hours_.test(static_cast<size_t>(t.hour))) {
      t.minute = t.second = 0;
      if (++t.hour > 23) next_day();
      continue;
    }
    if (!minutes_.test(static_cast<size_t>(t.minute))) {
      t.second = 0;
      if (++t.minute > 59) {
        t.minute = 0;
        if (++t.hour > 23) next_day();
      }
      continue;
    }
    if (!seconds_.test(static_cast<size_t>(t.second))) {
      if (++t.second > 59) {
        t.second = 0;
        if (++t.minute > 59) {
          t.minute = 0;
          if (++t.hour > 23) next_day();
        }
      }
      continue;
    }
    const int64_t at = zone.to_unix(t);
    if (at > after) return at;
    // A local time repeated by a DST change, already past: move on.
    if (++t.second > 59) {
      t.second = 0;
      if (++t.minute > 59) {
        t.minute = 0;
        if (++t.hour > 23) next_day();
      }
    }
  }
  return std::nullopt;
}

}  // namespace pg_etl
