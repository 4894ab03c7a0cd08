#pragma once
// Message digests and HMACs by algorithm name (OpenSSL's names: sha256, sha512, md5,
// sha3-256, blake2b512...), for etl.hash and request signing. The EVP_MD is looked up
// once per Digest, not per value.
#include <string>
#include <string_view>

struct evp_md_st;

namespace pg_etl {

class Digest {
 public:
  // Throws 22023 for an algorithm OpenSSL does not know, listing the usual ones.
  explicit Digest(std::string_view algorithm);
  // The digest of data, or its HMAC when key is not empty: raw bytes, or lower-case hex.
  std::string raw(std::string_view data, std::string_view key = {}) const;
  std::string hex(std::string_view data, std::string_view key = {}) const;

 private:
  const evp_md_st* md_;
};

std::string hex_encode(std::string_view bytes);

// Standard base64 (RFC 4648, with padding, no line breaks).
std::string base64_encode(std::string_view bytes);

}  // namespace pg_etl
