#include "core/curl_transfer.hpp"

#include <cctype>

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/sqlstate.hpp"
#include "core/version.hpp"

namespace pg_etl {
namespace {

constexpr size_t kMaxBuffered = 1 << 20;  // bytes held before the transfer pauses
constexpr long kPollMs = 100;             // longest wait before checking for cancellation

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Never throws: libcurl calls it. A pending cancel aborts the transfer; the caller
// then checks for interrupts outside libcurl.
int progress_cb(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return interrupt_pending() ? 1 : 0; }

size_t header_cb(char* data, size_t size, size_t n, void* user) {
  auto* etag = static_cast<std::string*>(user);
  std::string line(data, size * n);
  if (lower(line.substr(0, 5)) == "etag:") {
    std::string v = line.substr(5);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    *etag = v;
  }
  return size * n;
}

}  // namespace

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void ensure_global_init() {
  static CurlGlobal once;
  (void)once;
}

std::string response_excerpt(const std::string& body) {
  std::string e = body.substr(0, 300);
  for (char& c : e)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (body.size() > 300) e += "...";
  return e;
}

std::string curl_error_text(CURLcode rc, const char* errbuf) {
  std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(rc);
  // "Failed to connect to h port 1 after 0 ms": the timing says nothing useful and makes
  // the same failure read differently each time.
  if (size_t at = detail.find(" after "); at != std::string::npos) {
    size_t i = at + 7, digits = i;
    while (i < detail.size() && std::isdigit(static_cast<unsigned char>(detail[i]))) i++;
    if (i > digits && detail.compare(i, 3, " ms") == 0) detail.erase(at, i + 3 - at);
  }
  return detail;
}

bool retryable_http_status(long status) { return status == 408 || status == 429 || status >= 500; }

bool retryable_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

void throw_transfer_error(CURLcode rc, long status, const std::string& shown, const char* errbuf,
                          const std::string& body, int attempts) {
  const std::string tries = attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : "";
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    check_interrupts();  // throws the cancel / timeout error of the host
    throw Error(sqlstate::kQueryCanceled, "transfer of \"" + shown + "\" was cancelled");
  }
  if (status >= 400) {
    const char* state = status == 404 || status == 410 ? sqlstate::kUndefinedFile
                        : status == 401           ? sqlstate::kInvalidAuthorization
                        : status == 403           ? sqlstate::kInsufficientPrivilege
                                                  : sqlstate::kIoError;
    std::string hint = status == 401 ? "check the credentials (username/password, bearer_token, or the S3 keys)" : "";
    throw Error(state, "could not read \"" + shown + "\": HTTP " + std::to_string(status) + tries,
                body.empty() ? "" : "response: " + response_excerpt(body), hint);
  }
  const std::string detail = curl_error_text(rc, errbuf);
  const char* state = sqlstate::kIoError;
  std::string what = "could not read";
  switch (rc) {
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_FILE_COULDNT_READ_FILE:
      state = sqlstate::kUndefinedFile;
      break;
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
      state = sqlstate::kInvalidAuthorization;
      break;
    case CURLE_REMOTE_ACCESS_DENIED:
      state = sqlstate::kInsufficientPrivilege;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      state = sqlstate::kSqlclientUnableToEstablishConnection;
      what = "could not connect to";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      state = sqlstate::kConnectionFailure;
      what = "timed out reading";
      break;
    case CURLE_SSH:
      // libssh2 reports authentication and missing files through the same code.
      if (detail.find("uthentication") != std::string::npos || detail.find("ublic key") != std::string::npos)
        state = sqlstate::kInvalidAuthorization;
      else if (detail.find("No such file") != std::string::npos || detail.find("not found") != std::string::npos)
        state = sqlstate::kUndefinedFile;
      break;
    default:
      break;
  }
  throw Error(state, what + " \"" + shown + "\": " + detail + tries);
}

namespace {

class CurlSource final : public ByteSource {
 public:
  CurlSource(const CurlRequest& req, const TransportOptions& opt)
      : shown_(req.shown_url), is_http_(req.url.compare(0, 4, "http") == 0) {
    ensure_global_init();
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    if (!easy_ || !multi_) throw Error(sqlstate::kOutOfMemory, "could not start a transfer");
    configure_easy(easy_, req, opt, &headers_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlSource::write_cb);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_multi_add_handle(multi_, easy_);
  }
  ~CurlSource() override {
    if (multi_ && easy_) curl_multi_remove_handle(multi_, easy_);
    if (easy_) curl_easy_cleanup(easy_);
    if (multi_) curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }

  size_t read(char* out, size_t n) override {
    while (pos_ == buf_.size() && !done_) {
      if (paused_) {
        paused_ = false;
        curl_easy_pause(easy_, CURLPAUSE_CONT);
      }
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* m = curl_multi_info_read(multi_, &left))
        if (m->msg == CURLMSG_DONE) {
          done_ = true;
          result_ = m->data.result;
          if (is_http_) curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status_);
        }
      if (pos_ == buf_.size() && !done_ && !paused_) curl_multi_poll(multi_, nullptr, 0, kPollMs, nullptr);
      check_interrupts();
    }
    if (pos_ < buf_.size()) {
      size_t k = std::min(n, buf_.size() - pos_);
      std::memcpy(out, buf_.data() + pos_, k);
      pos_ += k;
      if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
      return k;
    }
    if (result_ != CURLE_OK || status_ >= 400) throw_transfer_error(result_, status_, shown_, errbuf_, error_body_);
    return 0;
  }
  uint64_t transport_bytes() const override { return received_; }

 private:
  static size_t write_cb(char* data, size_t size, size_t nmemb, void* user) {
    auto* self = static_cast<CurlSource*>(user);
    const size_t n = size * nmemb;
    if (self->is_http_ && self->status_ == 0) curl_easy_getinfo(self->easy_, CURLINFO_RESPONSE_CODE, &self->status_);
    if (self->status_ >= 400) {  // keep the start of an error body for the message
      if (self->error_body_.size() < 4096) self->error_body_.append(data, std::min(n, 4096 - self->error_body_.size()));
      return n;
    }
    if (self->buf_.size() - self->pos_ >= kMaxBuffered) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;  // curl delivers the same bytes again after unpausing
    }
    self->buf_.append(data, n);
    self->received_ += n;
    return n;
  }

  std::string shown_;
  bool is_http_;  // only HTTP status codes mean errors; FTP reply codes do not
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string buf_;
  size_t pos_ = 0;
  bool done_ = false;
  bool paused_ = false;
  CURLcode result_ = CURLE_OK;
  long status_ = 0;
  uint64_t received_ = 0;
  std::string error_body_;
  char errbuf_[CURL_ERROR_SIZE] = {0};
};

}  // namespace

void configure_easy(CURL* easy, const CurlRequest& req, const TransportOptions& opt, curl_slist** header_list) {
  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // never touch the backend's signal handlers
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps,sftp");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  static const std::string agent = std::string("pg_etl/") + kVersion;
  curl_easy_setopt(easy, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024L);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &progress_cb);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout * 1000));
  if (opt.timeout > 0) curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(opt.timeout * 1000));
  // A stalled server (no byte for a minute) is a failure, not a hang.
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 60L);
  if (!opt.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, opt.ca_file.c_str());
  if (opt.insecure) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!opt.username.empty()) curl_easy_setopt(easy, CURLOPT_USERNAME, opt.username.c_str());
  if (!opt.password.empty()) curl_easy_setopt(easy, CURLOPT_PASSWORD, opt.password.c_str());
  // FTP: TLS on request (ftps:// is implicit TLS and needs nothing here)
  if (opt.ftp_ssl == "try") curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (opt.ftp_ssl == "control") curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_CONTROL));
  if (opt.ftp_ssl == "all") curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(easy, CURLOPT_FTP_FILEMETHOD, static_cast<long>(CURLFTPMETHOD_SINGLECWD));
  // SFTP
  long ssh_auth = CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD;
  if (!opt.private_key.empty()) {
    ssh_auth |= CURLSSH_AUTH_PUBLICKEY;
    curl_easy_setopt(easy, CURLOPT_SSH_PRIVATE_KEYFILE, opt.private_key.c_str());
    if (!opt.public_key.empty()) curl_easy_setopt(easy, CURLOPT_SSH_PUBLIC_KEYFILE, opt.public_key.c_str());
    if (!opt.key_passphrase.empty()) curl_easy_setopt(easy, CURLOPT_KEYPASSWD, opt.key_passphrase.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_SSH_AUTH_TYPES, ssh_auth);
  if (!opt.host_key_sha256.empty())
    curl_easy_setopt(easy, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, opt.host_key_sha256.c_str());
  // HTTP headers
  curl_slist* list = nullptr;
  for (const auto& h : req.headers) list = curl_slist_append(list, h.c_str());
  for (const auto& [k, v] : opt.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  if (!opt.bearer_token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + opt.bearer_token).c_str());
  if (list) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  *header_list = list;
  if (!req.custom_request.empty()) curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.custom_request.c_str());
  if (req.head_only) {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(easy, CURLOPT_FILETIME, 1L);
  }
  if (req.dir_list_only) curl_easy_setopt(easy, CURLOPT_DIRLISTONLY, 1L);
}

ByteSourcePtr open_curl(const CurlRequest& req, const TransportOptions& opt) {
  return std::make_unique<CurlSource>(req, opt);
}

CurlResponse fetch_small(const CurlRequest& req, const TransportOptions& opt, size_t max_body) {
  CurlResponse resp;
  if (!req.head_only) {
    // Drained through CurlSource so cancellation and errors behave as for downloads.
    CurlSource src(req, opt);
    char buf[64 * 1024];
    for (;;) {
      size_t n = src.read(buf, sizeof buf);
      if (n == 0) break;
      resp.body.append(buf, n);
      if (resp.body.size() > max_body)
        throw Error(sqlstate::kIoError, "response from \"" + req.shown_url + "\" exceeds " +
                                            std::to_string(max_body >> 20) + " MB");
    }
    return resp;
  }
  // A metadata request (HEAD, or FTP/SFTP without body): short, and still cancellable
  // through the progress callback.
  ensure_global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  curl_slist* headers = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {0};
  configure_easy(easy.get(), req, opt, &headers);
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, &header_cb);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &resp.etag);
  CURLcode rc = curl_easy_perform(easy.get());
  curl_slist_free_all(headers);
  if (req.url.compare(0, 4, "http") == 0) curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &resp.status);
  if (rc != CURLE_OK || resp.status >= 400) throw_transfer_error(rc, resp.status, req.shown_url, errbuf, "");
  curl_easy_getinfo(easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &resp.content_length);
  curl_easy_getinfo(easy.get(), CURLINFO_FILETIME_T, &resp.filetime);
  return resp;
}

}  // namespace pg_etl
