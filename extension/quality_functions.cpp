// The data-quality rules engine's server side: compiling a ruleset (core/quality_rules,
// core/quality_sql) and keeping a failed gate's results across the run's rollback. The
// evaluation itself is SQL (etl.check, etl._quality_evaluate): one shared scan.
#include <optional>
#include <string>

#include "core/quality_sql.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

using namespace pg_etl;
using namespace pg_etl::pg;

// etl._quality_plan(rules text, target text) -> jsonb
PG_ETL_FUNCTION(pg_etl_quality_plan) {
  return jsonb_datum(compile_quality_rules(text_view_arg(fcinfo, 0), text_view_arg(fcinfo, 1)).dump());
}

namespace {
// Process memory survives a subtransaction's rollback, which is the point: a pipeline's
// failed quality gate raises (undoing its load) and the run's error handler records the
// results it computed. One slot: runs in a backend are sequential.
std::optional<std::string> stashed_results;
}  // namespace

// etl._quality_stash(results jsonb) -> void
PG_ETL_FUNCTION(pg_etl_quality_stash) {
  stashed_results = jsonb_arg(fcinfo, 0);
  PG_RETURN_VOID();
}

// etl._quality_unstash() -> jsonb: what was stashed (NULL if nothing), and forgets it.
PG_ETL_FUNCTION(pg_etl_quality_unstash) {
  if (!stashed_results) PG_RETURN_NULL();
  const std::string json = std::move(*stashed_results);
  stashed_results.reset();
  return jsonb_datum(json);
}
