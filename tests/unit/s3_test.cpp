#include <gtest/gtest.h>

#include "core/aws_sigv4.hpp"
#include "core/remote_listing.hpp"
#include "core/s3.hpp"

using namespace pg_etl;

namespace {
const SigV4Credentials kAwsExample{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}  // namespace

// AWS's published example: "GET Object" in "Signature Calculations for the
// Authorization Header" (Amazon S3 API reference, sig-v4-header-based-auth).
TEST(SigV4, AwsGetObjectExample) {
  SigV4Request r;
  r.path = "/test.txt";
  r.payload_hash = kEmpty;
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmpty},
               {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(sha256_hex(sigv4_canonical_request(r)), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(sigv4_authorization(r, kAwsExample, "us-east-1", "s3", "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// The same document's "GET Bucket (List Objects)" example: query parameters sorted and encoded.
TEST(SigV4, AwsListObjectsExample) {
  SigV4Request r;
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  r.payload_hash = kEmpty;
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmpty},
               {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(sigv4_canonical_query(r.query), "max-keys=2&prefix=J");
  EXPECT_NE(sigv4_authorization(r, kAwsExample, "us-east-1", "s3", "20130524T000000Z")
                .find("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(aws_uri_encode("dir/a b+c~.csv", true), "dir/a%20b%2Bc~.csv");
  EXPECT_EQ(aws_uri_encode("dir/", false), "dir%2F");
}

TEST(S3, ParsesListObjectsV2) {
  std::string token;
  auto entries = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>dir/a&amp;b.csv</Key>"
      "<LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>42</Size></Contents>"
      "<NextContinuationToken>tok</NextContinuationToken></ListBucketResult>",
      "bkt", token);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].url, "s3://bkt/dir/a&b.csv");
  EXPECT_EQ(entries[0].size, 42);
  EXPECT_EQ(entries[0].mtime, 1714557600);
  EXPECT_EQ(entries[0].etag, "\"abc\"");
  EXPECT_EQ(token, "tok");
}

TEST(RemoteListing, Mlsd) {
  auto e = parse_mlsd("type=cdir;modify=20240101000000; .\r\ntype=file;size=10;modify=20240501100000; a b.csv\r\n"
                      "type=dir;modify=20240101000000; sub\r\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].name, "a b.csv");
  EXPECT_EQ(e[0].size, 10);
  EXPECT_EQ(e[0].mtime, 1714557600);
  EXPECT_TRUE(e[1].is_dir);
}

TEST(RemoteListing, LsLong) {
  auto e = parse_ls_long("drwxr-xr-x    2 u g 4096 Jan  1 12:00 sub\n-rw-r--r--    1 u g 12 May  1  2023 a b.csv\n"
                         "lrwxrwxrwx    1 u g 4 May  1 10:00 link\n",
                         2024);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_TRUE(e[0].is_dir);
  EXPECT_EQ(e[1].name, "a b.csv");
  EXPECT_EQ(e[1].size, 12);
}
