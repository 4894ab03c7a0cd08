#!/usr/bin/env bash
# Overhead of observability on pipeline runs, for issue 8 (bench/RESULTS.md records its
# output): the same runs with metrics (etl.run_stats), lineage (etl.lineage) and the
# event outbox (etl.events, and a delivery per event for a subscribed NOTIFY channel;
# the maintenance worker processes the run outbox and sends them) switched on, and with all three switched off
# (SET pg_etl.metrics / pg_etl.lineage / pg_etl.events = off). Each measurement is a
# psql session of back-to-back runs, every run its own transaction (etl.reset, then
# etl.run), timed by the wall clock; on and off alternate in every round; median of
# RUNS (default 5).
#   small: SMALL_RUNS (default 200) runs of a 100-row CSV: the per-run cost, worst case
#   large: LARGE_RUNS (default 5) runs of a 200,000-row CSV
#   PARTS=1 also measures the small runs with one of the three on at a time (diagnostic)
#   bench/run_observability_bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
RUNS="${RUNS:-5}" PARTS="${PARTS:-0}" SMALL_RUNS="${SMALL_RUNS:-200}" LARGE_RUNS="${LARGE_RUNS:-5}"
DIR="$root/build/bench-observability-cluster"
PORT="${PG_ETL_BENCH_PORT:-55630}"
DATA=/tmp/pg_etl_observability_bench
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
bench_cluster "$DIR" "$PORT" "shared_buffers = 512MB
pg_etl.database = postgres"
rm -rf "$DATA" && mkdir -p "$DATA" && chmod 777 "$DATA"
awk 'BEGIN {print "id,customer,amount"; for (i = 1; i <= 100; i++) printf "%d,customer %d,%d.%02d\n", i, i % 97, i, i % 100}' >"$DATA/small.csv"
awk 'BEGIN {print "id,customer,amount"; for (i = 1; i <= 200000; i++) printf "%d,customer %d,%d.%02d\n", i, i % 97, i, i % 100}' >"$DATA/large.csv"
chmod a+r "$DATA"/*.csv

psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_etl;
CREATE TABLE t_small (id int, customer text, amount numeric);
CREATE TABLE t_large (id int, customer text, amount numeric);
SELECT etl.create_pipeline('small', '$DATA/small.csv', 't_small', write_mode => 'replace');
SELECT etl.create_pipeline('large', '$DATA/large.csv', 't_large', write_mode => 'replace');
SELECT etl.create_channel('watch', 'notify', '{"channel": "bench"}');
SELECT etl.subscribe('watch', ARRAY['run_succeeded', 'run_failed', 'run_dead', 'rows_rejected']);
SQL
has_metrics=$(psql -X -A -t -c "SELECT count(*) FROM pg_settings WHERE name = 'pg_etl.metrics'")
TIMES=$(mktemp /tmp/pg_etl_observability_bench.XXXXXX)
trap 'rm -f "$TIMES"; rm -rf "$DATA"; cluster_stop "$DIR" fast' EXIT

# CPU time (ms) of the cluster's processes (the background workers, among them the one
# that processes the run outbox and delivers events), from /proc.
cluster_cpu_ms() {
  local tick total=0 pid
  tick=$(getconf CLK_TCK)
  for pid in $(pgrep -u postgres); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo $((total * 1000 / tick))
}

# session NAME PIPELINE N MODE [PAIR]: N runs in one psql session; to $TIMES: the wall
# time, the session backend's CPU time, and the CPU time of the cluster's other
# processes until the outbox and deliveries are done (ms), and PAIR (the round of an
# on/off pair). MODE: on, off, or the one part left on (metrics, lineage, events).
session() {
  local name="$1" pipeline="$2" n="$3" mode="$4" tag="${5:--}" t0 t1 c0 c1 backend part
  local cpu="(split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint) * 1000 / $(getconf CLK_TCK)"
  {
    if [ "$mode" != on ]; then
      for part in events lineage metrics; do
        [ "$part" = metrics ] && [ "$has_metrics" != 1 ] && continue
        [ "$part" = "$mode" ] || echo "SET pg_etl.$part = off;"
      done
    fi
    echo "SELECT $cpu AS cpu0 \\gset"
    for _ in $(seq "$n"); do echo "SELECT etl.reset('$pipeline'); SELECT etl.run('$pipeline');"; done
    echo "SELECT $cpu - :cpu0;"
  } >"$DATA/session.sql"
  c0=$(cluster_cpu_ms)
  t0=$(date +%s%N)
  backend=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -f "$DATA/session.sql" | tail -n 1)
  t1=$(date +%s%N)
  # the worker's share: wait until it has processed the outbox and sent the deliveries
  for _ in $(seq 50); do
    [ "$(psql -X -A -t -c "SELECT NOT EXISTS (SELECT FROM etl.run_outbox) AND NOT EXISTS (SELECT FROM etl.deliveries WHERE status = 'pending')")" = t ] && break
    sleep 0.1
  done
  c1=$(cluster_cpu_ms)
  echo "$name $(( (t1 - t0) / 1000000 )) $backend $((c1 - c0)) $tag" >>"$TIMES"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
session warmup small 50 on
for r in $(seq "$RUNS"); do
  if [ $((r % 2)) = 1 ]; then order="on off"; else order="off on"; fi
  for mode in $order; do session "small_$mode" small "$SMALL_RUNS" "$mode" "pair$r"; done
  for mode in $order; do session "large_$mode" large "$LARGE_RUNS" "$mode" "pair$r"; done
  if [ "$PARTS" = 1 ]; then  # rotated each round, so no part always runs last
    parts=(metrics lineage events off)
    for i in 0 1 2 3; do mode=${parts[$(( (i + r) % 4 ))]}; session "small_$mode" small "$SMALL_RUNS" "$mode"; done
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
events=$(psql -X -A -t -c "SELECT count(*) FROM etl.events")
delivered=$(psql -X -A -t -c "SELECT count(*) FILTER (WHERE status = 'delivered') || ' of ' || count(*) FROM etl.deliveries")
lineage=$(psql -X -A -t -c "SELECT count(*) FROM etl.lineage")

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
runs_of() { awk -v k="$1" -v f="${2:-2}" '$1 == k {printf "%s ", $f}' "$TIMES"; }
m() { runs_of "$1" "${2:-2}" | median; }
per_run() { awk -v t="$(m "$1")" -v n="$2" 'BEGIN {printf "%.2f", t / n}'; }
overhead() { awk -v on="$(m "$1_on")" -v off="$(m "$1_off")" 'BEGIN {printf "%+.1f %%", (on / off - 1) * 100}'; }
# The median over rounds of on / off within a round's pair of adjacent sessions: the
# machine's drift between rounds cancels out. paired small|large [FIELD]
paired() {
  awk -v k="$1" -v f="${2:-2}" '$5 ~ /^pair/ && ($1 == k "_on" || $1 == k "_off") {v[$5 " " $1] = $f; r[$5] = 1}
    END {for (x in r) printf "%s ", v[x " " k "_on"] / v[x " " k "_off"]}' "$TIMES" | median |
    awk '{printf "%+.1f %%", ($1 - 1) * 100}'
}
cat <<MD

### Observability overhead on pipeline runs ($(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS)

Command: \`bench/run_observability_bench.sh\` (PostgreSQL $(psql -X -A -t -c 'SHOW server_version'); metrics switch present: $([ "$has_metrics" = 1 ] && echo yes || echo no))

| Runs | With metrics, lineage and outbox | All three off | Per run (on / off) | Overhead (medians) | Overhead (paired) | Backend CPU (paired) | Goal |
|---|---|---|---|---|---|---|---|
| $SMALL_RUNS runs of a 100-row CSV | $(m small_on) ms | $(m small_off) ms | $(per_run small_on "$SMALL_RUNS") / $(per_run small_off "$SMALL_RUNS") ms | $(overhead small) | **$(paired small)** | $(paired small 3) | <= 5 % |
| $LARGE_RUNS runs of a 200,000-row CSV | $(m large_on) ms | $(m large_off) ms | $(per_run large_on "$LARGE_RUNS") / $(per_run large_off "$LARGE_RUNS") ms | $(overhead large) | **$(paired large)** | $(paired large 3) | <= 5 % |

Overhead (medians): the median "on" session against the median "off" session. Overhead
(paired): the median, over the rounds, of each round's "on" session against its
adjacent "off" session (the machine's drift between rounds cancels out). Backend CPU:
the same for the CPU time of the session's backend.

$(if [ "$PARTS" = 1 ]; then
  echo "One part on at a time (the same $SMALL_RUNS small runs; overhead against all off):"
  echo
  echo "| Part on | Median | Overhead |"
  echo "|---|---|---|"
  for p in metrics lineage events; do echo "| $p | $(m small_$p) ms | $(awk -v on="$(m small_$p)" -v off="$(m small_off)" 'BEGIN {printf "%+.1f %%", (on / off - 1) * 100}') |"; done
fi)

CPU time per run, median (ms; the session's backend, and the cluster's other processes, the
maintenance worker among them, until the outbox and deliveries are done):

| Runs | Backend, on / off | Other processes, on / off |
|---|---|---|
| $SMALL_RUNS runs of a 100-row CSV | $(awk -v a="$(m small_on 3)" -v b="$(m small_off 3)" -v n="$SMALL_RUNS" 'BEGIN {printf "%.3f / %.3f", a / n, b / n}') | $(awk -v a="$(m small_on 4)" -v b="$(m small_off 4)" -v n="$SMALL_RUNS" 'BEGIN {printf "%.3f / %.3f", a / n, b / n}') |
| $LARGE_RUNS runs of a 200,000-row CSV | $(awk -v a="$(m large_on 3)" -v b="$(m large_off 3)" -v n="$LARGE_RUNS" 'BEGIN {printf "%.1f / %.1f", a / n, b / n}') | $(awk -v a="$(m large_on 4)" -v b="$(m large_off 4)" -v n="$LARGE_RUNS" 'BEGIN {printf "%.1f / %.1f", a / n, b / n}') |

Every session (ms): small on $(runs_of small_on); small off $(runs_of small_off); large on $(runs_of large_on); large off $(runs_of large_off)

With everything on, the runs wrote $events events ($delivered deliveries delivered by the worker during the benchmark) and $lineage lineage rows.
MD
