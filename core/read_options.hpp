#pragma once
// The options jsonb every reader and etl.load accept, parsed and checked in one place.
// Unknown keys are errors (a misspelt "delimeter" must not be ignored silently), with a
// suggestion of the nearest known key.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/api_options.hpp"
#include "core/csv_reader.hpp"
#include "core/incremental_cursor.hpp"
#include "core/json_reader.hpp"
#include "core/transport.hpp"

namespace pg_etl {

enum class Format { kAuto, kCsv, kJson, kNdjson };

struct ReadOptions {
  Format format = Format::kAuto;
  bool delimiter_set = false, quote_set = false, escape_set = false;  // else sniffed from the file
  int64_t sample_rows = 20000;  // schema inference: records per file; -1 for all
  std::string date_order;       // "MDY", "DMY" or "YMD": how ambiguous dates are read
  std::map<std::string, std::string> date_formats;  // column -> spelling ("DD.MM.YYYY"), see date_formats.hpp
  CsvOptions csv;
  JsonOptions json;
  TransportOptions transport;
  ApiOptions api;  // http(s) APIs: pagination, auth, GraphQL, rate limits, retries
  IncrementalOptions incremental;  // etl.load from APIs and databases: cursor and watermark
  int64_t reject_limit = 0;                    // rows that may be rejected; -1: no limit
  bool match_by_position = false;              // CSV columns by position, not header name
  std::map<std::string, std::string> columns;  // target column -> header name or JSON path
  std::string filename_column;                 // target column that receives each row's file URL
  std::string extra_column;                    // JSON: target column that receives the fields no column takes
  std::map<std::string, std::optional<std::string>> set;  // target column -> constant (nullopt: NULL)
  // Folder URL whose sub-folders are partitions (year=2024/, or partition_N): columns of
  // those names receive each file's values (see partition_values in crawl_planner.hpp).
  std::string partition_root;
  // databases (postgresql://, mysql://): the rows to read
  std::string query;                // etl.read_query's argument, or the "query" option
  std::string table;                // or a table: SELECT * FROM it
  bool require_db_password = false; // set by the server for non-superusers (as dblink does)
  // etl.load only
  bool freeze = false;
  int64_t batch_rows = 10000;                  // rows per subtransaction when rejects are allowed
};

// Parses the JSON text of an options object. Throws 22023 naming the offending key.
ReadOptions parse_read_options(const std::string& json_text);

// The format a file name suggests (after .gz/.zst): .csv/.tsv/.txt, .json, .ndjson/.jsonl.
// Sets *tab for .tsv. kAuto when the name says nothing.
Format format_from_name(const std::string& url, bool* tab = nullptr);

const char* format_name(Format f);

// base's options with overrides' on top (top-level keys), as JSON text.
std::string merge_options(const std::string& base_json, const std::string& overrides_json);

// The options as JSON text with every secret value replaced by "***": what may be
// shown or stored (etl.loads, errors).
std::string redact_options(const std::string& json_text);

}  // namespace pg_etl
