#include "core/delivery_transfer.hpp"

#include <memory>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

constexpr size_t kMaxBody = 4096;   // enough for an error message
constexpr size_t kMaxLines = 200;   // lines kept: a hostile server cannot make us hold more

std::string trim_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  return std::string(line);
}

// Never throws: libcurl calls these.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<DeliveryTransfer*>(user);
  const std::string_view line(data, size * n);
  if (line.substr(0, 5) == "HTTP/") t->lines.clear();  // a new response (100 Continue, a redirect)
  if (t->lines.size() == kMaxLines) t->lines.erase(t->lines.begin());  // the latest count (SMTP's last reply)
  t->lines.push_back(trim_line(line));
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<DeliveryTransfer*>(user);
  if (t->body.size() < kMaxBody) t->body.append(data, std::min(size * n, kMaxBody - t->body.size()));
  return size * n;  // the rest is read and dropped
}

}  // namespace

std::string DeliveryTransfer::header(std::string_view name) const {
  for (const std::string& line : lines) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || !ascii_iequals(std::string_view(line).substr(0, colon), name)) continue;
    const size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

DeliveryTransfer perform_delivery(const CurlRequest& req, const TransportOptions& opt, const char* protocols,
                                  const std::function<void(CURL*)>& setup, const std::string& what) {
  ensure_global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) throw Error(sqlstate::kOutOfMemory, "could not start " + what);
  curl_slist* headers = nullptr;
  configure_easy(easy.get(), req, opt, &headers);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  curl_easy_setopt(easy.get(), CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(easy.get(), CURLOPT_FOLLOWLOCATION, 0L);  // a notification goes where it was told, or fails
  DeliveryTransfer t;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &t);
  setup(easy.get());
  t.rc = curl_easy_perform(easy.get());
  if (t.rc == CURLE_ABORTED_BY_CALLBACK) {
    check_interrupts();  // throws the host's cancel or timeout error
    throw Error(sqlstate::kQueryCanceled, what + " was cancelled");
  }
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &t.status);
  if (t.rc != CURLE_OK) t.error = curl_error_text(t.rc, errbuf);
  return t;
}

}  // namespace pg_etl
