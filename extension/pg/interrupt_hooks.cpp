// Connects the core's interrupt hooks (core/interrupts.hpp) to Postgres: core loops
// become cancellable by statement_timeout, pg_cancel_backend and pg_terminate_backend.
#include "core/interrupts.hpp"
#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {
namespace {
void check() { check_for_interrupts(); }
bool pending() noexcept { return QueryCancelPending || ProcDiePending; }
}  // namespace

void install_interrupt_hooks() { set_interrupt_hooks(&check, &pending); }

}  // namespace pg_etl::pg
