#pragma once
// The BackgroundWorker definition every pg_etl worker shares (this library, a database
// connection, started once recovery is done); callers set what differs.
#include <cstring>

#include "extension/pg/postgres.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace pg_etl::worker {

inline BackgroundWorker worker_definition(const char* function, const char* name, const char* type, int restart_seconds) {
  BackgroundWorker w;
  std::memset(&w, 0, sizeof w);
  w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  w.bgw_start_time = BgWorkerStart_RecoveryFinished;
  w.bgw_restart_time = restart_seconds;
  strlcpy(w.bgw_library_name, "pg_etl", BGW_MAXLEN);
  strlcpy(w.bgw_function_name, function, BGW_MAXLEN);
  strlcpy(w.bgw_name, name, BGW_MAXLEN);
  strlcpy(w.bgw_type, type, BGW_MAXLEN);
  return w;
}

}  // namespace pg_etl::worker
