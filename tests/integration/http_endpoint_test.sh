#!/usr/bin/env bash
# The "pg_etl http" worker: /metrics (Prometheus text), the status page and /status.json,
# behind pg_etl.http_token, on the test cluster. Real peers: Debian's prometheus scrapes
# the endpoint with the bearer token and its query API returns pg_etl's series; headless
# chromium renders the page, its DOM and an OCR reading (tesseract) of its screenshot
# must show the pipelines and the failure. Also: a reload moves the port, an SQL error is
# a 500 that the worker survives, the token stays out of the server log.
. "$(dirname "$0")/lib.sh"
servers_env
DB=postgres
dir=$(mktemp -d /tmp/pg_etl_http.XXXXXX)
chmod 755 "$dir"
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port) prom_port=$(free_port)
token="metrics-token-$(date +%s%N)"
cleanup() {
  [ -n "${prom_pid:-}" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  psql -X -q -d postgres -c "ALTER SYSTEM RESET pg_etl.http_port" -c "ALTER SYSTEM RESET pg_etl.http_token_file" \
    -c "SELECT pg_reload_conf()" -c "DROP EXTENSION IF EXISTS pg_etl CASCADE" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
q "DROP EXTENSION IF EXISTS pg_etl CASCADE"
q "CREATE EXTENSION pg_etl"
printf 'id,amount\n1,10\n2,20\n' >"$dir/a.csv" && chmod a+r "$dir/a.csv"
q "CREATE TABLE h_orders (id int, amount numeric)"
q "SELECT etl.create_pipeline('httporders', '$dir/a.csv', 'h_orders', write_mode => 'replace')" >/dev/null
q "SELECT etl.create_pipeline('httpbroken', '$dir/missing.csv', 'h_orders')" >/dev/null
q "SELECT etl.run('httporders')" >/dev/null
q "SELECT etl.run('httpbroken')" >/dev/null 2>&1
q "SELECT etl.process_run_outbox()" >/dev/null   # counted now (the worker would, moments later)

q "ALTER SYSTEM SET pg_etl.http_port = $port"
printf '%s\n' "$token" >"$dir/token" && chmod 644 "$dir/token"
q "ALTER SYSTEM SET pg_etl.http_token_file = '$dir/token'"
q "SELECT pg_reload_conf()" >/dev/null
url="http://127.0.0.1:$port"
for _ in $(seq 50); do [ "$(curl -s "$url/healthz" || true)" = ok ] && break; sleep 0.2; done
assert_eq "$(curl -s "$url/healthz")" ok "/healthz answers without a token"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")" 401 "/metrics without a token: 401"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$url/metrics")" 401 "with a wrong token: 401"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$url/metrics")" 405 "other methods: 405"
metrics=$(curl -s -H "Authorization: Bearer $token" "$url/metrics")
assert_match "$metrics" 'pg_etl_runs_total\{pipeline="httpbroken",kind="pipeline",status="failed"\} 1' "/metrics: Prometheus text with the runs"
assert_eq "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $token" "$url/metrics")" \
  "text/plain; version=0.0.4; charset=utf-8" "in the exposition format's content type"
assert_match "$(curl -s -H "Authorization: Bearer $token" "$url/status.json")" '"httpbroken"' "/status.json"

# Prometheus scrapes it with the token; its query API returns pg_etl's series.
cat >"$dir/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: pg_etl
    authorization: {type: Bearer, credentials_file: $dir/token}
    static_configs: [{targets: ['127.0.0.1:$port']}]
YML
/usr/bin/prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
prom_pid=$!
promql() { curl -s -G "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" | /usr/bin/python3 -c \
  'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true; }
for _ in $(seq 100); do [ "$(promql 'pg_etl_runs_total{pipeline="httpbroken",status="failed"}')" = 1 ] && break; sleep 0.3; done
assert_eq "$(promql 'pg_etl_runs_total{pipeline="httpbroken",status="failed"}')" 1 "prometheus scraped pg_etl_runs_total through the token"
assert_eq "$(promql 'up{job="pg_etl"}')" 1 "and sees the target up"
assert_eq "$(promql 'sum(pg_etl_rows_processed_total{pipeline="httporders"})')" 2 "rows processed"
assert_eq "$(promql 'pg_etl_run_duration_seconds_count{pipeline="httporders"}')" 1 "the latency histogram"

# Headless chromium renders the page; its DOM and an OCR of the screenshot show it.
chrome=(/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$dir/chrome")
dom=$("${chrome[@]}" --dump-dom "$url/?token=$token" 2>/dev/null)
assert_match "$dom" 'httpbroken' "the page lists the pipelines"
assert_match "$dom" 'could not stat file' "and the failure with its error"
assert_match "$dom" '<svg' "with charts"
"${chrome[@]}" --window-size=1280,1600 --screenshot="$dir/page.png" "$url/?token=$token" >/dev/null 2>&1
[ -s "$dir/page.png" ] || fail "chromium wrote no screenshot"
ocr=$(tesseract "$dir/page.png" stdout 2>/dev/null | tr 'A-Z' 'a-z')
assert_match "$ocr" 'httporders' "the screenshot shows a pipeline's name (OCR)"
assert_match "$ocr" 'fail' "and the failure (OCR)"

# The worker survives an SQL error (HTTP 500) and follows a reload to a new port.
q "ALTER FUNCTION etl.prometheus_metrics() RENAME TO prometheus_metrics_away"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/metrics")" 500 "an SQL error is a 500"
q "ALTER FUNCTION etl.prometheus_metrics_away() RENAME TO prometheus_metrics"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/metrics")" 200 "and the next request is served"
new_port=$(free_port)
q "ALTER SYSTEM SET pg_etl.http_port = $new_port"
q "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 50); do [ "$(curl -s "http://127.0.0.1:$new_port/healthz" || true)" = ok ] && break; sleep 0.2; done
assert_eq "$(curl -s "http://127.0.0.1:$new_port/healthz")" ok "a reload moves it to the new port"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true)" 000 "and the old one is closed"
assert_eq "$(grep -c -- "$token" "$PG_ETL_TEST_DIR/server.log" || true)" 0 "the token is not in the server log"
assert_eq "$(grep -c -- "$token" "$dir/prometheus.log" || true)" 0 "nor in prometheus' log"
