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
# The server reads files itself: the demo's files sit where the postgres user can read them.
demo="$root/.dev-cluster/demo"
mkdir -p "$demo"
cp "$root/examples/data/orders.csv" "$demo/orders.csv"
gzip -c "$root/examples/data/orders.csv" >"$demo/orders-archive.csv.gz"
chmod -R a+rX "$demo"
"${PSQL[@]}" -q -v demo="$demo" <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS pg_etl;
CREATE SCHEMA IF NOT EXISTS demo;
DROP TABLE IF EXISTS demo.orders;
CREATE TABLE demo.orders (
  order_id    bigint PRIMARY KEY,
  customer    text NOT NULL,
  email       text,
  amount      numeric(12,2),
  currency    char(3),
  ordered_at  timestamp,
  source_file text,
  loaded_at   timestamptz NOT NULL DEFAULT now()
);
SQL
"${PSQL[@]}" -v demo="$demo" <<'SQL'
\echo
SELECT etl.version() AS pg_etl_version, current_setting('shared_preload_libraries') AS preloaded;
\echo 'Look before loading:'
SELECT * FROM etl.preview(:'demo' || '/orders.csv', max_rows => 2);
\echo 'Load both files (plain and gzip, matched by a glob) at COPY speed:'
SELECT * FROM etl.load('demo.orders', 'file://' || :'demo' || '/orders*.csv*',
                       '{"filename_column": "source_file", "reject_limit": -1}');
\echo 'demo.orders:'
SELECT order_id, customer, amount, currency, ordered_at, regexp_replace(source_file, '.*/', '') AS from_file
  FROM demo.orders ORDER BY order_id;
\echo 'Where the rows came from (etl.loads, etl.load_files) and what was rejected (etl.rejects):'
SELECT l.id AS load_id, l.target, regexp_replace(f.url, '.*/', '') AS file, f.records, f.bytes_read,
       l.rows_loaded, l.rows_rejected
  FROM etl.loads l JOIN etl.load_files f ON f.load_id = l.id
 ORDER BY l.id DESC, f.url LIMIT 2;
SELECT line, message FROM etl.rejects ORDER BY id DESC LIMIT 3;
SQL
echo
"$root/scripts/dev-cluster.sh" status
echo "next: scripts/dev-cluster.sh psql     (stop with: scripts/dev-cluster.sh stop)"
