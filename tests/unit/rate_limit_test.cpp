#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

TEST(TokenBucket, SpacesRequestsAtTheRateAfterTheBurst) {
  TokenBucket b(10, 2);  // 10 per second, 2 at once
  EXPECT_DOUBLE_EQ(b.acquire(100.0), 0);
  EXPECT_DOUBLE_EQ(b.acquire(100.0), 0) << "the burst";
  EXPECT_NEAR(b.acquire(100.0), 0.1, 1e-9);
  EXPECT_NEAR(b.acquire(100.0), 0.2, 1e-9) << "requests queue behind each other";
  EXPECT_NEAR(b.acquire(100.25), 0.05, 1e-9);
  EXPECT_DOUBLE_EQ(b.acquire(200.0), 0) << "an idle bucket refills";
}

TEST(TokenBucket, HoldsTheRateOverManyRequests) {
  TokenBucket b(5, 1);
  double t = 0;
  for (int i = 0; i < 100; i++) t += b.acquire(t);
  EXPECT_NEAR(t, 99 / 5.0, 1e-6) << "100 requests at 5/s take 19.8 s after the first";
}

TEST(RetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(retry_after_seconds("120", 0).value(), 120);
  EXPECT_EQ(retry_after_seconds(" 0 ", 0).value(), 0);
  const double now = 1798761599 - 30;  // 30 s before 2026-12-31 23:59:59 UTC
  EXPECT_DOUBLE_EQ(retry_after_seconds("Thu, 31 Dec 2026 23:59:59 GMT", now).value(), 30);
  EXPECT_DOUBLE_EQ(retry_after_seconds("Thursday, 31-Dec-26 23:59:59 GMT", now).value(), 30) << "RFC 850";
  EXPECT_DOUBLE_EQ(retry_after_seconds("Thu Dec 31 23:59:59 2026", now).value(), 30) << "asctime";
  EXPECT_DOUBLE_EQ(retry_after_seconds("Thu, 01 Jan 2015 00:00:00 GMT", now).value(), 0) << "the past";
  EXPECT_FALSE(retry_after_seconds("soon", now));
  EXPECT_FALSE(retry_after_seconds("12abc", now));
  EXPECT_FALSE(retry_after_seconds("", now));
}
