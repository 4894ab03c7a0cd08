#include "core/link_header.hpp"

#include "core/ascii.hpp"

namespace pg_etl {

std::vector<Link> parse_link_header(std::string_view v) {
  std::vector<Link> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < v.size() && ascii_isspace(v[i])) i++;
  };
  while (i < v.size()) {
    skip_ws();
    if (i >= v.size()) break;
    if (v[i] != '<') {  // not a link: skip to the next comma outside quotes
      bool quoted = false;
      for (; i < v.size() && (quoted || v[i] != ','); i++)
        if (v[i] == '"') quoted = !quoted;
      i++;
      continue;
    }
    const size_t close = v.find('>', i);
    if (close == std::string_view::npos) break;
    Link link;
    link.url = std::string(v.substr(i + 1, close - i - 1));
    i = close + 1;
    // parameters: ; name[=value | ="quoted"]
    while (true) {
      skip_ws();
      if (i >= v.size() || v[i] != ';') break;
      i++;
      skip_ws();
      const size_t name_start = i;
      while (i < v.size() && v[i] != '=' && v[i] != ';' && v[i] != ',' && !ascii_isspace(v[i])) i++;
      std::string name(v.substr(name_start, i - name_start));
      for (char& c : name) c = ascii_tolower(c);
      skip_ws();
      std::string value;
      if (i < v.size() && v[i] == '=') {
        i++;
        skip_ws();
        if (i < v.size() && v[i] == '"') {
          for (i++; i < v.size() && v[i] != '"'; i++) {
            if (v[i] == '\\' && i + 1 < v.size()) i++;
            value += v[i];
          }
          i++;
        } else {
          const size_t start = i;
          while (i < v.size() && v[i] != ';' && v[i] != ',' && !ascii_isspace(v[i])) i++;
          value = std::string(v.substr(start, i - start));
        }
      }
      if (name == "rel") {
        size_t p = 0;
        while (p < value.size()) {
          while (p < value.size() && ascii_isspace(value[p])) p++;
          size_t q = p;
          while (q < value.size() && !ascii_isspace(value[q])) q++;
          if (q > p) {
            std::string rel = value.substr(p, q - p);
            for (char& c : rel) c = ascii_tolower(c);
            link.rels.push_back(rel);
          }
          p = q;
        }
      }
    }
    out.push_back(std::move(link));
    skip_ws();
    if (i < v.size() && v[i] == ',') i++;
  }
  return out;
}

std::optional<std::string> link_with_rel(std::string_view value, std::string_view rel) {
  for (const Link& l : parse_link_header(value))
    for (const std::string& r : l.rels)
      if (ascii_iequals(r, rel)) return l.url;
  return std::nullopt;
}

}  // namespace pg_etl
