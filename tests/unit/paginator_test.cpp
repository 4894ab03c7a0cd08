#include "core/paginator.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/api_options.hpp"
#include "core/error.hpp"

using namespace pg_etl;

namespace {

PaginationOptions pagination(const std::string& json) {
  ApiOptions api;
  parse_api_option("pagination", json, api);
  return api.pagination;
}

// Feeds one page (body JSON text, a Link header) to p and returns whether more follow.
struct Page {
  simdjson::dom::parser parser;
  bool feed(Paginator& p, const PageRequest& r, const std::string& body, size_t records, const std::string& link = "") {
    simdjson::padded_string padded(body);
    simdjson::dom::element e = parser.parse(padded);
    return p.advance(r, PageFacts{link, e, records});
  }
};

}  // namespace

TEST(Paginator, HeaderLinkFollowsNextUntilNone) {
  Paginator p(pagination(R"({"type": "header_link"})"), "https://api.test/t?per_page=2", {});
  Page page;
  auto r = p.next(4);
  ASSERT_EQ(r.size(), 1u) << "link pages depend on the previous one";
  EXPECT_EQ(r[0].url, "https://api.test/t?per_page=2");
  EXPECT_TRUE(page.feed(p, r[0], "[1,2]", 2, R"(<https://api.test/t?page=2>; rel="next")"));
  r = p.next(4);
  EXPECT_EQ(r[0].url, "https://api.test/t?page=2");
  EXPECT_TRUE(page.feed(p, r[0], "[3,4]", 2, R"(</t?page=3>; rel="next", </t?page=1>; rel="first")"));
  r = p.next(4);
  EXPECT_EQ(r[0].url, "https://api.test/t?page=3") << "relative links resolve against the request";
  EXPECT_FALSE(page.feed(p, r[0], "[5]", 1, R"(</t?page=1>; rel="first")"));
  EXPECT_EQ(p.stop_reason(), "no next link");
  EXPECT_TRUE(p.next(4).empty());
}

TEST(Paginator, JsonLinkAndCursor) {
  Page page;
  Paginator j(pagination(R"({"type": "json_link", "next_url_path": "$.links.next"})"), "http://h/t", {});
  auto r = j.next(1);
  EXPECT_TRUE(page.feed(j, r[0], R"({"items": [1], "links": {"next": "http://h/t?p=2"}})", 1));
  EXPECT_EQ(j.next(1)[0].url, "http://h/t?p=2");
  EXPECT_FALSE(page.feed(j, r[0], R"({"items": [1], "links": {"next": null}})", 1));

  Paginator c(pagination(R"({"type": "cursor", "cursor_path": "$.meta.next", "cursor_param": "after"})"), "http://h/t?limit=5", {});
  r = c.next(1);
  EXPECT_TRUE(page.feed(c, r[0], R"({"meta": {"next": "abc"}})", 5));
  r = c.next(1);
  EXPECT_EQ(r[0].url, "http://h/t?limit=5&after=abc");
  EXPECT_TRUE(page.feed(c, r[0], R"({"meta": {"next": "d e"}})", 5));
  r = c.next(1);
  EXPECT_EQ(r[0].url, "http://h/t?limit=5&after=d%20e") << "the cursor replaces the previous one, encoded";
  EXPECT_FALSE(page.feed(c, r[0], R"({"meta": {"next": "abc"}})", 5)) << "a cursor seen before";
  EXPECT_EQ(c.stop_reason(), "cursor repeated");
}

TEST(Paginator, OffsetWithTotalRequestsAheadAndStops) {
  Page page;
  Paginator p(pagination(R"({"type": "offset", "limit": 10, "total_path": "$.total"})"), "http://h/t?x=1", {});
  auto first = p.next(4);
  ASSERT_EQ(first.size(), 1u) << "the first page comes alone: it tells the total";
  EXPECT_EQ(first[0].url, "http://h/t?x=1&offset=0&limit=10");
  EXPECT_TRUE(page.feed(p, first[0], R"({"total": 35})", 10));
  auto more = p.next(4);
  ASSERT_EQ(more.size(), 3u) << "35 records: pages at offsets 10, 20, 30 and no further";
  EXPECT_EQ(more[2].url, "http://h/t?x=1&offset=30&limit=10");
  EXPECT_TRUE(page.feed(p, more[0], R"({"total": 35})", 10));
  EXPECT_TRUE(page.feed(p, more[1], R"({"total": 35})", 10));
  EXPECT_FALSE(page.feed(p, more[2], R"({"total": 35})", 5));
  EXPECT_EQ(p.stop_reason(), "total reached");
}

TEST(Paginator, PageNumberWithoutTotalStopsOnEmptyPageOrHasMore) {
  Page page;
  Paginator p(pagination(R"({"type": "page_number", "base_page": 0, "page_size_param": "size", "page_size": 2})"), "http://h/t", {});
  auto r = p.next(2);
  EXPECT_EQ(r[0].url, "http://h/t?page=0&size=2");
  EXPECT_TRUE(page.feed(p, r[0], "[1,2]", 2));
  r = p.next(2);
  ASSERT_EQ(r.size(), 2u) << "without a total, at most `max` pages ahead";
  EXPECT_EQ(r[1].url, "http://h/t?page=2&size=2");
  EXPECT_TRUE(page.feed(p, r[0], "[3,4]", 2));
  EXPECT_FALSE(page.feed(p, r[1], "[]", 0));
  EXPECT_EQ(p.stop_reason(), "empty page");

  Paginator h(pagination(R"({"type": "page_number", "has_more_path": "$.has_more"})"), "http://h/t", {});
  r = h.next(1);
  EXPECT_FALSE(page.feed(h, r[0], R"({"data": [1], "has_more": false})", 1));
  EXPECT_EQ(h.stop_reason(), "has_more is false");
}

TEST(Paginator, MaxPagesAndAutoDetection) {
  Page page;
  Paginator m(pagination(R"({"type": "offset", "limit": 1, "max_pages": 2})"), "http://h/t", {});
  auto r = m.next(1);
  EXPECT_TRUE(page.feed(m, r[0], "[1]", 1));
  r = m.next(1);
  EXPECT_FALSE(page.feed(m, r[0], "[2]", 1));
  EXPECT_EQ(m.stop_reason(), "max_pages reached");

  Paginator a(pagination(R"("auto")"), "http://h/t", {});
  r = a.next(1);
  EXPECT_TRUE(page.feed(a, r[0], R"({"results": [1], "next": "http://h/t?page=2"})", 1));
  EXPECT_EQ(a.type(), PaginationType::kJsonLink);
  Paginator b(pagination(R"("auto")"), "http://h/t", {});
  r = b.next(1);
  EXPECT_FALSE(page.feed(b, r[0], "[1, 2]", 2));
  EXPECT_EQ(b.type(), PaginationType::kSingle) << "nothing says there is more";
}

TEST(Paginator, GraphqlCursorIsAVariable) {
  Page page;
  GraphqlOptions g;
  g.query = "query($after: String) { t(after: $after) { nodes { id } } }";
  g.variables_json = R"({"first": 50})";
  Paginator p(pagination(R"({"type": "cursor", "cursor_path": "$.data.t.pageInfo.endCursor", "cursor_param": "after"})"), "http://h/graphql", g);
  auto r = p.next(1);
  EXPECT_EQ(r[0].graphql_variables, R"({"first": 50})");
  EXPECT_TRUE(page.feed(p, r[0], R"({"data": {"t": {"pageInfo": {"endCursor": "c1"}}}})", 50));
  r = p.next(1);
  EXPECT_EQ(r[0].url, "http://h/graphql");
  EXPECT_EQ(nlohmann::json::parse(r[0].graphql_variables), nlohmann::json::parse(R"({"first": 50, "after": "c1"})"));
  EXPECT_THROW(Paginator(pagination(R"({"type": "offset"})"), "http://h/graphql", g), Error) << "GraphQL pages by cursor";
}

TEST(ApiOptions, CheckedWithTheirNames) {
  ApiOptions api;
  EXPECT_FALSE(parse_api_option("delimiter", "\",\"", api));
  EXPECT_TRUE(parse_api_option("auth", R"({"token": "t"})", api));
  EXPECT_EQ(api.auth.type, AuthType::kBearer) << "the type follows from the fields";
  EXPECT_TRUE(parse_api_option("rate_limit", R"({"requests_per_minute": 120, "burst": 5})", api));
  EXPECT_DOUBLE_EQ(api.requests_per_second, 2.0);
  EXPECT_TRUE(parse_api_option("request_retry", R"({"max_attempts": 2})", api));
  EXPECT_EQ(api.retry.max_attempts, 2);
  EXPECT_DOUBLE_EQ(api.retry.interval_seconds, 1.0) << "API defaults for what is not given";
  try {
    parse_api_option("pagination", R"({"type": "offset", "limt": 5})", api);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_NE(std::string(e.what()).find("pagination.limt"), std::string::npos);
  }
  EXPECT_THROW(parse_api_option("auth", R"({"type": "oauth2_client_credentials", "client_id": "x"})", api), Error);
  EXPECT_THROW(parse_api_option("concurrency", "0", api), Error);
  EXPECT_THROW(parse_api_option("pagination", R"({"type": "cursor", "cursor_path": "$..x"})", api), Error);
}
