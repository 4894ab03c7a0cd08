#include "core/json_path.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

std::vector<JsonPathStep> parse_json_path(const std::string& path, const char* option_name) {
  std::vector<JsonPathStep> steps;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    throw Error(sqlstate::kInvalidParameterValue,
                std::string("invalid JSON path in \"") + option_name + "\" at position " + std::to_string(i + 1) + ": " + why,
                "path: " + path, "write paths like $.data.items[*], $.customer.id or $['a key'][0]");
  };
  if (i < path.size() && path[i] == '$') i++;
  bool first = true;
  while (i < path.size()) {
    char c = path[i];
    if (c == '.' || (first && c != '[')) {
      if (c == '.') i++;
      size_t start = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') i++;
      if (i == start) fail("empty key");
      steps.push_back({JsonPathStep::kKey, path.substr(start, i - start), 0});
    } else if (c == '[') {
      i++;
      if (i < path.size() && path[i] == '*') {
        if (++i >= path.size() || path[i] != ']') fail("expected ]");
        i++;
        steps.push_back({JsonPathStep::kWildcard, {}, 0});
      } else if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
        char q = path[i++];
        size_t start = i;
        while (i < path.size() && path[i] != q) i++;
        if (i >= path.size()) fail("unterminated quoted key");
        std::string key = path.substr(start, i - start);
        if (++i >= path.size() || path[i] != ']') fail("expected ]");
        i++;
        steps.push_back({JsonPathStep::kKey, key, 0});
      } else {
        size_t start = i;
        while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i]))) i++;
        if (i == start) fail("expected an index, * or a quoted key");
        size_t idx = std::stoul(path.substr(start, i - start));
        if (i >= path.size() || path[i] != ']') fail("expected ]");
        i++;
        steps.push_back({JsonPathStep::kIndex, {}, idx});
      }
    } else {
      fail(std::string("unexpected '") + c + "'");
    }
    first = false;
  }
  return steps;
}

}  // namespace pg_etl
