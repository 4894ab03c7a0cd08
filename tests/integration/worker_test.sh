#!/usr/bin/env bash
# The background worker, in the test cluster's pg_etl.database (postgres): schedules
# (6-field cron), retries with backoff until dead, cancellation, per-run timeouts,
# file-arrival triggers, several pipelines at once, wake-up at commit, upstream
# triggers, resilience to failing jobs and dropped roles, and the real pg_cron driving
# etl.run. Crash recovery has its own test (crash_recovery_test.sh).
. "$(dirname "$0")/lib.sh"
servers_env
DB=postgres
data=/tmp/pg_etl_worker_test
rm -rf "$data" && mkdir -p "$data/arrivals" && chmod -R 777 "$data"
cp "$PG_ETL_SOURCE_DIR/examples/data/orders.csv" "$data/orders.csv" && chmod a+r "$data/orders.csv"
cleanup() {
  psql -X -q -d postgres >/dev/null 2>&1 <<'SQL' || true
SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'pg_etl_worker_test';
DROP EXTENSION IF EXISTS pg_etl CASCADE;
ALTER SYSTEM RESET pg_etl.naptime;
SELECT pg_reload_conf();
SQL
  rm -rf "$data"
}
trap cleanup EXIT
q "DROP EXTENSION IF EXISTS pg_etl CASCADE"
q "CREATE EXTENSION pg_etl"
q "CREATE TABLE w_orders (order_id bigint, customer text, amount numeric, _etl_run_id bigint)"

# pg_cron drives etl.run (minute granularity: scheduled first, checked at the end).
q "SELECT etl.create_pipeline('by_cron', '$data/orders.csv', 'w_orders', write_mode => 'replace')"
q "SELECT cron.schedule('pg_etl_worker_test', '* * * * *', \$\$SELECT etl.run('by_cron')\$\$)" >/dev/null
cron_scheduled_at=$(date +%s)

# A 6-field cron schedule runs every two seconds through the worker.
q "SELECT etl.create_pipeline('every2s', '$data/orders.csv', 'w_orders', write_mode => 'replace', schedule => '*/2 * * * * *')"
wait_for 10 "a */2 * * * * * schedule runs through the worker" \
  "SELECT count(*) >= 2 FROM etl.runs WHERE pipeline = 'every2s' AND trigger = 'schedule' AND status = 'succeeded'"
q "SELECT etl.pause('every2s')"
gaps=$(q "SELECT string_agg(round(extract(epoch FROM g))::text, ',') FROM (SELECT started_at - lag(started_at) OVER (ORDER BY id) AS g FROM etl.runs WHERE pipeline = 'every2s') x WHERE g IS NOT NULL")
pass "seconds between scheduled runs: $gaps"

# Retries with backoff, then dead; kept for etl.retry.
q "SELECT etl.create_pipeline('flaky', 'http://127.0.0.1:1/none.csv', 'w_orders', options => '{\"retry\": {\"max_attempts\": 3, \"interval\": 0.3, \"backoff_rate\": 2, \"jitter\": \"none\"}}')"
rid=$(q "SELECT etl.enqueue('flaky')")
wait_for 10 "a failing run is retried, then dead" "SELECT status = 'dead' AND attempt = 3 FROM etl.runs WHERE id = $rid"
assert_eq "$(q "SELECT sqlstate FROM etl.runs WHERE id = $rid")" 08001 "the dead run keeps its last error's SQLSTATE"
rid2=$(q "SELECT etl.retry($rid)")
wait_for 10 "etl.retry queues it again" "SELECT status = 'dead' FROM etl.runs WHERE id = $rid2 AND retry_of = $rid"

# Cancelling a running run.
q "CREATE TABLE slow_rows (id int, payload text)"
q "SELECT etl.create_pipeline('slow', '$ETL_HTTP_URL/slow?delay=0.2', 'slow_rows', options => '{\"format\": \"csv\"}')"
rid=$(q "SELECT etl.enqueue('slow')")
wait_for 10 "the slow run starts" "SELECT status = 'running' AND worker_pid IS NOT NULL FROM etl.runs WHERE id = $rid"
sleep 0.5
assert_eq "$(q "SELECT etl.cancel($rid)")" cancelling "etl.cancel signals the worker"
wait_for 5 "the run ends cancelled" "SELECT status = 'cancelled' FROM etl.runs WHERE id = $rid"
assert_eq "$(q "SELECT count(*) FROM slow_rows")" 0 "a cancelled run leaves nothing behind"

# A per-run timeout ends a stalled run.
q "SELECT etl.create_pipeline('stalled', '$ETL_HTTP_URL/slow?delay=0.5', 'slow_rows', options => '{\"format\": \"csv\", \"timeout\": 1}')"
rid=$(q "SELECT etl.enqueue('stalled')")
wait_for 6 "the per-run timeout fails the run" "SELECT status = 'failed' AND sqlstate = '57014' FROM etl.runs WHERE id = $rid"

# File arrival: poll the folder, run when a file lands.
q "CREATE TABLE arrivals (order_id bigint, customer text)"
q "SELECT etl.create_pipeline('arrivals', 'file://$data/arrivals/*.csv', 'arrivals', options => '{\"trigger\": {\"type\": \"file_arrival\", \"poll_interval\": 0.5}}')"
sleep 1.5
assert_eq "$(q "SELECT count(*) FROM etl.runs WHERE pipeline = 'arrivals'")" 0 "no file, no run"
cp "$data/orders.csv" "$data/arrivals/first.csv" && chmod a+r "$data/arrivals/first.csv"
wait_for 10 "a new file triggers a run that loads it" \
  "SELECT count(*) = 8 FROM arrivals"
sleep 1.5
assert_eq "$(q "SELECT count(*) FROM etl.runs WHERE pipeline = 'arrivals'")" 1 "the same file does not trigger again"

# Several pipelines at once (pg_etl.max_workers is 4).
for i in 1 2 3; do
  q "CREATE TABLE par_$i (id int, payload text)"
  q "SELECT etl.create_pipeline('par_$i', '$ETL_HTTP_URL/slow?delay=0.1&rows=15', 'par_$i', options => '{\"format\": \"csv\"}')"
done
q "SELECT etl.enqueue('par_1'), etl.enqueue('par_2'), etl.enqueue('par_3')" >/dev/null
wait_for 15 "three pipelines finish" "SELECT count(*) = 3 FROM etl.runs WHERE pipeline LIKE 'par_%' AND status = 'succeeded'"
overlap=$(q "SELECT count(*) FROM etl.runs a JOIN etl.runs b ON a.id < b.id AND a.started_at < b.finished_at AND b.started_at < a.finished_at WHERE a.pipeline LIKE 'par_%' AND b.pipeline LIKE 'par_%'")
[ "$overlap" -ge 2 ] || fail "the three runs did not overlap ($overlap overlapping pairs)"
pass "the runs overlapped in time ($overlap overlapping pairs of 3)"

# Overlap policies: "queue" (the default) runs one at a time, a number allows that many.
q "CREATE TABLE ov (id int, payload text)"
q "SELECT etl.create_pipeline('one_at_a_time', '$ETL_HTTP_URL/slow?delay=0.05&rows=10', 'ov', options => '{\"format\": \"csv\"}')"
q "SELECT etl.create_pipeline('two_at_a_time', '$ETL_HTTP_URL/slow?delay=0.05&rows=10', 'ov', options => '{\"format\": \"csv\", \"overlap\": 2}')"
q "SELECT etl.enqueue('one_at_a_time'), etl.enqueue('one_at_a_time'), etl.enqueue('two_at_a_time'), etl.enqueue('two_at_a_time')" >/dev/null
wait_for 20 "four overlap-policy runs finish" \
  "SELECT count(*) = 4 FROM etl.runs WHERE pipeline IN ('one_at_a_time', 'two_at_a_time') AND status = 'succeeded'"
pairs() { q "SELECT count(*) FROM etl.runs a JOIN etl.runs b ON a.id < b.id AND a.started_at < b.finished_at AND b.started_at < a.finished_at WHERE a.pipeline = '$1' AND b.pipeline = '$1'"; }
assert_eq "$(pairs one_at_a_time)" 0 "overlap queue: the second run waited for the first"
assert_eq "$(pairs two_at_a_time)" 1 "overlap 2: both runs ran at once"

# A file-arrival batch: wait for two files.
q "CREATE TABLE batched (order_id bigint)"
mkdir -p "$data/batch" && chmod 777 "$data/batch"
q "SELECT etl.create_pipeline('batched', 'file://$data/batch/*.csv', 'batched', options => '{\"trigger\": {\"type\": \"file_arrival\", \"poll_interval\": 0.3, \"batch_size\": 2, \"batch_window\": 600}}')"
cp "$data/orders.csv" "$data/batch/a.csv" && chmod a+r "$data/batch/a.csv"
sleep 1.5
assert_eq "$(q "SELECT count(*) FROM etl.runs WHERE pipeline = 'batched'")" 0 "one file of a batch of two: no run yet"
cp "$data/orders.csv" "$data/batch/b.csv" && chmod a+r "$data/batch/b.csv"
wait_for 10 "the second file completes the batch: one run loads both" \
  "SELECT (SELECT count(*) FROM batched) = 16 AND (SELECT count(*) = 1 FROM etl.runs WHERE pipeline = 'batched')"

# etl.enqueue wakes the launcher at commit, not at its next look.
q "ALTER SYSTEM SET pg_etl.naptime = '20s'" && q "SELECT pg_reload_conf()" >/dev/null
sleep 1
rid=$(q "SELECT etl.enqueue('by_cron')")
wait_for 2 "with a 20 s naptime an enqueued run still starts at once" "SELECT status <> 'queued' FROM etl.runs WHERE id = $rid"
q "ALTER SYSTEM RESET pg_etl.naptime" && q "SELECT pg_reload_conf()" >/dev/null

# Upstream triggers: a downstream pipeline runs after its upstream succeeds.
q "CREATE TABLE downstream (order_id bigint)"
q "SELECT etl.create_pipeline('down', '$data/orders.csv', 'downstream', options => '{\"trigger\": {\"type\": \"upstream\", \"pipeline\": \"by_cron\", \"on\": \"success\"}}')"
rid=$(q "SELECT etl.enqueue('by_cron')")
wait_for 10 "the downstream pipeline runs after the upstream one" \
  "SELECT EXISTS (SELECT FROM etl.runs WHERE pipeline = 'down' AND trigger = 'upstream' AND status = 'succeeded' AND params->>'upstream_run' = '$rid')"

# The launcher survives a role that was dropped and DROP DATABASE elsewhere.
q "CREATE ROLE etl_gone LOGIN"
q "GRANT CREATE ON SCHEMA public TO etl_gone; GRANT pg_read_server_files TO etl_gone"
psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "SET ROLE etl_gone" \
  -c "CREATE TABLE gone_t (order_id bigint)" \
  -c "SELECT etl.create_pipeline('gone', '$data/orders.csv', 'gone_t')" >/dev/null
q "DROP OWNED BY etl_gone; DROP ROLE etl_gone"
rid=$(q "SELECT etl.enqueue('gone')")
wait_for 10 "a run of a dropped role's pipeline fails clearly" "SELECT status = 'failed' AND error LIKE '%role \"etl_gone\"%' FROM etl.runs WHERE id = $rid"
q "CREATE DATABASE etl_other" && q "DROP DATABASE etl_other"
launcher_pid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
[ -n "$launcher_pid" ] || fail "the launcher is gone"
rid=$(q "SELECT etl.enqueue('by_cron')")
wait_for 10 "the launcher still runs work afterwards" "SELECT status = 'succeeded' FROM etl.runs WHERE id = $rid"
# Between runs the launcher sleeps (until the next schedule, at most pg_etl.naptime): it
# does not spin. A 5 ms polling loop used about 14% of a core.
ticks() { awk '{print $14 + $15}' "/proc/$launcher_pid/stat"; }
t0=$(ticks); sleep 3; t1=$(ticks)
[ $((t1 - t0)) -lt 15 ] || fail "the idle launcher used $((t1 - t0)) CPU ticks in 3 s"
pass "the idle launcher used $((t1 - t0)) CPU ticks in 3 s"

# pg_cron: the job scheduled at the start has called etl.run by the next minute.
left=$(( cron_scheduled_at + 75 - $(date +%s) ))
wait_for $(( left > 5 ? left : 5 )) "pg_cron's '* * * * *' job ran etl.run" \
  "SELECT EXISTS (SELECT FROM etl.runs WHERE pipeline = 'by_cron' AND trigger = 'manual' AND status = 'succeeded')"
assert_eq "$(q "SELECT status FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = 'pg_etl_worker_test' ORDER BY runid LIMIT 1")" \
  succeeded "pg_cron recorded the job as succeeded"
