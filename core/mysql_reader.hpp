#pragma once
// A query on a MySQL or MariaDB server as a stream of records, through MariaDB
// Connector/C (libmariadb): mysql_real_query + mysql_use_result + mysql_fetch_row, in the
// connector's non-blocking mode, so the result is never held whole and every wait (connect,
// query, next row) is a poll of at most 100 ms that checks for interrupts. A cancel kills
// the remote query (KILL QUERY on a second connection) before the connection closes.
//
// Session: character set utf8mb4, time_zone '+00:00', LOAD DATA LOCAL refused (a server
// could otherwise ask for any file the backend can read), no option files read.
//
// TLS (?ssl-mode=): PREFERRED by default (TLS when the server offers it, as MySQL's own
// clients do), VERIFY_IDENTITY by default when ssl-ca/ssl-capath is given; DISABLED;
// REQUIRED (TLS or fail, certificate not checked); VERIFY_CA and VERIFY_IDENTITY (both
// check the chain and the host name: Connector/C does not separate them).
//
// Values come as MySQL's text protocol sends them, so PostgreSQL's input functions take
// them, except:
//   BLOB, BINARY, VARBINARY, BIT, GEOMETRY (binary charset) -> "\x" + hex (bytea input)
//   DATE, DATETIME, TIMESTAMP zero dates ('0000-00-00', '0000-00-00 00:00:00') -> NULL
//   TIMESTAMP -> "... +00" (an instant: timestamptz reads it right whatever its TimeZone;
//                timestamp ignores the offset). DATETIME stays as sent (wall time).
//
// Errors (pg_etl::Error), messages showing the URL without its password, detail
// "MySQL error N (SQLSTATE)":
//   22023 bad URL; 08001 no connection (refused, unreachable, TLS, timeout, and any other
//   failure while connecting); 57014 cancelled, or read_timeout passed without data;
//   28000 access denied (1045, 1698); 42501 no privilege
//   (1044, 1142, 1143, 1227); 3D000 unknown database (1049); 42P01 unknown table (1146);
//   42703 unknown column (1054); 42601 syntax (1064, 1149); 42883 unknown function (1305);
//   42702 ambiguous column (1052); 57014 interrupted or timed out (1317, 1969, 3024);
//   53300 too many connections (1040, 1203); 40P01 deadlock (1213); 55P03 lock wait
//   timeout (1205); 22012 division by zero (1365); 22003 out of range (1264, 1690);
//   21000 subquery returns more than one row (1242); 08006 connection lost (2006, 2013,
//   2055); 0A000 a statement that returns no result set; HV000 (fdw_error) anything else.
#include <string>

#include "core/record.hpp"

namespace pg_etl {

struct MysqlQueryOptions {
  double connect_timeout = 30;  // seconds, the whole connect (TCP, TLS, login); <= 0: none
  double read_timeout = 300;    // seconds without a byte from the server while reading
  std::string application_name = "pg_etl";  // connection attribute program_name
};

// Connects and runs the query; source_columns() are the result's field names.
RecordReaderPtr open_mysql_query(const std::string& url, const std::string& query, const MysqlQueryOptions& opt = {});

// The PostgreSQL SQLSTATE for a MySQL error number (the table above); connecting: the
// error happened while connecting (unmapped ones are 08001 then, else HV000).
const char* mysql_error_sqlstate(unsigned error_number, bool connecting);

}  // namespace pg_etl
