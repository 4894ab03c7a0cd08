#pragma once
// pg_etl's configuration parameters (all named pg_etl.*). See README "Configuration".
namespace pg_etl::guc {

extern char* database;  // pg_etl.database: the database the background worker serves

// Defines the parameters. None is PGC_POSTMASTER: Postgres makes defining one FATAL
// when the library is loaded by a session rather than preloaded.
void define();

}  // namespace pg_etl::guc
