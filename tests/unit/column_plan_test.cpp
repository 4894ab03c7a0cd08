#include "core/column_plan.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace pg_etl;

namespace {
std::vector<size_t> targets_of(const ColumnPlan& p) {
  std::vector<size_t> v;
  for (const auto& c : p.columns) v.push_back(c.target);
  return v;
}
const std::vector<TargetInfo> kTable = {{"id", true}, {"name", false}, {"email", false}, {"loaded_at", true}};
}  // namespace

TEST(ColumnPlan, CsvLoadFillsOnlyColumnsTheHeaderNames) {
  ColumnPlan p = plan_columns(kTable, {"Name", "ID"}, Format::kCsv, true, ReadOptions{}, true, "f.csv", "t");
  EXPECT_EQ(targets_of(p), (std::vector<size_t>{0, 1})) << "email and loaded_at keep their defaults";
  EXPECT_EQ(p.columns[0].source.path, "ID");
}

TEST(ColumnPlan, CsvWithoutHeaderGoesByPosition) {
  ColumnPlan p = plan_columns(kTable, {"column1", "column2"}, Format::kCsv, false, ReadOptions{}, true, "f.csv", "t");
  EXPECT_EQ(targets_of(p), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(p.columns[1].source.position, 1);
}

TEST(ColumnPlan, JsonLoadFillsColumnsWithoutDefaultsAlways) {
  ColumnPlan p = plan_columns(kTable, {"name"}, Format::kJson, false, ReadOptions{}, true, "f.json", "t");
  EXPECT_EQ(targets_of(p), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(p.columns[0].source.path, "$['name']");
}

TEST(ColumnPlan, MappingsAndFilenameColumn) {
  ReadOptions o;
  o.columns["email"] = "$.contact.email";
  o.filename_column = "loaded_at";
  ColumnPlan p = plan_columns(kTable, {"id"}, Format::kJson, false, o, true, "f.json", "t");
  EXPECT_EQ(p.filename_target, 3);
  EXPECT_EQ(targets_of(p), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(p.columns[2].source.path, "$.contact.email");
}

TEST(ColumnPlan, Errors) {
  ReadOptions o;
  o.columns["nope"] = "x";
  EXPECT_THROW(plan_columns(kTable, {"id"}, Format::kCsv, true, o, true, "f.csv", "t"), Error);
  ReadOptions f;
  f.filename_column = "nope";
  EXPECT_THROW(plan_columns(kTable, {"id"}, Format::kCsv, true, f, true, "f.csv", "t"), Error);
  try {
    plan_columns(kTable, {"x", "y"}, Format::kCsv, true, ReadOptions{}, true, "f.csv", "t");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "42703");
  }
}

TEST(ColumnPlan, ReadsReturnEveryColumn) {
  ColumnPlan p = plan_columns(kTable, {"name"}, Format::kCsv, true, ReadOptions{}, false, "f.csv", "t");
  EXPECT_EQ(p.columns.size(), 4u);
}
