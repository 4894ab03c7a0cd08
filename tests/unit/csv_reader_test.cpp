#include "core/csv_reader.hpp"

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

std::vector<Row> read_all(const std::string& csv, CsvOptions opt = {}, size_t chunk = 1 << 20,
                          std::vector<std::string>* header = nullptr) {
  CsvReader r(memory(csv, chunk), opt, "mem://t.csv");
  if (header) *header = r.source_columns();
  std::vector<Row> out;
  Record rec;
  while (r.next(rec)) {
    Row row{{}, rec.line, rec.problem ? rec.problem->message : ""};
    for (const Value& v : rec.values) row.values.push_back(v.is_null() ? "<NULL>" : std::string(v.text));
    out.push_back(row);
  }
  return out;
}

// Every test runs with a large window and with a 16-byte window fed 3 bytes at a
// time, so each parser state meets a buffer boundary.
class CsvReaderTest : public ::testing::TestWithParam<std::pair<size_t, size_t>> {
 protected:
  std::vector<Row> read(const std::string& csv, CsvOptions opt = {}, std::vector<std::string>* header = nullptr) {
    opt.window_bytes = GetParam().first;
    return read_all(csv, opt, GetParam().second, header);
  }
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Windows, CsvReaderTest,
                         ::testing::Values(std::make_pair<size_t, size_t>(1 << 20, 1 << 20),
                                           std::make_pair<size_t, size_t>(16, 3)));

TEST_P(CsvReaderTest, HeaderAndRows) {
  std::vector<std::string> header;
  auto rows = read("id,name\n1,Ada\n2,Grace\n", {}, &header);
  ASSERT_EQ(header, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"1", "Ada"}));
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[1].line, 3u);
}

TEST_P(CsvReaderTest, QuotedDelimitersQuotesAndNewlines) {
  auto rows = read("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n3,4,5\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"x,y", "say \"hi\"", "line1\nline2"}));
  EXPECT_EQ(rows[1].line, 4u) << "the quoted newline counts as a line";
}

TEST_P(CsvReaderTest, CrlfAndMissingFinalNewline) {
  auto rows = read("a,b\r\n1,2\r\n3,4");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(rows[1].values, (std::vector<std::string>{"3", "4"}));
}

TEST_P(CsvReaderTest, ByteOrderMarkIsSkipped) {
  std::vector<std::string> header;
  read("\xEF\xBB\xBFid,name\n1,a\n", {}, &header);
  EXPECT_EQ(header[0], "id");
}

TEST_P(CsvReaderTest, EmptyFileHasNoRows) {
  EXPECT_TRUE(read("").empty());
  EXPECT_TRUE(read("id,name\n").empty());
}

TEST_P(CsvReaderTest, UnquotedEmptyIsNullQuotedEmptyIsEmpty) {
  auto rows = read("a,b,c\n,\"\",x\n");
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"<NULL>", "", "x"}));
}

TEST_P(CsvReaderTest, NullTokens) {
  CsvOptions opt;
  opt.null_tokens = {"NA", "-"};
  auto rows = read("a,b,c\nNA,-,\"NA\"\n", opt);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"<NULL>", "<NULL>", "NA"}));
}

TEST_P(CsvReaderTest, RaggedRowsAreReportedNotGuessed) {
  auto rows = read("a,b,c\n1,2\n1,2,3,4\n5,6,7\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].problem, "missing data: expected 3 fields, found 2");
  EXPECT_EQ(rows[1].problem, "extra data: expected 3 fields, found 4");
  EXPECT_EQ(rows[2].problem, "");
}

TEST_P(CsvReaderTest, RaggedRowsPaddedOnRequest) {
  CsvOptions opt;
  opt.allow_ragged = true;
  std::vector<std::string> header;
  CsvReader r(memory("a,b,c\n1,2\n"), opt, "mem://t.csv");
  r.set_projection({{"a", "", -1}, {"b", "", -1}, {"c", "", -1}});
  Record rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_FALSE(rec.problem);
  EXPECT_TRUE(rec.values[2].is_null());
}

TEST_P(CsvReaderTest, SkipRowsAndComments) {
  CsvOptions opt;
  opt.skip_rows = 2;
  opt.comment = '#';
  auto rows = read("report generated today\n\n# a comment\na,b\n# another\n1,2\n", opt);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(rows[0].line, 6u);
}

TEST_P(CsvReaderTest, BlankLinesAreSkipped) {
  auto rows = read("a,b\n\n1,2\n\n\n3,4\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 6u);
}

TEST_P(CsvReaderTest, DelimiterQuoteEscapeOptions) {
  CsvOptions opt;
  opt.delimiter = '|';
  opt.quote = '\'';
  opt.escape = '\\';
  auto rows = read("a|b\n'it\\'s|here'|2\n", opt);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"it's|here", "2"}));
}

TEST_P(CsvReaderTest, TabSeparated) {
  CsvOptions opt;
  opt.delimiter = '\t';
  auto rows = read("a\tb\n1\t2\n", opt);
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"1", "2"}));
}

TEST_P(CsvReaderTest, InvalidUtf8IsAProblemWithItsColumn) {
  auto rows = read("a,b\nok,bad\xC3\x28\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].problem, "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
}

TEST_P(CsvReaderTest, Latin1IsConverted) {
  CsvOptions opt;
  opt.encoding = Encoding::kLatin1;
  auto rows = read("name\nJos\xE9\n", opt);
  EXPECT_EQ(rows[0].values[0], "Jos\xC3\xA9");
}

TEST_P(CsvReaderTest, UnterminatedQuoteIsAProblem) {
  auto rows = read("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].problem, "unterminated quoted field");
}

TEST_P(CsvReaderTest, HeaderAutoDetection) {
  std::vector<std::string> header;
  auto rows = read("1,2\n3,4\n", {}, &header);
  EXPECT_EQ(header, (std::vector<std::string>{"column1", "column2"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 1u);
  rows = read("id,amount\n1,2.5\n", {}, &header);
  EXPECT_EQ(header[1], "amount");
  EXPECT_EQ(rows.size(), 1u);
}

TEST_P(CsvReaderTest, HeaderAutoUsesExpectedColumnNames) {
  CsvOptions opt;
  opt.expected_columns = {"name", "city"};
  std::vector<std::string> header;
  auto rows = read("name,city\nAda,London\n", opt, &header);
  EXPECT_EQ(header[0], "name");
  ASSERT_EQ(rows.size(), 1u);
  opt.expected_columns = {"x", "y"};
  rows = read("Ada,London\nGrace,Arlington\n", opt, &header);
  EXPECT_EQ(rows.size(), 2u);
}

TEST_P(CsvReaderTest, ProjectionByNameCaseAndPunctuationInsensitive) {
  CsvOptions opt;
  opt.window_bytes = GetParam().first;
  CsvReader r(memory("Order ID,Customer,extra\n7,Ada,z\n", GetParam().second), opt, "mem://t.csv");
  r.set_projection({{"customer", "", -1}, {"order_id", "", -1}, {"missing", "", -1}});
  Record rec;
  ASSERT_TRUE(r.next(rec));
  ASSERT_EQ(rec.values.size(), 3u);
  EXPECT_EQ(rec.values[0].text, "Ada");
  EXPECT_EQ(rec.values[1].text, "7");
  EXPECT_TRUE(rec.values[2].is_null());
}

TEST(CsvReader, NoMatchingColumnIsAnError) {
  CsvReader r(memory("p,q\n1,2\n"), CsvOptions{}, "mem://t.csv");
  try {
    r.set_projection({{"a", "", -1}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "42703");
  }
}

TEST(CsvReader, RecordsLargerThanTheWindowGrowIt) {
  std::string big(100000, 'x');
  CsvOptions opt;
  opt.window_bytes = 64;
  auto rows = read_all("a,b\n\"" + big + "\",1\n", opt, 7);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values[0].size(), big.size());
}

TEST(CsvReader, ByteOffsetsPointAtRecords) {
  CsvReader r(memory("a\n11\n222\n"), CsvOptions{}, "mem://t.csv");
  Record rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_EQ(rec.byte_offset, 2u);
  ASSERT_TRUE(r.next(rec));
  EXPECT_EQ(rec.byte_offset, 5u);
  EXPECT_EQ(rec.raw, "222");
}

TEST(Encoding, SanitizeUtf8) {
  EXPECT_EQ(sanitize_utf8("ok\xC3\x28z"), "ok\xEF\xBF\xBD(z");
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(sanitize_utf8("h\xC3\xA9llo", 2), "h");
  EXPECT_EQ(sanitize_utf8("h\xC3\xA9llo", 3), "h\xC3\xA9");
}
