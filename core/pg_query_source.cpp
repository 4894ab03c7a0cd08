#include "core/pg_query_source.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/ascii.hpp"
#include "core/db_url.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSliceMs = 100;  // longest wait before checking for interrupts
constexpr const char* kUrlHint =
    "write postgresql://user:password@host:port/database?sslmode=require, percent-encoding @ : / ? # % in the "
    "user and password";

void ignore_notice(void*, const PGresult*) {}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

bool is_sqlstate_at(const std::string& s, size_t i) {
  if (i + 5 > s.size()) return false;
  for (size_t k = i; k < i + 5; k++)
    if (!ascii_isdigit(s[k]) && !(s[k] >= 'A' && s[k] <= 'Z')) return false;
  return true;
}

// The text between "://" and the last '@' before the query: where the URL's own
// password would be, as the user wrote it (percent-encoded).
std::string userinfo_password(const std::string& url) {
  const size_t start = url.find("://");
  if (start == std::string::npos) return {};
  const size_t q = url.find('?', start + 3);
  const size_t at = url.rfind('@', q == std::string::npos ? std::string::npos : q);
  if (at == std::string::npos || at < start + 3) return {};
  const size_t colon = url.find(':', start + 3);
  if (colon >= at) return {};
  return url.substr(colon + 1, at - colon - 1);
}

std::string percent_decoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

class PgQuerySource final : public ByteSource {
 public:
  PgQuerySource(const std::string& url, const std::string& query, const PgQueryOptions& opt) {
    std::string scheme = db_url_scheme(url);
    if (scheme != "postgresql" && scheme != "postgres")
      throw Error(sqlstate::kInvalidParameterValue,
                  "\"" + redact_db_url(url, "") + "\" is not a postgresql:// or postgres:// URL", "", kUrlHint);
    const std::string libpq_url = scheme + url.substr(scheme.size());  // libpq wants the scheme in lower case
    const std::string sql = pg_copy_statement(query);

    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoDeleter> parsed(PQconninfoParse(libpq_url.c_str(), &err));
    if (!parsed) {
      std::string why = err ? err : "out of memory";
      PQfreemem(err);
      // libpq may quote the URL: keep its reason only when it cannot hold the password
      const std::string raw_pw = userinfo_password(url);
      if (!raw_pw.empty() && why.find(raw_pw) != std::string::npos) why.clear();
      if (why.find("password") != std::string::npos) why.clear();
      while (!why.empty() && ascii_isspace(why.back())) why.pop_back();
      throw Error(sqlstate::kInvalidParameterValue, "invalid PostgreSQL URL \"" + redact_db_url(url, "") + "\"", why,
                  kUrlHint);
    }
    std::vector<const char*> keys, values;
    bool has_app = false;
    double timeout = opt.connect_timeout;
    for (PQconninfoOption* o = parsed.get(); o->keyword; o++) {
      if (!o->val) continue;
      const std::string k = o->keyword;
      if (k == "password") password_ = o->val;
      if (k == "client_encoding") continue;  // ours: UTF8
      if (k == "application_name") has_app = true;
      if (k == "connect_timeout") timeout = std::atof(o->val);  // libpq ignores it in non-blocking connects
      keys.push_back(o->keyword);
      values.push_back(o->val);
    }
    // An unencoded '/' in the password makes libpq read something else than the user
    // meant (and quote pieces of the password in its errors): refuse such URLs.
    const std::string raw_pw = userinfo_password(url);
    if (!raw_pw.empty() && percent_decoded(raw_pw) != password_)
      throw Error(sqlstate::kInvalidParameterValue, "invalid PostgreSQL URL \"" + redact_db_url(url, "") + "\"",
                  "the password is not where libpq reads it", kUrlHint);
    raw_password_ = raw_pw;
    shown_ = redact_db_url(url, password_);
    if (opt.require_password && password_.empty())
      throw Error("2F003", "password is required to connect to \"" + shown_ + "\"", "",
                  "put the password in the URL (or a secret it names)");

    keys.push_back("client_encoding");
    values.push_back("UTF8");
    if (!has_app && !opt.application_name.empty()) {
      keys.push_back("application_name");
      values.push_back(opt.application_name.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);

    connect(keys, values, timeout, opt.require_password);
    start(sql);
  }

  ~PgQuerySource() override { abandon(); }

  size_t read(char* buf, size_t n) override {
    size_t got = 0;
    while (got < n) {
      if (row_off_ < row_len_) {
        const size_t take = std::min(n - got, row_len_ - row_off_);
        std::memcpy(buf + got, row_ + row_off_, take);
        row_off_ += take;
        got += take;
        continue;
      }
      free_row();
      if (done_) break;
      char* row = nullptr;
      const int len = PQgetCopyData(conn_, &row, 1);
      if (len > 0) {
        row_ = row;
        row_len_ = static_cast<size_t>(len);
        row_off_ = 0;
        bytes_ += static_cast<uint64_t>(len);
        if (++rows_ % 4096 == 0) interruption_point();
        continue;
      }
      if (len == -1) {  // end of the COPY: its result says whether the query succeeded
        finish_copy();
        break;
      }
      if (len == -2) broken("while reading");
      if (got > 0) break;  // hand over what we have rather than wait
      wait(POLLIN, std::nullopt);
      if (!PQconsumeInput(conn_)) broken("while reading");
    }
    return got;
  }

  uint64_t transport_bytes() const override { return bytes_; }

 private:
  // Cancels a running remote query and closes the connection. Never throws.
  void abandon() noexcept {
    free_row();
    if (!conn_) return;
    if (running_) {
      if (PGcancel* c = PQgetCancel(conn_)) {
        char errbuf[256];
        PQcancel(c, errbuf, sizeof errbuf);
        PQfreeCancel(c);
      }
    }
    PQfinish(conn_);
    conn_ = nullptr;
    running_ = false;
  }

  void free_row() noexcept {
    if (row_) PQfreemem(row_);
    row_ = nullptr;
    row_len_ = row_off_ = 0;
  }

  void interruption_point() {
    check_query_interrupts([this] { abandon(); }, shown_);
  }

  // Waits until the socket is ready for events, in slices checking for interrupts;
  // false when the deadline passed first.
  bool wait(short events, std::optional<Clock::time_point> deadline) {
    for (;;) {
      interruption_point();
      int slice = kSliceMs;
      if (deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
        if (left <= 0) return false;
        slice = static_cast<int>(std::min<long long>(slice, left));
      }
      pollfd p{PQsocket(conn_), events, 0};
      if (p.fd < 0) broken("while waiting");
      const int r = ::poll(&p, 1, slice);
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) broken("while waiting");
    }
  }

  void connect(const std::vector<const char*>& keys, const std::vector<const char*>& values, double timeout,
               bool require_password) {
    conn_ = PQconnectStartParams(keys.data(), values.data(), 0);
    if (!conn_) throw Error(sqlstate::kOutOfMemory, "could not start a connection to \"" + shown_ + "\"");
    PQsetNoticeReceiver(conn_, &ignore_notice, nullptr);  // never libpq's default: stderr
    // VERBOSE puts the server's SQLSTATE into the connection error text.
    PQsetErrorVerbosity(conn_, PQERRORS_VERBOSE);
    if (PQstatus(conn_) == CONNECTION_BAD) connect_failed();
    std::optional<Clock::time_point> deadline;
    if (timeout > 0)
      deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
      if (st == PGRES_POLLING_FAILED) connect_failed();
      if (!wait(st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
        abandon();
        throw Error(sqlstate::kSqlclientUnableToEstablishConnection,
                    "could not connect to \"" + shown_ + "\": timeout expired after " + seconds(timeout));
      }
      st = PQconnectPoll(conn_);
    }
    if (require_password && !PQconnectionUsedPassword(conn_)) {
      abandon();
      throw Error("2F003", "password is required to connect to \"" + shown_ + "\"",
                  "The server did not ask for the password.",
                  "the server must authenticate this connection with a password");
    }
    if (PQsetnonblocking(conn_, 1) != 0) broken("while setting up");
  }

  [[noreturn]] void connect_failed() {
    std::string text = conn_ ? PQerrorMessage(conn_) : "out of memory";
    abandon();
    text = scrub(text);
    // "connection to server at ... failed: FATAL:  28P01: password authentication failed ...\nLOCATION: ..."
    std::string state;
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? text.size() : nl + 1;
      std::string_view t = ascii_trim(line);
      if (t.empty() || t.substr(0, 9) == "LOCATION:") continue;
      std::string l(t);
      for (const char* sev : {"FATAL:  ", "ERROR:  "}) {
        size_t s = l.find(sev);
        if (s == std::string::npos) continue;
        size_t code = s + std::strlen(sev);
        if (is_sqlstate_at(l, code) && l.compare(code + 5, 2, ": ") == 0) {
          if (state.empty()) state = l.substr(code, 5);
          l.erase(s, code + 7 - s);
        } else {
          l.erase(s, std::strlen(sev));
        }
      }
      lines.push_back(l);
    }
    if (state.empty()) {
      if (text.find("no password supplied") != std::string::npos) state = sqlstate::kInvalidAuthorization;
      else state = sqlstate::kSqlclientUnableToEstablishConnection;
    }
    std::string detail;
    for (size_t i = 1; i < lines.size(); i++)  // libpq may try twice (sslmode=prefer): same text
      if (lines[i] != lines[0]) detail += (detail.empty() ? "" : " ") + lines[i];
    std::string hint;
    if (state == "28P01" || state == "28000") hint = "check the user name and password in the URL";
    throw Error(state, "could not connect to \"" + shown_ + "\": " + (lines.empty() ? "unknown error" : lines[0]),
                detail, hint);
  }

  [[noreturn]] void broken(const char* when) {
    std::string text = conn_ ? scrub(PQerrorMessage(conn_)) : std::string();
    while (!text.empty() && ascii_isspace(text.back())) text.pop_back();
    for (char& c : text)
      if (c == '\n' || c == '\t') c = ' ';
    running_ = false;  // no cancel request: PQcancel has no timeout, and the server may be unreachable
    abandon();
    throw Error(sqlstate::kConnectionFailure,
                "connection to \"" + shown_ + "\" broke " + when + (text.empty() ? "" : ": " + text));
  }

  [[noreturn]] void query_failed(PGresult* res) {
    auto field = [&](int code) {
      const char* v = PQresultErrorField(res, code);
      return v ? scrub(v) : std::string();
    };
    std::string state = field(PG_DIAG_SQLSTATE);
    std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = scrub(PQresultErrorMessage(res));
    std::string detail = field(PG_DIAG_MESSAGE_DETAIL), hint = field(PG_DIAG_MESSAGE_HINT);
    PQclear(res);
    if (!is_valid_sqlstate(state)) state = sqlstate::kInternalError;
    running_ = false;  // the server ended the query itself
    abandon();
    throw Error(state, "query on \"" + shown_ + "\" failed: " + message, detail, hint);
  }

  // The next result of the running statement list, waiting for it; nullptr at the end.
  PGresult* next_result() {
    while (PQisBusy(conn_)) {
      wait(POLLIN, std::nullopt);
      if (!PQconsumeInput(conn_)) broken("while waiting for the server");
    }
    return PQgetResult(conn_);
  }

  void start(const std::string& sql) {
    if (!PQsendQuery(conn_, sql.c_str())) broken("while sending the query");
    running_ = true;
    for (;;) {  // push the query out (the socket is non-blocking)
      const int f = PQflush(conn_);
      if (f == 0) break;
      if (f < 0) broken("while sending the query");
      wait(POLLOUT | POLLIN, std::nullopt);
      if (!PQconsumeInput(conn_)) broken("while sending the query");
    }
    for (;;) {
      PGresult* res = next_result();
      if (!res) broken("before the COPY started");
      const ExecStatusType st = PQresultStatus(res);
      if (st == PGRES_COPY_OUT) {
        PQclear(res);
        return;
      }
      if (st != PGRES_COMMAND_OK) query_failed(res);
      PQclear(res);  // one of the SETs
    }
  }

  void finish_copy() {
    for (;;) {
      PGresult* res = next_result();
      if (!res) break;
      if (PQresultStatus(res) != PGRES_COMMAND_OK) query_failed(res);
      PQclear(res);
    }
    running_ = false;
    done_ = true;
    PQfinish(conn_);  // release the remote session as soon as the data is in
    conn_ = nullptr;
  }

  std::string scrub(std::string s) const { return scrub_secret(scrub_secret(std::move(s), password_), raw_password_); }

  PGconn* conn_ = nullptr;
  std::string shown_, password_, raw_password_;
  char* row_ = nullptr;
  size_t row_len_ = 0, row_off_ = 0;
  uint64_t bytes_ = 0, rows_ = 0;
  bool running_ = false, done_ = false;
};

}  // namespace

std::string pg_copy_statement(const std::string& query) {
  // The query on lines of its own, so a trailing -- comment cannot swallow the ')'.
  return "SET DateStyle = ISO; SET IntervalStyle = postgres; SET extra_float_digits = 3; SET TimeZone = 'UTC'; "
         "COPY (\n" +
         trim_query(query) + "\n) TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE *)";
}

ByteSourcePtr open_pg_query(const std::string& url, const std::string& query, const PgQueryOptions& opt) {
  return std::make_unique<PgQuerySource>(url, query, opt);
}

}  // namespace pg_etl
