#pragma once
// What happens to a bad row: with reject_limit 0 (the default) it is an ERROR naming
// url:line:column; otherwise it is kept for etl.rejects until the limit is exceeded.
#include <cstdint>
#include <string>
#include <vector>

#include "extension/load_log.hpp"

namespace pg_etl::pg {

// "file:///x.csv:3:4 (column \"amount\")": where a problem is, as messages show it.
std::string describe_location(const std::string& url, uint64_t line, int column_position, const std::string& column_name);

class RejectPolicy {
 public:
  explicit RejectPolicy(int64_t limit) : limit_(limit) {}

  // Accepts one bad row (throws when reject_limit does not allow it).
  void reject(RejectRow row, int column_position);

  bool allows_rejects() const { return limit_ != 0; }
  int64_t count() const { return count_; }
  std::vector<RejectRow>& pending() { return pending_; }

 private:
  int64_t limit_;
  int64_t count_ = 0;
  std::vector<RejectRow> pending_;
};

}  // namespace pg_etl::pg
