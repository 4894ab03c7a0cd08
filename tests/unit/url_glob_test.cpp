#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/url.hpp"

using namespace pg_etl;

TEST(Url, ParsesSchemesAndPaths) {
  Url f = parse_url("/data/x y.csv");
  EXPECT_EQ(f.scheme, "file");
  EXPECT_EQ(f.path, "/data/x y.csv");
  EXPECT_EQ(parse_url("file:///data/x%20y.csv").path, "/data/x y.csv");
  Url h = parse_url("https://bob:p%40ss@example.com:8443/a/b.csv?x=1");
  EXPECT_EQ(h.scheme, "https");
  EXPECT_EQ(h.user, "bob");
  EXPECT_EQ(h.password, "p@ss");
  EXPECT_EQ(h.host, "example.com");
  EXPECT_EQ(h.port, 8443);
  EXPECT_EQ(h.path, "/a/b.csv");
  Url s3 = parse_url("s3://my-bucket/dir/k.csv");
  EXPECT_EQ(s3.host, "my-bucket");
  EXPECT_EQ(s3.path, "/dir/k.csv");
}

TEST(Url, SpacesAndNonAsciiAreEncoded) {
  EXPECT_EQ(parse_url("s3://b/dir/a b.csv").path, "/dir/a b.csv");
  EXPECT_EQ(encode_unsafe_chars("https://h/a b/\xC3\xA9.csv?q=1"), "https://h/a%20b/%C3%A9.csv?q=1");
}

TEST(Url, RejectsUnknownSchemesAndRelativePaths) {
  EXPECT_THROW(parse_url("gopher://x/y"), Error);
  EXPECT_THROW(parse_url("data/x.csv"), Error);
}

TEST(Url, RedactsCredentialsAndSecretParameters) {
  EXPECT_EQ(redact_url("ftp://bob:secret@host/x.csv"), "ftp://bob@host/x.csv");
  EXPECT_EQ(redact_url("https://h/x?api_key=abc&page=2&X-Amz-Signature=ff"), "https://h/x?api_key=***&page=2&X-Amz-Signature=***");
  EXPECT_EQ(redact_url("https://h/x?token=abc#frag"), "https://h/x?token=***#frag");
  EXPECT_EQ(redact_url("/local/path"), "file:///local/path");
  EXPECT_EQ(redact_url("sftp://u:p@w@h:22/a@b"), "sftp://u@h:22/a@b");
}

TEST(Glob, Matching) {
  EXPECT_TRUE(glob_match("/d/*.csv", "/d/a.csv"));
  EXPECT_FALSE(glob_match("/d/*.csv", "/d/sub/a.csv"));
  EXPECT_TRUE(glob_match("/d/**/*.csv", "/d/a.csv"));
  EXPECT_TRUE(glob_match("/d/**/*.csv", "/d/x/y/a.csv"));
  EXPECT_TRUE(glob_match("/d/**", "/d/x/y/a.csv"));
  EXPECT_TRUE(glob_match("/d/file?.csv", "/d/file1.csv"));
  EXPECT_FALSE(glob_match("/d/file?.csv", "/d/file12.csv"));
  EXPECT_TRUE(glob_match("/d/[ab]*.csv", "/d/b1.csv"));
  EXPECT_FALSE(glob_match("/d/[!ab]*.csv", "/d/b1.csv"));
  EXPECT_TRUE(glob_match("/d/year=*/month=0[1-3]/*.json", "/d/year=2024/month=02/x.json"));
  EXPECT_TRUE(glob_match("/d/a\\*b", "/d/a*b"));
}

TEST(Glob, BracesAndBaseDirectories) {
  EXPECT_EQ(expand_braces("/d/{a,b}/x.{csv,json}"),
            (std::vector<std::string>{"/d/a/x.csv", "/d/a/x.json", "/d/b/x.csv", "/d/b/x.json"}));
  EXPECT_EQ(expand_braces("/d/{a,{b,c}}"), (std::vector<std::string>{"/d/a", "/d/b", "/d/c"}));
  EXPECT_EQ(glob_base_dir("/data/2024/*.csv"), "/data/2024/");
  EXPECT_EQ(glob_base_dir("/data/*/x.csv"), "/data/");
  EXPECT_TRUE(glob_is_recursive("/data/*/x.csv"));
  EXPECT_FALSE(glob_is_recursive("/data/*.csv"));
  EXPECT_TRUE(glob_is_recursive("/data/**"));
  EXPECT_TRUE(glob_match("/d/**", "/d/sub/deep.csv"));
  EXPECT_EQ(url_glob_part("https://h/x.csv?page=2"), "https://h/x.csv");
  EXPECT_EQ(url_glob_part("/tmp/what?.csv"), "/tmp/what?.csv");
  EXPECT_TRUE(has_glob("/a/{b,c}"));
  EXPECT_FALSE(has_glob("/a/b\\*"));
}

TEST(Url, QueryParametersAreSetOnceAndEncoded) {
  EXPECT_EQ(with_query_param("http://h/p", "a", "1"), "http://h/p?a=1");
  EXPECT_EQ(with_query_param("http://h/p?a=1&b=2", "a", "x y"), "http://h/p?b=2&a=x%20y") << "replaced, not repeated";
  EXPECT_EQ(with_query_param("http://h/p?b=2#f", "c", "&"), "http://h/p?b=2&c=%26#f");
  EXPECT_EQ(resolve_url("http://h/a/b?x=1", "/c?d=2"), "http://h/c?d=2");
  EXPECT_EQ(resolve_url("http://h/a/b?x=1", "?page=2"), "http://h/a/b?page=2");
  EXPECT_EQ(resolve_url("http://h/a/b", "https://o/z"), "https://o/z");
}
