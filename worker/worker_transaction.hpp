#pragma once
// A transaction of its own for background workers (launcher, maintenance, http): SPI
// connected and a snapshot pushed around body; a PostgreSQL error aborts it and is
// logged as a WARNING "<who>: <what> failed: <message>", and the worker goes on.
#include <string>

#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace pg_etl::worker {

// True when body ran and the transaction committed.
template <typename F>
bool in_transaction(const char* who, const char* what, F&& body) {
  try {
    pg::pg_guard([&] {
      SetCurrentStatementStartTimestamp();
      StartTransactionCommand();
      SPI_connect();
      PushActiveSnapshot(GetTransactionSnapshot());
      pgstat_report_activity(STATE_RUNNING, what);
    });
    body();
    pg::pg_guard([] {
      SPI_finish();
      PopActiveSnapshot();
      CommitTransactionCommand();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
    return true;
  } catch (const pg::PgError& e) {
    const std::string msg = e.what();
    pg::pg_guard([&] {
      AbortCurrentTransaction();
      MemoryContextSwitchTo(TopMemoryContext);
      ereport(WARNING, (errmsg("%s: %s failed: %s", who, what, msg.c_str())));
    });
    return false;
  }
}

}  // namespace pg_etl::worker
