#!/usr/bin/env bash
# Self-test of the test server harness (tests/servers): each server answers real clients
# (the curl CLI, OpenSSH's sftp, the AWS SDK's SigV4 signer) the way the extension's
# tests expect, including the failures (bad credentials, bad signatures).
# Uses running servers (PG_ETL_SERVERS_DIR, else $PG_ETL_BUILD_DIR/test-servers); if none
# run, starts them and stops them again at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${PG_ETL_SOURCE_DIR:-$(cd "$here/../.." && pwd)}"
export PG_ETL_SERVERS_DIR="${PG_ETL_SERVERS_DIR:-${PG_ETL_BUILD_DIR:-$src/build}/test-servers}"
servers="$src/tests/servers"

fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() { echo "ok - $*"; passed=$((passed + 1)); }

started=0
if [ ! -f "$PG_ETL_SERVERS_DIR/env.sh" ] || ! "$servers/servers.sh" status >/dev/null; then
  "$servers/servers.sh" start
  started=1
fi
. "$PG_ETL_SERVERS_DIR/env.sh"
run="selftest_$$"   # this run's files, removed at exit
cleanup() {
  rm -rf "$ETL_DATA/http/$run" "$ETL_DATA/ftp/$run" "$ETL_DATA/sftp/$run"
  if [ $started = 1 ]; then "$servers/servers.sh" stop >/dev/null; fi
}
trap cleanup EXIT
export NODE_PATH="$PG_ETL_SERVERS_DIR/node/node_modules"

# expect_http / expect_exit / expect_body WANT WHAT CURL_ARGS...: curl's HTTP status,
# exit code or body is WANT.
expect_http() {
  local want="$1" what="$2"; shift 2
  local got
  got="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$@")" || true
  [ "$got" = "$want" ] || fail "$what: HTTP $got, want $want"
  pass "$what"
}
expect_exit() {
  local want="$1" what="$2"; shift 2
  local got=0
  curl -sS -o /dev/null --max-time 10 "$@" 2>/dev/null || got=$?
  [ "$got" = "$want" ] || fail "$what: curl exit $got, want $want"
  pass "$what"
}
expect_body() {
  local want="$1" what="$2"; shift 2
  local got
  got="$(curl -sS --fail --max-time 10 "$@")" || fail "$what: curl failed"
  [ "$got" = "$want" ] || fail "$what: got '$got', want '$want'"
  pass "$what"
}

# Fresh files per run, world-readable as the servers and the postgres user need.
csv=$'id,name\n1,alpha\n2,beta'
stage() { mkdir -p "$1"; chmod 755 "$1"; printf '%s\n' "$csv" >"$1/data.csv"; chmod 644 "$1/data.csv"; }
stage "$ETL_DATA/http/$run"
stage "$ETL_DATA/ftp/$run"
stage "$ETL_DATA/sftp/$run"

# --- local files: the backend runs as postgres and reads ETL_DATA directly -----------
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
  [ "$(runuser -u postgres -- cat "$ETL_DATA/http/$run/data.csv")" = "$csv" ] || fail "postgres cannot read ETL_DATA"
  pass "postgres user reads files under ETL_DATA"
  runuser -u postgres -- test -r "$ETL_SFTP_KEY" || fail "postgres cannot read ETL_SFTP_KEY"
  pass "postgres user reads ETL_SFTP_KEY"
fi

# --- HTTP / HTTPS --------------------------------------------------------------------
expect_body "$csv" "http: static file" "$ETL_HTTP_URL/$run/data.csv"
head="$(curl -sS --fail -I "$ETL_HTTP_URL/$run/data.csv")"
for h in Content-Length ETag Last-Modified; do
  grep -qi "^$h:" <<<"$head" || fail "http: HEAD lacks $h"
done
grep -qi "^Content-Length: $(( ${#csv} + 1 ))" <<<"$head" || fail "http: wrong Content-Length"
pass "http: HEAD with Content-Length, ETag, Last-Modified"
expect_http 404 "http: missing file is 404" "$ETL_HTTP_URL/$run/nope.csv"
expect_http 404 "http: no escape from the root" --path-as-is "$ETL_HTTP_URL/../../etc/passwd"
expect_body "$csv" "http: basic auth accepted" -u etl:s3cret "$ETL_HTTP_URL/auth/basic/$run/data.csv"
expect_http 401 "http: basic auth, wrong password" -u etl:wrong "$ETL_HTTP_URL/auth/basic/$run/data.csv"
expect_http 401 "http: basic auth missing" "$ETL_HTTP_URL/auth/basic/$run/data.csv"
expect_body "$csv" "http: bearer accepted" -H "Authorization: Bearer tok-123" "$ETL_HTTP_URL/auth/bearer/$run/data.csv"
expect_http 401 "http: bearer wrong" -H "Authorization: Bearer nope" "$ETL_HTTP_URL/auth/bearer/$run/data.csv"
expect_body "$csv" "http: api key header accepted" -H "X-Api-Key: k1" "$ETL_HTTP_URL/headers/$run/data.csv"
expect_http 403 "http: api key header missing" "$ETL_HTTP_URL/headers/$run/data.csv"
expect_http 503 "http: /status/503" "$ETL_HTTP_URL/status/503"
expect_http 302 "http: /redirect answers 302" "$ETL_HTTP_URL/redirect/$run/data.csv"
expect_body "$csv" "http: redirect followed" -L "$ETL_HTTP_URL/redirect/$run/data.csv"
expect_body $'id,payload\n1,row-1\n2,row-2' "http: /slow with rows" "$ETL_HTTP_URL/slow?delay=0.05&rows=2"
got=0; out="$(curl -sS --max-time 1 "$ETL_HTTP_URL/slow?delay=0.3" 2>/dev/null)" || got=$?
if [ "$got" != 28 ] || [[ "$out" != id,payload$'\n'1,row-1* ]]; then
  fail "http: endless /slow should time out after some rows (exit $got)"
fi
pass "http: endless /slow drips rows until the client gives up"
grep -q "GET /auth/basic/$run/data.csv authorization=present" "$PG_ETL_SERVERS_DIR/logs/http.log" || fail "http: request log"
! grep -q "s3cret\|tok-123" "$PG_ETL_SERVERS_DIR/logs/http.log" || fail "http: log shows a secret"
pass "http: requests logged without credentials"

expect_body "$csv" "https: file with ETL_TLS_CA" --cacert "$ETL_TLS_CA" "$ETL_HTTPS_URL/$run/data.csv"
expect_body "$csv" "https: localhost matches the certificate too" --cacert "$ETL_TLS_CA" \
  "${ETL_HTTPS_URL/127.0.0.1/localhost}/$run/data.csv"
expect_exit 60 "https: untrusted without the CA" "$ETL_HTTPS_URL/$run/data.csv"

# --- FTP / FTPS ----------------------------------------------------------------------
ftp_auth=(--user "$ETL_FTP_USER:$ETL_FTP_PASSWORD")
expect_body "$csv" "ftp: download" "${ftp_auth[@]}" "$ETL_FTP_URL/$run/data.csv"
expect_body "data.csv" "ftp: NLST" "${ftp_auth[@]}" --list-only "$ETL_FTP_URL/$run/"
mlsd="$(curl -sS --fail "${ftp_auth[@]}" -X MLSD "$ETL_FTP_URL/$run/")"
[[ "$mlsd" == *"type=file;"*"data.csv"* ]] || fail "ftp: MLSD gave '$mlsd'"
pass "ftp: MLSD"
expect_exit 67 "ftp: wrong password refused" --user "$ETL_FTP_USER:wrong" "$ETL_FTP_URL/$run/data.csv"

tls=(--ssl-reqd --cacert "$ETL_TLS_CA")
expect_body "$csv" "ftps (explicit AUTH TLS): download" "${ftp_auth[@]}" "${tls[@]}" "$ETL_FTPS_URL/$run/data.csv"
mlsd="$(curl -sS --fail "${ftp_auth[@]}" "${tls[@]}" -X MLSD "$ETL_FTPS_URL/$run/")"
[[ "$mlsd" == *"data.csv"* ]] || fail "ftps: MLSD gave '$mlsd'"
pass "ftps (explicit): MLSD over a TLS data channel"
expect_exit 67 "ftps (explicit): login without TLS refused" "${ftp_auth[@]}" "$ETL_FTPS_URL/$run/data.csv"
expect_exit 60 "ftps (explicit): untrusted without the CA" "${ftp_auth[@]}" --ssl-reqd "$ETL_FTPS_URL/$run/data.csv"
expect_body "$csv" "ftps (implicit): download" "${ftp_auth[@]}" --cacert "$ETL_TLS_CA" "$ETL_FTPS_IMPLICIT_URL/$run/data.csv"

# --- SFTP ----------------------------------------------------------------------------
sftp_file="$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/data.csv"
hostkey=(--hostpubsha256 "$ETL_SFTP_HOST_SHA256")
expect_body "$csv" "sftp: password login" --user "$ETL_SFTP_USER:$ETL_SFTP_PASSWORD" "${hostkey[@]}" "$sftp_file"
expect_body "$csv" "sftp: key login" --user "$ETL_SFTP_USER:" --key "$ETL_SFTP_KEY" --pubkey "$ETL_SFTP_PUBKEY" \
  "${hostkey[@]}" "$sftp_file"
expect_body "$csv" "sftp: ~ is ETL_SFTP_ROOT" --user "$ETL_SFTP_USER:$ETL_SFTP_PASSWORD" "${hostkey[@]}" \
  "$ETL_SFTP_URL/~/$run/data.csv"
expect_exit 67 "sftp: wrong password refused" --user "$ETL_SFTP_USER:wrong" "${hostkey[@]}" "$sftp_file"
expect_exit 60 "sftp: wrong host key refused" --user "$ETL_SFTP_USER:$ETL_SFTP_PASSWORD" \
  --hostpubsha256 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$sftp_file"
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
  got="$(runuser -u postgres -- curl -sS --fail --user "$ETL_SFTP_USER:" --key "$ETL_SFTP_KEY" "${hostkey[@]}" "$sftp_file")" ||
    fail "sftp: key login as the postgres user"
  [ "$got" = "$csv" ] || fail "sftp: key login as postgres got '$got'"
  pass "sftp: key login as the postgres user"
fi
out="$(mktemp)"
port="${ETL_SFTP_URL##*:}"
sftp -q -b - -P "$port" -i "$ETL_SFTP_KEY" -o BatchMode=yes -o IdentitiesOnly=yes \
  -o UserKnownHostsFile="$ETL_SFTP_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
  "$ETL_SFTP_USER@127.0.0.1" <<<"get $ETL_SFTP_ROOT/$run/data.csv $out" >/dev/null || fail "sftp: OpenSSH sftp client"
[ "$(cat "$out")" = "$csv" ] || fail "sftp: OpenSSH sftp client got '$(cat "$out")'"
rm -f "$out"
pass "sftp: OpenSSH sftp client with the key and ETL_SFTP_KNOWN_HOSTS"

# --- S3 through the SigV4-verifying proxy ---------------------------------------------
key="$run/dir/data file+1.csv"     # needs encoding: space and plus
enc_key="$run/dir/data%20file%2B1.csv"
tmp="$(mktemp)"; printf '%s\n' "$csv" >"$tmp"
"$servers/s3put.sh" "$ETL_S3_BUCKET" "$key" "$tmp" || fail "s3: s3put.sh (curl SigV4 PUT via proxy)"
rm -f "$tmp"
pass "s3: PUT signed by curl --aws-sigv4"
sig=(--aws-sigv4 "aws:amz:$ETL_S3_REGION:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
expect_body "$csv" "s3: GET signed by curl" "${sig[@]}" --user "$ETL_S3_ACCESS_KEY:$ETL_S3_SECRET_KEY" \
  "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key"
[ "$("$servers/s3ls.sh" "$ETL_S3_BUCKET" "$run/")" = "$key" ] || fail "s3: ListObjectsV2 via s3ls.sh"
pass "s3: ListObjectsV2 signed by curl"
expect_http 403 "s3: curl with a wrong secret gets 403" "${sig[@]}" --user "$ETL_S3_ACCESS_KEY:wrong" \
  "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key"
expect_http 403 "s3: unsigned request gets 403" "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key"
body="$(curl -sS "${sig[@]}" --user "$ETL_S3_ACCESS_KEY:wrong" "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key")"
[[ "$body" == *"<Code>SignatureDoesNotMatch</Code>"* ]] || fail "s3: 403 body is not an S3 error: $body"
pass "s3: 403 carries an S3 SignatureDoesNotMatch error"
expect_body "$csv" "s3: direct endpoint (s3rver) serves the object" "$ETL_S3_DIRECT_ENDPOINT/$ETL_S3_BUCKET/$enc_key"

# The AWS SDK's own signer (@smithy/signature-v4) as a second, independent client.
client=(node "$servers/s3/s3client.js")
got="$("${client[@]}" GET "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key" 2>/dev/null)" || fail "s3: smithy-signed GET"
[ "$got" = "$csv" ] || fail "s3: smithy-signed GET got '$got'"
pass "s3: GET signed by @smithy/signature-v4"
got="$("${client[@]}" GET "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET?prefix=$run/&list-type=2&max-keys=5" 2>/dev/null)" ||
  fail "s3: smithy-signed list with an unsorted, unencoded query"
[[ "$got" == *"<Key>$key</Key>"* ]] || fail "s3: smithy-signed list lacks the key"
pass "s3: ListObjectsV2 signed by @smithy/signature-v4 (unsorted query)"
"${client[@]}" --payload sha256 PUT "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$run/hashed.csv" <(printf '%s\n' "$csv") >/dev/null 2>&1 ||
  fail "s3: smithy-signed PUT with a signed payload hash"
pass "s3: PUT with a signed payload hash"
! "${client[@]}" --secret-key wrong GET "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key" >/dev/null 2>&1 ||
  fail "s3: smithy-signed GET with a wrong secret was accepted"
pass "s3: @smithy/signature-v4 with a wrong secret is refused"
url="$("${client[@]}" --presign 60 GET "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$enc_key")"
expect_body "$csv" "s3: presigned URL" "$url"
expect_http 403 "s3: tampered presigned URL" "${url/X-Amz-Expires=60/X-Amz-Expires=61}"
for k in "$enc_key" "$run/hashed.csv"; do
  curl -sS --fail -o /dev/null -X DELETE "${sig[@]}" --user "$ETL_S3_ACCESS_KEY:$ETL_S3_SECRET_KEY" \
    "$ETL_S3_ENDPOINT/$ETL_S3_BUCKET/$k" || fail "s3: DELETE $k"
done
pass "s3: DELETE signed by curl"

# --- JSON API (api_server.py) -----------------------------------------------------------
# json_py CODE: runs CODE with d = the JSON document on stdin (jq is not a dependency).
json_py() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); $1"; }
api="$ETL_API_URL"
hdr="$(mktemp)"
body="$(curl -sS --fail -D "$hdr" "$api/api/header_link/tickets")" || fail "api: header_link page 1"
[ "$(json_py 'print(len(d))' <<<"$body")" = 100 ] || fail "api: header_link page 1 should hold 100 records"
grep -qi '^Link:.*page=2>; rel="next"' "$hdr" || fail "api: header_link lacks rel=\"next\": $(grep -i '^Link:' "$hdr")"
rm -f "$hdr"
pass "api: header_link page 1 has 100 records and a Link rel=\"next\""

url="$api/api/json_link/tickets?total=250&per_page=100" ids="" pages=0
while [ -n "$url" ]; do
  pages=$((pages + 1)); [ $pages -le 10 ] || fail "api: json_link pages do not end"
  body="$(curl -sS --fail "$url")" || fail "api: json_link page $pages"
  ids+="$(json_py 'print(" ".join(str(t["id"]) for t in d["tickets"]))' <<<"$body") "
  url="$(json_py 'print(d["next"] or "")' <<<"$body")"
done
[ "$(tr ' ' '\n' <<<"$ids" | grep -c .)" = 250 ] || fail "api: json_link walk got $(tr ' ' '\n' <<<"$ids" | grep -c .) records, want 250"
[ "$(tr ' ' '\n' <<<"$ids" | grep . | sort -un | wc -l)" = 250 ] || fail "api: json_link walk repeated ids"
[ $pages = 3 ] || fail "api: json_link walk took $pages pages, want 3"
pass "api: json_link walk collects 250 distinct ids in 3 pages"

token="$(curl -sS --fail -u etl-client:etl-secret -d grant_type=client_credentials "$api/oauth/token" |
  json_py 'print(d["access_token"])')" || fail "api: oauth token"
body="$(curl -sS --fail -H "Authorization: Bearer $token" "$api/api/oauth/tickets?limit=5")" || fail "api: oauth tickets with a token"
[ "$(json_py 'print(len(d["tickets"]), d["total"])' <<<"$body")" = "5 1000" ] || fail "api: oauth tickets body"
pass "api: oauth client credentials token opens /api/oauth/tickets"
expect_http 401 "api: /api/oauth/tickets without a token" "$api/api/oauth/tickets"
expect_http 401 "api: oauth token with a wrong secret" -u etl-client:wrong -d grant_type=client_credentials "$api/oauth/token"

key="selftest_$$"
head="$(curl -sS -D - -o /dev/null "$api/api/throttle/tickets?key=$key&times=1&retry_after=1")"
[[ "$head" == "HTTP/1.1 429"* ]] || fail "api: throttle should answer 429 first: ${head%%$'\r'*}"
grep -qi '^Retry-After: 1' <<<"$head" || fail "api: throttle 429 lacks Retry-After: 1"
pass "api: throttle answers 429 with Retry-After"
expect_http 200 "api: throttle then answers 200" "$api/api/throttle/tickets?key=$key&times=1&retry_after=1"

gql() { curl -sS --fail -H 'Content-Type: application/json' -d "$1" "$api/graphql"; }
q='query($first: Int, $after: String) { tickets(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }'
body="$(gql "{\"query\": \"$q\", \"variables\": {\"first\": 3}}")" || fail "api: graphql page 1"
cursor="$(json_py 't = d["data"]["tickets"]
assert [n["id"] for n in t["nodes"]] == [1, 2, 3] and t["pageInfo"]["hasNextPage"] and t["totalCount"] == 1000, t
print(t["pageInfo"]["endCursor"])' <<<"$body")" || fail "api: graphql page 1: $body"
body="$(gql "{\"query\": \"$q\", \"variables\": {\"first\": 3, \"after\": \"$cursor\"}}")" || fail "api: graphql page 2"
[ "$(json_py 'print([n["id"] for n in d["data"]["tickets"]["nodes"]])' <<<"$body")" = "[4, 5, 6]" ] || fail "api: graphql page 2: $body"
pass "api: graphql nodes and pageInfo, endCursor leads to the next page"
body="$(gql '{"query": "{ syntaxError }"}')" || fail "api: graphql syntaxError should still be HTTP 200"
json_py 'assert d["errors"] and d["errors"][0]["message"].startswith("Syntax Error") and d["data"] is None' <<<"$body" ||
  fail "api: graphql syntaxError: $body"
pass "api: graphql syntaxError answers errors"

ckey="conn_$$"   # per-key count: other tests' connections do not disturb it
curl -sS --fail -o /dev/null -o /dev/null "$api/api/offset/tickets?key=$ckey&limit=1" \
  "$api/api/offset/tickets?key=$ckey&offset=1&limit=1" || fail "api: two requests in one curl"
stats="$(curl -sS --fail "$api/admin/stats")" || fail "api: /admin/stats"
[ "$(json_py "print(d['key_connections'].get('$ckey'))" <<<"$stats")" = 1 ] || fail "api: 2 requests should share 1 connection: $stats"
[ "$(json_py "print(len(d['request_times'].get('$key', [])))" <<<"$stats")" = 2 ] || fail "api: throttle request times"
pass "api: /admin/stats counts one keep-alive connection for two requests"

expect_http 200 "api: api key as a query parameter" "$api/api/apikey/tickets?api_key=k1&limit=1"
log="$PG_ETL_SERVERS_DIR/logs/api.log"
grep -q "GET /api/oauth/tickets?limit=5 authorization=present status=200" "$log" || fail "api: request log"
! grep -q "tok-123\|etl-secret\|api_key=k1\|$token\b" "$log" || fail "api: log shows a secret"
pass "api: requests logged without credentials"

# --- MariaDB (mysql://) and the second PostgreSQL cluster (pgsrc) ------------------------
my() { MYSQL_PWD="${pw:-$ETL_DB_PASSWORD}" mariadb --no-defaults --default-character-set=utf8mb4 --protocol=tcp \
  -h 127.0.0.1 -P "$ETL_MYSQL_PORT" -u "$ETL_DB_USER" -N -B "$ETL_DB_NAME" -e "$1"; }
pg() { psql -X -A -t -q -w -v ON_ERROR_STOP=1 -d "$ETL_PGSRC_URL" -c "$1"; }
[[ "$ETL_MYSQL_URL" == "mysql://$ETL_DB_USER:$ETL_DB_PASSWORD@127.0.0.1:$ETL_MYSQL_PORT/$ETL_DB_NAME" ]] ||
  fail "mariadb: ETL_MYSQL_URL is '$ETL_MYSQL_URL'"
[ "$(my 'SELECT VERSION() LIKE "%MariaDB%"')" = 1 ] || fail "mariadb: etl cannot log in over TCP"
pass "mariadb: etl logs in over TCP with its password"
ss -Hltn "sport = :$ETL_MYSQL_PORT" | awk '{print $4}' | grep -qvx "127.0.0.1:$ETL_MYSQL_PORT" &&
  fail "mariadb: listens on more than 127.0.0.1: $(ss -Hltn "sport = :$ETL_MYSQL_PORT")"
ss -Hltn "sport = :$ETL_PGSRC_PORT" | awk '{print $4}' | grep -qvx "127.0.0.1:$ETL_PGSRC_PORT" &&
  fail "pgsrc: listens on more than 127.0.0.1: $(ss -Hltn "sport = :$ETL_PGSRC_PORT")"
pass "mariadb and pgsrc listen on 127.0.0.1 only"
[ "$(my 'SELECT COUNT(*), SUM(id = 4 AND c_int IS NULL AND c_text IS NULL AND c_bytes IS NULL) FROM types_demo')" = $'5\t1' ] ||
  fail "mariadb: types_demo should hold 5 rows, one all NULL"
[ "$(my 'SELECT COUNT(*), COUNT(DISTINCT updated_at) FROM tickets')" = $'1000\t400' ] || fail "mariadb: tickets seed"
[ "$(my 'SELECT HEX(c_text), HEX(c_bytes), c_ubigint FROM types_demo WHERE id IN (3, 2) ORDER BY id DESC LIMIT 1')" = \
  $'C3A920E697A5E69CAC20F09F9880\t5C78303027\t4' ] || fail "mariadb: utf8mb4 text or BLOB bytes seeded wrongly"
[ "$(my 'SELECT c_date, c_text = "" FROM types_demo WHERE id = 5')" = $'0000-00-00\t1' ] || fail "mariadb: zero date / empty text"
pass "mariadb: types_demo (5 rows, utf8mb4, bytes, zero date) and 1000 tickets seeded"
out="$(pw=wrong my 'SELECT 1' 2>&1)" && fail "mariadb: a wrong password was accepted"
[[ "$out" == *"ERROR 1045"* ]] || fail "mariadb: wrong password gave: $out"
pass "mariadb: a wrong password is refused (1045)"

[[ "$ETL_PGSRC_URL" == "postgresql://$ETL_DB_USER:$ETL_DB_PASSWORD@127.0.0.1:$ETL_PGSRC_PORT/$ETL_DB_NAME" ]] ||
  fail "pgsrc: ETL_PGSRC_URL is '$ETL_PGSRC_URL'"
[ "$(pg "SELECT current_user || current_setting('server_version_num')::int / 10000")" = etl15 ] ||
  fail "pgsrc: etl cannot log in to a PostgreSQL 15 server"
pass "pgsrc: etl logs in to PostgreSQL 15 over TCP with its password"
[ "$(pg "SELECT count(*), count(*) FILTER (WHERE c_text = ''), count(*) FILTER (WHERE c_text IS NULL) FROM types_demo")" = '5|1|1' ] ||
  fail "pgsrc: types_demo should hold 5 rows, one empty text, one NULL"
[ "$(pg 'SELECT count(*), count(DISTINCT updated_at) FROM tickets')" = '1000|400' ] || fail "pgsrc: tickets seed"
pass "pgsrc: types_demo (5 rows) and 1000 tickets seeded"
out="$(psql -X -w -d "${ETL_PGSRC_URL/:$ETL_DB_PASSWORD@/:wrong@}" -c 'SELECT 1' 2>&1)" && fail "pgsrc: a wrong password was accepted"
[[ "$out" == *"password authentication failed"* ]] || fail "pgsrc: wrong password gave: $out"
out="$(psql -X -w -d "${ETL_PGSRC_URL/:$ETL_DB_PASSWORD@/@}" -c 'SELECT 1' 2>&1)" && fail "pgsrc: TCP without a password was accepted"
pass "pgsrc: TCP logins need the right password (SCRAM)"

# The same tickets on both servers, value for value.
my_tickets="$(my "SELECT id, subject, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), IFNULL(amount, 'null') FROM tickets ORDER BY id")"
pg_tickets="$(psql -X -A -t -q -w -F $'\t' -d "$ETL_PGSRC_URL" \
  -c "SELECT id, subject, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US'), coalesce(amount::text, 'null') FROM tickets ORDER BY id")"
[ "$my_tickets" = "$pg_tickets" ] || fail "tickets differ between MariaDB and pgsrc: $(diff <(echo "$my_tickets") <(echo "$pg_tickets") | head -5)"
pass "mariadb and pgsrc hold the same 1000 tickets"

echo "$passed passed, 0 failed"
