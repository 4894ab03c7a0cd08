// Coercion that never aborts a load: etl.try_cast, etl.try_cast_as, etl.try_cast_error,
// etl.to_number, etl.to_timestamp, etl.to_boolean. A value that does not convert is
// NULL (or, from try_cast_error, the reason), never an ERROR.
//
// try_cast decides most values without the server: the loader's binary encoder
// (core/value_encoder.hpp) is exactly as strict as PostgreSQL's input functions for the
// common types and builds the Datum directly. Only what it defers (domains, exotic
// types, unusual spellings) goes through the type's input function inside a
// subtransaction, which is what a PL/pgSQL EXCEPTION block pays on every call.
#include <charconv>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/boolean_text.hpp"
#include "core/error.hpp"
#include "core/number_text.hpp"
#include "core/sqlstate.hpp"
#include "core/timestamp_format.hpp"
#include "core/value_encoder.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/call_cache.hpp"
#include "extension/pg/subtransaction.hpp"
#include "extension/pg_time_zone.hpp"
#include "extension/target_columns.hpp"

extern "C" {
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
}

namespace pg_etl::pg {
namespace {

// What converting text into one type needs, built once per call site.
struct CastTarget {
  TargetColumn col;
  FmgrInfo output;
};

CastTarget make_cast_target(Oid type) {
  CastTarget t;
  TupleDesc desc = pg_guard([type] {
    TupleDesc d = CreateTemplateTupleDesc(1);
    TupleDescInitEntry(d, 1, "value", type, -1, 0);
    return d;
  });
  std::vector<TargetColumn> cols = describe_columns(desc);
  t.col = std::move(cols.front());
  pg_guard([&] {
    Oid out_fn;
    bool varlena;
    getTypeOutputInfo(type, &out_fn, &varlena);
    fmgr_info(out_fn, &t.output);
  });
  return t;
}

CastTarget& cast_target(FunctionCallInfo fcinfo, Oid type) {
  return call_cache<CastTarget>(
      fcinfo, [type] { return make_cast_target(type); }, [type](const CastTarget& t) { return t.col.type == type; });
}

// value converted to the target's type; false (why set when asked) when it does not.
bool convert(CastTarget& t, std::string_view text, Datum& out, std::string* why) {
  // Domains check their constraints in their input function: never decided here.
  if (t.col.type == t.col.base_type) {
    std::string bin;
    EncodeError err;
    switch (encode_binary(t.col.kind, Value{text, ValueKind::kText}, bin, err)) {
      case Encoded::kOk: out = datum_from_binary(t.col, bin); return true;
      case Encoded::kInvalid:
        if (why) *why = err.message;
        return false;
      case Encoded::kDefer: break;
    }
  }
  const std::string cstr(text);
  const char* s = cstr.c_str();
  Datum result = 0;
  ErrorData* e = try_in_subtransaction([&] {
    result = InputFunctionCall(&t.col.input, const_cast<char*>(s), t.col.input_ioparam, t.col.typmod);
  });
  if (!e) {
    out = result;
    return true;
  }
  if (why) *why = e->message ? e->message : "invalid input";
  pg_guard([e] { FreeErrorData(e); });
  return false;
}

Oid regtype_arg(FunctionCallInfo fcinfo, int n) { return PG_GETARG_OID(n); }

}  // namespace
}  // namespace pg_etl::pg

using namespace pg_etl;
using namespace pg_etl::pg;

// etl.try_cast(value text, target regtype) -> text: the value as the target type prints
// it (etl.try_cast(' 42 ', 'int') = '42'), NULL when it does not convert.
PG_ETL_FUNCTION(pg_etl_try_cast) {
  CastTarget& t = cast_target(fcinfo, regtype_arg(fcinfo, 1));
  const std::string_view value = text_view_arg(fcinfo, 0);
  const TypeKind kind = t.col.kind;
  if (t.col.type == t.col.base_type && (kind == TypeKind::kInt2 || kind == TypeKind::kInt4 || kind == TypeKind::kInt8)) {
    // Integers (the common case) straight from the text to their digits: no Datum, no
    // error message for a value that is simply not a number.
    const std::optional<int64_t> v = parse_integer(kind, value);
    if (!v) PG_RETURN_NULL();
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, *v).ptr;
    return text_datum(std::string_view(buf, static_cast<size_t>(end - buf)));
  }
  Datum d;
  if (!convert(t, value, d, nullptr)) PG_RETURN_NULL();
  return pg_guard([&] { return PointerGetDatum(cstring_to_text(OutputFunctionCall(&t.output, d))); });
}

// etl.try_cast_as(value text, example anyelement) -> anyelement: typed, e.g.
// etl.try_cast_as(price, NULL::numeric).
PG_ETL_FUNCTION(pg_etl_try_cast_as) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const Oid type = pg_guard([&] { return get_fn_expr_argtype(fcinfo->flinfo, 1); });
  if (!OidIsValid(type))
    throw Error(sqlstate::kInvalidParameterValue, "etl.try_cast_as cannot tell the target type", "",
                "pass a typed NULL as the second argument, e.g. etl.try_cast_as(value, NULL::int)");
  CastTarget& t = cast_target(fcinfo, type);
  Datum d;
  if (!convert(t, text_view_arg(fcinfo, 0), d, nullptr)) PG_RETURN_NULL();
  return d;
}

// etl.try_cast_error(value text, target regtype) -> text: NULL when the value converts,
// else PostgreSQL's own message for it.
PG_ETL_FUNCTION(pg_etl_try_cast_error) {
  CastTarget& t = cast_target(fcinfo, regtype_arg(fcinfo, 1));
  Datum d;
  std::string why;
  if (convert(t, text_view_arg(fcinfo, 0), d, &why)) PG_RETURN_NULL();
  return text_datum(why);
}

// etl.to_number(value text, options jsonb DEFAULT '{}') -> numeric
PG_ETL_FUNCTION(pg_etl_to_number) {
  const NumberTextOptions& options = parsed_arg_cache<NumberTextOptions>(
      fcinfo, varlena_bytes_arg(fcinfo, 1), [&] { return number_text_options(nlohmann::json::parse(jsonb_arg(fcinfo, 1))); });
  const std::optional<std::string> n = parse_number_text(text_view_arg(fcinfo, 0), options);
  if (!n) PG_RETURN_NULL();
  const char* s = n->c_str();
  return pg_guard([s] { return DirectFunctionCall3(numeric_in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)); });
}

// etl.to_boolean(value text) -> boolean
PG_ETL_FUNCTION(pg_etl_to_boolean) {
  const std::optional<bool> b = parse_boolean_text(text_view_arg(fcinfo, 0));
  if (!b) PG_RETURN_NULL();
  PG_RETURN_BOOL(*b);
}

namespace {

// etl.to_timestamp's per-query state: the formats, and the zone for values without an
// offset (tz, else the session's TimeZone).
struct TimestampParser {
  std::string formats_key, tz_key;  // the arguments' bytes
  const void* session_zone;         // SET TimeZone while the query runs changes it
  std::vector<TimestampFormat> formats;
  std::optional<PgTimeZone> zone;
};

std::string session_zone_name() {
  return pg_guard([] { return pg_get_timezone_name(session_timezone); });
}

}  // namespace

// etl.to_timestamp(value text, formats text[] DEFAULT NULL, tz text DEFAULT NULL) -> timestamptz
PG_ETL_FUNCTION(pg_etl_to_timestamp) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  const std::string_view formats_key = varlena_bytes_arg(fcinfo, 1), tz_key = varlena_bytes_arg(fcinfo, 2);
  const void* session_zone = PG_ARGISNULL(2) ? session_timezone : nullptr;
  TimestampParser& p = call_cache<TimestampParser>(
      fcinfo,
      [&] {
        TimestampParser n{std::string(formats_key), std::string(tz_key), session_zone, {}, {}};
        for (const std::string& f : text_array_arg(fcinfo, 1)) n.formats.emplace_back(f);
        // 22023 for an unknown zone, even when every value has an offset
        n.zone.emplace(PG_ARGISNULL(2) ? session_zone_name() : text_arg(fcinfo, 2));
        return n;
      },
      [&](const TimestampParser& k) {
        return k.formats_key == formats_key && k.tz_key == tz_key && k.session_zone == session_zone;
      });
  ParsedDateTime t;
  bool ok = false;
  if (p.formats.empty()) {
    ok = parse_timestamp_any(text_view_arg(fcinfo, 0), t);
  } else {
    const std::string_view v = text_view_arg(fcinfo, 0);
    for (const TimestampFormat& f : p.formats)
      if ((ok = f.parse(v, t))) break;
  }
  if (!ok) PG_RETURN_NULL();
  const CivilTime local{t.year, t.month, t.day, t.hour, t.minute, t.second};
  int64_t unix_seconds;
  if (t.has_offset) {
    unix_seconds = unix_from_civil(local) - t.offset_seconds;
  } else {
    unix_seconds = p.zone->to_unix(local);
  }
  constexpr int64_t kPostgresEpochUnix = 946684800;  // 2000-01-01 00:00:00 UTC
  const TimestampTz ts = (unix_seconds - kPostgresEpochUnix) * USECS_PER_SEC + t.micros;
  PG_RETURN_TIMESTAMPTZ(ts);
}
