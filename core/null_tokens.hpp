#pragma once
// Values that mean "no value" in exported data: empty cells, NA, N/A, -, null, none,
// nan, #N/A (Excel). Compared after trimming ASCII whitespace, ignoring ASCII case, so
// " N/a " is a null token; tokens given by the user are trimmed the same way.
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

// True when value, trimmed, equals one of tokens (trimmed) ignoring ASCII case.
bool is_null_token(std::string_view value, const std::vector<std::string>& tokens);

// {"", "NA", "N/A", "-", "null", "none", "nan", "#N/A"}
const std::vector<std::string>& default_null_tokens();

}  // namespace pg_etl
