#include "core/type_inference.hpp"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/ascii.hpp"
#include "core/value_encoder.hpp"

namespace pg_etl {
namespace {

bool is_boolean_word(std::string_view s) {
  if (s.size() > 5) return false;
  for (const char* w : {"true", "false", "t", "f", "yes", "no", "y", "n"})
    if (ascii_iequals(s, w)) return true;
  return false;
}

struct NumberShape {
  bool number = false, integer = false, exponent = false, special = false, leading_zero = false;
};

// [+-]digits[.digits][e[+-]digits], NaN, Infinity
NumberShape number_shape(std::string_view s) {
  NumberShape r;
  std::string_view b = s;
  if (!b.empty() && (b[0] == '+' || b[0] == '-')) b.remove_prefix(1);
  if (ascii_iequals(b, "nan") || ascii_iequals(b, "infinity") || ascii_iequals(b, "inf")) {
    r.number = r.special = true;
    return r;
  }
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < b.size() && ascii_isdigit(b[i])) i++, int_digits++;
  bool dot = false;
  if (i < b.size() && b[i] == '.') {
    dot = true;
    i++;
    while (i < b.size() && ascii_isdigit(b[i])) i++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return r;
  if (i < b.size() && (b[i] == 'e' || b[i] == 'E')) {
    size_t j = i + 1;
    if (j < b.size() && (b[j] == '+' || b[j] == '-')) j++;
    size_t e = 0;
    while (j < b.size() && ascii_isdigit(b[j])) j++, e++;
    if (e == 0) return r;
    i = j;
    r.exponent = true;
  }
  if (i != b.size()) return r;
  r.number = true;
  r.integer = !dot && !r.exponent;
  r.leading_zero = int_digits > 1 && b[0] == '0';
  return r;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!ascii_isxdigit(s[i])) {
      return false;
    }
  }
  return true;
}

int leading_zeros(uint64_t x) { return x == 0 ? 64 : __builtin_clzll(x); }

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(s, out);
  return out;
}

}  // namespace

const char* sql_type_name(InferredType t) {
  switch (t) {
    case InferredType::kBoolean: return "boolean";
    case InferredType::kInteger: return "integer";
    case InferredType::kBigint: return "bigint";
    case InferredType::kNumeric: return "numeric";
    case InferredType::kDouble: return "double precision";
    case InferredType::kDate: return "date";
    case InferredType::kTimestamp: return "timestamp without time zone";
    case InferredType::kTimestamptz: return "timestamp with time zone";
    case InferredType::kTime: return "time without time zone";
    case InferredType::kUuid: return "uuid";
    case InferredType::kJsonb: return "jsonb";
    case InferredType::kText: return "text";
  }
  return "text";
}

void ColumnInferrer::rule_out_numbers(std::string_view why, std::string_view value) {
  if (reason_.empty() && (int4_ || numeric_)) reason_ = std::string(why) + " (\"" + std::string(value.substr(0, 40)) + "\")";
  int4_ = int8_ = integer_ = numeric_ = double_ = false;
}

void ColumnInferrer::add(const Value& v) {
  if (v.is_null()) {
    nulls_++;
    return;
  }
  if (v.kind == ValueKind::kText)
    for (const std::string& tok : options_->null_tokens)
      if (v.text == tok) {
        nulls_++;
        return;
      }
  values_++;
  max_length_ = std::max(max_length_, v.text.size());
  // distinct estimate
  const uint64_t h = XXH3_64bits(v.text.data(), v.text.size());
  const size_t reg = h >> 52;
  const uint8_t rank = static_cast<uint8_t>(leading_zeros(h << 12 | (1ull << 11)) + 1);
  hll_[reg] = std::max(hll_[reg], rank);
  if (text_min_.empty() && text_max_.empty() && values_ == 1) text_min_ = text_max_ = std::string(v.text);
  else {
    if (v.text < text_min_) text_min_ = std::string(v.text);
    if (v.text > text_max_) text_max_ = std::string(v.text);
  }
  if (v.kind == ValueKind::kJsonRaw) {
    const char c = v.text.empty() ? ' ' : v.text[0];
    if (c == '{' || c == '[') {
      bool_ = int4_ = int8_ = integer_ = numeric_ = double_ = time_ = uuid_ = false;
      date_mask_ = ts_mask_ = 0;
      return;
    }
    json_ = false;
    if (v.text == "true" || v.text == "false") {
      rule_out_numbers("booleans", v.text);
      date_mask_ = ts_mask_ = 0;
      time_ = uuid_ = false;
      return;
    }
    bool_ = false;
    add_text(v.text);
    return;
  }
  json_ = json_ && v.kind == ValueKind::kText && !v.text.empty() && (v.text[0] == '{' || v.text[0] == '[');
  add_text(v.text);
}

void ColumnInferrer::add_text(std::string_view raw) {
  const std::string_view s = ascii_trim(raw);
  if (bool_ && !is_boolean_word(s)) bool_ = false;
  if (int4_ || numeric_ || double_) {
    const NumberShape n = number_shape(s);
    if (!n.number) {
      rule_out_numbers("not a number", s);
    } else if (n.leading_zero) {
      rule_out_numbers("leading zeros, kept as text", s);
    } else {
      // from_chars reads a leading '-' but not '+'
      const std::string_view unsigned_digits = s[0] == '+' ? s.substr(1) : s;
      if (n.exponent || n.special) any_exponent_ = true;
      if (!n.integer) {
        int4_ = int8_ = integer_ = false;
      } else if (int4_ || int8_) {
        // fits int4 / int8?
        int64_t x = 0;
        auto r = std::from_chars(unsigned_digits.data(), unsigned_digits.data() + unsigned_digits.size(), x);
        const bool fits8 = r.ec == std::errc() && r.ptr == unsigned_digits.data() + unsigned_digits.size();
        int8_ = int8_ && fits8;
        int4_ = int4_ && fits8 && x >= INT32_MIN && x <= INT32_MAX;
      }
      double d = 0;
      auto r = std::from_chars(unsigned_digits.data(), unsigned_digits.data() + unsigned_digits.size(), d);
      if (r.ec == std::errc()) {
        if (values_ == 1 || num_min_text_.empty() || d < num_min_) num_min_ = d, num_min_text_ = std::string(s);
        if (values_ == 1 || num_max_text_.empty() || d > num_max_) num_max_ = d, num_max_text_ = std::string(s);
      }
    }
  }
  if (ts_mask_) {  // (date_mask_ is a subset of ts_mask_)
    ParsedDateTime first;
    std::array<ParsedDateTime, kDateFormats> parsed;
    const uint32_t m = matching_date_formats(s, &first, ts_mask_, parsed.data());
    for (size_t f = 0; f < kDateFormats; f++)
      if (m & (1u << f)) {
        DateBound& b = date_bounds_[f];
        const int64_t key = instant_micros(parsed[f]);
        if (!b.seen || key < b.min_key) b.min_key = key, b.min = parsed[f];
        if (!b.seen || key > b.max_key) b.max_key = key, b.max = parsed[f];
        b.seen = true;
      }
    if (m) {
      if (first.has_time) {
        any_time_part_ = true;
        date_mask_ = 0;
        all_offsets_ = all_offsets_ && first.has_offset;
      } else {
        any_date_only_ = true;
        date_mask_ &= m;
        all_offsets_ = false;
      }
      ts_mask_ &= m;
    } else {
      date_mask_ = ts_mask_ = 0;
    }
  }
  if (time_) {
    ParsedDateTime t;
    time_ = parse_time_of_day(s, t);
  }
  if (uuid_) uuid_ = is_uuid(s);
}

void ColumnInferrer::merge(const ColumnInferrer& o) {
  nulls_ += o.nulls_;
  if (o.values_ == 0) return;  // an all-null file does not change the type
  if (values_ == 0) {
    const int64_t n = nulls_;
    *this = o;
    nulls_ = n;
    return;
  }
  values_ += o.values_;
  bool_ &= o.bool_, int4_ &= o.int4_, int8_ &= o.int8_, integer_ &= o.integer_, numeric_ &= o.numeric_, double_ &= o.double_;
  any_exponent_ |= o.any_exponent_;
  date_mask_ &= o.date_mask_, ts_mask_ &= o.ts_mask_;
  any_time_part_ |= o.any_time_part_, any_date_only_ |= o.any_date_only_, all_offsets_ &= o.all_offsets_;
  time_ &= o.time_, uuid_ &= o.uuid_, json_ &= o.json_;
  if (reason_.empty()) reason_ = o.reason_;
  max_length_ = std::max(max_length_, o.max_length_);
  if (!o.num_min_text_.empty() && (num_min_text_.empty() || o.num_min_ < num_min_)) num_min_ = o.num_min_, num_min_text_ = o.num_min_text_;
  if (!o.num_max_text_.empty() && (num_max_text_.empty() || o.num_max_ > num_max_)) num_max_ = o.num_max_, num_max_text_ = o.num_max_text_;
  text_min_ = std::min(text_min_, o.text_min_);
  text_max_ = std::max(text_max_, o.text_max_);
  for (size_t f = 0; f < kDateFormats; f++) {
    const DateBound& ob = o.date_bounds_[f];
    DateBound& b = date_bounds_[f];
    if (!ob.seen) continue;
    if (!b.seen || ob.min_key < b.min_key) b.min_key = ob.min_key, b.min = ob.min;
    if (!b.seen || ob.max_key > b.max_key) b.max_key = ob.max_key, b.max = ob.max;
    b.seen = true;
  }
  for (size_t i = 0; i < hll_.size(); i++) hll_[i] = std::max(hll_[i], o.hll_[i]);
}

InferredColumn ColumnInferrer::finish(const std::string& name) const {
  InferredColumn c;
  c.name = name;
  c.values = values_;
  c.nulls = nulls_;
  c.nullable = nulls_ > 0 || values_ == 0;
  c.max_length = max_length_;
  c.reason = reason_;
  // HyperLogLog estimate with the small-range correction
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : hll_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double m = static_cast<double>(hll_.size());
  double est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  if (est <= 2.5 * m && zeros > 0) est = m * std::log(m / zeros);
  c.distinct_estimate = values_ == 0 ? 0 : std::min<int64_t>(values_, static_cast<int64_t>(std::llround(est)));

  auto pick_format = [&](uint32_t mask) {
    std::vector<DateFormat> fits;
    for (int i = 0; i < static_cast<int>(DateFormat::kCount); i++)
      if (mask & (1u << i)) fits.push_back(static_cast<DateFormat>(i));
    if (fits.size() > 1) c.ambiguous_formats = fits;
    const std::string& order = options_->date_order;
    auto prefer = [&](DateFormat f) { return std::find(fits.begin(), fits.end(), f) != fits.end(); };
    if (order == "DMY" && prefer(DateFormat::kDmy)) return DateFormat::kDmy;
    if (order == "YMD" && prefer(DateFormat::kIso)) return DateFormat::kIso;
    if (prefer(DateFormat::kMdy) && (order.empty() || order == "MDY")) return DateFormat::kMdy;
    return fits.front();
  };
  if (values_ == 0) {
    c.type = InferredType::kText;
    c.reason = "no values: every sampled value is NULL";
  } else if (bool_) {
    c.type = InferredType::kBoolean;
  } else if (int4_) {
    c.type = InferredType::kInteger;
  } else if (int8_) {
    c.type = InferredType::kBigint;
  } else if (numeric_ && !any_exponent_) {
    c.type = InferredType::kNumeric;
  } else if (double_) {
    c.type = InferredType::kDouble;
  } else if (date_mask_ && !any_time_part_) {
    c.type = InferredType::kDate;
    c.date_format = pick_format(date_mask_);
  } else if (ts_mask_) {
    c.type = all_offsets_ && !any_date_only_ ? InferredType::kTimestamptz : InferredType::kTimestamp;
    c.date_format = pick_format(ts_mask_);
  } else if (time_) {
    c.type = InferredType::kTime;
  } else if (uuid_) {
    c.type = InferredType::kUuid;
  } else if (json_) {
    c.type = InferredType::kJsonb;
  } else {
    c.type = InferredType::kText;
  }
  switch (c.type) {
    case InferredType::kInteger: case InferredType::kBigint: case InferredType::kNumeric: case InferredType::kDouble:
      c.min = num_min_text_, c.max = num_max_text_;
      break;
    case InferredType::kDate: case InferredType::kTimestamp: case InferredType::kTimestamptz:
      if (const DateBound& b = date_bounds_[static_cast<size_t>(*c.date_format)]; b.seen)
        c.min = iso_text(b.min), c.max = iso_text(b.max);
      break;
    default:
      c.min = text_min_, c.max = text_max_;
  }
  return c;
}

std::string InferredColumn::detail_json() const {
  std::string j = "{\"values\": " + std::to_string(values) + ", \"nulls\": " + std::to_string(nulls) +
                  ", \"distinct_estimate\": " + std::to_string(distinct_estimate) + ", \"max_length\": " +
                  std::to_string(max_length);
  if (values > 0) j += ", \"min\": " + json_string(min) + ", \"max\": " + json_string(max);
  if (date_format) j += ", \"format\": " + json_string(date_format_name(*date_format));
  if (!ambiguous_formats.empty()) {
    j += ", \"ambiguous_formats\": [";
    for (size_t i = 0; i < ambiguous_formats.size(); i++)
      j += (i ? ", " : "") + json_string(date_format_name(ambiguous_formats[i]));
    j += "], \"resolved_by\": \"the date_order option (default MDY, PostgreSQL's DateStyle default)\"";
  }
  if (!reason.empty() && type == InferredType::kText) j += ", \"why_text\": " + json_string(reason);
  return j + "}";
}

}  // namespace pg_etl
