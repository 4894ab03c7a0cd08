#include "core/incremental_cursor.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace pg_etl;

TEST(IncrementalCursor, ComparesNumbersInstantsAndText) {
  EXPECT_LT(compare_cursor("9", "10"), 0) << "numbers by value, not by text";
  EXPECT_EQ(compare_cursor("10.50", "10.5"), 0);
  EXPECT_LT(compare_cursor("2024-05-01T10:00:00Z", "2024-05-01 10:00:01"), 0);
  EXPECT_EQ(compare_cursor("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"), 0) << "offsets honoured";
  EXPECT_LT(compare_cursor("abc", "abd"), 0);
}

TEST(IncrementalCursor, MinusLagKeepsTheSpelling) {
  EXPECT_EQ(cursor_minus("100", 10), "90");
  EXPECT_EQ(cursor_minus("2024-05-01T10:00:00Z", 3600), "2024-05-01T09:00:00Z");
  EXPECT_EQ(cursor_minus("2024-05-01 00:00:00.5", 1), "2024-04-30 23:59:59.500000");
  EXPECT_EQ(cursor_minus("2024-05-01", 86400), "2024-04-30");
  EXPECT_EQ(cursor_minus("anything", 0), "anything");
  EXPECT_THROW(cursor_minus("abc", 5), Error);
}

TEST(IncrementalCursor, ClosedBoundWithoutDuplicates) {
  IncrementalOptions o = parse_incremental_options(R"({"cursor": "updated_at", "primary_key": "id", "initial_value": "2024-01-01"})");
  IncrementalFilter first(o, std::nullopt);
  EXPECT_EQ(first.lower_bound().value(), "2024-01-01");
  EXPECT_FALSE(first.keep(std::string_view("2023-12-31T00:00:00Z"), "0")) << "below the initial value";
  EXPECT_TRUE(first.keep(std::string_view("2024-05-01T10:00:00Z"), "1"));
  EXPECT_TRUE(first.keep(std::string_view("2024-05-01T10:00:05Z"), "2"));
  EXPECT_TRUE(first.keep(std::string_view("2024-05-01T10:00:05Z"), "3"));
  Watermark w = first.next_watermark();
  EXPECT_EQ(w.value, "2024-05-01T10:00:05Z");
  ASSERT_EQ(w.boundary.size(), 2u) << "the keys that share the watermark";

  Watermark stored;
  stored.value = w.value;
  boundary_from_json(boundary_to_json(w), stored);
  IncrementalFilter second(o, stored);
  EXPECT_EQ(second.lower_bound().value(), "2024-05-01T10:00:05Z") << "closed: the watermark itself";
  EXPECT_FALSE(second.keep(std::string_view("2024-05-01T10:00:05Z"), "2")) << "loaded before";
  EXPECT_TRUE(second.keep(std::string_view("2024-05-01T10:00:05Z"), "4")) << "same instant, new key";
  EXPECT_TRUE(second.keep(std::nullopt, "5")) << "no cursor value: kept, watermark unchanged";
  EXPECT_EQ(second.skipped_loaded(), 1u);
  Watermark w2 = second.next_watermark();
  EXPECT_EQ(w2.value, "2024-05-01T10:00:05Z");
  EXPECT_EQ(w2.boundary.size(), 3u) << "the earlier keys at the watermark stay";
}

TEST(IncrementalCursor, LagWindowRemembersRecentKeys) {
  IncrementalOptions o = parse_incremental_options(R"({"cursor": "id", "primary_key": ["a", "b"], "lag": 10})");
  IncrementalFilter f(o, std::nullopt);
  EXPECT_FALSE(f.lower_bound()) << "no watermark, no initial value: everything";
  for (int i = 1; i <= 100; i++) EXPECT_TRUE(f.keep(std::to_string(i), "k" + std::to_string(i)));
  Watermark w = f.next_watermark();
  EXPECT_EQ(w.value, "100");
  EXPECT_EQ(w.boundary.size(), 11u) << "cursor values 90..100";
  IncrementalFilter g(o, w);
  EXPECT_EQ(g.lower_bound().value(), "90");
  EXPECT_FALSE(g.keep(std::string_view("95"), "k95"));
  EXPECT_TRUE(g.keep(std::string_view("95"), "late")) << "a late writer inside the lag window";
  EXPECT_FALSE(g.keep(std::string_view("50"), "k50")) << "below the bound";
  EXPECT_EQ(g.skipped_below(), 1u);
}

TEST(IncrementalCursor, OptionsAreChecked) {
  EXPECT_EQ(parse_incremental_options(R"("updated_at")").cursor, "updated_at");
  EXPECT_THROW(parse_incremental_options(R"({"primary_key": "id"})"), Error) << "a cursor is required";
  EXPECT_THROW(parse_incremental_options(R"({"cursor": "x", "lagg": 5})"), Error);
  EXPECT_THROW(parse_incremental_options(R"({"cursor": "x", "lag": -1})"), Error);
}
