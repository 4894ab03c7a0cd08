-- etl.list_files: what a URL or glob names, with size and modification time.
SELECT regexp_replace(url, '^file:///tmp/pg_etl_regress/', '') AS file, size
  FROM etl.list_files('/tmp/pg_etl_regress/many/*.csv');
SELECT regexp_replace(url, '^file:///tmp/pg_etl_regress/', '') AS file
  FROM etl.list_files('file:///tmp/pg_etl_regress/many/**');
SELECT regexp_replace(url, '^file:///tmp/pg_etl_regress/', '') AS file
  FROM etl.list_files('/tmp/pg_etl_regress/{many/part[12].csv,orders.csv*}');
SELECT regexp_replace(url, '^file:///tmp/pg_etl_regress/', '') AS file
  FROM etl.list_files('/tmp/pg_etl_regress/year=*/month=*/*.ndjson');
SELECT count(*), bool_and(modified IS NOT NULL) FROM etl.list_files('/tmp/pg_etl_regress/*');
SELECT * FROM etl.list_files('/tmp/pg_etl_regress/missing.csv');
SELECT * FROM etl.list_files('https://example.com/*.csv');
