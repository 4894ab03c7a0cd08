#include "extension/pg/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace pg_etl::pg::detail {

SubtransactionState begin_subtransaction() {
  SubtransactionState s{CurrentMemoryContext, CurrentResourceOwner};
  pg_guard([] { BeginInternalSubTransaction(nullptr); });
  // Work runs in the caller's memory context so its results outlive the subtransaction.
  MemoryContextSwitchTo(s.context);
  return s;
}

void commit_subtransaction(const SubtransactionState& s) {
  ReleaseCurrentSubTransaction();
  MemoryContextSwitchTo(s.context);
  CurrentResourceOwner = s.owner;
}

void rollback_subtransaction(const SubtransactionState& s) {
  RollbackAndReleaseCurrentSubTransaction();
  MemoryContextSwitchTo(s.context);
  CurrentResourceOwner = s.owner;
}

bool must_propagate(const ErrorData* edata) {
  return edata->sqlerrcode == ERRCODE_QUERY_CANCELED || edata->elevel > ERROR || ProcDiePending;
}

}  // namespace pg_etl::pg::detail
