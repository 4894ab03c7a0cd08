// The "pg_etl http" background worker: GET /metrics (Prometheus text from
// etl.prometheus_metrics()), GET / (the status page, core/status_page), GET /status.json
// (etl.status_report()) and GET /healthz, on pg_etl.http_listen_address:pg_etl.http_port
// (127.0.0.1 by default, off while the port is 0), every request but /healthz
// authenticated by the token in pg_etl.http_token_file (core/http_auth).
//
// Why a background worker rather than a companion daemon: it starts and stops with the
// server, needs no second service, password or connection string, and the postmaster
// restarts it. It serves with libmicrohttpd in external mode (this loop waits on MHD's
// epoll set and calls MHD_run), in this one thread:
// PostgreSQL backends are not thread-safe, so MHD never runs a thread of its own, and
// each request's query runs here, in a transaction of its own. A failing query is an
// HTTP 500, logged, never the worker's end.
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "worker/http_server.hpp"

#include "core/http_auth.hpp"
#include "core/prometheus_text.hpp"
#include "core/status_page.hpp"
#include "extension/guc.hpp"
#include "extension/pg/boundary.hpp"
#include "worker/worker_definition.hpp"
#include "worker/worker_transaction.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pg_etl_http_main(Datum arg);
}

namespace pg_etl::worker {
namespace {

struct Reply {
  unsigned status = MHD_HTTP_OK;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  std::string set_cookie = "";
  Reply() = default;
  Reply(unsigned s, std::string b) : status(s), body(std::move(b)) {}
};

// The first column of the first row of sql, in a transaction of its own; false (and a
// WARNING) when it fails.
bool query_text(const char* sql, std::string& out) {
  return in_transaction("pg_etl http", sql, [&] {
    pg::pg_guard([&] {
      if (SPI_execute(sql, true, 1) < 0) elog(ERROR, "\"%s\" failed", sql);
      char* v = SPI_processed > 0 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : nullptr;
      out = v ? v : "";
    });
  });
}

std::string header(MHD_Connection* c, MHD_ValueKind kind, const char* name) {
  const char* v = MHD_lookup_connection_value(c, kind, name);
  return v ? v : "";
}

// The token, read from pg_etl.http_token_file at start and on every reload.
std::string g_token;

void read_token() {
  g_token.clear();
  const char* path = guc::http_token_file;
  if (!path || !*path) return;
  FILE* f = std::fopen(path, "r");
  if (!f) {
    ereport(WARNING, (errmsg("pg_etl http: could not read pg_etl.http_token_file \"%s\": %m", path)));
    return;
  }
  char buf[512];
  const size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  g_token.assign(buf, n);
  while (!g_token.empty() && (g_token.back() == '\n' || g_token.back() == '\r' || g_token.back() == ' ')) g_token.pop_back();
}

Reply answer(MHD_Connection* c, const std::string& url) {
  if (url == "/healthz") return {MHD_HTTP_OK, "ok\n"};
  const std::string& token = g_token;
  if (token.empty()) return {MHD_HTTP_SERVICE_UNAVAILABLE, "no token (pg_etl.http_token_file): the endpoint is closed\n"};
  const std::string query_token = header(c, MHD_GET_ARGUMENT_KIND, "token");
  const auto cred = http::check_credentials(token, header(c, MHD_HEADER_KIND, "Authorization"), query_token,
                                            header(c, MHD_HEADER_KIND, "Cookie"));
  if (cred != http::Credential::valid) return {MHD_HTTP_UNAUTHORIZED, "a valid token is needed (Authorization: Bearer)\n"};
  Reply r;
  // A browser that came with ?token= gets a cookie (an HMAC of the token, not the token).
  if (!query_token.empty())
    r.set_cookie = std::string(http::kSessionCookie) + "=" + http::session_value(token) + "; HttpOnly; SameSite=Strict; Path=/";
  std::string out;
  if (url == "/metrics") {
    if (!query_text("SELECT etl.prometheus_metrics()", out)) return {MHD_HTTP_INTERNAL_SERVER_ERROR, "query failed\n"};
    r.body = std::move(out);
    r.content_type = std::string(prometheus::kContentType);
  } else if (url == "/status.json" || url == "/") {
    const std::string dataset = header(c, MHD_GET_ARGUMENT_KIND, "dataset");
    const char* quoted = dataset.empty() ? nullptr : pg::pg_guard([&] { return quote_literal_cstr(dataset.c_str()); });
    const std::string sql = quoted ? "SELECT etl.status_report(" + std::string(quoted) + ")" : "SELECT etl.status_report()";
    if (!query_text(sql.c_str(), out)) return {MHD_HTTP_INTERNAL_SERVER_ERROR, "query failed\n"};
    if (url == "/") {
      try {
        r.body = render_status_page(nlohmann::json::parse(out));
      } catch (const std::exception& e) {
        return {MHD_HTTP_INTERNAL_SERVER_ERROR, std::string("could not render the page: ") + e.what() + "\n"};
      }
      r.content_type = "text/html; charset=utf-8";
    } else {
      r.body = std::move(out);
      r.content_type = "application/json";
    }
  } else {
    return {MHD_HTTP_NOT_FOUND, "not found: /metrics, /, /status.json, /healthz\n"};
  }
  return r;
}

MHD_Result on_request(void*, MHD_Connection* c, const char* url, const char* method, const char*, const char*, size_t*,
                      void** state) {
  // MHD calls twice: first with the headers (answer later), then to answer.
  static int first;
  if (*state == nullptr) {
    *state = &first;
    return MHD_YES;
  }
  Reply r;
  // MHD is C: no exception may leave this callback.
  try {
    if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0)
      r = {MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD\n"};
    else
      r = answer(c, url);
  } catch (const std::exception& e) {
    r = {MHD_HTTP_INTERNAL_SERVER_ERROR, std::string("internal error: ") + e.what() + "\n"};
  }
  MHD_Response* resp = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  if (!r.set_cookie.empty()) MHD_add_response_header(resp, "Set-Cookie", r.set_cookie.c_str());
  if (r.status == MHD_HTTP_UNAUTHORIZED) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
  MHD_Result ok = MHD_queue_response(c, r.status, resp);
  MHD_destroy_response(resp);
  return ok;
}

MHD_Daemon* start_daemon(int port, const char* address) {
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
    ereport(WARNING, (errmsg("pg_etl http: pg_etl.http_listen_address \"%s\" is not an IPv4 address", address)));
    return nullptr;
  }
  // No MHD thread: MHD_run is called from this loop (external mode), and MHD keeps every
  // socket in one epoll set, which the loop waits on.
  MHD_Daemon* d = MHD_start_daemon(MHD_USE_EPOLL, static_cast<uint16_t>(port), nullptr, nullptr, &on_request, nullptr,
                                   MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                                   MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_END);
  if (!d)
    ereport(WARNING, (errmsg("pg_etl http: could not listen on %s:%d", address, port)));
  else
    ereport(LOG, (errmsg("pg_etl http: serving /metrics and the status page on %s:%d", address, port)));
  return d;
}

void http_loop() {
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnection(guc::database, nullptr, 0);
  pgstat_report_appname("pg_etl http");
  MHD_Daemon* daemon = nullptr;
  int port = 0;
  std::string address;
  bool warned_token = false;
  read_token();
  for (;;) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
      read_token();
      warned_token = false;
    }
    const std::string want_address = guc::http_listen_address ? guc::http_listen_address : "127.0.0.1";
    if (guc::http_port != port || want_address != address) {
      if (daemon) MHD_stop_daemon(daemon);
      daemon = nullptr;
      port = guc::http_port;
      address = want_address;
      if (port > 0) daemon = start_daemon(port, address.c_str());
    }
    if (daemon && !warned_token && g_token.empty()) {
      ereport(WARNING, (errmsg("pg_etl http: no token (pg_etl.http_token_file), so every request but /healthz gets 503")));
      warned_token = true;
    }
    if (daemon) {
      // MHD's epoll set is readable when any of its sockets (listening or connected) is
      // ready, so a request is answered at once and an idle worker sleeps; MHD's own
      // timeout covers work it has buffered and connection timeouts.
      const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
      MHD_UNSIGNED_LONG_LONG mhd_ms = 0;
      long wait_ms = 1000;
      if (MHD_get_timeout(daemon, &mhd_ms) == MHD_YES) wait_ms = std::min<long>(wait_ms, static_cast<long>(mhd_ms));
      if (wait_ms > 0)
        (void)WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
                                info->epoll_fd, wait_ms, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      MHD_run(daemon);  // accepts, reads, answers: whatever is ready, without blocking
    } else {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
    }
  }
}

}  // namespace

void register_http_server() {
  BackgroundWorker w = worker_definition("pg_etl_http_main", "pg_etl http", "pg_etl http", 5);
  RegisterBackgroundWorker(&w);
}

}  // namespace pg_etl::worker

void pg_etl_http_main(Datum) {
  pg_etl::pg::cpp_boundary([] { pg_etl::worker::http_loop(); });
}
