#include "core/csv_dialect.hpp"

#include <map>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/string_source.hpp"
#include "core/value_encoder.hpp"

namespace pg_etl {
namespace {

struct Score {
  size_t fields = 0;
  double consistency = 0;
};

Score score(const std::string& text, char delim, char quote, char escape) {
  CsvOptions o;
  o.delimiter = delim;
  o.quote = quote;
  o.escape = escape;
  o.header = HeaderMode::kFalse;
  o.allow_ragged = true;
  std::map<size_t, int> counts;
  int records = 0;
  try {
    CsvReader r(open_string(text), o, "sample");
    Record rec;
    while (records < 100 && r.next(rec)) {
      if (rec.problem) continue;
      counts[rec.values.size()]++;
      records++;
    }
  } catch (const std::exception&) {
    return {};
  }
  Score s;
  for (const auto& [fields, n] : counts)
    if (n > s.consistency * records) s.fields = fields, s.consistency = static_cast<double>(n) / records;
  return s;
}

}  // namespace

std::string CsvDialect::json() const {
  std::string j = "{\"delimiter\": ";
  append_json_string(std::string(1, delimiter), j);
  j += ", \"quote\": ";
  append_json_string(std::string(1, quote), j);
  j += ", \"escape\": ";
  append_json_string(std::string(1, escape), j);
  return j + "}";
}

CsvDialect sniff_csv_dialect(const std::string& sample) {
  CsvDialect d;
  // Whole lines only.
  std::string text = sample;
  const size_t last_nl = text.find_last_of('\n');
  if (last_nl != std::string::npos && last_nl + 1 < text.size()) text.resize(last_nl + 1);
  // Quote: ' only when it wraps fields and " never appears.
  if (text.find('"') == std::string::npos &&
      (text.find(",'") != std::string::npos || text.find(";'") != std::string::npos || text.find("|'") != std::string::npos ||
       text.find("\t'") != std::string::npos))
    d.quote = d.escape = '\'';
  if (text.find(std::string("\\") + d.quote) != std::string::npos) d.escape = '\\';
  double best = 0;
  for (char delim : {',', '\t', ';', '|'}) {
    const Score s = score(text, delim, d.quote, d.escape);
    if (s.fields < 2 || s.consistency < 0.8) continue;
    const double value = s.consistency * 10 + static_cast<double>(s.fields) / 100;  // consistency first
    if (value > best) {
      best = value;
      d.delimiter = delim;
      d.confident = true;
    }
  }
  return d;
}

}  // namespace pg_etl
