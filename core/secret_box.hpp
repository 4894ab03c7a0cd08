#pragma once
// Secrets at rest: AES-256-GCM with a key kept outside the database (a key file the
// server reads, named by pg_etl.secret_key_file). A sealed value is bound to its
// secret's name (additional authenticated data), so copying one row's ciphertext into
// another name does not decrypt, and it records the key's fingerprint, so a wrong key
// file is named as such rather than reported as corruption.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pg_etl {

class SecretKey {
 public:
  // The key file's text: 64 hex digits (256 bits), surrounding whitespace ignored.
  static SecretKey from_file_text(std::string_view text, const std::string& file_name);
  // A key derived from a secret's value for one purpose (HKDF-SHA256), for etl.encrypt:
  // any value, a passphrase or 32 random bytes, gives a full-strength 256-bit key.
  static SecretKey derive(std::string_view material, std::string_view purpose);
  // A new random key, as key file text ("<64 hex digits>\n").
  static std::string generate_file_text();

  // First 16 hex digits of SHA-256 of the key: identifies it without revealing it.
  std::string fingerprint() const;

  // aad (the secret's name, or a fixed label) is authenticated, not stored: open needs it.
  std::string seal(std::string_view aad, std::string_view plaintext) const;
  // Throws Error: wrong key (the fingerprints differ), tampered or truncated data. what
  // names the value in messages; empty: 'secret "<aad>"' (the key file's secrets).
  std::string open(std::string_view aad, std::string_view sealed, std::string_view what = {}) const;

 private:
  std::array<uint8_t, 32> key_{};
};

// The fingerprint recorded in a sealed value ("" if it is not one).
std::string sealed_fingerprint(std::string_view sealed);

}  // namespace pg_etl
