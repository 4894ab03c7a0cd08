#include "worker/shared_state.hpp"

#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
}

namespace pg_etl::worker {
namespace {

struct SharedState {
  int launcher_procno;     // -1: no launcher
  int maintenance_procno;  // -1: no maintenance worker alive
  Oid launcher_database;   // the database the launcher serves (while launcher_procno >= 0)
};

SharedState* g_state = nullptr;
bool wake_at_commit = false;
bool maintenance_wake_pending = false;
bool callback_registered = false;
shmem_request_hook_type prev_request_hook = nullptr;
shmem_startup_hook_type prev_startup_hook = nullptr;

void request_hook() {
  if (prev_request_hook) prev_request_hook();
  RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
}

void startup_hook() {
  if (prev_startup_hook) prev_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found;
  g_state = static_cast<SharedState*>(ShmemInitStruct("pg_etl", sizeof(SharedState), &found));
  if (!found) g_state->launcher_procno = g_state->maintenance_procno = -1;
  LWLockRelease(AddinShmemInitLock);
}

void clear_launcher(int, Datum) {
  if (g_state && g_state->launcher_procno == MyProc->pgprocno) g_state->launcher_procno = -1;
}

void clear_maintenance(int, Datum) {
  if (g_state && g_state->maintenance_procno == MyProc->pgprocno) g_state->maintenance_procno = -1;
}

// A living maintenance worker takes new deliveries itself; otherwise the launcher
// starts one.
void wake_maintenance_now() {
  if (!g_state) return;
  const int procno = g_state->maintenance_procno;
  if (procno >= 0)
    SetLatch(&ProcGlobal->allProcs[procno].procLatch);
  else
    wake_launcher_now();
}

// At commit, not before: the launcher must see the queued run when it wakes.
void on_xact(XactEvent event, void*) {
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT) {
    if (wake_at_commit) wake_launcher_now();
    if (maintenance_wake_pending) wake_maintenance_now();
    wake_at_commit = maintenance_wake_pending = false;
  } else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    wake_at_commit = maintenance_wake_pending = false;
  }
}

}  // namespace

void request_shared_state() {
  prev_request_hook = shmem_request_hook;
  shmem_request_hook = request_hook;
  prev_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_hook;
}

void register_launcher_latch() {
  if (!g_state) return;
  g_state->launcher_database = MyDatabaseId;
  g_state->launcher_procno = MyProc->pgprocno;
  on_shmem_exit(clear_launcher, 0);
}

void register_maintenance_latch() {
  if (!g_state) return;
  g_state->maintenance_procno = MyProc->pgprocno;
  on_shmem_exit(clear_maintenance, 0);
}

namespace {
void ensure_xact_callback() {
  if (!callback_registered) {
    pg::pg_guard([] { RegisterXactCallback(on_xact, nullptr); });
    callback_registered = true;
  }
}
}  // namespace

void wake_launcher_at_commit() {
  ensure_xact_callback();
  wake_at_commit = true;
}

void wake_maintenance_at_commit() {
  ensure_xact_callback();
  maintenance_wake_pending = true;
}

bool maintenance_serves_this_database() {
  return g_state && g_state->launcher_procno >= 0 && g_state->launcher_database == MyDatabaseId;
}

void wake_launcher_now() {
  if (!g_state) return;
  const int procno = g_state->launcher_procno;
  if (procno >= 0) SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

}  // namespace pg_etl::worker

// etl._wake_launcher(): wake the background worker when this transaction commits.
PG_ETL_FUNCTION(pg_etl_wake_launcher) {
  pg_etl::worker::wake_launcher_at_commit();
  PG_RETURN_VOID();
}

// etl._wake_maintenance(): new deliveries or SLA work, at commit.
PG_ETL_FUNCTION(pg_etl_wake_maintenance) {
  pg_etl::worker::wake_maintenance_at_commit();
  PG_RETURN_VOID();
}
