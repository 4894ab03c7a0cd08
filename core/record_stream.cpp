#include "core/record_stream.hpp"

#include <algorithm>

#include "core/glob.hpp"
#include "core/transport.hpp"
#include "core/url.hpp"

namespace pg_etl {

RecordStream::RecordStream(std::string url, ReadOptions options, std::vector<std::string> expected_names)
    : url_(std::move(url)), options_(std::move(options)), expected_names_(std::move(expected_names)) {
  glob_ = has_glob(url_glob_part(url_));
  if (glob_) {
    entries_ = list_files(url_, options_.transport);
  } else {
    // One file: no listing round trip; its size is learnt while reading.
    entries_.push_back(FileEntry{redact_url(url_), -1, -1, {}, url_});
  }
}

RecordStream::RecordStream(std::vector<FileEntry> files, ReadOptions options, std::vector<std::string> expected_names)
    : options_(std::move(options)), expected_names_(std::move(expected_names)), entries_(std::move(files)) {
  glob_ = true;  // a set of files, possibly empty
}

// Records what is known of the current file once it has been read.
void RecordStream::finish_file() {
  if (!reader_) return;
  files_.back().bytes_read = reader_->transport_bytes();
  if (checksum_) files_.back().checksum = checksum_->hex();  // none for API reads
  reader_.reset();
}

bool RecordStream::open_next_file() {
  finish_file();
  if (next_entry_ >= entries_.size()) return false;
  const FileEntry& e = entries_[next_entry_++];
  OpenedInput in = open_input(e.open_url(), options_, expected_names_);
  files_.push_back(FileStats{e, 0, 0, in.format, in.kind, {}, {}});
  if (!options_.partition_root.empty()) files_.back().partition = partition_values(redact_url(options_.partition_root), e.url);
  checksum_ = in.checksum;
  files_.back().entry.fetch_url.clear();
  current_ = files_.size() - 1;
  reader_ = std::move(in.reader);
  reader_projected_ = false;
  return true;
}

std::vector<std::string> RecordStream::discover_columns() {
  if (!reader_ && !open_next_file()) return {};
  // An empty CSV file has no header: the next file decides. (JSON records name their
  // own fields, so a JSON file always decides, even with no keys to offer.)
  while (files_.back().format == Format::kCsv && reader_->source_columns().empty()) {
    if (!open_next_file()) return {};
  }
  return reader_->source_columns();
}

Format RecordStream::first_format() { return files_.empty() ? Format::kAuto : files_.front().format; }

std::string RecordStream::first_format_label() {
  if (!files_.empty() && files_.front().kind != "file") return files_.front().kind;
  return format_name(first_format());
}

void RecordStream::set_columns(std::vector<ColumnSource> columns) {
  columns_ = std::move(columns);
  columns_set_ = true;
}

bool RecordStream::next(Record& record) {
  for (;;) {
    if (!reader_ && !open_next_file()) return false;
    if (!reader_projected_ && columns_set_) {
      reader_->set_projection(columns_);
      reader_projected_ = true;
    }
    if (reader_->next(record)) {
      files_[current_].records++;
      return true;
    }
    finish_file();
  }
}

std::vector<std::string> RecordStream::partition_keys() const {
  std::vector<std::string> keys;
  if (options_.partition_root.empty()) return keys;
  const std::string root = redact_url(options_.partition_root);
  for (const FileEntry& e : entries_)
    for (const auto& kv : partition_values(root, e.url))
      if (std::find(keys.begin(), keys.end(), kv.first) == keys.end()) keys.push_back(kv.first);
  return keys;
}

uint64_t RecordStream::bytes_read() const {
  uint64_t total = 0;
  for (const FileStats& f : files_) total += f.bytes_read;
  if (reader_) total += reader_->transport_bytes() - files_.back().bytes_read;
  return total;
}

}  // namespace pg_etl
