#include "extension/copy_batch.hpp"

namespace pg_etl::pg {
namespace {
void put32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}
void put16(std::string& out, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}
}  // namespace

void CopyBatch::clear() {
  arena_.clear();
  fields_.clear();
  rows_.clear();
}

void CopyBatch::begin_row(uint32_t file, uint64_t line, uint64_t byte_offset, std::string_view raw) {
  Row r;
  r.file = file;
  r.line = line;
  r.byte_offset = byte_offset;
  r.raw_offset = arena_.size();
  r.raw_length = raw.size();
  arena_.append(raw.data(), raw.size());
  r.first_field = fields_.size();
  rows_.push_back(r);
}

std::string& CopyBatch::field_bytes_begin() { return arena_; }

void CopyBatch::field_done(size_t start, bool deferred) {
  fields_.push_back(Field{start, static_cast<int32_t>(arena_.size() - start), deferred});
}

void CopyBatch::null_field() { fields_.push_back(Field{0, -1, false}); }

void CopyBatch::drop_row() {
  fields_.resize(rows_.back().first_field);
  arena_.resize(rows_.back().raw_offset);
  rows_.pop_back();
}

std::string_view CopyBatch::field_text(size_t row, size_t k) const {
  const Field& f = fields_[rows_[row].first_field + k];
  return std::string_view(arena_.data() + f.offset, static_cast<size_t>(f.length));
}

std::string_view CopyBatch::raw(size_t row) const {
  return std::string_view(arena_.data() + rows_[row].raw_offset, rows_[row].raw_length);
}

void CopyBatch::set_field(size_t row, size_t k, const std::string& bytes) {
  Field& f = fields_[rows_[row].first_field + k];
  f.offset = arena_.size();
  f.length = static_cast<int32_t>(bytes.size());
  f.deferred = false;
  arena_ += bytes;
}

void CopyBatch::write_tuple(size_t i, std::string& out) const {
  const Row& r = rows_[i];
  put16(out, static_cast<uint16_t>(nfields_));
  for (size_t k = 0; k < nfields_; k++) {
    const Field& f = fields_[r.first_field + k];
    put32(out, static_cast<uint32_t>(f.length));
    if (f.length > 0) out.append(arena_.data() + f.offset, static_cast<size_t>(f.length));
  }
}

void CopyBatch::write_header(std::string& out) {
  out.append("PGCOPY\n\377\r\n\0", 11);
  put32(out, 0);  // flags
  put32(out, 0);  // header extension length
}

void CopyBatch::write_trailer(std::string& out) { put16(out, 0xFFFF); }

}  // namespace pg_etl::pg
