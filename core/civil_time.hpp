#pragma once
// Calendar arithmetic without time zone databases: civil dates and times, and the
// interface the scheduler uses to convert between UTC and a zone's local time. The
// Postgres layer implements TimeZone with PostgreSQL's own tz library (the zone names
// users know from SET TimeZone); tests use fixed offsets.
#include <cstdint>
#include <string>

namespace pg_etl {

struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int weekday() const;  // 0 = Sunday
  bool operator==(const CivilTime&) const = default;
};

// Seconds since the Unix epoch <-> civil time, both in UTC.
CivilTime civil_from_unix(int64_t seconds);
int64_t unix_from_civil(const CivilTime& t);

int days_in_month(int year, int month);

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual CivilTime to_local(int64_t unix_seconds) const = 0;
  // The instant a local time names. A local time skipped by a forward DST change maps
  // to an instant after the gap; one repeated by a backward change to one of its two
  // instants, always the same one.
  virtual int64_t to_unix(const CivilTime& local) const = 0;
  virtual std::string name() const = 0;
};

class FixedOffsetZone final : public TimeZone {
 public:
  explicit FixedOffsetZone(int offset_seconds = 0) : offset_(offset_seconds) {}
  CivilTime to_local(int64_t t) const override { return civil_from_unix(t + offset_); }
  int64_t to_unix(const CivilTime& local) const override { return unix_from_civil(local) - offset_; }
  std::string name() const override;

 private:
  int offset_;
};

}  // namespace pg_etl
