#include "extension/guc.hpp"

#include "extension/pg/postgres.hpp"
extern "C" {
#include "utils/guc.h"
}

namespace pg_etl::guc {

char* database = nullptr;

void define() {
  DefineCustomStringVariable(
      "pg_etl.database", "Database in which pg_etl's background worker runs pipelines.",
      "The extension must be created in this database. On reload the launcher moves to the new "
      "database.",
      &database, "postgres", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("pg_etl");
}

}  // namespace pg_etl::guc
