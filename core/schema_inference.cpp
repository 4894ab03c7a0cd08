#include "core/schema_inference.hpp"

#include <map>

#include "core/glob.hpp"
#include "core/input_factory.hpp"
#include "core/interrupts.hpp"
#include "core/json_reader.hpp"
#include "core/transport.hpp"
#include "core/url.hpp"
#include "core/value_encoder.hpp"

namespace pg_etl {
namespace {

struct Columns {
  std::vector<std::string> order;
  std::map<std::string, ColumnInferrer> by_name;
  ColumnInferrer& get(const std::string& name, const InferenceOptions* o) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      order.push_back(name);
      it = by_name.emplace(name, ColumnInferrer(o)).first;
    }
    return it->second;
  }
};

}  // namespace

InferredSchema infer_schema_of(const std::vector<std::string>& urls, const ReadOptions& options) {
  InferenceOptions iopt;
  iopt.date_order = options.date_order;
  if (!(options.csv.null_tokens.size() == 1 && options.csv.null_tokens[0].empty())) iopt.null_tokens = options.csv.null_tokens;
  InferredSchema out;
  Columns all;
  for (const std::string& url : urls) {
    OpenedInput in = open_input(url, options, {});
    if (out.files == 0) {
      out.format = in.format;
      out.dialect = in.dialect;
      out.header = in.reader->has_header();
    }
    out.files++;
    if (in.format != Format::kCsv) in.reader->report_all_fields(true);
    const std::vector<std::string> header = in.reader->source_columns();
    Columns file;
    // CSV: each header column's inferrer, looked up once, when the first record reaches it
    // (a file without records adds no columns)
    std::vector<ColumnInferrer*> by_position(header.size(), nullptr);
    Record rec;
    int64_t n = 0;
    while ((options.sample_rows < 0 || n < options.sample_rows) && in.reader->next(rec)) {
      if ((++n & 4095) == 0) check_interrupts();
      if (rec.problem) continue;
      out.records++;
      if (in.format == Format::kCsv) {
        for (size_t i = 0; i < rec.values.size() && i < header.size(); i++) {
          if (!by_position[i]) by_position[i] = &file.get(header[i], &iopt);
          by_position[i]->add(rec.values[i]);
        }
      } else {
        for (size_t i = 0; i < rec.values.size(); i++) file.get(std::string(rec.names[i]), &iopt).add(rec.values[i]);
        // Fields this record lacks count as NULL.
        if (rec.values.size() < file.order.size())
          for (const std::string& name : file.order) {
            bool seen = false;
            for (auto k : rec.names) seen = seen || k == name;
            if (!seen) file.by_name.at(name).add_missing();
          }
      }
    }
    for (const std::string& name : file.order) all.get(name, &iopt).merge(file.by_name.at(name));
    // a CSV header names columns even when no record was sampled
    out.file_columns.push_back(in.format == Format::kCsv && file.order.empty() ? header : file.order);
  }
  for (const std::string& name : all.order) out.columns.push_back(all.by_name.at(name).finish(name));
  return out;
}

InferredSchema infer_schema(const std::string& url, const ReadOptions& options) {
  std::vector<std::string> urls;
  if (has_glob(url_glob_part(url))) {
    for (const FileEntry& e : list_files(url, options.transport)) urls.push_back(e.open_url());
  } else {
    urls.push_back(url);
  }
  return infer_schema_of(urls, options);
}

std::string InferredSchema::json() const {
  std::string j = "{\"format\": \"" + std::string(format_name(format)) + "\", \"files\": " + std::to_string(files) +
                  ", \"records\": " + std::to_string(records);
  if (format == Format::kCsv) j += ", \"header\": " + std::string(header ? "true" : "false") + ", \"dialect\": " + dialect.json();
  j += ", \"columns\": [";
  for (size_t i = 0; i < columns.size(); i++) {
    const InferredColumn& c = columns[i];
    if (i) j += ", ";
    j += "{\"name\": ";
    append_json_string(c.name, j);
    j += ", \"type\": \"" + std::string(sql_type_name(c.type)) + "\", \"nullable\": " + (c.nullable ? "true" : "false") +
         ", \"detail\": " + c.detail_json() + "}";
  }
  return j + "]}";
}

}  // namespace pg_etl
