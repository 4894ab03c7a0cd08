#include "extension/pg/args.hpp"

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

}  // namespace pg_etl::pg
