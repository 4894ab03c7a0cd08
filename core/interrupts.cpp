#include "core/interrupts.hpp"

#include "core/error.hpp"
#include "core/sqlstate.hpp"

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

void check_query_interrupts(const std::function<void()>& abandon, const std::string& shown_url) {
  if (interrupt_pending()) {
    abandon();
    check_interrupts();
    throw Error(sqlstate::kQueryCanceled, "query on \"" + shown_url + "\" was cancelled");
  }
  check_interrupts();
}

}  // namespace pg_etl
