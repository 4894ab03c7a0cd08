#include "core/secret_box.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>

#include "core/ascii.hpp"
#include "core/aws_sigv4.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

// Layout: "PGE1" | fingerprint (16 hex chars) | nonce (12) | tag (16) | ciphertext
constexpr std::string_view kMagic = "PGE1";
constexpr size_t kFingerprintLen = 16, kNonceLen = 12, kTagLen = 16;
constexpr size_t kHeaderLen = kMagic.size() + kFingerprintLen + kNonceLen + kTagLen;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

int hex_digit(char c) {
  if (ascii_isdigit(c)) return c - '0';
  c = ascii_tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

SecretKey SecretKey::from_file_text(std::string_view text, const std::string& file_name) {
  text = ascii_trim(text);
  SecretKey k;
  bool ok = text.size() == 64;
  for (size_t i = 0; ok && i < 32; i++) {
    const int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    k.key_[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (!ok)
    throw Error(sqlstate::kConfigFileError, "secret key file \"" + file_name + "\" does not hold a 256-bit key",
                "it must contain 64 hexadecimal digits", "create one with: openssl rand -hex 32 > FILE; chmod 600 FILE");
  return k;
}

SecretKey SecretKey::derive(std::string_view material, std::string_view purpose) {
  SecretKey k;
  size_t len = k.key_.size();
  using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), EVP_PKEY_CTX_free);
  const bool ok = ctx && EVP_PKEY_derive_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) == 1 &&
                  EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), bytes(material), static_cast<int>(material.size())) == 1 &&
                  EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), bytes(purpose), static_cast<int>(purpose.size())) == 1 &&
                  EVP_PKEY_derive(ctx.get(), k.key_.data(), &len) == 1 && len == k.key_.size();
  if (!ok) throw Error(sqlstate::kInternalError, "could not derive a key");
  return k;
}

std::string SecretKey::generate_file_text() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw Error(sqlstate::kInternalError, "could not generate a secret key");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) out += digits[b >> 4], out += digits[b & 15];
  return out + "\n";
}

std::string SecretKey::fingerprint() const {
  return sha256_hex(std::string(reinterpret_cast<const char*>(key_.data()), key_.size())).substr(0, kFingerprintLen);
}

std::string SecretKey::seal(std::string_view secret_name, std::string_view plaintext) const {
  unsigned char nonce[kNonceLen], tag[kTagLen];
  if (RAND_bytes(nonce, sizeof nonce) != 1) throw Error(sqlstate::kInternalError, "could not generate a nonce");
  std::string ct(plaintext.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(secret_name), static_cast<int>(secret_name.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(ct.data()), &len, bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, tag) == 1;
  if (!ok) throw Error(sqlstate::kInternalError, "could not encrypt the secret");
  std::string out(kMagic);
  out += fingerprint();
  out.append(reinterpret_cast<const char*>(nonce), kNonceLen);
  out.append(reinterpret_cast<const char*>(tag), kTagLen);
  return out + ct;
}

std::string SecretKey::open(std::string_view secret_name, std::string_view sealed, std::string_view what) const {
  const bool file_secret = what.empty();
  const std::string name = file_secret ? "secret \"" + std::string(secret_name) + "\"" : std::string(what);
  if (sealed.size() < kHeaderLen || sealed.substr(0, kMagic.size()) != kMagic)
    throw Error(sqlstate::kDataCorrupted, name + " is not pg_etl ciphertext");
  const std::string fp = sealed_fingerprint(sealed);
  if (fp != fingerprint())
    throw Error(file_secret ? sqlstate::kConfigFileError : sqlstate::kInvalidParameterValue,
                name + " was encrypted with another key",
                "its key's fingerprint is " + fp + ", this key's is " + fingerprint(),
                file_secret ? "point pg_etl.secret_key_file at the key it was created with, or create the secret again"
                            : "decrypt it with the secret it was encrypted with");
  const unsigned char* nonce = bytes(sealed.substr(kMagic.size() + kFingerprintLen));
  std::string tag(sealed.substr(kMagic.size() + kFingerprintLen + kNonceLen, kTagLen));
  const std::string_view ct = sealed.substr(kHeaderLen);
  std::string pt(ct.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(secret_name), static_cast<int>(secret_name.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(pt.data()), &len, bytes(ct),
                              static_cast<int>(ct.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) == 1;
  if (!ok)
    throw Error(sqlstate::kDataCorrupted, name + (file_secret ? " does not decrypt: it was altered or belongs to another name"
                                                                : " does not decrypt: it was altered"));
  return pt;
}

std::string sealed_fingerprint(std::string_view sealed) {
  if (sealed.size() < kHeaderLen || sealed.substr(0, kMagic.size()) != kMagic) return "";
  return std::string(sealed.substr(kMagic.size(), kFingerprintLen));
}

}  // namespace pg_etl
