#pragma once
// How long-running core code stays cancellable without knowing about Postgres.
// The host (the Postgres layer) installs two hooks at load time:
//   - check: called at safe points in loops; throws (a pg_etl::Error or the host's own
//     exception) when the query was cancelled, timed out or the backend is dying;
//   - pending: never throws; for callbacks that must not unwind (libcurl, libpq),
//     which return an abort code instead and let the caller call check() afterwards.
// Without a host (unit tests) both are no-ops.
#include <functional>
#include <string>

namespace pg_etl {

using InterruptCheckFn = void (*)();
using InterruptPendingFn = bool (*)();

void set_interrupt_hooks(InterruptCheckFn check, InterruptPendingFn pending) noexcept;

void check_interrupts();
bool interrupt_pending() noexcept;

// A safe point of a remote query: when a cancel is pending, abandon() stops the remote
// side first (cancel, KILL QUERY, close), then the host's check throws its own error,
// or 57014 naming the query's server (shown_url) if it does not.
void check_query_interrupts(const std::function<void()>& abandon, const std::string& shown_url);

}  // namespace pg_etl
