#include "core/mysql_reader.hpp"

#include <fcntl.h>
#include <mysql.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "core/column_match.hpp"
#include "core/db_url.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSliceMs = 100;           // longest wait before checking for interrupts
constexpr uint64_t kCheckEvery = 1024;  // rows between interrupt checks while rows flow
constexpr size_t kRawValueMax = 200;    // bytes of one value shown in raw
constexpr size_t kRawMax = 2000;        // bytes of raw in all

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

unsigned timeout_seconds(double s) {
  if (s <= 0) return 0;
  return static_cast<unsigned>(std::max(1.0, std::ceil(s)));
}

enum class Conv : uint8_t { kAsIs, kHex, kDate, kTimestamp };

Conv conversion_of(const MYSQL_FIELD& f) {
  switch (f.type) {
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
    case MYSQL_TYPE_DATETIME:
      return Conv::kDate;
    case MYSQL_TYPE_TIMESTAMP:
      return Conv::kTimestamp;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
      // 63 is the binary character set: bytes, not text (numbers and dates carry it too,
      // which is why the type decides first; MySQL 8's JSON type is not in this list)
      return f.charsetnr == 63 ? Conv::kHex : Conv::kAsIs;
    default:
      return Conv::kAsIs;
  }
}

bool is_zero_date(const char* v, unsigned long len) {
  return len >= 10 && std::memcmp(v, "0000-00-00", 10) == 0;
}

void append_raw_value(std::string& raw, const char* v, unsigned long len, bool binary) {
  if (!v) return;  // NULL: an empty unquoted field
  std::string_view s(v, std::min<unsigned long>(len, kRawValueMax));
  if (binary) {
    append_bytea_hex(raw, s);
  } else if (s.empty() || s.find_first_of(",\"\n\r") != std::string_view::npos) {
    raw += '"';
    for (char c : s) {
      if (c == '"') raw += '"';
      raw += c;
    }
    raw += '"';
  } else {
    raw.append(s);
  }
  if (len > kRawValueMax) raw += "...";
}

class MysqlReader final : public RecordReader {
 public:
  MysqlReader(const std::string& url, const std::string& query, const MysqlQueryOptions& opt) : opt_(opt) {
    library_init();
    url_ = parse_mysql_url(url);
    shown_ = redact_db_url(url, url_.password);
    const std::string sql = trim_query(query);
    conn_ = mysql_init(nullptr);
    if (!conn_) throw Error(sqlstate::kOutOfMemory, "could not start a connection to \"" + shown_ + "\"");
    configure(conn_, opt_.connect_timeout, opt_.read_timeout);
    mysql_options(conn_, MYSQL_OPT_NONBLOCK, nullptr);
    connect();
    run(sql);
  }

  ~MysqlReader() override { abandon(); }

  std::vector<std::string> source_columns() override { return names_; }

  void set_projection(const std::vector<ColumnSource>& columns) override {
    projection_ = resolve_csv_projection(names_, true, columns, shown_);
    projected_ = true;
  }

  int source_position(size_t i) const override {
    if (!projected_) return static_cast<int>(i) + 1;
    return i < projection_.size() && projection_[i] >= 0 ? projection_[i] + 1 : 0;
  }

  bool next(Record& record) override {
    if (!res_) return false;
    if (++rows_ % kCheckEvery == 0) interruption_point();
    MYSQL_ROW row = nullptr;
    int status = mysql_fetch_row_start(&row, res_);
    if (status) {
      const auto deadline = read_deadline();
      while (status) status = mysql_fetch_row_cont(&row, res_, wait(status, deadline));
    }
    if (!row) {
      if (mysql_errno(conn_)) failed(false);
      finish();
      return false;
    }
    const unsigned long* lengths = mysql_fetch_lengths(res_);
    const unsigned n = static_cast<unsigned>(convs_.size());
    values_.resize(n);
    raw_.clear();
    uint64_t wire = 4;
    for (unsigned i = 0; i < n; i++) {
      const char* v = row[i];
      const unsigned long len = lengths[i];
      wire += len + 1;
      if (i) raw_ += ',';
      append_raw_value(raw_, v, len, convs_[i] == Conv::kHex);
      if (!v) {
        values_[i] = Value{{}, ValueKind::kNull};
        continue;
      }
      switch (convs_[i]) {
        case Conv::kAsIs:
          values_[i] = Value{std::string_view(v, len), ValueKind::kText};
          break;
        case Conv::kHex:
          scratch_[i].clear();
          append_bytea_hex(scratch_[i], std::string_view(v, len));
          values_[i] = Value{scratch_[i], ValueKind::kText};
          break;
        case Conv::kDate:
          values_[i] = is_zero_date(v, len) ? Value{{}, ValueKind::kNull} : Value{std::string_view(v, len), ValueKind::kText};
          break;
        case Conv::kTimestamp:
          if (is_zero_date(v, len)) {
            values_[i] = Value{{}, ValueKind::kNull};
          } else {
            scratch_[i].assign(v, len);
            scratch_[i] += "+00";
            values_[i] = Value{scratch_[i], ValueKind::kText};
          }
          break;
      }
    }
    if (raw_.size() > kRawMax) {
      raw_.resize(kRawMax);
      raw_ += "...";
    }
    bytes_ += wire;
    record.values.clear();
    if (!projected_) {
      record.values.assign(values_.begin(), values_.end());
    } else {
      for (int idx : projection_)
        record.values.push_back(idx >= 0 && static_cast<unsigned>(idx) < n ? values_[static_cast<size_t>(idx)]
                                                                             : Value{{}, ValueKind::kNull});
    }
    record.names.clear();
    record.line = rows_;
    record.byte_offset = 0;
    record.raw = raw_;
    record.problem.reset();
    return true;
  }

  uint64_t transport_bytes() const override { return bytes_; }

 private:
  // Options for this connection and the one that kills its query.
  void configure(MYSQL* m, double connect_timeout, double read_timeout) {
    unsigned ct = timeout_seconds(connect_timeout), rt = timeout_seconds(read_timeout);
    if (ct) mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    if (rt) {
      mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rt);
      mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
    }
    unsigned int no = 0;
    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &no);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (!opt_.application_name.empty())
      mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", opt_.application_name.c_str());
    const std::string mode = effective_ssl_mode();
    if (mode == "DISABLED") return;
    auto opt_or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    // Connector/C 3.3: "enforce" asks for TLS when the server offers it and goes on in
    // plain text when it does not, unless the certificate is verified; REQUIRED is
    // checked after connecting (require_tls).
    mysql_ssl_set(m, opt_or_null(url_.ssl_key), opt_or_null(url_.ssl_cert), opt_or_null(url_.ssl_ca),
                  opt_or_null(url_.ssl_capath), opt_or_null(url_.ssl_cipher));
    my_bool use_tls = 1;
    my_bool verify = mode == "VERIFY_CA" || mode == "VERIFY_IDENTITY";
    mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &use_tls);
    mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }

  // ssl-mode as given; without one: VERIFY_IDENTITY when a CA is named, else PREFERRED
  // (MySQL's own default: TLS when the server offers it).
  std::string effective_ssl_mode() const {
    if (!url_.ssl_mode.empty()) return url_.ssl_mode;
    if (!url_.ssl_ca.empty() || !url_.ssl_capath.empty()) return "VERIFY_IDENTITY";
    return "PREFERRED";
  }

  // When a read that starts now must have seen data. The connector times reads out itself
  // too, but not over TLS in non-blocking mode.
  std::optional<Clock::time_point> read_deadline() const {
    if (opt_.read_timeout <= 0) return std::nullopt;
    return Clock::now() + std::chrono::milliseconds(static_cast<long long>(opt_.read_timeout * 1000));
  }

  // Waits for what the connector asked for (status: MYSQL_WAIT_*), in slices that check
  // for interrupts; returns the events that happened, for the *_cont call.
  int wait(int status, std::optional<Clock::time_point> deadline) {
    pollfd p{mysql_get_socket(conn_), 0, 0};
    if (status & MYSQL_WAIT_READ) p.events |= POLLIN;
    if (status & MYSQL_WAIT_WRITE) p.events |= POLLOUT;
    if (status & MYSQL_WAIT_EXCEPT) p.events |= POLLPRI;
    std::optional<Clock::time_point> lib_deadline;
    if (status & MYSQL_WAIT_TIMEOUT)
      lib_deadline = Clock::now() + std::chrono::milliseconds(mysql_get_timeout_value_ms(conn_));
    for (;;) {
      interruption_point();
      auto slice = std::chrono::milliseconds(kSliceMs);
      const auto now = Clock::now();
      if (lib_deadline) {
        if (now >= *lib_deadline) {
          timed_out_ = !connecting_;
          return MYSQL_WAIT_TIMEOUT;
        }
        slice = std::min(slice, std::chrono::duration_cast<std::chrono::milliseconds>(*lib_deadline - now) +
                                    std::chrono::milliseconds(1));
      }
      if (deadline) {
        if (now >= *deadline) {
          if (connecting_) connect_timed_out();
          read_timed_out();
        }
        slice = std::min(slice, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now) +
                                    std::chrono::milliseconds(1));
      }
      p.revents = 0;
      const int r = ::poll(&p, 1, static_cast<int>(slice.count()));
      if (r > 0) {
        int ready = 0;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) ready |= status & MYSQL_WAIT_READ;
        if (p.revents & (POLLOUT | POLLHUP | POLLERR)) ready |= status & MYSQL_WAIT_WRITE;
        if (p.revents & POLLPRI) ready |= status & MYSQL_WAIT_EXCEPT;
        if (ready) return ready;
      } else if (r < 0 && errno != EINTR) {
        return status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);  // let the connector see the error
      }
    }
  }

  void connect() {
    std::optional<Clock::time_point> deadline;
    if (opt_.connect_timeout > 0)
      deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(opt_.connect_timeout * 1000));
    MYSQL* ret = nullptr;
    // "" rather than NULL: NULL would let the connector take $USER / $MYSQL_PWD
    int status = mysql_real_connect_start(&ret, conn_, url_.socket.empty() ? url_.host.c_str() : "localhost",
                                          url_.user.c_str(), url_.password.c_str(),
                                          url_.database.empty() ? nullptr : url_.database.c_str(), url_.port,
                                          url_.socket.empty() ? nullptr : url_.socket.c_str(), 0);
    connecting_ = true;
    while (status) status = mysql_real_connect_cont(&ret, conn_, wait(status, deadline));
    if (!ret) failed(true);
    connecting_ = false;
    if (effective_ssl_mode() == "REQUIRED" && !mysql_get_ssl_cipher(conn_) && url_.socket.empty() &&
        url_.host != "localhost") {
      abandon();
      throw Error(sqlstate::kSqlclientUnableToEstablishConnection,
                  "could not connect to \"" + shown_ + "\": the server does not offer TLS (ssl-mode=REQUIRED)");
    }
    thread_id_ = mysql_thread_id(conn_);
    // Connector/C leaves the socket in blocking mode after connecting. Plain reads do not
    // mind (MSG_DONTWAIT), but OpenSSL reads the socket itself and would block for up to
    // read_timeout, deaf to cancels: make it non-blocking, so TLS reads suspend like the rest.
    const auto fd = mysql_get_socket(conn_);
    if (fd >= 0) {
      const int flags = ::fcntl(fd, F_GETFL);
      if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
  }

  void run(const std::string& sql) {
    int err = 0;
    running_ = true;
    int status = mysql_real_query_start(&err, conn_, sql.data(), sql.size());
    const auto deadline = read_deadline();
    while (status) status = mysql_real_query_cont(&err, conn_, wait(status, deadline));
    if (err) failed(false);
    res_ = mysql_use_result(conn_);
    if (!res_) {
      if (mysql_errno(conn_)) failed(false);
      running_ = false;
      abandon();
      throw Error(sqlstate::kFeatureNotSupported, "query on \"" + shown_ + "\" returned no result set", "",
                  "give a SELECT or another statement that returns rows");
    }
    const unsigned n = mysql_num_fields(res_);
    const MYSQL_FIELD* fields = mysql_fetch_fields(res_);
    for (unsigned i = 0; i < n; i++) {
      names_.emplace_back(fields[i].name, fields[i].name_length);
      convs_.push_back(conversion_of(fields[i]));
    }
    scratch_.resize(n);
  }

  void interruption_point() {
    check_query_interrupts([this] { abandon(); }, shown_);
  }

  [[noreturn]] void connect_timed_out() {
    abandon();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", opt_.connect_timeout);
    throw Error(sqlstate::kSqlclientUnableToEstablishConnection,
                "could not connect to \"" + shown_ + "\": timeout expired after " + buf);
  }

  [[noreturn]] void read_timed_out() {
    abandon();  // kills the query
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", opt_.read_timeout);
    throw Error(sqlstate::kQueryCanceled,
                "query on \"" + shown_ + "\" failed: no data from the server for " + buf + " (read_timeout)", "",
                "raise read_timeout for queries that take long before their first row");
  }

  [[noreturn]] void failed(bool connecting) {
    const unsigned code = mysql_errno(conn_);
    const std::string state_text = mysql_sqlstate(conn_);
    std::string message = scrub_secret(mysql_error(conn_), url_.password);
    if (message.empty()) message = "unknown error";
    const char* state = mysql_error_sqlstate(code, connecting);
    // A server error ended the query there; after a client-side error (lost connection,
    // read timeout) it may still run, so abandon() kills it.
    running_ = running_ && !connecting && code >= 2000;
    abandon();
    std::string hint;
    if (code == 1045 || code == 1698) hint = "check the user name and password in the URL";
    if (timed_out_ && (code == 2013 || code == 2006 || code == 2055)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g s", opt_.read_timeout);
      message = "no data from the server for " + std::string(buf) + " (read_timeout): " + message;
      state = sqlstate::kQueryCanceled;
      hint = "raise read_timeout for queries that take long before their first row";
    }
    throw Error(state,
                (connecting ? "could not connect to \"" : "query on \"") + shown_ + (connecting ? "\": " : "\" failed: ") + message,
                "MySQL error " + std::to_string(code) + " (" + state_text + ")", hint);
  }

  // The result is complete: free it and close the connection (COM_QUIT).
  void finish() {
    running_ = false;
    if (res_) mysql_free_result(res_);
    res_ = nullptr;
    if (conn_) mysql_close(conn_);
    conn_ = nullptr;
  }

  // Kills a running remote query, cuts the connection and frees everything. Never throws.
  void abandon() noexcept {
    if (!conn_) return;
    if (running_ && thread_id_) kill_query();
    running_ = false;
    if (res_) {
      // mysql_free_result reads the rest of an unbuffered result: cut the socket first
      const auto fd = mysql_get_socket(conn_);
      if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
      mysql_free_result(res_);
      res_ = nullptr;
    } else if (connecting_) {
      const auto fd = mysql_get_socket(conn_);
      if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    }
    mysql_close(conn_);
    conn_ = nullptr;
  }

  // KILL QUERY on a second, blocking connection with short timeouts. Best effort.
  void kill_query() noexcept {
    MYSQL* k = mysql_init(nullptr);
    if (!k) return;
    const double ct = opt_.connect_timeout > 0 ? std::min(opt_.connect_timeout, 5.0) : 5.0;
    configure(k, ct, 5);
    if (mysql_real_connect(k, url_.socket.empty() ? url_.host.c_str() : "localhost", url_.user.c_str(),
                           url_.password.c_str(), nullptr, url_.port,
                           url_.socket.empty() ? nullptr : url_.socket.c_str(), 0)) {
      const std::string kill = "KILL QUERY " + std::to_string(thread_id_);
      mysql_real_query(k, kill.data(), kill.size());
    }
    mysql_close(k);
  }

  MysqlQueryOptions opt_;
  MysqlUrl url_;
  std::string shown_;
  MYSQL* conn_ = nullptr;
  MYSQL_RES* res_ = nullptr;
  unsigned long thread_id_ = 0;
  bool running_ = false, connecting_ = false, timed_out_ = false;
  std::vector<std::string> names_;
  std::vector<Conv> convs_;
  std::vector<std::string> scratch_;  // converted values of the current row
  std::vector<Value> values_;
  std::string raw_;
  std::vector<int> projection_;
  bool projected_ = false;
  uint64_t rows_ = 0, bytes_ = 0;
};

}  // namespace

const char* mysql_error_sqlstate(unsigned error_number, bool connecting) {
  switch (error_number) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      return sqlstate::kInvalidAuthorization;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
      return sqlstate::kInsufficientPrivilege;
    case 1049:  // ER_BAD_DB_ERROR
      return "3D000";
    case 1146:  // ER_NO_SUCH_TABLE
      return "42P01";
    case 1054:  // ER_BAD_FIELD_ERROR
      return sqlstate::kUndefinedColumn;
    case 1064:  // ER_PARSE_ERROR
    case 1149:  // ER_SYNTAX_ERROR
      return "42601";
    case 1305:  // ER_SP_DOES_NOT_EXIST
      return "42883";
    case 1052:  // ER_NON_UNIQ_ERROR
      return "42702";
    case 1317:  // ER_QUERY_INTERRUPTED
    case 1969:  // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
    case 3024:  // ER_QUERY_TIMEOUT (MySQL max_execution_time)
      return sqlstate::kQueryCanceled;
    case 1040:  // ER_CON_COUNT_ERROR
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
      return "53300";
    case 1213:  // ER_LOCK_DEADLOCK
      return "40P01";
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
      return "55P03";
    case 1365:  // ER_DIVISION_BY_ZERO
      return "22012";
    case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
    case 1690:  // ER_DATA_OUT_OF_RANGE
      return sqlstate::kNumericValueOutOfRange;
    case 1242:  // ER_SUBQUERY_NO_1_ROW
      return "21000";
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
      return connecting ? sqlstate::kSqlclientUnableToEstablishConnection : sqlstate::kConnectionFailure;
    default:
      return connecting ? sqlstate::kSqlclientUnableToEstablishConnection : "HV000";
  }
}

RecordReaderPtr open_mysql_query(const std::string& url, const std::string& query, const MysqlQueryOptions& opt) {
  return std::make_unique<MysqlReader>(url, query, opt);
}

}  // namespace pg_etl
