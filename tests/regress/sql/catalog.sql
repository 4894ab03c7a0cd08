-- Schema inference and the crawler (the Glue crawler and Data Catalog, done right on
-- messy data). The corpus is written by tests/regress/data/make_fixtures.py.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- Inference: ids with leading zeros stay text, money stays numeric, yes/no/Y/N are
-- booleans, NA / N/A / - / empty are NULL, a 20-digit integer is numeric, and the
-- date spelling is voted over all values.
SELECT column_name, data_type, nullable, ordinal, detail->>'format' AS format, detail->>'why_text' AS why_text
  FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/sales/**/*.csv');
-- 05/06/2024 is ambiguous: reported, and settled by date_order.
SELECT detail->'ambiguous_formats' AS ambiguous, detail->>'format' AS chosen
  FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/sales/**/*.csv') WHERE column_name = 'ordered';
SELECT detail->>'format' AS with_dmy FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/sales/**/*.csv', '{"date_order": "DMY"}')
 WHERE column_name = 'ordered';
-- Statistics.
SELECT column_name, detail->'nulls' AS nulls, detail->'distinct_estimate' AS distinct, detail->>'min' AS min, detail->>'max' AS max
  FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/sales/**/*.csv') WHERE column_name IN ('amount', 'big', 'note');
-- JSON: nested values are jsonb, missing fields make columns nullable, timestamptz only
-- when every value has an offset; the empty second file changes nothing.
SELECT column_name, data_type, nullable FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/events/*.ndjson');
-- Unambiguous day-first dates, and sampling options.
SELECT column_name, data_type, detail->>'format' AS format FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/eu_dates.csv', '{"sample": "all"}');
SELECT * FROM etl.infer_schema('/tmp/pg_etl_regress/corpus/eu_dates.csv', '{"sample": 0}');
-- The CSV dialect is sniffed: a semicolon file needs no options.
COPY (SELECT 'a;b;c' UNION ALL SELECT '1,5;x;2024-01-01') TO '/tmp/pg_etl_regress/landing/semi.csv';
SELECT column_name, data_type FROM etl.infer_schema('/tmp/pg_etl_regress/landing/semi.csv');
SELECT etl._infer('/tmp/pg_etl_regress/landing/semi.csv')->'dialect' AS dialect;

-- A crawl: datasets, partitions, tables.
SELECT * FROM etl.crawl('lake', '/tmp/pg_etl_regress/corpus',
  '{"exclude": ["_SUCCESS*", "eu_dates.csv"], "create_table": true, "partitioned": true, "table_schema": "public", "table_prefix": "lake_"}');
SELECT name, regexp_replace(location, '.*/corpus', '...') AS location, format, partition_keys, target, current_version, files
  FROM etl.datasets ORDER BY name;
SELECT dataset, name, data_type, is_partition_key, date_format, null_count
  FROM etl.dataset_columns WHERE dataset = 'lake_sales' ORDER BY is_partition_key, ordinal;
SELECT dataset, "values", files FROM etl.dataset_partitions ORDER BY dataset, "values"::text;
SELECT dataset, decision, reason FROM etl.crawl_log ORDER BY id;
SELECT relname, relkind FROM pg_class WHERE relname LIKE 'lake_sales%' ORDER BY relname;

-- Loading a crawled dataset reads its files as the crawl did (dialect, NA/-/N/A nulls,
-- the date spelling) and fills the partition columns from the folders.
SELECT rows_loaded, rows_rejected, files FROM etl.load_dataset('lake_sales');
SELECT id, zip, amount, paid, ordered, note, big, year, month, tableoid::regclass FROM lake_sales ORDER BY id;
SELECT url FROM etl.load_files WHERE load_id = (SELECT max(id) FROM etl.loads) ORDER BY url;
SELECT * FROM etl.load_dataset('nope');
-- Any read or load can take partition columns from folders: partition_root.
SELECT id, year, month FROM etl.read_csv('/tmp/pg_etl_regress/corpus/sales/**/*.csv', '{"partition_root": "/tmp/pg_etl_regress/corpus/sales/"}')
  AS t(id text, year int, month text) ORDER BY id;
SELECT region, partition_0, partition_1 FROM etl.read_csv('/tmp/pg_etl_regress/corpus/regions/*/*/r.csv', '{"partition_root": "/tmp/pg_etl_regress/corpus/regions"}')
  AS t(region text, partition_0 text, partition_1 int) ORDER BY region;
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/corpus/regions/*/*/r.csv', '{"partition_root": "/tmp/pg_etl_regress/corpus/regions"}')
  AS t(region text, partition_0 int);
CREATE TEMP TABLE by_region (region text, revenue numeric, partition_0 int);
SELECT rows_loaded, rows_rejected FROM etl.load('by_region', '/tmp/pg_etl_regress/corpus/regions/*/*/r.csv',
  '{"partition_root": "/tmp/pg_etl_regress/corpus/regions", "reject_limit": -1}');
SELECT line, column_name, sqlstate, message FROM etl.rejects WHERE load_id = (SELECT max(id) FROM etl.loads) ORDER BY url;
SELECT * FROM etl.load('lake_sales', '/tmp/pg_etl_regress/corpus/sales/year=2024/month=05/part-1.csv',
  '{"date_formats": {"ordered": "DD.MM.YYYY"}, "null": ["", "NA", "N/A", "-"]}');

-- Incremental: nothing changed, no file re-inferred, no new version.
SELECT max(crawled_at) AS first_crawl FROM etl.crawled_files WHERE crawler = 'lake' \gset
SELECT * FROM etl.crawl('lake', '/tmp/pg_etl_regress/corpus',
  '{"exclude": ["_SUCCESS*", "eu_dates.csv"], "create_table": true, "partitioned": true, "table_prefix": "lake_"}');

SELECT count(*) AS files_read_again FROM etl.crawled_files WHERE crawler = 'lake' AND crawled_at > :'first_crawl';

-- Schema drift: a new month brings a new column and lacks one (which older files still have).
COPY (SELECT * FROM (VALUES ('id,zip,amount,paid,ordered,big,channel'), ('0005,02134,3.25,yes,07/01/2024,2.5e10,web')) v(l))
  TO '/tmp/pg_etl_regress/corpus/sales/year=2024/month=07/part-1.csv';
SELECT * FROM etl.crawl('lake', '/tmp/pg_etl_regress/corpus',
  '{"exclude": ["_SUCCESS*", "eu_dates.csv"], "create_table": true, "partitioned": true, "table_prefix": "lake_"}');
SELECT version, diff FROM etl.dataset_versions WHERE dataset = 'lake_sales' ORDER BY version;
SELECT name, data_type, status, first_version FROM etl.dataset_columns WHERE dataset = 'lake_sales' AND NOT is_partition_key ORDER BY ordinal;
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'lake_sales' AND column_name IN ('big', 'channel');
SELECT "values", files FROM etl.dataset_partitions WHERE dataset = 'lake_sales' ORDER BY "values"::text;
SELECT decision, reason FROM etl.crawl_log WHERE id > (SELECT max(id) - 5 FROM etl.crawl_log) ORDER BY id;
-- An id too big for integer widens the column, in the catalog and in the table.
COPY (SELECT '{"id": 12345678901, "at": "2024-05-03T00:00:00Z"}') TO '/tmp/pg_etl_regress/corpus/events/e3.ndjson';
SELECT * FROM etl.crawl('lake', '/tmp/pg_etl_regress/corpus',
  '{"exclude": ["_SUCCESS*", "eu_dates.csv"], "create_table": true, "partitioned": true, "table_prefix": "lake_"}') WHERE dataset = 'lake_events';
SELECT version, diff FROM etl.dataset_versions WHERE dataset = 'lake_events' ORDER BY version;
SELECT format_type(atttypid, atttypmod) AS id_type FROM pg_attribute WHERE attrelid = 'lake_events'::regclass AND attname = 'id';
-- Files that are gone (here: newly excluded) take their partitions out of the catalog.
SELECT * FROM etl.crawl('lake', '/tmp/pg_etl_regress/corpus',
  '{"exclude": ["_SUCCESS*", "eu_dates.csv", "sales/*/month=06/*"], "table_prefix": "lake_"}') WHERE dataset = 'lake_sales';
SELECT "values", files FROM etl.dataset_partitions WHERE dataset = 'lake_sales' ORDER BY "values"::text;
SELECT decision, reason FROM etl.crawl_log ORDER BY id DESC LIMIT 1;

-- Policies: fail on a new column or a changed type stops the crawl and changes nothing.
COPY (SELECT * FROM (VALUES ('region,revenue,manager'), ('eu,1,Ada')) v(l)) TO '/tmp/pg_etl_regress/strict/r.csv';
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_new_column": "fail", "on_type_change": "fail", "create_table": true}');
COPY (SELECT * FROM (VALUES ('region,revenue,manager,extra'), ('eu,1,Ada,1')) v(l)) TO '/tmp/pg_etl_regress/strict/r.csv';
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_new_column": "fail", "on_type_change": "fail"}');
COPY (SELECT * FROM (VALUES ('region,revenue,manager'), ('eu,1.5,Ada')) v(l)) TO '/tmp/pg_etl_regress/strict/r.csv';
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_new_column": "fail", "on_type_change": "fail"}');
SELECT name, data_type FROM etl.dataset_columns WHERE dataset = 'strict' ORDER BY ordinal;
-- log: the change is recorded in the crawl log, the catalog keeps the old type.
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_type_change": "log"}');
SELECT name, data_type FROM etl.dataset_columns WHERE dataset = 'strict' AND name = 'revenue';
SELECT decision, reason FROM etl.crawl_log WHERE crawler = 'strict' ORDER BY id DESC LIMIT 1;
-- The value that does not fit the table is rejected with its reason, not truncated.
SELECT rows_loaded, rows_rejected FROM etl.load('strict', '/tmp/pg_etl_regress/strict/r.csv', '{"reject_limit": -1}');
SELECT line, column_name, sqlstate, message, raw FROM etl.rejects WHERE url LIKE '%/strict/r.csv';
-- A column no file has any more is kept, marked deprecated (or only logged).
COPY (SELECT * FROM (VALUES ('region,revenue'), ('eu,1')) v(l)) TO '/tmp/pg_etl_regress/strict/r.csv';
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_missing_column": "log"}');
SELECT name, status FROM etl.dataset_columns WHERE dataset = 'strict' ORDER BY ordinal;
COPY (SELECT * FROM (VALUES ('region,revenue'), ('us,2')) v(l)) TO '/tmp/pg_etl_regress/strict/r.csv';
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict');
SELECT name, status FROM etl.dataset_columns WHERE dataset = 'strict' ORDER BY ordinal;
SELECT version, diff FROM etl.dataset_versions WHERE dataset = 'strict' ORDER BY version;
SELECT * FROM etl.crawl('strict', '/tmp/pg_etl_regress/strict', '{"on_new_column": "shrug"}');

-- Folders whose files agree are one dataset, partitioned by folder (not one table each).
SELECT * FROM etl.crawl('regions', '/tmp/pg_etl_regress/corpus/regions', '{"exclude": ["_SUCCESS*"]}');
SELECT name, partition_keys, files FROM etl.datasets WHERE crawler = 'regions';

-- A crawl is a workflow step (and so can run on a schedule).
SELECT etl.create_workflow('nightly_crawl', '[{"name": "crawl", "crawl": {"name": "lake", "url": "/tmp/pg_etl_regress/corpus",
   "options": {"exclude": ["_SUCCESS*", "eu_dates.csv"], "table_prefix": "lake_"}}}]', schedule => '0 3 * * *');
SELECT etl.run('nightly_crawl') AS wf \gset
SELECT status FROM etl.runs WHERE id = :wf;
SELECT count(*) > 0 AS logged_under_the_run FROM etl.crawl_log WHERE run_id = :wf;

SELECT etl.drop_workflow('nightly_crawl');
DROP TABLE lake_sales, lake_events, lake_regions, strict;
DELETE FROM etl.datasets;
DELETE FROM etl.crawl_log;
DELETE FROM etl.crawled_files;
