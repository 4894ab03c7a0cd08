#include "core/incremental_cursor.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/civil_time.hpp"
#include "core/date_formats.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw Error(sqlstate::kInvalidParameterValue, "option \"incremental." + key + "\" " + why);
}

bool as_number(std::string_view s, long double& out) {
  if (s.empty() || s.size() > 40) return false;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  bool digits = false, dot = false;
  for (size_t k = i; k < s.size(); k++) {
    if (s[k] >= '0' && s[k] <= '9') digits = true;
    else if (s[k] == '.' && !dot) dot = true;
    else return false;
  }
  if (!digits) return false;
  out = std::strtold(std::string(s).c_str(), nullptr);
  return true;
}

bool as_instant(std::string_view s, int64_t& micros, ParsedDateTime* parsed = nullptr) {
  ParsedDateTime t;
  if (s.size() < 10 || !parse_date_time(s, DateFormat::kIso, t)) return false;
  micros = instant_micros(t);
  if (parsed) *parsed = t;
  return true;
}

std::string two(int v) {
  char b[8];
  snprintf(b, sizeof b, "%02d", v);
  return b;
}

}  // namespace

IncrementalOptions parse_incremental_options(const std::string& json_text) {
  IncrementalOptions o;
  const nlohmann::json j = nlohmann::json::parse(json_text);
  if (j.is_null()) return o;
  if (j.is_string()) {  // shorthand: "incremental": "updated_at"
    o.present = true;
    o.cursor = j.get<std::string>();
    return o;
  }
  if (!j.is_object()) throw Error(sqlstate::kInvalidParameterValue, "option \"incremental\" must be an object, e.g. {\"cursor\": \"updated_at\", \"primary_key\": \"id\"}");
  o.present = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    if (v.is_null()) continue;
    if (k == "cursor" || k == "cursor_column" || k == "cursor_path") {
      if (!v.is_string()) bad(k, "must be a column name");
      o.cursor = v.get<std::string>();
    } else if (k == "initial_value") {
      o.initial_value = v.is_string() ? v.get<std::string>() : v.dump();
    } else if (k == "param") {
      if (!v.is_string()) bad(k, "must be a request parameter name");
      o.param = v.get<std::string>();
    } else if (k == "primary_key") {
      if (v.is_string()) o.primary_key.push_back(v.get<std::string>());
      else if (v.is_array()) {
        for (const auto& c : v) {
          if (!c.is_string()) bad(k, "must be a column name or an array of column names");
          o.primary_key.push_back(c.get<std::string>());
        }
      } else bad(k, "must be a column name or an array of column names");
    } else if (k == "lag") {
      if (!v.is_number() || v.get<double>() < 0) bad(k, "must be a non-negative number (seconds for date/time cursors)");
      o.lag = v.get<double>();
    } else if (k == "state") {
      if (!v.is_string() || v.get<std::string>().empty()) bad(k, "must be a name");
      o.state = v.get<std::string>();
    } else {
      throw Error(sqlstate::kInvalidParameterValue, "unknown option \"incremental." + k + "\"", "",
                  "incremental options: cursor, initial_value, param, primary_key, lag, state");
    }
  }
  if (o.cursor.empty()) bad("cursor", "is required: the column that grows with new and changed rows");
  return o;
}

std::string boundary_to_json(const Watermark& w) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [key, cursor] : w.boundary) a.push_back({key, cursor});
  return a.dump();
}

void boundary_from_json(const std::string& json_text, Watermark& w) {
  w.boundary.clear();
  const nlohmann::json a = nlohmann::json::parse(json_text.empty() ? "[]" : json_text);
  if (!a.is_array()) return;
  for (const auto& e : a)
    if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string())
      w.boundary.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
}

int compare_cursor(std::string_view a, std::string_view b) {
  long double x, y;
  if (as_number(a, x) && as_number(b, y)) return x < y ? -1 : x > y ? 1 : 0;
  int64_t p, q;
  if (as_instant(a, p) && as_instant(b, q)) return p < q ? -1 : p > q ? 1 : 0;
  return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
}

std::string cursor_minus(const std::string& value, double lag) {
  if (lag <= 0) return value;
  long double n;
  if (as_number(value, n)) {
    const long double r = n - static_cast<long double>(lag);
    if (value.find('.') == std::string::npos && std::floor(lag) == lag) return std::to_string(static_cast<long long>(r));
    char b[64];
    snprintf(b, sizeof b, "%.6Lf", r);
    return b;
  }
  int64_t micros;
  ParsedDateTime t;
  if (as_instant(value, micros, &t)) {
    const int64_t r = micros - static_cast<int64_t>(std::llround(lag * 1e6));
    const int64_t secs = r >= 0 ? r / 1000000 : -((-r + 999999) / 1000000);
    const int frac = static_cast<int>(r - secs * 1000000);
    const CivilTime c = civil_from_unix(secs);
    std::string out = std::to_string(c.year) + "-" + two(c.month) + "-" + two(c.day);
    if (!t.has_time) return out;  // the day (earlier is safe for a closed bound)
    const size_t sep = value.find_first_of("Tt ", 8);
    out += (sep != std::string::npos ? value[sep] : 'T');
    out += two(c.hour) + ":" + two(c.minute) + ":" + two(c.second);
    if (frac) {
      char b[16];
      snprintf(b, sizeof b, ".%06d", frac);
      out += b;
    }
    if (t.has_offset) out += "Z";  // the instant, spelt in UTC
    return out;
  }
  throw Error(sqlstate::kInvalidParameterValue, "incremental lag needs a numeric or date/time cursor, not \"" + value + "\"");
}

IncrementalFilter::IncrementalFilter(IncrementalOptions options, std::optional<Watermark> prior)
    : opt_(std::move(options)), prior_(std::move(prior)) {
  if (prior_ && !prior_->value.empty()) {
    lower_ = cursor_minus(prior_->value, opt_.lag);
    max_ = prior_->value;
    for (const auto& [key, cursor] : prior_->boundary) {
      loaded_.insert(key);
      if (compare_cursor(cursor, *lower_) >= 0) window_.emplace_back(key, cursor);
    }
  } else {
    prior_.reset();
    lower_ = opt_.initial_value;
  }
}

void IncrementalFilter::note(const std::string& cursor, const std::string& key) {
  if (!max_ || compare_cursor(cursor, *max_) > 0) {
    max_ = cursor;
    const std::string floor = cursor_minus(*max_, opt_.lag);
    window_.erase(std::remove_if(window_.begin(), window_.end(),
                                 [&](const auto& e) { return compare_cursor(e.second, floor) < 0; }),
                  window_.end());
    window_.emplace_back(key, cursor);
    return;
  }
  if (opt_.lag <= 0 ? compare_cursor(cursor, *max_) == 0 : compare_cursor(cursor, cursor_minus(*max_, opt_.lag)) >= 0)
    window_.emplace_back(key, cursor);
}

bool IncrementalFilter::keep(std::optional<std::string_view> cursor, std::string_view key) {
  if (!cursor) return true;  // a row without a cursor value cannot move the watermark
  if (lower_ && compare_cursor(*cursor, *lower_) < 0) {
    skipped_below_++;
    return false;
  }
  if (prior_ && compare_cursor(*cursor, prior_->value) <= 0 && loaded_.count(std::string(key))) {
    skipped_loaded_++;
    return false;
  }
  note(std::string(*cursor), std::string(key));
  return true;
}

Watermark IncrementalFilter::next_watermark() const {
  Watermark w;
  if (max_) w.value = *max_;
  w.boundary = window_;
  return w;
}

}  // namespace pg_etl
