#include "core/null_tokens.hpp"

#include "core/ascii.hpp"

namespace pg_etl {

bool is_null_token(std::string_view value, const std::vector<std::string>& tokens) {
  value = ascii_trim(value);
  for (const std::string& t : tokens)
    if (ascii_iequals(value, ascii_trim(t))) return true;
  return false;
}

const std::vector<std::string>& default_null_tokens() {
  static const std::vector<std::string> tokens = {"", "NA", "N/A", "-", "null", "none", "nan", "#N/A"};
  return tokens;
}

}  // namespace pg_etl
