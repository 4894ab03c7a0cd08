#include "core/link_header.hpp"

#include <gtest/gtest.h>

using namespace pg_etl;

TEST(LinkHeader, FindsNextAmongOthers) {
  const char* h = R"(<https://api.example.com/t?page=1>; rel="first", <https://api.example.com/t?page=3&a=b,c>; rel="next", )"
                  R"(<https://api.example.com/t?page=9>; rel="last")";
  EXPECT_EQ(link_with_rel(h, "next").value(), "https://api.example.com/t?page=3&a=b,c") << "a comma inside <> does not split";
  EXPECT_EQ(link_with_rel(h, "LAST").value(), "https://api.example.com/t?page=9");
  EXPECT_FALSE(link_with_rel(h, "prev"));
  EXPECT_EQ(parse_link_header(h).size(), 3u);
}

TEST(LinkHeader, ParametersInAnyFormAndOrder) {
  EXPECT_EQ(link_with_rel(R"(<a>; title="x, y; z"; rel=next)", "next").value(), "a") << "unquoted rel, quoted title with , and ;";
  EXPECT_EQ(link_with_rel(R"(<b>; rel="prev next")", "next").value(), "b") << "several relation types";
  EXPECT_EQ(link_with_rel(R"(  <c> ;REL = "Next" )", "next").value(), "c") << "spaces, case";
  EXPECT_FALSE(link_with_rel("", "next"));
  EXPECT_FALSE(link_with_rel("garbage, <d>; rel=\"self\"", "next"));
  EXPECT_EQ(link_with_rel("garbage, <d>; rel=\"next\"", "next").value(), "d");
  EXPECT_FALSE(link_with_rel("<unterminated; rel=next", "next"));
}
