#pragma once
// Globs over file paths and object keys, as in shells: * and ? stay within one path
// segment, ** crosses segments (including none), [abc] / [a-z] / [!x] match one
// character, {a,b} alternates (nested braces work). A backslash escapes the next char.
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

bool has_glob(std::string_view s);

// {a,b}/x{1,2} -> a/x1, a/x2, b/x1, b/x2 (in that order).
std::vector<std::string> expand_braces(const std::string& pattern);

// Matches a brace-free pattern against a whole path.
bool glob_match(std::string_view pattern, std::string_view path);

// The directory part before the first glob character ("/data/2024/*.csv" -> "/data/2024/").
std::string glob_base_dir(const std::string& pattern);

// Whether matching needs to descend below the base directory.
bool glob_is_recursive(const std::string& pattern);

// The part of a URL that may hold glob characters: the whole of a local path, a
// network URL up to its query string (where '?' means something else).
std::string url_glob_part(const std::string& url);

}  // namespace pg_etl
