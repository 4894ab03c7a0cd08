// etl.version(): the version of the loaded library.
#include "core/version.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "utils/builtins.h"
}

PG_ETL_FUNCTION(pg_etl_version) { return CStringGetTextDatum(pg_etl::kVersion); }
