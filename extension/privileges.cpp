#include "extension/privileges.hpp"

#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "utils/acl.h"
}

namespace pg_etl::pg {
namespace {

bool member_of(Oid role) {
  return pg_guard([role] { return OidIsValid(role) && has_privs_of_role(GetUserId(), role); });
}

void require_server_files(const std::string& what) {
  if (member_of(ROLE_PG_READ_SERVER_FILES)) return;
  throw Error(sqlstate::kInsufficientPrivilege, "permission denied to read " + what,
              "Only superusers and members of pg_read_server_files may read files on the database server.",
              "GRANT pg_read_server_files TO the role, or read the file over the network");
}

}  // namespace

void check_read_privilege(const std::string& url, const TransportOptions& transport) {
  if (pg_guard([] { return superuser(); })) return;
  if (is_local_url(url)) {
    require_server_files("\"" + redact_url(url) + "\"");
  } else {
    Oid network = pg_guard([] { return get_role_oid("etl_network", true); });
    if (!member_of(network))
      throw Error(sqlstate::kInsufficientPrivilege, "permission denied to read \"" + redact_url(url) + "\"",
                  "Only superusers and members of etl_network may reach the network from the database server.",
                  "GRANT etl_network TO the role");
  }
  // Options that make the server open its own files are file reads too.
  for (const std::string* path : {&transport.ca_file, &transport.private_key, &transport.public_key})
    if (!path->empty()) require_server_files("\"" + *path + "\" (a TLS or SSH key file option)");
}

}  // namespace pg_etl::pg
