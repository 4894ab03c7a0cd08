#pragma once
// Swallowing a Postgres error is only safe after rolling back to a savepoint: the
// failed operation may hold locks, buffer pins or half-made changes. This runs work in
// an internal subtransaction (as PL/pgSQL's EXCEPTION blocks do) and reports the error
// instead of raising it, so a loader can record a rejected row and go on.
#include <exception>

#include "extension/pg/boundary.hpp"

extern "C" {
#include "utils/resowner.h"
}

namespace pg_etl::pg {

namespace detail {
struct SubtransactionState {
  MemoryContext context;
  ResourceOwner owner;
};
SubtransactionState begin_subtransaction();
void commit_subtransaction(const SubtransactionState& s);
void rollback_subtransaction(const SubtransactionState& s);
// True for errors that must never be swallowed: cancel, timeout, shutdown.
bool must_propagate(const ErrorData* edata);
}  // namespace detail

// Runs work in a subtransaction. Returns nullptr on success (committed), or the
// Postgres error (rolled back, copied into the caller's memory context). C++ exceptions
// that are not Postgres errors roll back and propagate, and so do cancellations.
template <typename F>
ErrorData* try_in_subtransaction(F&& work) {
  const detail::SubtransactionState state = detail::begin_subtransaction();
  ErrorData* edata = nullptr;
  try {
    pg_guard(work);
  } catch (const PgError& e) {
    edata = e.edata();
  } catch (...) {
    pg_guard([&] { detail::rollback_subtransaction(state); });
    throw;
  }
  if (edata == nullptr) {
    pg_guard([&] { detail::commit_subtransaction(state); });
    return nullptr;
  }
  pg_guard([&] { detail::rollback_subtransaction(state); });
  if (detail::must_propagate(edata)) throw PgError(edata);
  return edata;
}

}  // namespace pg_etl::pg
