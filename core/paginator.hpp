#pragma once
// Which request comes after a page, for every pagination style of ApiOptions: a Link
// header, a next URL in the body, a cursor, an offset or a page number (pure logic: no
// network, so every style and stop condition is unit-tested). Stop conditions: an
// empty page, a has-more flag that is false, a total reached, a cursor seen before,
// max_pages.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/api_options.hpp"
#include "core/json_path.hpp"

namespace pg_etl {

struct PageRequest {
  std::string url;
  std::string graphql_variables;  // JSON object text, GraphQL only
  int64_t number = 0;             // 1 for the first page
};

// What a fetched page says about the next one.
struct PageFacts {
  std::string link_header;  // the Link header, if any
  std::optional<simdjson::dom::element> body;  // parsed body (none when it is not JSON)
  size_t records = 0;
};

class Paginator {
 public:
  // first_url carries the read's own query parameters already.
  Paginator(PaginationOptions options, const std::string& first_url, const GraphqlOptions& graphql);

  // The next requests to send, at most `max` (more than one only for offset and page
  // number pagination, where page k + 1 does not depend on page k). Empty when the
  // read is complete or the next request depends on a page not yet seen.
  std::vector<PageRequest> next(int max);

  // Takes the pages in the order of their numbers. Returns false when this page is the
  // last one: later pages already requested are to be dropped.
  bool advance(const PageRequest& request, const PageFacts& page);

  bool finished() const { return finished_; }
  PaginationType type() const { return opt_.type; }
  // Why the read ended ("empty page", "no next link", "total reached", ...), for lineage.
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  PageRequest make(const std::string& url, int64_t number) const;
  std::string with_page(int64_t index) const;  // offset / page number URL of the index-th page (0-based)
  bool stop(const std::string& why);
  void detect(const PageFacts& page);

  PaginationOptions opt_;
  std::string first_url_;
  GraphqlOptions graphql_;
  std::vector<JsonPathStep> next_url_path_, cursor_path_, total_path_, has_more_path_;
  int64_t requested_ = 0;  // pages handed out by next()
  int64_t seen_ = 0;       // pages taken by advance()
  std::optional<int64_t> last_page_index_;  // from a total: index of the last page (0-based)
  std::optional<PageRequest> pending_;      // link and cursor styles: the one known next request
  std::set<std::string> cursors_;
  bool finished_ = false;
  std::string stop_reason_;
};

// The value at path in a parsed document, or nullptr.
std::optional<simdjson::dom::element> dom_at(simdjson::dom::element root, const std::vector<JsonPathStep>& path);

// A scalar as text: strings as they are, numbers and booleans as JSON spells them;
// nothing for null, objects and arrays.
std::optional<std::string> scalar_text(simdjson::dom::element e);

}  // namespace pg_etl
