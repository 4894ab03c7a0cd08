-- etl.read_json: JSON arrays, NDJSON and records inside a document, as rows.
\set VERBOSITY default

-- A top-level array; numbers keep their exact text (no money as float); nested values
-- go into jsonb; nested fields map to columns by path.
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/array.json', '{"columns": {"city": "$.addr.city"}}')
  AS t(id int, name text, amount numeric, tags jsonb, addr jsonb, city text) ORDER BY id;

-- NDJSON: a malformed line is an error naming file:line, or a reject.
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/lines.ndjson') AS t(id int, name text);
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/lines.ndjson', '{"reject_limit": 1}') AS t(id int, name text);
SELECT line, sqlstate, message, raw FROM etl.rejects WHERE url LIKE '%lines.ndjson';

-- Records at records_path inside an envelope document.
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/envelope.json', '{"records_path": "$.data.items[*]"}')
  AS t(id int, name text) ORDER BY id;
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/envelope.json', '{"records_path": "$.data.rows[*]"}') AS t(id int);
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/envelope.json', '{"records_path": "$.data["}') AS t(id int);

-- Typed by a row type; a field that is missing from a record is NULL.
CREATE TYPE person AS (id int, name text, extra boolean);
SELECT * FROM etl.read_json(NULL::person, '/tmp/pg_etl_regress/array.json');

-- Bare values feed a single column.
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/scalars.json') AS t(v int);

-- Type errors name the file, line and column.
SELECT * FROM etl.read_json('/tmp/pg_etl_regress/array.json') AS t(name int);

-- JSON preview shows records as they are.
SELECT * FROM etl.preview('/tmp/pg_etl_regress/lines.ndjson');

DROP TYPE person;
DELETE FROM etl.loads;
