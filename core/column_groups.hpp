#pragma once
// Columns that hold one value: a JOIN ... USING / NATURAL column and the two input
// columns it merges. Joins nest, so groups chain: (a JOIN b USING (id)) JOIN c USING (id)
// makes a.id, b.id, c.id and both joins' id one group. A column is (range table index,
// attribute number) within one query level.
#include <cstddef>
#include <map>
#include <utility>
#include <vector>

namespace pg_etl {

class ColumnGroups {
 public:
  using Column = std::pair<int, int>;

  // These columns are one value (joins the groups they are already in).
  void same(const std::vector<Column>& columns);
  // The column's group in the order its members were first named; empty when the
  // column is in none.
  const std::vector<Column>& group_of(Column column) const;

 private:
  std::map<Column, std::size_t> group_index_;
  std::vector<std::vector<Column>> groups_;
};

}  // namespace pg_etl
