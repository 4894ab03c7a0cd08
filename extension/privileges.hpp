#pragma once
// Who may read what (README "Privileges"): file:// URLs and server-side key or CA files
// need superuser or pg_read_server_files; network URLs need superuser or etl_network.
#include <string>

#include "core/transport.hpp"

namespace pg_etl::pg {

void check_read_privilege(const std::string& url, const TransportOptions& transport);

}  // namespace pg_etl::pg
