#!/usr/bin/env bash
# Transform and data-quality benchmark for issue 7 (bench/RESULTS.md records its output).
# One throwaway cluster; every measurement is a query over the same table, timed by
# psql's \timing, each variant alternating with its peer in every round, median of RUNS
# (default 5), as ratios (peer time / pg_etl time: >= 1 means pg_etl is as fast):
#   1. etl.try_cast(v, 'int') over ROWS text values (10% not integers) vs a PL/pgSQL
#      function with an EXCEPTION block (the usual "safe cast"); both typed to int and
#      summed, and both must give the same sum and the same NULL count.
#   2. etl.to_timestamp(v, ARRAY['DD.MM.YYYY HH24:MI:SS']) vs PostgreSQL's
#      to_timestamp(v, 'DD.MM.YYYY HH24:MI:SS') over ROWS values; same results checked.
#   3. etl.check with five scan rules on ROWS rows vs one SELECT count(*) of the table.
#   bench/run_transform_bench.sh [ROWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
ROWS="${1:-1000000}"
RUNS="${RUNS:-5}"
DIR="$root/build/bench-transform-cluster"
PORT="${PG_ETL_BENCH_PORT:-55620}"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
bench_cluster "$DIR" "$PORT" "shared_buffers = 512MB
max_parallel_workers_per_gather = 0
jit = off"

psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_etl;
SET TimeZone = 'UTC';
CREATE TABLE vals AS
  SELECT CASE WHEN g % 10 = 0 THEN 'n/a ' || g ELSE (g::bigint * 7919 % 2000000000)::text END AS v,
         to_char(timestamp '2020-01-01' + (g || ' seconds')::interval, 'DD.MM.YYYY HH24:MI:SS') AS ts
    FROM generate_series(1, $ROWS) g;
CREATE TABLE people AS
  SELECT g AS id, CASE WHEN g % 20 = 0 THEN NULL ELSE 'user' || g || '@example.com' END AS email,
         (ARRAY['FR', 'DE', 'US', 'GB'])[1 + g % 4] AS country, 18 + g % 70 AS age
    FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE vals, people;
CREATE FUNCTION plpgsql_try_int(v text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS \$\$
BEGIN
  RETURN v::int;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END \$\$;
SQL

RULES='IsComplete "id", Completeness "email" > 0.9, ColumnValues "country" in ["FR", "DE", "US", "GB"], ColumnValues "age" between 18 and 90, ColumnLength "email" < 40'
TIMES=$(mktemp /tmp/pg_etl_transform_bench.XXXXXX)
trap 'rm -f "$TIMES"; cluster_stop "$DIR" fast' EXIT
# timed NAME SQL: runs SQL with \timing, records "NAME ms" in $TIMES (it runs in $(...)
# subshells, so no shell variable would survive), prints the result.
timed() {
  local out
  out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET TimeZone = 'UTC'" -c '\timing on' -c "$2")
  echo "$1 $(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | tail -1)" >>"$TIMES"
  grep -v '^Time:' <<<"$out"
}
check_same() { [ "$2" = "$3" ] || { echo "$1 differ: '$2' vs '$3'" >&2; exit 1; }; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  a=$(timed try_cast "SELECT sum(etl.try_cast(v, 'int')::int), count(*) - count(etl.try_cast(v, 'int')) FROM vals")
  b=$(timed plpgsql "SELECT sum(plpgsql_try_int(v)), count(*) - count(plpgsql_try_int(v)) FROM vals")
  check_same "try_cast and PL/pgSQL results" "$a" "$b"
  a=$(timed etl_ts "SELECT count(DISTINCT x), max(x) FROM (SELECT etl.to_timestamp(ts, ARRAY['DD.MM.YYYY HH24:MI:SS']) x FROM vals) s")
  b=$(timed pg_ts "SELECT count(DISTINCT x), max(x) FROM (SELECT to_timestamp(ts, 'DD.MM.YYYY HH24:MI:SS') x FROM vals) s")
  check_same "to_timestamp results" "$a" "$b"
  timed count "SELECT count(*) FROM people" >/dev/null
  out=$(timed check "SELECT string_agg(outcome, ',') FROM etl.check('people', '$RULES', '{\"sample_size\": 0}')")
  [ "$out" = "pass,pass,pass,pass,pass" ] || { echo "etl.check: $out" >&2; exit 1; }
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
runs_of() { awk -v k="$1" '$1 == k {printf "%s ", $2}' "$TIMES"; }
m() { runs_of "$1" | median; }
ratio() { awk -v a="$(m "$1")" -v b="$(m "$2")" 'BEGIN {printf "%.2f", a / b}'; }
fmt() { awk -v t="$(m "$1")" 'BEGIN {printf "%.0f", t}'; }
cat <<MD

### Transforms and quality rules: $ROWS values ($(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS)

Command: \`bench/run_transform_bench.sh $ROWS\` (PostgreSQL $(psql -X -A -t -c 'SHOW server_version'), no parallel workers, no JIT)

| Measurement | pg_etl | Peer | Peer time | pg_etl time | Ratio (peer / pg_etl) | Goal |
|---|---|---|---|---|---|---|
| cast 1M texts to int (10% bad), sum them | \`etl.try_cast(v, 'int')::int\` | PL/pgSQL \`RETURN v::int; EXCEPTION WHEN OTHERS THEN RETURN NULL\` | $(fmt plpgsql) ms | $(fmt try_cast) ms | **$(ratio plpgsql try_cast)x** | >= 20x |
| parse 1M timestamps with an explicit format | \`etl.to_timestamp(v, ARRAY['DD.MM.YYYY HH24:MI:SS'])\` | \`to_timestamp(v, 'DD.MM.YYYY HH24:MI:SS')\` | $(fmt pg_ts) ms | $(fmt etl_ts) ms | **$(ratio pg_ts etl_ts)x** | >= 1.0x |
| five scan rules on 1M rows | \`etl.check\` (IsComplete, Completeness, 2 ColumnValues, ColumnLength) | \`SELECT count(*)\` (one scan) | $(fmt count) ms | $(fmt check) ms | **$(ratio check count)x the scan's time** | within 2x |

Every run (ms): try_cast $(runs_of try_cast); plpgsql $(runs_of plpgsql); etl.to_timestamp $(runs_of etl_ts); to_timestamp $(runs_of pg_ts); etl.check $(runs_of check); count(*) $(runs_of count)
MD
