\echo Use "CREATE EXTENSION pg_etl_test" to load this file. \quit

CREATE SCHEMA etl_test;

-- A C++ exception of pg_etl's own type with the given SQLSTATE.
CREATE FUNCTION etl_test.throw_error(sqlstate text, message text, detail text DEFAULT NULL, hint text DEFAULT NULL)
  RETURNS void AS 'MODULE_PATHNAME', 'etl_test_throw_error' LANGUAGE C;
-- A foreign exception: 'runtime_error', 'bad_alloc' or 'int'.
CREATE FUNCTION etl_test.throw_foreign(kind text)
  RETURNS void AS 'MODULE_PATHNAME', 'etl_test_throw_foreign' LANGUAGE C STRICT;
-- Parses value with int4in under pg_guard while C++ objects with destructors are alive.
CREATE FUNCTION etl_test.parse_int_under_cpp(value text)
  RETURNS int AS 'MODULE_PATHNAME', 'etl_test_parse_int_under_cpp' LANGUAGE C STRICT;
-- How many probe objects were destroyed in this backend (shows unwinding happened).
CREATE FUNCTION etl_test.destructor_count()
  RETURNS bigint AS 'MODULE_PATHNAME', 'etl_test_destructor_count' LANGUAGE C STRICT;
-- Inserts each value into target (one int column), each in its own subtransaction;
-- failures are swallowed and reported. Returns one line per failure.
CREATE FUNCTION etl_test.insert_each(target regclass, vals text[])
  RETURNS SETOF text AS 'MODULE_PATHNAME', 'etl_test_insert_each' LANGUAGE C STRICT;
-- Busy C++ work for up to seconds, checking for interrupts through the core's hook.
CREATE FUNCTION etl_test.spin(seconds float8)
  RETURNS bigint AS 'MODULE_PATHNAME', 'etl_test_spin' LANGUAGE C STRICT;
-- A C++ exception thrown inside PG_TRY (inside pg_guard) must still restore Postgres'
-- error stack: the following ERROR is raised cleanly.
CREATE FUNCTION etl_test.throw_inside_pg_guard()
  RETURNS void AS 'MODULE_PATHNAME', 'etl_test_throw_inside_pg_guard' LANGUAGE C;

-- Runs sql and returns 'SQLSTATE: message' of the error it raises, or 'ok'.
CREATE FUNCTION etl_test.error_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
