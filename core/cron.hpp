#pragma once
// Cron schedules: 5 fields (minute hour day-of-month month day-of-week), or 6 with a
// leading seconds field ("*/2 * * * * *" is every two seconds), or a macro (@yearly,
// @annually, @monthly, @weekly, @daily, @midnight, @hourly). Fields take *, ?, numbers,
// names (JAN-DEC, SUN-SAT), ranges a-b, steps */n and a-b/n, and lists. As in Vixie
// cron, when both day-of-month and day-of-week are restricted, either may match.
// Times are computed in a TimeZone, so "0 9 * * MON-FRI" means 09:00 where the
// schedule's zone says it is.
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "core/civil_time.hpp"

namespace pg_etl {

class CronSchedule {
 public:
  // Throws 22023 naming the field and the position of the error.
  static CronSchedule parse(const std::string& expression);

  // The first instant strictly after `after` (Unix seconds) at which the schedule
  // fires in zone, or nothing if it never does within five years (e.g. 30 February).
  std::optional<int64_t> next_after(int64_t after, const TimeZone& zone) const;

  bool has_seconds() const { return has_seconds_; }
  const std::string& expression() const { return expression_; }

 private:
  bool matches_day(const CivilTime& t) const;

  std::string expression_;
  bool has_seconds_ = false;
  std::bitset<60> seconds_, minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<8> weekdays_; // 0..6, Sunday = 0
  bool dom_star_ = true, dow_star_ = true;
};

}  // namespace pg_etl
