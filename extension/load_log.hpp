#pragma once
// pg_etl's bookkeeping tables, written in the caller's transaction so they commit or
// roll back with the data: etl.loads (one row per load), etl.load_files, etl.rejects.
#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "core/incremental_cursor.hpp"
#include "core/record_stream.hpp"

namespace pg_etl::pg {

struct RejectRow {
  std::string url;
  int64_t line = 0;
  int64_t byte_offset = -1;
  std::string column;
  std::string raw;
  std::string message;
  std::string sqlstate;
  std::string record;  // the row's fields as JSON (core/reject_record.hpp); empty: not known
};

// Inserts the etl.loads row and returns its id. target may be empty (a read).
int64_t begin_load(const std::string& target, const std::string& url, const std::string& format,
                   const std::string& options_json);

// Writes rejects for load_id.
void write_rejects(int64_t load_id, const std::vector<RejectRow>& rows);

// Completes the etl.loads row and writes etl.load_files.
void finish_load(int64_t load_id, int64_t rows_loaded, int64_t rows_rejected, uint64_t bytes_read,
                 const std::vector<FileStats>& files, const std::string& format);

// The watermark stored under name in etl.watermarks, locked FOR UPDATE until the end
// of the transaction (two loads of the same stream do not interleave), if any.
std::optional<Watermark> read_watermark(const std::string& name);

// Stores the watermark after a load, in the load's transaction.
void save_watermark(const std::string& name, const std::string& cursor, const Watermark& w, int64_t load_id,
                    int64_t rows_skipped);

}  // namespace pg_etl::pg
