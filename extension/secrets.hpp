#pragma once
// Named secrets (etl.create_secret): sealed with the key in pg_etl.secret_key_file and
// stored in etl.secret_store, which only its owner role (the extension's installer) can
// read. Sessions reach it through these functions, which check that the current role
// is the secret's owner, a member of it, a member of etl_admin, or a superuser.
#include <string>

namespace pg_etl::pg {

// The secret's value as JSON text, for resolving {"secret": name} in options.
std::string secret_json(const std::string& name);

// Options JSON with every {"secret": name} replaced by the secret (core/secret_refs.hpp).
std::string with_secrets(const std::string& options_json);

}  // namespace pg_etl::pg
