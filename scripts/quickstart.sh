#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine: installs what is missing, builds and
# installs pg_etl, starts a throwaway cluster with pg_etl and pg_cron preloaded, runs a
# small demo pipeline and shows its results. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

echo "== 1/3 build and install"
"$root/scripts/build.sh"

echo "== 2/3 start the dev cluster"
"$root/scripts/dev-cluster.sh" start
PSQL=("$root/scripts/dev-cluster.sh" psql -v ON_ERROR_STOP=1 -d postgres)

echo "== 3/3 demo"
# The server reads files itself: the demo's landing folder is where the postgres user can read.
demo="$root/.dev-cluster/demo"
rm -rf "$demo" && mkdir -p "$demo/landing"
cp "$root/examples/data/orders.csv" "$demo/landing/orders-2024-05-01.csv"
chmod -R a+rX "$demo"
"${PSQL[@]}" -q -v demo="$demo" <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_cron;
DROP EXTENSION IF EXISTS pg_etl CASCADE;
CREATE EXTENSION pg_etl;
DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
CREATE TABLE demo.orders (
  order_id    bigint PRIMARY KEY,
  customer    text NOT NULL,
  email       text,
  amount      numeric(12,2),
  currency    char(3),
  ordered_at  timestamp,
  _etl_run_id bigint          -- filled by pg_etl: every row leads back to its run
);
-- Alerts: every event (a run failed, rows rejected, an SLA missed...) goes to a NOTIFY channel.
SELECT etl.create_channel('ops', 'notify', '{"channel": "pg_etl_events"}');
SELECT etl.subscribe('ops', ARRAY['run_failed', 'run_succeeded', 'rows_rejected', 'sla_missed']);
-- Where files land, and a pipeline that cleans them into demo.orders every 2 seconds.
SELECT etl.create_source('landing', 'file://' || :'demo' || '/landing/*.csv');
SELECT etl.create_pipeline('demo_orders', 'landing', 'demo.orders',
  transform  => $$SELECT order_id::bigint, customer, lower(email) AS email, amount::numeric AS amount,
                         currency, ordered_at::timestamp AS ordered_at
                    FROM input WHERE amount::numeric > 0$$,
  write_mode => 'merge', merge_key => ARRAY['order_id'],
  schedule   => '*/2 * * * * *');
SQL
echo "pipeline demo_orders defined; the background worker runs it every 2 seconds"
wait_for_run() {  # wait until N scheduled runs have succeeded
  for _ in $(seq 60); do
    [ "$("${PSQL[@]}" -A -t -c "SELECT count(*) >= $1 FROM etl.runs WHERE pipeline = 'demo_orders' AND status = 'succeeded' AND files > 0")" = t ] && return 0
    sleep 0.5
  done
  echo "the scheduled run did not happen; see scripts/dev-cluster.sh log" >&2
  return 1
}
wait_for_run 1
# A second file lands: the next scheduled run loads it, and only it.
sed -e '1!s/^10\([0-9][0-9]\),/20\1,/' "$root/examples/data/orders.csv" >"$demo/landing/orders-2024-05-02.csv"
chmod a+r "$demo/landing/orders-2024-05-02.csv"
wait_for_run 2
"${PSQL[@]}" -q -c "SELECT etl.pause('demo_orders')" >/dev/null
# A pipeline whose source is missing fails; after commit, the worker turns its end (in
# the run outbox) into an event and delivers it.
"${PSQL[@]}" -q -c "SELECT etl.create_pipeline('demo_broken', 'file://$demo/missing/*.csv', 'demo.orders')" >/dev/null
"${PSQL[@]}" -q -c "SELECT etl.run('demo_broken')" >/dev/null 2>&1 || true
for _ in $(seq 40); do
  [ "$("${PSQL[@]}" -A -t -c "SELECT NOT EXISTS (SELECT FROM etl.run_outbox) AND NOT EXISTS (SELECT FROM etl.deliveries WHERE status = 'pending')")" = t ] && break
  sleep 0.25
done
"${PSQL[@]}" -v demo="$demo" <<'SQL'
\echo
SELECT etl.version() AS pg_etl_version, current_setting('shared_preload_libraries') AS preloaded;
\echo 'demo.orders (first rows):'
SELECT order_id, customer, email, amount, currency, _etl_run_id FROM demo.orders ORDER BY order_id LIMIT 5;
SELECT count(*) AS orders_loaded FROM demo.orders;
\echo 'etl.runs: the scheduled runs that loaded files (runs with nothing new load nothing):'
SELECT id, status, trigger, rows_read, rows_written, files, finished_at - started_at AS took
  FROM etl.runs WHERE pipeline = 'demo_orders' AND files > 0 ORDER BY id;
\echo 'etl.lineage: where the rows in demo.orders came from:'
SELECT run_id, regexp_replace(input, '.*/', '') AS input_file, input_checksum, output, rows_written
  FROM etl.lineage_edges ORDER BY run_id;
\echo 'column lineage of demo_orders, from PostgreSQL''s analyzer of its transform:'
SELECT c->>'column' AS target_column, s->>'relation' AS source, s->>'column' AS source_column, s->>'subtype' AS how
  FROM etl.pipelines p, jsonb_array_elements(p.column_lineage->'columns') c, jsonb_array_elements(c->'sources') s
 WHERE p.name = 'demo_orders';
\echo 'etl.events and etl.deliveries: what happened, and its delivery to the NOTIFY channel:'
SELECT e.id, e.kind, left(e.subject, 70) AS subject, d.channel, d.status, d.attempts
  FROM etl.events e LEFT JOIN etl.deliveries d ON d.event_id = e.id ORDER BY e.id DESC LIMIT 4;
\echo 'etl.infer_schema: the types in the landed files, inferred from their values:'
SELECT column_name, data_type, nullable, detail->>'min' AS min, detail->>'max' AS max FROM etl.infer_schema('landing');
\echo 'etl.crawl: the landing folder as a dataset in the catalog (etl.datasets, etl.dataset_columns, ...):'
SELECT * FROM etl.crawl('demo', 'file://' || :'demo' || '/landing/');
SELECT dataset, decision, reason FROM etl.crawl_log WHERE crawler = 'demo' ORDER BY id;
SQL
echo
echo "demo_orders is paused now; SELECT etl.resume('demo_orders') starts its schedule again."
"$root/scripts/dev-cluster.sh" status
echo "next: scripts/dev-cluster.sh psql     (stop with: scripts/dev-cluster.sh stop)"
