#include "core/query_source.hpp"

#include "core/csv_reader.hpp"
#include "core/db_url.hpp"
#include "core/error.hpp"
#include "core/mysql_reader.hpp"
#include "core/pg_query_source.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

std::string quote_identifier(const std::string& dialect, const std::string& name) {
  const char q = dialect == "mysql" ? '`' : '"';
  std::string out(1, q);
  for (char c : name) {
    if (c == q) out += q;
    out += c;
  }
  return out + q;
}

std::string quote_literal(const std::string& dialect, const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    if (c == '\\' && dialect == "mysql") out += '\\';  // MySQL reads backslash escapes in literals
    out += c;
  }
  return out + "'";
}

}  // namespace

bool is_query_url(const std::string& url) { return !db_url_scheme(url).empty(); }

std::string query_dialect(const std::string& url) {
  const std::string s = db_url_scheme(url);
  return s == "mysql" || s == "mariadb" ? "mysql" : "postgresql";
}

std::string source_query(const std::string& url, const ReadOptions& options) {
  if (!options.query.empty()) return trim_query(options.query);
  if (!options.table.empty()) {
    // schema.table: each part quoted
    std::string q, part;
    const std::string dialect = query_dialect(url);
    for (size_t i = 0; i <= options.table.size(); i++) {
      if (i == options.table.size() || options.table[i] == '.') {
        q += (q.empty() ? "" : ".") + quote_identifier(dialect, part);
        part.clear();
      } else {
        part += options.table[i];
      }
    }
    return "SELECT * FROM " + q;
  }
  throw Error(sqlstate::kInvalidParameterValue, "\"" + redact_url(url) + "\" is a database: which rows?", "",
              "etl.read_query(url, 'SELECT ...'), or the option \"query\" (or \"table\") with etl.load and sources");
}

std::string query_with_lower_bound(const std::string& url, const std::string& query, const std::string& column,
                                   const std::string& lower) {
  const std::string d = query_dialect(url);
  return "SELECT * FROM (" + trim_query(query) + ") AS pg_etl_source WHERE " + quote_identifier(d, column) +
         " >= " + quote_literal(d, lower);
}

RecordReaderPtr open_query(const std::string& url, const ReadOptions& options) {
  const std::string query = source_query(url, options);
  if (query_dialect(url) == "mysql") {
    MysqlQueryOptions m;
    m.connect_timeout = options.transport.connect_timeout;
    if (options.transport.timeout > 0) m.read_timeout = options.transport.timeout;
    return open_mysql_query(url, query, m);
  }
  PgQueryOptions p;
  p.connect_timeout = options.transport.connect_timeout;
  p.require_password = options.require_db_password;
  CsvOptions csv;  // COPY's CSV: a header, every value quoted, NULL unquoted and empty
  csv.header = HeaderMode::kTrue;
  csv.null_tokens = {""};
  return std::make_unique<CsvReader>(open_pg_query(url, query, p), csv, redact_url(url));
}

}  // namespace pg_etl
