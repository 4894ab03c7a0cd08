#include "core/boolean_text.hpp"

#include "core/ascii.hpp"

namespace pg_etl {

std::optional<bool> parse_boolean_text(std::string_view s) {
  static constexpr std::string_view kTrue[] = {"true", "t", "yes", "y", "1", "on"};
  static constexpr std::string_view kFalse[] = {"false", "f", "no", "n", "0", "off"};
  s = ascii_trim(s);
  for (std::string_view w : kTrue)
    if (ascii_iequals(s, w)) return true;
  for (std::string_view w : kFalse)
    if (ascii_iequals(s, w)) return false;
  return std::nullopt;
}

}  // namespace pg_etl
