// A dynamic background worker that executes runs (etl._perform_run) as the pipeline's
// owner, in transactions of its own. A per-run timeout arms statement_timeout's timer
// (background workers have no statement loop to do it); an abort (timeout, cancel,
// crash of the run's code) is recorded in a fresh transaction with the retry policy
// applied. Having finished, the worker takes over further queued runs of the same role
// before exiting, so many short runs do not each pay for a process start.
#include <sys/resource.h>

#include <cstring>
#include <string>

#include "extension/pg/boundary.hpp"
#include "worker/shared_state.hpp"
#include "worker/worker_transaction.hpp"
#include "worker/worker_task.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"

PGDLLEXPORT void pg_etl_worker_main(Datum arg);
}

namespace pg_etl::worker {
namespace {

void begin() {
  SetCurrentStatementStartTimestamp();
  StartTransactionCommand();
  SPI_connect();
  PushActiveSnapshot(GetTransactionSnapshot());
}

void commit() {
  SPI_finish();
  PopActiveSnapshot();
  CommitTransactionCommand();
}

// First column of the first row of sql, run with one int8 argument ("" if none).
std::string scalar(const char* sql, int64_t arg) {
  Oid types[1] = {INT8OID};
  Datum values[1] = {Int64GetDatum(arg)};
  std::string out;
  pg::pg_guard([&] {
    if (SPI_execute_with_args(sql, 1, types, values, nullptr, false, 1) < 0) elog(ERROR, "pg_etl worker: \"%s\" failed", sql);
  });
  if (SPI_processed > 0 && SPI_tuptable) {  // statements without RETURNING have no rows
    char* v = pg::pg_guard([] { return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1); });
    if (v) out = v;
  }
  return out;
}

void execute_run(int64_t run_id) {
  const std::string activity = "pg_etl run " + std::to_string(run_id);
  // Say who runs it, committed before the run starts: etl.cancel and the launcher's
  // recovery look for this process while the run's own transaction is still open.
  pg::pg_guard(begin);
  scalar("UPDATE etl.runs SET worker_pid = pg_backend_pid() WHERE id = $1 AND status = 'running'", run_id);
  pg::pg_guard(commit);
  try {
    pg::pg_guard([&] {
      begin();
      pgstat_report_activity(STATE_RUNNING, activity.c_str());
    });
    const std::string timeout = scalar(
        "SELECT coalesce((SELECT (p.options->>'timeout')::float8 FROM etl.pipelines p WHERE p.name = r.pipeline),"
        "                (SELECT (w.options->>'timeout')::float8 FROM etl.workflows w WHERE w.name = r.workflow), 0)"
        "  FROM etl.runs r WHERE r.id = $1",
        run_id);
    const int timeout_ms = timeout.empty() ? 0 : static_cast<int>(std::stod(timeout) * 1000);
    if (timeout_ms > 0) pg::pg_guard([&] { enable_timeout_after(STATEMENT_TIMEOUT, timeout_ms); });
    scalar("SELECT etl._perform_run($1, true)", run_id);
    pg::pg_guard([] {
      disable_timeout(STATEMENT_TIMEOUT, false);
      commit();
      pgstat_report_activity(STATE_IDLE, nullptr);
    });
  } catch (const pg::PgError& e) {
    // Copy what we need before the abort frees the transaction's memory.
    const std::string message = e.what();
    const std::string state = unpack_sql_state(e.sqlerrcode());
    const bool user_cancel = message.find("user request") != std::string::npos;
    pg::pg_guard([] {
      disable_timeout(STATEMENT_TIMEOUT, false);
      AbortCurrentTransaction();
      MemoryContextSwitchTo(TopMemoryContext);
    });
    pg::pg_guard([&] {
      begin();
      Oid types[5] = {INT8OID, TEXTOID, TEXTOID, BOOLOID, BOOLOID};
      Datum values[5] = {Int64GetDatum(run_id), CStringGetTextDatum(message.c_str()), CStringGetTextDatum(state.c_str()),
                         BoolGetDatum(!user_cancel), BoolGetDatum(user_cancel)};
      SPI_execute_with_args("SELECT etl._finish_run($1, false, $2, $3, $4, $5)", 5, types, values, nullptr, false, 0);
      commit();
    });
  }
}

// One statement in a transaction of its own; an error is logged and the round goes on
// (a broken channel must not stop SLA checks or purges). Returns the first column.
std::string step(const char* sql) {
  std::string out;
  in_transaction("pg_etl maintenance", sql, [&] { out = scalar(sql, 0); });
  return out;
}

// Processes the run outbox, checks due SLAs (their alerts join this round), delivers
// due events in small batches, each committed as it goes, and (flags & 1) purges old
// history in batches.
void maintain(int64_t flags) {
  // Stay a while after the work is done: runs that finish back to back then share one
  // process instead of starting one each (the launcher starts none while we live).
  constexpr int kLingerMs = 10000, kPollMs = 200, kGatherMs = 200;
  for (int idle_ms = 0; idle_ms < kLingerMs;) {
    // Runs that ended first: their events join this round's deliveries.
    for (int round = 0; round < 1000; round++) {
      CHECK_FOR_INTERRUPTS();
      const std::string n = step("SELECT etl.process_run_outbox(1000, true) WHERE $1 IS NOT NULL");
      if (n.empty() || std::stoll(n) < 1000) break;
    }
    step("SELECT count(*) FROM etl.check_slas() WHERE $1 IS NOT NULL");
    for (int round = 0; round < 100; round++) {
      CHECK_FOR_INTERRUPTS();
      const std::string n = step("SELECT etl.deliver_pending(10) WHERE $1 IS NOT NULL");
      if (n.empty() || n == "0") break;
    }
    for (;;) {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kPollMs, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
      idle_ms += kPollMs;
      const std::string due = step("SELECT coalesce(etl._maintenance_due() <= 0, false) WHERE $1 IS NOT NULL");
      if (due.empty()) return;  // the extension is gone or being upgraded: the launcher starts us again
      if (due == "t") {
        // Let a burst (runs finishing back to back) gather: one batch, one commit. Each
        // round costs about 5 ms of statements whatever its size; at 50 ms the worker
        // spent 0.35 ms per 2 ms run, at 200 ms 0.15 ms (events arrive 0.2 s later).
        pg_usleep(kGatherMs * 1000L);
        idle_ms = 0;
        break;
      }
      if (idle_ms >= kLingerMs) break;
    }
  }
  if (flags & 1) {
    for (const char* sql : {"SELECT etl.purge_history(1000) WHERE $1 IS NOT NULL",
                            "SELECT etl._purge_events(1000) WHERE $1 IS NOT NULL"}) {
      for (int round = 0; round < 10000; round++) {
        CHECK_FOR_INTERRUPTS();
        const std::string n = step(sql);
        if (n.empty() || std::stoll(n) < 1000) break;
      }
    }
  }
}

void worker_main() {
  WorkerTask task;
  std::memcpy(&task, MyBgworkerEntry->bgw_extra, sizeof task);
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnectionByOid(task.database, task.role, 0);
  pgstat_report_appname("pg_etl worker");

  if (task.kind == 'm') {
    pgstat_report_appname("pg_etl maintenance");
    // Its commits are bookkeeping (delivery status, SLA state, the run outbox): a crash
    // loses at most the last ones, and a delivery is then sent again with the same
    // message id (outbox rows come back with the counts and events made from them). Not waiting
    // for the WAL flush keeps it from slowing the runs' own commits.
    pg::pg_guard([] { SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE); });
    // Bookkeeping yields the CPU to the runs and their clients: on a busy machine the
    // outbox and deliveries wait a little, the runs do not.
    (void)setpriority(PRIO_PROCESS, 0, 10);
    register_maintenance_latch();
    maintain(task.id);
    return;
  }
  if (task.kind == 'p') {
    pg::pg_guard(begin);
    scalar("SELECT etl._poll_pipeline($1)", task.id);
    pg::pg_guard(commit);
    return;
  }
  int64_t run_id = task.id;
  for (int done = 0; run_id != 0 && done < 1000; done++) {
    execute_run(run_id);
    CHECK_FOR_INTERRUPTS();
    pg::pg_guard(begin);
    const std::string next = scalar("SELECT etl._claim_next(current_user) WHERE $1 IS NOT NULL", run_id);
    pg::pg_guard(commit);
    run_id = next.empty() ? 0 : std::stoll(next);
  }
}

}  // namespace
}  // namespace pg_etl::worker

void pg_etl_worker_main(Datum) {
  pg_etl::pg::cpp_boundary([] { pg_etl::worker::worker_main(); });
}
