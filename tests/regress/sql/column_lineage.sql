-- Column-level lineage (etl._column_lineage): PostgreSQL's parser and analyzer resolve the
-- query in this session, the walk over the Query tree reports where each output column
-- comes from (IDENTITY, TRANSFORMATION, AGGREGATION) and which columns steer the rows
-- (FILTER, JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL). Pipelines call it with their
-- transform over a temporary table named input.
\set VERBOSITY default
SET client_min_messages = warning;

CREATE SCHEMA sales;
CREATE TABLE sales.customers (id int PRIMARY KEY, name text, region text, "Tier" text);
CREATE TABLE sales.orders (id int, customer_id int, amount numeric, status text, ordered date);
CREATE TABLE sales.order_notes (id int, note text);
CREATE VIEW sales.big_orders AS SELECT id, customer_id, amount FROM sales.orders WHERE amount > 100;
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed Case" (id int, "Value" text);
CREATE TEMP TABLE input (id int, customer_id int, amount text, email text, tags text[], doc jsonb, code varchar(10));

-- One row per source of each output column (in order), then the indirect ones.
CREATE FUNCTION lineage(q text) RETURNS TABLE (output text, source text, subtype text) LANGUAGE sql AS $$
  WITH l AS (SELECT etl._column_lineage(q) AS j)
  SELECT output, source, subtype FROM (
    SELECT c.n, s.m, c.value->>'column' AS output,
           (s.value->>'relation') || '.' || (s.value->>'column') AS source, s.value->>'subtype' AS subtype
      FROM l CROSS JOIN LATERAL jsonb_array_elements(l.j->'columns') WITH ORDINALITY c(value, n)
      LEFT JOIN LATERAL jsonb_array_elements(c.value->'sources') WITH ORDINALITY s(value, m) ON true
    UNION ALL
    SELECT 1e9, i.m, '(indirect)', (i.value->>'relation') || '.' || (i.value->>'column'), i.value->>'subtype'
      FROM l CROSS JOIN LATERAL jsonb_array_elements(l.j->'indirect') WITH ORDINALITY i(value, m)) x
  ORDER BY n, m
$$;
-- SQLSTATE and message of a refused query.
CREATE FUNCTION lineage_error(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM etl._column_lineage(q);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The whole document, once.
SELECT jsonb_pretty(etl._column_lineage('SELECT id, lower(email) AS email FROM input WHERE id > 0'));

-- SELECT * expands; a temporary relation is pg_temp.<name>
SELECT * FROM lineage('SELECT * FROM input');
SELECT * FROM lineage('TABLE input ORDER BY id FOR UPDATE');
SELECT * FROM lineage('SELECT FROM input WHERE id > 0');  -- no columns
-- aliases, expressions, constants; a binary-compatible cast (varchar -> text) keeps the value
SELECT * FROM lineage($$SELECT i.id AS order_id, lower(email) AS email, amount::numeric * 2 AS doubled,
                               42 AS answer, code::text AS code_text, id::bigint AS wide_id,
                               doc->>'city' AS city, unnest(tags) AS tag FROM input i$$);
-- WHERE, ORDER BY, LIMIT
SELECT * FROM lineage($$SELECT email FROM input WHERE amount::numeric > 0 AND code <> 'X'
                        ORDER BY customer_id, lower(email) LIMIT 10$$);

-- Subqueries in FROM, nested: sources followed through every level, subtypes combine
SELECT * FROM lineage($$SELECT s.x, s.y, s.z FROM (SELECT id AS x, upper(e) AS y, e AS z
                                                     FROM (SELECT id, email AS e FROM input WHERE id > 0) a) s$$);

-- CTEs: nested references, a CTE read from a subquery (ctelevelsup 1) and from a
-- correlated scalar subquery; an unused CTE contributes nothing
SELECT * FROM lineage($$WITH base AS (SELECT id, email, customer_id FROM input WHERE code IS NOT NULL),
                             named AS (SELECT id, email AS mail FROM base),
                             unused AS (SELECT name FROM sales.customers)
                        SELECT n.mail,
                               (SELECT count(*) FROM base b WHERE b.id < n.id) AS rank,
                               (SELECT max(x.customer_id) FROM (SELECT customer_id FROM base) x) AS top
                          FROM named n$$);
SELECT * FROM lineage($$WITH c AS (SELECT id, name FROM sales.customers)
                        SELECT s.name FROM (SELECT * FROM (SELECT name FROM c) t) s$$);

-- JOINs: ON conditions are JOIN; USING / NATURAL columns come from both sides, through
-- nested joins too (a FULL JOIN's merged column is a COALESCE: TRANSFORMATION)
SELECT * FROM lineage($$SELECT i.id, c.name, c."Tier" FROM input i JOIN sales.customers c ON c.id = i.customer_id
                        LEFT JOIN sales.orders o ON o.customer_id = c.id AND o.status = 'paid'$$);
SELECT * FROM lineage('SELECT * FROM input JOIN sales.orders USING (id, customer_id)');
SELECT * FROM lineage('SELECT id, note FROM sales.orders FULL JOIN sales.order_notes USING (id)');
SELECT * FROM lineage('SELECT * FROM sales.orders NATURAL JOIN sales.order_notes');
SELECT * FROM lineage($$SELECT j.id, j.note FROM (sales.order_notes n JOIN sales.orders o USING (id)) AS j$$);
SELECT * FROM lineage($$SELECT id, note FROM sales.order_notes LEFT JOIN sales.orders USING (id)
                        RIGHT JOIN input USING (id)$$);

-- Set operations: column i of every branch; UNION/INTERSECT without ALL compare whole
-- rows (GROUP_BY); EXCEPT's right side only removes rows (FILTER)
SELECT * FROM lineage($$SELECT id, email FROM input UNION SELECT id, name FROM sales.customers
                        UNION ALL SELECT 0, 'none' ORDER BY 2$$);
SELECT * FROM lineage('SELECT id FROM input INTERSECT ALL SELECT customer_id FROM sales.orders');
SELECT * FROM lineage('SELECT id, email FROM input EXCEPT SELECT id, name FROM sales.customers');
SELECT * FROM lineage($$SELECT u.k FROM (SELECT id AS k FROM input UNION ALL SELECT id + 1 FROM sales.orders) u$$);

-- Scalar subqueries and EXISTS in the target list (their columns and conditions are
-- sources) and in WHERE (FILTER)
SELECT * FROM lineage($$SELECT i.id,
                               (SELECT c.name FROM sales.customers c WHERE c.id = i.customer_id) AS customer,
                               EXISTS (SELECT 1 FROM sales.orders o WHERE o.customer_id = i.customer_id) AS has_orders
                          FROM input i
                         WHERE i.id IN (SELECT id FROM sales.orders WHERE status = 'paid')
                           AND NOT EXISTS (SELECT FROM sales.order_notes n WHERE n.id = i.id)$$);

-- Correlated subqueries two levels deep (varlevelsup 2)
SELECT * FROM lineage($$SELECT i.id,
                               (SELECT max(o.amount) FROM sales.orders o
                                 WHERE o.customer_id = i.customer_id
                                   AND o.amount > (SELECT avg(x.amount::numeric) FROM input x
                                                    WHERE x.customer_id = i.customer_id AND x.id <> o.id)) AS best
                          FROM input i$$);

-- LATERAL: a function over a column of an earlier FROM item, a subquery correlated to it
SELECT * FROM lineage($$SELECT i.id, t.tag, l.total
                          FROM input i CROSS JOIN LATERAL unnest(i.tags) WITH ORDINALITY AS t(tag, pos)
                          LEFT JOIN LATERAL (SELECT sum(o.amount) AS total FROM sales.orders o
                                              WHERE o.customer_id = i.customer_id) l ON true
                         WHERE t.pos = 1$$);

-- VALUES and functions in FROM: no relation, nothing to report (a LATERAL VALUES of a column does)
SELECT * FROM lineage($$SELECT v.a, v.b, g, i.id FROM (VALUES (1, 'x'), (2, 'y')) v(a, b), generate_series(1, 3) g, input i$$);
SELECT * FROM lineage($$SELECT x.e FROM input i, LATERAL (VALUES (i.email), ('fixed')) x(e)$$);
SELECT * FROM lineage('VALUES (1, 2)');
SELECT * FROM lineage('SELECT * FROM generate_series(1, 2) x, jsonb_each(''{}'') y');
SELECT * FROM lineage('SELECT 1 WHERE now() > ''2020-01-01''');
SELECT * FROM lineage($$SELECT f.tag, f.n FROM input i, ROWS FROM (unnest(i.tags), generate_series(1, i.id)) AS f(tag, n)$$);
SELECT * FROM lineage($$SELECT x.city FROM input i,
                          XMLTABLE('/r' PASSING xmlparse(document i.email) COLUMNS city text PATH 'c') x$$);

-- Window functions: aggregates over a window are AGGREGATION, others (lag, rank)
-- TRANSFORMATION; PARTITION BY / ORDER BY columns are WINDOW
SELECT * FROM lineage($$SELECT id, row_number() OVER w AS rn,
                               sum(amount::numeric) OVER (PARTITION BY customer_id ORDER BY id) AS running,
                               lag(email) OVER w AS prev_email
                          FROM input WINDOW w AS (PARTITION BY code ORDER BY id DESC)$$);

-- DISTINCT ON and DISTINCT (GROUP_BY), ORDER BY (SORT)
SELECT * FROM lineage('SELECT DISTINCT ON (customer_id) customer_id, id, email FROM input ORDER BY customer_id, id DESC');
SELECT * FROM lineage('SELECT DISTINCT code FROM input');

-- GROUP BY, HAVING, aggregates, an aggregate's FILTER and a CASE (their conditions are
-- sources of the value and CONDITIONAL)
SELECT * FROM lineage($$SELECT customer_id, count(*) AS n,
                               sum(amount::numeric) FILTER (WHERE email IS NOT NULL) AS total,
                               max(CASE WHEN code = 'A' THEN amount END) AS a_amount,
                               string_agg(email, ',' ORDER BY id) AS emails
                          FROM input GROUP BY customer_id HAVING count(DISTINCT code) > 1$$);
SELECT * FROM lineage($$SELECT CASE WHEN amount::numeric > 100 THEN 'big' ELSE email END AS label,
                               CASE code WHEN 'A' THEN 1 ELSE 0 END AS is_a,
                               coalesce(email, code) AS contact
                          FROM input$$);
SELECT * FROM lineage('SELECT region, grouping(region) AS total_row, count(*) FROM sales.customers GROUP BY ROLLUP (region)');

-- Views are reported, not expanded; names are quoted as regclass prints them
SELECT * FROM lineage('SELECT id, amount FROM sales.big_orders');
SELECT * FROM lineage($$SELECT "Value", m.id FROM "Odd Schema"."Mixed Case" m$$);
SELECT * FROM lineage('SELECT c."Tier" AS tier FROM sales.customers AS c(a, b)');  -- column aliases: real names

-- Whole-row references: every column, TRANSFORMATION
SELECT * FROM lineage('SELECT to_jsonb(c) AS doc FROM sales.customers c');
SELECT * FROM lineage('SELECT s FROM (SELECT id, upper(email) FROM input) s');

-- A recursive CTE reaches itself: no endless walk
SELECT * FROM lineage($$WITH RECURSIVE r(n, path) AS (SELECT id, email FROM input
                                                       UNION ALL SELECT n + 1, path || '>' FROM r WHERE n < 3)
                        SELECT n, path FROM r$$);
-- CYCLE adds columns the rewriter computes: they come from no column
SELECT * FROM lineage($$WITH RECURSIVE g(id, next) AS (SELECT id, customer_id FROM input
                                                        UNION ALL SELECT i.id, i.customer_id FROM input i JOIN g ON i.id = g.next)
                          CYCLE id SET looped USING trail
                        SELECT id, looped FROM g$$);

-- Not a SELECT: refused (0A000) before analysis; several statements or none: 42601
SELECT lineage_error('INSERT INTO sales.orders (id) SELECT id FROM input');
SELECT lineage_error('UPDATE sales.orders SET amount = 0');
SELECT lineage_error('DELETE FROM sales.orders');
SELECT lineage_error('CREATE TABLE x (a int)');
SELECT lineage_error('WITH d AS (DELETE FROM sales.orders RETURNING id) SELECT id FROM d');
SELECT lineage_error('SELECT id INTO new_table FROM input');
SELECT lineage_error('SELECT * FROM (WITH d AS (DELETE FROM sales.orders RETURNING id) SELECT id FROM d) s');
SELECT lineage_error('EXPLAIN SELECT 1');
SELECT lineage_error('SELECT 1; SELECT 2');
SELECT lineage_error('');
SELECT lineage_error('SELECT nope FROM input');
SELECT lineage_error('SELECT * FROM no_such_table');
SELECT etl._column_lineage(NULL) IS NULL AS null_in_null_out;
-- PostgreSQL's own errors keep their position within the query
SELECT etl._column_lineage('SELECT id, FROM input');
SELECT etl._column_lineage('SELECT id, nope FROM input');
SELECT etl._column_lineage('SELECT 1; SELECT 2');
SELECT etl._column_lineage('TRUNCATE sales.orders');
-- nothing was modified, the session goes on
SELECT count(*) AS orders FROM sales.orders;
SELECT to_regclass('new_table') IS NULL AS no_new_table;

-- What pipelines store: the transform over a temporary "input" made from the source's columns
DROP TABLE input;
SELECT jsonb_pretty(etl._pipeline_column_lineage(
  $$SELECT i.id, c.name AS customer, i.amount::numeric AS amount FROM input i JOIN sales.customers c ON c.id = i.customer_id$$,
  'id int, customer_id int, amount text'));
SELECT etl._pipeline_column_lineage(NULL, 'id int, email text')->'columns' AS no_transform;
SELECT to_regclass('pg_temp.input') IS NULL AS input_dropped;

DROP SCHEMA sales, "Odd Schema" CASCADE;
DROP FUNCTION lineage(text), lineage_error(text);
