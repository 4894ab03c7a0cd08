#pragma once
// How a crawl turns a folder tree of files into datasets, the way users expect (and
// Glue gets wrong): hive folders (year=2024/) are typed partition keys; other folder
// levels inside a dataset are partition_0, partition_1...; top-level folders whose
// files agree in schema are one dataset partitioned by folder, not separate tables;
// folders that disagree are datasets of their own. Every decision is explained.
#include <functional>
#include <string>
#include <vector>

#include "core/file_entry.hpp"

namespace pg_etl {

using PartitionValues = std::vector<std::pair<std::string, std::string>>;  // key -> value, outermost first

struct PlannedFile {
  FileEntry entry;
  PartitionValues partition;
};

// The partition values the folders between base (a folder URL) and a file spell:
// year=2024/ gives year = 2024; a folder without '=' at level N gives partition_N. Empty
// when the file is not under base.
PartitionValues partition_values(const std::string& base, const std::string& file_url);

struct PlannedDataset {
  std::string name;       // a SQL-friendly name
  std::string location;   // URL of the dataset's root folder
  std::vector<std::string> partition_keys;
  std::vector<PlannedFile> files;
};

struct CrawlDecision {
  std::string dataset;
  std::string decision;
  std::string reason;
};

// Groups files found under root_url. signature(files) returns a schema signature
// (e.g. sorted column names and format) of a sample of files, used to decide whether
// top-level folders are one dataset. decisions receives the reasoning.
std::vector<PlannedDataset> plan_datasets(const std::string& root_url, const std::vector<FileEntry>& files,
                                          const std::function<std::string(const std::vector<FileEntry>&)>& signature,
                                          std::vector<CrawlDecision>& decisions);

// Whether an exclude pattern drops a file, as Glue's exclude patterns do: a pattern with
// a slash matches the path relative to the crawl root ("**/_tmp/**", "logs/*.csv"); one
// without matches the file name in any folder ("_SUCCESS", "*.crc"). Braces alternate.
bool crawl_excludes(const std::string& pattern, const std::string& root_url, const std::string& file_url);

// "Sales Data 2024" -> "sales_data_2024"; never empty, never starts with a digit.
std::string sql_name(const std::string& s);

}  // namespace pg_etl
