#include "core/csv_reader.hpp"

#include <cstring>

#include "core/column_match.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/value_shape.hpp"

namespace pg_etl {

CsvReader::CsvReader(ByteSourcePtr source, CsvOptions options, std::string url)
    : source_(open_transcoded(std::move(source), options.encoding)), opt_(std::move(options)), url_(std::move(url)),
      buf_(*source_, opt_.window_bytes) {
  if (opt_.delimiter == opt_.quote)
    throw Error(sqlstate::kInvalidParameterValue, "CSV delimiter and quote must differ");
  if (opt_.delimiter == '\n' || opt_.delimiter == '\r' || opt_.quote == '\n' || opt_.quote == '\r')
    throw Error(sqlstate::kInvalidParameterValue, "CSV delimiter and quote cannot be newline characters");
  special_[static_cast<unsigned char>(opt_.delimiter)] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('\r')] = true;
}

std::string_view CsvReader::span_text(const Span& s) const {
  return s.in_scratch ? std::string_view(scratch_.data() + s.offset, s.length)
                      : std::string_view(buf_.data() + s.offset, s.length);
}

// Parses one record starting at pos. On kRecord, end is just past the terminator and
// content_end just before it. kNeedMore: the window ends inside the record.
CsvReader::Parse CsvReader::parse_record(size_t pos, size_t& end, size_t& content_end, uint64_t& newlines) {
  const char* b = buf_.data();
  const size_t n = buf_.size();
  const bool eof = buf_.eof();
  const char q = opt_.quote, esc = opt_.escape, delim = opt_.delimiter;
  spans_.clear();
  scratch_.clear();
  newlines = 0;
  size_t p = pos;
  if (p >= n) return eof ? Parse::kEnd : Parse::kNeedMore;

  for (;;) {
    if (p < n && b[p] == q) {  // quoted field
      size_t seg = ++p;
      const size_t scratch_start = scratch_.size();
      bool copied = false;
      for (;;) {
        size_t k = seg;
        if (esc == q) {
          const void* hit = std::memchr(b + k, q, n - k);
          k = hit ? static_cast<size_t>(static_cast<const char*>(hit) - b) : n;
        } else {
          while (k < n && b[k] != q && b[k] != esc) k++;
        }
        // A quote or escape at the window's end needs the next byte to be understood.
        if (k + 1 >= n && !eof) return Parse::kNeedMore;
        if (k >= n || (b[k] == esc && esc != q && k + 1 >= n)) {
          rec_problem_ = RecordProblem{sqlstate::kBadCopyFileFormat, "unterminated quoted field",
                                       static_cast<int>(spans_.size() + 1), {}};
          if (copied) scratch_.append(b + seg, n - seg);
          spans_.push_back(copied ? Span{scratch_start, scratch_.size() - scratch_start, true, true}
                                  : Span{seg, n - seg, false, true});
          end = content_end = n;
          return Parse::kRecord;
        }
        if (b[k] == esc && esc != q) {  // escaped character
          scratch_.append(b + seg, k - seg);
          scratch_.push_back(b[k + 1]);
          copied = true;
          seg = k + 2;
          continue;
        }
        if (esc == q && k + 1 < n && b[k + 1] == q) {  // doubled quote
          scratch_.append(b + seg, k + 1 - seg);
          copied = true;
          seg = k + 2;
          continue;
        }
        // closing quote
        if (copied) scratch_.append(b + seg, k - seg);
        Span s = copied ? Span{scratch_start, scratch_.size() - scratch_start, true, true}
                        : Span{seg, k - seg, false, true};
        p = k + 1;
        // Text after the closing quote (a"b"c) is kept, as COPY does, rather than lost.
        if (p < n && !special_[static_cast<unsigned char>(b[p])]) {
          size_t t = p;
          while (t < n && !special_[static_cast<unsigned char>(b[t])]) t++;
          if (t >= n && !eof) return Parse::kNeedMore;
          if (!s.in_scratch) scratch_.append(b + s.offset, s.length);
          scratch_.append(b + p, t - p);
          s = Span{scratch_start, scratch_.size() - scratch_start, true, true};
          p = t;
        }
        spans_.push_back(s);
        break;
      }
    } else {  // unquoted field
      size_t start = p;
      while (p < n && !special_[static_cast<unsigned char>(b[p])]) p++;
      if (p >= n && !eof) return Parse::kNeedMore;
      spans_.push_back(Span{start, p - start, false, false});
    }
    if (p >= n) {  // end of file ends the record
      end = content_end = n;
      break;
    }
    const char c = b[p];
    if (c == delim) {
      p++;
      if (p >= n) {
        if (!eof) return Parse::kNeedMore;
        spans_.push_back(Span{p, 0, false, false});
        end = content_end = n;
        break;
      }
      continue;
    }
    content_end = p;
    if (c == '\n') {
      end = p + 1;
      break;
    }
    // '\r': CRLF, or a lone CR as old Mac files end lines
    if (p + 1 >= n && !eof) return Parse::kNeedMore;
    end = (p + 1 < n && b[p + 1] == '\n') ? p + 2 : p + 1;
    break;
  }
  // Newlines inside quoted fields advance the line count.
  for (const Span& s : spans_)
    if (s.quoted)
      for (char ch : span_text(s)) newlines += (ch == '\n');
  return Parse::kRecord;
}

bool CsvReader::read_raw() {
  for (;;) {
    size_t end = 0, content_end = 0;
    uint64_t newlines = 0;
    rec_problem_.reset();
    Parse r = parse_record(pos_, end, content_end, newlines);
    if (r == Parse::kNeedMore) {
      // Keep the current record (and a record pinned by header detection) in the window.
      const size_t keep = std::min(pos_, keep_floor_);
      buf_.refill(keep);
      pos_ -= keep;
      if (keep_floor_ != kNoFloor) keep_floor_ -= keep;
      continue;
    }
    if (r == Parse::kEnd) return false;
    rec_start_ = pos_;
    rec_end_ = content_end;
    rec_line_ = line_;
    rec_offset_ = buf_.base_offset() + pos_;
    line_ += 1 + newlines;
    pos_ = end;
    // blank lines and comment lines are not records
    if (spans_.size() == 1 && rec_end_ == rec_start_) continue;
    if (opt_.comment && buf_.data()[rec_start_] == opt_.comment) continue;
    if (!rec_problem_ && opt_.encoding == Encoding::kUtf8) {
      size_t bad = find_invalid_utf8(buf_.data() + rec_start_, rec_end_ - rec_start_);
      if (bad < rec_end_ - rec_start_) {
        size_t at = rec_start_ + bad;
        int col = 1;
        for (size_t k = 0; k < spans_.size(); k++)
          if (!spans_[k].in_scratch && spans_[k].offset <= at) col = static_cast<int>(k) + 1;
        rec_problem_ = RecordProblem{sqlstate::kCharacterNotInRepertoire,
                                     "invalid byte sequence for encoding \"UTF8\": " +
                                         describe_bytes(buf_.data() + at, rec_end_ - at),
                                     col, {}};
      }
    }
    return true;
  }
}

void CsvReader::open() {
  if (opened_) return;
  opened_ = true;
  buf_.refill(0);
  // UTF-8 byte-order mark
  if (buf_.size() >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  for (uint64_t i = 0; i < opt_.skip_rows; i++) {
    // skip physical lines, not records: a preamble need not be valid CSV
    for (;;) {
      const void* nl = std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_);
      if (nl) {
        pos_ = static_cast<const char*>(nl) - buf_.data() + 1;
        line_++;
        break;
      }
      size_t keep = buf_.size();
      pos_ = 0;
      if (!buf_.refill(keep)) break;
    }
  }
  if (!read_raw()) return;  // empty file: no header, no rows
  std::vector<std::string> first;
  for (const Span& s : spans_) first.emplace_back(span_text(s));
  bool is_header = opt_.header == HeaderMode::kTrue;
  if (opt_.header == HeaderMode::kAuto) {
    // Peek at the second record, keeping the first one in the window to rewind to it.
    const uint64_t first_line = rec_line_;
    keep_floor_ = rec_start_;
    std::vector<std::string> second;
    const bool have_second = read_raw();
    if (have_second)
      for (const Span& s : spans_) second.emplace_back(span_text(s));
    const size_t first_start = keep_floor_;
    keep_floor_ = kNoFloor;
    is_header = looks_like_header(first, have_second ? &second : nullptr, opt_.expected_columns);
    if (!is_header) {
      pos_ = first_start;
      line_ = first_line;
      read_raw();
      pending_ = true;
    } else if (have_second) {
      pending_ = true;
    }
  }
  if (is_header) {
    header_ = true;
    header_names_ = first;
    expected_fields_ = first.size();
  } else {
    pending_ = true;
    expected_fields_ = spans_.size();
    for (size_t i = 0; i < first.size(); i++) header_names_.push_back("column" + std::to_string(i + 1));
  }
}

bool CsvReader::has_header() {
  open();
  return header_;
}

std::vector<std::string> CsvReader::source_columns() {
  open();
  return header_names_;
}

void CsvReader::set_projection(const std::vector<ColumnSource>& columns) {
  open();
  projection_ = resolve_csv_projection(header_names_, header_, columns, url_);
  projected_ = true;
}

void CsvReader::fill_values(Record& record) {
  record.values.clear();
  const size_t nfields = spans_.size();
  auto value_of = [&](size_t i) {
    const Span& s = spans_[i];
    std::string_view t = span_text(s);
    if (!s.quoted)
      for (const std::string& tok : opt_.null_tokens)
        if (t == tok) return Value{{}, ValueKind::kNull};
    return Value{t, ValueKind::kText};
  };
  if (!projected_) {
    for (size_t i = 0; i < nfields; i++) record.values.push_back(value_of(i));
    return;
  }
  for (int idx : projection_) {
    if (idx < 0 || static_cast<size_t>(idx) >= nfields)
      record.values.push_back(Value{{}, ValueKind::kNull});
    else
      record.values.push_back(value_of(static_cast<size_t>(idx)));
  }
}

bool CsvReader::next(Record& record) {
  open();
  if (pending_) {
    pending_ = false;
  } else if (!read_raw()) {
    return false;
  }
  record.line = rec_line_;
  record.byte_offset = rec_offset_;
  record.raw = std::string_view(buf_.data() + rec_start_, rec_end_ - rec_start_);
  record.problem = rec_problem_;
  if (!record.problem && spans_.size() != expected_fields_ && !opt_.allow_ragged) {
    record.problem = RecordProblem{sqlstate::kBadCopyFileFormat,
                                   (spans_.size() < expected_fields_ ? "missing data: expected " : "extra data: expected ") +
                                       std::to_string(expected_fields_) + " fields, found " + std::to_string(spans_.size()),
                                   static_cast<int>(std::min(spans_.size(), expected_fields_) + (spans_.size() < expected_fields_ ? 0 : 1)),
                                   {}};
  }
  if (record.problem) {
    record.values.clear();
    return true;
  }
  fill_values(record);
  return true;
}

bool looks_like_header(const std::vector<std::string>& row1, const std::vector<std::string>* row2,
                       const std::vector<std::string>& expected_columns) {
  if (row1.empty()) return false;
  if (!expected_columns.empty()) {
    size_t named = 0;
    for (const std::string& f : row1)
      for (const std::string& c : expected_columns)
        if (names_match(f, c)) { named++; break; }
    if (named > 0) return true;
  }
  for (const std::string& f : row1)
    if (f.empty() || value_shape(f) != ValueShape::kText) return false;
  if (!row2) return expected_columns.empty();
  if (row2->size() != row1.size()) return true;
  for (const std::string& f : *row2)
    if (!f.empty() && value_shape(f) != ValueShape::kText) return true;
  // All text in both rows: a header usually has no repeated names and differs from data.
  return expected_columns.empty();
}

}  // namespace pg_etl
