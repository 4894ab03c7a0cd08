-- The C++/Postgres error boundary (DESIGN.md). The probes live in the test-only
-- extension pg_etl_test; they use the same boundary code as pg_etl itself.
CREATE EXTENSION pg_etl_test;

-- 1. A C++ exception becomes an ERROR with the intended SQLSTATE, message, detail, hint.
\set VERBOSITY default
SELECT etl_test.throw_error('22P04', 'bad row at file:///x.csv:3:2', 'raw: "a,b"', 'check the delimiter');
SELECT etl_test.error_of($$SELECT etl_test.throw_error('58P01', 'could not open file "/nope"')$$);
SELECT etl_test.error_of($$SELECT etl_test.throw_error('nonsense', 'malformed SQLSTATE falls back')$$);
-- Foreign exceptions: std::runtime_error -> XX000, std::bad_alloc -> 53200, non-std -> XX000.
SELECT etl_test.error_of($$SELECT etl_test.throw_foreign('runtime_error')$$);
SELECT etl_test.error_of($$SELECT etl_test.throw_foreign('bad_alloc')$$);
SELECT etl_test.error_of($$SELECT etl_test.throw_foreign('int')$$);

-- 2. A Postgres ERROR raised under C++ code keeps its own SQLSTATE and message, runs
--    the C++ destructors on the way out (4 probes live in that frame), and leaves the
--    session usable.
SELECT etl_test.destructor_count() AS before \gset
SELECT etl_test.parse_int_under_cpp('42');
SELECT etl_test.destructor_count() - :before AS destroyed_on_success;
SELECT etl_test.destructor_count() AS before \gset
SELECT etl_test.parse_int_under_cpp('forty-two');
SELECT etl_test.destructor_count() - :before AS destroyed_on_error;
SELECT etl_test.error_of($$SELECT etl_test.parse_int_under_cpp('99999999999')$$);
SELECT 1 + 1 AS session_still_usable;

-- Inside an explicit transaction the error aborts it as usual, and ROLLBACK recovers.
BEGIN;
SELECT etl_test.parse_int_under_cpp('x');
SELECT 1;
ROLLBACK;
SELECT 'recovered' AS after_rollback;

-- A C++ exception thrown inside pg_guard (inside PG_TRY) still leaves Postgres' error
-- stack intact: the ERROR is clean and the session goes on.
SELECT etl_test.error_of($$SELECT etl_test.throw_inside_pg_guard()$$);
SELECT etl_test.error_of($$SELECT etl_test.throw_inside_pg_guard()$$);

-- 3. An internal subtransaction swallows an error and goes on: good rows are kept,
--    each failure is reported, the surrounding transaction stays healthy.
CREATE TABLE ints (v int CHECK (v >= 0));
SELECT * FROM etl_test.insert_each('ints', ARRAY['1', 'two', '3', '-4', NULL, '99999999999', '5']);
SELECT v FROM ints ORDER BY v NULLS LAST;
BEGIN;
SELECT count(*) AS failures FROM etl_test.insert_each('ints', ARRAY['6', 'x']);
SELECT count(*) AS rows_in_txn FROM ints;
ROLLBACK;
SELECT count(*) AS rows_after_rollback FROM ints;

DROP TABLE ints;
DROP EXTENSION pg_etl_test;
