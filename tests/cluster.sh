#!/usr/bin/env bash
# The test cluster shared by the regress and integration suites (a CTest fixture):
#   tests/cluster.sh setup     fresh cluster with pg_etl and pg_cron preloaded
#   tests/cluster.sh cleanup   stop it; fail if its log shows a crashed process
# Location and port come from PG_ETL_TEST_DIR and PGPORT (set by CTest).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../scripts/lib/cluster.sh"
: "${PG_ETL_TEST_DIR:?}" "${PGPORT:?}"

case "$1" in
  setup)
    cluster_stop "$PG_ETL_TEST_DIR" immediate 2>/dev/null || true
    rm -rf "$PG_ETL_TEST_DIR"
    cluster_init "$PG_ETL_TEST_DIR" "$PGPORT" "pg_etl,pg_cron"
    cluster_start "$PG_ETL_TEST_DIR"
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION pg_cron"
    echo "test cluster up on port $PGPORT: $PG_ETL_TEST_DIR"
    ;;
  cleanup)
    cluster_stop "$PG_ETL_TEST_DIR" fast || cluster_stop "$PG_ETL_TEST_DIR" immediate
    cluster_check_log "$PG_ETL_TEST_DIR"
    echo "test cluster stopped; log clean"
    ;;
  *) echo "usage: $0 setup|cleanup" >&2; exit 2 ;;
esac
