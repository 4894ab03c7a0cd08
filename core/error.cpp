#include "core/error.hpp"

#include "core/sqlstate.hpp"

namespace pg_etl {

bool is_valid_sqlstate(const std::string& s) noexcept {
  if (s.size() != 5) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// A malformed code would be silently mangled by MAKE_SQLSTATE; fall back to
// internal_error so the mistake is visible rather than misleading.
Error::Error(std::string sqlstate, std::string message, std::string detail, std::string hint)
    : std::runtime_error(std::move(message)),
      sqlstate_(is_valid_sqlstate(sqlstate) ? std::move(sqlstate) : std::string(sqlstate::kInternalError)),
      detail_(std::move(detail)),
      hint_(std::move(hint)) {}

}  // namespace pg_etl
