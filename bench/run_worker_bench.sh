#!/usr/bin/env bash
# Background worker benchmark for issue 4 (bench/RESULTS.md records its output):
#   - latency from etl.enqueue's commit to the run's first statement, p50 and p99
#   - throughput of trivial runs through the worker
#   - a pipeline run over a file vs a bare etl.load of the same file (overhead)
#   bench/run_worker_bench.sh [LATENCY_RUNS] [THROUGHPUT_RUNS] [ROWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
N_LAT="${1:-200}" N_THR="${2:-1000}" ROWS="${3:-1000000}"
DIR="$root/build/bench-cluster"
PORT="${PG_ETL_BENCH_PORT:-55460}"
DATA=/tmp/pg_etl_bench
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
if [ ! -f "$DATA/rows.csv" ] || [ "$(($(wc -l <"$DATA/rows.csv") - 1))" != "$ROWS" ]; then
  /usr/bin/python3 "$root/bench/gen_data.py" "$ROWS" "$DATA"
fi
chmod -R a+rX "$DATA"
bench_cluster "$DIR" "$PORT" "shared_buffers = 1GB
max_wal_size = 8GB
pg_etl.max_workers = 4"
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }

q "CREATE EXTENSION pg_etl"
q "CREATE UNLOGGED TABLE starts (run_id bigint, at timestamptz)"
q "SELECT etl.create_workflow('noop', '[{\"name\": \"mark\", \"sql\": \"INSERT INTO starts SELECT etl.current_run_id(), clock_timestamp()\"}]', options => '{\"overlap\": \"64\"}')"

# Latency: one enqueue at a time, each committed, 50 ms apart.
for _ in $(seq "$N_LAT"); do q "SELECT etl.enqueue('noop')" >/dev/null; sleep 0.05; done
for _ in $(seq 100); do [ "$(q "SELECT count(*) FROM etl.runs WHERE status <> 'succeeded'")" = 0 ] && break; sleep 0.1; done
lat=$(q "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)
         FROM (SELECT extract(epoch FROM s.at - r.queued_at) * 1000 AS ms FROM starts s JOIN etl.runs r ON r.id = s.run_id) x")
read -r p50 p99 <<<"$lat"

# Throughput: N runs queued in one transaction, until the last one finished.
q "TRUNCATE starts"
t0=$(q "SELECT extract(epoch FROM clock_timestamp())")
q "SELECT count(etl.enqueue('noop')) FROM generate_series(1, $N_THR)" >/dev/null
for _ in $(seq 600); do [ "$(q "SELECT count(*) FROM etl.runs WHERE status IN ('queued', 'running')")" = 0 ] && break; sleep 0.05; done
t1=$(q "SELECT extract(epoch FROM max(finished_at)) FROM etl.runs")
ok=$(q "SELECT count(*) FROM starts")
rate=$(awk -v n="$ok" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')

# Overhead: a pipeline run vs a bare etl.load of the same file, alternating, median of 3.
q "CREATE TABLE target (id bigint, customer_id int, name text, email text, amount numeric(12,2), quantity int, price float8, active bool, created_at timestamp, day date)"
q "SELECT etl.create_pipeline('bench', 'file://$DATA/rows.csv', 'target')"
time_ms() { psql -X -q -c '\timing on' -c "$1" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
load_t="" run_t=""
for _ in 1 2 3; do
  q "TRUNCATE target; CHECKPOINT"
  load_t+="$(time_ms "SELECT * FROM etl.load('target', '$DATA/rows.csv')") "
  q "TRUNCATE target; SELECT etl.reset('bench'); CHECKPOINT" >/dev/null
  run_t+="$(time_ms "SELECT etl.run('bench')") "
done
lm=$(tr ' ' '\n' <<<"$load_t" | sed '/^$/d' | median)
rm_=$(tr ' ' '\n' <<<"$run_t" | sed '/^$/d' | median)
over=$(awk -v a="$rm_" -v b="$lm" 'BEGIN {printf "%+.1f", (a / b - 1) * 100}')
cat <<MD

### Background worker ($(date -u +%Y-%m-%d), $(nproc) cores, pg_etl.max_workers = 4)

Command: \`bench/run_worker_bench.sh $N_LAT $N_THR $ROWS\`

| Measure | pg_etl | Goal / peer |
|---|---|---|
| enqueue commit -> run's first statement, p50 | $p50 ms | < 50 ms (pg_cron checks once a second at best) |
| enqueue commit -> run's first statement, p99 | $p99 ms | |
| trivial runs through the worker | $rate runs/s ($ok runs) | >= 100 runs/s |
| pipeline run over a $ROWS-row CSV vs bare etl.load | $rm_ ms vs $lm ms: **$over %** | <= 10 % overhead |
MD
