#pragma once
// RFC 8288 Link headers, for header_link pagination (GitHub, Zendesk, Shopify style):
//   Link: <https://api.example.com/items?page=2>; rel="next", <...?page=9>; rel="last"
// Commas inside <...> and quoted parameters do not split links; rel may list several
// space-separated relation types and is matched case-insensitively.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

struct Link {
  std::string url;
  std::vector<std::string> rels;  // lower case
};

std::vector<Link> parse_link_header(std::string_view value);

// The URL with relation rel ("next"), if any.
std::optional<std::string> link_with_rel(std::string_view value, std::string_view rel);

}  // namespace pg_etl
