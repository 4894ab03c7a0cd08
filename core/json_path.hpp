#pragma once
// The JSONPath subset pg_etl accepts: $ followed by .key, ['key'], [n] steps, and a
// final [*] for records_path ("$.data.items[*]"). A leading "$." may be omitted.
#include <string>
#include <vector>

namespace pg_etl {

struct JsonPathStep {
  enum Kind { kKey, kIndex, kWildcard } kind;
  std::string key;
  size_t index = 0;
};

// Parses path; throws 22023 naming the option and the position of the error.
std::vector<JsonPathStep> parse_json_path(const std::string& path, const char* option_name);

}  // namespace pg_etl
