#pragma once
// What the launcher hands a dynamic background worker (in bgw_extra, 128 bytes).
#include <cstdint>

namespace pg_etl::worker {

struct WorkerTask {
  char kind;           // 'r': run etl.runs.id; 'p': poll the file-arrival trigger of etl.pipelines.id;
                       // 'm': maintenance (deliveries, SLA checks; id & 1: purge old history)
  int64_t id;
  uint32_t database;   // Oid
  uint32_t role;       // Oid of the pipeline's owner: the worker runs as that role
};

static_assert(sizeof(WorkerTask) <= 128, "WorkerTask must fit bgw_extra");

}  // namespace pg_etl::worker
