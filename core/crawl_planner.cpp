#include "core/crawl_planner.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/glob.hpp"

namespace pg_etl {
namespace {

std::vector<std::string> split_path(const std::string& rel) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    std::string p = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!p.empty()) parts.push_back(p);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool is_hive(const std::string& dir) {
  const size_t eq = dir.find('=');
  return eq != std::string::npos && eq > 0 && eq + 1 < dir.size();
}

std::string last_segment(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  const size_t slash = url.find_last_of('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

std::string strip_extensions(std::string name) {
  const size_t dot = name.find('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace

PartitionValues partition_values(const std::string& base_url, const std::string& file_url) {
  std::string base = base_url;
  if (!base.empty() && base.back() != '/') base += '/';
  PartitionValues out;
  if (file_url.compare(0, base.size(), base) != 0) return out;
  const auto parts = split_path(file_url.substr(base.size()));
  for (size_t level = 0; level + 1 < parts.size(); level++) {
    const std::string& dir = parts[level];
    if (is_hive(dir)) out.emplace_back(dir.substr(0, dir.find('=')), dir.substr(dir.find('=') + 1));
    else out.emplace_back("partition_" + std::to_string(level), dir);
  }
  return out;
}

bool crawl_excludes(const std::string& pattern, const std::string& root_url, const std::string& file_url) {
  std::string root = root_url;
  if (!root.empty() && root.back() != '/') root += '/';
  const std::string rel = file_url.compare(0, root.size(), root) == 0 ? file_url.substr(root.size()) : last_segment(file_url);
  const bool whole_path = pattern.find('/') != std::string::npos;
  for (const std::string& p : expand_braces(pattern)) {
    if (whole_path ? glob_match(p, rel) : glob_match(p, last_segment(rel))) return true;
    // "**/x" also matches x at the top level
    if (whole_path && p.compare(0, 3, "**/") == 0 && glob_match(p.substr(3), rel)) return true;
  }
  return false;
}

std::string sql_name(const std::string& s) {
  std::string out;
  bool underscore = false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
      underscore = false;
    } else if (!underscore && !out.empty()) {
      out += '_';
      underscore = true;
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) out = "dataset";
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "d_" + out;
  return out.substr(0, 63);
}

std::vector<PlannedDataset> plan_datasets(const std::string& root_url, const std::vector<FileEntry>& files,
                                          const std::function<std::string(const std::vector<FileEntry>&)>& signature,
                                          std::vector<CrawlDecision>& decisions) {
  std::string root = root_url;
  if (!root.empty() && root.back() != '/') root += '/';
  const std::string root_name = sql_name(last_segment(root_url));
  // Files at the root itself, and files under each top-level folder.
  std::vector<FileEntry> at_root;
  std::map<std::string, std::vector<FileEntry>> by_top;
  for (const FileEntry& f : files) {
    const std::string rel = f.url.compare(0, root.size(), root) == 0 ? f.url.substr(root.size()) : last_segment(f.url);
    const auto parts = split_path(rel);
    if (parts.size() <= 1) at_root.push_back(f);
    else by_top[parts[0]].push_back(f);
  }
  // Top-level folders: hive folders are partitions of the root dataset; others are
  // grouped by schema signature.
  bool all_hive = !by_top.empty();
  for (const auto& [dir, fs] : by_top) all_hive = all_hive && is_hive(dir);
  std::map<std::string, std::vector<std::string>> dirs_by_signature;
  if (!all_hive)
    for (const auto& [dir, fs] : by_top) dirs_by_signature[signature(fs)].push_back(dir);

  std::vector<PlannedDataset> out;
  // Builds a dataset from files below `base` (a folder URL ending in '/'); the folder
  // levels between base and each file become partitions.
  auto build = [&](const std::string& name, const std::string& base, const std::vector<FileEntry>& fs) {
    PlannedDataset d;
    d.name = name;
    d.location = base;
    for (const FileEntry& f : fs) {
      PlannedFile pf{f, partition_values(base, f.url)};
      for (const auto& [k, v] : pf.partition)
        if (std::find(d.partition_keys.begin(), d.partition_keys.end(), k) == d.partition_keys.end()) d.partition_keys.push_back(k);
      d.files.push_back(std::move(pf));
    }
    out.push_back(std::move(d));
  };

  if (by_top.empty()) {
    if (!at_root.empty()) {
      build(root_name, root, at_root);
      decisions.push_back({root_name, "dataset of the files in " + root, "no sub-folders"});
    }
    return out;
  }
  if (at_root.empty() && by_top.size() == 1 && !all_hive) {
    // The root only holds one folder (s3://bucket/lake/sales/...): the folder is the dataset.
    const std::string& dir = by_top.begin()->first;
    build(sql_name(dir), root + dir + "/", by_top.begin()->second);
    decisions.push_back({sql_name(dir), "dataset of folder " + dir, "the only folder under " + root});
    return out;
  }
  if (all_hive || dirs_by_signature.size() == 1) {
    std::vector<FileEntry> fs = at_root;
    for (const auto& [dir, dfs] : by_top) fs.insert(fs.end(), dfs.begin(), dfs.end());
    build(root_name, root, fs);
    decisions.push_back({root_name, "one dataset partitioned by folder",
                         all_hive ? "the top-level folders are hive partitions (key=value)"
                                  : std::to_string(by_top.size()) + " top-level folders whose files agree in schema"});
    return out;
  }
  // Folders that disagree are datasets of their own; folders that agree stay together.
  for (const auto& [sig, dirs] : dirs_by_signature) {
    std::vector<FileEntry> fs;
    for (const std::string& dir : dirs) fs.insert(fs.end(), by_top[dir].begin(), by_top[dir].end());
    if (dirs.size() == 1) {
      const std::string name = sql_name(dirs[0]);
      const std::string base = root + dirs[0] + "/";
      build(name, base, fs);
      decisions.push_back({name, "dataset of folder " + dirs[0], "its files' schema differs from the other folders'"});
    } else {
      std::string name = sql_name(dirs[0]) + "_group";
      build(name, root, fs);
      std::string list;
      for (const auto& d : dirs) list += (list.empty() ? "" : ", ") + d;
      decisions.push_back({name, "one dataset of folders " + list, "these folders agree in schema; others differ"});
    }
  }
  if (!at_root.empty()) {
    std::map<std::string, std::vector<FileEntry>> by_stem;  // loose files: one dataset per file name stem
    for (const FileEntry& f : at_root) by_stem[sql_name(strip_extensions(last_segment(f.url)))].push_back(f);
    for (const auto& [stem, fs] : by_stem) {
      build(stem, root, fs);
      decisions.push_back({stem, "dataset of file(s) " + stem + " at the top level", "files beside folders of other schemas"});
    }
  }
  std::sort(out.begin(), out.end(), [](const PlannedDataset& a, const PlannedDataset& b) { return a.name < b.name; });
  return out;
}

}  // namespace pg_etl
