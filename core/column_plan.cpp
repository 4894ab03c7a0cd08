#include "core/column_plan.hpp"

#include "core/column_match.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The source column that names target (exact match first), or "" when none does.
std::string matching_source(const std::vector<std::string>& sources, const std::string& target) {
  for (const auto& s : sources)
    if (s == target) return s;
  for (const auto& s : sources)
    if (names_match(s, target)) return s;
  return {};
}

std::string json_key_path(const std::string& key) {
  if (key.find('\'') == std::string::npos) return "$['" + key + "']";
  return "$[\"" + key + "\"]";
}

}  // namespace

ColumnPlan plan_columns(const std::vector<TargetInfo>& targets, const std::vector<std::string>& source_columns,
                        Format format, bool csv_has_header, const ReadOptions& options, bool for_load,
                        const std::string& url, const std::string& target_name,
                        const std::vector<std::string>& partition_keys) {
  ColumnPlan plan;
  std::vector<std::string> target_names;
  for (const auto& t : targets) target_names.push_back(t.name);
  auto find_target = [&](const std::string& name) -> int {
    for (size_t i = 0; i < targets.size(); i++)
      if (targets[i].name == name) return static_cast<int>(i);
    return -1;
  };
  if (!options.filename_column.empty()) {
    plan.filename_target = find_target(options.filename_column);
    if (plan.filename_target < 0)
      throw Error(sqlstate::kUndefinedColumn,
                  "filename_column \"" + options.filename_column + "\" is not a column of " + target_name,
                  "columns: " + join(target_names));
  }
  int extra_target = -1;
  if (!options.extra_column.empty()) {
    extra_target = find_target(options.extra_column);
    if (extra_target < 0)
      throw Error(sqlstate::kUndefinedColumn, "extra_column \"" + options.extra_column + "\" is not a column of " + target_name,
                  "columns: " + join(target_names));
    if (format == Format::kCsv)
      throw Error(sqlstate::kInvalidParameterValue, "extra_column applies to JSON records, and \"" + url + "\" is CSV");
  }
  for (const auto& [col, value] : options.set) {
    const int t = find_target(col);
    if (t < 0 || t == plan.filename_target)
      throw Error(sqlstate::kUndefinedColumn, "option \"set\" names \"" + col + "\", which is not a column of " + target_name,
                  "columns: " + join(target_names));
    plan.constants.emplace_back(static_cast<size_t>(t), value);
  }
  for (const std::string& key : partition_keys) {
    const int t = find_target(key);
    if (t >= 0 && t != plan.filename_target && !options.set.count(key)) plan.partitions.emplace_back(static_cast<size_t>(t), key);
  }
  auto is_partition = [&](size_t t) {
    for (const auto& p : plan.partitions)
      if (p.first == t) return true;
    return false;
  };
  for (const auto& [col, path] : options.columns)
    if (find_target(col) < 0)
      throw Error(sqlstate::kUndefinedColumn, "option \"columns\" maps \"" + col + "\", which is not a column of " + target_name,
                  "columns: " + join(target_names));

  const bool csv = format == Format::kCsv;
  const bool by_position = csv && (options.match_by_position || !csv_has_header);
  size_t position = 0;
  for (size_t i = 0; i < targets.size(); i++) {
    if (static_cast<int>(i) == plan.filename_target || options.set.count(targets[i].name) || is_partition(i)) continue;
    const TargetInfo& t = targets[i];
    auto mapped = options.columns.find(t.name);
    ColumnSource src{t.name, {}, -1};
    bool include;
    if (static_cast<int>(i) == extra_target) {
      src.rest = true;
      include = true;
    } else if (mapped != options.columns.end()) {
      src.path = mapped->second;
      include = true;
    } else if (by_position) {
      include = position < source_columns.size() || !for_load;
      src.position = static_cast<int>(position++);
    } else {
      std::string match = matching_source(source_columns, t.name);
      if (!match.empty()) src.path = csv ? match : json_key_path(match);
      include = !for_load || !match.empty() || (!csv && !t.has_default);
    }
    if (include) plan.columns.push_back(PlannedColumn{i, src});
  }
  if (for_load) {
    bool any_from_data = false;
    for (const auto& c : plan.columns)
      any_from_data = any_from_data || c.source.position >= 0 || !c.source.path.empty() || !csv;
    if (!any_from_data && !source_columns.empty())
      throw Error(sqlstate::kUndefinedColumn, "no column of \"" + url + "\" matches a column of " + target_name,
                  "file columns: " + join(source_columns) + "; table columns: " + join(target_names),
                  "rename the columns, map them with the \"columns\" option, or set \"match_by\": \"position\"");
  }
  return plan;
}

}  // namespace pg_etl
