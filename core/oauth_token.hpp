#pragma once
// OAuth2 client credentials (RFC 6749 section 4.4): the access token is fetched from the
// token endpoint, cached for the process until shortly before it expires, and fetched
// again on demand (after a 401). The cache is per backend: each server process asks
// once per token lifetime.
#include <string>

#include "core/api_options.hpp"
#include "core/transport.hpp"

namespace pg_etl {

// A valid access token for auth (fetched when none is cached, or when refresh is set).
std::string oauth2_access_token(const AuthOptions& auth, const TransportOptions& transport, bool refresh);

// Forgets every cached token (tests; a changed secret).
void clear_oauth2_tokens();

}  // namespace pg_etl
