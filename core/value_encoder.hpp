#pragma once
// Text -> PostgreSQL binary representation (the COPY BINARY field format), for the
// common column types. It is the fast path of loading and a validator at once:
//
//   kOk       the value is valid; its binary form was appended to out
//   kInvalid  PostgreSQL's input function would reject it: err holds the same SQLSTATE
//             and message, so the row goes to etl.rejects without touching the server
//   kDefer    not decided here (an unusual but maybe valid spelling, a time zone name,
//             an exotic type): the caller hands the text to the type's input function
//
// The rule is strictness equal to PostgreSQL's: anything kOk or kInvalid here gets the
// same verdict from the server. When in doubt, defer.
#include <optional>
#include <string>
#include <string_view>

#include "core/date_formats.hpp"
#include "core/record.hpp"

namespace pg_etl {

enum class TypeKind {
  kBool, kInt2, kInt4, kInt8, kFloat4, kFloat8, kNumeric, kText,
  kDate, kTimestamp, kTimestampTz, kTime, kUuid, kJson, kJsonb, kOther,
};

enum class Encoded { kOk, kInvalid, kDefer };

struct EncodeError {
  const char* sqlstate = "";
  std::string message;
};

Encoded encode_binary(TypeKind kind, const Value& value, std::string& out, EncodeError& err);

// How a load reads date and timestamp columns (options date_formats and date_order):
// a spelling for the column, or an order that settles 05/06/2019.
struct DateReadingOptions {
  std::optional<DateFormat> format;
  std::string order;
};

// encode_binary, with dates read as the options say (22007 when a value does not match
// the column's spelling).
Encoded encode_binary(TypeKind kind, const Value& value, const DateReadingOptions& dates, std::string& out, EncodeError& err);

// An integer as PostgreSQL 15's int2/int4/int8 input reads it (spaces around, a sign,
// digits); nothing for a syntax error or, with *out_of_range set, a value out of range.
std::optional<int64_t> parse_integer(TypeKind kind, std::string_view text, bool* out_of_range = nullptr);

// Appends s as a JSON string literal (quoted and escaped).
void append_json_string(std::string_view s, std::string& out);

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// PostgreSQL's name for a kind, as its error messages spell it ("integer", "numeric").
const char* type_display_name(TypeKind kind);

}  // namespace pg_etl
