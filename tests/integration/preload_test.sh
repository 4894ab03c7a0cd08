#!/usr/bin/env bash
# With pg_etl preloaded the launcher runs in pg_etl.database; without preloading the
# functions still work and no worker starts.
. "$(dirname "$0")/lib.sh"
. "$PG_ETL_SOURCE_DIR/scripts/lib/cluster.sh"

assert_eq "$(q "SHOW shared_preload_libraries")" "pg_etl,pg_cron" "test cluster preloads pg_etl and pg_cron"
launcher=""
for _ in $(seq 50); do
  launcher=$(q "SELECT datname FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
  [ -n "$launcher" ] && break; sleep 0.1
done
assert_eq "$launcher" "postgres" "launcher is connected to pg_etl.database"

# A launcher that is killed comes back (bgw_restart_time) and the server stays up.
pid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
q "SELECT pg_terminate_backend($pid)" >/dev/null
pass "launcher terminated"

# A second cluster without shared_preload_libraries.
dir="$PG_ETL_BUILD_DIR/test-cluster-nopreload"
port=$((PGPORT + 1))
cluster_stop "$dir" immediate 2>/dev/null || true
rm -rf "$dir"
cluster_init "$dir" "$port" ""
cluster_start "$dir"
trap 'cluster_stop "$dir" fast || true' EXIT
PGPORT=$port q "CREATE EXTENSION pg_etl"
assert_eq "$(PGPORT=$port q "SELECT etl.version()")" "$PG_ETL_VERSION" "etl.version() works without preloading"
assert_eq "$(PGPORT=$port q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")" "0" \
  "no launcher without preloading"
assert_eq "$(PGPORT=$port q "LOAD 'pg_etl'; SHOW pg_etl.database")" "postgres" "GUCs exist once the library is loaded"
cluster_stop "$dir" fast
trap - EXIT
cluster_check_log "$dir" || fail "no-preload cluster log shows a crash"
rm -rf "$dir" "$dir.initdb.log"

for _ in $(seq 150); do
  [ -n "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")" ] && break; sleep 0.1
done
[ -n "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")" ] || fail "launcher did not restart"
pass "launcher restarted after being terminated"

# pg_etl.database is reloadable: the launcher follows it to another database.
q "CREATE DATABASE launcher_target"
q "ALTER SYSTEM SET pg_etl.database = 'launcher_target'"
q "SELECT pg_reload_conf()" >/dev/null
moved=""
for _ in $(seq 150); do
  moved=$(q "SELECT datname FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
  [ "$moved" = "launcher_target" ] && break; sleep 0.1
done
q "ALTER SYSTEM RESET pg_etl.database"
q "SELECT pg_reload_conf()" >/dev/null
assert_eq "$moved" "launcher_target" "launcher followed pg_etl.database after a reload"
for _ in $(seq 150); do
  [ "$(q "SELECT datname FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")" = "postgres" ] && break; sleep 0.1
done
q "DROP DATABASE launcher_target WITH (FORCE)"
pass "launcher back in postgres"
