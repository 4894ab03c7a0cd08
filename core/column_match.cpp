#include "core/column_match.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

std::string normalize_column_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name)
    if (std::isalnum(c) || c >= 0x80) out += static_cast<char>(std::tolower(c));
  return out;
}

bool names_match(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() == b.size()) {
    bool same = true;
    for (size_t i = 0; i < a.size() && same; i++)
      same = std::tolower(static_cast<unsigned char>(a[i])) == std::tolower(static_cast<unsigned char>(b[i]));
    if (same) return true;
  }
  std::string na = normalize_column_name(a);
  return !na.empty() && na == normalize_column_name(b);
}

namespace {
// Best match for name in header: exact beats case-insensitive beats normalized.
int find_column(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); i++)
    if (header[i] == name) return static_cast<int>(i);
  for (size_t i = 0; i < header.size(); i++)
    if (names_match(header[i], name)) return static_cast<int>(i);
  return -1;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

std::vector<int> resolve_csv_projection(const std::vector<std::string>& header, bool has_header,
                                        const std::vector<ColumnSource>& columns, const std::string& url) {
  std::vector<int> out;
  out.reserve(columns.size());
  bool any = false;
  for (size_t i = 0; i < columns.size(); i++) {
    const ColumnSource& c = columns[i];
    int idx = -1;
    if (c.position >= 0) {
      idx = c.position;
    } else if (!has_header) {
      idx = static_cast<int>(i);  // no header: columns in table order
    } else {
      idx = find_column(header, c.path.empty() ? c.name : c.path);
      if (idx < 0 && !c.path.empty())
        throw Error(sqlstate::kUndefinedColumn, "column \"" + c.path + "\" (mapped to " + c.name + ") is not in the header of \"" + url + "\"",
                    "header: " + join(header));
    }
    any = any || idx >= 0;
    out.push_back(idx);
  }
  if (!any && !columns.empty() && has_header)
    throw Error(sqlstate::kUndefinedColumn, "no column of \"" + url + "\" matches the target's columns", "header: " + join(header),
                "name the file's columns like the table's, map them with the \"columns\" option, or set "
                "\"match_by\": \"position\"");
  return out;
}

}  // namespace pg_etl
