#include "extension/pg/args.hpp"

#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/privileges.hpp"

extern "C" {
#include "catalog/pg_type.h"
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

SourceArgs source_args(FunctionCallInfo fcinfo, int url_arg, int options_arg) {
  if (PG_ARGISNULL(url_arg)) throw Error(sqlstate::kInvalidParameterValue, "url must not be NULL");
  SourceArgs a{text_arg(fcinfo, url_arg), jsonb_arg(fcinfo, options_arg), {}};
  a.options = parse_read_options(a.options_json);
  check_read_privilege(a.url, a.options.transport);
  return a;
}

}  // namespace pg_etl::pg
