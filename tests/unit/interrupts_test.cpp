#include "core/interrupts.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace {
int g_checks = 0;
bool g_pending = false;
void counting_check() {
  ++g_checks;
  if (g_pending) throw pg_etl::Error("57014", "canceling statement");
}
bool pending() noexcept { return g_pending; }
}  // namespace

TEST(Interrupts, NoHostMeansNoOp) {
  pg_etl::set_interrupt_hooks(nullptr, nullptr);
  EXPECT_NO_THROW(pg_etl::check_interrupts());
  EXPECT_FALSE(pg_etl::interrupt_pending());
}

TEST(Interrupts, HostHooksAreCalled) {
  pg_etl::set_interrupt_hooks(&counting_check, &pending);
  g_checks = 0;
  g_pending = false;
  pg_etl::check_interrupts();
  EXPECT_EQ(g_checks, 1);
  EXPECT_FALSE(pg_etl::interrupt_pending());
  g_pending = true;
  EXPECT_TRUE(pg_etl::interrupt_pending());
  EXPECT_THROW(pg_etl::check_interrupts(), pg_etl::Error);
  pg_etl::set_interrupt_hooks(nullptr, nullptr);
}
