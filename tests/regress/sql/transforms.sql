-- Transformation functions (issue 7): coercion that never aborts, cleansing, masking,
-- encryption and JSON reshaping. Every function on good values, bad values and NULL.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET TimeZone = 'UTC';

-- try_cast: the value as the target prints it, NULL when it does not convert; typed
-- with try_cast_as; the reason with try_cast_error (PostgreSQL's own message).
SELECT v, etl.try_cast(v, 'int') AS int, etl.try_cast(v, 'numeric') AS numeric, etl.try_cast(v, 'date') AS date,
       etl.try_cast(v, 'boolean') AS bool
  FROM unnest(ARRAY[' 42 ', '4.5', '2024-02-29', '2023-02-29', 'yes', '99999999999', '', 'abc', NULL]) v;
SELECT etl.try_cast_as('12.50', NULL::numeric) + 1 AS typed, pg_typeof(etl.try_cast_as('7', NULL::bigint)) AS type,
       etl.try_cast_as('x', NULL::int) AS bad, etl.try_cast_as(NULL, NULL::int) AS null_in;
SELECT v, etl.try_cast_error(v, 'int') AS int_error, etl.try_cast_error(v, 'uuid') AS uuid_error
  FROM unnest(ARRAY['12', '1e3', '2147483648', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']) v;
-- types the fast path does not decide go through their input function in a subtransaction
SELECT etl.try_cast('[1,5)', 'int4range') AS range, etl.try_cast('(1,2', 'point') AS bad_point,
       etl.try_cast('1 day 2 hours', 'interval') AS interval, etl.try_cast('{1,2,x}', 'int[]') AS bad_array;
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
SELECT etl.try_cast('5', 'positive_int') AS ok, etl.try_cast('-5', 'positive_int') AS violates_domain,
       etl.try_cast_error('-5', 'positive_int') AS why;
-- on a column: a load never aborts, the bad values are easy to find
CREATE TABLE raw_orders (id text, amount text, ordered text, paid text);
INSERT INTO raw_orders VALUES ('1', '$1,234.50', '05.06.2024 10:00', 'yes'), ('2', '(12.00)', '2024-06-07', 'N'),
  ('x', '12,5 %', 'soon', 'maybe');
SELECT etl.try_cast(id, 'int')::int AS id, etl.to_number(amount) AS amount,
       etl.to_timestamp(ordered, ARRAY['DD.MM.YYYY HH24:MI', 'YYYY-MM-DD']) AS ordered, etl.to_boolean(paid) AS paid,
       etl.try_cast_error(id, 'int') AS id_error
  FROM raw_orders ORDER BY 1;

-- to_number: separators, currencies, percent, parentheses
SELECT v, etl.to_number(v) AS auto, etl.to_number(v, '{"decimal_separator": ","}') AS decimal_comma
  FROM unnest(ARRAY['1,234.56', '1.234,56', '1,234', '€ 12,50', '12.5%', '(1,000)', '-3', '1 234 567', 'CHF 1''234.50',
                    '1.5e3', 'abc', '12abc', '']) v;
SELECT etl.to_number('1', '{"decimal_separator": ";;"}');
SELECT etl.to_number('1', '{"thousand": ","}');

-- to_timestamp: explicit formats (PostgreSQL's pattern letters), auto-detection, zones
SELECT etl.to_timestamp('05.06.2019 17:04', ARRAY['DD.MM.YYYY HH24:MI']) AS explicit,
       etl.to_timestamp('Jun 5, 2019 5:04 PM', ARRAY['DD.MM.YYYY', 'Mon DD, YYYY HH12:MI AM']) AS second_format,
       etl.to_timestamp('2019-06-05 17:04', NULL, 'Europe/Berlin') AS in_berlin,
       etl.to_timestamp('2019-06-05T17:04:00+02:00', NULL, 'America/New_York') AS own_offset_wins,
       etl.to_timestamp('1560000000') AS epoch, etl.to_timestamp('20190605') AS compact,
       etl.to_timestamp('not a date') AS bad, etl.to_timestamp('31.02.2019', ARRAY['DD.MM.YYYY']) AS no_such_day;
SELECT etl.to_timestamp('2019-06-05', ARRAY['HH24:MI']);
SELECT etl.to_timestamp('2019-06-05', NULL, 'Mars/Olympus');
SET TimeZone = 'Asia/Tokyo';
SELECT etl.to_timestamp('2019-06-05 09:00') AS session_zone;
SET TimeZone = 'UTC';

-- to_boolean
SELECT v, etl.to_boolean(v) FROM unnest(ARRAY['true', 'F', ' yes ', 'N', '1', '0', 'on', 'OFF', 'maybe', '']) v;

-- clean_text: control characters, NFC, whitespace, case
SELECT etl.clean_text(E'  Caf\u0065\u0301 \t au\u00a0 lait\u200b \n') AS cleaned,
       etl.clean_text(E'  Caf\u0065\u0301 ', '{"normalize": "none", "trim": false, "collapse_whitespace": false}') = E'  Caf\u0065\u0301 ' AS untouched,
       etl.clean_text('o''NEIL   mcdonald', '{"case": "title"}') AS title,
       etl.clean_text('STRASSE', '{"case": "lower"}') AS lower;
SELECT etl.clean_text('x', '{"case": "shout"}');
SELECT etl.clean_text('x', '{"trimm": true}');
-- null_if
SELECT v, etl.null_if(v) AS defaults, etl.null_if(v, ARRAY['?', 'unknown']) AS own
  FROM unnest(ARRAY['', ' NA ', 'n/a', '-', 'null', 'None', '?', 'Unknown', 'value', NULL]) v;
-- normalize_email, normalize_phone
SELECT v, etl.normalize_email(v) FROM unnest(ARRAY['  John.Doe@Example.COM ', 'mailto:a+b@x.io', '<c@d.org>', 'no-at-sign',
  'a@b', 'two@@x.com', 'dots..x@y.com']) v;
SELECT v, etl.normalize_phone(v) AS us, etl.normalize_phone(v, 'GB') AS gb
  FROM unnest(ARRAY['(415) 555-2671', '+44 20 7946 0958', '020 7946 0958', '555-0100', 'call me']) v;
SELECT etl.normalize_phone('123', 'XX');

-- hash, mask
SELECT etl.hash('a@b.com') AS sha256, etl.hash('a@b.com', 'md5') AS md5, etl.hash('\x00ff'::bytea, 'sha1') AS bytes;
SELECT etl.hash('x', 'rot13');
SELECT etl.mask('4111111111111111') AS card, etl.mask('4111111111111111', 6, '#') AS six, etl.mask('ab', 4) AS short,
       etl.mask('Zoë Éclair', 3) AS utf8;
SELECT etl.mask('x', -1);

-- JSON reshaping
SELECT etl.flatten('{"id": 1, "customer": {"name": "Ada", "address": {"city": "Paris"}}, "tags": ["a"], "empty": {}}');
SELECT etl.flatten('{"a": {"b": 1}}', '.') AS dotted, etl.flatten('[1, 2]') AS not_an_object;
SELECT etl.map_fields('{"user": {"id": "42", "email": "A@X.COM", "vip": "yes"}, "total": "1,234.50", "at": "06/05/2019"}',
  '{"id": {"path": "$.user.id", "type": "integer"}, "email": "user.email", "vip": {"path": "user.vip", "type": "boolean"},
    "total": {"path": "total", "type": "number"}, "at": {"path": "at", "type": "timestamp"},
    "country": {"path": "user.country", "default": "FR"}, "bad": {"path": "user.email", "type": "integer"}}');
SELECT etl.map_fields('{}', '{"x": {"path": "a", "type": "money"}}');
SELECT etl.map_fields('{}', '{"x": {"path": "a[", "type": "text"}}');
SELECT * FROM etl.unnest_path('{"orders": [{"lines": [{"sku": "a"}, {"sku": "b"}]}, {"lines": [{"sku": "c"}]}]}', '$.orders[*].lines');
SELECT count(*) AS missing FROM etl.unnest_path('{"orders": []}', '$.nothing');
-- in a query over many rows: one row per order line
SELECT o.id, l->>'sku' AS sku FROM (VALUES (1, '{"lines": [{"sku": "a"}, {"sku": "b"}]}'::jsonb), (2, '{"lines": []}')) o(id, doc),
       etl.unnest_path(o.doc, 'lines') l;

DROP TABLE raw_orders;
DROP DOMAIN positive_int;
