// Masking and field-level encryption: etl.hash, etl.mask, etl.encrypt, etl.decrypt.
// Keys and salts are pg_etl secrets (etl.create_secret), read once per query with the
// caller's right to use them checked; their values never reach a result or a message.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/mask_text.hpp"
#include "core/secret_box.hpp"
#include "core/sqlstate.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/call_cache.hpp"
#include "extension/secrets.hpp"


extern "C" {
#include "utils/builtins.h"
}

namespace pg_etl::pg {
namespace {

// A secret's value as key material: a JSON string stands for its text, anything else
// for its JSON text.
std::string secret_material(const std::string& name) {
  const nlohmann::json v = nlohmann::json::parse(secret_json(name));
  return v.is_string() ? v.get<std::string>() : v.dump();
}

struct Hasher {
  std::string algorithm, salt_secret;
  Digest digest;
  std::string key;  // HMAC key: the salt secret's value ("" without one)
};

Hasher& hasher(FunctionCallInfo fcinfo, const std::string& algorithm, const std::string& salt_secret) {
  return call_cache<Hasher>(
      fcinfo,
      [&] { return Hasher{algorithm, salt_secret, Digest(algorithm), salt_secret.empty() ? "" : secret_material(salt_secret)}; },
      [&](const Hasher& h) { return h.algorithm == algorithm && h.salt_secret == salt_secret; });
}

// etl.encrypt's ciphertexts are bound to this label, so a pg_etl secret's sealed value
// (bound to its name) is never accepted as an encrypted column value or the reverse.
constexpr std::string_view kEncryptLabel = "pg_etl.encrypt";

struct FieldKey {
  std::string secret;
  SecretKey key;
};

FieldKey& field_key(FunctionCallInfo fcinfo, const std::string& secret) {
  if (secret.empty()) throw Error(sqlstate::kInvalidParameterValue, "etl.encrypt and etl.decrypt need a secret name");
  return call_cache<FieldKey>(
      fcinfo, [&] { return FieldKey{secret, SecretKey::derive(secret_material(secret), kEncryptLabel)}; },
      [&](const FieldKey& k) { return k.secret == secret; });
}

Datum bytea_datum(std::string_view s) {
  return pg_guard([s] {
    bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + s.size()));
    SET_VARSIZE(b, VARHDRSZ + s.size());
    memcpy(VARDATA(b), s.data(), s.size());
    return PointerGetDatum(b);
  });
}

std::string_view bytes_view_arg(FunctionCallInfo fcinfo, int n) {
  Datum d = PG_GETARG_DATUM(n);
  bytea* b = pg_guard([d] { return DatumGetByteaPP(d); });
  return {VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)};
}

}  // namespace
}  // namespace pg_etl::pg

using namespace pg_etl;
using namespace pg_etl::pg;

namespace {
// etl.hash over data (the first argument's bytes, text or bytea).
Datum hash_of(FunctionCallInfo fcinfo, std::string_view data) {
  const std::string algorithm = PG_ARGISNULL(1) ? "sha256" : text_arg(fcinfo, 1);
  const std::string salt = PG_NARGS() > 2 ? text_arg(fcinfo, 2) : "";
  Hasher& h = hasher(fcinfo, algorithm, salt);
  return text_datum(h.digest.hex(data, h.key));
}
}  // namespace

// etl.hash(value text, algorithm text DEFAULT 'sha256') -> text (hex)
// etl.hash(value text, algorithm text, salt_secret text) -> text: an HMAC keyed with the
// secret, so the hashes of guessable values (e-mails, phone numbers) cannot be
// recomputed by someone without the secret.
PG_ETL_FUNCTION(pg_etl_hash) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  return hash_of(fcinfo, text_view_arg(fcinfo, 0));
}

// etl.hash(value bytea, ...): the same over bytes.
PG_ETL_FUNCTION(pg_etl_hash_bytea) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  return hash_of(fcinfo, bytes_view_arg(fcinfo, 0));
}

// etl.mask(value text, keep_last int DEFAULT 4, mask text DEFAULT '*') -> text
PG_ETL_FUNCTION(pg_etl_mask) {
  const std::string mask = PG_NARGS() > 2 && !PG_ARGISNULL(2) ? text_arg(fcinfo, 2) : "*";
  return text_datum(mask_text(text_view_arg(fcinfo, 0), PG_GETARG_INT32(1), mask));
}

// etl.encrypt(value text, secret_name text) -> bytea: AES-256-GCM with a fresh nonce
// per value, the key derived from the secret (HKDF-SHA256).
PG_ETL_FUNCTION(pg_etl_encrypt) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  FieldKey& k = field_key(fcinfo, text_arg(fcinfo, 1));
  return bytea_datum(k.key.seal(kEncryptLabel, text_view_arg(fcinfo, 0)));
}

// etl.decrypt(value bytea, secret_name text) -> text. 22023 when the value was encrypted
// with another secret's key, XX001 when it was altered.
PG_ETL_FUNCTION(pg_etl_decrypt) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const std::string secret = text_arg(fcinfo, 1);
  FieldKey& k = field_key(fcinfo, secret);
  return text_datum(k.key.open(kEncryptLabel, bytes_view_arg(fcinfo, 0), "the value given to etl.decrypt with secret \"" + secret + "\""));
}
