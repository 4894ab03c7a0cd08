#include "core/interrupts.hpp"

namespace pg_etl {
namespace {
InterruptCheckFn g_check = nullptr;
InterruptPendingFn g_pending = nullptr;
}  // namespace

void set_interrupt_hooks(InterruptCheckFn check, InterruptPendingFn pending) noexcept {
  g_check = check;
  g_pending = pending;
}

void check_interrupts() {
  if (g_check) g_check();
}

bool interrupt_pending() noexcept { return g_pending ? g_pending() : false; }

}  // namespace pg_etl
