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
"${PSQL[@]}" -q <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS pg_etl;
CREATE SCHEMA IF NOT EXISTS demo;
DROP TABLE IF EXISTS demo.orders;
CREATE TABLE demo.orders (
  order_id   bigint PRIMARY KEY,
  customer   text NOT NULL,
  email      text,
  amount     numeric(12,2),
  currency   char(3),
  ordered_at timestamp
);
SQL
"${PSQL[@]}" -q -c "\\copy demo.orders FROM '$root/examples/data/orders.csv' WITH (FORMAT csv, HEADER true)"
"${PSQL[@]}" <<'SQL'
\echo
SELECT etl.version() AS pg_etl_version,
       (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preloaded;
\echo 'demo.orders, loaded from examples/data/orders.csv:'
SELECT * FROM demo.orders ORDER BY order_id;
SQL
echo
"$root/scripts/dev-cluster.sh" status
echo "next: scripts/dev-cluster.sh psql     (stop with: scripts/dev-cluster.sh stop)"
