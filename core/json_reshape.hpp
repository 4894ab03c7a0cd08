#pragma once
// Reshaping JSON documents for etl.flatten, etl.map_fields and etl.unnest_path: nested
// API payloads into the flat rows a table wants.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_path.hpp"

namespace pg_etl {

// Nested objects become top-level keys joined by separator
// ({"a": {"b": 1}} -> {"a_b": 1}); arrays and scalars are values and stay as they are.
// A key that would repeat an existing one keeps the first value. Anything but an object
// is returned unchanged.
nlohmann::json flatten_json(const nlohmann::json& doc, std::string_view separator);

// A mapping from target fields to where their values come from, read once (per query)
// and applied to every document:
//   "target": "path"                 the value at a JSON path ($.a.b, a.b, a[0])
//   "target": {"path": "...",        (default: the target's own name)
//              "default": value,     when the path is missing or null
//              "type": "text" | "integer" | "number" | "boolean" | "timestamp" | "json"}
// Casts never fail: a value that does not convert becomes null. Fields the mapping does
// not name are dropped.
class FieldMapping {
 public:
  // Throws 22023 for a malformed mapping, naming the target field.
  explicit FieldMapping(const nlohmann::json& mapping);
  nlohmann::json apply(const nlohmann::json& doc) const;

 private:
  struct Field {
    std::string target;
    std::vector<JsonPathStep> path;
    std::string type;  // empty: as it is
    nlohmann::json fallback;  // null: none
  };
  std::vector<Field> fields_;
};

// The values at path: the elements of the array(s) it reaches (a [*] step fans out,
// e.g. $.orders[*].lines), a single value when it reaches a non-array, none when it is
// missing. Throws 22023 for a malformed path.
std::vector<nlohmann::json> values_at_path(const nlohmann::json& doc, const std::string& path);

}  // namespace pg_etl
