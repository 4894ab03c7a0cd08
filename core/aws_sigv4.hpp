#pragma once
// AWS Signature Version 4 (header form), as S3 and S3-compatible stores expect.
// Written here rather than through libcurl's CURLOPT_AWS_SIGV4 because curl 7.88
// signs the query string as written (unsorted, unencoded), which S3 rejects for
// ListObjectsV2; unit-tested against AWS's published examples.
#include <map>
#include <string>
#include <vector>

namespace pg_etl {

struct SigV4Request {
  std::string method = "GET";
  std::string path = "/";                              // already URI-encoded as sent
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::map<std::string, std::string> headers;           // names as sent; host included
  std::string payload_hash;                            // hex SHA256 or UNSIGNED-PAYLOAD
};

struct SigV4Credentials {
  std::string access_key_id, secret_access_key, session_token;
};

// Returns the Authorization header value. amz_date is YYYYMMDD'T'HHMMSS'Z' and must
// also be sent as x-amz-date (put it in request.headers before signing).
std::string sigv4_authorization(const SigV4Request& request, const SigV4Credentials& creds,
                                const std::string& region, const std::string& service, const std::string& amz_date);

// The canonical request and string to sign, exposed for tests and debugging.
std::string sigv4_canonical_request(const SigV4Request& request);
std::string sigv4_canonical_query(const std::vector<std::pair<std::string, std::string>>& query);

// RFC 3986 encoding as SigV4 requires (unreserved characters kept; '/' kept when keep_slash).
std::string aws_uri_encode(const std::string& s, bool keep_slash);

std::string sha256_hex(const std::string& data);

// Current UTC time as YYYYMMDD'T'HHMMSS'Z'.
std::string amz_date_now();

}  // namespace pg_etl
