#!/usr/bin/env bash
# Named secrets: sealed at rest with a key outside the database, usable only by their
# owner role, etl_admin and superusers, and never shown: not in errors, etl.loads,
# etl.sources, the server log, or the table's own bytes (statements that use a secret
# carry only its name).
. "$(dirname "$0")/lib.sh"
servers_env
DB=secrets_test
fresh_db $DB
run="secrets_$$"
mkdir -p "$ETL_DATA/http/$run"
cp "$PG_ETL_SOURCE_DIR/examples/data/orders.csv" "$ETL_DATA/http/$run/orders.csv"
chmod -R a+rX "$ETL_DATA/http/$run"
log="$PG_ETL_TEST_DIR/server.log"
marker="pw-$(date +%s%N)"   # a value to look for everywhere afterwards
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS sec_alice" -c "DROP ROLE IF EXISTS sec_bob" \
  -c "DROP ROLE IF EXISTS sec_admin" -c "CREATE ROLE sec_alice LOGIN IN ROLE etl_network" -c "CREATE ROLE sec_bob LOGIN IN ROLE etl_network" \
  -c "CREATE ROLE sec_admin LOGIN IN ROLE etl_network, etl_admin" >/dev/null
cleanup() {
  rm -rf "$ETL_DATA/http/$run"
  psql -X -q -d postgres -c "ALTER SYSTEM RESET pg_etl.secret_key_file" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS sec_alice" \
    -c "DROP ROLE IF EXISTS sec_bob" -c "DROP ROLE IF EXISTS sec_admin" >/dev/null 2>&1
}
trap cleanup EXIT
as() { psql -X -A -t -q -v ON_ERROR_STOP=1 -U "$1" -d $DB -c "$2"; }
url="$ETL_HTTP_URL/auth/basic/$run/orders.csv"

# Bob stores the login as a secret; the statement that creates it is the only one that carries it.
as sec_bob "SELECT etl.create_secret('desk', '{\"username\": \"etl\", \"password\": \"$ETL_HTTP_BASIC_PASSWORD\"}', 'HTTP login')"
as sec_bob "SELECT etl.create_secret('marker', '{\"password\": \"$marker\"}')"
assert_eq "$(as sec_bob "SELECT count(*) FROM etl.read_csv('$url', '{\"secret\": \"desk\"}') AS t(order_id int)")" 8 \
  "a read names the secret: basic auth works"
q "CREATE TABLE orders (order_id bigint, customer text, email text, amount numeric, currency text, ordered_at timestamptz); GRANT INSERT ON orders TO sec_bob"
assert_eq "$(as sec_bob "SELECT rows_loaded FROM etl.load('orders', '$url', '{\"secret\": \"desk\"}')")" 8 "etl.load with a secret"
assert_eq "$(q "SELECT options FROM etl.loads ORDER BY id DESC LIMIT 1")" '{"secret": "desk"}' "etl.loads records the name, not the value"
as sec_bob "SELECT etl.create_source('desk_orders', '$url', '{\"secret\": \"desk\"}')"
assert_eq "$(q "SELECT options FROM etl.sources WHERE name = 'desk_orders'")" '{"secret": "desk"}' "etl.sources shows the name"
assert_eq "$(as sec_bob "SELECT count(*) FROM etl.read_csv('desk_orders') AS t(order_id int)")" 8 "a named source resolves its secret"
assert_eq "$(as sec_bob "SELECT string_agg(name || ':' || array_to_string(fields, ','), ' ' ORDER BY name) FROM etl.secrets")" \
  "desk:password,username marker:password" "etl.secrets: names and fields, no values"

# Alice may neither use, see, replace nor drop Bob's secrets; etl_admin may use them.
expect_error 42501 "another role may not use it" "SET ROLE sec_alice; SELECT * FROM etl.read_csv('$url', '{\"secret\": \"desk\"}') AS t(id int)" $DB
assert_eq "$(as sec_alice "SELECT count(*) FROM etl.secrets")" 0 "another role sees none of them"
expect_error 42501 "nor replace it" "SET ROLE sec_alice; SELECT etl.create_secret('desk', '{\"password\": \"x\"}')" $DB
expect_error 42501 "nor drop it" "SET ROLE sec_alice; SELECT etl.drop_secret('desk')" $DB
expect_error 42501 "nor read the table" "SET ROLE sec_alice; SELECT * FROM etl.secret_store" $DB
expect_error 42501 "nor create a source naming it" "SET ROLE sec_alice; SELECT etl.create_source('x', '$url', '{\"secret\": \"desk\"}')" $DB
assert_eq "$(as sec_admin "SELECT count(*) FROM etl.read_csv('$url', '{\"secret\": \"desk\"}') AS t(order_id int)")" 8 "etl_admin may use it"
expect_error 42704 "an unknown secret" "SELECT * FROM etl.read_csv('$url', '{\"secret\": \"nope\"}') AS t(id int)" $DB
expect_error 28000 "a secret with a wrong password fails like one" \
  "SELECT * FROM etl.read_csv('$url', '{\"secret\": \"marker\", \"username\": \"etl\"}') AS t(id int)" $DB
[[ "$LAST_ERROR" != *"$marker"* ]] || fail "the secret appears in the error"

# At rest: sealed bytes only, bound to the name; the key file is outside the table, 0600.
assert_eq "$(q "SELECT position(convert_to('$marker', 'UTF8') IN sealed) FROM etl.secret_store WHERE name = 'marker'")" 0 "the value is encrypted"
q "UPDATE etl.secret_store SET sealed = (SELECT sealed FROM etl.secret_store WHERE name = 'marker') WHERE name = 'desk'"
expect_error XX001 "a ciphertext copied under another name does not decrypt" \
  "SELECT * FROM etl.read_csv('$url', '{\"secret\": \"desk\"}') AS t(id int)" $DB
keyfile="$PG_ETL_TEST_DIR/pg_etl_secret.key"
assert_eq "$(stat -c %a "$keyfile")" 600 "the default key file is created 0600 in the data directory"
other=$(mktemp /tmp/pg_etl_key.XXXXXX)
openssl rand -hex 32 >"$other"; chown postgres "$other"; chmod 644 "$other"
psql -X -q -d postgres -c "ALTER SYSTEM SET pg_etl.secret_key_file = '$other'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
expect_error F0000 "a key file others can read is refused" "SELECT * FROM etl.read_csv('$url', '{\"secret\": \"marker\"}') AS t(id int)" $DB
chmod 600 "$other"
expect_error F0000 "another key is named as such" "SELECT * FROM etl.read_csv('$url', '{\"secret\": \"marker\"}') AS t(id int)" $DB
assert_match "$LAST_ERROR" "another key" "the error says which key"
expect_error 55P02 "the key file setting is not for sessions" "SET pg_etl.secret_key_file = '/tmp/x'" $DB
psql -X -q -d postgres -c "ALTER SYSTEM RESET pg_etl.secret_key_file" -c "SELECT pg_reload_conf()" >/dev/null; sleep 0.3
rm -f "$other"
as sec_bob "SELECT etl.drop_secret('marker')"
assert_eq "$(q "SELECT count(*) FROM etl.secret_store WHERE name = 'marker'")" 0 "its owner drops it"

# Nowhere else: the server log and what pg_stat_activity showed are free of the value.
grep -q -- "$marker" "$log" && fail "the server log shows the secret"
pass "the server log never shows the secret"
