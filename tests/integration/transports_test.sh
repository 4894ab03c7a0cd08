#!/usr/bin/env bash
# Reading over the network from real servers on 127.0.0.1: HTTP(S), FTP, FTPS, SFTP and
# an S3-compatible store whose proxy verifies SigV4 signatures. Each transport's
# failures map to a specific SQLSTATE, credentials never appear in messages, a stalled
# download is cancellable, and memory stays flat on a file of 100 MB+.
. "$(dirname "$0")/lib.sh"
servers_env
DB=transports_test
fresh_db $DB
src="$PG_ETL_SOURCE_DIR/examples/data/orders.csv"
run="transports_$$"
mkdir -p "$ETL_DATA/http/$run" "$ETL_DATA/ftp/$run/sub" "$ETL_DATA/sftp/$run/sub"
trap 'rm -rf "$ETL_DATA/http/$run" "$ETL_DATA/ftp/$run" "$ETL_DATA/sftp/$run"' EXIT
for d in "$ETL_DATA/http/$run" "$ETL_DATA/ftp/$run" "$ETL_DATA/ftp/$run/sub" "$ETL_DATA/sftp/$run" "$ETL_DATA/sftp/$run/sub"; do
  cp "$src" "$d/orders.csv"
  gzip -c "$src" >"$d/orders.csv.gz"
done
cp "$src" "$ETL_DATA/http/$run/b.csv"
chmod -R a+rX "$ETL_DATA"
q "CREATE TABLE orders (order_id bigint, customer text, email text, amount numeric, currency text, ordered_at timestamptz, src text)"
count() { q "SELECT count(*) FROM etl.read_csv('$1', '${2:-{\}}'::jsonb) AS t(order_id int)"; }

# ---- HTTP(S) -------------------------------------------------------------------
assert_eq "$(count "$ETL_HTTP_URL/$run/orders.csv")" 8 "http: read_csv"
assert_eq "$(count "$ETL_HTTP_URL/$run/orders.csv.gz")" 8 "http: gzip decoded while streaming"
assert_eq "$(count "$ETL_HTTP_URL/redirect/$run/orders.csv")" 8 "http: redirects are followed"
assert_eq "$(q "SELECT rows_loaded || '/' || files FROM etl.load('orders', '$ETL_HTTPS_URL/$run/{orders,b}.csv', '{\"ca_file\": \"$ETL_TLS_CA\"}')")" \
  "16/2" "https: etl.load of two files named with braces, verified against the test CA"
expect_error 08001 "https: an unknown certificate authority is refused" \
  "SELECT * FROM etl.read_csv('$ETL_HTTPS_URL/$run/orders.csv') AS t(id int)"
assert_eq "$(count "$ETL_HTTP_URL/auth/basic/$run/orders.csv" "{\"username\": \"etl\", \"password\": \"$ETL_HTTP_BASIC_PASSWORD\"}")" 8 "http: basic auth"
expect_error 28000 "http: wrong basic password" \
  "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/auth/basic/$run/orders.csv', '{\"username\": \"etl\", \"password\": \"wrong-pass-77\"}') AS t(id int)"
[[ "$LAST_ERROR" != *wrong-pass-77* ]] || fail "the password appears in the error"
expect_error 28000 "http: password in the URL, wrong" \
  "SELECT * FROM etl.read_csv('http://etl:wrong-pass-88@127.0.0.1:${ETL_HTTP_URL##*:}/auth/basic/$run/orders.csv') AS t(id int)"
[[ "$LAST_ERROR" != *wrong-pass-88* ]] || fail "the URL password appears in the error"
assert_eq "$(count "$ETL_HTTP_URL/auth/bearer/$run/orders.csv" "{\"bearer_token\": \"$ETL_HTTP_BEARER_TOKEN\"}")" 8 "http: bearer token"
expect_error 28000 "http: missing bearer token" "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/auth/bearer/$run/orders.csv') AS t(id int)"
assert_eq "$(count "$ETL_HTTP_URL/headers/$run/orders.csv" "{\"headers\": {\"X-Api-Key\": \"$ETL_HTTP_API_KEY\"}}")" 8 "http: extra headers"
expect_error 42501 "http: 403 forbidden" "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/headers/$run/orders.csv') AS t(id int)"
expect_error 58P01 "http: 404 is a missing file" "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/$run/nope.csv') AS t(id int)"
expect_error 58030 "http: a 500 is an I/O error" "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/status/500') AS t(id int)"
expect_error 08001 "http: connection refused" "SELECT * FROM etl.read_csv('http://127.0.0.1:1/x.csv') AS t(id int)"
expect_error 08001 "http: unknown host" "SELECT * FROM etl.read_csv('http://no-such-host.invalid/x.csv') AS t(id int)"
expect_error 08006 "http: the timeout option ends a stalled download" \
  "SELECT * FROM etl.read_csv('$ETL_HTTP_URL/slow?delay=5', '{\"timeout\": 1}') AS t(id int)"

# statement_timeout and pg_cancel_backend stop a stalled download within a second.
start=$(now_ms)
out=$(psql -X -q -v VERBOSITY=verbose -d $DB -c "SET statement_timeout = 500" \
  -c "SELECT count(*) FROM etl.read_csv('$ETL_HTTP_URL/slow?delay=30') AS t(id int)" 2>&1 || true)
took=$(($(now_ms) - start))
[[ "$out" == *"ERROR:  57014"* ]] || fail "statement_timeout did not cancel the download: $out"
[ $took -lt 1500 ] || fail "statement_timeout 500 ms took $took ms"
pass "statement_timeout cancels a stalled download ($took ms for a 500 ms timeout)"
( psql -X -q -d $DB -c "SELECT count(*) FROM etl.read_csv('$ETL_HTTP_URL/slow?delay=30') AS t(id int)" >/tmp/$run.cancel 2>&1 || true ) &
bg=$!
pid=""
for _ in $(seq 100); do
  pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE '%slow?delay=30%' AND state = 'active' AND pid <> pg_backend_pid()")
  [ -n "$pid" ] && break; sleep 0.05
done
[ -n "$pid" ] || fail "the slow download did not start"
sleep 0.5
t0=$(now_ms)
q "SELECT pg_cancel_backend($pid)" >/dev/null
wait $bg
lag=$(($(now_ms) - t0))
grep -q "canceling statement due to user request" /tmp/$run.cancel || fail "not cancelled: $(cat /tmp/$run.cancel)"
[ $lag -lt 1000 ] || fail "pg_cancel_backend took $lag ms"
pass "pg_cancel_backend stops a download in $lag ms"
rm -f /tmp/$run.cancel

# ---- FTP and FTPS ----------------------------------------------------------------
ftp_auth="{\"username\": \"$ETL_FTP_USER\", \"password\": \"$ETL_FTP_PASSWORD\"}"
ftp_hostport=${ETL_FTP_URL#ftp://}
assert_eq "$(count "ftp://$ETL_FTP_USER:$ETL_FTP_PASSWORD@$ftp_hostport/$run/orders.csv")" 8 "ftp: credentials in the URL"
assert_eq "$(count "$ETL_FTP_URL/$run/orders.csv.gz" "$ftp_auth")" 8 "ftp: credentials in options, gzip"
assert_eq "$(q "SELECT string_agg(regexp_replace(url, '.*/$run/', '') || ':' || size, ' ' ORDER BY url) FROM etl.list_files('$ETL_FTP_URL/$run/**/*.csv', '$ftp_auth')")" \
  "orders.csv:602 sub/orders.csv:602" "ftp: list_files with ** over MLSD"
assert_eq "$(q "SELECT bool_and(modified > now() - interval '1 hour') FROM etl.list_files('$ETL_FTP_URL/$run/*.csv', '$ftp_auth')")" t \
  "ftp: modification times from MLSD"
assert_eq "$(q "SELECT rows_loaded || '/' || files FROM etl.load('orders', 'ftp://$ETL_FTP_USER:$ETL_FTP_PASSWORD@$ftp_hostport/$run/**/*.csv')")" \
  "16/2" "ftp: etl.load of a glob, credentials from the URL reused for each file"
assert_eq "$(q "SELECT count(*) FROM etl.loads WHERE url LIKE '%$ETL_FTP_PASSWORD%' OR options::text LIKE '%$ETL_FTP_PASSWORD%'")" 0 \
  "ftp: the password is not in etl.loads"
assert_eq "$(q "SELECT count(*) FROM etl.load_files WHERE url LIKE '%$ETL_FTP_PASSWORD%'")" 0 "ftp: nor in etl.load_files"
expect_error 28000 "ftp: wrong password" \
  "SELECT * FROM etl.read_csv('$ETL_FTP_URL/$run/orders.csv', '{\"username\": \"etl\", \"password\": \"nope-99\"}') AS t(id int)"
[[ "$LAST_ERROR" != *nope-99* ]] || fail "the FTP password appears in the error"
expect_error 58P01 "ftp: missing file" "SELECT * FROM etl.read_csv('$ETL_FTP_URL/$run/nope.csv', '$ftp_auth') AS t(id int)"
ftps_opts="{\"username\": \"$ETL_FTP_USER\", \"password\": \"$ETL_FTP_PASSWORD\", \"ftp_ssl\": \"all\", \"ca_file\": \"$ETL_TLS_CA\"}"
assert_eq "$(count "$ETL_FTPS_URL/$run/orders.csv" "$ftps_opts")" 8 "ftps: explicit TLS (AUTH TLS) on control and data"
assert_eq "$(q "SELECT count(*) FROM etl.list_files('$ETL_FTPS_URL/$run/*.csv*', '$ftps_opts')")" 2 "ftps: listing over TLS"
assert_eq "$(count "$ETL_FTPS_IMPLICIT_URL/$run/orders.csv" "{\"username\": \"$ETL_FTP_USER\", \"password\": \"$ETL_FTP_PASSWORD\", \"ca_file\": \"$ETL_TLS_CA\"}")" 8 \
  "ftps://: implicit TLS"
expect_error 28000 "ftps: a server that demands TLS refuses a plain FTP login" \
  "SELECT * FROM etl.read_csv('$ETL_FTPS_URL/$run/orders.csv', '$ftp_auth') AS t(id int)"

# ---- SFTP ------------------------------------------------------------------------
sftp_pw="{\"username\": \"$ETL_SFTP_USER\", \"password\": \"$ETL_SFTP_PASSWORD\"}"
sftp_key="{\"username\": \"$ETL_SFTP_USER\", \"private_key\": \"$ETL_SFTP_KEY\", \"public_key\": \"$ETL_SFTP_PUBKEY\"}"
assert_eq "$(count "$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/orders.csv" "$sftp_pw")" 8 "sftp: password"
assert_eq "$(count "$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/orders.csv.gz" "$sftp_key")" 8 "sftp: key, gzip"
assert_eq "$(count "$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/orders.csv" "{\"username\": \"$ETL_SFTP_USER\", \"password\": \"$ETL_SFTP_PASSWORD\", \"host_key_sha256\": \"$ETL_SFTP_HOST_SHA256\"}")" 8 \
  "sftp: pinned host key accepted"
expect_error 08001 "sftp: a different host key is refused" \
  "SELECT * FROM etl.read_csv('$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/orders.csv', '{\"username\": \"$ETL_SFTP_USER\", \"password\": \"$ETL_SFTP_PASSWORD\", \"host_key_sha256\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}') AS t(id int)"
assert_eq "$(q "SELECT string_agg(regexp_replace(url, '.*/$run/', ''), ' ' ORDER BY url) FROM etl.list_files('$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/**/*.csv', '$sftp_pw')")" \
  "orders.csv sub/orders.csv" "sftp: list_files with **"
assert_eq "$(q "SELECT rows_loaded FROM etl.load('orders', '$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/*.csv', '$sftp_key')")" 8 "sftp: etl.load of a glob"
expect_error 28000 "sftp: wrong password" \
  "SELECT * FROM etl.read_csv('$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/orders.csv', '{\"username\": \"$ETL_SFTP_USER\", \"password\": \"bad-77\"}') AS t(id int)"
[[ "$LAST_ERROR" != *bad-77* ]] || fail "the SFTP password appears in the error"
expect_error 58P01 "sftp: missing file" "SELECT * FROM etl.read_csv('$ETL_SFTP_URL$ETL_SFTP_ROOT/$run/nope.csv', '$sftp_pw') AS t(id int)"

# ---- S3 (s3rver behind a proxy that verifies every SigV4 signature) ---------------
prefix="$run/data"
"$PG_ETL_SOURCE_DIR/tests/servers/s3put.sh" "$ETL_S3_BUCKET" "$prefix/2024/a b.csv" "$src" >/dev/null
gzip -c "$src" >"$ETL_DATA/http/$run/c.csv.gz"
"$PG_ETL_SOURCE_DIR/tests/servers/s3put.sh" "$ETL_S3_BUCKET" "$prefix/2024/c.csv.gz" "$ETL_DATA/http/$run/c.csv.gz" >/dev/null
"$PG_ETL_SOURCE_DIR/tests/servers/s3put.sh" "$ETL_S3_BUCKET" "$prefix/2025/d.csv" "$src" >/dev/null
s3="{\"endpoint\": \"$ETL_S3_ENDPOINT\", \"path_style\": true, \"region\": \"$ETL_S3_REGION\", \"access_key_id\": \"$ETL_S3_ACCESS_KEY\", \"secret_access_key\": \"$ETL_S3_SECRET_KEY\"}"
assert_eq "$(count "s3://$ETL_S3_BUCKET/$prefix/2024/a b.csv" "$s3")" 8 "s3: signed GET of a key with a space"
assert_eq "$(q "SELECT string_agg(regexp_replace(url, '.*/$prefix/', '') || ':' || size, ' ' ORDER BY url) FROM etl.list_files('s3://$ETL_S3_BUCKET/$prefix/**', '$s3')")" \
  "2024/a b.csv:602 2024/c.csv.gz:$(gzip -c "$src" | wc -c) 2025/d.csv:602" "s3: ListObjectsV2 behind a glob"
assert_eq "$(q "SELECT rows_loaded || '/' || files FROM etl.load('orders', 's3://$ETL_S3_BUCKET/$prefix/202{4,5}/*.csv*', '$s3')")" \
  "24/3" "s3: etl.load of a glob with braces, gzip among the objects"
assert_eq "$(q "SELECT count(*) FROM etl.load_files WHERE url LIKE 's3://%' AND etag IS NOT NULL")" 3 "s3: ETags recorded per file"
bad_s3="{\"endpoint\": \"$ETL_S3_ENDPOINT\", \"path_style\": true, \"access_key_id\": \"$ETL_S3_ACCESS_KEY\", \"secret_access_key\": \"not-the-secret-42\"}"
expect_error 42501 "s3: a wrong secret fails the proxy's signature check" \
  "SELECT * FROM etl.read_csv('s3://$ETL_S3_BUCKET/$prefix/2025/d.csv', '$bad_s3') AS t(id int)"
[[ "$LAST_ERROR" != *not-the-secret-42* ]] || fail "the S3 secret appears in the error"
[[ "$LAST_ERROR" == *SignatureDoesNotMatch* ]] || fail "the error does not quote the server's reason: $LAST_ERROR"
expect_error 58P01 "s3: missing object" "SELECT * FROM etl.read_csv('s3://$ETL_S3_BUCKET/$prefix/none.csv', '$s3') AS t(id int)"

# ---- streaming: memory stays flat on a file of 100 MB+ ------------------------------
big="$ETL_DATA/http/$run/big.csv"
/usr/bin/python3 - "$big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,name,email,amount,note\n")
    row = ",customer name {0},user{0}@example.com,{1}.{2:02d},a longer note that pads every row to about 110 bytes\n"
    for i in range(1, 1_000_001):
        f.write(str(i) + row.format(i, i % 9973, i % 100))
PY
chmod a+r "$big"
size_mb=$(( $(stat -c %s "$big") / 1048576 ))
[ $size_mb -ge 100 ] || fail "big.csv is only $size_mb MB"
q "CREATE UNLOGGED TABLE big (id bigint, name text, email text, amount numeric, note text)"
( psql -X -q -d $DB -c "SELECT pg_backend_pid()" -c "SELECT rows_loaded FROM etl.load('big', '$ETL_HTTP_URL/$run/big.csv')" -A -t >/tmp/$run.big 2>&1 ) &
bg=$!
pid=""
for _ in $(seq 100); do pid=$(head -1 /tmp/$run.big 2>/dev/null | tr -d ' '); [[ "$pid" =~ ^[0-9]+$ ]] && break; sleep 0.05; done
peak=0
while kill -0 $bg 2>/dev/null; do
  kb=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
  [ "${kb:-0}" -gt $peak ] && peak=$kb
  sleep 0.1
done
wait $bg
assert_eq "$(sed -n 2p /tmp/$run.big)" 1000000 "loaded 1,000,000 rows ($size_mb MB) over HTTP"
[ $peak -lt $((200 * 1024)) ] || fail "backend private memory peaked at $((peak / 1024)) MB"
pass "backend private memory peaked at $((peak / 1024)) MB while streaming $size_mb MB"
rm -f /tmp/$run.big
q "DROP DATABASE $DB WITH (FORCE)" postgres
