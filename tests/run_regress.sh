#!/usr/bin/env bash
# Runs the pg_regress suite (tests/regress/schedule) against the running test cluster.
set -euo pipefail
: "${PG_REGRESS:?}" "${PG_ETL_SOURCE_DIR:?}" "${PG_ETL_BUILD_DIR:?}" "${PGPORT:?}"
out="$PG_ETL_BUILD_DIR/regress"
mkdir -p "$out"
# Fixture files at a fixed path (readable by the server) so expected output is stable.
data=/tmp/pg_etl_regress
rm -rf "$data"
/usr/bin/python3 "$PG_ETL_SOURCE_DIR/tests/regress/data/make_fixtures.py" "$data"
chmod -R a+rX "$data"
# With --use-existing pg_regress neither creates the database nor loads extensions.
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "DROP DATABASE IF EXISTS pg_etl_regress WITH (FORCE)" \
  -c "CREATE DATABASE pg_etl_regress TEMPLATE template0" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d pg_etl_regress -c "CREATE EXTENSION pg_etl" >/dev/null
status=0
"$PG_REGRESS" --use-existing --host=127.0.0.1 --port="$PGPORT" --user=postgres \
  --bindir="$PG_BINDIR" --dbname=pg_etl_regress \
  --inputdir="$PG_ETL_SOURCE_DIR/tests/regress" --outputdir="$out" \
  --schedule="$PG_ETL_SOURCE_DIR/tests/regress/schedule" || status=$?
if [ $status -ne 0 ] && [ -f "$out/regression.diffs" ]; then
  cat "$out/regression.diffs"
fi
exit $status
