#include "core/error.hpp"

#include <gtest/gtest.h>

#include "core/sqlstate.hpp"

using pg_etl::Error;

TEST(Error, CarriesSqlstateMessageDetailHint) {
  Error e(pg_etl::sqlstate::kBadCopyFileFormat, "bad row", "line 3", "check the delimiter");
  EXPECT_EQ(e.sqlstate(), "22P04");
  EXPECT_STREQ(e.what(), "bad row");
  EXPECT_EQ(e.detail(), "line 3");
  EXPECT_EQ(e.hint(), "check the delimiter");
}

TEST(Error, MalformedSqlstateBecomesInternalError) {
  EXPECT_EQ(Error("2202", "x").sqlstate(), "XX000");
  EXPECT_EQ(Error("22p02", "x").sqlstate(), "XX000");
  EXPECT_EQ(Error("", "x").sqlstate(), "XX000");
}

TEST(Error, ValidSqlstates) {
  EXPECT_TRUE(pg_etl::is_valid_sqlstate("22P02"));
  EXPECT_TRUE(pg_etl::is_valid_sqlstate("XX000"));
  EXPECT_FALSE(pg_etl::is_valid_sqlstate("22P0!"));
  EXPECT_FALSE(pg_etl::is_valid_sqlstate("22P021"));
}

TEST(Error, IsAStdException) {
  try {
    throw Error("22023", "bad option");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "bad option");
    return;
  }
  FAIL() << "not caught as std::exception";
}
