#include "core/json_reader.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "memory_source.hpp"

using namespace pg_etl;
using pg_etl::testing::memory;

namespace {

struct Row {
  std::vector<std::string> values;  // "<NULL>" for NULL
  uint64_t line;
  std::string problem;
};

class JsonReaderTest : public ::testing::TestWithParam<std::pair<size_t, size_t>> {
 protected:
  std::vector<Row> read(const std::string& json, std::vector<ColumnSource> cols, JsonOptions opt = {}) {
    opt.window_bytes = GetParam().first;
    JsonReader r(memory(json, GetParam().second), opt, "mem://t.json");
    if (!cols.empty()) r.set_projection(cols);
    std::vector<Row> out;
    Record rec;
    while (r.next(rec)) {
      Row row{{}, rec.line, rec.problem ? rec.problem->message : ""};
      for (const Value& v : rec.values) row.values.push_back(v.is_null() ? "<NULL>" : std::string(v.text));
      out.push_back(row);
    }
    return out;
  }
};

std::vector<ColumnSource> cols(std::initializer_list<std::pair<const char*, const char*>> c) {
  std::vector<ColumnSource> out;
  for (auto& [name, path] : c) out.push_back({name, path, -1});
  return out;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Windows, JsonReaderTest,
                         ::testing::Values(std::make_pair<size_t, size_t>(1 << 20, 1 << 20),
                                           std::make_pair<size_t, size_t>(16, 5)));

TEST_P(JsonReaderTest, ArrayOfObjects) {
  auto rows = read(R"([{"id": 1, "name": "Ada"},
  {"name": "Grace", "id": 2, "extra": true}])",
                   cols({{"id", ""}, {"name", ""}}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"1", "Ada"}));
  EXPECT_EQ(rows[1].values, (std::vector<std::string>{"2", "Grace"}));
  EXPECT_EQ(rows[1].line, 2u);
}

TEST_P(JsonReaderTest, NdjsonWithBlankLinesAndAMalformedLine) {
  auto rows = read("{\"id\":1}\n\n{\"id\":2\n{\"id\":3}\n", cols({{"id", ""}}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].values[0], "1");
  EXPECT_NE(rows[1].problem, "");
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[2].values[0], "3");
  EXPECT_EQ(rows[2].line, 4u);
}

TEST_P(JsonReaderTest, NumbersKeepTheirExactText) {
  auto rows = read(R"([{"amount": 12345678901234567.89, "big": 1e400, "t": true}])",
                   cols({{"amount", ""}, {"big", ""}, {"t", ""}}));
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"12345678901234567.89", "1e400", "true"}));
}

TEST_P(JsonReaderTest, NestedValuesAsJsonTextAndPaths) {
  auto rows = read(R"({"id": 1, "customer": {"name": "Ada", "tags": ["a", "b"]}, "items": [{"sku": "x"}, {"sku": "y"}]}
)",
                   cols({{"customer", ""}, {"name", "$.customer.name"}, {"second_sku", "$.items[1].sku"},
                         {"missing", "$.customer.nope"}}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values[0], R"({"name": "Ada", "tags": ["a", "b"]})");
  EXPECT_EQ(rows[0].values[1], "Ada");
  EXPECT_EQ(rows[0].values[2], "y");
  EXPECT_EQ(rows[0].values[3], "<NULL>");
}

TEST_P(JsonReaderTest, RecordsPath) {
  JsonOptions opt;
  opt.records_path = "$.data.items[*]";
  auto rows = read(R"({"meta": {"skip": [1, {"items": "not this"}]}, "data": {"count": 2, "items": [{"id": 1}, {"id": 2}]}, "after": 1})",
                   cols({{"id", ""}}), opt);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].values[0], "2");
}

TEST_P(JsonReaderTest, RecordsPathMissing) {
  JsonOptions opt;
  opt.records_path = "$.data.rows[*]";
  try {
    read(R"({"data": {"items": []}})", cols({{"id", ""}}), opt);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "2203A");
    EXPECT_NE(std::string(e.what()).find("no key \"rows\""), std::string::npos) << e.what();
  }
}

TEST_P(JsonReaderTest, ConcatenatedPrettyPrintedDocuments) {
  auto rows = read("{\n  \"id\": 1\n}\n{\n  \"id\": 2\n}\n", cols({{"id", ""}}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 4u);
}

TEST_P(JsonReaderTest, StringsAreUnescaped) {
  auto rows = read(R"([{"s": "a\"b\\c\u00e9\n"}])", cols({{"s", ""}}));
  EXPECT_EQ(rows[0].values[0], "a\"b\\c\xC3\xA9\n");
}

TEST_P(JsonReaderTest, WholeRecordWithoutProjection) {
  auto rows = read(R"([{"a": 1}, {"b": [2]}])", {});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].values[0], R"({"b": [2]})");
}

TEST_P(JsonReaderTest, EmptyInputsHaveNoRecords) {
  EXPECT_TRUE(read("", cols({{"a", ""}})).empty());
  EXPECT_TRUE(read("[]", cols({{"a", ""}})).empty());
  EXPECT_TRUE(read("  \n ", cols({{"a", ""}})).empty());
}

TEST_P(JsonReaderTest, ScalarRecordsFeedASingleColumn) {
  auto rows = read("[1, \"two\", null]", cols({{"v", ""}}));
  EXPECT_EQ(rows[1].values[0], "two");
  EXPECT_EQ(rows[2].values[0], "<NULL>");
}

TEST(JsonReader, TruncatedArrayIsAnError) {
  JsonReader r(memory(R"([{"id": 1}, {"id": 2)"), JsonOptions{}, "mem://t.json");
  r.set_projection(cols({{"id", ""}}));
  Record rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_THROW(r.next(rec), Error);
}

TEST(JsonPath, ParsesTheSubset) {
  auto s = parse_json_path("$.data['a b'][3][*]", "records_path");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[1].key, "a b");
  EXPECT_EQ(s[2].index, 3u);
  EXPECT_EQ(s[3].kind, JsonPathStep::kWildcard);
  EXPECT_EQ(parse_json_path("a.b", "x").size(), 2u);
  EXPECT_THROW(parse_json_path("$.a[", "records_path"), Error);
}
