#pragma once
// JSON records, streamed: a top-level array of objects, NDJSON (one document per
// line), concatenated documents, or the array found at records_path in a larger
// document ("$.data.items[*]"). Record boundaries are found by a small scanner that
// never holds more than one record; each record is then parsed with simdjson On-Demand.
// Numbers keep their exact text (money stays exact); nested objects and arrays come
// out as JSON text for jsonb columns; fields map to columns by name or by path.
#include <memory>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/json_path.hpp"
#include "core/record.hpp"
#include "core/stream_buffer.hpp"

namespace pg_etl {

struct JsonOptions {
  std::string records_path;  // empty: the document's top level
  bool lines = false;        // NDJSON, one record per line (auto-detected when false)
  size_t window_bytes = 1 << 20;  // initial read window; grows for larger records
};

class JsonReader final : public RecordReader {
 public:
  JsonReader(ByteSourcePtr source, JsonOptions options, std::string url);
  ~JsonReader() override;

  // The top-level keys of the first record (which is not consumed).
  std::vector<std::string> source_columns() override;
  void set_projection(const std::vector<ColumnSource>& columns) override;
  bool next(Record& record) override;
  // Without a projection, report every top-level field of each object record (names
  // and values) instead of the record as one JSON value: what schema inference needs.
  void report_all_fields(bool on) override { all_fields_ = on; }
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

 private:
  enum class Layout { kLines, kArray, kConcat, kSingle, kDone };
  struct Impl;

  void open();
  bool next_span(uint64_t& start, uint64_t& end);  // absolute offsets of the next record
  int byte_at(uint64_t abs);                       // -1 at end of input
  uint64_t skip_ws(uint64_t abs);
  uint64_t scan_value(uint64_t abs);               // end of the value starting at abs
  std::string read_key(uint64_t& abs);
  void navigate();
  void count_lines_to(uint64_t abs);
  [[noreturn]] void malformed(uint64_t abs, const std::string& why);

  ByteSourcePtr source_;
  JsonOptions opt_;
  std::string url_;
  StreamBuffer buf_;
  std::unique_ptr<Impl> impl_;
  bool opened_ = false;
  Layout layout_ = Layout::kDone;
  uint64_t pos_ = 0;          // absolute offset where scanning continues
  uint64_t keep_ = 0;         // absolute offset refills must keep
  uint64_t line_ = 1;         // line number at counted_to_
  uint64_t counted_to_ = 0;
  bool first_element_ = true;
  bool all_fields_ = false;
};

}  // namespace pg_etl
