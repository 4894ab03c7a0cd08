#!/usr/bin/env bash
# Data quality (issue 7): etl.check's rules, results and shared scan; pipelines whose
# rules gate the publish (fail rolls back, warn records), route bad rows to etl.rejects
# and replay them; dedupe_key; field encryption and keyed hashing with pg_etl secrets.
. "$(dirname "$0")/lib.sh"
DB=quality_test
fresh_db $DB
dir=$(mktemp -d /tmp/pg_etl_quality.XXXXXX)
chmod 755 "$dir"
log="$PG_ETL_TEST_DIR/server.log"
cleanup() {
  rm -rf "$dir"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS dq_mallory" >/dev/null 2>&1
}
trap cleanup EXIT

# ---- etl.check ------------------------------------------------------------------------------
q "CREATE TABLE customers (id int, email text, country text, age int, signed_up timestamptz);
   INSERT INTO customers SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'c' || g || '@x.com' END,
          CASE WHEN g % 50 = 0 THEN 'XX' ELSE (ARRAY['FR', 'DE', 'US'])[1 + g % 3] END, 18 + g % 60,
          now() - (g || ' minutes')::interval
     FROM generate_series(1, 1000) g;
   INSERT INTO customers VALUES (1, 'dup@x.com', 'FR', 30, now());
   CREATE TABLE countries (code text PRIMARY KEY); INSERT INTO countries VALUES ('FR'), ('DE'), ('US');
   ANALYZE customers"
rules='Rules = [
  RowCount between 1000 and 2000,
  IsComplete "id",
  Completeness "email" > 0.95,      # 10% are missing
  IsUnique "id",
  ColumnValues "country" in ["FR", "DE", "US"] with threshold > 0.9,
  ColumnValues "age" between 18 and 77,
  ColumnLength "email" <= 9 severity warn,
  DataFreshness "signed_up" <= 1 days,
  ReferentialIntegrity "country" "countries.code" = 1.0,
  CustomSql "SELECT count(*) FROM primary WHERE age < 0" = 0,
  ColumnExists "email",
  ColumnExists "phone",
  Mean "age" between 40 and 50
]'
out=$(q "SELECT string_agg(format('%s|%s|%s', rule_type, outcome,
             CASE WHEN rule_type = 'DataFreshness' THEN (measured < 60)::text ELSE round(measured::numeric, 3)::text END), E'\n' ORDER BY ord)
           FROM etl.check('customers', \$r\$$rules\$r\$) WITH ORDINALITY AS c(rule, rule_type, severity, outcome, measured, expected, failing_rows, sample, message, ord)")
assert_eq "$out" "RowCount|pass|1001.000
IsComplete|pass|1.000
Completeness|fail|0.900
IsUnique|fail|0.999
ColumnValues|pass|0.980
ColumnValues|pass|1.000
ColumnLength|warn|0.191
DataFreshness|pass|true
ReferentialIntegrity|fail|0.980
CustomSql|pass|0.000
ColumnExists|pass|1.000
ColumnExists|fail|0.000
Mean|pass|47.123" "etl.check: every rule type measured and judged (DataFreshness in seconds)"
assert_eq "$(q "SELECT count(*), count(DISTINCT check_id), min(checked_by) FROM etl.quality_results")" "13|1|postgres" \
  "results are kept in etl.quality_results, one check id"
assert_eq "$(q "SELECT jsonb_array_length(sample), sample->0->>'id', failing_rows FROM etl.quality_results WHERE rule_type = 'IsUnique'")" "2|1|" \
  "IsUnique's sample shows the duplicated rows"
assert_eq "$(q "SELECT failing_rows, jsonb_array_length(sample) FROM etl.quality_results WHERE rule LIKE 'ColumnLength%'")" "810|5" \
  "a row rule counts its failing rows (in the same scan) and samples five"
assert_eq "$(q "SELECT message FROM etl.quality_results WHERE rule = 'ColumnExists \"phone\"'")" 'column phone does not exist' \
  "ColumnExists names the missing column"
assert_match "$(q "SELECT message FROM etl.quality_results WHERE rule_type = 'Completeness'")" '^measured 0\.9001, expected > 0\.95$' \
  "a failure says what was measured and expected"

# One scan for every scan rule: five of them add one sequential scan of the table.
scans() { q "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'customers'"; }
before=$(scans)
q "SELECT count(*) FROM etl.check('customers', 'IsComplete \"id\", Completeness \"email\" > 0.5, ColumnValues \"age\" between 0 and 200, ColumnLength \"email\" < 100, RowCount > 0')" >/dev/null
sleep 0.6
assert_eq "$(( $(scans) - before ))" 1 "five scan rules share one scan of the table"

# History: RowCount within 20% of the average of the last runs.
hist='RowCount within 20% of avg(last(3))'
assert_eq "$(q "SELECT outcome || ': ' || message FROM etl.check('customers', '$hist')")" \
  "pass: no earlier checks to compare with yet: passes until there are" "a history rule passes until it has history"
q "SELECT * FROM etl.check('customers', '$hist')" >/dev/null
q "DELETE FROM customers WHERE id > 500"
assert_eq "$(q "SELECT outcome FROM etl.check('customers', '$hist')")" "fail" "half the rows: outside 20% of the average"
assert_eq "$(q "SELECT outcome FROM etl.check('customers', 'RowCount > avg(last(3)) * 0.4')")" "pass" "history with a scale"

# where: in a rule and for the whole check
assert_eq "$(q "SELECT outcome FROM etl.check('customers', 'IsComplete \"email\" where \"id % 10 <> 0\"')")" pass "a rule's where filter"
assert_eq "$(q "SELECT round(measured::numeric, 2) FROM etl.check('customers', 'Completeness \"email\" > 0', '{\"where\": \"id <= 100\"}')")" 0.90 \
  "options.where limits the whole check"
expect_error 23514 "raise: a failing fail rule raises after recording" \
  "SELECT * FROM etl.check('customers', 'IsComplete \"email\"', '{\"raise\": true}')" $DB
assert_match "$LAST_ERROR" 'HINT:  SELECT \* FROM etl.quality_results WHERE check_id = [0-9]+' "the error says where the results are"

# Bad rulesets fail with the position of the error.
expect_error 42601 "a syntax error names line and column" "SELECT * FROM etl.check('customers', E'IsComplete \"id\",\nCompletenes \"email\" > 0.9')" $DB
assert_match "$LAST_ERROR" 'line 2, column 1' "position of an unknown rule"
expect_error 42703 "an unknown column is named" "SELECT * FROM etl.check('customers', 'IsComplete \"mail\"')" $DB
expect_error 22023 "unknown options are refused" "SELECT * FROM etl.check('customers', 'RowCount > 0', '{\"sampel_size\": 1}')" $DB

# ---- pipelines: quality gates ---------------------------------------------------------------
cat >"$dir/people1.csv" <<'CSV'
id,email,age
1,a@x.com,34
2,b@x.com,41
3,,29
4,d@x.com,-5
CSV
cat >"$dir/people2.csv" <<'CSV'
id,email,age
5,e@x.com,50
CSV
chmod 644 "$dir"/*.csv
q "CREATE TABLE people (id int PRIMARY KEY, email text, age int)"
# warn and fail rules on the batch; IsComplete is row-level: its failing rows go to etl.rejects
q "SELECT etl.create_pipeline('people', '$dir/people*.csv', 'people', options => '{\"quality\": {\"rules\": \"IsComplete \\\"email\\\", ColumnValues \\\"age\\\" between 0 and 120 severity warn, RowCount > 0\"}}')"
rid=$(q "SELECT etl.run('people')")
assert_eq "$(q "SELECT status, rows_written, rows_rejected FROM etl.runs WHERE id = $rid")" "succeeded|4|1" \
  "row-level rule: the bad row is rejected, the run succeeds"
assert_eq "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM people")" "1,2,4,5" "the rest is published"
assert_eq "$(q "SELECT pipeline, run_id = $rid, record->>'id', sqlstate, message FROM etl.rejects WHERE record IS NOT NULL")" \
  "people|t|3|23514|quality rule 1 failed: IsComplete \"email\"" "the rejected row keeps its columns, run and reason"
assert_eq "$(q "SELECT string_agg(outcome || ':' || coalesce(failing_rows::text, '-'), ',' ORDER BY rule_index) FROM etl.quality_results WHERE run_id = $rid")" \
  "pass:1,warn:1,pass:-" "results per run: the routed row counted, the warn rule recorded"

# A failing fail rule rolls the whole run back; its results stay.
cat >"$dir/people3.csv" <<'CSV'
id,email,age
6,f@x.com,30
CSV
chmod 644 "$dir"/*.csv
q "UPDATE etl.pipelines SET options = '{\"quality\": \"RowCount > 5\"}' WHERE name = 'people'"
rid=$(q "SELECT etl.run('people')" 2>/dev/null)
assert_eq "$(q "SELECT status, sqlstate FROM etl.runs WHERE id = $rid")" "failed|23514" "a failing fail rule fails the run"
assert_eq "$(q "SELECT count(*) FROM people WHERE id = 6")" 0 "the target is unchanged"
assert_eq "$(q "SELECT count(*) FROM etl.processed_files WHERE pipeline = 'people' AND url LIKE '%people3.csv'")" 0 "the file is not marked processed"
assert_eq "$(q "SELECT outcome, measured FROM etl.quality_results WHERE run_id = $rid")" "fail|1" "the failed gate's results are kept"
assert_match "$(q "SELECT error FROM etl.runs WHERE id = $rid")" '^quality gate of pipeline "people" failed: RowCount > 5' "the run says which rule failed"
q "UPDATE etl.pipelines SET options = '{\"quality\": \"RowCount > 0\"}' WHERE name = 'people'"
rid=$(q "SELECT etl.run('people')")
assert_eq "$(q "SELECT status FROM etl.runs WHERE id = $rid"):$(q "SELECT count(*) FROM people WHERE id = 6")" "succeeded:1" "fixed: the next run publishes"

# Bad rules fail at definition time.
expect_error 42601 "create_pipeline checks the ruleset" \
  "SELECT etl.create_pipeline('bad', '$dir/people*.csv', 'people', options => '{\"quality\": \"IsComplete email\"}')" $DB
assert_match "$LAST_ERROR" 'line 1, column 12' "with its position"
expect_error 42703 "and the columns it names" \
  "SELECT etl.create_pipeline('bad', '$dir/people*.csv', 'people', options => '{\"quality\": \"IsComplete \\\"mail\\\"\"}')" $DB

# Replay: fix the rejected row, run it through the pipeline again.
q "UPDATE etl.pipelines SET options = '{\"quality\": \"IsComplete \\\"email\\\"\"}' WHERE name = 'people'"
rej=$(q "SELECT id FROM etl.rejects WHERE pipeline = 'people' AND record->>'id' = '3'")
rid=$(q "SELECT etl.replay_rejects('people', ARRAY[$rej])")
assert_eq "$(q "SELECT trigger, status, rows_read, rows_written, rows_rejected FROM etl.runs WHERE id = $rid")" "replay|succeeded|1|0|1" \
  "replayed unchanged: rejected again (a new reject)"
q "UPDATE etl.rejects SET record = jsonb_set(record, '{email}', '\"c@x.com\"') WHERE pipeline = 'people' AND replayed_at IS NULL"
rid=$(q "SELECT etl.replay_rejects('people')")
assert_eq "$(q "SELECT status, rows_written FROM etl.runs WHERE id = $rid"):$(q "SELECT email FROM people WHERE id = 3")" "succeeded|1:c@x.com" \
  "after the fix the row is published"
assert_eq "$(q "SELECT count(*) FILTER (WHERE replayed_at IS NULL), count(*) FILTER (WHERE replay_run_id = $rid) FROM etl.rejects WHERE pipeline = 'people'")" "0|1" \
  "replayed rows are marked with the replay run"
assert_eq "$(q "SELECT etl.replay_rejects('people') IS NULL")" t "nothing left to replay"
expect_error 42704 "replay refuses ids of other pipelines" "SELECT etl.replay_rejects('people', ARRAY[-1::bigint])" $DB

# Rows that did not convert keep their fields as read, and replay after a fix too.
cat >"$dir/typed.csv" <<'CSV'
id,amount,qty,note
1,10.5,1,ok
2,12;5,2,semicolon typo
3,7,-3,"negative, for a domain"
4,8,1,too,many,fields
CSV
chmod 644 "$dir"/*.csv
q "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)"
q "CREATE TABLE typed (id int, amount numeric, qty positive_int, note text)"
q "SELECT etl.create_pipeline('typed', '$dir/typed.csv', 'typed', options => '{\"reject_limit\": 10}')" >/dev/null
q "SELECT etl.run('typed')" >/dev/null
assert_eq "$(q "SELECT string_agg(id::text, ',') FROM typed")" "1" "rows that do not convert are rejected"
assert_eq "$(q "SELECT record::text || ' ' || record_stage FROM etl.rejects WHERE pipeline = 'typed' AND line = 3")" \
  '{"id": "2", "qty": "2", "note": "semicolon typo", "amount": "12;5"} read' "a rejected row keeps its fields as read"
assert_eq "$(q "SELECT record::text FROM etl.rejects WHERE pipeline = 'typed' AND line = 4")" \
  '{"id": "3", "qty": "-3", "note": "negative, for a domain", "amount": "7"}' "also when the type's own input function refused it (a domain)"
assert_eq "$(q "SELECT record IS NULL FROM etl.rejects WHERE pipeline = 'typed' AND line = 5")" t "a malformed line has no fields"
malformed=$(q "SELECT id FROM etl.rejects WHERE pipeline = 'typed' AND line = 5")
expect_error 0A000 "a malformed line cannot be replayed" "SELECT etl.replay_rejects('typed', ARRAY[$malformed])" $DB
q "UPDATE etl.rejects SET replayed_at = now() WHERE id = $malformed"   # dealt with at the source
rid=$(q "SELECT etl.replay_rejects('typed')" 2>/dev/null)
assert_eq "$(q "SELECT status, sqlstate FROM etl.runs WHERE id = $rid"):$(q "SELECT count(*) FROM etl.rejects WHERE pipeline = 'typed' AND replayed_at IS NULL")" \
  "failed|22P02:2" "replayed unchanged, the bad value fails again and the rows stay"
q "UPDATE etl.rejects SET record = record || '{\"amount\": \"12.5\"}' WHERE pipeline = 'typed' AND line = 3"
q "UPDATE etl.rejects SET record = record || '{\"qty\": \"3\"}' WHERE pipeline = 'typed' AND line = 4"
rid=$(q "SELECT etl.replay_rejects('typed')")
assert_eq "$(q "SELECT status, rows_written FROM etl.runs WHERE id = $rid"):$(q "SELECT string_agg(id || '=' || amount || 'x' || qty, ',' ORDER BY id) FROM typed")" \
  "succeeded|2:1=10.5x1,2=12.5x2,3=7x3" "fixed in etl.rejects.record, they replay into the target"

# ---- the shared scan, natively: exactly SQL's results ---------------------------------------
q "CREATE TABLE nat AS SELECT g AS id, CASE WHEN g % 5 = 0 THEN NULL ELSE repeat('é', g % 7) || 'x' END AS name,
     (ARRAY['a', 'b', NULL, 'c'])[1 + g % 4] AS code, (CASE WHEN g % 9 = 0 THEN NULL ELSE g % 50 END)::smallint AS n
     FROM generate_series(1, 5000) g"
nat_rules='IsComplete "name", Completeness "code" > 0.5, ColumnValues "code" in ["a", "b"], ColumnValues "code" not in ["c"], ColumnValues "n" between 10 and 40, ColumnValues "n" not between 10 and 40, ColumnValues "n" >= 7, ColumnValues "n" in [1, 2, 3], ColumnLength "name" <= 4, ColumnLength "name" between 2 and 5, ColumnLength "name" != 3, RowCount between 1 and 10000'
nat_sql="SELECT string_agg(outcome || ':' || round(measured::numeric, 6) || ':' || coalesce(failing_rows::text, '-'), ' ' ORDER BY rule)"
assert_eq "$(q "SELECT etl._quality_native_values(etl._quality_plan('$nat_rules', 'nat'), 'nat') IS NOT NULL")" t \
  "NOT NULL, value lists and ranges, lengths: one native scan"
assert_eq "$(q "$nat_sql FROM etl.check('nat', '$nat_rules', '{\"sample_size\": 0}')")" \
  "$(q "$nat_sql FROM etl.check('nat', '$nat_rules', '{\"sample_size\": 0, \"where\": \"true\"}')")" \
  "the native scan measures what the SQL aggregates measure (NULLs, multi-byte lengths, negations)"
q "CREATE TABLE nat_rls AS SELECT * FROM nat; ALTER TABLE nat_rls ENABLE ROW LEVEL SECURITY;
   CREATE POLICY evens ON nat_rls USING (id % 2 = 0); DROP ROLE IF EXISTS nat_reader; CREATE ROLE nat_reader;
   GRANT SELECT ON nat_rls TO nat_reader"
assert_eq "$(q "SET ROLE nat_reader; SELECT etl._quality_native_values(etl._quality_plan('RowCount > 0', 'nat_rls'), 'nat_rls') IS NULL")" t \
  "row-level security: not the native scan but the SQL one, which applies the policies"
assert_eq "$(q "SET ROLE nat_reader; SELECT measured FROM etl.check('nat_rls', 'RowCount > 0')")" 2500 "so a role sees only its rows counted"
q "DROP TABLE nat_rls; DROP ROLE nat_reader"
expect_error 22P02 "a value the column's type refuses is SQL's error" "SELECT * FROM etl.check('nat', 'ColumnValues \"n\" in [\"x\"]')" $DB

# ---- dedupe_key / dedupe_order ----------------------------------------------------------------
cat >"$dir/updates.csv" <<'CSV'
id,email,age,version
1,old@x.com,30,1
1,new@x.com,31,2
2,b2@x.com,41,5
2,b1@x.com,40,4
CSV
chmod 644 "$dir"/*.csv
q "CREATE TABLE people2 (id int PRIMARY KEY, email text, age int, version int)"
q "SELECT etl.create_pipeline('dedupe', '$dir/updates.csv', 'people2', options => '{\"dedupe_key\": \"id\", \"dedupe_order\": \"version DESC\"}')"
q "SELECT etl.run('dedupe')" >/dev/null
assert_eq "$(q "SELECT string_agg(id || '=' || email, ',' ORDER BY id) FROM people2")" "1=new@x.com,2=b2@x.com" "dedupe keeps the row dedupe_order puts first"
expect_error 22023 "dedupe_key must name columns" \
  "SELECT etl.create_pipeline('dedupe2', '$dir/updates.csv', 'people2', options => '{\"dedupe_key\": 1}')" $DB

# ---- encryption and keyed hashing with secrets --------------------------------------------------
secret="k-$(date +%s%N)"
q "SELECT etl.create_secret('pii', to_jsonb('$secret'::text)), etl.create_secret('other', '\"another key\"')"
assert_eq "$(q "SELECT etl.decrypt(etl.encrypt('4111-1111', 'pii'), 'pii')")" "4111-1111" "encrypt/decrypt round trip"
assert_eq "$(q "SELECT etl.encrypt('x', 'pii') <> etl.encrypt('x', 'pii')")" t "a fresh nonce per value"
expect_error 22023 "the wrong secret is named as such" "SELECT etl.decrypt(etl.encrypt('x', 'pii'), 'other')" $DB
expect_error XX001 "altered ciphertext does not decrypt" \
  "SELECT etl.decrypt(overlay(etl.encrypt('x', 'pii') placing '\\xff'::bytea from 40), 'pii')" $DB
expect_error 42704 "an unknown secret" "SELECT etl.encrypt('x', 'nope')" $DB
h1=$(q "SELECT etl.hash('a@b.com', 'sha256', 'pii')")
assert_eq "$(q "SELECT etl.hash('a@b.com', 'sha256', 'pii') = '$h1' AND '$h1' <> etl.hash('a@b.com')")" t "keyed hash: stable, not the plain hash"
q "CREATE EXTENSION pgcrypto"
assert_eq "$(q "SELECT '$h1' = encode(hmac('a@b.com', '$secret', 'sha256'), 'hex')")" t "keyed hash is HMAC-SHA256 with the secret (pgcrypto agrees)"
q "CREATE TABLE cards (n text); INSERT INTO cards SELECT etl.encrypt('card ' || g, 'pii')::text FROM generate_series(1, 3) g" >/dev/null
psql -X -q -d postgres -c "DROP ROLE IF EXISTS dq_mallory" -c "CREATE ROLE dq_mallory LOGIN" >/dev/null
expect_error 42501 "a role that may not use the secret cannot decrypt" \
  "SET ROLE dq_mallory; SELECT etl.decrypt('\\x00'::bytea, 'pii')" $DB
! grep -q -- "$secret" "$log" || fail "the secret's value reached the server log"
pass "the secret's value never reached the server log"
