#pragma once
// Booleans as people write them in data: true/false, t/f, yes/no, y/n, 1/0, on/off,
// in any ASCII case, with surrounding whitespace. Whole words only: unlike PostgreSQL's
// boolean input, "tr" or "of" are not booleans here, because a cleansing function that
// guesses turns typos into data.
#include <optional>
#include <string_view>

namespace pg_etl {

// The boolean s spells, or nothing when it spells none.
std::optional<bool> parse_boolean_text(std::string_view s);

}  // namespace pg_etl
