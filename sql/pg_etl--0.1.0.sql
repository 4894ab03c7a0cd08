-- pg_etl 0.1.0: the foundation. Frozen once released: later changes go into
-- migrations/pg_etl--0.1.0--<next>.sql and a new sql/pg_etl--<next>.sql.
\echo Use "CREATE EXTENSION pg_etl" to load this file. \quit

CREATE SCHEMA etl;
COMMENT ON SCHEMA etl IS 'pg_etl: sources, pipelines, runs, catalog, lineage';

CREATE FUNCTION etl.version() RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_version'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.version() IS 'Version of the loaded pg_etl library';
