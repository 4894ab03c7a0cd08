#pragma once
// etl.load's engine: rows from any supported file, encoded in C++, fed to PostgreSQL's
// own COPY FROM machinery as a COPY BINARY stream (BeginCopyFrom with a data-source
// callback), so indexes, constraints, triggers, partitions and FREEZE behave exactly as
// for COPY, at COPY's speed or better (the C++ parsers replace COPY's text parsing).
#include <cstdint>
#include <string>
#include <vector>

#include "core/file_entry.hpp"

#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {

struct LoadResult {
  int64_t rows_loaded = 0;
  int64_t rows_rejected = 0;
  uint64_t bytes_read = 0;
  int32_t files = 0;
  int64_t load_id = 0;
};

struct SourceArgs;

// Loads the files args names into relid (privileges already checked by source_args),
// or exactly `files` when given (a pipeline run's new files).
LoadResult load_into(Oid relid, const SourceArgs& args, const std::vector<FileEntry>* files = nullptr);

// The (rows_loaded, rows_rejected, bytes_read, files, load_id) record SQL functions return.
Datum load_result_datum(FunctionCallInfo fcinfo, const LoadResult& r);

}  // namespace pg_etl::pg
