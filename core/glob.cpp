#include "core/glob.hpp"

namespace pg_etl {

bool has_glob(std::string_view s) {
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\') { i++; continue; }
    if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '{') return true;
  }
  return false;
}

std::vector<std::string> expand_braces(const std::string& pattern) {
  // Find the first top-level {...} with a comma and expand it, recursively.
  int depth = 0;
  size_t open = std::string::npos;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (c == '\\') { i++; continue; }
    if (c == '{') {
      if (depth++ == 0) open = i;
    } else if (c == '}' && depth > 0 && --depth == 0) {
      std::vector<std::string> alts;
      std::string cur;
      int d = 0;
      for (size_t k = open + 1; k < i; k++) {
        char ch = pattern[k];
        if (ch == '\\' && k + 1 < i) { cur += ch; cur += pattern[++k]; continue; }
        if (ch == '{') d++;
        if (ch == '}') d--;
        if (ch == ',' && d == 0) { alts.push_back(cur); cur.clear(); continue; }
        cur += ch;
      }
      alts.push_back(cur);
      if (alts.size() == 1) continue;  // {x} without a comma is literal
      std::vector<std::string> out;
      const std::string pre = pattern.substr(0, open), post = pattern.substr(i + 1);
      for (const auto& a : alts)
        for (auto& e : expand_braces(pre + a + post)) out.push_back(std::move(e));
      return out;
    }
  }
  return {pattern};
}

namespace {

// Matches one [...] class at p[0]; sets len to its length. Returns -1 if malformed.
int match_class(std::string_view p, char c, size_t& len) {
  size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) negate = true, i++;
  bool matched = false, first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      char hi = p[i + 2];
      matched = matched || (c >= lo && c <= hi);
      i += 3;
    } else {
      matched = matched || c == lo;
      i++;
    }
  }
  if (i >= p.size()) return -1;
  len = i + 1;
  return matched != negate ? 1 : 0;
}

bool match_from(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;  // backtrack point for a single *
  while (si < s.size() || pi < p.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (c == '*' && pi + 1 < p.size() && p[pi + 1] == '*') {
        // ** : any number of characters including '/'. "**/" may also match nothing.
        std::string_view rest = p.substr(pi + 2);
        bool slash = !rest.empty() && rest[0] == '/';
        if (slash && match_from(rest.substr(1), s.substr(si))) return true;
        for (size_t k = si; k <= s.size(); k++)
          if (match_from(rest, s.substr(k))) return true;
        return false;
      }
      if (c == '*') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      if (si < s.size()) {
        if (c == '?' && s[si] != '/') { pi++; si++; continue; }
        if (c == '[') {
          size_t len;
          int m = match_class(p.substr(pi), s[si], len);
          if (m == 1 && s[si] != '/') { pi += len; si++; continue; }
          if (m < 0 && s[si] == '[') { pi++; si++; continue; }
        } else if (c == '\\' && pi + 1 < p.size()) {
          if (p[pi + 1] == s[si]) { pi += 2; si++; continue; }
        } else if (c == s[si]) {
          pi++; si++;
          continue;
        }
      }
    }
    // mismatch: let the last * eat one more character (never a '/')
    if (star_p != std::string_view::npos && star_s < s.size() && s[star_s] != '/') {
      pi = star_p + 1;
      si = ++star_s;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) { return match_from(pattern, path); }

std::string glob_base_dir(const std::string& pattern) {
  size_t first = pattern.size();
  for (size_t i = 0; i < pattern.size(); i++) {
    if (pattern[i] == '\\') { i++; continue; }
    char c = pattern[i];
    if (c == '*' || c == '?' || c == '[' || c == '{') { first = i; break; }
  }
  size_t slash = pattern.rfind('/', first == 0 ? 0 : first - 1);
  return slash == std::string::npos ? std::string() : pattern.substr(0, slash + 1);
}

bool glob_is_recursive(const std::string& pattern) {
  std::string base = glob_base_dir(pattern);
  return pattern.find('/', base.size()) != std::string::npos || pattern.find("**", base.size()) != std::string::npos;
}

std::string url_glob_part(const std::string& url) {
  if (url.empty() || url[0] == '/' || url.compare(0, 7, "file://") == 0) return url;
  return url.substr(0, url.find_first_of("?#"));  // a query string is not a pattern
}

}  // namespace pg_etl
