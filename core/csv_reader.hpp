#pragma once
// RFC 4180 CSV, streamed: quoted fields with delimiters, quotes and newlines inside,
// CRLF or LF, a UTF-8 byte-order mark, comment lines, skipped leading rows, NULL
// tokens, and ragged rows reported (or padded on request) rather than guessed at.
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/encoding.hpp"
#include "core/record.hpp"
#include "core/stream_buffer.hpp"

namespace pg_etl {

enum class HeaderMode { kTrue, kFalse, kAuto };

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  char escape = '"';  // the same as quote: "" inside quotes is one quote
  HeaderMode header = HeaderMode::kAuto;
  std::vector<std::string> null_tokens{""};  // unquoted fields equal to one of these are NULL
  uint64_t skip_rows = 0;                    // lines skipped before the header
  char comment = 0;                          // lines starting with it are skipped; 0: none
  Encoding encoding = Encoding::kUtf8;
  bool allow_ragged = false;  // pad short rows with NULL and drop extra fields
  // Target column names, if known: header=auto takes a first row naming them as a header.
  std::vector<std::string> expected_columns;
  size_t window_bytes = 1 << 20;  // initial read window; grows for larger records
};

class CsvReader final : public RecordReader {
 public:
  CsvReader(ByteSourcePtr source, CsvOptions options, std::string url);

  std::vector<std::string> source_columns() override;
  void set_projection(const std::vector<ColumnSource>& columns) override;
  bool next(Record& record) override;
  uint64_t transport_bytes() const override { return source_->transport_bytes(); }

  bool has_header() override;  // after open: whether the first row was taken as the header
  int source_position(size_t i) const override {
    return projected_ && i < projection_.size() && projection_[i] >= 0 ? projection_[i] + 1 : static_cast<int>(i) + 1;
  }

 private:
  struct Span {
    size_t offset;  // in the window, or in scratch_ when in_scratch
    size_t length;
    bool in_scratch;
    bool quoted;
  };
  enum class Parse { kRecord, kNeedMore, kEnd };

  void open();
  Parse parse_record(size_t pos, size_t& end, size_t& content_end, uint64_t& newlines);
  bool read_raw();  // next non-comment, non-blank record into spans_; false at end
  std::string_view span_text(const Span& s) const;
  void fill_values(Record& record);

  ByteSourcePtr source_;
  CsvOptions opt_;
  std::string url_;
  StreamBuffer buf_;
  bool opened_ = false;
  bool header_ = false;
  std::vector<std::string> header_names_;
  size_t expected_fields_ = 0;
  std::vector<int> projection_;  // source field per output value; -1: NULL
  bool projected_ = false;

  // current raw record
  size_t pos_ = 0;  // start of the next record in the window
  std::vector<Span> spans_;
  std::string scratch_;
  size_t rec_start_ = 0, rec_end_ = 0;
  uint64_t rec_line_ = 0, rec_offset_ = 0;
  uint64_t line_ = 1;
  bool pending_ = false;  // a record read during open() not yet returned
  static constexpr size_t kNoFloor = static_cast<size_t>(-1);
  size_t keep_floor_ = kNoFloor;  // window offset refills must keep (header look-ahead)
  std::optional<RecordProblem> rec_problem_;
  bool special_[256] = {};
};

// Decides whether row1 is a header: it names expected columns, or it is all non-empty
// text while row2 (if any) has a number, date or boolean where row1 has text.
bool looks_like_header(const std::vector<std::string>& row1, const std::vector<std::string>* row2,
                       const std::vector<std::string>& expected_columns);

}  // namespace pg_etl
