-- etl.load: files into tables through COPY's own machinery; bad rows to etl.rejects.
\set VERBOSITY default

CREATE TABLE orders (
  order_id   bigint PRIMARY KEY,
  customer   text NOT NULL,
  email      text,
  amount     numeric(12,2) CHECK (amount >= 0),
  currency   char(3),
  ordered_at timestamptz,
  loaded_at  timestamptz DEFAULT '2000-01-01',
  source     text
);

-- Columns match by name; loaded_at keeps its default; the result tells what happened.
SELECT rows_loaded, rows_rejected, bytes_read, files FROM etl.load('orders', '/tmp/pg_etl_regress/orders.csv');
SELECT order_id, customer, amount, currency, loaded_at FROM orders ORDER BY order_id LIMIT 3;
SELECT target, url, format, rows_loaded, rows_rejected, files, finished_at IS NOT NULL AS finished FROM etl.loads;
SELECT regexp_replace(url, '.*/', '') AS file, size, bytes_read, records FROM etl.load_files;

-- Loading the same rows again violates the primary key: the load fails as a whole and
-- the table is unchanged (COPY's constraint error, with the file line in the context).
SELECT * FROM etl.load('orders', '/tmp/pg_etl_regress/orders.csv');
SELECT count(*) FROM orders;

-- Compressed and format-detected inputs, the source URL in a column.
TRUNCATE orders;
SELECT rows_loaded, files FROM etl.load('orders', '/tmp/pg_etl_regress/orders.csv.gz', '{"filename_column": "source"}');
SELECT DISTINCT source FROM orders;
TRUNCATE orders;
SELECT rows_loaded FROM etl.load('orders', '/tmp/pg_etl_regress/orders_noext');
TRUNCATE orders;
SELECT rows_loaded FROM etl.load('orders', '/tmp/pg_etl_regress/orders.csv.zst');
DELETE FROM etl.loads;

-- Rejects: C++-detected bad values, constraint violations found by COPY, and
-- duplicates are each isolated; the good rows load.
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int CHECK (qty >= 0), price numeric(6,2), day date);
\copy (SELECT * FROM (VALUES ('id,name,qty,price,day'), ('1,ok,3,1.50,2024-01-01'), ('2,bad qty,three,2.00,2024-01-02'), ('3,neg,-1,2.00,2024-01-03'), ('4,"quoted, name",4,9.99,2024-01-04'), ('5,ragged,5'), ('6,bad day,6,1.00,2024-02-30'), ('7,dup,7,1.00,2024-01-07'), ('7,dup again,7,1.00,2024-01-07'), ('8,us date,8,1.00,01/08/2024'), ('9,null name,,1.00,2024-01-09'), ('10,big price,1,12345.678,2024-01-10')) v(line)) TO '/tmp/pg_etl_regress/items.csv'
\! chmod a+r /tmp/pg_etl_regress/items.csv
ALTER TABLE items ALTER COLUMN name DROP NOT NULL;
ALTER TABLE items ADD CONSTRAINT name_not_null_name CHECK (name <> 'null name');
SELECT * FROM etl.load('items', '/tmp/pg_etl_regress/items.csv');
SELECT count(*) AS after_failed_load FROM items;
SELECT rows_loaded, rows_rejected FROM etl.load('items', '/tmp/pg_etl_regress/items.csv', '{"reject_limit": -1, "batch_rows": 4}');
SELECT * FROM items ORDER BY id;
SELECT line, column_name, sqlstate, message, raw FROM etl.rejects ORDER BY line;
TRUNCATE items;
SELECT * FROM etl.load('items', '/tmp/pg_etl_regress/items.csv', '{"reject_limit": 3}');
SELECT count(*) AS after_limit_exceeded FROM items;

-- Types the encoders leave to PostgreSQL (time zones, DateStyle, domains, arrays).
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
CREATE TABLE typed (d date, at timestamptz, n positive_int, tags text[], v varchar(3));
\copy (SELECT * FROM (VALUES ('d,at,n,tags,v'), ('05/06/2024,2024-05-06 10:00 Europe/Berlin,1,"{a,b}",abc'), ('2024-05-07,2024-05-07 10:00,2,{},xy'), ('2024-05-08,2024-05-08,-3,{},x'), ('2024-05-09,2024-05-09,4,{},toolong')) v(line)) TO '/tmp/pg_etl_regress/typed.csv'
\! chmod a+r /tmp/pg_etl_regress/typed.csv
SET TimeZone = 'UTC';
SELECT * FROM etl.load('typed', '/tmp/pg_etl_regress/typed.csv');
SELECT rows_loaded, rows_rejected FROM etl.load('typed', '/tmp/pg_etl_regress/typed.csv', '{"reject_limit": -1}');
SELECT * FROM typed ORDER BY d;
SELECT line, column_name, message FROM etl.rejects WHERE url LIKE '%typed.csv' ORDER BY line;
RESET TimeZone;

-- JSON into a table: columns without defaults are filled (NULL when a record lacks
-- them), nested values go to jsonb.
CREATE TABLE people (id int PRIMARY KEY, name text, amount numeric, tags jsonb, city text, created timestamptz DEFAULT '2000-01-01');
SELECT rows_loaded FROM etl.load('people', '/tmp/pg_etl_regress/array.json', '{"columns": {"city": "$.addr.city"}}');
SELECT * FROM people ORDER BY id;

-- Many files, and the files etl.load_files recorded for the load.
CREATE TABLE parts (id int, name text, src text);
SELECT rows_loaded, files FROM etl.load('parts', '/tmp/pg_etl_regress/many/**/*.csv', '{"filename_column": "src"}');
SELECT regexp_replace(url, '.*/many/', '') AS file, records FROM etl.load_files
 WHERE load_id = (SELECT max(id) FROM etl.loads) ORDER BY 1;
SELECT rows_loaded, files FROM etl.load('parts', '/tmp/pg_etl_regress/many/none*.csv');

-- Partitioned targets route rows; triggers fire; everything rolls back together.
CREATE TABLE events (id int, day date) PARTITION BY RANGE (day);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_old PARTITION OF events DEFAULT;
CREATE TABLE audit (n int);
CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (1); RETURN NEW; END $$;
CREATE TRIGGER events_audit BEFORE INSERT ON events_2024 FOR EACH ROW EXECUTE FUNCTION count_rows();
\copy (SELECT * FROM (VALUES ('id,day'), ('1,2024-03-01'), ('2,2023-03-01'), ('3,2024-04-01')) v(line)) TO '/tmp/pg_etl_regress/events.csv'
\! chmod a+r /tmp/pg_etl_regress/events.csv
BEGIN;
SELECT rows_loaded FROM etl.load('events', '/tmp/pg_etl_regress/events.csv');
SELECT tableoid::regclass, count(*) FROM events GROUP BY 1 ORDER BY 1;
SELECT count(*) AS trigger_rows FROM audit;
ROLLBACK;
SELECT count(*) AS events_after_rollback FROM events;
SELECT count(*) AS loads_after_rollback FROM etl.loads WHERE url LIKE '%events.csv';

-- What COPY refuses, etl.load refuses: row-level security, read-only transactions.
CREATE TABLE secured (id int);
ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
CREATE ROLE etl_regress_user;
GRANT INSERT ON secured TO etl_regress_user;
GRANT pg_read_server_files TO etl_regress_user;
SET ROLE etl_regress_user;
SELECT * FROM etl.load('secured', '/tmp/pg_etl_regress/events.csv');
RESET ROLE;
BEGIN READ ONLY;
SELECT * FROM etl.load('parts', '/tmp/pg_etl_regress/events.csv');
ROLLBACK;
SELECT * FROM etl.load('orders', '/tmp/pg_etl_regress/orders.csv', '{"freeze": true, "reject_limit": 1}');

DROP TABLE orders, items, typed, people, parts, events, audit, secured;
DROP FUNCTION count_rows();
DROP DOMAIN positive_int;
DROP ROLE etl_regress_user;
DELETE FROM etl.loads;
