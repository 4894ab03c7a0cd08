#pragma once
// Another database as a source: a query's rows from postgresql:// / postgres:// (libpq,
// COPY ... TO STDOUT as CSV, read by CsvReader) or mysql:// / mariadb:// (MariaDB
// Connector/C, row by row). Both stream: memory holds a row, never the result.
#include <string>

#include "core/read_options.hpp"
#include "core/record.hpp"

namespace pg_etl {

// True for postgresql://, postgres://, mysql:// and mariadb:// URLs.
bool is_query_url(const std::string& url);

// Throws 22023 unless url is one pg_etl reads: a file, network or database URL.
void check_source_url(const std::string& url);

// "postgresql" or "mysql" for a query URL.
std::string query_dialect(const std::string& url);

// The query a read runs: options.query (etl.read_query's argument, or the "query"
// option), else SELECT * FROM options.table. Throws 22023 when neither is given.
std::string source_query(const std::string& url, const ReadOptions& options);

// query restricted to rows whose column is at or above lower (a closed bound), quoted
// for the URL's dialect: SELECT * FROM (query) AS pg_etl_source WHERE "col" >= 'lower'.
std::string query_with_lower_bound(const std::string& url, const std::string& query, const std::string& column,
                                   const std::string& lower);

// Connects and runs the query.
RecordReaderPtr open_query(const std::string& url, const ReadOptions& options);

}  // namespace pg_etl
