#pragma once
namespace pg_etl::worker {
// Registers the "pg_etl http" background worker (/metrics and the status page). Only
// valid while shared_preload_libraries is being processed; it idles while
// pg_etl.http_port is 0.
void register_http_server();
}  // namespace pg_etl::worker
