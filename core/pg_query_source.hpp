#pragma once
// A query on another PostgreSQL server as a stream of CSV bytes: libpq runs
//   COPY (<query>) TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE *)
// and hands the rows over as they arrive, so CsvReader (header true, null "") reads
// them: every value is quoted, so an empty string stays distinct from NULL (unquoted).
//
// The session is set up so the text reads back into PostgreSQL unchanged: client
// encoding UTF8, DateStyle ISO, IntervalStyle postgres, extra_float_digits 3 (exact
// floats), TimeZone UTC (timestamptz values end in +00).
//
// Everything waits in slices of at most 100 ms on the socket and checks for interrupts
// in between; a cancel cancels the remote query too. Memory stays flat: one row at a time.
//
// Errors (pg_etl::Error), with the URL shown without its password:
//   22023  a URL that is not postgresql:// or postgres://, or that libpq cannot parse
//   08001  no connection (refused, unreachable, TLS, timeout): "could not connect to ..."
//   28P01, 28000, 3D000, ...: the server's own SQLSTATE when it refused the session
//   2F003  require_password set and the server did not ask for the password
//   <remote SQLSTATE>  the query failed there: "query on \"<url>\" failed: <remote message>",
//          with the remote detail and hint
//   08006  the connection broke while streaming
//   57014  cancelled (or whatever the host's interrupt check throws)
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl {

struct PgQueryOptions {
  double connect_timeout = 30;  // seconds; <= 0: none. A connect_timeout in the URL wins.
  std::string application_name = "pg_etl";  // unless the URL sets application_name
  // As postgres_fdw and dblink do for non-superusers: the URL must carry a password and
  // the server must have asked for it (no trust/peer login as the backend's OS user,
  // no password from its ~/.pgpass).
  bool require_password = false;
};

// Connects, starts the COPY, and returns the stream positioned at the CSV header.
ByteSourcePtr open_pg_query(const std::string& url, const std::string& query, const PgQueryOptions& opt = {});

// The SQL text sent to the server for query (exposed for tests).
std::string pg_copy_statement(const std::string& query);

}  // namespace pg_etl
