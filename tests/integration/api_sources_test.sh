#!/usr/bin/env bash
# HTTP JSON APIs as sources (issue 6), against the test API peer (tests/servers/api_server.py):
# every pagination style and stop condition, auth (bearer, basic, API key, OAuth2 client
# credentials with caching and refresh, secrets), GraphQL, retries with Retry-After, rate
# limits, concurrency, keep-alive, timeouts, size caps, bad answers, missing and extra
# fields, incremental cursors with watermarks, and pipelines over APIs.
. "$(dirname "$0")/lib.sh"
servers_env
DB=api_sources_test
fresh_db $DB
A="$ETL_API_URL"
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; }
trap cleanup EXIT
reset() { curl -fsS -X POST "$A/admin/reset" >/dev/null; }
stat() { curl -fsS "$A/admin/stats" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
# ids: count, distinct count, min and max id of a read
ids() { q "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || max(id) FROM etl.read_json('$1', '$2') AS t(id int)"; }

# ---- pagination ----------------------------------------------------------------------
reset
assert_eq "$(ids "$A/api/header_link/tickets?total=250&per_page=50" '{"pagination": {"type": "header_link"}}')" "250 250 1 250" "header_link follows rel=next"
assert_eq "$(stat 'd["requests"]["/api/header_link/tickets"]')" 5 "header_link: one request per page, none after the last"
assert_eq "$(ids "$A/api/json_link/tickets?total=250&per_page=50" '{"pagination": {"type": "json_link", "next_url_path": "$.next"}}')" "250 250 1 250" "json_link follows the body's next URL"
assert_eq "$(ids "$A/api/cursor/tickets?total=250&limit=50" '{"pagination": {"type": "cursor", "cursor_path": "$.meta.next_cursor", "cursor_param": "after"}}')" \
  "250 250 1 250" "cursor pagination"
reset
assert_eq "$(ids "$A/api/offset/tickets?total=250" '{"pagination": {"type": "offset", "limit": 50, "total_path": "$.total"}}')" "250 250 1 250" "offset with a total"
assert_eq "$(stat 'd["requests"]["/api/offset/tickets"]')" 5 "offset: the total stops the read without an empty page"
reset
assert_eq "$(ids "$A/api/offset/tickets?total=250" '{"pagination": {"type": "offset", "limit": 50}}')" "250 250 1 250" "offset without a total"
assert_eq "$(stat 'd["requests"]["/api/offset/tickets"]')" 6 "offset: an empty page ends the read"
assert_eq "$(ids "$A/api/page/tickets?total=250" '{"pagination": {"type": "page_number", "page_size_param": "page_size", "page_size": 40, "total_path": "$.total_pages"}}')" \
  "250 250 1 250" "page_number with total pages"
assert_eq "$(ids "$A/api/has_more/tickets?total=250&per_page=30" '{"records_path": "$.data[*]", "pagination": {"type": "page_number", "has_more_path": "$.has_more"}}')" \
  "250 250 1 250" "has_more_path false ends the read"
assert_eq "$(ids "$A/api/header_link/tickets?total=250&per_page=50" '{"pagination": "auto"}')" "250 250 1 250" "auto detects a Link header"
assert_eq "$(ids "$A/api/json_link/tickets?total=250&per_page=50" '{"pagination": {"type": "auto"}}')" "250 250 1 250" "auto detects a next URL in the body"
assert_eq "$(ids "$A/api/array/tickets?total=250" '{"params": {"x": 1}}')" "250 250 1 250" "auto: a bare array is one page"
assert_eq "$(ids "$A/api/repeat_cursor/tickets?limit=100" '{"pagination": {"type": "cursor", "cursor_path": "$.meta.next_cursor", "cursor_param": "after"}}')" \
  "300 300 1 300" "a repeated cursor ends the read (no duplicates)"
assert_eq "$(ids "$A/api/offset/tickets" '{"pagination": {"type": "offset", "limit": 100, "max_pages": 2}}')" "200 200 1 200" "max_pages"
assert_eq "$(ids "$A/api/offset/tickets" '{"params": {"limit": 7}, "pagination": "single_page"}')" "7 7 1 7" "params and single_page"

# ---- concurrency and keep-alive ------------------------------------------------------
reset
# each page takes 20 ms, so pages requested together are in flight together, even on a busy machine
assert_eq "$(ids "$A/api/slow/tickets?total=2000&delay=0.02&key=conc" '{"concurrency": 4, "pagination": {"type": "offset", "limit": 100, "total_path": "$.total"}}')" \
  "2000 2000 1 2000" "offset pages fetched 4 at a time"
mif=$(stat 'd["max_in_flight"]')
[ "$mif" -ge 2 ] && [ "$mif" -le 4 ] || fail "concurrency 4: max_in_flight $mif"
pass "concurrency 4 had $mif requests in flight at most"
reset
assert_eq "$(ids "$A/api/page/tickets?total=1000&key=seq" '{"pagination": {"type": "page_number", "page_size_param": "page_size", "page_size": 100}}')" \
  "1000 1000 1 1000" "page_number without a total"
assert_eq "$(stat 'd["max_in_flight"]')" 1 "one request at a time by default"
assert_eq "$(stat 'd["key_connections"]["seq"]')" 1 "11 pages over one kept-alive connection"

# ---- HTTP/2 ----------------------------------------------------------------------------
# Over TLS, libcurl offers h2 by ALPN; an h2-only server proves pages share one connection.
h2port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
node "$PG_ETL_SOURCE_DIR/tests/servers/h2_api_server.js" --port $h2port --cert "$ETL_TLS_CERT" --key "${ETL_TLS_CERT%server.pem}server.key" 2>/dev/null &
h2pid=$!
trap 'kill $h2pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do curl -s --cacert "$ETL_TLS_CA" "https://127.0.0.1:$h2port/stats" >/dev/null && break; sleep 0.1; done
h2stat() { curl -s --cacert "$ETL_TLS_CA" "https://127.0.0.1:$h2port/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
sessions=$(h2stat sessions)
assert_eq "$(ids "https://127.0.0.1:$h2port/tickets?total=1000" "{\"ca_file\": \"$ETL_TLS_CA\", \"concurrency\": 4, \"pagination\": {\"type\": \"offset\", \"limit\": 100, \"total_path\": \"\$.total\"}}")" \
  "1000 1000 1 1000" "an HTTP/2-only API over TLS"
assert_eq "$(( $(h2stat sessions) - sessions - 1 )) $(h2stat streams) $(h2stat http_versions)" "1 10 ['2.0']" \
  "10 pages, 4 at a time, multiplexed over one HTTP/2 connection"

# ---- auth ----------------------------------------------------------------------------
pg='"pagination": {"type": "offset", "limit": 500}'
assert_eq "$(ids "$A/api/bearer/tickets" "{\"auth\": {\"type\": \"bearer\", \"token\": \"$ETL_HTTP_BEARER_TOKEN\"}, $pg}")" "1000 1000 1 1000" "bearer token"
assert_eq "$(ids "$A/api/basic/tickets" "{\"auth\": {\"type\": \"basic\", \"username\": \"etl\", \"password\": \"s3cret\"}, $pg}")" "1000 1000 1 1000" "HTTP basic"
assert_eq "$(ids "$A/api/apikey/tickets" "{\"auth\": {\"type\": \"api_key\", \"name\": \"X-Api-Key\", \"api_key\": \"k1\"}, $pg}")" "1000 1000 1 1000" "API key in a header"
assert_eq "$(ids "$A/api/apikey/tickets" "{\"auth\": {\"type\": \"api_key\", \"name\": \"api_key\", \"api_key\": \"k1\", \"location\": \"query\"}, $pg}")" "1000 1000 1 1000" "API key as a query parameter"
assert_eq "$(ids "$A/api/bearer/tickets" "{\"headers\": {\"Authorization\": \"Bearer tok-123\"}, $pg}")" "1000 1000 1 1000" "extra headers"
expect_error 28000 "a wrong token" "SELECT * FROM etl.read_json('$A/api/bearer/tickets', '{\"auth\": {\"token\": \"wrong-tok-777\"}, $pg}') AS t(id int)" $DB
[[ "$LAST_ERROR" != *wrong-tok-777* ]] || fail "the token appears in the error"
assert_match "$LAST_ERROR" 'HTTP 401' "the error names the status"
expect_error 28000 "a wrong API key in the query" "SELECT * FROM etl.read_json('$A/api/apikey/tickets', '{\"auth\": {\"type\": \"api_key\", \"name\": \"api_key\", \"api_key\": \"nope-key-555\", \"location\": \"query\"}, $pg}') AS t(id int)" $DB
[[ "$LAST_ERROR" != *nope-key-555* ]] || fail "the API key appears in the error"
assert_match "$LAST_ERROR" 'api_key=\*\*\*' "the URL in the error hides the key"
expect_error 22023 "auth without a type or fields" "SELECT * FROM etl.read_json('$A/api/bearer/tickets', '{\"auth\": {}}') AS t(id int)" $DB

# OAuth2 client credentials: one token for several reads of a session; a revoked token is
# refreshed once on 401.
reset
oauth="{\"auth\": {\"type\": \"oauth2_client_credentials\", \"token_url\": \"$A/oauth/token\", \"client_id\": \"etl-client\", \"client_secret\": \"etl-secret\"}, $pg}"
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d $DB \
  -c "SELECT count(*) FROM etl.read_json('$A/api/oauth/tickets', '$oauth') AS t(id int)" \
  -c "SELECT count(*) FROM etl.read_json('$A/api/oauth/tickets', '$oauth') AS t(id int)" \
  -c "\\! curl -fsS -o /dev/null -X POST $A/admin/revoke_tokens" \
  -c "SELECT count(*) FROM etl.read_json('$A/api/oauth/tickets', '$oauth') AS t(id int)")
assert_eq "$(echo $out)" "1000 1000 1000" "OAuth2 reads before and after a revocation"
assert_eq "$(stat 'd["tokens_issued"]')" 2 "one token cached across reads, one refresh after the 401"
expect_error 28000 "OAuth2 with a wrong client secret" \
  "SELECT * FROM etl.read_json('$A/api/oauth/tickets', '{\"auth\": {\"type\": \"oauth2_client_credentials\", \"token_url\": \"$A/oauth/token\", \"client_id\": \"etl-client\", \"client_secret\": \"bad-secret-999\"}}') AS t(id int)" $DB
[[ "$LAST_ERROR" != *bad-secret-999* ]] || fail "the client secret appears in the error"

# Secrets hold the auth; etl.loads records only the name.
q "SELECT etl.create_secret('ticket_api', '{\"type\": \"bearer\", \"token\": \"tok-123\"}')" $DB
q "CREATE TABLE tickets (id int PRIMARY KEY, subject text, priority int, updated_at timestamptz, amount numeric, extra jsonb)" $DB
assert_eq "$(q "SELECT rows_loaded FROM etl.load('tickets', '$A/api/bearer/tickets', '{\"auth\": {\"secret\": \"ticket_api\"}, $pg}')" $DB)" 1000 "etl.load with auth from a secret"
assert_eq "$(q "SELECT options->'auth' FROM etl.loads ORDER BY id DESC LIMIT 1" $DB)" '{"secret": "ticket_api"}' "etl.loads names the secret only"
assert_eq "$(q "SELECT count(*) FILTER (WHERE priority IS NULL) > 0 AND count(*) FILTER (WHERE id % 7 = 0 AND priority IS NOT NULL) = 0 FROM tickets" $DB)" t \
  "missing fields load as NULL"
assert_eq "$(q "SELECT count(*) FROM tickets WHERE extra IS NOT NULL" $DB)" 0 "extra fields are ignored by default"
q "TRUNCATE tickets" $DB
q "SELECT etl.load('tickets', '$A/api/bearer/tickets', '{\"auth\": {\"secret\": \"ticket_api\"}, \"extra_column\": \"extra\", $pg}')" $DB >/dev/null
assert_eq "$(q "SELECT count(*) FROM tickets WHERE extra ? 'custom_field'" $DB)" "$(q "SELECT count(*) FROM tickets WHERE id % 13 = 0" $DB)" \
  "extra_column keeps fields no column takes"
assert_eq "$(q "SELECT bool_and(NOT extra ? 'id' AND NOT extra ? 'subject' AND extra ? 'requester') FROM tickets" $DB)" t "and only those"
q "SELECT etl.create_source('tickets_api', '$A/api/bearer/tickets', '{\"auth\": {\"token\": \"tok-123\"}, $pg}')" $DB
assert_eq "$(q "SELECT options->'auth'->>'token' FROM etl.sources WHERE name = 'tickets_api'" $DB)" '***' "etl.sources masks tokens inside auth"
assert_eq "$(q "SELECT count(*) FROM etl.read_json('tickets_api') AS t(id int)" $DB)" 1000 "a named API source"

# ---- GraphQL -------------------------------------------------------------------------
gq='query($after: String, $since: String) { tickets(first: 100, after: $after, since: $since) { nodes { id subject } pageInfo { hasNextPage endCursor } } }'
gp='"pagination": {"type": "cursor", "cursor_path": "$.data.tickets.pageInfo.endCursor", "cursor_param": "after", "has_more_path": "$.data.tickets.pageInfo.hasNextPage"}'
assert_eq "$(ids "$A/graphql" "{\"graphql\": {\"query\": \"$gq\"}, $gp}")" "1000 1000 1 1000" "GraphQL with cursor variables"
assert_eq "$(ids "$A/graphql" "{\"graphql\": {\"query\": \"$gq\", \"variables\": {\"since\": \"2024-05-03T00:00:00Z\"}}, \"auth\": {\"token\": \"tok-123\"}, $gp}" | cut -d' ' -f4)" \
  1000 "GraphQL variables and auth"
expect_error 38000 "GraphQL errors" "SELECT * FROM etl.read_json('$A/graphql', '{\"graphql\": \"{ syntaxError }\"}') AS t(id int)" $DB
assert_match "$LAST_ERROR" 'Syntax Error' "the GraphQL message is shown"
expect_error 38000 "GraphQL partial errors" "SELECT * FROM etl.read_json('$A/graphql', '{\"graphql\": \"{ tickets partialError { nodes { id } } }\"}') AS t(id int)" $DB

# ---- faults, retries and limits ------------------------------------------------------
reset
assert_eq "$(ids "$A/api/flaky/tickets?key=f1&fail=2&status=503" '{"request_retry": {"interval": 0.1}, "pagination": {"type": "offset", "limit": 500}}')" \
  "1000 1000 1 1000" "5xx answers are retried"
assert_eq "$(stat 'd["requests"]["/api/flaky/tickets"]')" 5 "two failures, then three pages"
reset
assert_eq "$(ids "$A/api/throttle/tickets?key=t1&times=1&retry_after=1" '{"request_retry": {"interval": 0}, "pagination": {"type": "offset", "limit": 500}}')" \
  "1000 1000 1 1000" "429 with Retry-After in seconds"
gap=$(stat '"%.2f" % (d["request_times"]["t1"][1] - d["request_times"]["t1"][0])')
python3 -c "import sys; sys.exit(0 if float('$gap') >= 0.95 else 1)" || fail "Retry-After 1 s: retried after $gap s"
pass "Retry-After: 1 s honoured (next attempt after $gap s)"
reset
assert_eq "$(ids "$A/api/throttle/tickets?key=t2&times=1&retry_after=1&format=date" '{"request_retry": {"interval": 0}, "pagination": {"type": "offset", "limit": 500}}')" \
  "1000 1000 1 1000" "429 with Retry-After as an HTTP date"
gap=$(stat '"%.2f" % (d["request_times"]["t2"][1] - d["request_times"]["t2"][0])')
python3 -c "import sys; sys.exit(0 if float('$gap') >= 0.95 else 1)" || fail "Retry-After date: retried after $gap s"
pass "Retry-After date honoured (next attempt after $gap s)"
expect_error 58030 "a 500 after the last attempt" \
  "SELECT * FROM etl.read_json('$A/api/bad/500', '{\"request_retry\": {\"max_attempts\": 2, \"interval\": 0.05}, \"pagination\": \"single_page\"}') AS t(id int)" $DB
assert_match "$LAST_ERROR" 'HTTP 500 after 2 attempts' "the error says how often it tried"
assert_match "$LAST_ERROR" 'database is down' "and shows the start of the body"
expect_error 08001 "a refused connection, after retries" \
  "SELECT * FROM etl.read_json('http://127.0.0.1:9/x', '{\"request_retry\": {\"max_attempts\": 2, \"interval\": 0.05}, \"pagination\": \"single_page\"}') AS t(id int)" $DB
reset
# The server allows 10 answers per second (sliding); a client limit just under it avoids every 429.
t0=$(now_ms)
assert_eq "$(ids "$A/api/ratelimit/tickets?key=r1&rps=10&total=1500" '{"rate_limit": {"requests_per_second": 9}, "request_retry": {"max_attempts": 1}, "pagination": {"type": "offset", "limit": 100, "total_path": "$.total"}}')" \
  "1500 1500 1 1500" "rate_limit keeps under the server's limit"
t1=$(now_ms)
assert_eq "$(stat 'd["requests"]["/api/ratelimit/tickets"]')" 15 "no request refused"
[ $((t1 - t0)) -ge 1500 ] || fail "15 requests at 9/s took $((t1 - t0)) ms"
pass "15 requests at 9/s took $((t1 - t0)) ms"
expect_error 08006 "a per-request timeout" \
  "SELECT * FROM etl.read_json('$A/api/slow/tickets?delay=5', '{\"timeout\": 1, \"request_retry\": {\"max_attempts\": 1}, \"pagination\": \"single_page\"}') AS t(id int)" $DB
expect_error 08006 "the whole-read timeout" \
  "SELECT * FROM etl.read_json('$A/api/slow/tickets?delay=0.4', '{\"read_timeout\": 1, \"pagination\": {\"type\": \"offset\", \"limit\": 100}}') AS t(id int)" $DB
t0=$(now_ms)
expect_error 57014 "statement_timeout cancels a slow API read" \
  "SET statement_timeout = 1000; SELECT * FROM etl.read_json('$A/api/slow/tickets?delay=30', '{\"pagination\": \"single_page\"}') AS t(id int)" $DB
[ $(( $(now_ms) - t0 )) -lt 4000 ] || fail "cancel took $(( $(now_ms) - t0 )) ms"
pass "cancelled within $(( $(now_ms) - t0 )) ms"
expect_error 54000 "max_response_bytes" \
  "SELECT * FROM etl.read_json('$A/api/bad/huge?mb=3', '{\"max_response_bytes\": 1000000, \"pagination\": \"single_page\"}') AS t(id int)" $DB

# ---- bad answers ---------------------------------------------------------------------
expect_error 22032 "a non-JSON answer" "SELECT * FROM etl.read_json('$A/api/bad/notjson', '{\"pagination\": \"single_page\"}') AS t(id int)" $DB
assert_match "$LAST_ERROR" 'Service unavailable' "the error shows the body"
expect_error 22032 "a truncated answer" "SELECT * FROM etl.read_json('$A/api/bad/truncated', '{\"pagination\": \"single_page\"}') AS t(id int)" $DB
expect_error 58P01 "a 404" "SELECT * FROM etl.read_json('$A/api/bad/404', '{\"pagination\": \"single_page\"}') AS t(id int)" $DB
expect_error 2203A "records_path not in the answer" \
  "SELECT * FROM etl.read_json('$A/api/bad/wrong_path', '{\"records_path\": \"$.tickets[*]\", \"pagination\": \"single_page\"}') AS t(id int)" $DB
assert_match "$LAST_ERROR" 'the response has: items, total' "the hint lists what the answer has"
expect_error 22023 "an unknown pagination type" "SELECT * FROM etl.read_json('$A/api/offset/tickets', '{\"pagination\": {\"type\": \"pages\"}}') AS t(id int)" $DB
expect_error 22023 "API options on a file" "SELECT * FROM etl.read_json('/tmp/x.json', '{\"pagination\": \"auto\"}') AS t(id int)" $DB

# ---- incremental ---------------------------------------------------------------------
q "CREATE TABLE inc (id int PRIMARY KEY, subject text, updated_at timestamptz)" $DB
inc='{"pagination": {"type": "cursor", "cursor_path": "$.meta.next_cursor", "cursor_param": "after"}, "incremental": {"state": "tickets", "cursor": "updated_at", "primary_key": "id", "param": "since", "initial_value": "2024-05-01T00:00:00Z"}}'
load_inc() { q "SELECT rows_loaded FROM etl.load('inc', '$A/api/cursor/tickets?total=$1', '$inc')" $DB; }
assert_eq "$(load_inc 498)" 498 "first incremental load"
wm=$(q "SELECT value FROM etl.watermarks WHERE name = 'tickets'" $DB)
assert_eq "$(q "SELECT max(updated_at) = '$wm'::timestamptz FROM inc" $DB)" t "the watermark is the highest cursor loaded"
reset
assert_eq "$(load_inc 500)" 2 "rows sharing the watermark's value are not missed"
assert_match "$(curl -fsS "$A/admin/stats")" '"/api/cursor/tickets": ?1[,}]' "the lower bound went to the API as since="
assert_eq "$(load_inc 500)" 0 "nor loaded twice"
assert_eq "$(q "SELECT rows_skipped FROM etl.watermarks WHERE name = 'tickets'" $DB)" 1 "the re-read boundary row was skipped"
before=$(q "SELECT value FROM etl.watermarks WHERE name = 'tickets'" $DB)
psql -X -q -d $DB -c "BEGIN" -c "SELECT etl.load('inc', '$A/api/cursor/tickets?total=600', '$inc')" -c "ROLLBACK" >/dev/null
assert_eq "$(q "SELECT value FROM etl.watermarks WHERE name = 'tickets'" $DB)" "$before" "a rolled-back load leaves the watermark"
assert_eq "$(load_inc 1000)" 500 "the rest arrives"
assert_eq "$(q "SELECT count(*) || ' ' || count(DISTINCT id) FROM inc" $DB)" "1000 1000" "every row once"
lag='{"pagination": {"type": "cursor", "cursor_path": "$.meta.next_cursor", "cursor_param": "after"}, "incremental": {"state": "lagged", "cursor": "updated_at", "primary_key": "id", "param": "since", "lag": 3600}}'
q "CREATE TABLE inc2 (LIKE inc INCLUDING ALL)" $DB
assert_eq "$(q "SELECT rows_loaded FROM etl.load('inc2', '$A/api/cursor/tickets?total=300', '$lag')" $DB)" 300 "lag window: first load"
assert_eq "$(q "SELECT rows_loaded FROM etl.load('inc2', '$A/api/cursor/tickets?total=300', '$lag')" $DB)" 0 "lag window: the re-read hour is de-duplicated"
assert_match "$(q "SELECT rows_skipped FROM etl.watermarks WHERE name = 'lagged'" $DB)" '^[1-9][0-9]*$' "rows within the lag were re-read and skipped"
expect_error 42703 "a cursor that is not a target column" \
  "SELECT etl.load('inc', '$A/api/cursor/tickets', '{\"incremental\": {\"cursor\": \"modified\"}}')" $DB

# ---- pipelines over an API -----------------------------------------------------------
q "CREATE TABLE piped (id int PRIMARY KEY, subject text, updated_at timestamptz)" $DB
q "SELECT etl.create_source('ticket_feed', '$A/api/cursor/tickets?total=400', '{\"pagination\": {\"type\": \"cursor\", \"cursor_path\": \"\$.meta.next_cursor\", \"cursor_param\": \"after\"}, \"incremental\": {\"cursor\": \"updated_at\", \"primary_key\": \"id\", \"param\": \"since\"}}')" $DB
q "SELECT etl.create_pipeline('ticket_sync', 'ticket_feed', 'piped')" $DB
q "SELECT etl.run('ticket_sync')" $DB >/dev/null
assert_eq "$(q "SELECT status || ' ' || rows_written FROM etl.runs WHERE pipeline = 'ticket_sync' ORDER BY id DESC LIMIT 1" $DB)" "succeeded 400" "a pipeline over an API"
q "SELECT etl.run('ticket_sync')" $DB >/dev/null
assert_eq "$(q "SELECT status || ' ' || rows_written FROM etl.runs WHERE pipeline = 'ticket_sync' ORDER BY id DESC LIMIT 1" $DB)" "succeeded 0" "its next run loads only what is new"
assert_eq "$(q "SELECT count(*) FROM etl.watermarks WHERE name = 'pipeline ticket_sync'" $DB)" 1 "the watermark is kept under the pipeline's name"
assert_eq "$(q "SELECT kind || ' ' || dataset FROM etl.lineage WHERE pipeline = 'ticket_sync' AND direction = 'input' ORDER BY id LIMIT 1" $DB)" \
  "api $A/api/cursor/tickets?total=400" "lineage records the API"
