#include "core/http_auth.hpp"
#include "core/status_page.hpp"

#include <gtest/gtest.h>

namespace pg_etl {

TEST(StatusPage, EscapesEveryStringFromTheDatabase) {
  nlohmann::json report = {
      {"pipelines", {{{"kind", "pipeline"}, {"name", "<script>alert(1)</script>"}, {"last_status", "failed"},
                      {"last_error", "bad \"quote\" & <tag>"}}}},
      {"failures", {{{"pipeline", "<b>x</b>"}, {"error", "<img src=x onerror=y>"}, {"run_id", 3}, {"status", "failed"}}}},
      {"hourly", nlohmann::json::array()}};
  const std::string html = render_status_page(report);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no JavaScript at all";
}

TEST(StatusPage, RendersAnEmptyReport) {
  const std::string html = render_status_page(nlohmann::json::object());
  EXPECT_NE(html.find("<html"), std::string::npos);
}

TEST(HttpAuth, TokensCompareExactly) {
  EXPECT_TRUE(http::same_secret("abc", "abc"));
  EXPECT_FALSE(http::same_secret("abc", "abd"));
  EXPECT_FALSE(http::same_secret("abc", "abcd"));
  EXPECT_EQ(http::bearer_token("Bearer t0k"), "t0k");
  EXPECT_EQ(http::bearer_token("Basic dXNlcg=="), "");
}

TEST(HttpAuth, CredentialsFromHeaderQueryOrCookie) {
  using http::Credential;
  EXPECT_EQ(http::check_credentials("tok", "", "", ""), Credential::none);
  EXPECT_EQ(http::check_credentials("tok", "Bearer tok", "", ""), Credential::valid);
  EXPECT_EQ(http::check_credentials("tok", "Bearer nope", "", ""), Credential::invalid);
  EXPECT_EQ(http::check_credentials("tok", "", "tok", ""), Credential::valid);
  const std::string cookie = std::string(http::kSessionCookie) + "=" + http::session_value("tok");
  EXPECT_EQ(http::check_credentials("tok", "", "", cookie), Credential::valid);
  EXPECT_EQ(http::check_credentials("other", "", "", cookie), Credential::invalid) << "a new token ends old sessions";
  EXPECT_EQ(http::session_value("tok").find("tok"), std::string::npos) << "the cookie does not hold the token";
}

}  // namespace pg_etl
