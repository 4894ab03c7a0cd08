#include "extension/reject_policy.hpp"

#include "core/encoding.hpp"
#include "core/error.hpp"

namespace pg_etl::pg {

std::string describe_location(const std::string& url, uint64_t line, int column_position, const std::string& column_name) {
  std::string s = url + ":" + std::to_string(line);
  if (column_position > 0) s += ":" + std::to_string(column_position);
  if (!column_name.empty()) s += " (column \"" + column_name + "\")";
  return s;
}

void RejectPolicy::reject(RejectRow row, int column_position) {
  row.raw = sanitize_utf8(row.raw, 65536);
  row.message = sanitize_utf8(row.message);
  const std::string where = describe_location(row.url, static_cast<uint64_t>(row.line), column_position, row.column);
  const std::string raw = sanitize_utf8(row.raw, 200);
  if (limit_ == 0)
    throw Error(row.sqlstate, where + ": " + row.message, raw.empty() ? "" : "record: " + raw,
                "set the option reject_limit (a number of rows, or -1 for no limit) to load the good rows and "
                "keep bad ones in etl.rejects");
  if (limit_ > 0 && count_ >= limit_)
    throw Error(row.sqlstate, "reject_limit of " + std::to_string(limit_) + " exceeded at " + where + ": " + row.message,
                raw.empty() ? "" : "record: " + raw, "nothing was loaded; raise reject_limit or fix the input");
  count_++;
  pending_.push_back(std::move(row));
}

}  // namespace pg_etl::pg
