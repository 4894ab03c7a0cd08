#include "core/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/ascii.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

Digest::Digest(std::string_view algorithm) {
  std::string name(algorithm);
  for (char& c : name) c = ascii_tolower(c);
  md_ = EVP_get_digestbyname(name.c_str());
  if (!md_)
    throw Error(sqlstate::kInvalidParameterValue, "unknown hash algorithm \"" + std::string(algorithm) + "\"", "",
                "use sha256 (the default), sha512, sha384, sha224, sha1, md5, sha3-256, sha3-512 or blake2b512");
}

std::string Digest::raw(std::string_view data, std::string_view key) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool ok =
      key.empty()
          ? EVP_Digest(data.data(), data.size(), out, &len, md_, nullptr) == 1
          : HMAC(md_, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
                 data.size(), out, &len) != nullptr;
  if (!ok) throw Error(sqlstate::kInternalError, "could not compute a digest");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Digest::hex(std::string_view data, std::string_view key) const { return hex_encode(raw(data, key)); }

std::string hex_encode(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += digits[b >> 4], out += digits[b & 15];
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace pg_etl
