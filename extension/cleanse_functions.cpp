// Cleansing: etl.clean_text, etl.null_if, etl.normalize_email, etl.normalize_phone.
// Row-by-row functions over millions of values: options are read once per query.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/email_address.hpp"
#include "core/null_tokens.hpp"
#include "core/phone_number.hpp"
#include "core/text_clean.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/call_cache.hpp"

using namespace pg_etl;
using namespace pg_etl::pg;

// etl.clean_text(value text, options jsonb DEFAULT '{}') -> text
PG_ETL_FUNCTION(pg_etl_clean_text) {
  const CleanTextOptions& options = parsed_arg_cache<CleanTextOptions>(
      fcinfo, varlena_bytes_arg(fcinfo, 1), [&] { return clean_text_options(nlohmann::json::parse(jsonb_arg(fcinfo, 1))); });
  return text_datum(clean_text(text_view_arg(fcinfo, 0), options));
}

// etl.null_if(value text, tokens text[] DEFAULT NULL) -> text: NULL for a null token
// ('', NA, N/A, -, null, none, nan, #N/A when tokens is NULL), else the value.
PG_ETL_FUNCTION(pg_etl_null_if) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  // NULL tokens (the defaults) have no bytes; any array has some
  const std::vector<std::string>& tokens = parsed_arg_cache<std::vector<std::string>>(
      fcinfo, varlena_bytes_arg(fcinfo, 1),
      [&] { return PG_ARGISNULL(1) ? default_null_tokens() : text_array_arg(fcinfo, 1); });
  if (is_null_token(text_view_arg(fcinfo, 0), tokens)) PG_RETURN_NULL();
  PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

// etl.normalize_email(value text) -> text: trimmed, lower case; NULL when not an address.
PG_ETL_FUNCTION(pg_etl_normalize_email) {
  const std::optional<std::string> e = normalize_email(text_view_arg(fcinfo, 0));
  if (!e) PG_RETURN_NULL();
  return text_datum(*e);
}

// etl.normalize_phone(value text, default_region text DEFAULT 'US') -> text: E.164,
// NULL when not a valid number.
PG_ETL_FUNCTION(pg_etl_normalize_phone) {
  const std::string region = PG_ARGISNULL(1) ? "" : text_arg(fcinfo, 1);
  const std::optional<std::string> p = normalize_phone(text_view_arg(fcinfo, 0), region);
  if (!p) PG_RETURN_NULL();
  return text_datum(*p);
}
