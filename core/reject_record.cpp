#include "core/reject_record.hpp"

#include <nlohmann/json.hpp>

namespace pg_etl {

std::string reject_record_json(const std::vector<RejectField>& fields) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : fields) j[name] = value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
  // A rejected row may hold bytes that are not UTF-8 (that may be why it was rejected).
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace pg_etl
