#include "core/column_lineage.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace pg_etl;
using nlohmann::json;
using S = LineageSubtype;

TEST(ColumnLineage, SubtypeNamesAreOpenLineages) {
  EXPECT_STREQ(lineage_subtype_name(S::kIdentity), "IDENTITY");
  EXPECT_STREQ(lineage_subtype_name(S::kTransformation), "TRANSFORMATION");
  EXPECT_STREQ(lineage_subtype_name(S::kAggregation), "AGGREGATION");
  EXPECT_STREQ(lineage_subtype_name(S::kFilter), "FILTER");
  EXPECT_STREQ(lineage_subtype_name(S::kJoin), "JOIN");
  EXPECT_STREQ(lineage_subtype_name(S::kGroupBy), "GROUP_BY");
  EXPECT_STREQ(lineage_subtype_name(S::kSort), "SORT");
  EXPECT_STREQ(lineage_subtype_name(S::kWindow), "WINDOW");
  EXPECT_STREQ(lineage_subtype_name(S::kConditional), "CONDITIONAL");
}

TEST(ColumnLineage, DirectSubtypesCombineToTheStronger) {
  EXPECT_EQ(combine_direct(S::kIdentity, S::kIdentity), S::kIdentity);
  EXPECT_EQ(combine_direct(S::kIdentity, S::kTransformation), S::kTransformation);
  EXPECT_EQ(combine_direct(S::kTransformation, S::kIdentity), S::kTransformation);
  EXPECT_EQ(combine_direct(S::kAggregation, S::kTransformation), S::kAggregation);
  EXPECT_EQ(combine_direct(S::kTransformation, S::kAggregation), S::kAggregation);
  EXPECT_THROW(combine_direct(S::kFilter, S::kIdentity), Error);
  EXPECT_TRUE(is_direct(S::kAggregation));
  EXPECT_FALSE(is_direct(S::kConditional));
}

TEST(ColumnLineage, FieldListKeepsFirstOrderAndDropsRepeats) {
  LineageFieldList list;
  EXPECT_TRUE(list.add({"public.t", "b", S::kIdentity}));
  EXPECT_TRUE(list.add({"public.t", "a", S::kIdentity}));
  EXPECT_FALSE(list.add({"public.t", "b", S::kIdentity}));
  EXPECT_TRUE(list.add({"public.t", "b", S::kTransformation}));  // another subtype is another entry
  EXPECT_TRUE(list.add({"public.u", "b", S::kIdentity}));
  EXPECT_EQ(list.to_json(), json::parse(R"([
    {"relation": "public.t", "column": "b", "subtype": "IDENTITY"},
    {"relation": "public.t", "column": "a", "subtype": "IDENTITY"},
    {"relation": "public.t", "column": "b", "subtype": "TRANSFORMATION"},
    {"relation": "public.u", "column": "b", "subtype": "IDENTITY"}])"));
}

TEST(ColumnLineage, ReportShape) {
  ColumnLineage lineage;
  size_t id = lineage.add_output("id");
  size_t total = lineage.add_output("total");
  size_t constant = lineage.add_output("?column?");
  lineage.add_source(total, {"pg_temp.input", "amount", S::kAggregation});
  lineage.add_source(id, {"pg_temp.input", "id", S::kIdentity});
  lineage.add_source(id, {"pg_temp.input", "id", S::kIdentity});
  lineage.add_indirect({"public.\"Customers\"", "id", S::kJoin});
  lineage.add_indirect({"pg_temp.input", "id", S::kGroupBy});
  lineage.add_indirect({"public.\"Customers\"", "id", S::kJoin});
  EXPECT_EQ(lineage.output_count(), 3u);
  (void)constant;
  EXPECT_EQ(lineage.to_json(), json::parse(R"({
    "columns": [
      {"column": "id", "sources": [{"relation": "pg_temp.input", "column": "id", "subtype": "IDENTITY"}]},
      {"column": "total", "sources": [{"relation": "pg_temp.input", "column": "amount", "subtype": "AGGREGATION"}]},
      {"column": "?column?", "sources": []}],
    "indirect": [
      {"relation": "public.\"Customers\"", "column": "id", "subtype": "JOIN"},
      {"relation": "pg_temp.input", "column": "id", "subtype": "GROUP_BY"}]})"));
}

TEST(ColumnLineage, EmptyQueryShape) {
  EXPECT_EQ(ColumnLineage().to_json(), json::parse(R"({"columns": [], "indirect": []})"));
}

TEST(ColumnLineage, MisusedSubtypesAreInternalErrors) {
  ColumnLineage lineage;
  size_t c = lineage.add_output("c");
  EXPECT_THROW(lineage.add_source(c, {"public.t", "a", S::kFilter}), Error);
  EXPECT_THROW(lineage.add_source(c + 1, {"public.t", "a", S::kIdentity}), Error);
  EXPECT_THROW(lineage.add_indirect({"public.t", "a", S::kIdentity}), Error);
  try {
    lineage.add_indirect({"public.t", "a", S::kAggregation});
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "XX000");
  }
}
