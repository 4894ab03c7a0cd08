#include "extension/load_log.hpp"

#include "core/read_options.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace pg_etl::pg {
namespace {

// Runs one statement through SPI with text/int8 arguments (NULL where null[i]).
struct Arg {
  Oid type;
  Datum value;
  bool null;
};

Arg text_arg(const std::string& s) {
  return Arg{TEXTOID, pg_guard([&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); }), false};
}
Arg text_or_null(const std::string& s) { return s.empty() ? Arg{TEXTOID, 0, true} : text_arg(s); }
Arg int8_arg(int64_t v) { return Arg{INT8OID, Int64GetDatum(v), false}; }
Arg int8_or_null(int64_t v) { return v < 0 ? Arg{INT8OID, 0, true} : int8_arg(v); }
Arg time_or_null(int64_t unix_seconds) {
  if (unix_seconds < 0) return Arg{TIMESTAMPTZOID, 0, true};
  return Arg{TIMESTAMPTZOID, TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(unix_seconds))), false};
}

int64_t run(const char* sql, const std::vector<Arg>& args, bool returns_id) {
  std::vector<Oid> types;
  std::vector<Datum> values;
  std::vector<char> nulls;
  for (const Arg& a : args) {
    types.push_back(a.type);
    values.push_back(a.value);
    nulls.push_back(a.null ? 'n' : ' ');
  }
  return pg_guard([&] {
    SPI_connect();
    int rc = SPI_execute_with_args(sql, static_cast<int>(args.size()), types.data(), values.data(), nulls.data(), false, 0);
    if (rc < 0) elog(ERROR, "pg_etl: bookkeeping statement failed: %s", SPI_result_code_string(rc));
    int64 id = 0;
    if (returns_id && SPI_processed == 1) {
      bool isnull;
      id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    }
    SPI_finish();
    return id;
  });
}

}  // namespace

int64_t begin_load(const std::string& target, const std::string& url, const std::string& format,
                   const std::string& options_json) {
  return run("INSERT INTO etl.loads (target, url, format, options) VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
             {text_or_null(target), text_arg(url), text_or_null(format), text_arg(redact_options(options_json))}, true);
}

void write_rejects(int64_t load_id, const std::vector<RejectRow>& rows) {
  for (const RejectRow& r : rows)
    run("INSERT INTO etl.rejects (load_id, url, line, byte_offset, column_name, raw, message, sqlstate, record, "
        "record_stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, CASE WHEN $9 IS NOT NULL THEN 'read' END)",
        {int8_arg(load_id), text_arg(r.url), int8_or_null(r.line), int8_or_null(r.byte_offset), text_or_null(r.column),
         text_or_null(r.raw), text_arg(r.message), text_arg(r.sqlstate), text_or_null(r.record)},
        false);
}

void finish_load(int64_t load_id, int64_t rows_loaded, int64_t rows_rejected, uint64_t bytes_read,
                 const std::vector<FileStats>& files, const std::string& format) {
  run("UPDATE etl.loads SET finished_at = clock_timestamp(), rows_loaded = $2, rows_rejected = $3, "
      "bytes_read = $4, files = $5, format = coalesce(format, $6) WHERE id = $1",
      {int8_arg(load_id), int8_arg(rows_loaded), int8_arg(rows_rejected), int8_arg(static_cast<int64_t>(bytes_read)),
       int8_arg(static_cast<int64_t>(files.size())), text_or_null(format)},
      false);
  for (const FileStats& f : files)
    run("INSERT INTO etl.load_files (load_id, url, size, modified, etag, bytes_read, records, checksum) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (load_id, url) DO NOTHING",
        {int8_arg(load_id), text_arg(f.entry.url), int8_or_null(f.entry.size >= 0 ? f.entry.size : static_cast<int64_t>(f.bytes_read)),
         time_or_null(f.entry.mtime), text_or_null(f.entry.etag), int8_arg(static_cast<int64_t>(f.bytes_read)),
         int8_arg(static_cast<int64_t>(f.records)), text_or_null(f.checksum)},
        false);
}

std::optional<Watermark> read_watermark(const std::string& name) {
  std::optional<Watermark> out;
  Arg a = text_arg(name);
  pg_guard([&] {
    SPI_connect();
    Oid types[1] = {TEXTOID};
    Datum values[1] = {a.value};
    int rc = SPI_execute_with_args("SELECT value, boundary::text FROM etl.watermarks WHERE name = $1 FOR UPDATE", 1, types,
                                   values, nullptr, false, 1);
    if (rc == SPI_OK_SELECT && SPI_processed == 1) {
      char* v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
      char* b = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
      Watermark w;
      w.value = v ? v : "";
      boundary_from_json(b ? b : "[]", w);
      out = std::move(w);
    }
    SPI_finish();
  });
  return out;
}

void save_watermark(const std::string& name, const std::string& cursor, const Watermark& w, int64_t load_id,
                    int64_t rows_skipped) {
  run("INSERT INTO etl.watermarks AS w (name, cursor_column, value, boundary, load_id, rows_skipped, updated_at) "
      "VALUES ($1, $2, $3, $4::jsonb, $5, $6, now()) ON CONFLICT (name) DO UPDATE SET cursor_column = EXCLUDED.cursor_column, "
      "value = EXCLUDED.value, boundary = EXCLUDED.boundary, load_id = EXCLUDED.load_id, "
      "rows_skipped = EXCLUDED.rows_skipped, updated_at = now()",
      {text_arg(name), text_arg(cursor), text_or_null(w.value), text_arg(boundary_to_json(w)), int8_arg(load_id),
       int8_arg(rows_skipped)},
      false);
}

}  // namespace pg_etl::pg
