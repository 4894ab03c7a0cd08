#include "core/option_errors.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) prev[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); j++)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

void throw_unknown_option(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = 99;
  for (const auto& c : known)
    if (size_t d = edit_distance(key, c); d < best_d) best_d = d, best = c;
  std::string hint = best_d <= 2 ? "did you mean \"" + best + "\"?" : "";
  std::string all;
  for (const auto& c : known) all += (all.empty() ? "" : ", ") + c;
  throw Error(sqlstate::kInvalidParameterValue, "unknown option \"" + key + "\"", "known options: " + all, hint);
}

void throw_bad_option(const std::string& key, const std::string& why) {
  throw Error(sqlstate::kInvalidParameterValue, "option \"" + key + "\" " + why);
}

}  // namespace pg_etl
