#!/usr/bin/env bash
# API source benchmark for issue 6 (bench/RESULTS.md records its output), against the test API
# server tests/servers/api_server.py started here on its own port:
#   1. PAGES pages x 100 records of /api/offset/tickets, every client on the same
#      URLs: etl.load into a table (concurrency 1 and 4); curl over one reused
#      connection (fetch only; and piped through jq into COPY, jsonb then typed);
#      curl 4 at a time (fetch only: what the server can deliver); python3 requests
#      with a Session (fetch + json decode); the same records as one /api/array
#      response (etl.load and curl); and the floor of loading them: COPY FROM local
#      CSV and binary files of the rows etl.load wrote.
#   2. rate_limit accuracy: 200 pages (limit 10) at 5, 20 and 50 requests/s, the rate
#      the server saw from its own request times.
# One throwaway cluster, alternating clients in each round, median of RUNS (default 3).
#   bench/run_api_bench.sh [PAGES]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
PAGES="${1:-1000}"
RUNS="${RUNS:-3}"
ROWS=$((PAGES * 100))
RL_PAGES=200 RL_LIMIT=10
DIR="$root/build/bench-api-cluster"
PORT="${PG_ETL_BENCH_PORT:-55601}"
API_PORT="${PG_ETL_BENCH_API_PORT:-55600}"
API="http://127.0.0.1:$API_PORT"
PY=/usr/bin/python3
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
[ "$ROWS" -le 200000 ] || { echo "PAGES at most 2000 (the test server serves at most 200000 records)" >&2; exit 2; }

# Peers from Debian, installed when missing.
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
$PY -c 'import requests' 2>/dev/null || need+=(python3-requests)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null 2>&1 ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null; }
fi

WORK="$(mktemp -d /tmp/pg_etl_api_bench.XXXXXX)"
bench_cluster "$DIR" "$PORT" "shared_buffers = 512MB"
# Ports in the ephemeral range can be taken for a moment by any outgoing connection:
# when the bind fails, the next port.
API_PID=""
cleanup() { if [ -n "$API_PID" ]; then kill "$API_PID" 2>/dev/null || true; fi; cluster_stop "$DIR" fast; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 10); do
  $PY "$root/tests/servers/api_server.py" --port "$API_PORT" 2>"$WORK/api_server.log" </dev/null &
  API_PID=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$API_PORT/admin/stats" -o /dev/null && break
    kill -0 "$API_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$API_PID" 2>/dev/null && break
  grep -q "Address already in use" "$WORK/api_server.log" || { cat "$WORK/api_server.log" >&2; exit 1; }
  API_PORT=$((API_PORT + 1))
done
API="http://127.0.0.1:$API_PORT"
curl -sSf "$API/admin/stats" -o /dev/null || { echo "the API server did not start:" >&2; cat "$WORK/api_server.log" >&2; exit 1; }
# The server builds its records on first use: do it before any timing.
curl -sSf "$API/api/offset/tickets?total=$ROWS&offset=0&limit=1" -o /dev/null

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_etl;
CREATE TABLE bench_tickets (id int, subject text, status text, priority int, updated_at timestamptz,
                            amount numeric, requester jsonb, tags jsonb, custom_field text);
CREATE TABLE bench_tickets_typed (LIKE bench_tickets);
CREATE TABLE bench_tickets_raw (doc jsonb);
CREATE TABLE bench_rl (LIKE bench_tickets);
CREATE TABLE bench_tickets_copy (LIKE bench_tickets);
SQL
# Files the server writes and reads for the COPY rows (the loading floor).
mkdir -p "$WORK/copy" && chmod 711 "$WORK" && chmod 777 "$WORK/copy"

# The same PAGES URLs for every client.
for ((o = 0; o < ROWS; o += 100)); do
  echo "url = \"$API/api/offset/tickets?total=$ROWS&offset=$o&limit=100\""
done >"$WORK/urls.cfg"
printf '%s\n' "$API/api/offset/tickets?total=$ROWS&offset=%d&limit=100" >"$WORK/url_pattern"
cat >"$WORK/requests_loop.py" <<'PY'
import sys, time, requests
pattern, rows = open(sys.argv[1]).read().strip(), int(sys.argv[2])
s = requests.Session()
n = 0
t = time.perf_counter()
for o in range(0, rows, 100):
    r = s.get(pattern % o)
    r.raise_for_status()
    n += len(r.json()["tickets"])
print(n, round((time.perf_counter() - t) * 1000, 3))
PY

TCK=$(getconf CLK_TCK)
now_ms() { date +%s%3N; }
server_cpu_ms() { awk -v t="$TCK" '{print ($14 + $15) * 1000 / t}' "/proc/$API_PID/stat"; }
# cpu_mark: KIDS_MS = CPU (user + sys) of this script's finished children so far, from
# bash's `times` run in this shell (a $(...) subshell would count its own children only).
tms() { local m=${1%%m*} x=${1#*m}; x=${x%s}; echo $((m * 60000 + ${x%.*} * 1000 + 10#${x#*.})); }
cpu_mark() {
  local u s
  times >"$WORK/times"
  { read -r _; read -r u s; } <"$WORK/times"
  KIDS_MS=$(($(tms "$u") + $(tms "$s")))
}
reset() { curl -sSf -X POST "$API/admin/reset" -o /dev/null; }
stat_field() {  # stat_field EXPR: a value of GET /admin/stats (EXPR in Python, d = the stats)
  curl -sSf "$API/admin/stats" | $PY -c "import json, sys; d = json.load(sys.stdin); print($1)"
}
BACKEND_CPU="SELECT (split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint) * 1000 / $TCK FROM pg_read_file('/proc/self/stat') s"
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A T CPU SCPU CONN
record() {  # record NAME wall_ms client_cpu_ms server_cpu_ms connections
  T[$1]+="$2 " CPU[$1]+="$3 " SCPU[$1]+="$4 " CONN[$1]="$5"
  printf '  %-12s %9s ms  client cpu %6s ms  server cpu %6s ms  connections %s\n' "$1" "$2" "$3" "$4" "$5"
}
check_rows() { [ "$2" = "$ROWS" ] || { echo "$1: $2 rows, expected $ROWS" >&2; exit 1; }; }

# pg_load NAME TABLE URL OPTIONS: etl.load timed by psql's \timing, the backend's own CPU
# read from /proc/self/stat in the same session.
pg_load() {
  psql -X -q -c "TRUNCATE $2" >/dev/null
  reset
  local s0 out ms rows c0 c1
  s0=$(server_cpu_ms)
  out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$BACKEND_CPU" -c '\timing on' \
    -c "SELECT rows_loaded FROM etl.load('$2', '$3', '$4')" -c '\timing off' -c "$BACKEND_CPU")
  ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
  read -r c0 rows c1 <<<"$(grep -v '^Time:' <<<"$out" | tr '\n' ' ')"
  check_rows "$1" "$rows"
  record "$1" "$ms" "$((c1 - c0))" "$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')" "$(stat_field 'd["connections"]')"
}

# pg_copy NAME FORMAT: the rows etl.load wrote, loaded again by COPY FROM a server-side
# file in FORMAT (csv or binary): no HTTP and no JSON, the floor of loading these rows.
pg_copy() {
  psql -X -q -c "TRUNCATE bench_tickets_copy" >/dev/null
  local out ms c0 c1
  out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$BACKEND_CPU" -c '\timing on' \
    -c "COPY bench_tickets_copy FROM '$WORK/copy/tickets.$2' WITH (FORMAT $2)" -c '\timing off' -c "$BACKEND_CPU")
  ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
  read -r c0 c1 <<<"$(grep -E '^[0-9]+$' <<<"$out" | tr '\n' ' ')"
  check_rows "$1" "$(psql -X -A -t -c 'SELECT count(*) FROM bench_tickets_copy')"
  record "$1" "$ms" "$((c1 - c0))" 0 "none"
}

OFFSET_OPTS='{"pagination": {"type": "offset", "limit": 100, "total_path": "$.total"}}'
OFFSET_C4='{"pagination": {"type": "offset", "limit": 100, "total_path": "$.total"}, "concurrency": 4}'

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  echo "run $r/$RUNS"
  pg_load etl_seq bench_tickets "$API/api/offset/tickets?total=$ROWS" "$OFFSET_OPTS"
  pg_load etl_c4 bench_tickets "$API/api/offset/tickets?total=$ROWS" "$OFFSET_C4"

  # curl, fetch only: one process, the URLs from a config file, one reused connection
  # (num_connects per transfer on stderr; the server counts connections too).
  reset; s0=$(server_cpu_ms); cpu_mark; k0=$KIDS_MS; t0=$(now_ms)
  curl -sS --fail -K "$WORK/urls.cfg" -w '%{stderr}%{num_connects} %{size_download}\n' >/dev/null 2>"$WORK/curl.w"
  t1=$(now_ms); cpu_mark; k1=$KIDS_MS
  [ "$(wc -l <"$WORK/curl.w")" = "$PAGES" ] || { echo "curl: $(wc -l <"$WORK/curl.w") transfers" >&2; exit 1; }
  record curl_fetch "$((t1 - t0))" "$((k1 - k0))" "$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')" \
    "$(stat_field 'd["connections"]') (curl: $(awk '{s += $1} END {print s}' "$WORK/curl.w") connects)"
  BYTES=$(awk '{s += $2} END {print s}' "$WORK/curl.w")

  # The server's floor: curl fetching the same URLs 4 at a time (4 connections).
  reset; s0=$(server_cpu_ms); cpu_mark; k0=$KIDS_MS; t0=$(now_ms)
  curl --no-progress-meter --fail -Z --parallel-max 4 -K "$WORK/urls.cfg" >/dev/null
  t1=$(now_ms); cpu_mark; k1=$KIDS_MS
  [ "$(stat_field 'd["requests"]["/api/offset/tickets"]')" = "$PAGES" ] || { echo "curl -Z: not $PAGES requests" >&2; exit 1; }
  record curl_par4 "$((t1 - t0))" "$((k1 - k0))" "$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')" "$(stat_field 'd["connections"]')"

  # curl | jq (one record per line) | psql COPY into a jsonb column, then the typed
  # table from it with jsonb_populate_record. CSV with quote/delimiter bytes JSON text
  # never holds raw (jq escapes control characters), so COPY takes each line verbatim.
  psql -X -q -c "TRUNCATE bench_tickets_raw, bench_tickets_typed" >/dev/null
  reset; s0=$(server_cpu_ms); cpu_mark; k0=$KIDS_MS; t0=$(now_ms)
  curl -sS --fail -K "$WORK/urls.cfg" | jq -c '.tickets[]' |
    psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$BACKEND_CPU" \
      -c "COPY bench_tickets_raw (doc) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
      -c "$BACKEND_CPU" >"$WORK/copy.out"
  t1=$(now_ms); cpu_mark; k1=$KIDS_MS
  read -r c0 c1 <<<"$(tr '\n' ' ' <"$WORK/copy.out")"
  sc=$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')
  conns=$(stat_field 'd["connections"]')
  check_rows curl_jq_copy "$(psql -X -A -t -c 'SELECT count(*) FROM bench_tickets_raw')"
  record curl_jq_copy "$((t1 - t0))" "$((k1 - k0 + c1 - c0))" "$sc" "$conns"
  out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$BACKEND_CPU" -c '\timing on' \
    -c "INSERT INTO bench_tickets_typed SELECT r.* FROM bench_tickets_raw, jsonb_populate_record(NULL::bench_tickets_typed, doc) r" \
    -c '\timing off' -c "$BACKEND_CPU")
  ims=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
  read -r i0 i1 <<<"$(grep -v '^Time:' <<<"$out" | tr '\n' ' ')"
  record curl_jq_typed "$(awk -v a="$((t1 - t0))" -v b="$ims" 'BEGIN {print a + b}')" "$((k1 - k0 + c1 - c0 + i1 - i0))" "$sc" "$conns"

  # python3 requests, one Session (keep-alive): fetch and json-decode every page, no
  # load. Timed inside the process (interpreter start and imports left out).
  reset; s0=$(server_cpu_ms); cpu_mark; k0=$KIDS_MS
  read -r n ms <<<"$($PY "$WORK/requests_loop.py" "$WORK/url_pattern" "$ROWS")"
  cpu_mark; k1=$KIDS_MS
  check_rows py_requests "$n"
  record py_requests "$ms" "$((k1 - k0))" "$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')" "$(stat_field 'd["connections"]')"

  # The same records as one response (no pagination): etl.load, and curl fetch only.
  pg_load etl_array bench_tickets "$API/api/array/tickets?total=$ROWS" '{}'
  reset; s0=$(server_cpu_ms); cpu_mark; k0=$KIDS_MS; t0=$(now_ms)
  curl -sS --fail "$API/api/array/tickets?total=$ROWS" -o /dev/null
  t1=$(now_ms); cpu_mark; k1=$KIDS_MS
  record curl_array "$((t1 - t0))" "$((k1 - k0))" "$(awk -v a="$s0" -v b="$(server_cpu_ms)" 'BEGIN {print b - a}')" "$(stat_field 'd["connections"]')"

  # The loading floor: the same rows from local files, by COPY.
  psql -X -q -c "COPY bench_tickets TO '$WORK/copy/tickets.csv' WITH (FORMAT csv)" \
    -c "COPY bench_tickets TO '$WORK/copy/tickets.binary' WITH (FORMAT binary)"
  pg_copy copy_csv csv
  pg_copy copy_binary binary
done

# Same data either way: the typed table from curl | jq | COPY | jsonb_populate_record
# against etl.load's (the last load into bench_tickets was the /api/array one).
same=$(psql -X -A -t -c "SELECT CASE WHEN (SELECT count(*) FROM (SELECT * FROM bench_tickets EXCEPT ALL SELECT * FROM bench_tickets_typed) a) = 0
                                   AND (SELECT count(*) FROM (SELECT * FROM bench_tickets_typed EXCEPT ALL SELECT * FROM bench_tickets) b) = 0
                              THEN 'identical' ELSE 'DIFFERENT' END")
echo "etl.load table vs curl | jq | COPY | jsonb_populate_record table: $same"

# Rate limit accuracy: the server's own request times (ms precision) for key acc.
declare -A RL RLT
for rps in 5 20 50; do
  for r in $(seq "$RUNS"); do
    psql -X -q -c "TRUNCATE bench_rl" >/dev/null
    reset
    t0=$(now_ms)
    psql -X -q -v ON_ERROR_STOP=1 -c "SELECT rows_loaded FROM etl.load('bench_rl', '$API/api/ratelimit/tickets?key=acc&rps=1000&total=$((RL_PAGES * RL_LIMIT))',
      '{\"pagination\": {\"type\": \"offset\", \"limit\": $RL_LIMIT, \"total_path\": \"\$.total\"}, \"rate_limit\": {\"requests_per_second\": $rps}}')" >/dev/null
    t1=$(now_ms)
    read -r n rate <<<"$(stat_field "(lambda t: '%d %.4f' % (len(t), (len(t) - 1) / (t[-1] - t[0])))(d['request_times']['acc'])")"
    RL[$rps]+="$rate " RLT[$rps]+="$n "
    printf '  rate_limit %2s/s run %s: %s requests, %s requests/s achieved, statement %s ms\n' "$rps" "$r" "$n" "$rate" "$((t1 - t0))"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

m() { echo "${T[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
mc() { echo "${CPU[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
ms_() { echo "${SCPU[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
rps() { awk -v t="$(m "$1")" -v n="$ROWS" 'BEGIN {printf "%.0f", n / t * 1000}'; }
vs() { awk -v a="$(m "$2")" -v b="$(m "$1")" 'BEGIN {printf "%.2f", a / b}'; }
fmt() { awk -v t="$1" 'BEGIN {printf "%.0f", t}'; }
row() {  # row NAME CLIENT INCLUDES
  printf '| %s | %s | %s ms | %s | **%s** | %s | %s ms | %s ms | %s |\n' "$2" "$3" "$(fmt "$(m "$1")")" "$(rps "$1")" \
    "$(vs "$1" curl_fetch)" "$(vs "$1" curl_jq_typed)" "$(fmt "$(mc "$1")")" "$(fmt "$(ms_ "$1")")" "${CONN[$1]}"
}
every() { printf '%s: %s; ' "$1" "$(echo "${T[$1]}" | sed 's/ $//')"; }
cat <<MD

### API source: $PAGES pages x 100 records ($(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS)

Command: \`bench/run_api_bench.sh $PAGES\`

Server: \`tests/servers/api_server.py\` (Python $($PY -c 'import platform; print(platform.python_version())'), ThreadingHTTPServer, keep-alive)
on 127.0.0.1, same machine. $ROWS records, $((BYTES / 1024)) KiB of JSON over $PAGES responses
(\`/api/offset/tickets?total=$ROWS&offset=O&limit=100\`). curl $(curl --version | awk 'NR == 1 {print $2}'),
$(jq --version), requests $($PY -c 'import requests; print(requests.__version__)').

| Client | Includes | Time | Rows/s | vs curl fetch only (curl time / this; >= 1 as fast) | vs curl \\| jq \\| COPY + typed INSERT | Client CPU | Server CPU | Server connections |
|---|---|---|---|---|---|---|---|---|
$(row curl_fetch 'curl -K urls.cfg (one process, one connection)' 'fetch only, bodies to /dev/null')
$(row curl_par4 'curl -Z --parallel-max 4 -K urls.cfg' 'fetch only, 4 at a time: what this server can deliver')
$(row py_requests 'python3 requests, one Session' 'fetch + json decode, no load')
$(row curl_jq_copy 'curl -K \| jq -c .tickets[] \| psql COPY' 'fetch, split into records, COPY into one jsonb column (untyped)')
$(row curl_jq_typed 'the same + INSERT ... SELECT jsonb_populate_record' 'fetch, parse, load into the typed 9-column table')
$(row etl_seq 'etl.load, offset pagination' 'fetch, parse, load into the typed table, load records')
$(row etl_c4 'etl.load, "concurrency": 4' 'the same, 4 pages at a time on 4 connections')
$(row curl_array 'curl, one /api/array response' 'fetch only, the same records in one body')
$(row etl_array 'etl.load, one /api/array response' 'fetch, parse, load, no pagination')
$(row copy_csv 'COPY FROM a local CSV file of the same rows' 'load only: no HTTP, no JSON (the floor of loading these rows)')
$(row copy_binary 'COPY FROM a local binary file of the same rows' 'load only, values already in binary form')

Client CPU: for etl.load the loading backend's own (/proc/self/stat read in its session);
for the others the client processes' (curl, jq, psql, python3), and for the jq rows the
COPY and INSERT backends' too. Server CPU: the API server process.
Every run (ms): $(for k in curl_fetch curl_par4 py_requests curl_jq_copy curl_jq_typed etl_seq etl_c4 curl_array etl_array copy_csv copy_binary; do every $k; done)

Same data: the table etl.load wrote and the one curl | jq | COPY | jsonb_populate_record wrote are **$same** (EXCEPT ALL both ways).

### Rate limit accuracy ($RL_PAGES requests, /api/ratelimit/tickets, offset pagination limit $RL_LIMIT, median of $RUNS)

Achieved rate = (n - 1) / (last request time - first), from the server's request times.

| rate_limit.requests_per_second | Requests seen | Achieved (median) | Deviation | Every run |
|---|---|---|---|---|
MD
for rps in 5 20 50; do
  a=$(echo "${RL[$rps]}" | tr ' ' '\n' | sed '/^$/d' | median)
  printf '| %s | %s | %.3f/s | %+.2f %% | %s |\n' "$rps" "$(echo "${RLT[$rps]}" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//')" \
    "$a" "$(awk -v a="$a" -v r="$rps" 'BEGIN {print (a / r - 1) * 100}')" "$(echo "${RL[$rps]}" | sed 's/ $//')"
done
