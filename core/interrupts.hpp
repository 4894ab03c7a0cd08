#pragma once
// How long-running core code stays cancellable without knowing about Postgres.
// The host (the Postgres layer) installs two hooks at load time:
//   - check: called at safe points in loops; throws (a pg_etl::Error or the host's own
//     exception) when the query was cancelled, timed out or the backend is dying;
//   - pending: never throws; for callbacks that must not unwind (libcurl, libpq),
//     which return an abort code instead and let the caller call check() afterwards.
// Without a host (unit tests) both are no-ops.
namespace pg_etl {

using InterruptCheckFn = void (*)();
using InterruptPendingFn = bool (*)();

void set_interrupt_hooks(InterruptCheckFn check, InterruptPendingFn pending) noexcept;

void check_interrupts();
bool interrupt_pending() noexcept;

}  // namespace pg_etl
