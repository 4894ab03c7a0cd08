#pragma once
// Records from a paginated HTTP JSON API: pages are requested through an HttpSession
// (auth, rate limit, retries, concurrency), each page's records are found at
// records_path (or, without one, the response's first array of objects) and read by a
// JsonReader, and the Paginator says what to ask for next. Memory holds the pages in
// flight, never the whole result.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/api_options.hpp"
#include "core/http_session.hpp"
#include "core/json_reader.hpp"
#include "core/paginator.hpp"
#include "core/read_options.hpp"
#include "core/record.hpp"

namespace pg_etl {

class ApiReader final : public RecordReader {
 public:
  // url: the endpoint as written (credentials allowed; never shown).
  ApiReader(const std::string& url, const ReadOptions& options);
  ~ApiReader() override;

  std::vector<std::string> source_columns() override;
  void set_projection(const std::vector<ColumnSource>& columns) override;
  bool next(Record& record) override;
  uint64_t transport_bytes() const override { return session_.bytes_received(); }
  void report_all_fields(bool on) override;

 private:
  struct Fetched {
    PageRequest request;
    HttpResponse response;
  };
  bool open_next_page();
  void fetch_more();
  HttpRequest to_http(const PageRequest& page) const;
  void begin_send(std::vector<PageRequest> pages);
  std::vector<Fetched> end_send();
  std::string records_path_for(const simdjson::dom::element& body, const std::string& shown);

  ApiOptions api_;
  JsonOptions json_;
  std::string shown_;
  HttpSession session_;
  Paginator paginator_;
  TransportOptions transport_;
  std::string bearer_;  // current OAuth2 access token
  std::deque<Fetched> fetched_;
  std::vector<PageRequest> sending_;  // the batch on the wire
  std::unique_ptr<JsonReader> page_;
  simdjson::dom::parser parser_;
  std::vector<ColumnSource> projection_;
  bool projected_ = false;
  bool all_fields_ = false;
  bool records_path_known_ = false;
};

}  // namespace pg_etl
