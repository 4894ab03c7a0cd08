// The launcher: one background worker per cluster, connected to pg_etl.database.
// Shaped like pg_cron's: a loop of CHECK_FOR_INTERRUPTS, config reload on SIGHUP and a
// latch wait. Scheduling and running jobs arrive with the pipelines (issue 4); today
// it connects, announces itself and waits, so deployment and start-up are tested.
#include "worker/launcher.hpp"

#include <cstring>

#include "extension/guc.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pg_etl_launcher_main(Datum arg);
}

namespace pg_etl::worker {

namespace {
constexpr long kNaptimeMs = 1000;
constexpr int kRestartSeconds = 5;

void launcher_loop() {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();

  BackgroundWorkerInitializeConnection(guc::database, nullptr, 0);
  char connected_to[NAMEDATALEN];
  strlcpy(connected_to, guc::database, sizeof connected_to);
  pgstat_report_appname("pg_etl launcher");
  ereport(LOG, (errmsg("pg_etl launcher started in database \"%s\"", guc::database)));

  for (;;) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kNaptimeMs,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
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
  }
}
}  // namespace

void register_launcher() {
  BackgroundWorker worker;
  std::memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = kRestartSeconds;
  strlcpy(worker.bgw_library_name, "pg_etl", BGW_MAXLEN);
  strlcpy(worker.bgw_function_name, "pg_etl_launcher_main", BGW_MAXLEN);
  strlcpy(worker.bgw_name, "pg_etl launcher", BGW_MAXLEN);
  strlcpy(worker.bgw_type, "pg_etl launcher", BGW_MAXLEN);
  RegisterBackgroundWorker(&worker);
}

}  // namespace pg_etl::worker

// Everything inside runs in Postgres' regime (ereport, longjmp to the bgworker's
// top-level handler, which exits the process): no C++ objects with destructors live
// here, and the boundary turns any stray C++ exception into a clean ERROR exit.
void pg_etl_launcher_main(Datum) {
  pg_etl::pg::cpp_boundary([] { pg_etl::worker::launcher_loop(); });
}
