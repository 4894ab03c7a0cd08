#!/usr/bin/env bash
# Database source benchmark (bench/RESULTS.md records its output): ROWS rows (default
# 1,000,000) from another PostgreSQL database into a table, three ways:
#   a. etl.load(target, 'postgresql://...', '{"query": "SELECT * FROM src"}')
#   b. postgres_fdw: INSERT INTO target SELECT * FROM a foreign table (fetch_size 10000,
#      and the default 100)
#   c. the pipe: psql -c "COPY (SELECT * FROM src) TO STDOUT" | psql -c "COPY target FROM STDIN"
# plus diagnostics that split pg_etl's time: the source's COPY TO alone (text and pg_etl's
# CSV), count(*) over etl.read_query (extract + parse, no load), the pipe in pg_etl's CSV
# format and in binary (the headroom), and etl.load of the same CSV from a local file
# (parse + load, no network). The target is a logged table without indexes (autovacuum
# off); every variant must give the source's rows exactly (a digest, checked in round 1).
# Two throwaway clusters (source and target), one role on the source that logs in over
# TCP with a password (scram-sha-256), every variant connecting as that role. Wall time
# of each shell command (psql start-up and connection included, the same for all),
# target truncated and checkpointed before each measurement, variants alternating in
# each round, median of RUNS (default 3). Also the CPU time of each side: the backends
# (reaped by their postmaster: its cutime + cstime) and the psql clients.
#   bench/run_db_bench.sh [ROWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
ROWS="${1:-1000000}"
RUNS="${RUNS:-3}"
BASE=/tmp/pg_etl_db_bench
SRC_DIR="$BASE/src" TGT_DIR="$BASE/tgt"
SRC_PORT="${PG_ETL_BENCH_SRC_PORT:-55610}"
TGT_PORT="${PG_ETL_BENCH_TGT_PORT:-55611}"
PW=bench_pw
URL="postgresql://etl_src:$PW@127.0.0.1:$SRC_PORT/postgres"
SETTINGS="shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min"

mkdir -p "$BASE"
chmod 755 "$BASE"
# bench_cluster's own trap stops only the cluster it started last: stop both here.
cleanup() { cluster_stop "$SRC_DIR" fast || true; cluster_stop "$TGT_DIR" fast || true; rm -rf "$BASE"; }
bench_cluster "$SRC_DIR" "$SRC_PORT" "$SETTINGS"
trap cleanup EXIT
bench_cluster "$TGT_DIR" "$TGT_PORT" "$SETTINGS"
trap cleanup EXIT

src() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d postgres "$@"; }
tgt() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d postgres "$@"; }
# the source as the password role (the pipe's extracting side)
src_pw() { PGPASSWORD=$PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U etl_src -d postgres "$@"; }

COLS="id bigint, customer text, email text, amount numeric(12,2), ordered_at timestamptz, status text, note text"

# ---- source: a password role over TCP, and the data ----
as_owner sed -i "1i host all etl_src 127.0.0.1/32 scram-sha-256" "$SRC_DIR/pg_hba.conf"
echo "generating $ROWS rows on the source"
src <<SQL
SELECT pg_reload_conf();
CREATE ROLE etl_src LOGIN PASSWORD '$PW';
SELECT setseed(0.42);
CREATE TABLE src ($COLS);
INSERT INTO src
SELECT i,
       initcap(substr(md5(i::text), 1, 8)) || ' ' || initcap(substr(md5((i * 7)::text), 1, 11)),
       lower(substr(md5((i * 3)::text), 1, 10)) || '.' || i || '@' ||
         (ARRAY['example.com', 'mail.example.org', 'corp.example.net'])[1 + i % 3],
       round((random() * 5000)::numeric, 2),
       timestamptz '2024-01-01 00:00:00+00' + i * interval '31 seconds' + (random() * 1000) * interval '1 ms',
       (ARRAY['new', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'])[1 + (random() * 5)::int],
       CASE WHEN i % 5 = 0 THEN NULL
            WHEN i % 97 = 0 THEN ''
            WHEN i % 50 = 0 THEN 'leave at door, ring "twice"'
            WHEN i % 3 = 0 THEN 'gift wrap ' || substr(md5((i * 11)::text), 1, 16)
            ELSE 'standard delivery' END
FROM generate_series(1, $ROWS) i;
GRANT SELECT ON src TO etl_src;
VACUUM (FREEZE, ANALYZE) src;
SELECT count(*) FROM src;
SQL
src_pw -Atc "SELECT 'password login ok: ' || current_user" ||
  { echo "the password role cannot log in" >&2; exit 1; }
src_mb=$(src -Atc "SELECT round(pg_table_size('src') / 1048576.0)")

# ---- target ----
tgt <<SQL
CREATE EXTENSION pg_etl;
CREATE EXTENSION postgres_fdw;
CREATE TABLE target ($COLS) WITH (autovacuum_enabled = off);
CREATE SERVER srcdb FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$SRC_PORT', dbname 'postgres');
CREATE USER MAPPING FOR postgres SERVER srcdb OPTIONS (user 'etl_src', password '$PW');
CREATE FOREIGN TABLE src_fdw ($COLS) SERVER srcdb
  OPTIONS (schema_name 'public', table_name 'src', fetch_size '10000');
CREATE FOREIGN TABLE src_fdw100 ($COLS) SERVER srcdb OPTIONS (schema_name 'public', table_name 'src');
SQL

CSV_OPTS="FORMAT csv, HEADER true, FORCE_QUOTE *"
CSV_FILE="$BASE/src.csv"
CSV_OUT="COPY (SELECT * FROM src) TO STDOUT WITH ($CSV_OPTS)"
src_pw -c "$CSV_OUT" >"$CSV_FILE"
chmod a+r "$CSV_FILE"
csv_mb=$(awk -v b="$(stat -c %s "$CSV_FILE")" 'BEGIN {printf "%.0f", b / 1048576}')
text_mb=$(src_pw -c "COPY (SELECT * FROM src) TO STDOUT" | wc -c | awk '{printf "%.0f", $1 / 1048576}')

Q='{"query": "SELECT * FROM src"}'
# shellcheck disable=SC2034  # used by the commands in CMD, through eval
{
LOAD_SQL="SELECT * FROM etl.load('target', '$URL', '$Q')"
FILE_SQL="SELECT * FROM etl.load('target', '$CSV_FILE')"
COUNT_SQL="SELECT count(*) FROM etl.read_query(NULL::target, '$URL', 'SELECT * FROM src')"
TEXT_OUT="COPY (SELECT * FROM src) TO STDOUT"
CSV_OUT="COPY (SELECT * FROM src) TO STDOUT WITH ($CSV_OPTS)"
}
# shellcheck disable=SC2016  # expanded by eval in run
declare -A CMD=(
  [etl_load]='tgt -c "$LOAD_SQL"'
  [fdw_10000]='tgt -c "INSERT INTO target SELECT * FROM src_fdw"'
  [fdw_100]='tgt -c "INSERT INTO target SELECT * FROM src_fdw100"'
  [pipe_text]='src_pw -c "$TEXT_OUT" | tgt -c "COPY target FROM STDIN"'
  [pipe_csv]='src_pw -c "$CSV_OUT" | tgt -c "COPY target FROM STDIN WITH (FORMAT csv, HEADER true)"'
  [pipe_binary]='src_pw -c "$TEXT_OUT WITH (FORMAT binary)" | tgt -c "COPY target FROM STDIN WITH (FORMAT binary)"'
  [etl_load_file]='tgt -c "$FILE_SQL"'
  [read_query_count]='tgt -c "$COUNT_SQL"'
  [out_text]='src_pw -c "$TEXT_OUT" >/dev/null'
  [out_csv]='src_pw -c "$CSV_OUT" >/dev/null'
)
LOADS="etl_load fdw_10000 fdw_100 pipe_text pipe_csv pipe_binary etl_load_file"
READS="read_query_count out_text out_csv"

# The same rows must arrive every way: a digest of the target against the source's.
digest_sql="SET TimeZone = 'UTC'; SELECT count(*) || ' ' || md5(string_agg(t::text, E'\n' ORDER BY id)) FROM"
want=$(src -Atc "$digest_sql src t" | tail -1)
echo "source digest: $want"

# CPU time of every process a variant uses, robust to other load on the machine: the
# servers' backends (reaped by their postmaster, so in its cutime + cstime) and this
# shell's children (psql), in clock ticks.
ticks_of() { awk '{print $16 + $17}' "/proc/$(head -1 "$1/postmaster.pid")/stat"; }
client_ticks() { awk '{print $16 + $17}' /proc/$$/stat; }
TCK=$(getconf CLK_TCK)
declare -A T CS CT CC
run() {  # run NAME: wall time of its command, after truncating the target
  tgt -c "TRUNCATE target; CHECKPOINT" >/dev/null
  sleep 0.3
  local s e s0 t0 c0
  s0=$(ticks_of "$SRC_DIR") t0=$(ticks_of "$TGT_DIR") c0=$(client_ticks)
  s=$(date +%s%N)
  eval "${CMD[$1]}" >/dev/null
  e=$(date +%s%N)
  sleep 0.3  # the backends exit and are reaped
  local ms=$(((e - s) / 1000000))
  T[$1]+="$ms "
  CS[$1]+="$((($(ticks_of "$SRC_DIR") - s0) * 1000 / TCK)) "
  CT[$1]+="$((($(ticks_of "$TGT_DIR") - t0) * 1000 / TCK)) "
  CC[$1]+="$((($(client_ticks) - c0) * 1000 / TCK)) "
  echo "  $1: $ms ms (cpu ms: source $(echo "${CS[$1]}" | awk '{print $NF}'), target $(echo "${CT[$1]}" | awk '{print $NF}'), psql $(echo "${CC[$1]}" | awk '{print $NF}'))"
}

for r in $(seq "$RUNS"); do
  echo "run $r/$RUNS"
  for v in $LOADS; do
    run "$v"
    if [ "$r" = 1 ]; then
      got=$(tgt -Atc "$digest_sql target t" | tail -1)
      [ "$got" = "$want" ] || { echo "$v: target digest $got differs from the source's $want" >&2; exit 1; }
    fi
  done
  for v in $READS; do run "$v"; done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
med() { tr ' ' '\n' | sed '/^$/d' | median; }
m() { echo "${T[$1]}" | med; }
cpu() { awk -v a="$(echo "${CS[$1]}" | med)" -v b="$(echo "${CT[$1]}" | med)" -v c="$(echo "${CC[$1]}" | med)" \
  'BEGIN {printf "%.2f + %.2f + %.2f", a / 1000, b / 1000, c / 1000}'; }
secs() { awk -v a="$(m "$1")" 'BEGIN {printf "%.2f", a / 1000}'; }
rate() { awk -v a="$(m "$1")" -v n="$ROWS" 'BEGIN {printf "%.0f", n / (a / 1000)}'; }
vs_pipe() { awk -v a="$(m pipe_text)" -v b="$(m "$1")" 'BEGIN {printf "%.2f", a / b}'; }
row() { echo "| $2 | $(secs "$1") s | $(rate "$1") | **$(vs_pipe "$1")** | $(cpu "$1") |"; }
all() { for v in $LOADS $READS; do printf '%s %s; ' "$v" "${T[$v]% }"; done; }
cat <<MD

### $ROWS rows from another PostgreSQL database ($(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS)

Command: \`RUNS=$RUNS bench/run_db_bench.sh $ROWS\`

Source table $src_mb MB; as COPY text $text_mb MB, as pg_etl's CSV (FORCE_QUOTE *) $csv_mb MB.

| Variant | Time | Rows/s | Speed vs the pipe (pipe time / this time; > 1 is faster) | CPU s: source server + target server + psql |
|---|---|---|---|---|
$(row etl_load "pg_etl: etl.load(target, url, '{\"query\": \"SELECT * FROM src\"}')")
$(row fdw_10000 "postgres_fdw, fetch_size 10000: INSERT INTO target SELECT * FROM src_fdw")
$(row fdw_100 "postgres_fdw, default fetch_size 100")
$(row pipe_text "the pipe: psql COPY (SELECT * FROM src) TO STDOUT \\| psql COPY target FROM STDIN (text)")
| *Diagnostics* | | | | |
$(row pipe_csv "the pipe in pg_etl's format: COPY TO (FORMAT csv, HEADER, FORCE_QUOTE *) \\| COPY FROM csv")
$(row pipe_binary "the pipe in binary: COPY TO (FORMAT binary) \\| COPY FROM (FORMAT binary)")
$(row etl_load_file "etl.load of the same rows from a local CSV file ($csv_mb MB, no network)")
$(row read_query_count "SELECT count(*) FROM etl.read_query(NULL::target, url, query) (extract + parse, no load)")
$(row out_text "source only: psql COPY (SELECT * FROM src) TO STDOUT > /dev/null (text)")
$(row out_csv "source only: the same in pg_etl's CSV (FORCE_QUOTE *) > /dev/null")

Every run (ms): $(all)
MD
