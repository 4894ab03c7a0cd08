#!/usr/bin/env bash
# Databases as sources (issue 6): etl.read_query and etl.load against a second PostgreSQL
# cluster (pgsrc) and a MariaDB server (tests/servers): type mapping of the common types,
# NULL versus empty text, streaming, incremental cursors, pipelines, secrets, privileges
# and errors that name the server without its password.
. "$(dirname "$0")/lib.sh"
servers_env
DB=db_sources_test
fresh_db $DB
PGS="$ETL_PGSRC_URL"
MY="$ETL_MYSQL_URL"
PGS_NOPW="postgresql://etl@127.0.0.1:$ETL_PGSRC_PORT/etl_src"
MY_NOPW="mysql://etl@127.0.0.1:$ETL_MYSQL_PORT/etl_src"
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS db_reader" \
  -c "CREATE ROLE db_reader LOGIN IN ROLE etl_network" -c "DROP ROLE IF EXISTS db_stranger" -c "CREATE ROLE db_stranger LOGIN" >/dev/null
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS db_reader" \
    -c "DROP ROLE IF EXISTS db_stranger" >/dev/null 2>&1
}
trap cleanup EXIT
as() { psql -X -A -t -q -v ON_ERROR_STOP=1 -U "$1" -d $DB -c "$2"; }

# The expected values: the source's own seed, applied here too.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$PG_ETL_SOURCE_DIR/tests/servers/seed_pgsrc.sql" >/dev/null
rows() { q "SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM ($1) t" $DB; }

# ---- PostgreSQL: every common type reads back unchanged ---------------------------------
want=$(rows "SELECT * FROM types_demo")
got=$(rows "SELECT * FROM etl.read_query(NULL::types_demo, '$PGS', 'SELECT * FROM types_demo')")
[ "$got" == "$want" ] || fail "PostgreSQL types: got
$got
want
$want"
pass "PostgreSQL: smallint..inet, arrays, json, bytea, interval, timestamptz read back unchanged (typed form)"
assert_eq "$(q "SELECT c_text = '' AND c_varchar = '' AND c_text IS NOT NULL FROM etl.read_query(NULL::types_demo, '$PGS', 'SELECT * FROM types_demo WHERE id = 5')" $DB)" t \
  "an empty string stays an empty string"
assert_eq "$(q "SELECT count(*) FILTER (WHERE c_text IS NULL) FROM etl.read_query('$PGS', 'SELECT id, c_text FROM types_demo;') AS t(id int, c_text text)" $DB)" 1 \
  "NULL stays NULL (column definition list; a trailing semicolon is fine)"
assert_eq "$(q "SELECT count(*) || ' ' || sum(n) FROM etl.read_query('$PGS', 'SELECT g AS n FROM generate_series(1, 300000) g') AS t(n bigint)" $DB)" \
  "300000 45000150000" "300,000 rows streamed"

# ---- MySQL / MariaDB: the same logical data -------------------------------------------
shared="id, c_smallint, c_int, c_bigint, c_decimal, c_float, c_double, c_bool, c_char, c_varchar, c_text, c_date, c_datetime, c_timestamptz, c_time, c_json::jsonb, c_bytes"
want=$(rows "SELECT $shared FROM types_demo")
got=$(rows "SELECT $shared FROM etl.read_query('$MY', 'SELECT * FROM types_demo') AS t(id int, c_smallint smallint, c_int int, c_bigint bigint,
  c_decimal numeric(12,2), c_float real, c_double double precision, c_bool boolean, c_char char(5), c_varchar varchar(100), c_text text,
  c_date date, c_datetime timestamp(6), c_timestamptz timestamptz, c_time time, c_json json, c_bytes bytea)")
[ "$got" == "$want" ] || fail "MySQL types: got
$got
want
$want"
pass "MySQL: integers, DECIMAL, FLOAT/DOUBLE, BOOLEAN, CHAR/VARCHAR/TEXT, DATE, DATETIME, TIMESTAMP, TIME, JSON, BLOB match PostgreSQL's"
assert_eq "$(q "SELECT string_agg(concat_ws('|', id, c_tinyint, c_ubigint, c_year, c_enum, c_varbinary, c_bit), ' ' ORDER BY id)
  FROM etl.read_query('$MY', 'SELECT id, c_tinyint, c_ubigint, c_year, c_enum, c_varbinary, c_bit FROM types_demo')
  AS t(id int, c_tinyint smallint, c_ubigint numeric(20), c_year int, c_enum text, c_varbinary bytea, c_bit bytea)" $DB)" \
  '1|7|42|2024|medium|\x0102|\x05 2|-128|18446744073709551615|1901|small|\x00|\xff 3|0|4|2155|large|\xff|\xa5 4 5|0|0|0|small|\x|\x00' \
  "MySQL-only types: TINYINT, BIGINT UNSIGNED, YEAR, ENUM, VARBINARY and BIT"
assert_eq "$(q "SELECT c_date IS NULL AND c_datetime IS NULL FROM etl.read_query('$MY', 'SELECT * FROM types_demo WHERE id = 5') AS t(c_date date, c_datetime timestamp)" $DB)" t \
  "MySQL zero dates are NULL"
assert_eq "$(q "SELECT c_text = '' FROM etl.read_query('$MY', 'SELECT c_text FROM types_demo WHERE id = 5') AS t(c_text text)" $DB)" t "MySQL empty text stays empty"
assert_eq "$(q "SELECT count(*) FROM etl.read_query('$MY', 'SELECT a.id FROM tickets a JOIN tickets b ON b.id <= 300') AS t(id int)" $DB)" 300000 \
  "300,000 MySQL rows streamed"

# ---- loads, incremental cursors, pipelines ---------------------------------------------
q "CREATE TABLE copy_pg (id bigint PRIMARY KEY, subject text, updated_at timestamp, amount numeric); CREATE TABLE copy_my (LIKE copy_pg INCLUDING ALL)" $DB
for src in pg my; do
  url=$PGS; [ $src = my ] && url=$MY
  inc="\"incremental\": {\"cursor\": \"updated_at\", \"primary_key\": \"id\", \"state\": \"$src\"}"
  assert_eq "$(q "SELECT rows_loaded FROM etl.load('copy_$src', '$url', '{\"query\": \"SELECT * FROM tickets WHERE id <= 498\", $inc}')" $DB)" 498 "$src: first incremental load"
  assert_eq "$(q "SELECT rows_loaded FROM etl.load('copy_$src', '$url', '{\"query\": \"SELECT * FROM tickets WHERE id <= 500\", $inc}')" $DB)" 2 \
    "$src: rows sharing the watermark are not missed"
  assert_eq "$(q "SELECT rows_loaded FROM etl.load('copy_$src', '$url', '{\"table\": \"tickets\", $inc}')" $DB)" 500 "$src: the rest, by table name"
  assert_eq "$(q "SELECT rows_loaded FROM etl.load('copy_$src', '$url', '{\"table\": \"tickets\", $inc}')" $DB)" 0 "$src: nothing twice"
  assert_eq "$(q "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || count(*) FILTER (WHERE amount IS NULL) FROM copy_$src" $DB)" "1000 1000 10" "$src: every row once, NULLs kept"
done
assert_eq "$(q "SELECT string_agg(format, ' ' ORDER BY id) FROM (SELECT id, format FROM etl.loads ORDER BY id DESC LIMIT 2) l" $DB)" "mysql mysql" "etl.loads says where rows came from"
assert_eq "$(q "SELECT count(*) FROM (SELECT * FROM copy_pg EXCEPT SELECT * FROM copy_my) d" $DB)" 0 "both databases gave the same rows"

q "CREATE TABLE synced (id bigint PRIMARY KEY, subject text, updated_at timestamp, amount numeric)" $DB
q "SELECT etl.create_source('warehouse', '$PGS_NOPW', '{\"password\": \"$ETL_DB_PASSWORD\", \"table\": \"tickets\", \"incremental\": \"updated_at\"}')" $DB
assert_eq "$(q "SELECT options->>'password' FROM etl.sources WHERE name = 'warehouse'" $DB)" '***' "etl.sources masks the password"
assert_eq "$(q "SELECT count(*) FROM etl.read_query('warehouse', 'SELECT id FROM tickets WHERE id < 10') AS t(id int)" $DB)" 9 \
  "etl.read_query takes a source name (its URL and password), the query overrides its table"
q "SELECT etl.create_pipeline('warehouse_sync', 'warehouse', 'synced')" $DB
q "SELECT etl.run('warehouse_sync')" $DB >/dev/null
assert_eq "$(q "SELECT status || ' ' || rows_written FROM etl.runs WHERE pipeline = 'warehouse_sync' ORDER BY id DESC LIMIT 1" $DB)" "succeeded 1000" "a pipeline over a database"
q "SELECT etl.run('warehouse_sync')" $DB >/dev/null
assert_eq "$(q "SELECT status || ' ' || rows_written FROM etl.runs WHERE pipeline = 'warehouse_sync' ORDER BY id DESC LIMIT 1" $DB)" "succeeded 0" \
  "its next run starts at the watermark"
assert_eq "$(q "SELECT kind || ' ' || dataset FROM etl.lineage WHERE pipeline = 'warehouse_sync' AND direction = 'input' LIMIT 1" $DB)" \
  "query $PGS_NOPW" "lineage records the database, without the password"

# ---- secrets and privileges ------------------------------------------------------------
q "SELECT etl.create_secret('mysql_login', '{\"username\": \"etl\", \"password\": \"$ETL_DB_PASSWORD\"}')" $DB
q "GRANT USAGE ON SCHEMA public TO db_reader" $DB
assert_eq "$(q "SELECT count(*) FROM etl.read_query('mysql://127.0.0.1:$ETL_MYSQL_PORT/etl_src', 'SELECT id FROM tickets', '{\"secret\": \"mysql_login\"}') AS t(id int)" $DB)" 1000 \
  "the login comes from a secret"
assert_eq "$(as db_reader "SELECT count(*) FROM etl.read_query('$PGS', 'SELECT 1 AS n') AS t(n int)")" 1 "a member of etl_network may read with a password"
expect_error 42501 "without etl_network" "SET ROLE db_stranger; SELECT * FROM etl.read_query('$PGS', 'SELECT 1') AS t(n int)" $DB
expect_error 2F003 "a non-superuser may not log in without a password" \
  "SET ROLE db_reader; SELECT * FROM etl.read_query('postgresql://postgres@/postgres?host=$PGHOST&port=$PGPORT', 'SELECT 1') AS t(n int)" $DB

# ---- errors ----------------------------------------------------------------------------
expect_error 42P01 "a missing table on PostgreSQL" "SELECT * FROM etl.read_query('$PGS', 'SELECT * FROM nope') AS t(n int)" $DB
assert_match "$LAST_ERROR" "query on \"$PGS_NOPW\" failed" "the error names the server, without the password"
expect_error 42P01 "a missing table on MySQL" "SELECT * FROM etl.read_query('$MY', 'SELECT * FROM nope') AS t(n int)" $DB
expect_error 42601 "a syntax error on MySQL" "SELECT * FROM etl.read_query('$MY', 'SELEC 1') AS t(n int)" $DB
expect_error 28P01 "a wrong PostgreSQL password" "SELECT * FROM etl.read_query('postgresql://etl:wrong-pw-31@127.0.0.1:$ETL_PGSRC_PORT/etl_src', 'SELECT 1') AS t(n int)" $DB
[[ "$LAST_ERROR" != *wrong-pw-31* ]] || fail "the password appears in the error"
expect_error 28000 "a wrong MySQL password" "SELECT * FROM etl.read_query('mysql://etl:wrong-pw-32@127.0.0.1:$ETL_MYSQL_PORT/etl_src', 'SELECT 1') AS t(n int)" $DB
[[ "$LAST_ERROR" != *wrong-pw-32* ]] || fail "the password appears in the error"
expect_error 08001 "no server" "SELECT * FROM etl.read_query('postgresql://etl:x@127.0.0.1:9/db', 'SELECT 1') AS t(n int)" $DB
expect_error 22023 "read_query on a file" "SELECT * FROM etl.read_query('/tmp/x.csv', 'SELECT 1') AS t(n int)" $DB
expect_error 22023 "a database load without a query" "SELECT etl.load('copy_pg', '$PGS')" $DB
expect_error 22P02 "a value the target type refuses" "SELECT * FROM etl.read_query('$PGS', 'SELECT ''x'' AS n') AS t(n int)" $DB
assert_match "$LAST_ERROR" "etl_src:1:1 \\(column \"n\"\\)" "the error names row 1 and the column"
t0=$(now_ms)
expect_error 57014 "statement_timeout cancels a slow remote query" "SET statement_timeout = 1000; SELECT * FROM etl.read_query('$PGS', 'SELECT pg_sleep(30)::text AS s') AS t(s text)" $DB
[ $(( $(now_ms) - t0 )) -lt 5000 ] || fail "cancel took $(( $(now_ms) - t0 )) ms"
assert_eq "$(psql -X -A -t -d etl_src -h "$ETL_PGSRC_SOCKET_DIR" -p "$ETL_PGSRC_PORT" -U postgres -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()")" 0 \
  "the remote query was cancelled too"
t0=$(now_ms)
expect_error 57014 "statement_timeout cancels a slow MySQL query" "SET statement_timeout = 1000; SELECT * FROM etl.read_query('$MY', 'SELECT SLEEP(30) AS s') AS t(s text)" $DB
[ $(( $(now_ms) - t0 )) -lt 5000 ] || fail "cancel took $(( $(now_ms) - t0 )) ms"
pass "MySQL cancel within $(( $(now_ms) - t0 )) ms"
assert_eq "$(q "SELECT rows_loaded || ' ' || rows_rejected FROM etl.load('copy_pg', '$PGS', '{\"query\": \"SELECT 5000 + id AS id, subject, CASE WHEN id = 3 THEN ''soon'' ELSE updated_at::text END AS updated_at FROM tickets WHERE id <= 5\", \"reject_limit\": -1}')" $DB)" \
  "4 1" "bad rows go to etl.rejects"
assert_match "$(q "SELECT url || ' ' || column_name FROM etl.rejects ORDER BY id DESC LIMIT 1" $DB)" "^$PGS_NOPW updated_at$" "the reject names the source and column"
