#pragma once
// pg_etl's configuration parameters (all named pg_etl.*). See README "Configuration".
namespace pg_etl::guc {

extern char* database;       // pg_etl.database: the database the background worker serves
extern int max_workers;      // pg_etl.max_workers: runs executing at once
extern int naptime_ms;       // pg_etl.naptime: longest launcher sleep between checks
extern char* run_id;         // pg_etl.run_id: the run executing in this session (set by pg_etl)
extern char* run_properties; // pg_etl.run_properties: the current run's properties (JSON)
extern char* secret_key_file; // pg_etl.secret_key_file: the key that seals secrets ("": in the data directory)
extern bool events;          // pg_etl.events: record events and queue notifications
extern bool lineage;         // pg_etl.lineage: record lineage rows
extern bool metrics;         // pg_etl.metrics: maintain etl.run_stats
extern int history_retention_days;  // pg_etl.history_retention: days of run history kept (0: all)

extern int http_port;           // pg_etl.http_port: the /metrics endpoint and status page (0: off)
extern char* http_listen_address; // pg_etl.http_listen_address
extern char* http_token_file;    // pg_etl.http_token_file: where the endpoint's bearer token is

// Defines the parameters. None is PGC_POSTMASTER: Postgres makes defining one FATAL
// when the library is loaded by a session rather than preloaded.
void define();

}  // namespace pg_etl::guc
