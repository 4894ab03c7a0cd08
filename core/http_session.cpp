#include "core/http_session.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "core/curl_transfer.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {

struct HttpSession::Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  bool busy = false;
  size_t index = 0;
  int attempt = 0;
  std::string shown;
  HttpResponse response;
  uint64_t max_bytes = 0;
  bool too_large = false;
  char errbuf[CURL_ERROR_SIZE] = {0};

  ~Slot() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

namespace {

constexpr double kPollSeconds = 0.1;  // longest wait before checking for cancellation

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* slot = static_cast<HttpSession::Slot*>(user);
  const size_t len = size * n;
  if (slot->response.body.size() + len > slot->max_bytes) {
    slot->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  slot->response.body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* slot = static_cast<HttpSession::Slot*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  if (line.substr(0, 5) == "HTTP/") {  // a new response (after a redirect or 100 Continue)
    slot->response.headers.clear();
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  slot->response.headers.emplace_back(std::move(name), std::string(value));
  return len;
}

std::string host_of(const std::string& url) {
  try {
    Url u = parse_url(url);
    return u.host + ":" + std::to_string(u.port);
  } catch (const Error&) {
    return url;
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

HttpSession::HttpSession(TransportOptions transport, HttpSessionLimits limits)
    : transport_(std::move(transport)), limits_(std::move(limits)), start_(std::chrono::steady_clock::now()) {
  ensure_global_init();
  multi_ = curl_multi_init();
  if (!multi_) throw Error(sqlstate::kOutOfMemory, "could not start an HTTP session");
  limits_.concurrency = std::max(1, limits_.concurrency);
  // One connection per request in flight to the same host; HTTP/2 multiplexes instead.
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(limits_.concurrency));
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAXCONNECTS, static_cast<long>(limits_.concurrency + 2));
  for (int i = 0; i < limits_.concurrency; i++) {
    auto slot = std::make_unique<Slot>();
    slot->easy = curl_easy_init();
    if (!slot->easy) throw Error(sqlstate::kOutOfMemory, "could not start an HTTP session");
    slots_.push_back(std::move(slot));
  }
  std::random_device rd;
  auto gen = std::make_shared<std::mt19937_64>(rd());
  random01_ = [gen] { return std::uniform_real_distribution<double>(0.0, 1.0)(*gen); };
}

HttpSession::~HttpSession() {
  for (auto& s : slots_)
    if (s->busy) curl_multi_remove_handle(static_cast<CURLM*>(multi_), s->easy);
  slots_.clear();
  if (multi_) curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

double HttpSession::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double HttpSession::seconds_left() const {
  return limits_.read_timeout > 0 ? limits_.read_timeout - now() : 1e18;
}

double HttpSession::rate_limit_delay(const std::string& url) {
  if (limits_.requests_per_second <= 0) return 0;
  const std::string host = host_of(url);
  auto it = buckets_.find(host);
  if (it == buckets_.end()) it = buckets_.emplace(host, TokenBucket(limits_.requests_per_second, limits_.burst)).first;
  return it->second.acquire(now());
}

HttpResponse HttpSession::perform(const HttpRequest& request) { return std::move(perform(std::vector<HttpRequest>{request})[0]); }

std::vector<HttpResponse> HttpSession::perform(const std::vector<HttpRequest>& requests) {
  begin(requests);
  return finish();
}

void HttpSession::release(Slot& s) {
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), s.easy);
  s.busy = false;
}

void HttpSession::abort_all() {
  for (auto& s : slots_)
    if (s->busy) release(*s);
  queue_.clear();
  batch_active_ = false;
}

void HttpSession::start(Slot& s, const Job& job) {
  const HttpRequest& r = requests_[job.index];
  curl_easy_reset(s.easy);
  curl_slist_free_all(s.headers);
  s.headers = nullptr;
  s.index = job.index;
  s.attempt = job.attempt;
  s.shown = redact_url(r.url);
  s.response = HttpResponse{};
  s.max_bytes = limits_.max_response_bytes;
  s.too_large = false;
  s.errbuf[0] = 0;
  CurlRequest cr;
  cr.url = encode_unsafe_chars(r.url);
  cr.shown_url = s.shown;
  cr.headers = r.headers;
  configure_easy(s.easy, cr, transport_, &s.headers);
  if (r.method == "POST") {
    curl_easy_setopt(s.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(s.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(s.easy, CURLOPT_POSTFIELDS, r.body.c_str());
  }
  curl_easy_setopt(s.easy, CURLOPT_ACCEPT_ENCODING, "");  // gzip, deflate, br, zstd as libcurl supports
  curl_easy_setopt(s.easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));  // h2 over TLS when offered
  curl_easy_setopt(s.easy, CURLOPT_PIPEWAIT, 1L);  // concurrent requests wait to share an h2 connection
  curl_easy_setopt(s.easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(s.easy, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(s.easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(s.easy, CURLOPT_HEADERDATA, &s);
  curl_easy_setopt(s.easy, CURLOPT_ERRORBUFFER, s.errbuf);
  s.busy = true;
  curl_multi_add_handle(static_cast<CURLM*>(multi_), s.easy);
}

void HttpSession::complete(Slot& s, int code) {
  const CURLcode rc = static_cast<CURLcode>(code);
  long status = 0;
  curl_easy_getinfo(s.easy, CURLINFO_RESPONSE_CODE, &status);
  release(s);
  s.response.status = status;
  s.response.attempts = s.attempt;
  bytes_ += s.response.body.size();
  if (s.too_large)
    throw Error(sqlstate::kProgramLimitExceeded,
                "response from \"" + s.shown + "\" exceeds max_response_bytes (" + std::to_string(limits_.max_response_bytes) + ")",
                "", "raise the option max_response_bytes, or ask for smaller pages");
  const bool retry = rc != CURLE_OK ? retryable_curl_error(rc) : retryable_http_status(status);
  if (retry && s.attempt < limits_.retry.max_attempts) {
    double delay = limits_.retry.delay_before(s.attempt + 1, random01_).value_or(0);
    if (rc == CURLE_OK) {
      const std::string ra = s.response.header("retry-after");
      const double unix_now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      if (auto wait = retry_after_seconds(ra, unix_now)) delay = std::max(delay, *wait);
    }
    if (delay < seconds_left()) {
      queue_.push_back(Job{s.index, s.attempt + 1, now() + delay});
      return;
    }
  }
  if (rc != CURLE_OK) throw_transfer_error(rc, status, s.shown, s.errbuf, s.response.body, s.attempt);
  results_[s.index] = std::move(s.response);
  done_++;
}

double HttpSession::pump() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  const double t = now();
  if (limits_.read_timeout > 0 && t > limits_.read_timeout)
    throw Error(sqlstate::kConnectionFailure,
                "read of \"" + redact_url(requests_.front().url) + "\" exceeded read_timeout (" +
                    std::to_string(static_cast<int64_t>(limits_.read_timeout)) + " s)");
  // Start what may start: a free slot, a job whose time has come, a rate-limit token.
  double next_wake = t + kPollSeconds;
  for (auto& slot : slots_) {
    if (slot->busy) continue;
    auto it = queue_.end();
    for (auto j = queue_.begin(); j != queue_.end(); ++j)
      if (it == queue_.end() || j->not_before < it->not_before || (j->not_before == it->not_before && j->index < it->index)) it = j;
    if (it == queue_.end()) break;
    if (it->not_before > t) {
      next_wake = std::min(next_wake, it->not_before);
      break;
    }
    if (!it->token) {
      it->token = true;
      const double d = rate_limit_delay(requests_[it->index].url);
      if (d > 0) {
        it->not_before = t + d;
        next_wake = std::min(next_wake, it->not_before);
        break;
      }
    }
    Job job = *it;
    queue_.erase(it);
    start(*slot, job);
  }
  int running = 0;
  curl_multi_perform(multi, &running);
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    for (auto& slot : slots_)
      if (slot->busy && slot->easy == m->easy_handle) {
        complete(*slot, m->data.result);
        break;
      }
  }
  if (running > 0) return std::min(next_wake, now() + kPollSeconds);
  return queue_.empty() ? now() : next_wake;
}

void HttpSession::begin(std::vector<HttpRequest> requests) {
  if (batch_active_) throw Error(sqlstate::kInternalError, "an HTTP batch is already in flight");
  requests_ = std::move(requests);
  queue_.clear();
  for (size_t i = 0; i < requests_.size(); i++) queue_.push_back(Job{i, 1, 0});
  results_.assign(requests_.size(), HttpResponse{});
  done_ = 0;
  batch_active_ = true;
  try {
    pump();  // the requests leave now; the answers are collected by finish()
  } catch (...) {
    abort_all();
    throw;
  }
}

std::vector<HttpResponse> HttpSession::finish() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  try {
    while (done_ < requests_.size()) {
      check_interrupts();
      const double wake = pump();
      if (done_ == requests_.size()) break;
      const double wait = std::max(0.0, wake - now());
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::ceil(wait * 1000)), nullptr);
    }
  } catch (...) {
    abort_all();
    throw;
  }
  batch_active_ = false;
  return std::move(results_);
}

void throw_http_error(const HttpResponse& response, const std::string& shown_url) {
  try {
    throw_transfer_error(CURLE_OK, response.status, shown_url, nullptr, response.body, response.attempts);
  } catch (const Error& e) {
    if (response.status != 401 && response.status != 403) throw;
    throw Error(e.sqlstate(), e.what(), e.detail(), "check the option \"auth\" (or the secret it names) and the API's permissions");
  }
}

}  // namespace pg_etl
