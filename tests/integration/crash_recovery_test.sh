#!/usr/bin/env bash
# Crash recovery, on a cluster of its own (its log rightly shows the crash we cause):
#   1. kill -9 a run's worker in the middle of a load: the postmaster restarts every
#      process, the launcher finds the run orphaned, retries it, and the target ends
#      with every row exactly once;
#   2. the same with an immediate-mode server stop and a restart.
. "$(dirname "$0")/lib.sh"
. "$PG_ETL_SOURCE_DIR/scripts/lib/cluster.sh"
servers_env
dir="$PG_ETL_BUILD_DIR/crash-cluster"
export PGPORT=$((PGPORT + 4))
cluster_stop "$dir" immediate 2>/dev/null || true
rm -rf "$dir"
cluster_init "$dir" "$PGPORT" "pg_etl"
echo "pg_etl.naptime = 200" | as_owner tee -a "$dir/postgresql.conf" >/dev/null
cluster_start "$dir"
trap 'cluster_stop "$dir" immediate >/dev/null 2>&1 || true' EXIT
# A source that takes about three seconds to deliver its rows: the load is caught midway.
rows=1500
q "CREATE EXTENSION pg_etl"
q "CREATE TABLE big (id bigint, payload text, _etl_run_id bigint)"
q "SELECT etl.create_pipeline('big', '$ETL_HTTP_URL/slow?delay=0.002&rows=$rows', 'big', options => '{\"format\": \"csv\", \"retry\": {\"max_attempts\": 5, \"interval\": 0.5, \"jitter\": \"none\"}}')"

check_exactly_once() {  # check_exactly_once WHAT
  assert_eq "$(q "SELECT count(*) || '/' || count(DISTINCT id) FROM big")" "$rows/$rows" "$1: every row exactly once"
  assert_eq "$(q "SELECT count(*) FROM etl.processed_files WHERE pipeline = 'big'")" 1 "$1: the file is recorded once"
  assert_eq "$(q "SELECT count(DISTINCT _etl_run_id) FROM big")" 1 "$1: all rows come from one committed run"
}

# 1. kill -9 the worker mid-load
rid=$(q "SELECT etl.enqueue('big')")
wait_for 15 "the load is under way" "SELECT worker_pid IS NOT NULL AND status = 'running' FROM etl.runs WHERE id = $rid"
sleep 1
pid=$(q "SELECT worker_pid FROM etl.runs WHERE id = $rid")
kill -9 "$pid"
pass "killed worker $pid with SIGKILL"
for _ in $(seq 100); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
wait_for 60 "after the crash restart the run is retried and succeeds" "SELECT status = 'succeeded' AND attempt >= 2 FROM etl.runs WHERE id = $rid"
assert_match "$(q "SELECT coalesce(error, '') FROM etl.runs WHERE id = $rid")" "^$" "the succeeded run carries no error"
check_exactly_once "kill -9"
grep -q "PID $pid) was terminated by signal 9" "$dir/server.log" || fail "the log does not show the killed worker"
if grep "terminated by signal" "$dir/server.log" | grep -v "PID $pid)" ; then fail "another process crashed"; fi
pass "the only process terminated by a signal is the one we killed"

# 2. immediate shutdown mid-load, then a restart
q "TRUNCATE big"
q "SELECT etl.reset('big')" >/dev/null
rid=$(q "SELECT etl.enqueue('big')")
wait_for 15 "the second load is under way" "SELECT worker_pid IS NOT NULL AND status = 'running' FROM etl.runs WHERE id = $rid"
sleep 1
cluster_stop "$dir" immediate
pass "server stopped in immediate mode mid-load"
cluster_start "$dir"
wait_for 60 "after the restart the run is recovered and succeeds" "SELECT status = 'succeeded' AND attempt >= 2 FROM etl.runs WHERE id = $rid"
check_exactly_once "immediate shutdown"
assert_eq "$(q "SELECT count(*) FROM etl.runs WHERE status = 'running'")" 0 "no run is left running"
