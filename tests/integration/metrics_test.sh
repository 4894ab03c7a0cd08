#!/usr/bin/env bash
# Run metrics (the CloudWatch part): etl.run_stats counters kept as runs end (through the
# run outbox), the per-minute/hour/day views, etl.pipeline_status, Prometheus text from
# etl.prometheus_metrics(), etl.status_report(), pg_etl.metrics = off, and history
# retention (etl.purge_history, and the background worker purging at its start).
. "$(dirname "$0")/lib.sh"
servers_env
DB=postgres
data=/tmp/pg_etl_metrics_test
rm -rf "$data" && mkdir -p "$data" && chmod 777 "$data"
cleanup() {
  psql -X -q -d postgres -c "DROP EXTENSION IF EXISTS pg_etl CASCADE" >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
q "DROP EXTENSION IF EXISTS pg_etl CASCADE"
q "CREATE EXTENSION pg_etl"
printf 'id,amount\n1,10\n2,x\n3,30\n' >"$data/a.csv" && chmod a+r "$data/a.csv"
q "CREATE TABLE m_orders (id int, amount numeric)"
q "SELECT etl.create_pipeline('m_ok', '$data/a.csv', 'm_orders', write_mode => 'replace', options => '{\"reject_limit\": 10}')" >/dev/null
q "SELECT etl.create_pipeline('m_bad', '$data/missing.csv', 'm_orders', schedule => '0 3 * * *')" >/dev/null
for _ in 1 2 3; do q "SELECT etl.reset('m_ok'), etl.run('m_ok')" >/dev/null; done
q "SELECT etl.run('m_bad')" >/dev/null 2>&1

# This database is pg_etl.database: a run that ends leaves a row in etl.run_outbox, and
# the maintenance worker adds it to etl.run_stats by itself, moments later.
wait_for 10 "the maintenance worker adds ended runs to etl.run_stats from the run outbox" \
  "SELECT runs_succeeded = 3 AND NOT EXISTS (SELECT FROM etl.run_outbox) FROM etl.run_stats WHERE name = 'm_ok'"
assert_eq "$(q "SELECT runs_succeeded, runs_failed, rows_written, rows_rejected, duration_count FROM etl.run_stats WHERE name = 'm_ok'")" "3|0|6|3|3" \
  "etl.run_stats counts every run that ended: runs, rows written and rejected"
assert_eq "$(q "SELECT s.runs_succeeded + s.runs_failed = (SELECT count(*) FROM etl.runs r WHERE r.pipeline = s.name) FROM etl.run_stats s WHERE name = 'm_bad'")" t \
  "and agrees with etl.runs"
assert_eq "$(q "SELECT sum(runs) || ' ' || sum(succeeded) || ' ' || sum(failed) || ' ' || sum(rows_processed) || ' ' || sum(rows_rejected) FROM etl.metrics_minute WHERE pipeline IN ('m_ok', 'm_bad')")" \
  "4 3 1 6 3" "etl.metrics_minute: runs, successes, failures, rows processed and rejected"
assert_eq "$(q "SELECT count(*) FROM etl.metrics_hour WHERE pipeline = 'm_ok' AND latency_p50 > 0 AND latency_p95 >= latency_p50 AND latency_max >= latency_p95")" 1 \
  "etl.metrics_hour: latency p50 <= p95 <= max"
assert_eq "$(q "SELECT count(*) FROM etl.metrics_day WHERE pipeline = 'm_ok'")" 1 "etl.metrics_day"
assert_eq "$(q "SELECT last_status || ' ' || (last_success_at IS NULL) || ' ' || (next_run_at > now()) FROM etl.pipeline_status WHERE pipeline = 'm_bad'")" \
  "failed true true" "etl.pipeline_status: last run, last success, next scheduled run"

text=$(q "SELECT etl.prometheus_metrics()")
assert_match "$text" $'# TYPE pg_etl_runs_total counter\n' "Prometheus text exposition with TYPE lines"
assert_match "$text" 'pg_etl_runs_total\{pipeline="m_ok",kind="pipeline",status="succeeded"\} 3' "runs by pipeline and status"
assert_match "$text" 'pg_etl_rows_rejected_total\{pipeline="m_ok",kind="pipeline"\} 3' "rejected rows"
assert_match "$text" 'pg_etl_run_duration_seconds_bucket\{pipeline="m_ok",kind="pipeline",le="\+Inf"\} 3' "a latency histogram whose +Inf bucket counts every run"
assert_match "$text" 'pg_etl_next_run_timestamp_seconds\{pipeline="m_bad",kind="pipeline"\} [0-9]' "next scheduled runs"
assert_match "$text" 'pg_etl_queue_depth 0' "the queue depth"
buckets=$(grep -o 'pg_etl_run_duration_seconds_bucket{pipeline="m_ok"[^}]*} [0-9]*' <<<"$text" | awk '{print $2}' | tr '\n' ' ')
assert_eq "$(awk '{ok = 1; for (i = 2; i <= NF; i++) if ($i < $(i-1)) ok = 0; print ok}' <<<"$buckets")" 1 "histogram buckets never decrease ($buckets)"
assert_eq "$(q "SELECT etl.status_report()->'pipelines' @> '[{\"name\": \"m_bad\", \"last_status\": \"failed\"}]'")" t \
  "etl.status_report: the pipelines with their last outcome"
assert_match "$(q "SELECT etl.status_report()->'failures'->0->>'error'")" 'could not stat file' "and recent failures with their errors"

# pg_etl.metrics = off (superuser) leaves the counters alone.
before=$(q "SELECT runs_succeeded FROM etl.run_stats WHERE name = 'm_ok'")
psql -X -q -d postgres -c "SET pg_etl.metrics = off" -c "SELECT etl.reset('m_ok'), etl.run('m_ok')" >/dev/null
q "SELECT etl.process_run_outbox()" >/dev/null
assert_eq "$(q "SELECT runs_succeeded FROM etl.run_stats WHERE name = 'm_ok'")" "$before" "pg_etl.metrics = off: not counted"

# History retention: old runs go in batches, never a pipeline's latest run or latest success.
pre_bulk=$(q "SELECT runs_succeeded FROM etl.run_stats WHERE name = 'm_ok'")
q "INSERT INTO etl.runs (pipeline, status, trigger, queued_at, started_at, finished_at, rows_written)
   SELECT 'm_ok', 'succeeded', 'manual', now() - interval '40 days', now() - interval '40 days', now() - interval '40 days', 1
     FROM generate_series(1, 2500)"
q "INSERT INTO etl.runs (pipeline, status, trigger, queued_at, started_at, finished_at)
   VALUES ('m_old', 'succeeded', 'manual', now() - interval '50 days', now() - interval '50 days', now() - interval '50 days'),
          ('m_old', 'failed', 'manual', now() - interval '45 days', now() - interval '45 days', now() - interval '45 days')"
q "SELECT etl.reset('m_ok'), etl.run('m_ok')" >/dev/null   # its latest run is a new one again
q "SELECT etl.process_run_outbox()" >/dev/null   # counted now, not moments later
expect_error 22023 "a batch of less than one run is refused" "SELECT etl.process_run_outbox(0)"
# lineage rows of old runs, and old events with delivered deliveries, go with them
q "INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset)
   SELECT id, 'm_ok', 'output', 'table', 'm_ok_target' FROM etl.runs WHERE pipeline = 'm_ok' AND finished_at < now() - interval '30 days'"
q "INSERT INTO etl.events (kind, severity, subject, payload, created_at)
   SELECT 'run_succeeded', 'info', 'old', '{}', now() - interval '40 days' FROM generate_series(1, 3)"
q "INSERT INTO etl.deliveries (event_id, channel, message_id, status)
   SELECT id, 'm_ch', 'm-' || id, 'delivered' FROM etl.events WHERE subject = 'old'"
counted=$(q "SELECT runs_succeeded FROM etl.run_stats WHERE name = 'm_ok'")
assert_eq "$(q "SELECT (s.runs_succeeded - $pre_bulk) || ' ' || s.last_run_id FROM etl.run_stats s WHERE s.name = 'm_ok'")" \
  "2501 $(q "SELECT max(id) FROM etl.runs WHERE pipeline = 'm_ok'")" \
  "a bulk insert of 2,500 ended runs is counted (one upsert per job), and the latest run stays the last one"
assert_eq "$(q "SELECT etl.purge_history(1000)")" 1000 "etl.purge_history deletes one batch"
# (an earlier test may have just restarted the launcher: wait until it is back)
wait_for 30 "the launcher is running" "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'"
launcher=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
q "SELECT pg_terminate_backend($launcher)" >/dev/null
wait_for 30 "the background worker purges old history in batches when it starts" \
  "SELECT count(*) = 0 FROM etl.runs WHERE pipeline = 'm_ok' AND finished_at < now() - interval '30 days'"
assert_eq "$(q "SELECT string_agg(status, ',' ORDER BY id) FROM etl.runs WHERE pipeline = 'm_old'")" "succeeded,failed" \
  "a pipeline's latest run and latest success are kept, however old"
assert_eq "$(q "SELECT runs_succeeded FROM etl.run_stats WHERE name = 'm_ok'")" "$counted" "counters do not go back when history is purged"
assert_eq "$(q "SELECT count(*) FROM etl.lineage l WHERE NOT EXISTS (SELECT FROM etl.runs r WHERE r.id = l.run_id)")" 0 \
  "purged runs take their lineage rows with them"
wait_for 30 "and old events their deliveries" \
  "SELECT NOT EXISTS (SELECT FROM etl.events WHERE subject = 'old') AND NOT EXISTS (SELECT FROM etl.deliveries WHERE channel = 'm_ch')"

# In a database no background worker serves (pg_etl.database is postgres), a run that
# ends is counted by its own transaction: nothing waits in the run outbox.
fresh_db metrics_other
q "CREATE TABLE m_orders (id int, amount numeric)" metrics_other
q "SELECT etl.create_pipeline('m_elsewhere', '$data/a.csv', 'm_orders', options => '{\"reject_limit\": 10}')" metrics_other >/dev/null
q "SELECT etl.run('m_elsewhere')" metrics_other >/dev/null
assert_eq "$(q "SELECT runs_succeeded || ' ' || rows_written || ' ' || (SELECT count(*) FROM etl.run_outbox) FROM etl.run_stats WHERE name = 'm_elsewhere'" metrics_other)" \
  "1 2 0" "a database the worker does not serve counts a run as it ends"
psql -X -q -d postgres -c "DROP DATABASE metrics_other WITH (FORCE)" >/dev/null
