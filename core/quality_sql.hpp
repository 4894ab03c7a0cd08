#pragma once
// Compiles quality rules (quality_rules.hpp) to the SQL that measures them, as a JSON
// plan etl.check runs. One object per rule, in order:
//   index, rule (its source text), type, severity ("fail" | "warn"), columns, where,
//   scope: "scan"    metric is one aggregate expression over alias t; all scan rules
//                    share one SELECT <metric>::float8, ... FROM <target> t, so the
//                    where filter is inside the metric (FILTER (WHERE ...));
//          "query"   query is a SELECT of its own returning one float8-castable value;
//          "catalog" nothing to run (ColumnExists: the caller looks at the catalog);
//   metric, query, fail_count (scan rules with a row_check: failing rows, in the same
//   scan), row_check (a two-valued boolean over t, true for a good row), sample (SELECT
//   t.* FROM <target> t WHERE <failing rows>), condition ({"op", "value"} or {"op":
//   "between" | "not between", "low", "high"}; a value is a number or {"history":
//   {"fn", "runs"}, "scale"}), expected (the condition as written), unit ("ratio" |
//   "rows" | "seconds" | "value" | "boolean"), row_level (every row must pass the
//   row_check, so failing rows can be routed away one by one) and native: for scan
//   rules without a where whose test needs no SQL ({"test": "rows" | "not_null" |
//   "values" | "length", "column", "op", "values", "metric": "rows" | "share"}), what
//   a native scan counts instead (etl._quality_scan); null otherwise.
// Absent SQL is JSON null. Identifiers are always double-quoted and values are
// single-quoted literals, so PostgreSQL coerces them to the column's type.
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/quality_rules.hpp"

namespace pg_etl {

// target_sql is the relation to check, already quoted (public."Orders"): embedded as is.
// Throws 42601 for a ruleset that does not parse.
nlohmann::json compile_quality_rules(std::string_view rules, std::string_view target_sql);

}  // namespace pg_etl
