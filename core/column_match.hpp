#pragma once
// Matching a file's column names to a table's: exactly, then ignoring case, then
// ignoring case and punctuation ("Order ID" matches order_id).
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"

namespace pg_etl {

// "Order ID" -> "orderid": lower case, letters and digits only.
std::string normalize_column_name(std::string_view name);

bool names_match(std::string_view a, std::string_view b);

// For each requested column, the index of the CSV field that feeds it (-1: none).
// By position when a column gives one, else by name against the header. Throws 42703
// when a requested path names no header column, or when nothing matches at all.
std::vector<int> resolve_csv_projection(const std::vector<std::string>& header, bool has_header,
                                        const std::vector<ColumnSource>& columns, const std::string& url);

}  // namespace pg_etl
