#pragma once
// The fields of a row that could not be loaded, as a JSON object of column name to text
// (null for NULL), kept in etl.rejects.record so the row can be fixed and replayed
// (etl.replay_rejects) like a row a quality rule rejected.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pg_etl {

using RejectField = std::pair<std::string, std::optional<std::string>>;

// {"name": "text", "other": null, ...}; invalid UTF-8 is replaced, never fatal.
std::string reject_record_json(const std::vector<RejectField>& fields);

}  // namespace pg_etl
