#!/usr/bin/env bash
# Loading benchmark for issue 3 (bench/RESULTS.md records its output):
#   - CSV, 1,000,000 rows x 10 columns: etl.load vs COPY FROM vs file_fdw INSERT ... SELECT
#   - NDJSON, same rows: etl.load vs COPY into a jsonb staging table + jsonb_populate_record
#   - SELECT count(*): etl.read_csv vs file_fdw
# All on one throwaway cluster, same data, alternating, median of RUNS (default 3).
#   bench/run_load_bench.sh [ROWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
ROWS="${1:-1000000}"
RUNS="${RUNS:-3}"
DIR="$root/build/bench-cluster"
PORT="${PG_ETL_BENCH_PORT:-55460}"
DATA=/tmp/pg_etl_bench
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres

if [ ! -f "$DATA/rows.csv" ] || [ "$(($(wc -l <"$DATA/rows.csv") - 1))" != "$ROWS" ]; then
  echo "generating $ROWS rows in $DATA"
  /usr/bin/python3 "$root/bench/gen_data.py" "$ROWS" "$DATA"
fi
chmod -R a+rX "$DATA"
bench_cluster "$DIR" "$PORT" "shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min"

psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_etl;
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE TABLE target (id bigint, customer_id int, name text, email text, amount numeric(12,2),
                     quantity int, price float8, active bool, created_at timestamp, day date);
CREATE FOREIGN TABLE csv_fdw (id bigint, customer_id int, name text, email text, amount numeric(12,2),
                     quantity int, price float8, active bool, created_at timestamp, day date)
  SERVER files OPTIONS (filename '$DATA/rows.csv', format 'csv', header 'true');
CREATE UNLOGGED TABLE staging (doc jsonb);
SQL

# time_ms SQL: wall time of one statement as the server sees it (psql \timing).
time_ms() {
  psql -X -q -c '\timing on' -c "$1" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A T
run() {  # run NAME SQL (after truncating the target)
  psql -X -q -c "TRUNCATE target; TRUNCATE staging; CHECKPOINT" >/dev/null
  local t
  t=$(time_ms "$2")
  T[$1]+="$t "
  echo "  $1: $t ms"
}

for r in $(seq "$RUNS"); do
  echo "run $r/$RUNS"
  run copy_csv "COPY target FROM '$DATA/rows.csv' WITH (FORMAT csv, HEADER true)"
  run etl_load_csv "SELECT * FROM etl.load('target', '$DATA/rows.csv')"
  run file_fdw "INSERT INTO target SELECT * FROM csv_fdw"
  run etl_load_ndjson "SELECT * FROM etl.load('target', '$DATA/rows.ndjson')"
  run jsonb_staging "COPY staging FROM '$DATA/rows.ndjson' WITH (FORMAT text); INSERT INTO target SELECT r.* FROM staging, jsonb_populate_record(NULL::target, doc) r"
  run count_read_csv "SELECT count(*) FROM etl.read_csv(NULL::target, '$DATA/rows.csv')"
  run count_file_fdw "SELECT count(*) FROM csv_fdw"
done

m() { echo "${T[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
ratio() { awk -v a="$(m "$1")" -v b="$(m "$2")" 'BEGIN {printf "%.2f", a / b}'; }
csv_mb=$(( $(stat -c %s "$DATA/rows.csv") / 1048576 ))
nd_mb=$(( $(stat -c %s "$DATA/rows.ndjson") / 1048576 ))
cat <<MD

### Loading $ROWS rows x 10 columns ($(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS)

Command: \`bench/run_load_bench.sh $ROWS\`

| Workload | pg_etl | Peer | Peer time | Ratio (peer / pg_etl; > 1 means pg_etl is faster) |
|---|---|---|---|---|
| CSV ($csv_mb MB) into a table | etl.load $(m etl_load_csv) ms | COPY FROM | $(m copy_csv) ms | **$(ratio copy_csv etl_load_csv)** |
| CSV ($csv_mb MB) into a table | etl.load $(m etl_load_csv) ms | file_fdw INSERT ... SELECT | $(m file_fdw) ms | **$(ratio file_fdw etl_load_csv)** |
| NDJSON ($nd_mb MB) into a table | etl.load $(m etl_load_ndjson) ms | COPY to jsonb staging + jsonb_populate_record | $(m jsonb_staging) ms | **$(ratio jsonb_staging etl_load_ndjson)** |
| SELECT count(*) over the CSV | etl.read_csv $(m count_read_csv) ms | file_fdw | $(m count_file_fdw) ms | **$(ratio count_file_fdw count_read_csv)** |
MD
