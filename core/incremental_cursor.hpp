#pragma once
// Incremental extraction from APIs and databases: a cursor field (updated_at, id), a
// watermark (the highest cursor value loaded so far) and the primary keys loaded at
// the watermark. The next read asks for cursor >= watermark - lag (a closed bound, so
// rows that share the watermark's value are not missed) and drops the rows whose key
// was already loaded at or below the watermark (so they are not loaded twice).
//
// Cursor values compare as numbers when both are numbers, as instants when both are
// ISO 8601 date/times (offsets honoured), else as text.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pg_etl {

struct IncrementalOptions {
  bool present = false;
  std::string cursor;                    // the column / field holding the cursor
  std::optional<std::string> initial_value;
  std::string param;                     // API: request parameter that carries the lower bound
  std::vector<std::string> primary_key;  // columns whose values identify a row
  double lag = 0;                        // seconds (date/time cursors) or units (numbers)
  std::string state;                     // name of the watermark in etl.watermarks ("" : derived)
};

// Parses the "incremental" option (JSON text); throws 22023.
IncrementalOptions parse_incremental_options(const std::string& json_text);

// A watermark as stored: the value and the keys loaded within the lag window below it,
// each with its cursor value.
struct Watermark {
  std::string value;
  std::vector<std::pair<std::string, std::string>> boundary;  // (key, cursor value)
};

// The boundary as stored in etl.watermarks.boundary: [[key, cursor], ...].
std::string boundary_to_json(const Watermark& w);
void boundary_from_json(const std::string& json_text, Watermark& w);

// Compares two cursor values: <0, 0, >0.
int compare_cursor(std::string_view a, std::string_view b);

// value - lag, in value's own spelling (numbers stay numbers; date/times keep their
// separator and offset style). value itself when lag is 0.
std::string cursor_minus(const std::string& value, double lag);

class IncrementalFilter {
 public:
  IncrementalFilter(IncrementalOptions options, std::optional<Watermark> prior);

  // The closed lower bound of this read: the prior watermark - lag, else the initial
  // value; nothing on a first read without an initial value.
  const std::optional<std::string>& lower_bound() const { return lower_; }

  // Whether a row with this cursor value and key is new. Rows below the lower bound
  // (an API that ignores the parameter) and rows already loaded are not.
  bool keep(std::optional<std::string_view> cursor, std::string_view key);

  // The watermark after this read (the prior one when nothing newer arrived).
  Watermark next_watermark() const;

  uint64_t skipped_loaded() const { return skipped_loaded_; }
  uint64_t skipped_below() const { return skipped_below_; }

 private:
  void note(const std::string& cursor, const std::string& key);

  IncrementalOptions opt_;
  std::optional<Watermark> prior_;
  std::optional<std::string> lower_;
  std::set<std::string> loaded_;                 // keys of the prior boundary
  std::optional<std::string> max_;               // highest cursor seen (prior included)
  std::vector<std::pair<std::string, std::string>> window_;  // (key, cursor) near max_
  uint64_t skipped_loaded_ = 0, skipped_below_ = 0;
};

}  // namespace pg_etl
