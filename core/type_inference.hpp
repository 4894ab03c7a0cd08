#pragma once
// Schema inference that gets messy real data right (where Glue's crawler does not):
// ids with leading zeros stay text, money stays exact (numeric, never float), integers
// beyond bigint become numeric, timestamptz only when every value carries an offset,
// and a date spelling is chosen by voting over all sampled values; when the values
// cannot tell day from month (05/06/2019) the ambiguity is reported and settled by
// the date_order option, never by row order.
//
// A ColumnInferrer sees one column's values; inferrers for the same column in several
// files merge, and a file with no values for a column leaves its type alone.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date_formats.hpp"
#include "core/record.hpp"

namespace pg_etl {

enum class InferredType {
  kBoolean, kInteger, kBigint, kNumeric, kDouble, kDate, kTimestamp, kTimestamptz, kTime, kUuid, kJsonb, kText
};

const char* sql_type_name(InferredType t);  // "integer", "timestamp with time zone", ...

struct InferenceOptions {
  std::vector<std::string> null_tokens{"", "NA", "N/A", "null", "NULL", "-"};
  std::string date_order;  // "MDY" (PostgreSQL's default), "DMY" or "YMD": settles ambiguous dates
};

struct InferredColumn {
  std::string name;
  InferredType type = InferredType::kText;
  bool nullable = true;
  int64_t values = 0;  // non-null values seen
  int64_t nulls = 0;
  std::optional<DateFormat> date_format;
  std::vector<DateFormat> ambiguous_formats;  // more than one spelling fits every value
  std::string reason;                         // why not a narrower type
  // statistics
  int64_t distinct_estimate = 0;
  std::string min, max;
  size_t max_length = 0;

  std::string detail_json() const;  // the detail column of etl.infer_schema
};

class ColumnInferrer {
 public:
  explicit ColumnInferrer(const InferenceOptions* options) : options_(options) {}
  void add(const Value& v);
  // A record that did not have this column at all (JSON): counts as NULL.
  void add_missing() { nulls_++; }
  void merge(const ColumnInferrer& other);
  InferredColumn finish(const std::string& name) const;

 private:
  void add_text(std::string_view s);
  void rule_out_numbers(std::string_view why, std::string_view value);

  const InferenceOptions* options_;
  int64_t values_ = 0, nulls_ = 0;
  bool bool_ = true, int4_ = true, int8_ = true, integer_ = true, numeric_ = true, double_ = true;
  bool any_exponent_ = false;
  uint32_t date_mask_ = ~0u;  // formats every value fits, as a date alone
  uint32_t ts_mask_ = ~0u;    // formats every value fits, as a date with or without time
  bool any_time_part_ = false, any_date_only_ = false, all_offsets_ = true;
  bool time_ = true, uuid_ = true, json_ = true;
  std::string reason_;
  size_t max_length_ = 0;
  // min/max in three orders; the type picks which one to report
  double num_min_ = 0, num_max_ = 0;
  std::string num_min_text_, num_max_text_, text_min_, text_max_;
  // dates: min and max (by instant) as read in each spelling; the chosen spelling decides which
  static constexpr size_t kDateFormats = static_cast<size_t>(DateFormat::kCount);
  struct DateBound {
    bool seen = false;
    int64_t min_key = 0, max_key = 0;
    ParsedDateTime min, max;
  };
  std::array<DateBound, kDateFormats> date_bounds_{};
  std::array<uint8_t, 4096> hll_{};  // HyperLogLog registers (p = 12)
};

}  // namespace pg_etl
