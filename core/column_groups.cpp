#include "core/column_groups.hpp"

namespace pg_etl {

void ColumnGroups::same(const std::vector<Column>& columns) {
  std::size_t target = groups_.size();  // none yet
  for (const Column& c : columns) {
    auto found = group_index_.find(c);
    if (found == group_index_.end() || found->second == target) continue;
    if (target == groups_.size()) {
      target = found->second;
      continue;
    }
    // two groups meet: move the later one's members into the target
    const std::size_t from = found->second;
    for (const Column& moved : groups_[from]) {
      group_index_[moved] = target;
      groups_[target].push_back(moved);
    }
    groups_[from].clear();
  }
  if (target == groups_.size()) groups_.emplace_back();
  for (const Column& c : columns) {
    if (group_index_.emplace(c, target).second) groups_[target].push_back(c);
  }
}

const std::vector<ColumnGroups::Column>& ColumnGroups::group_of(Column column) const {
  static const std::vector<Column> kNone;
  auto found = group_index_.find(column);
  return found == group_index_.end() ? kNone : groups_[found->second];
}

}  // namespace pg_etl
