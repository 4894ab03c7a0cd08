#pragma once
// What the launcher shares with every backend: where to find its latch, so a
// transaction that queued work can wake it at commit (etl._wake_launcher).
// Present only when pg_etl is in shared_preload_libraries.
namespace pg_etl::worker {

// Hooks shared-memory requests; call from _PG_init while preloading.
void request_shared_state();

// Called by the launcher once connected; cleared when it exits.
void register_launcher_latch();

// Wakes the launcher now (no-op without shared state or a running launcher).
void wake_launcher_now();

// Wakes it when the current transaction commits (nothing on abort).
void wake_launcher_at_commit();

// The maintenance worker (deliveries, SLA checks) registers itself while it lives.
void register_maintenance_latch();

// At commit, wakes the maintenance worker, or the launcher to start one.
void wake_maintenance_at_commit();

// Whether a launcher runs in the current database, so its maintenance worker will
// process work queued for it (the run outbox).
bool maintenance_serves_this_database();

}  // namespace pg_etl::worker
