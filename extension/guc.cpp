#include "extension/guc.hpp"

#include "extension/pg/postgres.hpp"
extern "C" {
#include "utils/guc.h"
}

namespace pg_etl::guc {

char* database = nullptr;
int max_workers = 4;
int naptime_ms = 1000;
char* run_id = nullptr;
char* run_properties = nullptr;
char* secret_key_file = nullptr;
bool events = true;
bool lineage = true;
bool metrics = true;
int history_retention_days = 30;
int http_port = 0;
char* http_listen_address = nullptr;
char* http_token_file = nullptr;

void define() {
  DefineCustomStringVariable(
      "pg_etl.database", "Database in which pg_etl's background worker runs pipelines.",
      "The extension must be created in this database. On reload the launcher moves to the new "
      "database.",
      &database, "postgres", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("pg_etl.max_workers", "Pipeline and workflow runs the background worker executes at once.",
                          "Each run uses one background worker process (max_worker_processes must leave room).",
                          &max_workers, 4, 0, 64, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("pg_etl.naptime", "Longest time the launcher sleeps between looking for due work.",
                          "Queued runs wake it at once; schedules are checked at least this often.", &naptime_ms, 1000, 10,
                          60000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
  // Set by pg_etl while a run executes, read by etl.current_run_id() and etl.run_property().
  DefineCustomStringVariable("pg_etl.run_id", "The pg_etl run executing in this session.", nullptr, &run_id, "",
                             PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
  DefineCustomStringVariable("pg_etl.run_properties", "Properties of the pg_etl run executing in this session (JSON).",
                             nullptr, &run_properties, "", PGC_USERSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, nullptr,
                             nullptr, nullptr);
  // SIGHUP, so that no session can point pg_etl at a key of its own choosing.
  DefineCustomStringVariable("pg_etl.secret_key_file", "File holding the key that encrypts pg_etl's secrets.",
                             "64 hex digits, readable only by the server's OS user. Empty: pg_etl_secret.key in the "
                             "data directory, created by the first etl.create_secret.",
                             &secret_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
  // SUSET: the owner of a pipeline must not be able to silence alerts or audit rows.
  DefineCustomBoolVariable("pg_etl.events", "Record events (runs, rejects, quality, SLAs) and queue their notifications.",
                           "Off: no rows in etl.events and nothing delivered (the overhead benchmark's baseline).", &events,
                           true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable("pg_etl.lineage", "Record what each run read and wrote in etl.lineage.",
                           "Off: no lineage rows (the overhead benchmark's baseline).", &lineage, true, PGC_SUSET, 0,
                           nullptr, nullptr, nullptr);
  // SUSET like pg_etl.events: a pipeline's owner must not be able to hide runs from the counters.
  DefineCustomBoolVariable("pg_etl.metrics", "Add every run that ends to etl.run_stats (what /metrics serves).",
                           "Off: etl.run_stats is not maintained (the overhead benchmark's baseline).", &metrics, true,
                           PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("pg_etl.history_retention", "Days of run history etl.purge_history keeps.",
                          "The background worker purges older runs hourly (never a pipeline's latest run or latest "
                          "success); 0 keeps everything.",
                          &history_retention_days, 30, 0, 36500, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("pg_etl.http_port", "TCP port of the /metrics endpoint and the status page (0: off).",
                          "Served by the \"pg_etl http\" background worker; a reload rebinds it.", &http_port, 0, 0, 65535,
                          PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable("pg_etl.http_listen_address", "IPv4 address the /metrics endpoint and status page listen on.",
                             "The default keeps them on the loopback interface.", &http_listen_address, "127.0.0.1",
                             PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  // A file, not the token itself: PostgreSQL logs "parameter changed to ..." on reload.
  DefineCustomStringVariable("pg_etl.http_token_file", "File holding the bearer token every request to the endpoint must carry.",
                             "Read at start and on reload; empty or unreadable: every request but /healthz gets 503.",
                             &http_token_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("pg_etl");
}

}  // namespace pg_etl::guc
