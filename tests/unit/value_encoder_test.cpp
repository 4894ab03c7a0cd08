#include "core/value_encoder.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

namespace {

std::string hex(const std::string& b) {
  static const char* h = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) s += std::string{h[c >> 4], h[c & 15]};
  return s;
}

struct Result {
  Encoded status;
  std::string bytes;  // hex
  std::string sqlstate;
  std::string message;
};

Result enc(TypeKind k, const std::string& text, ValueKind vk = ValueKind::kText) {
  std::string out;
  EncodeError err;
  Encoded e = encode_binary(k, Value{text, vk}, out, err);
  return {e, hex(out), err.sqlstate, err.message};
}

}  // namespace

TEST(ValueEncoder, Integers) {
  EXPECT_EQ(enc(TypeKind::kInt4, "42").bytes, "0000002a");
  EXPECT_EQ(enc(TypeKind::kInt4, " -1 ").bytes, "ffffffff");
  EXPECT_EQ(enc(TypeKind::kInt4, "+7").bytes, "00000007");
  EXPECT_EQ(enc(TypeKind::kInt2, "-32768").bytes, "8000");
  EXPECT_EQ(enc(TypeKind::kInt8, "-9223372036854775808").bytes, "8000000000000000");
  auto bad = enc(TypeKind::kInt4, "12a");
  EXPECT_EQ(bad.status, Encoded::kInvalid);
  EXPECT_EQ(bad.sqlstate, "22P02");
  EXPECT_EQ(bad.message, "invalid input syntax for type integer: \"12a\"");
  auto big = enc(TypeKind::kInt4, "2147483648");
  EXPECT_EQ(big.sqlstate, "22003");
  EXPECT_EQ(big.message, "value \"2147483648\" is out of range for type integer");
  EXPECT_EQ(enc(TypeKind::kInt8, "9223372036854775808").sqlstate, "22003");
  EXPECT_EQ(enc(TypeKind::kInt4, "").status, Encoded::kInvalid);
  EXPECT_EQ(enc(TypeKind::kInt4, "1.0").status, Encoded::kInvalid) << "PostgreSQL's int4in refuses decimals";
}

TEST(ValueEncoder, Booleans) {
  for (const char* t : {"t", "TRUE", "tr", "yes", "Y", "on", "1", " true "}) EXPECT_EQ(enc(TypeKind::kBool, t).bytes, "01") << t;
  for (const char* f : {"f", "false", "no", "N", "off", "of", "0"}) EXPECT_EQ(enc(TypeKind::kBool, f).bytes, "00") << f;
  for (const char* x : {"o", "maybe", "2", "truee", ""}) EXPECT_EQ(enc(TypeKind::kBool, x).status, Encoded::kInvalid) << x;
}

TEST(ValueEncoder, Floats) {
  EXPECT_EQ(enc(TypeKind::kFloat8, "1.5").bytes, "3ff8000000000000");
  EXPECT_EQ(enc(TypeKind::kFloat8, "-Infinity").bytes, "fff0000000000000");
  EXPECT_EQ(enc(TypeKind::kFloat8, "NaN").status, Encoded::kOk);
  EXPECT_EQ(enc(TypeKind::kFloat4, "1.5").bytes, "3fc00000");
  EXPECT_EQ(enc(TypeKind::kFloat8, "1e400").sqlstate, "22003");
  EXPECT_EQ(enc(TypeKind::kFloat8, "abc").sqlstate, "22P02");
  EXPECT_EQ(enc(TypeKind::kFloat8, "0x1p3").status, Encoded::kDefer) << "strtod spellings are the server's call";
}

TEST(ValueEncoder, NumericIsExact) {
  // ndigits weight sign dscale digits...
  EXPECT_EQ(enc(TypeKind::kNumeric, "12345").bytes, "0002000100000000" "0001" "0929");
  EXPECT_EQ(enc(TypeKind::kNumeric, "1.50").bytes, "0002000000000002" "0001" "1388");
  EXPECT_EQ(enc(TypeKind::kNumeric, "-0.005").bytes, "0001ffff40000003" "0032");
  EXPECT_EQ(enc(TypeKind::kNumeric, "0.00").bytes, "0000000000000002");
  EXPECT_EQ(enc(TypeKind::kNumeric, "1e3").bytes, "0001000000000000" "03e8");
  EXPECT_EQ(enc(TypeKind::kNumeric, "12345678901234567.89").bytes,
            "0006000400000002" "0001" "0929" "1a85" "007b" "11d7" "22c4");
  EXPECT_EQ(enc(TypeKind::kNumeric, "NaN").bytes, "00000000c0000000");
  EXPECT_EQ(enc(TypeKind::kNumeric, "1,5").sqlstate, "22P02");
}

TEST(ValueEncoder, DatesAndTimestamps) {
  EXPECT_EQ(enc(TypeKind::kDate, "2000-01-01").bytes, "00000000");
  EXPECT_EQ(enc(TypeKind::kDate, "2024-02-29").bytes, "00002279");  // 8825 days
  EXPECT_EQ(enc(TypeKind::kDate, "2023-02-29").sqlstate, "22008");
  EXPECT_EQ(enc(TypeKind::kDate, "05/01/2024").status, Encoded::kDefer) << "DateStyle decides";
  EXPECT_EQ(enc(TypeKind::kTimestamp, "2000-01-01 00:00:01").bytes, "00000000000f4240");
  EXPECT_EQ(enc(TypeKind::kTimestamp, "2000-01-01T00:00:00.5").bytes, "000000000007a120");
  EXPECT_EQ(enc(TypeKind::kTimestamp, "2000-01-01").bytes, "0000000000000000");
  EXPECT_EQ(enc(TypeKind::kTimestampTz, "2000-01-01 01:00:00+01:00").bytes, "0000000000000000");
  EXPECT_EQ(enc(TypeKind::kTimestampTz, "2000-01-01 00:00:00Z").bytes, "0000000000000000");
  EXPECT_EQ(enc(TypeKind::kTimestampTz, "2000-01-01 00:00:00").status, Encoded::kDefer) << "TimeZone decides";
  EXPECT_EQ(enc(TypeKind::kTimestamp, "2000-01-01 24:00:00").status, Encoded::kDefer);
  EXPECT_EQ(enc(TypeKind::kTimestamp, "2000-01-01 00:00:00.1234567").status, Encoded::kDefer);
  EXPECT_EQ(enc(TypeKind::kTime, "13:45:00").bytes, "0000000b866e0f00");
}

TEST(ValueEncoder, UuidTextJson) {
  EXPECT_EQ(enc(TypeKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").bytes, "a0eebc999c0b4ef8bb6d6bb9bd380a11");
  EXPECT_EQ(enc(TypeKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g").sqlstate, "22P02");
  EXPECT_EQ(enc(TypeKind::kUuid, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}").status, Encoded::kDefer);
  EXPECT_EQ(enc(TypeKind::kText, "héllo").bytes, hex("héllo"));
  EXPECT_EQ(enc(TypeKind::kText, std::string("a\0b", 3), ValueKind::kJsonString).sqlstate, "22021");
  EXPECT_EQ(enc(TypeKind::kJsonb, "say \"hi\"", ValueKind::kJsonString).bytes, hex("\x01\"say \\\"hi\\\"\""));
  EXPECT_EQ(enc(TypeKind::kJsonb, "{\"a\": 1}", ValueKind::kJsonRaw).bytes, hex("\x01{\"a\": 1}"));
  EXPECT_EQ(enc(TypeKind::kOther, "x").status, Encoded::kDefer);
}

TEST(ValueEncoder, DaysFromCivil) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 1, 1), 10957);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

TEST(ParseInteger, AcceptsWhatPostgresIntegerInputAccepts) {
  EXPECT_EQ(parse_integer(TypeKind::kInt4, " +0042 "), 42);
  EXPECT_EQ(parse_integer(TypeKind::kInt8, "0000000000000000000000000000007"), 7) << "leading zeros do not count toward the limit";
  EXPECT_EQ(parse_integer(TypeKind::kInt4, "-0"), 0);
  EXPECT_EQ(parse_integer(TypeKind::kInt2, "-32768"), -32768);
  EXPECT_EQ(parse_integer(TypeKind::kInt8, "-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_integer(TypeKind::kInt8, "9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", " ", "-", "+", "1 2", "12a", "0x10", "1_000", "1.0", "--1"})
    EXPECT_FALSE(parse_integer(TypeKind::kInt8, bad)) << bad;
}

TEST(ParseInteger, SaysWhenAValueIsOutOfRange) {
  bool out = false;
  EXPECT_FALSE(parse_integer(TypeKind::kInt2, "32768", &out));
  EXPECT_TRUE(out);
  for (const char* big : {"9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999999"}) {
    out = false;
    EXPECT_FALSE(parse_integer(TypeKind::kInt8, big, &out)) << big;
    EXPECT_TRUE(out) << big;
  }
  EXPECT_FALSE(parse_integer(TypeKind::kInt4, "abc", &out));
  EXPECT_FALSE(out) << "a syntax error is not a range error";
}
