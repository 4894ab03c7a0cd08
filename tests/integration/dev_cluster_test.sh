#!/usr/bin/env bash
# scripts/dev-cluster.sh start|status|psql|stop works as the current user and, when
# run as root, as an ordinary user too; the cluster preloads pg_etl and pg_cron.
. "$(dirname "$0")/lib.sh"
script="$PG_ETL_SOURCE_DIR/scripts/dev-cluster.sh"

exercise() {  # exercise LABEL DIR PORT [runner...]
  local label="$1" dir="$2" port="$3"; shift 3
  local run=("$@" env PG_ETL_DEV_DIR="$dir" PG_ETL_DEV_PORT="$port" "$script")
  "${run[@]}" start >/dev/null
  assert_eq "$("${run[@]}" psql -A -t -c "SHOW shared_preload_libraries")" "pg_etl,pg_cron" "$label: preloads pg_etl,pg_cron"
  assert_eq "$("${run[@]}" psql -A -t -c "SHOW port")" "$port" "$label: runs on port $port"
  "${run[@]}" psql -q -c "CREATE EXTENSION pg_etl"
  assert_eq "$("${run[@]}" psql -A -t -c "SELECT etl.version()")" "$PG_ETL_VERSION" "$label: pg_etl works"
  "${run[@]}" status >/dev/null || fail "$label: status says not running"
  "${run[@]}" start >/dev/null   # idempotent
  # after a crash or a reboot the pid file names no server: restart still starts one
  kill -9 "$(head -1 "$dir/postmaster.pid")"
  for _ in $(seq 50); do "${run[@]}" status >/dev/null 2>&1 || break; sleep 0.1; done
  sleep 1   # its children notice and exit
  "${run[@]}" restart >/dev/null 2>&1 || fail "$label: restart after a crash failed"
  assert_eq "$("${run[@]}" psql -A -t -c "SELECT 1")" "1" "$label: restart after a crash (stale pid file)"
  "${run[@]}" stop >/dev/null
  if "${run[@]}" status >/dev/null 2>&1; then fail "$label: still running after stop"; fi
  pass "$label: start, status, psql, stop"
  grep -qE "terminated by signal" "$dir/server.log" && fail "$label: crash in log"
  "${run[@]}" destroy >/dev/null
}

base=$(mktemp -d /tmp/pg_etl_devcluster.XXXXXX)
chmod 755 "$base"
trap 'rm -rf "$base"' EXIT
exercise "as $(id -un)" "$base/data" $((PGPORT + 2))
if [ "$(id -u)" -eq 0 ]; then
  # 'postgres' is an ordinary (non-root) OS user: the script must work for it unchanged.
  chown postgres "$base"
  exercise "as an ordinary user" "$base/data-user" $((PGPORT + 3)) runuser -u postgres --
fi
