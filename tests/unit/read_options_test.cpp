#include "core/read_options.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace pg_etl;

TEST(ReadOptions, ParsesCsvOptions) {
  ReadOptions o = parse_read_options(
      R"({"delimiter": "|", "header": false, "null": ["NA", ""], "skip_rows": 2, "comment": "#", "encoding": "latin1",
          "reject_limit": -1, "format": "csv"})");
  EXPECT_EQ(o.csv.delimiter, '|');
  EXPECT_EQ(o.csv.header, HeaderMode::kFalse);
  EXPECT_EQ(o.csv.null_tokens.size(), 2u);
  EXPECT_EQ(o.csv.skip_rows, 2u);
  EXPECT_EQ(o.csv.encoding, Encoding::kLatin1);
  EXPECT_EQ(o.reject_limit, -1);
  EXPECT_EQ(o.format, Format::kCsv);
  EXPECT_EQ(parse_read_options(R"({"delimiter": "\\t"})").csv.delimiter, '\t');
}

TEST(ReadOptions, UnknownKeysAreErrorsWithASuggestion) {
  try {
    parse_read_options(R"({"delimeter": ";"})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_STREQ(e.what(), "unknown option \"delimeter\"");
    EXPECT_EQ(e.hint(), "did you mean \"delimiter\"?");
  }
}

TEST(ReadOptions, WrongTypesNameTheOption) {
  try {
    parse_read_options(R"({"reject_limit": "ten"})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "option \"reject_limit\" must be an integer");
  }
  EXPECT_THROW(parse_read_options(R"({"records_path": "$.a["})"), Error);
  EXPECT_THROW(parse_read_options("[1]"), Error);
  EXPECT_THROW(parse_read_options("{not json"), Error);
}

TEST(ReadOptions, FormatFromName) {
  bool tab = false;
  EXPECT_EQ(format_from_name("s3://b/x.csv.gz"), Format::kCsv);
  EXPECT_EQ(format_from_name("/x.TSV", &tab), Format::kCsv);
  EXPECT_TRUE(tab);
  EXPECT_EQ(format_from_name("/x.jsonl.zst"), Format::kNdjson);
  EXPECT_EQ(format_from_name("https://h/api?x=1"), Format::kAuto);
}

TEST(ReadOptions, RedactsSecrets) {
  std::string r = redact_options(R"({"password": "p", "headers": {"X-Api-Key": "k"}, "delimiter": ";"})");
  EXPECT_EQ(r.find("\"p\""), std::string::npos);
  EXPECT_EQ(r.find("\"k\""), std::string::npos);
  EXPECT_NE(r.find("\"delimiter\":\";\""), std::string::npos);
}
