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
  // A new random key, as key file text ("<64 hex digits>\n").
  static std::string generate_file_text();

  // First 16 hex digits of SHA-256 of the key: identifies it without revealing it.
  std::string fingerprint() const;

  std::string seal(std::string_view secret_name, std::string_view plaintext) const;
  // Throws Error: wrong key (the fingerprints differ), tampered or truncated data.
  std::string open(std::string_view secret_name, std::string_view sealed) const;

 private:
  std::array<uint8_t, 32> key_{};
};

// The fingerprint recorded in a sealed value ("" if it is not one).
std::string sealed_fingerprint(std::string_view sealed);

}  // namespace pg_etl
