#include "core/timestamp_format.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace pg_etl {
namespace {

ParsedDateTime parsed(const char* pattern, const char* text) {
  ParsedDateTime t;
  EXPECT_TRUE(TimestampFormat(pattern).parse(text, t)) << pattern << " / " << text;
  return t;
}

bool matches(const char* pattern, const char* text) {
  ParsedDateTime t;
  return TimestampFormat(pattern).parse(text, t);
}

TEST(TimestampFormatTest, ReadsPostgresPatterns) {
  ParsedDateTime t = parsed("DD.MM.YYYY HH24:MI:SS", "05.06.2019 17:04:09");
  EXPECT_EQ(t.year, 2019);
  EXPECT_EQ(t.month, 6);
  EXPECT_EQ(t.day, 5);
  EXPECT_EQ(t.hour, 17);
  EXPECT_EQ(t.minute, 4);
  EXPECT_EQ(t.second, 9);
  EXPECT_FALSE(t.has_offset);
  t = parsed("YYYY-MM-DD\"T\"HH24:MI:SS.US", "2019-06-05T10:00:00.123456");
  EXPECT_EQ(t.micros, 123456);
  t = parsed("YYYY-MM-DDTHH24:MI", " 2019-06-05T10:30 ");
  EXPECT_EQ(t.minute, 30);
  t = parsed("yyyy/mm/dd", "2019/6/5");
  EXPECT_EQ(t.month, 6);
  EXPECT_EQ(t.day, 5);
}

TEST(TimestampFormatTest, FractionsAreFractions) {
  EXPECT_EQ(parsed("YYYY-MM-DD HH24:MI:SS.MS", "2019-06-05 12:00:12.3").micros, 300000);
  EXPECT_EQ(parsed("YYYY-MM-DD HH24:MI:SS.MS", "2019-06-05 12:00:12.045").micros, 45000);
  EXPECT_EQ(parsed("YYYY-MM-DD HH24:MI:SS.FF2", "2019-06-05 12:00:12.07").micros, 70000);
  EXPECT_FALSE(matches("YYYY-MM-DD HH24:MI:SS.MS", "2019-06-05 12:00:12.0455"));
}

TEST(TimestampFormatTest, NamesAndMeridiem) {
  ParsedDateTime t = parsed("Mon DD, YYYY HH12:MI AM", "jun 05, 2019 10:15 PM");
  EXPECT_EQ(t.month, 6);
  EXPECT_EQ(t.hour, 22);
  t = parsed("Day, DD Month YYYY HH:MI a.m.", "Wednesday, 05 June 2019 12:15 a.m.");
  EXPECT_EQ(t.hour, 0);
  EXPECT_EQ(t.month, 6);
  t = parsed("Dy DD Mon YY", "Wed 05 Jun 19");
  EXPECT_EQ(t.year, 2019);
  EXPECT_EQ(parsed("DD Mon YY", "05 Jun 70").year, 1970);
  EXPECT_FALSE(matches("HH12:MI AM DD/MM/YYYY", "13:00 PM 05/06/2019"));
  EXPECT_FALSE(matches("DD Month YYYY", "05 Jun 2019"));
}

TEST(TimestampFormatTest, Offsets) {
  ParsedDateTime t = parsed("YYYY-MM-DD HH24:MI:SS TZH:TZM", "2019-06-05 10:00:00 -05:30");
  EXPECT_TRUE(t.has_offset);
  EXPECT_EQ(t.offset_seconds, -(5 * 3600 + 30 * 60));
  t = parsed("YYYY-MM-DD HH24:MITZ", "2019-06-05 10:00Z");
  EXPECT_TRUE(t.has_offset);
  EXPECT_EQ(t.offset_seconds, 0);
  EXPECT_EQ(parsed("YYYY-MM-DD HH24:MITZ", "2019-06-05 10:00+0200").offset_seconds, 7200);
  EXPECT_EQ(parsed("YYYY-MM-DD HH24:MITZ", "2019-06-05 10:00+02").offset_seconds, 7200);
}

TEST(TimestampFormatTest, RejectsWhatDoesNotFit) {
  EXPECT_FALSE(matches("YYYY-MM-DD", "2019-02-30"));
  EXPECT_FALSE(matches("YYYY-MM-DD", "2019-06-05 10:00"));
  EXPECT_FALSE(matches("YYYY-MM-DD", "2019-13-01"));
  EXPECT_FALSE(matches("YYYY-MM-DD HH24:MI", "2019-06-05 24:00"));
  EXPECT_FALSE(matches("YYYY-MM-DD", ""));
  EXPECT_FALSE(matches("DD.MM.YYYY", "05/06/2019"));
  EXPECT_TRUE(matches("YYYY-MM-DD", "2020-02-29"));
}

TEST(TimestampFormatTest, BadPatternsNameTheProblem) {
  try {
    TimestampFormat f("HH24:MI");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22007");
    EXPECT_NE(std::string(e.what()).find("HH24:MI"), std::string::npos);
  }
  EXPECT_THROW(TimestampFormat("YYYY-MM-DD \"T"), Error);
}

TEST(TimestampFormatTest, AnySpelling) {
  ParsedDateTime t;
  ASSERT_TRUE(parse_timestamp_any("2019-06-05 10:00:00+02", t));
  EXPECT_EQ(t.offset_seconds, 7200);
  ASSERT_TRUE(parse_timestamp_any("06/05/2019", t));  // US order first
  EXPECT_EQ(t.month, 6);
  ASSERT_TRUE(parse_timestamp_any("31/12/2019", t));
  EXPECT_EQ(t.month, 12);
  ASSERT_TRUE(parse_timestamp_any("1560000000", t));
  EXPECT_EQ(t.year, 2019);
  EXPECT_TRUE(t.has_offset);
  ASSERT_TRUE(parse_timestamp_any("1560000000123", t));
  EXPECT_EQ(t.micros, 123000);
  ASSERT_TRUE(parse_timestamp_any("20190605", t));
  EXPECT_EQ(t.day, 5);
  ASSERT_TRUE(parse_timestamp_any("20190605T101500Z", t));
  EXPECT_EQ(t.hour, 10);
  EXPECT_TRUE(t.has_offset);
  EXPECT_FALSE(parse_timestamp_any("yesterday", t));
  EXPECT_FALSE(parse_timestamp_any("123456", t));
}

}  // namespace
}  // namespace pg_etl
