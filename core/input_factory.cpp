#include "core/input_factory.hpp"

#include "core/api_reader.hpp"
#include "core/csv_dialect.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/decompress.hpp"
#include "core/peek_source.hpp"
#include "core/query_source.hpp"
#include "core/transport.hpp"
#include "core/url.hpp"

namespace pg_etl {

OpenedInput open_input(const std::string& url, const ReadOptions& options,
                       const std::vector<std::string>& expected_columns) {
  const std::string shown = redact_url(url);
  if (is_query_url(url)) return OpenedInput{open_query(url, options), Format::kCsv, nullptr, CsvDialect{}, query_dialect(url)};
  if (options.api.is_api()) {
    if (!is_network_url(url) || url.compare(0, 4, "http") != 0)
      throw Error(sqlstate::kInvalidParameterValue, "API options (pagination, auth, graphql, ...) need an http(s) URL, not \"" + shown + "\"");
    return OpenedInput{std::make_unique<ApiReader>(url, options), Format::kJson, nullptr, CsvDialect{}, "api"};
  }
  auto checksum = std::make_shared<Checksum>();
  ByteSourcePtr bytes = open_decompressed(open_checksummed(open_url(url, options.transport), checksum), shown);
  Format format = options.format;
  bool tab = false;
  if (format == Format::kAuto) format = format_from_name(url, &tab);
  if (format == Format::kAuto) {
    // Sniff: JSON starts with [ or { (after a byte-order mark and white space).
    std::string head = peek_bytes(bytes, 4096);
    size_t i = head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
    format = i < head.size() && (head[i] == '[' || head[i] == '{') ? Format::kJson : Format::kCsv;
  }
  OpenedInput out{nullptr, format, checksum, CsvDialect{}, "file"};
  if (format == Format::kCsv) {
    CsvOptions csv = options.csv;
    if (tab && !options.delimiter_set) csv.delimiter = '\t';
    if (!tab && !(options.delimiter_set && options.quote_set && options.escape_set)) {
      // What the options leave open, the file's first lines decide.
      const CsvDialect d = sniff_csv_dialect(peek_bytes(bytes, 64 * 1024));
      if (d.confident && !options.delimiter_set) csv.delimiter = d.delimiter;
      if (!options.quote_set) csv.quote = d.quote;
      if (!options.escape_set) csv.escape = options.quote_set ? csv.quote : d.escape;
    }
    csv.expected_columns = expected_columns;
    out.dialect = CsvDialect{csv.delimiter, csv.quote, csv.escape, true};
    out.reader = std::make_unique<CsvReader>(std::move(bytes), std::move(csv), shown);
  } else {
    JsonOptions json = options.json;
    json.lines = json.lines || format == Format::kNdjson;
    out.reader = std::make_unique<JsonReader>(std::move(bytes), std::move(json), shown);
  }
  return out;
}

}  // namespace pg_etl
