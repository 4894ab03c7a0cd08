#pragma once
namespace pg_etl::worker {
// Registers the launcher background worker. Only valid while shared_preload_libraries
// is being processed.
void register_launcher();
}  // namespace pg_etl::worker
