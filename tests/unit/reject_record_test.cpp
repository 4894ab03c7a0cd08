#include "core/reject_record.hpp"

#include <gtest/gtest.h>

namespace pg_etl {

TEST(RejectRecord, KeepsColumnOrderTextAndNulls) {
  EXPECT_EQ(reject_record_json({{"id", "7"}, {"amount", "12,5"}, {"note", std::nullopt}}),
            R"({"id":"7","amount":"12,5","note":null})");
}

TEST(RejectRecord, EscapesQuotesAndControlCharacters) {
  EXPECT_EQ(reject_record_json({{"a\"b", "x\ny\t\"z\""}}), R"({"a\"b":"x\ny\t\"z\""})");
}

TEST(RejectRecord, ReplacesInvalidUtf8InsteadOfFailing) {
  EXPECT_EQ(reject_record_json({{"name", std::string("caf\xe9")}}), "{\"name\":\"caf\xef\xbf\xbd\"}");
}

TEST(RejectRecord, EmptyRowIsAnEmptyObject) { EXPECT_EQ(reject_record_json({}), "{}"); }

}  // namespace pg_etl
