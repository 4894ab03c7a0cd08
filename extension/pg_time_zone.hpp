#pragma once
// core's TimeZone on top of PostgreSQL's tz library: the zone names users know from
// SET TimeZone, and PostgreSQL's own rules for local times that DST skips or repeats.
#include <string>

#include "core/civil_time.hpp"

namespace pg_etl::pg {

class PgTimeZone final : public TimeZone {
 public:
  // Throws 22023 for an unknown zone name.
  explicit PgTimeZone(const std::string& name);
  CivilTime to_local(int64_t unix_seconds) const override;
  int64_t to_unix(const CivilTime& local) const override;
  std::string name() const override { return name_; }

 private:
  std::string name_;
  void* tz_;  // pg_tz*
};

}  // namespace pg_etl::pg
