#pragma once
// Records from every file a URL names (one file, or a glob), one after another, each
// file's columns mapped onto the same target columns. Keeps per-file statistics for
// etl.load's result and lineage.
#include <functional>
#include <string>
#include <vector>

#include "core/crawl_planner.hpp"
#include "core/file_entry.hpp"
#include "core/input_factory.hpp"
#include "core/read_options.hpp"
#include "core/record.hpp"

namespace pg_etl {

struct FileStats {
  FileEntry entry;             // url is redacted
  uint64_t bytes_read = 0;     // transport bytes
  uint64_t records = 0;        // records read (good and bad)
  Format format = Format::kAuto;
  std::string kind = "file";   // file, api, postgresql or mysql
  std::string checksum;        // of the bytes as stored, once the file was read to its end
  PartitionValues partition;   // from its folders, with the partition_root option
};

class RecordStream {
 public:
  // columns: what each output value is (see ColumnSource). expected_names help CSV
  // header detection.
  RecordStream(std::string url, ReadOptions options, std::vector<std::string> expected_names);
  // Reads exactly these files (a pipeline run's new files), in order; url is what
  // messages call the source.
  RecordStream(std::vector<FileEntry> files, ReadOptions options, std::vector<std::string> expected_names);

  // Opens the first non-empty file and returns the columns it offers (CSV header or the
  // first JSON record's keys), so the caller can choose its target columns. Empty when
  // there is no data at all.
  std::vector<std::string> discover_columns();
  Format first_format();
  // What etl.loads.format records: the format of files, else api, postgresql or mysql.
  std::string first_format_label();

  // Fixes the values next() returns, for every file.
  void set_columns(std::vector<ColumnSource> columns);

  bool next(Record& record);

  // Whether the first file's first row was a header (CSV).
  bool first_has_header() { return reader_ ? reader_->has_header() : true; }
  // 1-based field position of projected value i in the current file (0: not positional).
  int source_position(size_t i) const { return reader_ ? reader_->source_position(i) : 0; }

  // Index into files() of the record last returned.
  size_t current_file() const { return current_; }
  const std::vector<FileStats>& files() const { return files_; }
  uint64_t bytes_read() const;
  bool is_glob() const { return glob_; }
  // With the partition_root option: every partition key the files' folders spell, in
  // order of first appearance (files are listed up front, so all are known).
  std::vector<std::string> partition_keys() const;

 private:
  bool open_next_file();

  std::string url_;
  ReadOptions options_;
  std::vector<std::string> expected_names_;
  std::vector<FileEntry> entries_;
  std::vector<FileStats> files_;
  std::vector<ColumnSource> columns_;
  bool columns_set_ = false;
  bool glob_ = false;
  size_t next_entry_ = 0;
  size_t current_ = 0;
  RecordReaderPtr reader_;
  std::shared_ptr<Checksum> checksum_;
  bool reader_projected_ = false;
  void finish_file();
};

}  // namespace pg_etl
