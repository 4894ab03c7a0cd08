// The launcher: one background worker per cluster, connected to pg_etl.database.
// Shaped like pg_cron's: a loop of CHECK_FOR_INTERRUPTS, config reload on SIGHUP, one
// scheduler tick in its own transaction (etl._launcher_tick: due schedules, file-arrival
// polls, queued runs claimed up to pg_etl.max_workers, overlap policies), dynamic
// workers started for what it claimed, and a latch wait that etl.enqueue cuts short at
// commit. A failing tick is logged and retried; it never takes the launcher down. On
// start, runs left 'running' by a crash or restart are failed and retried by policy.
#include "worker/launcher.hpp"

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "extension/guc.hpp"
#include "extension/pg/boundary.hpp"
#include "worker/shared_state.hpp"
#include "worker/worker_definition.hpp"
#include "worker/worker_transaction.hpp"
#include "worker/worker_task.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pg_etl_launcher_main(Datum arg);
}

namespace pg_etl::worker {

namespace {
constexpr int kRestartSeconds = 5;
constexpr long kRecoverEveryMs = 10000;
constexpr long kPurgeEveryMs = 3600 * 1000;  // history retention is in days: hourly is plenty

struct Started {
  BackgroundWorkerHandle* handle;
  WorkerTask task;
};

bool in_transaction(const char* what, const std::function<void()>& body) {
  return worker::in_transaction("pg_etl launcher", what, body);
}

// Runs sql; returns the first column of each row as text.
std::vector<std::vector<std::string>> query(const char* sql, int nargs = 0, Oid* types = nullptr, Datum* values = nullptr) {
  std::vector<std::vector<std::string>> rows;
  pg::pg_guard([&] {
    if (SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0) < 0) elog(ERROR, "pg_etl launcher: \"%s\" failed", sql);
  });
  for (uint64 i = 0; SPI_tuptable && i < SPI_processed; i++) {  // no rows without RETURNING
    std::vector<std::string> row;
    for (int c = 1; c <= SPI_tuptable->tupdesc->natts; c++) {
      char* v = pg::pg_guard([&] { return SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, c); });
      row.emplace_back(v ? v : "");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool extension_ready() {
  auto rows = query("SELECT to_regprocedure('etl._launcher_tick(integer)') IS NOT NULL");
  return !rows.empty() && rows[0][0] == "t";
}

bool start_worker(const WorkerTask& task, std::vector<Started>& started) {
  char name[BGW_MAXLEN];
  if (task.kind == 'm')
    snprintf(name, sizeof name, "pg_etl maintenance");
  else
    snprintf(name, sizeof name, "pg_etl worker %s %lld", task.kind == 'p' ? "poll" : "run", static_cast<long long>(task.id));
  BackgroundWorker w = worker_definition("pg_etl_worker_main", name, "pg_etl worker", BGW_NEVER_RESTART);
  w.bgw_notify_pid = MyProcPid;  // our latch is set when it starts and stops
  std::memcpy(w.bgw_extra, &task, sizeof task);
  BackgroundWorkerHandle* handle = nullptr;
  if (!RegisterDynamicBackgroundWorker(&w, &handle)) return false;
  started.push_back(Started{handle, task});
  return true;
}

bool has_function(const char* signature) {
  const std::string sql = std::string("SELECT to_regprocedure('") + signature + "') IS NOT NULL";
  auto rows = query(sql.c_str());
  return !rows.empty() && rows[0][0] == "t";
}

// The maintenance worker runs as the bootstrap superuser: deliveries read every
// channel's secrets, SLA checks list every SLA's source.
bool start_maintenance(const WorkerTask& task, BackgroundWorkerHandle** handle) {
  std::vector<Started> one;
  if (!start_worker(task, one)) return false;
  *handle = one[0].handle;
  return true;
}

void launcher_loop() {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();

  BackgroundWorkerInitializeConnection(guc::database, nullptr, 0);
  char connected_to[NAMEDATALEN];
  strlcpy(connected_to, guc::database, sizeof connected_to);
  pgstat_report_appname("pg_etl launcher");
  register_launcher_latch();
  ereport(LOG, (errmsg("pg_etl launcher started in database \"%s\"", guc::database)));

  std::vector<Started> workers;
  BackgroundWorkerHandle* maintenance = nullptr;  // deliveries, SLA checks, purges: one at a time
  bool recovered = false;
  TimestampTz last_recover = 0;
  TimestampTz last_purge = 0;
  for (;;) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
      if (strcmp(connected_to, guc::database) != 0) {
        // A backend cannot switch databases: exit and let the postmaster restart us.
        ereport(LOG, (errmsg("pg_etl launcher: pg_etl.database changed from \"%s\" to \"%s\"; restarting",
                             connected_to, guc::database)));
        proc_exit(1);
      }
    }
    // Forget workers that have exited; their runs' outcomes are in etl.runs.
    bool any_stopped = false;
    for (size_t i = 0; i < workers.size();) {
      pid_t pid;
      if (GetBackgroundWorkerPid(workers[i].handle, &pid) == BGWH_STOPPED) {
        pfree(workers[i].handle);
        workers[i] = workers.back();
        workers.pop_back();
        any_stopped = true;
      } else {
        i++;
      }
    }
    if (maintenance) {
      pid_t pid;
      if (GetBackgroundWorkerPid(maintenance, &pid) == BGWH_STOPPED) {
        pfree(maintenance);
        maintenance = nullptr;
      }
    }
    bool maintain = false;
    const int free_slots = std::max(0, guc::max_workers - static_cast<int>(workers.size()));
    std::vector<WorkerTask> to_start;
    long sleep_ms = guc::naptime_ms;
    const TimestampTz now = GetCurrentTimestamp();
    in_transaction("pg_etl scheduler tick", [&] {
      if (!extension_ready()) return;
      if (!recovered || any_stopped || TimestampDifferenceExceeds(last_recover, now, kRecoverEveryMs)) {
        // At start every run still 'running' lost its worker; later, give claimed runs a minute.
        auto n = query(recovered ? "SELECT etl._recover_runs(60)" : "SELECT etl._recover_runs(0)");
        if (!recovered && has_function("etl._launcher_started(integer)"))
          query(("SELECT etl._launcher_started(" + std::to_string(std::stoi(n.at(0).at(0))) + ")").c_str());
        recovered = true;
        last_recover = now;
      }
      Oid types[1] = {INT4OID};
      Datum values[1] = {Int32GetDatum(free_slots)};
      for (const auto& row : query("SELECT kind, run_id, owner, oid FROM etl._launcher_tick($1) t "
                                   "LEFT JOIN pg_roles r ON r.rolname = t.owner",
                                   1, types, values)) {
        WorkerTask t{row[0] == "poll" ? 'p' : 'r', std::stoll(row[1]), MyDatabaseId,
                     row[3].empty() ? 0u : static_cast<uint32_t>(std::stoul(row[3]))};
        if (t.role == 0) {
          // The owner's role is gone: nothing can run as it.
          if (t.kind == 'r') {
            Oid rt[3] = {INT8OID, TEXTOID, TEXTOID};
            const std::string msg = "role \"" + row[2] + "\" that owns this pipeline does not exist";
            Datum rv[3] = {Int64GetDatum(t.id), CStringGetTextDatum(msg.c_str()), CStringGetTextDatum("28000")};
            query("SELECT etl._finish_run($1, false, $2, $3, false)", 3, rt, rv);
          }
          continue;
        }
        to_start.push_back(t);
      }
      // Sleep until the next schedule or retry is due, but never longer than naptime.
      // No row when nothing is due at all (greatest(0, NULL) would be 0: a busy loop).
      auto next = query("SELECT (greatest(0, soonest) * 1000)::bigint FROM (SELECT least("
                        " extract(epoch FROM (SELECT min(next_run_at) FROM etl.pipelines WHERE NOT paused) - clock_timestamp()),"
                        " extract(epoch FROM (SELECT min(next_run_at) FROM etl.workflows WHERE NOT paused) - clock_timestamp()),"
                        " extract(epoch FROM (SELECT min(not_before) FROM etl.runs WHERE status = 'queued') - clock_timestamp()))"
                        " AS soonest) s WHERE soonest IS NOT NULL");
      if (!next.empty() && !next[0][0].empty()) sleep_ms = std::min(sleep_ms, std::max(5L, std::stol(next[0][0]) + 1));
      // Deliveries and SLA checks that are due, and the hourly purge, go to one
      // maintenance worker, so a slow webhook never delays scheduling.
      if (!maintenance && has_function("etl._maintenance_due()")) {
        auto due = query("SELECT (etl._maintenance_due() * 1000)::bigint");
        const bool purge_due = last_purge == 0 || TimestampDifferenceExceeds(last_purge, now, kPurgeEveryMs);
        if (purge_due || (!due.empty() && !due[0][0].empty() && std::stol(due[0][0]) <= 0)) {
          maintain = true;
        } else if (!due.empty() && !due[0][0].empty()) {
          sleep_ms = std::min(sleep_ms, std::max(5L, std::stol(due[0][0]) + 1));
        }
      }
    });
    if (maintain) {
      const bool purge = last_purge == 0 || TimestampDifferenceExceeds(last_purge, now, kPurgeEveryMs);
      WorkerTask t{'m', purge ? 1 : 0, MyDatabaseId, BOOTSTRAP_SUPERUSERID};
      if (start_maintenance(t, &maintenance) && purge) last_purge = now;
    }
    std::vector<int64_t> not_started;
    for (const WorkerTask& t : to_start)
      if (!start_worker(t, workers) && t.kind == 'r') not_started.push_back(t.id);
    if (!not_started.empty()) {
      // No background worker slot free (max_worker_processes): back to the queue.
      in_transaction("pg_etl requeue", [&] {
        for (int64_t id : not_started) {
          Oid types[1] = {INT8OID};
          Datum values[1] = {Int64GetDatum(id)};
          query("UPDATE etl.runs SET status = 'queued', started_at = NULL, not_before = clock_timestamp() + interval '1 second' "
                "WHERE id = $1 AND status = 'running'",
                1, types, values);
        }
      });
      ereport(WARNING, (errmsg("pg_etl launcher: no background worker slot for %zu run(s); raise max_worker_processes",
                               not_started.size())));
    }
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sleep_ms, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
  }
}
}  // namespace

void register_launcher() {
  BackgroundWorker worker = worker_definition("pg_etl_launcher_main", "pg_etl launcher", "pg_etl launcher", kRestartSeconds);
  RegisterBackgroundWorker(&worker);
}

}  // namespace pg_etl::worker

// C++ objects live in launcher_loop's frames; errors there are caught per tick, and
// anything that escapes ends the process through the boundary's clean ERROR exit.
void pg_etl_launcher_main(Datum) {
  pg_etl::pg::cpp_boundary([] { pg_etl::worker::launcher_loop(); });
}
