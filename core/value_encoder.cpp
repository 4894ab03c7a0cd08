#include "core/value_encoder.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/ascii.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

constexpr int64_t kPostgresEpochDays = 10957;  // 2000-01-01 - 1970-01-01
constexpr int64_t kUsecPerDay = 86400LL * 1000000LL;

template <typename T>
void put_be(std::string& out, T v) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); i++) b[i] = static_cast<char>(u >> (8 * (sizeof(T) - 1 - i)));
  out.append(b, sizeof(T));
}

Encoded invalid(EncodeError& err, const char* state, std::string msg) {
  err.sqlstate = state;
  err.message = std::move(msg);
  return Encoded::kInvalid;
}

Encoded invalid_syntax(EncodeError& err, TypeKind kind, std::string_view text) {
  return invalid(err, sqlstate::kInvalidTextRepresentation,
                 std::string("invalid input syntax for type ") + type_display_name(kind) + ": \"" + std::string(text) + "\"");
}

// ---- integers: PostgreSQL 15's pg_strtoint16/32/64 --------------------------------
}  // namespace

std::optional<int64_t> parse_integer(TypeKind kind, std::string_view text, bool* out_of_range) {
  if (out_of_range) *out_of_range = false;
  size_t i = 0, n = text.size();
  while (i < n && ascii_isspace(text[i])) i++;
  bool neg = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  if (i >= n || !ascii_isdigit(text[i])) return std::nullopt;
  while (i + 1 < n && text[i] == '0' && ascii_isdigit(text[i + 1])) i++;  // leading zeros
  // Up to 19 digits fit an unsigned 64-bit accumulator: no overflow test per digit.
  const size_t first = i;
  uint64_t u = 0;
  for (; i < n && ascii_isdigit(text[i]); i++)
    if (i - first < 19) u = u * 10 + static_cast<uint64_t>(text[i] - '0');
  const bool too_long = i - first > 19;
  while (i < n && ascii_isspace(text[i])) i++;
  if (i != n) return std::nullopt;
  const uint64_t hi = kind == TypeKind::kInt2 ? INT16_MAX : kind == TypeKind::kInt4 ? INT32_MAX : INT64_MAX;
  if (too_long || u > hi + (neg ? 1 : 0)) {
    if (out_of_range) *out_of_range = true;
    return std::nullopt;
  }
  return neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
}

namespace {

Encoded encode_int(TypeKind kind, std::string_view text, std::string& out, EncodeError& err) {
  bool out_of_range = false;
  const std::optional<int64_t> v = parse_integer(kind, text, &out_of_range);
  if (!v && out_of_range)
    return invalid(err, sqlstate::kNumericValueOutOfRange,
                   "value \"" + std::string(text) + "\" is out of range for type " + type_display_name(kind));
  if (!v) return invalid_syntax(err, kind, text);
  if (kind == TypeKind::kInt2) put_be<int16_t>(out, static_cast<int16_t>(*v));
  else if (kind == TypeKind::kInt4) put_be<int32_t>(out, static_cast<int32_t>(*v));
  else put_be<int64_t>(out, *v);
  return Encoded::kOk;
}

// ---- boolean: parse_bool_with_len ------------------------------------------------------
Encoded encode_bool(std::string_view text, std::string& out, EncodeError& err) {
  std::string_view s = ascii_trim(text);
  auto prefix_of = [&](const char* word, size_t min_len) {
    size_t len = s.size();
    if (len < min_len || len > std::strlen(word)) return false;
    for (size_t i = 0; i < len; i++)
      if ((s[i] | 0x20) != word[i]) return false;
    return true;
  };
  int v = -1;
  if (!s.empty()) {
    switch (s[0] | 0x20) {
      case 't': if (prefix_of("true", 1)) v = 1; break;
      case 'f': if (prefix_of("false", 1)) v = 0; break;
      case 'y': if (prefix_of("yes", 1)) v = 1; break;
      case 'n': if (prefix_of("no", 1)) v = 0; break;
      case 'o': if (prefix_of("on", 2)) v = 1; else if (prefix_of("off", 2)) v = 0; break;
      case '1': if (s.size() == 1) v = 1; break;
      case '0': if (s.size() == 1) v = 0; break;
      default: break;
    }
  }
  if (v < 0) return invalid_syntax(err, TypeKind::kBool, text);
  out.push_back(static_cast<char>(v));
  return Encoded::kOk;
}

// ---- floating point ---------------------------------------------------------------
template <typename F>
Encoded encode_float(TypeKind kind, std::string_view text, std::string& out, EncodeError& err) {
  std::string_view s = ascii_trim(text);
  F v;
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (ascii_iequals(body, "nan") && !neg && s.size() == 3) v = std::numeric_limits<F>::quiet_NaN();
  else if (ascii_iequals(body, "infinity") || ascii_iequals(body, "inf")) v = neg ? -std::numeric_limits<F>::infinity() : std::numeric_limits<F>::infinity();
  else {
    for (char c : body)
      if (!(ascii_isdigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
        // Hexadecimal and other strtod spellings: let the server decide.
        if (c == 'x' || c == 'X' || c == 'n' || c == 'N' || c == 'i' || c == 'I') return Encoded::kDefer;
        return invalid_syntax(err, kind, text);
      }
    if (body.empty() || body[0] == '+' || body[0] == '-') return invalid_syntax(err, kind, text);
    auto r = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
    if (r.ptr != body.data() + body.size()) return invalid_syntax(err, kind, text);
    if (r.ec == std::errc::result_out_of_range)
      return invalid(err, sqlstate::kNumericValueOutOfRange,
                     "\"" + std::string(text) + "\" is out of range for type " + type_display_name(kind));
    if (r.ec != std::errc()) return invalid_syntax(err, kind, text);
    if (neg) v = -v;
  }
  if constexpr (sizeof(F) == 4) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_be<uint32_t>(out, bits);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put_be<uint64_t>(out, bits);
  }
  return Encoded::kOk;
}

// ---- numeric: decimal text -> base-10000 digits --------------------------------------
Encoded encode_numeric(std::string_view text, std::string& out, EncodeError& err) {
  constexpr uint16_t kPos = 0x0000, kNeg = 0x4000, kNaN = 0xC000, kPinf = 0xD000, kNinf = 0xF000;
  std::string_view s = ascii_trim(text);
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  auto special = [&](uint16_t sign) {
    put_be<int16_t>(out, 0);
    put_be<int16_t>(out, 0);
    put_be<uint16_t>(out, sign);
    put_be<uint16_t>(out, 0);
    return Encoded::kOk;
  };
  if (ascii_iequals(body, "nan") && s.size() == 3) return special(kNaN);
  if (ascii_iequals(body, "infinity") || ascii_iequals(body, "inf")) return special(neg ? kNinf : kPinf);

  std::string digits;  // all significant digits, without the point
  digits.reserve(body.size());
  size_t i = 0;
  int64_t int_len = 0, frac_len = 0;
  while (i < body.size() && ascii_isdigit(body[i])) digits.push_back(body[i++]), int_len++;
  if (i < body.size() && body[i] == '.') {
    i++;
    while (i < body.size() && ascii_isdigit(body[i])) digits.push_back(body[i++]), frac_len++;
  }
  if (int_len + frac_len == 0) return invalid_syntax(err, TypeKind::kNumeric, text);
  int64_t exponent = 0;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) eneg = body[i++] == '-';
    if (i >= body.size() || !ascii_isdigit(body[i])) return invalid_syntax(err, TypeKind::kNumeric, text);
    while (i < body.size() && ascii_isdigit(body[i])) {
      exponent = exponent * 10 + (body[i++] - '0');
      if (exponent > 100000) return Encoded::kDefer;  // the server reports the overflow
    }
    if (eneg) exponent = -exponent;
  }
  if (i != body.size()) return invalid_syntax(err, TypeKind::kNumeric, text);
  if (exponent > 1000 || exponent < -1000) return Encoded::kDefer;
  int64_t dscale = std::max<int64_t>(0, frac_len - exponent);
  if (dscale > 0x3FFF) return Encoded::kDefer;
  int64_t point = int_len + exponent;  // digits before the decimal point
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') lead++;
  digits.erase(0, lead);
  point -= static_cast<int64_t>(lead);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) {  // zero keeps its scale ("0.00")
    put_be<int16_t>(out, 0);
    put_be<int16_t>(out, 0);
    put_be<uint16_t>(out, kPos);
    put_be<uint16_t>(out, static_cast<uint16_t>(dscale));
    return Encoded::kOk;
  }
  // Weight of the first base-10000 digit, and zero padding that aligns groups to the point.
  int64_t weight = point >= 1 ? (point - 1) / 4 : -((-point) / 4) - 1;
  int64_t pad_left = (weight + 1) * 4 - point;
  if (weight > 32767 || weight < -32768) return Encoded::kDefer;
  std::string aligned(static_cast<size_t>(pad_left), '0');
  aligned += digits;
  while (aligned.size() % 4) aligned.push_back('0');
  const size_t ngroups = aligned.size() / 4;
  put_be<int16_t>(out, static_cast<int16_t>(ngroups));
  put_be<int16_t>(out, static_cast<int16_t>(weight));
  put_be<uint16_t>(out, neg ? kNeg : kPos);
  put_be<uint16_t>(out, static_cast<uint16_t>(dscale));
  for (size_t g = 0; g < ngroups; g++) {
    const char* d = aligned.data() + 4 * g;
    put_be<int16_t>(out, static_cast<int16_t>((d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0')));
  }
  return Encoded::kOk;
}

// ---- dates and times: ISO 8601 only; everything else goes to the server -------------
int parse_fixed(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; i++) {
    if (i >= s.size() || !ascii_isdigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

enum class Parsed { kOk, kOutOfRange, kOther };

// YYYY-MM-DD at the start of s.
Parsed parse_iso_date(std::string_view s, int64_t& days) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return Parsed::kOther;
  int y = parse_fixed(s, 0, 4), m = parse_fixed(s, 5, 2), d = parse_fixed(s, 8, 2);
  if (y < 1 || m < 0 || d < 0) return Parsed::kOther;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return Parsed::kOutOfRange;
  days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) - kPostgresEpochDays;
  return Parsed::kOk;
}

// HH:MM[:SS[.ffffff]] at s[at...]; sets end to just past it.
Parsed parse_iso_time(std::string_view s, size_t at, int64_t& usec, size_t& end) {
  int h = parse_fixed(s, at, 2);
  if (h < 0 || at + 2 >= s.size() || s[at + 2] != ':') return Parsed::kOther;
  int mi = parse_fixed(s, at + 3, 2);
  if (mi < 0) return Parsed::kOther;
  int sec = 0;
  int64_t frac = 0;
  size_t p = at + 5;
  if (p < s.size() && s[p] == ':') {
    sec = parse_fixed(s, p + 1, 2);
    if (sec < 0) return Parsed::kOther;
    p += 3;
    if (p < s.size() && s[p] == '.') {
      size_t f = ++p;
      while (p < s.size() && ascii_isdigit(s[p])) p++;
      size_t nd = p - f;
      if (nd == 0 || nd > 6) return Parsed::kOther;  // rounding beyond microseconds: the server's job
      frac = parse_fixed(s, f, nd);
      for (size_t k = nd; k < 6; k++) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return Parsed::kOther;  // 24:00:00 and leap seconds: the server's job
  usec = ((h * 60LL + mi) * 60LL + sec) * 1000000LL + frac;
  end = p;
  return Parsed::kOk;
}

// Z, +HH, +HH:MM or +HHMM at s[at...], exactly to the end.
bool parse_offset(std::string_view s, size_t at, int64_t& offset_usec) {
  if (at >= s.size()) return false;
  if ((s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
    offset_usec = 0;
    return true;
  }
  if (s[at] != '+' && s[at] != '-') return false;
  int sign = s[at] == '-' ? -1 : 1;
  int h = parse_fixed(s, at + 1, 2), m = 0;
  size_t rest = s.size() - (at + 3);
  if (h < 0) return false;
  if (rest == 0) m = 0;
  else if (rest == 3 && s[at + 3] == ':') m = parse_fixed(s, at + 4, 2);
  else if (rest == 2) m = parse_fixed(s, at + 3, 2);
  else return false;
  if (m < 0 || h > 15 || m > 59) return false;
  offset_usec = sign * (h * 3600LL + m * 60LL) * 1000000LL;
  return true;
}

Encoded datetime_out_of_range(EncodeError& err, std::string_view text) {
  return invalid(err, sqlstate::kDatetimeFieldOverflow, "date/time field value out of range: \"" + std::string(text) + "\"");
}

Encoded encode_date(std::string_view text, std::string& out, EncodeError& err) {
  std::string_view s = ascii_trim(text);
  int64_t days;
  Parsed p = parse_iso_date(s, days);
  if (p == Parsed::kOutOfRange && s.size() == 10) return datetime_out_of_range(err, text);
  if (p != Parsed::kOk || s.size() != 10) return Encoded::kDefer;
  put_be<int32_t>(out, static_cast<int32_t>(days));
  return Encoded::kOk;
}

Encoded encode_timestamp(bool with_tz, std::string_view text, std::string& out, EncodeError& err) {
  std::string_view s = ascii_trim(text);
  int64_t days, usec = 0, offset = 0;
  Parsed p = parse_iso_date(s, days);
  if (p == Parsed::kOutOfRange) {
    // Only when the rest is plainly ISO too; otherwise the server words the error.
    if (s.size() == 10 || (s.size() >= 16 && (s[10] == ' ' || s[10] == 'T'))) return datetime_out_of_range(err, text);
    return Encoded::kDefer;
  }
  if (p != Parsed::kOk) return Encoded::kDefer;
  size_t end = 10;
  if (s.size() > 10) {
    if (s[10] != ' ' && s[10] != 'T') return Encoded::kDefer;
    if (parse_iso_time(s, 11, usec, end) != Parsed::kOk) return Encoded::kDefer;
  }
  if (with_tz) {
    // Without an explicit offset the session's TimeZone decides: the server's job.
    if (end == s.size() || !parse_offset(s, end, offset)) return Encoded::kDefer;
  } else if (end != s.size()) {
    return Encoded::kDefer;
  }
  put_be<int64_t>(out, days * kUsecPerDay + usec - offset);
  return Encoded::kOk;
}

Encoded encode_time(std::string_view text, std::string& out) {
  std::string_view s = ascii_trim(text);
  int64_t usec;
  size_t end;
  if (parse_iso_time(s, 0, usec, end) != Parsed::kOk || end != s.size()) return Encoded::kDefer;
  put_be<int64_t>(out, usec);
  return Encoded::kOk;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Encoded encode_uuid(std::string_view text, std::string& out, EncodeError& err) {
  std::string_view s = text;
  const bool canonical = s.size() == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
  if (!canonical && s.size() != 32) return Encoded::kDefer;
  char bytes[16];
  int nibbles = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (canonical && (i == 8 || i == 13 || i == 18 || i == 23)) continue;
    int h = hex_value(s[i]);
    if (h < 0) return invalid_syntax(err, TypeKind::kUuid, text);
    if (nibbles % 2 == 0) bytes[nibbles / 2] = static_cast<char>(h << 4);
    else bytes[nibbles / 2] = static_cast<char>(bytes[nibbles / 2] | h);
    nibbles++;
  }
  out.append(bytes, 16);
  return Encoded::kOk;
}

Encoded encode_text(const Value& v, std::string& out, EncodeError& err) {
  if (std::memchr(v.text.data(), 0, v.text.size()))
    return invalid(err, sqlstate::kCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00");
  out.append(v.text.data(), v.text.size());
  return Encoded::kOk;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void append_json_string(std::string_view s, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: out += "\\u00"; out.push_back(hex[u >> 4]); out.push_back(hex[u & 15]);
      }
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

const char* type_display_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::kBool: return "boolean";
    case TypeKind::kInt2: return "smallint";
    case TypeKind::kInt4: return "integer";
    case TypeKind::kInt8: return "bigint";
    case TypeKind::kFloat4: return "real";
    case TypeKind::kFloat8: return "double precision";
    case TypeKind::kNumeric: return "numeric";
    case TypeKind::kText: return "text";
    case TypeKind::kDate: return "date";
    case TypeKind::kTimestamp: return "timestamp without time zone";
    case TypeKind::kTimestampTz: return "timestamp with time zone";
    case TypeKind::kTime: return "time without time zone";
    case TypeKind::kUuid: return "uuid";
    case TypeKind::kJson: return "json";
    case TypeKind::kJsonb: return "jsonb";
    case TypeKind::kOther: return "other";
  }
  return "other";
}

Encoded encode_binary(TypeKind kind, const Value& v, std::string& out, EncodeError& err) {
  switch (kind) {
    case TypeKind::kBool: return encode_bool(v.text, out, err);
    case TypeKind::kInt2:
    case TypeKind::kInt4:
    case TypeKind::kInt8: return encode_int(kind, v.text, out, err);
    case TypeKind::kFloat4: return encode_float<float>(kind, v.text, out, err);
    case TypeKind::kFloat8: return encode_float<double>(kind, v.text, out, err);
    case TypeKind::kNumeric: return encode_numeric(v.text, out, err);
    case TypeKind::kText: return encode_text(v, out, err);
    case TypeKind::kDate: return encode_date(v.text, out, err);
    case TypeKind::kTimestamp: return encode_timestamp(false, v.text, out, err);
    case TypeKind::kTimestampTz: return encode_timestamp(true, v.text, out, err);
    case TypeKind::kTime: return encode_time(v.text, out);
    case TypeKind::kUuid: return encode_uuid(v.text, out, err);
    case TypeKind::kJson:
      if (v.kind == ValueKind::kJsonString) append_json_string(v.text, out);
      else out.append(v.text.data(), v.text.size());
      return Encoded::kOk;
    case TypeKind::kJsonb:
      out.push_back('\x01');  // jsonb binary format version
      if (v.kind == ValueKind::kJsonString) append_json_string(v.text, out);
      else out.append(v.text.data(), v.text.size());
      return Encoded::kOk;
    case TypeKind::kOther: return Encoded::kDefer;
  }
  return Encoded::kDefer;
}

Encoded encode_binary(TypeKind kind, const Value& v, const DateReadingOptions& dates, std::string& out, EncodeError& err) {
  const bool dated = kind == TypeKind::kDate || kind == TypeKind::kTimestamp || kind == TypeKind::kTimestampTz;
  if (!dated || v.is_null() || (!dates.format && dates.order.empty())) return encode_binary(kind, v, out, err);
  std::string iso;
  switch (read_date_as_configured(v.text, dates.format, dates.order, iso)) {
    case DateReading::kIso:
      // A date alone is a date even for timestamp columns (midnight); drop the time for dates.
      if (kind == TypeKind::kDate && iso.size() > 10) iso.resize(10);
      return encode_binary(kind, Value{iso, ValueKind::kText}, out, err);
    case DateReading::kMismatch:
      err.sqlstate = sqlstate::kInvalidDatetimeFormat;
      err.message = "value \"" + std::string(v.text) + "\" does not match the date format " + date_format_name(*dates.format);
      return Encoded::kInvalid;
    case DateReading::kUnchanged: break;
  }
  return encode_binary(kind, v, out, err);
}

}  // namespace pg_etl
