#include "extension/pg_time_zone.hpp"

#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "pgtime.h"
#include "utils/datetime.h"
}

namespace pg_etl::pg {

PgTimeZone::PgTimeZone(const std::string& name) : name_(name) {
  const char* n = name.c_str();
  tz_ = pg_guard([n] { return static_cast<void*>(pg_tzset(n)); });
  if (!tz_)
    throw Error(sqlstate::kInvalidParameterValue, "time zone \"" + name + "\" not recognized", "",
                "use a name from pg_timezone_names, e.g. UTC or Europe/Berlin");
}

CivilTime PgTimeZone::to_local(int64_t t) const {
  const pg_time_t pt = static_cast<pg_time_t>(t);
  struct pg_tm tm = *pg_guard([&] { return pg_localtime(&pt, static_cast<const pg_tz*>(tz_)); });
  return CivilTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

int64_t PgTimeZone::to_unix(const CivilTime& l) const {
  struct pg_tm tm = {};
  tm.tm_year = l.year;  // DetermineTimeZoneOffset takes the full year and 1-based month
  tm.tm_mon = l.month;
  tm.tm_mday = l.day;
  tm.tm_hour = l.hour;
  tm.tm_min = l.minute;
  tm.tm_sec = l.second;
  const int west = pg_guard([&] { return DetermineTimeZoneOffset(&tm, static_cast<pg_tz*>(tz_)); });
  return unix_from_civil(l) + west;  // PostgreSQL counts offsets west of Greenwich
}

}  // namespace pg_etl::pg
