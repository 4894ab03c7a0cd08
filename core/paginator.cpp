#include "core/paginator.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "core/error.hpp"
#include "core/link_header.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

namespace dom = simdjson::dom;

std::vector<JsonPathStep> steps(const std::string& path, const char* option) {
  return path.empty() ? std::vector<JsonPathStep>{} : parse_json_path(path, option);
}

// Where APIs put the next page's URL, for auto detection (dlt looks in the same places).
const char* const kNextUrlPaths[] = {"$.next", "$.next_url", "$.next_page", "$.links.next", "$.links.next.href",
                                     "$._links.next.href", "$.paging.next", "$.pagination.next", "$.meta.next"};

std::optional<int64_t> as_count(dom::element e) {
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d)) return static_cast<int64_t>(std::ceil(d));
  std::string_view s;
  if (!e.get_string().get(s)) {
    try {
      return std::stoll(std::string(s));
    } catch (...) {
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<dom::element> dom_at(dom::element root, const std::vector<JsonPathStep>& path) {
  dom::element cur = root;
  for (const JsonPathStep& s : path) {
    if (s.kind == JsonPathStep::kKey) {
      dom::object o;
      if (cur.get_object().get(o) || o.at_key(s.key).get(cur)) return std::nullopt;
    } else if (s.kind == JsonPathStep::kIndex) {
      dom::array a;
      if (cur.get_array().get(a) || a.at(s.index).get(cur)) return std::nullopt;
    } else {
      return cur;  // [*]: the array itself
    }
  }
  return cur;
}

std::optional<std::string> scalar_text(dom::element e) {
  switch (e.type()) {
    case dom::element_type::STRING: return std::string(std::string_view(e));
    case dom::element_type::INT64: return std::to_string(int64_t(e));
    case dom::element_type::UINT64: return std::to_string(uint64_t(e));
    case dom::element_type::DOUBLE: return simdjson::minify(e);
    case dom::element_type::BOOL: return bool(e) ? "true" : "false";
    default: return std::nullopt;
  }
}

Paginator::Paginator(PaginationOptions options, const std::string& first_url, const GraphqlOptions& graphql)
    : opt_(std::move(options)), first_url_(first_url), graphql_(graphql) {
  if (opt_.type == PaginationType::kNone) opt_.type = graphql_.query.empty() ? PaginationType::kAuto : PaginationType::kSingle;
  next_url_path_ = steps(opt_.next_url_path, "pagination.next_url_path");
  cursor_path_ = steps(opt_.cursor_path, "pagination.cursor_path");
  total_path_ = steps(opt_.total_path, "pagination.total_path");
  has_more_path_ = steps(opt_.has_more_path, "pagination.has_more_path");
  if (!graphql_.query.empty() &&
      (opt_.type == PaginationType::kHeaderLink || opt_.type == PaginationType::kJsonLink ||
       opt_.type == PaginationType::kOffset || opt_.type == PaginationType::kPageNumber))
    throw Error(sqlstate::kInvalidParameterValue, "GraphQL reads page with a cursor variable",
                "", "use {\"pagination\": {\"type\": \"cursor\", \"cursor_path\": \"$.data.x.pageInfo.endCursor\", "
                    "\"cursor_param\": \"after\", \"has_more_path\": \"$.data.x.pageInfo.hasNextPage\"}}");
  pending_ = make(opt_.type == PaginationType::kOffset || opt_.type == PaginationType::kPageNumber ? with_page(0) : first_url_, 1);
}

PageRequest Paginator::make(const std::string& url, int64_t number) const {
  return PageRequest{url, graphql_.variables_json, number};
}

std::string Paginator::with_page(int64_t index) const {
  std::string url = first_url_;
  if (opt_.type == PaginationType::kOffset) {
    url = with_query_param(url, opt_.offset_param, std::to_string(opt_.offset + index * opt_.limit));
    url = with_query_param(url, opt_.limit_param, std::to_string(opt_.limit));
  } else {
    url = with_query_param(url, opt_.page_param, std::to_string(opt_.page.value_or(opt_.base_page) + index));
    if (!opt_.page_size_param.empty())
      url = with_query_param(url, opt_.page_size_param, std::to_string(opt_.page_size.value_or(opt_.limit)));
  }
  return url;
}

std::vector<PageRequest> Paginator::next(int max) {
  std::vector<PageRequest> out;
  if (finished_) return out;
  if (pending_) {
    out.push_back(*pending_);
    pending_.reset();
    requested_++;
    if (opt_.type != PaginationType::kOffset && opt_.type != PaginationType::kPageNumber) return out;
  }
  // Offset and page number: later pages are known in advance; fetching them before the
  // earlier ones arrive needs the first page (to learn a total) and a stop that the
  // caller can apply afterwards.
  if ((opt_.type == PaginationType::kOffset || opt_.type == PaginationType::kPageNumber) && seen_ > 0) {
    while (static_cast<int>(out.size()) < max) {
      if (opt_.max_pages && requested_ >= opt_.max_pages) break;
      if (last_page_index_ && requested_ > *last_page_index_) break;
      // Without a total, stay at most `max` pages ahead of what was seen.
      if (!last_page_index_ && requested_ >= seen_ + max) break;
      out.push_back(make(with_page(requested_), requested_ + 1));
      requested_++;
    }
  }
  return out;
}

bool Paginator::stop(const std::string& why) {
  finished_ = true;
  stop_reason_ = why;
  pending_.reset();
  return false;
}

void Paginator::detect(const PageFacts& page) {
  if (link_with_rel(page.link_header, "next")) {
    opt_.type = PaginationType::kHeaderLink;
    return;
  }
  if (page.body && page.body->is_object()) {
    for (const char* p : kNextUrlPaths) {
      auto path = parse_json_path(p, "pagination.next_url_path");
      if (auto v = dom_at(*page.body, path); v && v->is_string()) {
        std::string_view s(*v);
        if (s.find("://") != std::string_view::npos || (!s.empty() && (s[0] == '/' || s[0] == '?'))) {
          opt_.type = PaginationType::kJsonLink;
          next_url_path_ = path;
          return;
        }
      }
    }
  }
  opt_.type = PaginationType::kSingle;  // as dlt does: nothing says there is more
}

bool Paginator::advance(const PageRequest& request, const PageFacts& page) {
  if (finished_) return false;
  seen_++;
  if (opt_.type == PaginationType::kAuto) detect(page);
  if (opt_.type == PaginationType::kSingle) return stop("single page");
  if (opt_.max_pages && seen_ >= opt_.max_pages) return stop("max_pages reached");
  if (page.records == 0 && opt_.stop_after_empty_page) return stop("empty page");
  if (!has_more_path_.empty() && page.body) {
    auto v = dom_at(*page.body, has_more_path_);
    bool more = true;
    if (v && v->is_bool()) more = bool(*v);
    else if (!v || v->is_null()) more = false;
    if (!more) return stop("has_more is false");
  }
  switch (opt_.type) {
    case PaginationType::kHeaderLink: {
      auto next = link_with_rel(page.link_header, "next");
      if (!next || next->empty()) return stop("no next link");
      pending_ = make(resolve_url(request.url, *next), request.number + 1);
      return true;
    }
    case PaginationType::kJsonLink: {
      auto v = page.body ? dom_at(*page.body, next_url_path_) : std::nullopt;
      auto next = v ? scalar_text(*v) : std::nullopt;
      if (!next || next->empty()) return stop("no next URL");
      pending_ = make(resolve_url(request.url, *next), request.number + 1);
      return true;
    }
    case PaginationType::kCursor: {
      auto v = page.body ? dom_at(*page.body, cursor_path_) : std::nullopt;
      auto cursor = v ? scalar_text(*v) : std::nullopt;
      if (!cursor || cursor->empty()) return stop("no next cursor");
      if (!cursors_.insert(*cursor).second) return stop("cursor repeated");
      if (graphql_.query.empty()) {
        pending_ = make(with_query_param(first_url_, opt_.cursor_param, *cursor), request.number + 1);
      } else {
        // GraphQL: the cursor is a variable of the same query.
        nlohmann::json vars = nlohmann::json::parse(graphql_.variables_json);
        vars[opt_.cursor_param] = *cursor;
        pending_ = make(first_url_, request.number + 1);
        pending_->graphql_variables = vars.dump();
      }
      return true;
    }
    case PaginationType::kOffset:
    case PaginationType::kPageNumber: {
      if (!total_path_.empty() && page.body && !last_page_index_) {
        if (auto v = dom_at(*page.body, total_path_))
          if (auto total = as_count(*v)) {
            // offset: a count of records (from the starting offset); page number: a count of pages
            const int64_t pages = opt_.type == PaginationType::kOffset
                                      ? (std::max<int64_t>(0, *total - opt_.offset) + opt_.limit - 1) / opt_.limit
                                      : *total - (opt_.page.value_or(opt_.base_page) - opt_.base_page);
            last_page_index_ = pages - 1;
          }
      }
      if (last_page_index_ && request.number - 1 >= *last_page_index_) return stop("total reached");
      return true;
    }
    default:
      return stop("single page");
  }
}

}  // namespace pg_etl
