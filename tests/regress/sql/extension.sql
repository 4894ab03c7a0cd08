-- CREATE EXTENSION pg_etl (done by tests/run_regress.sh) makes schema etl
-- and etl.version(), which matches the installed extension version.
SELECT nspname FROM pg_namespace WHERE nspname = 'etl';
SELECT etl.version() = extversion AS version_matches FROM pg_extension WHERE extname = 'pg_etl';
SELECT etl.version() ~ '^\d+\.\d+\.\d+$' AS version_is_semver;

-- The schema and its objects belong to the extension and leave with it.
SELECT count(*) > 0 AS has_members
  FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
 WHERE e.extname = 'pg_etl' AND d.deptype = 'e';

-- GUCs live under pg_etl.*; unknown names in the reserved prefix are refused.
SHOW pg_etl.database;
SET pg_etl.no_such_setting = 'x';

DROP EXTENSION pg_etl;
SELECT count(*) AS etl_schema_left FROM pg_namespace WHERE nspname = 'etl';
CREATE EXTENSION pg_etl;
SELECT etl.version() IS NOT NULL AS recreated;
