// etl._crawl_plan(url, options, exclude text[], known text[]) -> jsonb: what a crawl
// found. Lists the location, drops excluded files, groups the files into datasets
// (core/crawl_planner.hpp), infers each dataset's schema from its new or changed files
// only (known: the files the last crawl saw, with size, modified time and ETag), and
// types partition keys from their values. The catalog bookkeeping is SQL (etl.crawl).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/crawl_planner.hpp"
#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/schema_inference.hpp"
#include "core/transport.hpp"
#include "core/url.hpp"
#include "core/value_encoder.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace {

using namespace pg_etl;

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(s, out);
  return out;
}

// A changed file carries the columns inference found in it (columns are "deprecated"
// only when no file of the dataset has them any more).
std::string file_json(const FileEntry& f, bool changed, const std::vector<std::string>* columns) {
  std::string j = "{\"url\": " + quoted(f.url) + ", \"size\": " + std::to_string(f.size) + ", \"modified\": " + std::to_string(f.mtime) +
                  ", \"etag\": " + quoted(f.etag) + ", \"changed\": " + (changed ? "true" : "false");
  if (columns) {
    j += ", \"columns\": [";
    for (size_t i = 0; i < columns->size(); i++) j += (i ? ", " : "") + quoted((*columns)[i]);
    j += "]";
  }
  return j + "}";
}

// Signature of a folder for grouping: format and sorted column names of one file.
std::string folder_signature(const std::vector<FileEntry>& files, const ReadOptions& options) {
  ReadOptions o = options;
  o.sample_rows = 50;
  try {
    InferredSchema s = infer_schema_of({files.front().open_url()}, o);
    std::set<std::string> names;
    for (const auto& c : s.columns) names.insert(c.name);
    std::string sig = format_name(s.format);
    for (const auto& n : names) sig += "|" + n;
    return sig;
  } catch (const Error&) {
    return "unreadable:" + files.front().url;  // its own dataset; the crawl log says why later
  }
}

}  // namespace

PG_ETL_FUNCTION(pg_etl_crawl_plan) {
  using namespace pg_etl;
  const pg::SourceArgs args = pg::source_args(fcinfo, 0, 1);
  const std::vector<std::string> exclude = pg::text_array_arg(fcinfo, 2);
  // known files: "url|size|modified|etag|dataset" strings, as SQL passes them
  const std::vector<std::string> known_list = pg::text_array_arg(fcinfo, 3);
  const std::set<std::string> known(known_list.begin(), known_list.end());

  // A location without glob characters is a folder to walk.
  std::string root = args.url;
  std::string pattern = args.url;
  if (!has_glob(url_glob_part(root))) {
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    pattern = root + "/**";
  } else {
    root = glob_base_dir(url_glob_part(root));
  }
  const std::string shown_root = redact_url(root);
  std::vector<FileEntry> files;
  for (FileEntry& f : list_files(pattern, args.options.transport)) {
    bool skip = false;
    for (const std::string& x : exclude) skip = skip || crawl_excludes(x, shown_root, f.url);
    if (!skip) files.push_back(std::move(f));
  }
  std::vector<CrawlDecision> decisions;
  for (const std::string& x : exclude) decisions.push_back({"", "exclude " + x, "option exclude"});
  auto datasets = plan_datasets(shown_root, files, [&](const std::vector<FileEntry>& fs) { return folder_signature(fs, args.options); },
                                decisions);

  std::string j = "{\"root\": " + quoted(shown_root) + ", \"files\": " + std::to_string(files.size()) + ", \"decisions\": [";
  for (size_t i = 0; i < decisions.size(); i++)
    j += std::string(i ? ", " : "") + "{\"dataset\": " + quoted(decisions[i].dataset) + ", \"decision\": " + quoted(decisions[i].decision) +
         ", \"reason\": " + quoted(decisions[i].reason) + "}";
  j += "], \"datasets\": [";
  for (size_t di = 0; di < datasets.size(); di++) {
    const PlannedDataset& d = datasets[di];
    std::vector<std::string> changed_urls;
    std::string files_json;
    // partitions: values -> (files, bytes, last modified)
    struct Part { int files = 0; int64_t bytes = 0; int64_t modified = -1; std::string location; };
    std::map<std::vector<std::string>, Part> parts;
    InferenceOptions iopt;
    std::vector<ColumnInferrer> key_types(d.partition_keys.size(), ColumnInferrer(&iopt));
    // Only new or changed files are read: their schema is what the crawl compares.
    std::vector<bool> changed(d.files.size());
    for (size_t i = 0; i < d.files.size(); i++) {
      const FileEntry& f = d.files[i].entry;
      changed[i] = !known.count(f.url + "|" + std::to_string(f.size) + "|" + std::to_string(f.mtime) + "|" + f.etag + "|" + d.name);
      if (changed[i]) changed_urls.push_back(f.open_url());
    }
    std::optional<InferredSchema> schema;
    if (!changed_urls.empty()) schema = infer_schema_of(changed_urls, args.options);
    size_t nth_changed = 0;
    for (size_t i = 0; i < d.files.size(); i++) {
      const PlannedFile& pf = d.files[i];
      const FileEntry& f = pf.entry;
      files_json += (files_json.empty() ? "" : ", ") + file_json(f, changed[i], changed[i] ? &schema->file_columns[nth_changed++] : nullptr);
      std::vector<std::string> values;
      std::string location = d.location;
      for (size_t k = 0; k < d.partition_keys.size(); k++) {
        std::string v;
        for (const auto& [pk, pv] : pf.partition)
          if (pk == d.partition_keys[k]) v = pv;
        values.push_back(v);
        if (!v.empty()) key_types[k].add(Value{values.back(), ValueKind::kText});
        location += (d.partition_keys[k].rfind("partition_", 0) == 0 ? v : d.partition_keys[k] + "=" + v) + "/";
      }
      Part& p = parts[values];
      p.files++;
      p.bytes += std::max<int64_t>(0, f.size);
      p.modified = std::max(p.modified, f.mtime);
      p.location = location;
    }
    j += std::string(di ? ", " : "") + "{\"name\": " + quoted(d.name) + ", \"location\": " + quoted(d.location) + ", \"partition_keys\": [";
    for (size_t k = 0; k < d.partition_keys.size(); k++) {
      const InferredColumn c = key_types[k].finish(d.partition_keys[k]);
      const bool integer = c.type == InferredType::kInteger || c.type == InferredType::kBigint;
      j += std::string(k ? ", " : "") + "{\"name\": " + quoted(d.partition_keys[k]) + ", \"type\": \"" + (integer ? sql_type_name(c.type) : "text") + "\"}";
    }
    j += "], \"partitions\": [";
    bool first = true;
    for (const auto& [values, p] : parts) {
      j += std::string(first ? "" : ", ") + "{\"values\": {";
      for (size_t k = 0; k < values.size(); k++) j += std::string(k ? ", " : "") + quoted(d.partition_keys[k]) + ": " + quoted(values[k]);
      j += "}, \"location\": " + quoted(p.location) + ", \"files\": " + std::to_string(p.files) + ", \"bytes\": " + std::to_string(p.bytes) +
           ", \"modified\": " + std::to_string(p.modified) + "}";
      first = false;
    }
    j += "], \"files\": [" + files_json + "], \"schema\": ";
    j += schema ? schema->json() : "null";
    j += "}";
  }
  j += "]}";
  return pg::jsonb_datum(j);
}
