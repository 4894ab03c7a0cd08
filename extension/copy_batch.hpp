#pragma once
// Rows on their way into COPY: encoded fields in one arena, plus where each row came
// from. Deferred fields hold text until the type's own input function converts them.
// Pure C++; the loader fills and drains it.
#include <cstdint>
#include <string>
#include <vector>

namespace pg_etl::pg {

class CopyBatch {
 public:
  struct Field {
    size_t offset = 0;
    int32_t length = -1;  // -1: NULL
    bool deferred = false;
  };
  struct Row {
    uint32_t file = 0;
    uint64_t line = 0;
    uint64_t byte_offset = 0;
    size_t raw_offset = 0, raw_length = 0;  // kept only when rejects are allowed
    size_t first_field = 0;
    bool rejected = false;
  };

  explicit CopyBatch(size_t fields_per_row) : nfields_(fields_per_row) {}

  void clear();
  size_t size() const { return rows_.size(); }
  size_t nfields() const { return nfields_; }
  size_t arena_bytes() const { return arena_.size(); }

  // Row building: begin, then exactly nfields() fields, then end (or drop).
  void begin_row(uint32_t file, uint64_t line, uint64_t byte_offset, std::string_view raw);
  std::string& field_bytes_begin();  // the arena; append the field's bytes, then call one of:
  void field_done(size_t start, bool deferred);
  void null_field();
  void drop_row();  // abandon the row being built

  Row& row(size_t i) { return rows_[i]; }
  Field& field(size_t row, size_t k) { return fields_[rows_[row].first_field + k]; }
  const Field& field(size_t row, size_t k) const { return fields_[rows_[row].first_field + k]; }
  std::string_view field_text(size_t row, size_t k) const;
  std::string_view raw(size_t row) const;
  // Replaces a deferred field's text with its converted binary form.
  void set_field(size_t row, size_t k, const std::string& bytes);

  // Appends row i in COPY BINARY tuple format.
  void write_tuple(size_t i, std::string& out) const;

  // COPY BINARY file header and trailer.
  static void write_header(std::string& out);
  static void write_trailer(std::string& out);

 private:
  size_t nfields_;
  std::string arena_;
  std::vector<Field> fields_;
  std::vector<Row> rows_;
};

}  // namespace pg_etl::pg
