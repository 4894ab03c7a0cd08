#pragma once
// Guessing a CSV file's dialect from its first bytes: the delimiter (, | ; tab), the
// quote (" or ') and the escape ("" or \). A delimiter is chosen when it splits the
// sampled lines into the same number of fields (more than one) nearly everywhere.
#include <string>

namespace pg_etl {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  char escape = '"';
  bool confident = false;  // a delimiter produced consistent multi-field rows
  std::string json() const;
};

// sample: the start of the (decompressed) file; a partial last line is ignored.
CsvDialect sniff_csv_dialect(const std::string& sample);

}  // namespace pg_etl
