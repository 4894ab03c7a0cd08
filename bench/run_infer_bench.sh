#!/usr/bin/env bash
# Schema-inference benchmark for issue 5 (bench/RESULTS.md records its output):
#   - speed: etl.infer_schema on a ~100 MiB messy CSV, default sample and {"sample":"all"},
#     against pandas read_csv (nrows=20000, full, best effort);
#   - accuracy: columns typed correctly by pg_etl and pandas on a messy corpus with ground
#     truth, and delimiter/header detection against Python's csv.Sniffer.
# One throwaway cluster, same files, warm page cache, median of RUNS (default 3).
#   bench/run_infer_bench.sh [BIG_ROWS]      (default 530000 rows, about 100 MiB)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
BIG_ROWS="${1:-530000}"
export RUNS="${RUNS:-3}"
DIR="$root/build/bench-infer-cluster"
PORT="${PG_ETL_BENCH_PORT:-55461}"
DATA=/tmp/pg_etl_infer_bench
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres

# The peer: pandas and csv.Sniffer from Debian's packages.
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pandas >/dev/null
fi

if [ ! -f "$DATA/truth.json" ] || [ "$(/usr/bin/python3 -c "import json;print(json.load(open('$DATA/truth.json'))['big']['rows'])")" != "$BIG_ROWS" ]; then
  echo "generating the corpus and a $BIG_ROWS-row file in $DATA" >&2
  rm -rf "$DATA"
  /usr/bin/python3 "$root/bench/gen_infer_corpus.py" "$DATA" "$BIG_ROWS"
fi
chmod -R a+rX "$DATA"
bench_cluster "$DIR" "$PORT"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_etl"

echo "pg_etl $(psql -X -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_etl'"), \
pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)'), \
Python $(/usr/bin/python3 -c 'import platform; print(platform.python_version())'), \
$(nproc) cores, $(date -u +%Y-%m-%d)"
echo
/usr/bin/python3 "$root/bench/infer_bench.py" "$DATA" "$RUNS"
