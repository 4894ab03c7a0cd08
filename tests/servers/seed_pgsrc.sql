-- Seed data of the second PostgreSQL cluster, the "pgsrc" source (tests/servers/servers.sh
-- applies it to etl_src at every start, as the etl role). Idempotent: drops and recreates.
-- The same logical data as seed_mysql.sql (see the column table there): the same ids,
-- numbers and tricky strings. Where MySQL has a zero date, this has NULL.
-- PostgreSQL only: c_interval, c_uuid, c_jsonb, c_int_arr, c_text_arr, c_inet.
-- Rows: 1 typical, 2 extremes, 3 tricky text, 4 all NULL but id, 5 empty and zero.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET client_encoding = 'UTF8';
SET TimeZone = 'UTC';

DROP TABLE IF EXISTS types_demo;
CREATE TABLE types_demo (
  id int NOT NULL PRIMARY KEY,
  c_smallint smallint,
  c_int int,
  c_bigint bigint,
  c_decimal numeric(12,2),
  c_float real,
  c_double double precision,
  c_bool boolean,
  c_char char(5),
  c_varchar varchar(100),
  c_text text,
  c_date date,
  c_datetime timestamp(6),
  c_timestamptz timestamptz,
  c_time time,
  c_json json,
  c_bytes bytea,
  c_interval interval,
  c_uuid uuid,
  c_jsonb jsonb,
  c_int_arr int[],
  c_text_arr text[],
  c_inet inet
);

INSERT INTO types_demo VALUES
  -- 1: typical values
  (1, 12345, 1234567890, 1234567890123, 1234.50, 1.5, 3.141592653589793, true,
   'ab', 'plain', 'hello world', '2024-05-17', '2024-05-17 13:45:30.123456',
   '2024-05-17 13:45:30.123456+00', '13:45:30', '{"a": 1, "b": [true, null]}', '\x68656c6c6f',
   '1 day 02:03:04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1, "b": [true, null]}',
   '{1,2,3}', '{a,"b c"}', '192.168.0.1/24'),
  -- 2: extremes of each type's range
  (2, -32768, -2147483648, -9223372036854775808, -9999999999.99, 0.1, 1.7976931348623157e308, false,
   'abcde', 'z', 'x', '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01+00',
   '00:00:00', '[]', '\x00ff00',
   '-178000000 years', '00000000-0000-0000-0000-000000000000', '[]',
   '{}', '{}', '::1'),
  -- 3: text that needs quoting or escaping, and non-ASCII
  (3, 1, 2, 3, 0.01, -2.5, -0.000123, true,
   'é日', E'quote " comma , apostrophe \' backslash \\ newline\nend',
   'é 日本 😀', '2000-02-29', '2000-02-29 23:59:59.999999', '2038-01-19 03:14:07.999999+00',
   '23:59:59', E'{"s": "é \\"q\\" \\\\ 日本"}', '\x5c78303027',
   '-1 mons +2 days -00:00:03.5', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', E'{"s": "é \\"q\\" \\\\ 日本"}',
   '{-1,NULL,3}', E'{"a,b","c\\"d",NULL,"NULL",""}', '2001:db8::1/64'),
  -- 4: every column NULL but id
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- 5: empty strings (not NULL), zeros, JSON null, an empty bytea; NULL where MySQL
  -- has a zero date
  (5, 0, 0, 0, 0.00, 0, 0, false,
   '', '', '', NULL, NULL, NULL,
   '00:00:00', 'null', '\x',
   '0', NULL, 'null',
   '{NULL}', '{""}', '0.0.0.0');

-- 1000 tickets whose updated_at is shared by runs of 1, 2, 3, 4 consecutive ids
-- (non-decreasing with id), for incremental-cursor tests. Group g of id: 4 groups per 10
-- ids; updated_at = 2024-01-01 + g minutes + 7g microseconds; amount NULL every 100th.
DROP TABLE IF EXISTS tickets;
CREATE TABLE tickets (
  id bigint PRIMARY KEY,
  subject text,
  updated_at timestamp(6) NOT NULL,
  amount numeric(12,2)
);

INSERT INTO tickets (id, subject, updated_at, amount)
SELECT id, 'Ticket ' || id,
       timestamp '2024-01-01 00:00:00' + grp * interval '1 minute' + grp * 7 * interval '1 microsecond',
       CASE WHEN id % 100 = 0 THEN NULL ELSE (id * 37 % 10000) / 100.0 END
FROM (
  SELECT id, ((id - 1) / 10) * 4 + CASE WHEN (id - 1) % 10 < 1 THEN 0
                                         WHEN (id - 1) % 10 < 3 THEN 1
                                         WHEN (id - 1) % 10 < 6 THEN 2
                                         ELSE 3 END AS grp
  FROM generate_series(1, 1000) AS id
) AS numbered;
ANALYZE types_demo, tickets;
