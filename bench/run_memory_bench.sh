#!/usr/bin/env bash
# Backend memory while etl.load streams a 1 GB CSV (issue 3: must stay under 200 MB).
# Samples the loading backend's private resident memory (RssAnon: shared buffers are
# not the load's own memory) every 100 ms and reports the peak, next to COPY's.
#   bench/run_memory_bench.sh [ROWS]   (default 9,000,000 rows, about 1 GB)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
ROWS="${1:-9000000}"
DIR="$root/build/bench-cluster"
PORT="${PG_ETL_BENCH_PORT:-55460}"
DATA=/tmp/pg_etl_bench_1g
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
if [ ! -f "$DATA/rows.csv" ]; then
  echo "generating $ROWS rows in $DATA"
  /usr/bin/python3 "$root/bench/gen_data.py" "$ROWS" "$DATA" --csv-only
fi
chmod -R a+rX "$DATA"
bench_cluster "$DIR" "$PORT"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_etl" -c "CREATE UNLOGGED TABLE target (id bigint, customer_id int, name text, email text, amount numeric(12,2), quantity int, price float8, active bool, created_at timestamp, day date)"

peak_of() {  # peak_of SQL: runs SQL in a new session; prints "peak_kb elapsed_ms"
  local out=/tmp/pg_etl_membench.$$ pid peak=0 kb t0
  t0=$(date +%s%3N)
  ( psql -X -q -A -t -c "SELECT pg_backend_pid()" -c "$1" >"$out" 2>&1 ) &
  local bg=$!
  for _ in $(seq 200); do pid=$(head -1 "$out" 2>/dev/null | tr -d ' '); [[ "$pid" =~ ^[0-9]+$ ]] && break; sleep 0.05; done
  while kill -0 $bg 2>/dev/null; do
    kb=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${kb:-0}" -gt $peak ] && peak=$kb
    sleep 0.1
  done
  wait $bg
  echo "$peak $(($(date +%s%3N) - t0))"
  rm -f "$out"
}
mb=$(( $(stat -c %s "$DATA/rows.csv") / 1048576 ))
read -r etl_kb etl_ms < <(peak_of "SELECT rows_loaded FROM etl.load('target', '$DATA/rows.csv')")
psql -X -q -c "TRUNCATE target"
read -r copy_kb copy_ms < <(peak_of "COPY target FROM '$DATA/rows.csv' WITH (FORMAT csv, HEADER true)")
cat <<MD

### Backend memory while loading a $mb MB CSV ($(date -u +%Y-%m-%d))

Command: \`bench/run_memory_bench.sh $ROWS\`

| Loader | Peak private memory (RssAnon) | Time |
|---|---|---|
| etl.load | $((etl_kb / 1024)) MB | $etl_ms ms |
| COPY FROM | $((copy_kb / 1024)) MB | $copy_ms ms |
MD
