#include "core/read_options.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

#include "core/date_formats.hpp"
#include "core/decompress.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/option_errors.hpp"

namespace pg_etl {
namespace {

using nlohmann::json;

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys = {
      "format", "delimiter", "quote", "escape", "header", "null", "skip_rows", "comment", "encoding", "ragged_rows",
      "records_path", "columns", "match_by", "filename_column", "extra_column", "set", "partition_root", "reject_limit", "sample", "date_order", "date_formats", "freeze", "batch_rows",
      "headers", "username", "password", "bearer_token", "timeout", "connect_timeout", "ca_file", "insecure",
      "ftp_ssl", "region", "endpoint", "path_style", "access_key_id", "secret_access_key", "session_token",
      "private_key", "public_key", "key_passphrase", "host_key_sha256",
      "pagination", "auth", "graphql", "params", "rate_limit", "request_retry", "concurrency", "read_timeout", "max_response_bytes", "incremental", "query", "table"};
  return keys;
}

bool is_secret_key(const std::string& k) {
  return k == "password" || k == "bearer_token" || k == "secret_access_key" || k == "session_token" ||
         k == "key_passphrase" || k == "headers" || k == "token" || k == "client_secret" || k == "api_key" ||
         k == "access_token" || k == "refresh_token";
}

[[noreturn]] void bad(const std::string& key, const std::string& why) { throw_bad_option(key, why); }

std::string get_string(const json& v, const std::string& key) {
  if (!v.is_string()) bad(key, "must be a string");
  return v.get<std::string>();
}

char get_char(const json& v, const std::string& key) {
  std::string s = get_string(v, key);
  if (s == "\\t" || s == "tab") return '\t';
  if (s.size() != 1) bad(key, "must be a single character (got \"" + s + "\")");
  return s[0];
}

bool get_bool(const json& v, const std::string& key) {
  if (!v.is_boolean()) bad(key, "must be true or false");
  return v.get<bool>();
}

double get_number(const json& v, const std::string& key) {
  if (!v.is_number()) bad(key, "must be a number");
  return v.get<double>();
}

int64_t get_int(const json& v, const std::string& key) {
  if (!v.is_number_integer()) bad(key, "must be an integer");
  return v.get<int64_t>();
}

}  // namespace

ReadOptions parse_read_options(const std::string& json_text) {
  ReadOptions o;
  json doc;
  try {
    doc = json::parse(json_text.empty() ? "{}" : json_text);
  } catch (const json::exception& e) {
    throw Error(sqlstate::kInvalidParameterValue, std::string("options are not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw Error(sqlstate::kInvalidParameterValue, "options must be a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    const auto& keys = known_keys();
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) throw_unknown_option(k, keys);
    if (v.is_null()) continue;
    if (parse_api_option(k, v.dump(), o.api)) continue;
    if (k == "incremental") {
      o.incremental = parse_incremental_options(v.dump());
      continue;
    }
    if (k == "format") {
      std::string f = get_string(v, k);
      if (f == "csv") o.format = Format::kCsv;
      else if (f == "tsv") o.format = Format::kCsv, o.csv.delimiter = '\t', o.delimiter_set = true;
      else if (f == "json") o.format = Format::kJson;
      else if (f == "ndjson" || f == "jsonl") o.format = Format::kNdjson;
      else if (f == "auto") o.format = Format::kAuto;
      else bad(k, "must be csv, tsv, json, ndjson or auto (got \"" + f + "\")");
    } else if (k == "delimiter") {
      o.csv.delimiter = get_char(v, k);
      o.delimiter_set = true;
    } else if (k == "quote") {
      char q = get_char(v, k);
      if (o.csv.escape == o.csv.quote) o.csv.escape = q;
      o.csv.quote = q;
      o.quote_set = true;
    } else if (k == "escape") {
      o.csv.escape = get_char(v, k);
      o.escape_set = true;
    } else if (k == "sample") {
      if (v.is_string() && v.get<std::string>() == "all") o.sample_rows = -1;
      else if (v.is_number_integer() && v.get<int64_t>() > 0) o.sample_rows = v.get<int64_t>();
      else bad(k, "must be a positive number of records or \"all\"");
    } else if (k == "date_formats") {
      if (!v.is_object()) bad(k, "must be an object of column names and date spellings, e.g. {\"day\": \"DD.MM.YYYY\"}");
      for (auto c = v.begin(); c != v.end(); ++c) {
        const std::string f = get_string(c.value(), "date_formats." + c.key());
        if (!date_format_from_name(f))
          bad("date_formats." + c.key(), "is not a known date spelling (YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY, Mon DD YYYY, DD Mon YYYY)");
        o.date_formats[c.key()] = f;
      }
    } else if (k == "date_order") {
      o.date_order = get_string(v, k);
      if (o.date_order != "MDY" && o.date_order != "DMY" && o.date_order != "YMD") bad(k, "must be MDY, DMY or YMD");
    } else if (k == "header") {
      if (v.is_boolean()) o.csv.header = v.get<bool>() ? HeaderMode::kTrue : HeaderMode::kFalse;
      else if (v.is_string() && v.get<std::string>() == "auto") o.csv.header = HeaderMode::kAuto;
      else bad(k, "must be true, false or \"auto\"");
    } else if (k == "null") {
      o.csv.null_tokens.clear();
      if (v.is_string()) o.csv.null_tokens.push_back(v.get<std::string>());
      else if (v.is_array()) {
        for (const auto& t : v) o.csv.null_tokens.push_back(get_string(t, k));
      } else bad(k, "must be a string or an array of strings");
    } else if (k == "skip_rows") {
      int64_t n = get_int(v, k);
      if (n < 0) bad(k, "must not be negative");
      o.csv.skip_rows = static_cast<uint64_t>(n);
    } else if (k == "comment") {
      o.csv.comment = get_char(v, k);
    } else if (k == "encoding") {
      o.csv.encoding = parse_encoding(get_string(v, k));
    } else if (k == "ragged_rows") {
      std::string r = get_string(v, k);
      if (r == "reject") o.csv.allow_ragged = false;
      else if (r == "pad") o.csv.allow_ragged = true;
      else bad(k, "must be \"reject\" or \"pad\"");
    } else if (k == "records_path") {
      o.json.records_path = get_string(v, k);
      parse_json_path(o.json.records_path, "records_path");  // fail early
    } else if (k == "columns") {
      if (!v.is_object()) bad(k, "must be an object mapping target columns to header names or JSON paths");
      for (auto c = v.begin(); c != v.end(); ++c) o.columns[c.key()] = get_string(c.value(), "columns." + c.key());
    } else if (k == "match_by") {
      std::string m = get_string(v, k);
      if (m == "position") o.match_by_position = true;
      else if (m == "name") o.match_by_position = false;
      else bad(k, "must be \"name\" or \"position\"");
    } else if (k == "set") {
      if (!v.is_object()) bad(k, "must be an object of column names and constant values");
      for (auto c = v.begin(); c != v.end(); ++c) {
        if (c.value().is_null()) o.set[c.key()] = std::nullopt;
        else if (c.value().is_string()) o.set[c.key()] = c.value().get<std::string>();
        else if (c.value().is_primitive()) o.set[c.key()] = c.value().dump();
        else bad("set." + c.key(), "must be a string, number, boolean or null");
      }
    } else if (k == "partition_root") {
      o.partition_root = get_string(v, k);
      if (o.partition_root.empty()) bad(k, "must be the URL of the folder that holds the partition folders");
    } else if (k == "query") {
      o.query = get_string(v, k);
    } else if (k == "table") {
      o.table = get_string(v, k);
    } else if (k == "extra_column") {
      o.extra_column = get_string(v, k);
    } else if (k == "filename_column") {
      o.filename_column = get_string(v, k);
    } else if (k == "reject_limit") {
      o.reject_limit = get_int(v, k);
      if (o.reject_limit < -1) bad(k, "must be -1 (no limit) or a number of rows");
    } else if (k == "freeze") {
      o.freeze = get_bool(v, k);
    } else if (k == "batch_rows") {
      o.batch_rows = get_int(v, k);
      if (o.batch_rows < 1) bad(k, "must be at least 1");
    } else if (k == "headers") {
      if (!v.is_object()) bad(k, "must be an object of header names and values");
      for (auto h = v.begin(); h != v.end(); ++h) o.transport.headers[h.key()] = get_string(h.value(), "headers." + h.key());
    } else if (k == "username") {
      o.transport.username = get_string(v, k);
    } else if (k == "password") {
      o.transport.password = get_string(v, k);
    } else if (k == "bearer_token") {
      o.transport.bearer_token = get_string(v, k);
    } else if (k == "timeout") {
      o.transport.timeout = get_number(v, k);
    } else if (k == "connect_timeout") {
      o.transport.connect_timeout = get_number(v, k);
    } else if (k == "ca_file") {
      o.transport.ca_file = get_string(v, k);
    } else if (k == "insecure") {
      o.transport.insecure = get_bool(v, k);
    } else if (k == "ftp_ssl") {
      std::string s = get_string(v, k);
      if (s != "none" && s != "try" && s != "control" && s != "all") bad(k, "must be none, try, control or all");
      o.transport.ftp_ssl = s == "none" ? "" : s;
    } else if (k == "region") {
      o.transport.region = get_string(v, k);
    } else if (k == "endpoint") {
      o.transport.endpoint = get_string(v, k);
    } else if (k == "path_style") {
      o.transport.path_style = get_bool(v, k);
    } else if (k == "access_key_id") {
      o.transport.access_key_id = get_string(v, k);
    } else if (k == "secret_access_key") {
      o.transport.secret_access_key = get_string(v, k);
    } else if (k == "session_token") {
      o.transport.session_token = get_string(v, k);
    } else if (k == "private_key") {
      o.transport.private_key = get_string(v, k);
    } else if (k == "public_key") {
      o.transport.public_key = get_string(v, k);
    } else if (k == "key_passphrase") {
      o.transport.key_passphrase = get_string(v, k);
    } else if (k == "host_key_sha256") {
      o.transport.host_key_sha256 = get_string(v, k);
    }
  }
  return o;
}

Format format_from_name(const std::string& url, bool* tab) {
  std::string path = strip_compression_suffix(url);
  auto ends = [&](const char* s) {
    std::string suffix(s);
    if (path.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); i++)
      if (std::tolower(static_cast<unsigned char>(path[path.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
  };
  if (tab) *tab = ends(".tsv") || ends(".tab");
  if (ends(".csv") || ends(".tsv") || ends(".tab") || ends(".txt")) return Format::kCsv;
  if (ends(".ndjson") || ends(".jsonl")) return Format::kNdjson;
  if (ends(".json")) return Format::kJson;
  return Format::kAuto;
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kCsv: return "csv";
    case Format::kJson: return "json";
    case Format::kNdjson: return "ndjson";
    case Format::kAuto: return "auto";
  }
  return "auto";
}

std::string merge_options(const std::string& base_json, const std::string& overrides_json) {
  json merged = json::parse(base_json.empty() ? "{}" : base_json);
  const json overrides = json::parse(overrides_json.empty() ? "{}" : overrides_json);
  for (auto it = overrides.begin(); it != overrides.end(); ++it) merged[it.key()] = it.value();
  return merged.dump();
}

std::string redact_options(const std::string& json_text) {
  json doc;
  try {
    doc = json::parse(json_text.empty() ? "{}" : json_text);
  } catch (const json::exception&) {
    return "{}";
  }
  if (!doc.is_object()) return "{}";
  // Every level: auth objects and sources nest their secrets. {"secret": "name"} is a
  // name, not a secret, and stays visible.
  std::function<void(json&, bool)> redact = [&](json& obj, bool in_auth) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      json& v = it.value();
      if (v.is_null()) continue;
      if (it.key() == "headers" && v.is_object()) {
        for (auto h = v.begin(); h != v.end(); ++h) h.value() = "***";
      } else if (is_secret_key(it.key()) || (in_auth && it.key() == "value")) {
        v = "***";
      } else if (v.is_object()) {
        redact(v, in_auth || it.key() == "auth");
      }
    }
  };
  redact(doc, false);
  return doc.dump();
}

}  // namespace pg_etl
