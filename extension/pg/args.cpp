#include "extension/pg/args.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/privileges.hpp"
#include "extension/secrets.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace pg_etl::pg {

std::string text_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return {};
  Datum d = PG_GETARG_DATUM(n);
  char* s = pg_guard([d] { return text_to_cstring(DatumGetTextPP(d)); });
  std::string out(s);
  pfree(s);
  return out;
}

namespace {
// A varlena Datum detoasted (packed headers allowed). Called per row by the transform
// functions: values stored inline need no detoasting, so no error guard either.
varlena* untoasted(Datum d) {
  varlena* v = reinterpret_cast<varlena*>(DatumGetPointer(d));
  if (!VARATT_IS_COMPRESSED(v) && !VARATT_IS_EXTERNAL(v)) return v;
  return pg_guard([d] { return PG_DETOAST_DATUM_PACKED(d); });
}
}  // namespace

std::string_view text_view_arg(FunctionCallInfo fcinfo, int n) {
  varlena* t = untoasted(PG_GETARG_DATUM(n));
  return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

std::string_view varlena_bytes_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return {};
  varlena* v = untoasted(PG_GETARG_DATUM(n));
  return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

Datum text_datum(std::string_view s) {
  // MCXT_ALLOC_NO_OOM: palloc cannot raise, so no pg_guard (a setjmp per value: a
  // measurable share of a per-row function such as etl.try_cast).
  auto* t = static_cast<text*>(palloc_extended(s.size() + VARHDRSZ, MCXT_ALLOC_NO_OOM));
  if (!t) throw Error(sqlstate::kOutOfMemory, "out of memory");
  SET_VARSIZE(t, s.size() + VARHDRSZ);
  std::memcpy(VARDATA(t), s.data(), s.size());
  return PointerGetDatum(t);
}

Datum jsonb_datum(const std::string& json) {
  const char* s = json.c_str();
  return pg_guard([s] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(s)); });
}

std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int n) {
  std::vector<std::string> out;
  if (PG_ARGISNULL(n)) return out;
  Datum* elems;
  bool* nulls;
  int count;
  pg_guard([&] {
    deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
  });
  for (int i = 0; i < count; i++) {
    if (nulls[i]) continue;
    char* s = pg_guard([&] { return text_to_cstring(DatumGetTextPP(elems[i])); });
    out.emplace_back(s);
    pfree(s);
  }
  return out;
}

std::string jsonb_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return "{}";
  if (get_fn_expr_argtype(fcinfo->flinfo, n) == TEXTOID) return text_arg(fcinfo, n);
  Datum d = PG_GETARG_DATUM(n);
  char* s = pg_guard([d] {
    Jsonb* jb = DatumGetJsonbP(d);
    return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
  });
  std::string out(s);
  pfree(s);
  return out;
}

namespace {

// A named source (etl.create_source): its URL, and its options under the call's own.
bool resolve_source(SourceArgs& a) {
  const std::string& name = a.url;
  if (name.empty() || name[0] == '/' || name.find("://") != std::string::npos) return false;
  std::string url, options;
  bool found = false;
  pg_guard([&] {
    SPI_connect();
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(name.c_str())};
    const bool have_table = OidIsValid(get_relname_relid("source_config", get_namespace_oid("etl", true)));
    if (have_table &&
        SPI_execute_with_args("SELECT url, options::text FROM etl.source_config WHERE name = $1", 1, types, values, nullptr,
                              true, 1) == SPI_OK_SELECT &&
        SPI_processed == 1) {
      // Copied out before SPI_finish frees SPI's memory.
      url = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
      options = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
      found = true;
    }
    SPI_finish();
  });
  if (!found) {
    throw Error(sqlstate::kUndefinedObject, "\"" + name + "\" is neither a URL nor a source", "",
                "give a URL (file:///..., https://..., s3://...), an absolute path, or a name from etl.sources");
  }
  a.url = url;
  a.options_json = merge_options(options, a.options_json);
  return true;
}

}  // namespace

SourceArgs source_args(FunctionCallInfo fcinfo, int url_arg, int options_arg) {
  if (PG_ARGISNULL(url_arg)) throw Error(sqlstate::kInvalidParameterValue, "url must not be NULL");
  SourceArgs a{text_arg(fcinfo, url_arg), jsonb_arg(fcinfo, options_arg), {}};
  resolve_source(a);
  // the options as written (secrets by name) are what gets recorded; resolved ones are only parsed
  a.options = parse_read_options(with_secrets(a.options_json));
  check_read_privilege(a.url, a.options.transport);
  // As dblink and postgres_fdw do: a non-superuser may not log in to a database as the
  // server's own OS user (trust, peer, ~/.pgpass); the server must ask for a password.
  a.options.require_db_password = !pg_guard([] { return superuser(); });
  return a;
}

}  // namespace pg_etl::pg
