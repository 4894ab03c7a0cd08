#!/usr/bin/env bash
# The /metrics endpoint at scale, for issue 8 (bench/RESULTS.md records its output): a
# throwaway cluster with pg_etl preloaded and the "pg_etl http" worker on, 1,000 pipelines
# and 1,000,000 finished runs of history (bulk-inserted, counted by etl.run_stats'
# statement trigger), then GET /metrics with curl (median of 20 after a warm-up), next
# to etl.status_report() and one pipeline's etl.metrics_hour.
#   bench/run_metrics_bench.sh [PIPELINES] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
PIPELINES="${1:-1000}" HISTORY="${2:-1000000}"
DIR="$root/build/bench-metrics-cluster"
PORT="${PG_ETL_BENCH_PORT:-55640}" HTTP_PORT=$((PORT + 1))
TOKEN_FILE="$(mktemp /tmp/pg_etl_metrics_token.XXXXXX)"
echo "bench-token-$$" >"$TOKEN_FILE" && chmod 644 "$TOKEN_FILE"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
bench_cluster "$DIR" "$PORT" "shared_buffers = 512MB
pg_etl.database = postgres
pg_etl.http_port = $HTTP_PORT
pg_etl.http_token_file = '$TOKEN_FILE'"
trap 'rm -f "$TOKEN_FILE"; cluster_stop "$DIR" fast' EXIT
t0=$(date +%s%N)
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_etl;
CREATE TABLE t (id int);
INSERT INTO etl.pipelines (name, source, target, schedule, next_run_at, paused)
  SELECT 'p' || g, 'file:///nonexistent/' || g || '.csv', 't', '0 3 * * *', now() + interval '1 day', true
    FROM generate_series(1, $PIPELINES) g;
INSERT INTO etl.runs (pipeline, status, trigger, queued_at, started_at, finished_at, rows_read, rows_written, rows_rejected, bytes_read, files)
  SELECT 'p' || (1 + g % $PIPELINES), CASE WHEN g % 17 = 0 THEN 'failed' ELSE 'succeeded' END, 'schedule',
         now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval,
         now() - (g || ' seconds')::interval + (g % 300) * interval '10 ms', 100, 100 - g % 3, g % 3, 4096, 1
    FROM generate_series(1, $HISTORY) g;
VACUUM ANALYZE etl.runs, etl.run_stats;
SQL
t1=$(date +%s%N)
auth="Authorization: Bearer $(cat "$TOKEN_FILE")"
for _ in $(seq 50); do [ "$(curl -s "http://127.0.0.1:$HTTP_PORT/healthz" || true)" = ok ] && break; sleep 0.2; done
for _ in 1 2 3; do curl -s -o /dev/null -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics"; done
times=$(for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics"; done)
bytes=$(curl -s -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics" | wc -c)
series=$(curl -s -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics" | grep -vc '^#')
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ms() { awk '{printf "%.1f", $1 * 1000}'; }
m=$(median <<<"$times" | ms); mx=$(sort -g <<<"$times" | tail -1 | ms)
timing() { psql -X -A -t -q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
report=$(for _ in 1 2 3 4 5; do timing "SELECT length(etl.status_report()::text)"; done | median)
hour=$(for _ in 1 2 3 4 5; do timing "SELECT count(*) FROM etl.metrics_hour WHERE pipeline = 'p7'"; done | median)
page=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' -H "$auth" "http://127.0.0.1:$HTTP_PORT/"; done | median | ms)
cat <<MD

### /metrics with $PIPELINES pipelines and $HISTORY history rows ($(date -u +%Y-%m-%d), $(nproc) cores)

Command: \`bench/run_metrics_bench.sh $PIPELINES $HISTORY\` (PostgreSQL $(psql -X -A -t -c 'SHOW server_version'))

| Request | Median | Slowest | Goal |
|---|---|---|---|
| GET /metrics ($bytes bytes, $series samples), curl, 20 requests after a warm-up | **$m ms** | $mx ms | < 100 ms |
| GET / (the status page, rendered from etl.status_report()) | $page ms | | |
| SELECT etl.status_report() (psql \\timing) | $report ms | | |
| SELECT ... FROM etl.metrics_hour WHERE pipeline = 'p7' | $hour ms | | |

Setting up (1,000 pipelines, the history bulk-inserted and counted by the statement trigger, VACUUM ANALYZE): $(( (t1 - t0) / 1000000 )) ms.
MD
