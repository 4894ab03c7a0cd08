// etl.create_secret(name, value, description), etl.drop_secret(name) and the resolution
// of {"secret": name} in options. See extension/secrets.hpp and README "Secrets".
#include "extension/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "core/secret_refs.hpp"
#include "core/sqlstate.hpp"
#include "extension/guc.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pg_etl::pg {
namespace {

constexpr const char* kDefaultKeyFile = "pg_etl_secret.key";

std::string key_file_path() {
  if (guc::secret_key_file && *guc::secret_key_file) return guc::secret_key_file;
  return std::string(DataDir) + "/" + kDefaultKeyFile;
}

// The key, read from its file (created, 0600, on first use when the default is used).
SecretKey load_key(bool create) {
  const std::string path = key_file_path();
  const bool is_default = !(guc::secret_key_file && *guc::secret_key_file);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (!(create && is_default))
      throw Error(sqlstate::kConfigFileError, "secret key file \"" + path + "\" does not exist", "",
                  is_default ? "it is created by the first etl.create_secret"
                             : "create it: openssl rand -hex 32 > FILE; chmod 600 FILE (as the server's OS user)");
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, S_IRUSR | S_IWUSR);
    if (fd >= 0) {
      const std::string text = SecretKey::generate_file_text();
      const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
      close(fd);
      if (!ok) throw Error(sqlstate::kIoError, "could not write secret key file \"" + path + "\"");
    } else if (errno != EEXIST) {
      throw Error(sqlstate::kIoError, "could not create secret key file \"" + path + "\": " + strerror(errno));
    }
    if (stat(path.c_str(), &st) != 0) throw Error(sqlstate::kIoError, "could not read secret key file \"" + path + "\"");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    throw Error(sqlstate::kConfigFileError, "secret key file \"" + path + "\" has group or world access", "",
                "chmod 600 it: only the server's OS user may read it");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw Error(sqlstate::kIoError, "could not read secret key file \"" + path + "\"");
  return SecretKey::from_file_text(text.str(), path);
}

// Runs f as the owner of etl.secret_store (no one else may read the table), restoring
// the caller's identity afterwards, on errors too.
template <typename F>
auto as_store_owner(F&& f) {
  Oid store_owner = pg_guard([] {
    const Oid rel = get_relname_relid("secret_store", get_namespace_oid("etl", false));
    HeapTuple t = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
    if (!HeapTupleIsValid(t)) elog(ERROR, "pg_etl: etl.secret_store is missing");
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->relowner;
    ReleaseSysCache(t);
    return owner;
  });
  Oid saved_user;
  int saved_context;
  GetUserIdAndSecContext(&saved_user, &saved_context);
  struct Restore {
    Oid user;
    int context;
    ~Restore() { SetUserIdAndSecContext(user, context); }
  } restore{saved_user, saved_context};
  SetUserIdAndSecContext(store_owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
  return f();
}

// May the current role use or change a secret owned by owner?
bool may_use(Oid owner) {
  return pg_guard([owner] {
    const Oid me = GetUserId();
    const Oid admin = get_role_oid("etl_admin", true);
    return superuser() || has_privs_of_role(me, owner) || (OidIsValid(admin) && has_privs_of_role(me, admin));
  });
}

struct StoredSecret {
  bool found = false;
  Oid owner = InvalidOid;
  std::string sealed;
};

StoredSecret fetch(const std::string& name) {
  StoredSecret s;
  as_store_owner([&] {
    pg_guard([&] {
      SPI_connect();
      Oid types[1] = {TEXTOID};
      Datum values[1] = {CStringGetTextDatum(name.c_str())};
      if (SPI_execute_with_args("SELECT owner::oid, sealed FROM etl.secret_store WHERE name = $1", 1, types, values, nullptr,
                                true, 1) == SPI_OK_SELECT &&
          SPI_processed == 1) {
        bool isnull;
        s.found = true;
        s.owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        bytea* b = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
        s.sealed.assign(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
      }
      SPI_finish();
    });
    return 0;
  });
  return s;
}

void check_may_use(const std::string& name, const StoredSecret& s) {
  if (!s.found)
    throw Error(sqlstate::kUndefinedObject, "secret \"" + name + "\" does not exist", "",
                "etl.create_secret creates it; SELECT name FROM etl.secrets lists the ones you may use");
  if (!may_use(s.owner))
    throw Error(sqlstate::kInsufficientPrivilege, "permission denied for secret \"" + name + "\"",
                "only its owner's members, etl_admin and superusers may use it");
}

// nulls: SPI's convention, 'n' for a NULL argument (nullptr: none)
void run_store(const char* sql, const std::vector<Oid>& types, const std::vector<Datum>& values, const char* nulls = nullptr) {
  as_store_owner([&] {
    pg_guard([&] {
      SPI_connect();
      const int rc = SPI_execute_with_args(sql, static_cast<int>(types.size()), const_cast<Oid*>(types.data()),
                                           const_cast<Datum*>(values.data()), nulls, false, 0);
      if (rc < 0) elog(ERROR, "pg_etl: secret statement failed: %s", SPI_result_code_string(rc));
      SPI_finish();
    });
    return 0;
  });
}

}  // namespace

std::string secret_json(const std::string& name) {
  const StoredSecret s = fetch(name);
  check_may_use(name, s);
  return load_key(false).open(name, s.sealed);
}

std::string with_secrets(const std::string& options_json) { return resolve_secret_refs(options_json, secret_json); }

}  // namespace pg_etl::pg

// etl.create_secret(name text, value jsonb, description text DEFAULT NULL) -> void:
// creates or replaces (its owner, etl_admin or a superuser may replace it).
PG_ETL_FUNCTION(pg_etl_create_secret) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const std::string name = text_arg(fcinfo, 0);
  if (name.empty()) throw Error(sqlstate::kInvalidParameterValue, "a secret needs a name");
  if (PG_ARGISNULL(1)) throw Error(sqlstate::kInvalidParameterValue, "secret \"" + name + "\" needs a value");
  const std::string value = jsonb_arg(fcinfo, 1);
  const StoredSecret old = fetch(name);
  if (old.found && !may_use(old.owner))
    throw Error(sqlstate::kInsufficientPrivilege, "permission denied for secret \"" + name + "\"",
                "another role owns it; only its members, etl_admin and superusers may replace it");
  const SecretKey key = load_key(true);
  const std::string sealed = key.seal(name, value);
  const Oid owner = old.found ? old.owner : GetUserId();
  const std::string description = text_arg(fcinfo, 2);
  // the names of its fields, shown in etl.secrets (never the values)
  std::string fields = "[]";
  if (auto doc = nlohmann::json::parse(value, nullptr, false); doc.is_object()) {
    nlohmann::json keys = nlohmann::json::array();
    for (auto& [k, v] : doc.items()) keys.push_back(k);
    fields = keys.dump();
  }
  const std::string fingerprint = key.fingerprint();
  std::vector<Datum> args(6);
  pg_guard([&] {
    bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + sealed.size()));
    SET_VARSIZE(b, VARHDRSZ + sealed.size());
    memcpy(VARDATA(b), sealed.data(), sealed.size());
    args = {CStringGetTextDatum(name.c_str()), ObjectIdGetDatum(owner), PointerGetDatum(b),
            CStringGetTextDatum(fields.c_str()), CStringGetTextDatum(fingerprint.c_str()),
            CStringGetTextDatum(description.c_str())};
  });
  run_store(
      "INSERT INTO etl.secret_store AS s (name, owner, sealed, fields, key_fingerprint, description) "
      "VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, $6) "
      "ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, fields = EXCLUDED.fields, "
      "key_fingerprint = EXCLUDED.key_fingerprint, description = coalesce(EXCLUDED.description, s.description), "
      "updated_at = now()",
      {TEXTOID, OIDOID, BYTEAOID, TEXTOID, TEXTOID, TEXTOID}, args, description.empty() ? "     n" : nullptr);
  PG_RETURN_VOID();
}

// etl.drop_secret(name text) -> void
PG_ETL_FUNCTION(pg_etl_drop_secret) {
  using namespace pg_etl;
  using namespace pg_etl::pg;
  const std::string name = text_arg(fcinfo, 0);
  check_may_use(name, fetch(name));
  run_store("DELETE FROM etl.secret_store WHERE name = $1", {TEXTOID}, {pg_guard([&] { return CStringGetTextDatum(name.c_str()); })});
  PG_RETURN_VOID();
}
