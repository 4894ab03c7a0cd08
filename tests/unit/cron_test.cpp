#include "core/cron.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/retry_policy.hpp"

using namespace pg_etl;

namespace {
int64_t at(int y, int mo, int d, int h, int mi, int s = 0) { return unix_from_civil(CivilTime{y, mo, d, h, mi, s}); }
const FixedOffsetZone kUtc;

// A zone with a daylight-saving shift, like Europe/Berlin in 2024: +01:00, and +02:00
// from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC.
class BerlinLike final : public TimeZone {
 public:
  CivilTime to_local(int64_t t) const override { return civil_from_unix(t + offset_at(t)); }
  int64_t to_unix(const CivilTime& l) const override {
    const int64_t guess = unix_from_civil(l) - 3600;   // try standard time first (the earlier instant)
    const int64_t summer = unix_from_civil(l) - 7200;
    if (offset_at(summer) == 7200 && to_local(summer) == l) return summer;
    if (offset_at(guess) == 3600 && to_local(guess) == l) return guess;
    return summer + 3600;  // in the spring gap: the instant after it
  }
  std::string name() const override { return "Berlin-like"; }

 private:
  static int offset_at(int64_t t) { return t >= at(2024, 3, 31, 1, 0) && t < at(2024, 10, 27, 1, 0) ? 7200 : 3600; }
};
}  // namespace

TEST(Cron, FiveFields) {
  auto c = CronSchedule::parse("*/15 9-17 * * MON-FRI");
  EXPECT_EQ(*c.next_after(at(2024, 5, 3, 16, 50), kUtc), at(2024, 5, 3, 17, 0));   // Friday
  EXPECT_EQ(*c.next_after(at(2024, 5, 3, 17, 45), kUtc), at(2024, 5, 6, 9, 0));    // to Monday
  EXPECT_FALSE(c.has_seconds());
}

TEST(Cron, SixFieldsWithSeconds) {
  auto c = CronSchedule::parse("*/2 * * * * *");
  EXPECT_TRUE(c.has_seconds());
  EXPECT_EQ(*c.next_after(at(2024, 1, 1, 0, 0, 0), kUtc), at(2024, 1, 1, 0, 0, 2));
  EXPECT_EQ(*c.next_after(at(2024, 1, 1, 0, 0, 59), kUtc), at(2024, 1, 1, 0, 1, 0));
}

TEST(Cron, Macros) {
  EXPECT_EQ(*CronSchedule::parse("@hourly").next_after(at(2024, 1, 1, 10, 30), kUtc), at(2024, 1, 1, 11, 0));
  EXPECT_EQ(*CronSchedule::parse("@daily").next_after(at(2024, 1, 1, 10, 30), kUtc), at(2024, 1, 2, 0, 0));
  EXPECT_EQ(*CronSchedule::parse("@weekly").next_after(at(2024, 1, 1, 10, 30), kUtc), at(2024, 1, 7, 0, 0));
  EXPECT_EQ(*CronSchedule::parse("@monthly").next_after(at(2024, 1, 31, 10, 30), kUtc), at(2024, 2, 1, 0, 0));
  EXPECT_EQ(*CronSchedule::parse("@yearly").next_after(at(2024, 6, 1, 0, 0), kUtc), at(2025, 1, 1, 0, 0));
}

TEST(Cron, DayOfMonthOrDayOfWeek) {
  // Vixie semantics: the 13th, or any Friday.
  auto c = CronSchedule::parse("0 0 13 * FRI");
  EXPECT_EQ(*c.next_after(at(2024, 9, 1, 0, 0), kUtc), at(2024, 9, 6, 0, 0));   // a Friday
  EXPECT_EQ(*c.next_after(at(2024, 9, 7, 0, 0), kUtc), at(2024, 9, 13, 0, 0));  // the 13th (also a Friday)
  EXPECT_EQ(*CronSchedule::parse("0 0 29 2 *").next_after(at(2024, 3, 1, 0, 0), kUtc), at(2028, 2, 29, 0, 0));
  EXPECT_FALSE(CronSchedule::parse("0 0 30 2 *").next_after(at(2024, 1, 1, 0, 0), kUtc));
  EXPECT_EQ(*CronSchedule::parse("0 12 * * 7").next_after(at(2024, 1, 1, 0, 0), kUtc), at(2024, 1, 7, 12, 0));
}

TEST(Cron, ListsRangesSteps) {
  auto c = CronSchedule::parse("5,35 1-3/2 * JAN,jul *");
  EXPECT_EQ(*c.next_after(at(2024, 1, 1, 0, 0), kUtc), at(2024, 1, 1, 1, 5));
  EXPECT_EQ(*c.next_after(at(2024, 1, 1, 1, 35), kUtc), at(2024, 1, 1, 3, 5));
  EXPECT_EQ(*c.next_after(at(2024, 1, 31, 3, 35), kUtc), at(2024, 7, 1, 1, 5));
}

TEST(Cron, TimeZonesAndDaylightSaving) {
  BerlinLike berlin;
  auto nine = CronSchedule::parse("0 9 * * *");
  EXPECT_EQ(*nine.next_after(at(2024, 1, 10, 0, 0), berlin), at(2024, 1, 10, 8, 0));  // 09:00 at +01:00
  EXPECT_EQ(*nine.next_after(at(2024, 7, 10, 0, 0), berlin), at(2024, 7, 10, 7, 0));  // 09:00 at +02:00
  // 02:30 does not exist on 2024-03-31 in Berlin: the run happens after the gap, once.
  auto half_two = CronSchedule::parse("30 2 * * *");
  EXPECT_EQ(*half_two.next_after(at(2024, 3, 30, 23, 0), berlin), at(2024, 3, 31, 1, 30));
  // 02:30 happens twice on 2024-10-27: the schedule fires once.
  const int64_t first = *half_two.next_after(at(2024, 10, 26, 23, 0), berlin);
  EXPECT_EQ(first, at(2024, 10, 27, 0, 30));
  EXPECT_EQ(*half_two.next_after(first, berlin), at(2024, 10, 28, 1, 30));
}

TEST(Cron, ErrorsSayWhere) {
  try {
    CronSchedule::parse("0 25 * * *");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_STREQ(e.what(), "invalid cron expression \"0 25 * * *\": hour field, at character 3: 25 is out of range 0-23");
  }
  EXPECT_THROW(CronSchedule::parse("* * * *"), Error);
  EXPECT_THROW(CronSchedule::parse("*/0 * * * *"), Error);
  EXPECT_THROW(CronSchedule::parse("0 0 * FOO *"), Error);
  EXPECT_THROW(CronSchedule::parse("0 5-1 * * *"), Error);
  EXPECT_THROW(CronSchedule::parse("@often"), Error);
}

TEST(RetryPolicy, ExponentialBackoffCappedWithJitter) {
  RetryPolicy p = RetryPolicy::from_json(R"({"max_attempts": 4, "interval": 2, "backoff_rate": 3, "max_delay": 10, "jitter": "none"})");
  auto one = [] { return 0.5; };
  EXPECT_EQ(*p.delay_before(2, one), 2);
  EXPECT_EQ(*p.delay_before(3, one), 6);
  EXPECT_EQ(*p.delay_before(4, one), 10) << "capped";
  EXPECT_FALSE(p.delay_before(5, one)) << "attempts exhausted";
  p.full_jitter = true;
  EXPECT_EQ(*p.delay_before(3, one), 3) << "full jitter: uniform in [0, 6)";
  EXPECT_THROW(RetryPolicy::from_json(R"({"attempts": 3})"), Error);
  EXPECT_THROW(RetryPolicy::from_json(R"({"backoff_rate": 0.5})"), Error);
}
