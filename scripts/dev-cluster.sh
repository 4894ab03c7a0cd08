#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for development, with pg_etl and pg_cron preloaded.
#   scripts/dev-cluster.sh start|stop|restart|status|psql [psql args]|log|destroy
# Data lives in .dev-cluster/ (git-ignored); port PG_ETL_DEV_PORT (default 55432).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/lib/cluster.sh"

DIR="${PG_ETL_DEV_DIR:-$root/.dev-cluster/data}"
PORT="${PG_ETL_DEV_PORT:-55432}"

connect_help() {
  echo "connect with: psql -h 127.0.0.1 -p $PORT -U postgres   (or: scripts/dev-cluster.sh psql)"
}

case "${1:-status}" in
  start)
    if cluster_running "$DIR"; then echo "dev cluster already running on port $PORT"; connect_help; exit 0; fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
      cluster_init "$DIR" "$PORT" "pg_etl,pg_cron"
    fi
    cluster_start "$DIR"
    echo "dev cluster running: $DIR, port $PORT, log $DIR/server.log"
    connect_help
    ;;
  stop)
    cluster_stop "$DIR"
    echo "dev cluster stopped"
    ;;
  restart)
    cluster_stop "$DIR"
    cluster_start "$DIR"
    echo "dev cluster restarted on port $PORT"
    ;;
  status)
    if cluster_running "$DIR"; then echo "running: $DIR, port $PORT"; else echo "not running ($DIR)"; exit 3; fi
    ;;
  psql)
    shift
    exec "$PG_BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X "$@"
    ;;
  log)
    tail -n "${2:-50}" "$DIR/server.log"
    ;;
  destroy)
    cluster_stop "$DIR" || true
    rm -rf "$DIR" "$DIR.initdb.log"
    echo "dev cluster removed"
    ;;
  *)
    echo "usage: $0 start|stop|restart|status|psql [args]|log [lines]|destroy" >&2
    exit 2
    ;;
esac
