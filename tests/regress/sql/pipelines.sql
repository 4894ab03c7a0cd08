-- Pipelines in SQL, run in this session (the background worker is tested in
-- tests/integration/worker_test.sh): definitions checked at creation, exactly-once
-- file loading, write modes, transforms, lineage, workflows.
\set VERBOSITY default
SET client_min_messages = warning;
CREATE TABLE orders (order_id bigint PRIMARY KEY, email text, amount numeric(12,2), _etl_run_id bigint);
-- A landing folder the server writes files into: a file "arrives".
COPY (SELECT * FROM (VALUES ('order_id,email,amount'), ('1,Ada@Example.com,10.50'), ('2,grace@example.com,20.00')) v(l))
  TO '/tmp/pg_etl_regress/landing/day1.csv';

-- Sources: a name for a URL and its options; secrets are masked in etl.sources.
SELECT etl.create_source('landing', 'file:///tmp/pg_etl_regress/landing/*.csv', '{"reject_limit": 10, "password": "s3cret"}');
SELECT name, url, options FROM etl.sources;
SELECT count(*) FROM etl.read_csv('landing') AS t(order_id int);
SELECT etl.create_source('landing', '/tmp/x');
SELECT etl.create_source('bad', 'gopher://x/y');
SELECT etl.create_source('bad', '/tmp/x', '{"delimeter": ";"}');

-- Bad definitions fail at creation, saying what and where.
SELECT etl.create_pipeline('p', 'nosuchsource', 'orders');
SELECT etl.create_pipeline('p', 'landing', 'no_such_table');
SELECT etl.create_pipeline('p', 'landing', 'orders', schedule => '0 25 * * *');
SELECT etl.create_pipeline('p', 'landing', 'orders', schedule => '*/5 * * * *', options => '{"timezone": "Mars/Olympus"}');
SELECT etl.create_pipeline('p', 'landing', 'orders', write_mode => 'upsert');
SELECT etl.create_pipeline('p', 'landing', 'orders', write_mode => 'merge');
SELECT etl.create_pipeline('p', 'landing', 'orders', write_mode => 'merge', merge_key => ARRAY['email']);
SELECT etl.create_pipeline('p', 'landing', 'orders', transform => 'SELECT order_id, no_such_column FROM input');
SELECT etl.create_pipeline('p', 'landing', 'orders', transform => 'SELECT order_id::bigint, 1 AS not_in_target FROM input');
SELECT etl.create_pipeline('p', 'landing', 'orders', options => '{"retry": {"tries": 3}}');
SELECT etl.create_pipeline('p', 'landing', 'orders', options => '{"trigger": {"type": "webhook"}}');
SELECT etl.create_pipeline('p', 'landing', 'orders', options => '{"trigger": {"type": "upstream", "pipeline": "nope"}}');
SELECT count(*) AS pipelines_after_errors FROM etl.pipelines;

-- A pipeline with a transform over "input"; each row leads back to its run.
SELECT etl.create_pipeline('orders', 'landing', 'orders',
  transform => 'SELECT order_id::bigint, lower(email) AS email, amount::numeric AS amount FROM input',
  write_mode => 'merge', merge_key => ARRAY['order_id']);
SELECT name, source, target, write_mode, merge_key, input_columns FROM etl.pipelines;
SELECT etl.create_pipeline('orders', 'landing', 'orders');

SELECT etl.run('orders') AS first_run \gset
SELECT * FROM orders ORDER BY order_id;
-- Exactly once: a second run finds nothing new.
SELECT etl.run('orders') AS second_run \gset
SELECT id = :first_run AS is_first, status, trigger, rows_read, rows_written, files FROM etl.runs ORDER BY id;

-- A new file loads alone; a changed file loads again; merge lets the latest row win.
COPY (SELECT * FROM (VALUES ('order_id,email,amount'), ('2,GRACE@new.example,25'), ('3,alan@example.com,30'), ('3,alan@latest.example,31'))
  v(l)) TO '/tmp/pg_etl_regress/landing/day2.csv';
SELECT etl.run('orders') AS third_run \gset
SELECT * FROM orders ORDER BY order_id;
SELECT regexp_replace(url, '.*/', '') AS file, run_id - :first_run AS run, checksum LIKE 'xxh3:%' AS has_checksum
  FROM etl.processed_files WHERE pipeline = 'orders' ORDER BY url;

-- Lineage: where the rows in orders came from, and what day2.csv fed.
SELECT regexp_replace(input, '.*/', '') AS input, output, rows_written FROM etl.lineage_edges ORDER BY run_id, input;
SELECT o.order_id, regexp_replace(l.dataset, '.*/', '') AS from_file
  FROM orders o JOIN etl.lineage l ON l.run_id = o._etl_run_id AND l.direction = 'input' ORDER BY o.order_id, 2;

-- A failed run leaves the target and the state unchanged, and says why.
COPY (SELECT * FROM (VALUES ('order_id,email,amount'), ('4,x@example.com,40'), ('oops,y@example.com,50'))
  v(l)) TO '/tmp/pg_etl_regress/landing/day3.csv';
ALTER TABLE orders ADD CONSTRAINT small CHECK (amount < 45);
SELECT etl.run('orders', '{"options": {"reject_limit": 0}}') AS failed_run \gset
SELECT status, rows_written, sqlstate, error FROM etl.runs WHERE id = :failed_run;
SELECT count(*) AS orders_after_failure FROM orders;
SELECT count(*) AS day3_processed FROM etl.processed_files WHERE url LIKE '%day3.csv';
-- Skip the poison file; the next run has nothing to do.
SELECT etl.skip_file('orders', '/tmp/pg_etl_regress/landing/day3.csv');
SELECT etl.run('orders') AS after_skip \gset
SELECT status, files FROM etl.runs WHERE id = :after_skip;
ALTER TABLE orders DROP CONSTRAINT small;

-- reset forgets the processed files; max_files_per_run bounds a backfill.
CREATE TABLE raw_orders (order_id text, email text, amount text);
SELECT etl.create_pipeline('raw', '/tmp/pg_etl_regress/landing/day*.csv', 'raw_orders',
  options => '{"max_files_per_run": 2, "reject_limit": -1}');
SELECT etl.run('raw') AS r1 \gset
SELECT etl.run('raw') AS r2 \gset
SELECT id - :r1 AS run, files, rows_written FROM etl.runs WHERE id IN (:r1, :r2) ORDER BY id;
SELECT etl.reset('raw') AS forgotten;
TRUNCATE raw_orders;
SELECT etl.run('raw', '{"options": {"max_files_per_run": 10}}') AS r3 \gset
SELECT files, rows_written FROM etl.runs WHERE id = :r3;

-- replace swaps the whole contents, and only when an input changed.
CREATE TABLE snapshot (order_id bigint, email text);
SELECT etl.create_pipeline('snap', '/tmp/pg_etl_regress/landing/day1.csv', 'snapshot', write_mode => 'replace');
SELECT etl.run('snap') AS s1 \gset
SELECT etl.run('snap') AS s2 \gset
SELECT id - :s1 AS run, files, rows_written FROM etl.runs WHERE id IN (:s1, :s2) ORDER BY id;
SELECT count(*) AS snapshot_rows FROM snapshot;

-- merge deletes by a marker column.
CREATE TABLE customers (id int PRIMARY KEY, name text);
INSERT INTO customers VALUES (1, 'old one'), (2, 'to delete'), (9, 'untouched');
COPY (SELECT * FROM (VALUES ('id,name,op'), ('1,new one,U'), ('2,,D'), ('3,three,I')) v(l)) TO '/tmp/pg_etl_regress/landing/cdc/changes.csv';
SELECT etl.create_pipeline('cdc', '/tmp/pg_etl_regress/landing/cdc/changes.csv', 'customers',
  transform => 'SELECT id::int, name, op FROM input', write_mode => 'merge', merge_key => ARRAY['id'],
  options => '{"merge_delete": {"column": "op", "value": "D"}}');
SELECT etl.run('cdc') AS cdc_run \gset
SELECT rows_written FROM etl.runs WHERE id = :cdc_run;
SELECT * FROM customers ORDER BY id;

-- Workflows: a DAG in the seeds' shape (crawl -> delete old -> build -> quality -> publish);
-- a failed step stops what depends on it, and resume_run picks up from there.
CREATE TABLE published (n bigint);
SELECT etl.create_workflow('nightly', '[
  {"name": "crawl",      "sql": "SELECT etl.set_run_property(''crawled'', ''yes'')"},
  {"name": "delete_old", "sql": "DELETE FROM raw_orders WHERE order_id = ''1''", "depends_on": ["crawl"]},
  {"name": "build",      "pipeline": "orders", "depends_on": ["delete_old"]},
  {"name": "quality",    "sql": "SELECT CASE WHEN count(*) < 100 THEN 1/0 END FROM orders", "depends_on": ["build"]},
  {"name": "publish",    "sql": "INSERT INTO published SELECT count(*) FROM orders WHERE etl.run_property(''crawled'') = ''yes''", "depends_on": ["quality"]},
  {"name": "side",       "sql": "SELECT 1", "depends_on": ["crawl"]}
]');
SELECT etl.run('nightly') AS wf \gset
SELECT status, error FROM etl.runs WHERE id = :wf;
SELECT step, kind, status, error FROM etl.run_steps WHERE run_id = :wf ORDER BY started_at NULLS LAST, step;
SELECT params FROM etl.runs WHERE id = :wf;
-- fix the quality rule's cause, then resume: only quality and publish run
UPDATE etl.workflows SET steps = jsonb_set(steps, '{3,sql}', '"SELECT 1"') WHERE name = 'nightly';
SELECT etl.resume_run(:wf) = :wf AS same_run;
SELECT status FROM etl.runs WHERE id = :wf;
SELECT step, status FROM etl.run_steps WHERE run_id = :wf ORDER BY step;
SELECT n FROM published;
SELECT etl.create_workflow('cyclic', '[{"name": "a", "sql": "SELECT 1", "depends_on": ["b"]}, {"name": "b", "sql": "SELECT 1", "depends_on": ["a"]}]');
SELECT etl.create_workflow('w2', '[{"name": "a", "pipeline": "nope"}]');
SELECT etl.create_workflow('w3', '[{"name": "a", "crawl": {"url": "/x"}}]');
SELECT etl.run('w3') AS w3 \gset
SELECT status, error FROM etl.runs WHERE id = :w3;
SELECT etl.drop_workflow('w3');

-- The queue: enqueue, cancel, retry, pause, upstream triggers (executed by the worker
-- in the database it serves; here we look at what was queued).
SELECT etl.enqueue('raw') AS q \gset
SELECT etl.cancel(:q);
SELECT etl.cancel(:q);
SELECT etl.retry(:q) AS retried \gset
SELECT status, trigger, retry_of = :q AS retry_of_cancelled FROM etl.runs WHERE id = :retried;
SELECT etl.create_pipeline('after_orders', 'landing', 'raw_orders', options => '{"trigger": {"type": "upstream", "pipeline": "orders"}}');
SELECT etl.run('orders') AS upstream \gset
SELECT pipeline, status, trigger, params->>'upstream_run' = :'upstream' AS from_upstream
  FROM etl.runs WHERE pipeline = 'after_orders';
SELECT etl.pause('orders');
SELECT paused FROM etl.pipelines WHERE name = 'orders';
SELECT etl.resume('orders');
SELECT etl.run('nope');

-- Schedules: next run times in the pipeline's time zone.
SELECT etl._cron_next('0 9 * * MON-FRI', 'Europe/Berlin', '2024-07-05 08:30:00+00') AS friday_nine_berlin;
SELECT etl._cron_next('*/2 * * * * *', 'UTC', '2024-01-01 00:00:00+00') AS every_two_seconds;
SELECT etl._cron_next('0 0 30 2 *', 'UTC', '2024-01-01 00:00:00+00') AS never;

SELECT etl.drop_pipeline('after_orders');
SELECT etl.drop_source('landing');
DROP TABLE orders, raw_orders, snapshot, customers, published;
