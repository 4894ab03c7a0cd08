#pragma once
// Reading SQL arguments into C++ values.
#include <string>
#include <string_view>
#include <vector>

#include "core/read_options.hpp"
#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {

// Text argument n ("" when NULL).
std::string text_arg(FunctionCallInfo fcinfo, int n);

// Text argument n without a copy: valid for the rest of the call. Not for NULLs.
std::string_view text_view_arg(FunctionCallInfo fcinfo, int n);

// The bytes of a varlena argument (text, an array, jsonb), detoasted, without a copy:
// a cheap key for per-query caches. Empty for NULL.
std::string_view varlena_bytes_arg(FunctionCallInfo fcinfo, int n);

// A text Datum of s, palloc'd in the current memory context.
Datum text_datum(std::string_view s);

// A jsonb Datum of JSON text (the server parses it: 22P02 for bad JSON).
Datum jsonb_datum(const std::string& json);

// text[] argument n, NULL elements left out (empty when the array is NULL).
std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int n);

// jsonb argument n as JSON text ("{}" when NULL). A text argument is taken as JSON text
// too: the readers have (url text, options text) overloads so that two untyped literals
// resolve unambiguously.
std::string jsonb_arg(FunctionCallInfo fcinfo, int n);

// The arguments every reader takes: a URL (not NULL) and its options, parsed, with
// the caller's right to read that URL checked.
struct SourceArgs {
  std::string url;
  std::string options_json;
  ReadOptions options;
};
SourceArgs source_args(FunctionCallInfo fcinfo, int url_arg, int options_arg);

}  // namespace pg_etl::pg
