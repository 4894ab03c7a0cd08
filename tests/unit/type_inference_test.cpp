#include "core/type_inference.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

namespace {
InferredColumn infer(std::initializer_list<const char*> values, InferenceOptions opt = {}) {
  ColumnInferrer c(&opt);
  for (const char* v : values) c.add(Value{v, ValueKind::kText});
  return c.finish("c");
}
InferredType type_of(std::initializer_list<const char*> values, InferenceOptions opt = {}) {
  return infer(values, opt).type;
}
}  // namespace

TEST(TypeInference, Numbers) {
  EXPECT_EQ(type_of({"1", "-2", "300"}), InferredType::kInteger);
  EXPECT_EQ(type_of({"1", "3000000000"}), InferredType::kBigint);
  EXPECT_EQ(type_of({"1", "99999999999999999999999"}), InferredType::kNumeric) << "beyond bigint";
  EXPECT_EQ(type_of({"12.50", "0.99", "100"}), InferredType::kNumeric) << "money stays exact";
  EXPECT_EQ(type_of({"1.5e-10", "2.0"}), InferredType::kDouble) << "exponents";
  EXPECT_EQ(type_of({"1.5", "NaN"}), InferredType::kDouble);
}

TEST(TypeInference, LeadingZerosStayText) {
  auto c = infer({"00123", "04567", "12345"});
  EXPECT_EQ(c.type, InferredType::kText);
  EXPECT_NE(c.detail_json().find("leading zeros"), std::string::npos) << c.detail_json();
  EXPECT_EQ(type_of({"0", "10"}), InferredType::kInteger) << "a lone zero is a number";
  EXPECT_EQ(type_of({"0.5"}), InferredType::kNumeric);
}

TEST(TypeInference, NullsAndBooleans) {
  auto c = infer({"yes", "NO", "NA", "", "N/A", "-", "null"});
  EXPECT_EQ(c.type, InferredType::kBoolean);
  EXPECT_EQ(c.nulls, 5);
  EXPECT_TRUE(c.nullable);
  EXPECT_EQ(type_of({"true", "false", "t"}), InferredType::kBoolean);
  EXPECT_EQ(type_of({"1", "0"}), InferredType::kInteger) << "0/1 are numbers";
  auto all_null = infer({"", "NA"});
  EXPECT_EQ(all_null.type, InferredType::kText);
  EXPECT_EQ(all_null.values, 0);
}

TEST(TypeInference, DatesByVoting) {
  auto c = infer({"05/06/2019", "13/06/2019", "01/12/2020"});
  EXPECT_EQ(c.type, InferredType::kDate);
  EXPECT_EQ(*c.date_format, DateFormat::kDmy) << "13/06 settles it";
  EXPECT_TRUE(c.ambiguous_formats.empty());
  auto amb = infer({"05/06/2019", "01/02/2020"});
  EXPECT_EQ(*amb.date_format, DateFormat::kMdy) << "default date_order MDY";
  EXPECT_EQ(amb.ambiguous_formats.size(), 2u);
  EXPECT_NE(amb.detail_json().find("ambiguous_formats"), std::string::npos);
  InferenceOptions dmy;
  dmy.date_order = "DMY";
  EXPECT_EQ(*infer({"05/06/2019"}, dmy).date_format, DateFormat::kDmy);
  EXPECT_EQ(*infer({"2019-06-05", "2020-01-31"}).date_format, DateFormat::kIso);
  EXPECT_EQ(*infer({"05.06.2019", "31.12.2019"}).date_format, DateFormat::kDmyDot);
  EXPECT_EQ(*infer({"Jun 12 1998", "Dec 1, 2001"}).date_format, DateFormat::kMonDY);
  EXPECT_EQ(type_of({"2019-02-30"}), InferredType::kText) << "not a real date";
  auto c2 = infer({"2019-06-05", "2019-07-01"});
  EXPECT_EQ(c2.min, "2019-06-05");
  EXPECT_EQ(c2.max, "2019-07-01");
}

TEST(TypeInference, Timestamps) {
  EXPECT_EQ(type_of({"2024-05-01 10:00", "2024-05-01T10:00:05.123"}), InferredType::kTimestamp);
  EXPECT_EQ(type_of({"2024-05-01", "2024-05-01 10:00:00"}), InferredType::kTimestamp) << "dates widen to timestamps";
  EXPECT_EQ(type_of({"2024-05-01T10:00:00Z", "2024-05-01 10:00:00+02:00"}), InferredType::kTimestamptz);
  EXPECT_EQ(type_of({"2024-05-01T10:00:00Z", "2024-05-01 10:00:00"}), InferredType::kTimestamp)
      << "timestamptz only when every value has an offset";
  EXPECT_EQ(type_of({"05/06/2019 10:30 PM"}), InferredType::kTimestamp);
  EXPECT_EQ(type_of({"10:30", "23:59:59"}), InferredType::kTime);
}

TEST(TypeInference, UuidJsonText) {
  EXPECT_EQ(type_of({"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}), InferredType::kUuid);
  EXPECT_EQ(type_of({"hello", "1"}), InferredType::kText);
  InferenceOptions o;
  ColumnInferrer j(&o);
  j.add(Value{"{\"a\": 1}", ValueKind::kJsonRaw});
  j.add(Value{"[1, 2]", ValueKind::kJsonRaw});
  j.add(Value{{}, ValueKind::kNull});
  EXPECT_EQ(j.finish("j").type, InferredType::kJsonb);
  ColumnInferrer n(&o);
  n.add(Value{"12.50", ValueKind::kJsonRaw});
  n.add(Value{"7", ValueKind::kJsonRaw});
  EXPECT_EQ(n.finish("n").type, InferredType::kNumeric);
  ColumnInferrer b(&o);
  b.add(Value{"true", ValueKind::kJsonRaw});
  EXPECT_EQ(b.finish("b").type, InferredType::kBoolean);
}

TEST(TypeInference, MergeAcrossFilesIgnoresEmptyOnes) {
  InferenceOptions o;
  ColumnInferrer a(&o), b(&o), empty(&o);
  a.add(Value{"1", ValueKind::kText});
  b.add(Value{"3000000000", ValueKind::kText});
  empty.add(Value{"", ValueKind::kText});
  a.merge(empty);
  EXPECT_EQ(a.finish("x").type, InferredType::kInteger);
  a.merge(b);
  auto c = a.finish("x");
  EXPECT_EQ(c.type, InferredType::kBigint);
  EXPECT_EQ(c.nulls, 1);
  EXPECT_EQ(c.max, "3000000000");
}

TEST(TypeInference, DistinctEstimate) {
  InferenceOptions o;
  ColumnInferrer c(&o);
  std::vector<std::string> vals;
  for (int i = 0; i < 20000; i++) vals.push_back(std::to_string(i % 5000));
  for (const auto& v : vals) c.add(Value{v, ValueKind::kText});
  const int64_t est = c.finish("d").distinct_estimate;
  EXPECT_GT(est, 4700);
  EXPECT_LT(est, 5300);
}

#include "core/csv_dialect.hpp"

TEST(CsvDialect, Delimiters) {
  EXPECT_EQ(sniff_csv_dialect("a,b,c\n1,2,3\n4,5,6\n").delimiter, ',');
  EXPECT_EQ(sniff_csv_dialect("a;b;c\n1,5;2;3\n4;5;6\n").delimiter, ';') << "decimal commas do not fool it";
  EXPECT_EQ(sniff_csv_dialect("a\tb\n1\t2\n").delimiter, '\t');
  EXPECT_EQ(sniff_csv_dialect("id|name|note\n1|Ada|x, y\n2|Bob|z\n").delimiter, '|');
  auto one = sniff_csv_dialect("just one column\nanother line\n");
  EXPECT_FALSE(one.confident);
  EXPECT_EQ(one.delimiter, ',');
}

TEST(CsvDialect, QuotesAndEscapes) {
  auto q = sniff_csv_dialect("a,b\n1,'x, y'\n2,'z'\n");
  EXPECT_EQ(q.quote, '\'');
  EXPECT_EQ(q.delimiter, ',');
  auto e = sniff_csv_dialect("a,b\n1,\"say \\\"hi\\\"\"\n2,\"x\"\n");
  EXPECT_EQ(e.escape, '\\');
}

TEST(TypeInference, DateStatisticsUseTheChosenSpelling) {
  auto c = infer({"13/05/2024", "01/06/2024"});
  EXPECT_EQ(*c.date_format, DateFormat::kDmy);
  EXPECT_EQ(c.min, "2024-05-13");
  EXPECT_EQ(c.max, "2024-06-01");
}

TEST(TypeInference, TimestamptzBoundsAreInstants) {
  // 09:00-05:00 is 14:00 UTC, later than 12:00+00:00 and 13:30+05:30 (08:00 UTC)
  auto c = infer({"2024-05-13 12:00:00+00:00", "2024-05-13 09:00:00-05:00", "2024-05-13 13:30:00+05:30"});
  EXPECT_EQ(c.type, InferredType::kTimestamptz);
  EXPECT_EQ(c.min, "2024-05-13 13:30:00+05:30");
  EXPECT_EQ(c.max, "2024-05-13 09:00:00-05:00");
}

TEST(TypeInference, IsoTextNeedsNoLocale) {
  ParsedDateTime t;
  ASSERT_TRUE(parse_date_time("Jun 5 0987 7:04:09.5 PM -0330", DateFormat::kMonDY, t));
  EXPECT_EQ(iso_text(t), "0987-06-05 19:04:09.500000-03:30");
  ASSERT_TRUE(parse_date_time(" 2019-06-05 ", DateFormat::kIso, t));
  EXPECT_EQ(iso_text(t), "2019-06-05");
  EXPECT_EQ(matching_date_formats("05/06/2019", nullptr, 1u << static_cast<int>(DateFormat::kDmy)),
            1u << static_cast<int>(DateFormat::kDmy))
      << "only the candidate spellings are tried";
  EXPECT_EQ(matching_date_formats("\"2019-06-05\""), 0u);
}
