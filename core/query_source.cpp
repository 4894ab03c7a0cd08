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

// The URL with the options' username and password in it when it has none of its own, so
// the password can live in a secret: {"password": {"secret": "warehouse"}}.
std::string with_credentials(const std::string& url, const TransportOptions& t) {
  if (t.username.empty() && t.password.empty()) return url;
  const size_t start = url.find("://") + 3;
  const size_t end = url.find_first_of("/?#", start);
  const std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  const size_t at = authority.rfind('@');
  std::string user = at == std::string::npos ? "" : authority.substr(0, at);
  const std::string host = at == std::string::npos ? authority : authority.substr(at + 1);
  if (user.find(':') != std::string::npos) return url;  // the URL's own password wins
  if (user.empty()) user = percent_encode(t.username);
  if (!t.password.empty()) user += ":" + percent_encode(t.password);
  return url.substr(0, start) + user + "@" + host + (end == std::string::npos ? "" : url.substr(end));
}

// Rows of a query are numbered 1, 2, ... in messages and etl.rejects, whatever the
// transfer format (a CSV line count would shift with every value holding a newline).
class RowNumbered final : public RecordReader {
 public:
  explicit RowNumbered(RecordReaderPtr inner) : inner_(std::move(inner)) {}
  std::vector<std::string> source_columns() override { return inner_->source_columns(); }
  void set_projection(const std::vector<ColumnSource>& c) override { inner_->set_projection(c); }
  bool next(Record& r) override {
    if (!inner_->next(r)) return false;
    r.line = ++rows_;
    return true;
  }
  uint64_t transport_bytes() const override { return inner_->transport_bytes(); }
  int source_position(size_t i) const override { return inner_->source_position(i); }

 private:
  RecordReaderPtr inner_;
  uint64_t rows_ = 0;
};

}  // namespace

bool is_query_url(const std::string& url) { return !db_url_scheme(url).empty(); }

void check_source_url(const std::string& url) {
  if (!is_query_url(url)) {
    parse_url(url);
    return;
  }
  if (query_dialect(url) == "mysql") parse_mysql_url(url);  // libpq checks its own URLs when it connects
}

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

RecordReaderPtr open_query(const std::string& source_url, const ReadOptions& options) {
  const std::string query = source_query(source_url, options);
  const std::string url = with_credentials(source_url, options.transport);
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
  return std::make_unique<RowNumbered>(std::make_unique<CsvReader>(open_pg_query(url, query, p), csv, redact_url(source_url)));
}

}  // namespace pg_etl
