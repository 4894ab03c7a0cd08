#pragma once
// One URL in, records out: transport -> decompression -> format detection -> reader.
#include <string>
#include <vector>

#include "core/checksum_source.hpp"
#include "core/csv_dialect.hpp"
#include "core/read_options.hpp"
#include "core/record.hpp"

namespace pg_etl {

struct OpenedInput {
  RecordReaderPtr reader;
  Format format;
  std::shared_ptr<Checksum> checksum;  // of the file's bytes as stored, complete once read (none for APIs)
  CsvDialect dialect;                  // CSV: the delimiter, quote and escape in use
  std::string kind;                    // file, api, postgresql or mysql
};

// Opens url for reading: a file, an API (http(s) with API options) or a database
// query (postgresql://, mysql://; rows come as CSV-like text fields named by the query). The format comes from options, else the file name, else the
// first bytes of the (decompressed) content. expected_columns help CSV header detection.
OpenedInput open_input(const std::string& url, const ReadOptions& options,
                       const std::vector<std::string>& expected_columns);

}  // namespace pg_etl
