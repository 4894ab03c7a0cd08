#pragma once
// What the readers (CSV, JSON) hand to the loader: one record at a time, its values in
// the order the caller asked for (the projection), and where it came from, so a bad
// record can be reported precisely and kept in etl.rejects.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

enum class ValueKind : uint8_t {
  kNull,
  kText,        // text as written in the file (a CSV field)
  kJsonString,  // a JSON string, already unescaped
  kJsonRaw,     // JSON text of a number, boolean, object or array
};

struct Value {
  std::string_view text;  // valid until the reader's next next()
  ValueKind kind = ValueKind::kNull;
  bool is_null() const { return kind == ValueKind::kNull; }
};

// Why a record cannot be used at all (malformed, wrong field count, bad encoding).
struct RecordProblem {
  std::string sqlstate;
  std::string message;
  int column = 0;           // 1-based position in the record, 0 when not known
  std::string column_name;  // when known
};

struct Record {
  std::vector<Value> values;  // in projection order
  std::vector<std::string_view> names;  // field names, when the reader reports every field (JSON)
  uint64_t line = 0;          // 1-based line of the file where the record starts
  uint64_t byte_offset = 0;   // offset of the record in the (decompressed) file
  std::string_view raw;       // the record as read, for rejects
  std::optional<RecordProblem> problem;
};

// How a target column finds its value in a record.
struct ColumnSource {
  std::string name;   // the target column's name
  std::string path;   // JSON path ("$.customer.id") or CSV header name; empty: use name
  int position = -1;  // 0-based field position (CSV, match by position); -1: by name
  bool rest = false;  // JSON: a jsonb object of the record's fields no other column takes
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Columns the source itself names: the CSV header (column1.. without one). Empty for
  // JSON, whose records name their own fields.
  virtual std::vector<std::string> source_columns() = 0;
  // Chooses which values next() returns, in which order. Without a call every source
  // column is returned (CSV) or the whole record as one JSON value (JSON).
  virtual void set_projection(const std::vector<ColumnSource>& columns) = 0;
  // Reads the next record; false at the end of the input.
  virtual bool next(Record& record) = 0;
  // Bytes read from the file or network so far.
  virtual uint64_t transport_bytes() const = 0;
  // 1-based position in the file's records of the field behind projected value i
  // (for messages naming file:line:column); 0 when fields have no position (JSON).
  virtual int source_position(size_t) const { return 0; }
  // Whether the first row named the columns (CSV); formats that name fields say true.
  virtual bool has_header() { return true; }
  // JSON: without a projection, report every top-level field of each object record
  // (names and values) instead of the record as one value, for schema inference.
  virtual void report_all_fields(bool) {}
};

using RecordReaderPtr = std::unique_ptr<RecordReader>;

}  // namespace pg_etl
