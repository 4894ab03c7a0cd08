-- etl.read_csv: CSV as rows, with a column definition list or typed by a row type.
-- Fixture files are written to /tmp/pg_etl_regress by tests/regress/data/make_fixtures.py.
\set VERBOSITY default

-- Column definition list; columns match the header by name, in any order.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv')
  AS t(customer text, order_id int, amount numeric(10,2)) ORDER BY order_id LIMIT 3;

-- Typed by a table's row type; columns the file lacks come back NULL.
CREATE TABLE sales (order_id bigint, customer text, amount numeric, region text);
SELECT * FROM etl.read_csv(NULL::sales, 'file:///tmp/pg_etl_regress/orders.csv') WHERE order_id < 1003;

-- RFC 4180 corners: byte-order mark, CRLF, quoted newline, doubled quotes, quoted
-- delimiter, empty (NULL) vs quoted empty (''), no final newline.
SELECT id, name, note, note IS NULL AS note_null
  FROM etl.read_csv('/tmp/pg_etl_regress/corner.csv') AS t(id int, name text, note text) ORDER BY id;

-- Header detection: auto (default) sees that noheader.csv starts with data; columns
-- then go by position. header=true on the same file would take row 1 as names.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/noheader.csv') AS t(id int, name text, amount numeric);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/noheader.csv', '{"header": false}') AS t(id int, name text, amount numeric);
-- Match by position even with a header.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"match_by": "position"}')
  AS t(a int, b text) LIMIT 2;

-- Delimiter, quote, comment lines, NULL tokens, options spelt out.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/pipes.txt',
  '{"delimiter": "|", "quote": "''", "comment": "#", "null": "NA"}') AS t(id int, name text, amount numeric);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/pipes.txt', '{"delimiter": "|", "quote": "''", "skip_rows": 2, "null": ["NA"]}')
  AS t(id int, name text, amount numeric);
SELECT id, v, v IS NULL AS is_null
  FROM etl.read_csv('/tmp/pg_etl_regress/nulls.csv', '{"null": ["NA", "N/A", "-", ""]}') AS t(id int, v text);

-- Every fast-path type, converted exactly as PostgreSQL's input functions would.
SET TimeZone = 'UTC';
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/types.csv') AS t(
  b boolean, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric, d date,
  ts timestamp, tstz timestamptz, t time, u uuid, j jsonb, txt varchar(10));
RESET TimeZone;

-- Encodings: LATIN1 is converted; invalid UTF-8 is an error naming file:line:column,
-- or, with reject_limit, a row kept in etl.rejects.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/latin1.csv', '{"encoding": "latin1"}') AS t(name text, city text);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/bad_utf8.csv') AS t(id int, name text);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/bad_utf8.csv', '{"reject_limit": 5}') AS t(id int, name text);
SELECT url, line, byte_offset, sqlstate, message FROM etl.rejects WHERE url LIKE '%bad_utf8.csv';

-- Ragged rows are errors by default, padded on request.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/ragged.csv') AS t(a int, b int, c int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/ragged.csv', '{"ragged_rows": "pad"}') AS t(a int, b int, c int);

-- Conversion errors name file:line:column and the column.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv') AS t(order_id int, customer int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"reject_limit": -1}') AS t(order_id int, customer int);

-- Empty files and header-only files have no rows.
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/empty.csv') AS t(id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/header_only.csv') AS t(id int, name text);

-- Compression by magic bytes (the name need not say), gzip and zstd.
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv.gz') AS t(order_id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv.zst') AS t(order_id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/orders_gz_misnamed.csv') AS t(order_id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/not_gzip.csv.gz') AS t(order_id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/truncated.csv.gz') AS t(order_id int);

-- Globs: many files in one call, each file's header mapped by name, the source file
-- in a column of its own.
SELECT id, name, regexp_replace(src, '.*/', '') AS file
  FROM etl.read_csv('/tmp/pg_etl_regress/many/*.csv', '{"filename_column": "src"}') AS t(id int, name text, src text)
 ORDER BY id;
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/many/**/*.csv') AS t(id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/many/part{0,2}.csv') AS t(id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/many/part?.csv') AS t(id int);
SELECT count(*) FROM etl.read_csv('/tmp/pg_etl_regress/nothing/*.csv') AS t(id int);

-- Bad calls fail clearly.
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/missing.csv') AS t(id int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress') AS t(id int);
SELECT * FROM etl.read_csv('relative/path.csv') AS t(id int);
SELECT * FROM etl.read_csv('gopher://example.com/x.csv') AS t(id int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"delimeter": ";"}') AS t(id int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"header": "yes"}') AS t(id int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"format": "json"}') AS t(id int);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv') AS t(nope int, nada text);
SELECT * FROM etl.read_csv('/tmp/pg_etl_regress/orders.csv', '{"columns": {"x": "order_id"}}') AS t(id int);

-- etl.preview: any file as JSON objects, malformed records included.
SELECT * FROM etl.preview('/tmp/pg_etl_regress/orders.csv', max_rows => 2);
SELECT * FROM etl.preview('/tmp/pg_etl_regress/ragged.csv');
SELECT * FROM etl.preview('/tmp/pg_etl_regress/orders_noext', max_rows => 1);

DROP TABLE sales;
DELETE FROM etl.loads;
