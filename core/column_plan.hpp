#pragma once
// Which target columns a read or load fills, and from what. The rules:
//   - the "columns" option maps a target column to a CSV header name or a JSON path;
//   - otherwise columns match source columns by name (exact, then case- and
//     punctuation-insensitive), or by position for CSV without a header or with
//     "match_by": "position";
//   - etl.load leaves out columns the data does not mention, so their DEFAULT applies;
//     for JSON (where a field may appear only in later records) a column without a
//     default is always filled, NULL when a record lacks it;
//   - "filename_column" receives each row's file URL; "set" gives columns a constant;
//   - with "partition_root", columns named like partition keys take each file's values
//     from its folders (year=2024/), in preference to a same-named field in the data.
#include <string>
#include <vector>

#include "core/read_options.hpp"
#include "core/record.hpp"

namespace pg_etl {

struct TargetInfo {
  std::string name;
  bool has_default = false;
};

struct PlannedColumn {
  size_t target;        // index into the targets given
  ColumnSource source;  // how the reader finds the value
};

struct ColumnPlan {
  std::vector<PlannedColumn> columns;  // filled from the data, in target order
  int filename_target = -1;            // index of the filename column, -1 if none
  // Columns set to one value for every row ("set" option), by target index.
  std::vector<std::pair<size_t, std::optional<std::string>>> constants;
  // Columns filled from the file's partition folders: target index -> partition key.
  std::vector<std::pair<size_t, std::string>> partitions;
};

ColumnPlan plan_columns(const std::vector<TargetInfo>& targets, const std::vector<std::string>& source_columns,
                        Format format, bool csv_has_header, const ReadOptions& options, bool for_load,
                        const std::string& url, const std::string& target_name,
                        const std::vector<std::string>& partition_keys = {});

}  // namespace pg_etl
