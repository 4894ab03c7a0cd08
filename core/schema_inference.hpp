#pragma once
// Schema inference over one file, a glob, or a source's URL: each file is sampled (up
// to options.sample_rows records, or all), its columns inferred, and columns unify by
// name across files (see type_inference.hpp).
#include <string>
#include <vector>

#include "core/csv_dialect.hpp"
#include "core/read_options.hpp"
#include "core/type_inference.hpp"

namespace pg_etl {

struct InferredSchema {
  std::vector<InferredColumn> columns;  // in order of first appearance
  Format format = Format::kAuto;
  CsvDialect dialect;                   // for CSV
  bool header = true;
  uint64_t records = 0;                 // records sampled
  size_t files = 0;
  std::vector<std::vector<std::string>> file_columns;  // per file, in the order given: its columns
  std::string json() const;             // everything above, as a JSON object
};

InferredSchema infer_schema(const std::string& url, const ReadOptions& options);

// The same over files already listed (a crawl's dataset).
InferredSchema infer_schema_of(const std::vector<std::string>& urls, const ReadOptions& options);

}  // namespace pg_etl
