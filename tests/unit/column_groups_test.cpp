#include "core/column_groups.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

TEST(ColumnGroups, UsingColumnsChainAcrossNestedJoins) {
  using C = ColumnGroups::Column;
  ColumnGroups groups;
  // rti 3 = (1 JOIN 2 USING (id)), its column 1 merges 1.1 and 2.1
  groups.same({C{3, 1}, C{1, 1}, C{2, 1}});
  // rti 5 = (3 JOIN 4 USING (id, k)): its 1 merges 3.1 and 4.2, its 2 merges 3.4 and 4.1
  groups.same({C{5, 1}, C{3, 1}, C{4, 2}});
  groups.same({C{5, 2}, C{3, 4}, C{4, 1}});
  const std::vector<C> id{{3, 1}, {1, 1}, {2, 1}, {5, 1}, {4, 2}};
  EXPECT_EQ(groups.group_of({2, 1}), id);
  EXPECT_EQ(groups.group_of({5, 1}), id);
  EXPECT_EQ(groups.group_of({4, 1}), (std::vector<C>{{5, 2}, {3, 4}, {4, 1}}));
  EXPECT_TRUE(groups.group_of({1, 2}).empty());
}

TEST(ColumnGroups, TwoGroupsMeetInOne) {
  using C = ColumnGroups::Column;
  ColumnGroups groups;
  groups.same({C{1, 1}, C{2, 1}});
  groups.same({C{3, 1}, C{4, 1}});
  groups.same({C{5, 1}, C{2, 1}, C{4, 1}});
  const std::vector<C> all{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
  for (const C& c : all) EXPECT_EQ(groups.group_of(c), all);
}
