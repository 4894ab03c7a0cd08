-- ---- 0.6.0: transformation functions and data quality ---------------------------------------

-- ---- coercion that never aborts a load: NULL when a value does not convert ------------------
CREATE FUNCTION etl.try_cast(value text, target regtype) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_try_cast' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.try_cast(text, regtype) IS
  'The value as target prints it, or NULL when it does not convert: etl.try_cast(v, ''int'')::int';
CREATE FUNCTION etl.try_cast_as(value text, example anyelement) RETURNS anyelement
  AS 'MODULE_PATHNAME', 'pg_etl_try_cast_as' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION etl.try_cast_as(text, anyelement) IS
  'The value in the example''s type, or NULL: etl.try_cast_as(v, NULL::numeric)';
CREATE FUNCTION etl.try_cast_error(value text, target regtype) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_try_cast_error' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.try_cast_error(text, regtype) IS
  'NULL when the value converts to target, else why not (PostgreSQL''s message)';
CREATE FUNCTION etl.to_number(value text, options jsonb DEFAULT '{}') RETURNS numeric
  AS 'MODULE_PATHNAME', 'pg_etl_to_number' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.to_number(text, jsonb) IS
  'Numbers as people write them: 1,234.50  1.234,50  $12  (12.00)  12.5%  1 234  CHF 1''234; NULL when not a number';
CREATE FUNCTION etl.to_timestamp(value text, formats text[] DEFAULT NULL, tz text DEFAULT NULL) RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'pg_etl_to_timestamp' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION etl.to_timestamp(text, text[], text) IS
  'A timestamp in the first of formats (to_timestamp patterns) it matches, or any known spelling; values without an offset are in tz (default: TimeZone); NULL when none fits';
CREATE FUNCTION etl.to_boolean(value text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'pg_etl_to_boolean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.to_boolean(text) IS 'true/false, t/f, yes/no, y/n, 1/0, on/off (any case); NULL otherwise';

-- ---- cleansing -----------------------------------------------------------------------------
CREATE FUNCTION etl.clean_text(value text, options jsonb DEFAULT '{}') RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_clean_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.clean_text(text, jsonb) IS
  'Strips control characters, normalizes Unicode (NFC), collapses and trims whitespace; options trim, collapse_whitespace, strip_control, normalize, case';
CREATE FUNCTION etl.null_if(value text, tokens text[] DEFAULT NULL) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_null_if' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION etl.null_if(text, text[]) IS
  'NULL when the value (trimmed, any case) is a null token: '''', NA, N/A, -, null, none, nan, #N/A, or the tokens given';
CREATE FUNCTION etl.normalize_email(value text) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.normalize_email(text) IS 'The address trimmed and in lower case; NULL when it is not a valid address';
CREATE FUNCTION etl.normalize_phone(value text, default_region text DEFAULT 'US') RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_normalize_phone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.normalize_phone(text, text) IS
  'The number in E.164 (+14155552671), numbers without a country code read in default_region; NULL when not a valid number';

-- ---- masking and field-level encryption ---------------------------------------------------------
CREATE FUNCTION etl.hash(value text, algorithm text DEFAULT 'sha256') RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_hash' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION etl.hash(value text, algorithm text, salt_secret text) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_hash' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE FUNCTION etl.hash(value bytea, algorithm text DEFAULT 'sha256') RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_hash_bytea' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION etl.hash(value bytea, algorithm text, salt_secret text) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_hash_bytea' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION etl.hash(text, text, text) IS
  'Hex digest of the value; with salt_secret an HMAC keyed by that pg_etl secret (pseudonyms that cannot be recomputed without it)';
CREATE FUNCTION etl.mask(value text, keep_last int DEFAULT 4, mask text DEFAULT '*') RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_mask' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.mask(text, int, text) IS 'Masks all but the last keep_last characters (never more than half of them)';
CREATE FUNCTION etl.encrypt(value text, secret_name text) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pg_etl_encrypt' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION etl.encrypt(text, text) IS
  'AES-256-GCM with a key derived from a pg_etl secret; a fresh nonce per value';
CREATE FUNCTION etl.decrypt(value bytea, secret_name text) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_decrypt' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION etl.decrypt(bytea, text) IS 'The text etl.encrypt encrypted with the same secret';

-- ---- JSON reshaping ------------------------------------------------------------------------
CREATE FUNCTION etl.flatten(doc jsonb, separator text DEFAULT '_') RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_flatten' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.flatten(jsonb, text) IS 'Nested objects as top-level keys: {"a": {"b": 1}} -> {"a_b": 1}';
CREATE FUNCTION etl.map_fields(doc jsonb, mapping jsonb) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_map_fields' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.map_fields(jsonb, jsonb) IS
  'A new object from a mapping of target fields to paths, or to {"path", "type", "default"}';
CREATE FUNCTION etl.unnest_path(doc jsonb, path text) RETURNS SETOF jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_unnest_path' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION etl.unnest_path(jsonb, text) IS 'The elements at a JSON path, one row each: $.orders[*].lines';

-- ---- data quality rules ------------------------------------------------------------------------
-- One row per rule per check: etl.check, and pipelines with a "quality" option (whose
-- results are kept even when a failing rule rolls the run back).
CREATE TABLE etl.quality_results (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id      bigint NOT NULL,            -- one etl.check call (or one pipeline run's check)
  run_id        bigint,                     -- the pipeline run, when a pipeline checked
  pipeline      text,
  target        text NOT NULL,              -- the table checked (a pipeline's target)
  rule_index    int NOT NULL,
  rule          text NOT NULL,              -- the rule as written
  rule_type     text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('fail', 'warn')),
  outcome       text NOT NULL CHECK (outcome IN ('pass', 'fail', 'warn', 'error')),
  measured      double precision,           -- ratio, rows, seconds or value (see the rule type)
  expected      text,
  failing_rows  bigint,                     -- rows failing a row rule (sent to etl.rejects when routed)
  sample        jsonb,                      -- a few failing rows
  message       text,
  checked_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  checked_by    name NOT NULL DEFAULT current_user
);
CREATE INDEX quality_results_history_idx ON etl.quality_results (target, rule, id);
CREATE INDEX quality_results_run_idx ON etl.quality_results (run_id);
CREATE SEQUENCE etl.quality_check_id_seq;
ALTER TABLE etl.quality_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_quality_results ON etl.quality_results USING (checked_by = current_user) WITH CHECK (checked_by = current_user);
GRANT SELECT, INSERT ON etl.quality_results TO PUBLIC;
GRANT USAGE ON SEQUENCE etl.quality_check_id_seq TO PUBLIC;
COMMENT ON TABLE etl.quality_results IS 'pg_etl: data quality rule outcomes (etl.check and pipeline quality gates)';

-- Rejected rows know their pipeline run, and can be replayed (etl.replay_rejects).
ALTER TABLE etl.rejects ADD COLUMN run_id bigint, ADD COLUMN pipeline text, ADD COLUMN record jsonb,
  ADD COLUMN replayed_at timestamptz, ADD COLUMN replay_run_id bigint;
COMMENT ON COLUMN etl.rejects.record IS 'the row as columns, for rows a quality rule rejected (replayable)';
CREATE INDEX rejects_pipeline_idx ON etl.rejects (pipeline) WHERE replayed_at IS NULL;

-- The ruleset compiled against a relation (core/quality_sql.hpp): one object per rule
-- with its SQL, condition and severity. 42601 with line and column for a bad ruleset.
CREATE FUNCTION etl._quality_plan(rules text, target text) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_quality_plan' LANGUAGE C IMMUTABLE STRICT;
-- Results that must outlive a rolled-back run: held in the backend, not in a table.
CREATE FUNCTION etl._quality_stash(results jsonb) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_quality_stash' LANGUAGE C VOLATILE;
CREATE FUNCTION etl._quality_unstash() RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_quality_unstash' LANGUAGE C VOLATILE;

-- A condition's bound: a number, or an aggregate of the rule's measured values in its
-- previous checks ({"history": {"fn": "avg", "runs": 10}, "scale": 0.8}); NULL without history.
CREATE FUNCTION etl._quality_bound(v jsonb, target text, rule text, pipeline text) RETURNS float8
LANGUAGE plpgsql STABLE AS $$
DECLARE
  h jsonb := v->'history';
  agg float8;
  n int;
BEGIN
  IF jsonb_typeof(v) = 'number' THEN RETURN v::text::float8; END IF;
  SELECT CASE h->>'fn' WHEN 'avg' THEN avg(m) WHEN 'min' THEN min(m) ELSE max(m) END, count(*) INTO agg, n
    FROM (SELECT q.measured AS m FROM etl.quality_results q
           WHERE q.rule = _quality_bound.rule AND q.measured IS NOT NULL AND q.outcome <> 'error'
             AND q.target = _quality_bound.target AND q.pipeline IS NOT DISTINCT FROM _quality_bound.pipeline
           ORDER BY q.id DESC LIMIT (h->>'runs')::int) last_runs;
  IF n = 0 THEN RETURN NULL; END IF;
  RETURN agg * coalesce((v->>'scale')::float8, 1);
END $$;

-- Evaluates a compiled plan on relation rel (a table, or a query in parentheses) and
-- returns one result object per rule; records nothing.
CREATE FUNCTION etl._quality_evaluate(plan jsonb, rel text, history_target text, pipeline text, sample_size int)
RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  scan_rules jsonb := '[]';
  exprs text[] := '{}';
  vals float8[];
  measured float8;
  failing bigint;
  cond jsonb;
  lo float8;
  hi float8;
  ok boolean;
  outcome text;
  msg text;
  sample jsonb;
  k int := 0;
  missing text;
  cols text[];
  slot jsonb := '{}';
BEGIN
  -- Every scan rule's measures in one pass over the data.
  FOR r IN SELECT value FROM jsonb_array_elements(plan) LOOP
    IF r->>'scope' = 'scan' THEN
      exprs := exprs || format('(%s)::float8', r->>'metric');
      slot := slot || jsonb_build_object(r->>'index', array_length(exprs, 1));
      IF r->>'fail_count' IS NOT NULL THEN
        exprs := exprs || format('(%s)::float8', r->>'fail_count');
      END IF;
    END IF;
  END LOOP;
  IF cardinality(exprs) > 0 THEN
    EXECUTE format('SELECT ARRAY[%s] FROM %s t', array_to_string(exprs, ', '), rel) INTO vals;
  END IF;
  FOR r IN SELECT value FROM jsonb_array_elements(plan) ORDER BY (value->>'index')::int LOOP
    measured := NULL; failing := NULL; msg := NULL; sample := NULL; outcome := NULL;
    cond := r->'condition';
    IF r->>'scope' = 'scan' THEN
      measured := vals[(slot->>(r->>'index'))::int];
      IF r->>'fail_count' IS NOT NULL THEN failing := vals[(slot->>(r->>'index'))::int + 1]::bigint; END IF;
    ELSIF r->>'scope' = 'query' THEN
      BEGIN
        EXECUTE format('SELECT (%s)::float8', 'SELECT * FROM (' || (r->>'query') || ') q LIMIT 1') INTO measured;
      EXCEPTION WHEN OTHERS THEN
        outcome := 'error';
        msg := SQLERRM;
      END;
    ELSE  -- catalog: ColumnExists
      cols := coalesce(cols, ARRAY(SELECT etl._quality_columns(rel)));  -- read once, for the first ColumnExists
      missing := (SELECT string_agg(c, ', ') FROM jsonb_array_elements_text(r->'columns') c WHERE c <> ALL (cols));
      measured := CASE WHEN missing IS NULL THEN 1 ELSE 0 END;
    END IF;
    IF outcome IS NULL THEN
      IF cond->>'op' IN ('between', 'not between') THEN
        lo := etl._quality_bound(cond->'low', history_target, r->>'rule', pipeline);
        hi := etl._quality_bound(cond->'high', history_target, r->>'rule', pipeline);
      ELSE
        lo := etl._quality_bound(cond->'value', history_target, r->>'rule', pipeline);
        hi := lo;
      END IF;
      IF (lo IS NULL OR hi IS NULL) AND (cond::text LIKE '%"history"%') THEN
        ok := true;
        msg := 'no earlier checks to compare with yet: passes until there are';
      ELSIF measured IS NULL THEN
        ok := false;
        msg := 'nothing to measure: no rows';
      ELSE
        ok := CASE cond->>'op'
                WHEN '=' THEN measured = lo WHEN '!=' THEN measured <> lo
                WHEN '>' THEN measured > lo WHEN '>=' THEN measured >= lo
                WHEN '<' THEN measured < lo WHEN '<=' THEN measured <= lo
                WHEN 'between' THEN measured BETWEEN lo AND hi
                WHEN 'not between' THEN NOT (measured BETWEEN lo AND hi) END;
      END IF;
      outcome := CASE WHEN ok THEN 'pass' WHEN r->>'severity' = 'warn' THEN 'warn' ELSE 'fail' END;
      IF NOT ok AND msg IS NULL THEN
        msg := format('measured %s, expected %s', trim_scale(round(measured::numeric, 4)), r->>'expected');
      END IF;
      IF NOT ok AND missing IS NOT NULL THEN msg := format('column %s does not exist', missing); END IF;
    END IF;
    IF outcome <> 'pass' AND r->>'sample' IS NOT NULL AND sample_size > 0 THEN
      BEGIN
        EXECUTE format('SELECT jsonb_agg(to_jsonb(s)) FROM (%s LIMIT %s) s', r->>'sample', sample_size) INTO sample;
      EXCEPTION WHEN OTHERS THEN
        sample := NULL;
      END;
    END IF;
    RETURN NEXT jsonb_build_object('rule_index', (r->>'index')::int, 'rule', r->>'rule', 'rule_type', r->>'type',
                                   'severity', r->>'severity', 'outcome', outcome, 'measured', measured,
                                   'expected', r->>'expected', 'failing_rows', failing, 'sample', sample, 'message', msg);
  END LOOP;
END $$;

-- The columns of a relation or of a parenthesised query.
CREATE FUNCTION etl._quality_columns(rel text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  cols text[];
BEGIN
  EXECUTE format('CREATE TEMP VIEW _etl_quality_cols AS SELECT * FROM %s t', rel);
  SELECT array_agg(attname::text) INTO cols FROM pg_attribute
   WHERE attrelid = 'pg_temp._etl_quality_cols'::regclass AND attnum > 0 AND NOT attisdropped;
  DROP VIEW pg_temp._etl_quality_cols;
  RETURN QUERY SELECT unnest(cols);
END $$;

-- Checks that every rule's SQL plans against rel: unknown columns, reference tables and
-- bad where clauses fail here, naming the rule, before any data is read.
CREATE FUNCTION etl._quality_validate(plan jsonb, rel text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  missing text;
  cols text[] := ARRAY(SELECT etl._quality_columns(rel));
BEGIN
  FOR r IN SELECT value FROM jsonb_array_elements(plan) LOOP
    IF r->>'type' <> 'ColumnExists' THEN
      missing := (SELECT string_agg(format('"%s"', c), ', ') FROM jsonb_array_elements_text(r->'columns') c
                   WHERE c <> ALL (cols));
      IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'quality rule % (%) names column % that % does not have', r->>'index', r->>'rule', missing, rel
          USING ERRCODE = 'undefined_column';
      END IF;
    END IF;
    BEGIN
      IF r->>'scope' = 'scan' THEN
        EXECUTE format('EXPLAIN SELECT (%s)::float8 FROM %s t', r->>'metric', rel);
      ELSIF r->>'scope' = 'query' THEN
        EXECUTE format('EXPLAIN %s', r->>'query');
      END IF;
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION 'quality rule % (%) does not plan: %', r->>'index', r->>'rule', SQLERRM USING ERRCODE = SQLSTATE;
    END;
  END LOOP;
END $$;

CREATE FUNCTION etl._quality_record(results jsonb, cid bigint, target text, rid bigint, pipeline text)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO etl.quality_results (check_id, run_id, pipeline, target, rule_index, rule, rule_type, severity, outcome,
                                   measured, expected, failing_rows, sample, message)
  SELECT cid, rid, pipeline, target, (e->>'rule_index')::int, e->>'rule', e->>'rule_type', e->>'severity', e->>'outcome',
         (e->>'measured')::float8, e->>'expected', (e->>'failing_rows')::bigint, nullif(e->'sample', 'null'), e->>'message'
    FROM jsonb_array_elements(results) e
$$;

-- The public entry point: evaluates rules on target, records the results in
-- etl.quality_results and returns them. options: sample_size (5), where (only rows
-- where this SQL holds), raise (true: a failing "fail" rule raises 23514 after recording).
CREATE FUNCTION etl.check(target regclass, rules text, options jsonb DEFAULT '{}')
RETURNS TABLE (rule text, rule_type text, severity text, outcome text, measured double precision, expected text,
               failing_rows bigint, sample jsonb, message text)
LANGUAGE plpgsql AS $$
DECLARE
  rel text := CASE WHEN options ? 'where' THEN format('(SELECT * FROM %s WHERE %s)', target, options->>'where')
                   ELSE target::text END;
  plan jsonb;
  cid bigint := nextval('etl.quality_check_id_seq');
  results jsonb;
  failed text;
BEGIN
  IF options - ARRAY['sample_size', 'where', 'raise'] <> '{}' THEN
    RAISE EXCEPTION 'unknown option % for etl.check', (SELECT string_agg(format('"%s"', k), ', ') FROM jsonb_object_keys(options - ARRAY['sample_size', 'where', 'raise']) k)
      USING ERRCODE = 'invalid_parameter_value', HINT = 'options: sample_size, where, raise';
  END IF;
  plan := etl._quality_plan(rules, rel);
  PERFORM etl._quality_validate(plan, rel);
  -- evaluated before anything is recorded: history terms compare with earlier checks only
  SELECT coalesce(jsonb_agg(e), '[]') INTO results
    FROM etl._quality_evaluate(plan, rel, target::text, NULL, coalesce((options->>'sample_size')::int, 5)) e;
  PERFORM etl._quality_record(results, cid, target::text, NULL, NULL);
  RETURN QUERY SELECT q.rule, q.rule_type, q.severity, q.outcome, q.measured, q.expected, q.failing_rows, q.sample, q.message
    FROM etl.quality_results q WHERE q.check_id = cid ORDER BY q.rule_index;
  IF coalesce((options->>'raise')::boolean, false) THEN
    SELECT string_agg(format('%s (%s)', q.rule, q.message), '; ') INTO failed
      FROM etl.quality_results q WHERE q.check_id = cid AND q.severity = 'fail' AND q.outcome IN ('fail', 'error');
    IF failed IS NOT NULL THEN
      RAISE EXCEPTION 'data quality check of % failed: %', target, failed USING ERRCODE = 'check_violation',
        HINT = format('SELECT * FROM etl.quality_results WHERE check_id = %s', cid);
    END IF;
  END IF;
END $$;
COMMENT ON FUNCTION etl.check(regclass, text, jsonb) IS
  'Evaluates a DQDL-style ruleset on a table (scan rules share one scan); results are returned and kept in etl.quality_results';

-- ---- pipelines: quality gates, dedupe, rejects replay ----------------------------------------
CREATE OR REPLACE FUNCTION etl._pipeline_keys() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['timezone', 'retry', 'timeout', 'overlap', 'max_files_per_run', 'trigger',
               'input_columns', 'merge_delete', 'quality', 'dedupe_key', 'dedupe_order']
$$;

-- The pipeline writing from the batch instead of running its transform again.
CREATE FUNCTION etl._batch_pipeline(p etl.pipelines) RETURNS etl.pipelines LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  p.transform := 'SELECT * FROM pg_temp._etl_batch';
  RETURN p;
END $$;

-- dedupe_key as a list of quoted column names.
CREATE FUNCTION etl._dedupe_columns(options jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(options->'dedupe_key')
           WHEN 'string' THEN quote_ident(options->>'dedupe_key')
           WHEN 'array' THEN (SELECT string_agg(quote_ident(k), ', ') FROM jsonb_array_elements_text(options->'dedupe_key') k)
         END
$$;

-- The rows a run publishes, from the staging relation "input": the transform, then one
-- row per dedupe_key (the last in input order, or the first in dedupe_order).
CREATE FUNCTION etl._batch_query(p etl.pipelines) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  q text := coalesce(p.transform, 'SELECT * FROM input');
  keys text := etl._dedupe_columns(p.options);
BEGIN
  IF keys IS NULL THEN RETURN q; END IF;
  RETURN format('SELECT DISTINCT ON (%s) * FROM (%s) d ORDER BY %s, %s', keys, q, keys,
                coalesce(p.options->>'dedupe_order', 'row_number() OVER () DESC'));
END $$;

-- The quality gate on pg_temp._etl_batch. Rows failing a row-level "fail" rule go to
-- etl.rejects (unless quality.reject_rows is false) and leave the batch; then every rule
-- is evaluated on what is left. A failing "fail" rule raises 23514, so the run rolls
-- back; its results are kept aside and recorded by etl._perform_run after the rollback.
-- Returns the number of rows sent to etl.rejects.
CREATE FUNCTION etl._finish_batch(p etl.pipelines, rid bigint, quality jsonb, load_id bigint, url text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
  r jsonb;
  results jsonb;
  routed jsonb := '{}';
  n bigint;
  total bigint := 0;
  sample jsonb;
  failed text;
  cid bigint;
  sample_size int := coalesce((quality->>'sample_size')::int, 5);
BEGIN
  IF quality IS NULL THEN RETURN 0; END IF;
  plan := etl._quality_plan(quality->>'rules', 'pg_temp._etl_batch');
  IF coalesce((quality->>'reject_rows')::boolean, true) THEN
    FOR r IN SELECT value FROM jsonb_array_elements(plan)
              WHERE (value->>'row_level')::boolean AND value->>'severity' = 'fail' ORDER BY (value->>'index')::int LOOP
      EXECUTE format(
        'WITH bad AS (DELETE FROM pg_temp._etl_batch t WHERE (%s) AND NOT (%s) RETURNING t.*),
              kept AS (INSERT INTO etl.rejects (load_id, url, column_name, raw, message, sqlstate, run_id, pipeline, record)
                       SELECT %L, %L, %L, left(to_jsonb(bad)::text, 65536), %L, %L, %s, %L, to_jsonb(bad) FROM bad
                       RETURNING record)
         SELECT count(*), (SELECT jsonb_agg(record) FROM (SELECT record FROM kept LIMIT %s) s) FROM kept',
        coalesce(r->>'where', 'true'), r->>'row_check', load_id, etl._redact_url(url), r->'columns'->>0,
        format('quality rule %s failed: %s', r->>'index', r->>'rule'), '23514', rid, p.name, sample_size)
        INTO n, sample;
      IF n > 0 THEN
        routed := routed || jsonb_build_object(r->>'index', jsonb_build_object('n', n, 'sample', sample));
        total := total + n;
      END IF;
    END LOOP;
  END IF;
  SELECT coalesce(jsonb_agg(
           CASE WHEN routed ? (e->>'rule_index')
                THEN e || jsonb_build_object('failing_rows', (routed->(e->>'rule_index')->>'n')::bigint,
                                             'sample', routed->(e->>'rule_index')->'sample',
                                             'message', format('%s rows sent to etl.rejects', routed->(e->>'rule_index')->>'n'))
                ELSE e END), '[]')
    INTO results FROM etl._quality_evaluate(plan, 'pg_temp._etl_batch', p.target::text, p.name, sample_size) e;
  cid := nextval('etl.quality_check_id_seq');
  SELECT string_agg(format('%s (%s)', e->>'rule', e->>'message'), '; ') INTO failed
    FROM jsonb_array_elements(results) e WHERE e->>'severity' = 'fail' AND e->>'outcome' IN ('fail', 'error');
  IF failed IS NOT NULL THEN
    PERFORM etl._quality_stash(jsonb_build_object('check_id', cid, 'target', p.target::text, 'run_id', rid,
                                                  'pipeline', p.name, 'results', results));
    RAISE EXCEPTION 'quality gate of pipeline "%" failed: %', p.name, failed USING ERRCODE = 'check_violation',
      DETAIL = 'nothing was published; the target is unchanged',
      HINT = format('SELECT * FROM etl.quality_results WHERE run_id = %s', rid);
  END IF;
  PERFORM etl._quality_record(results, cid, p.target::text, rid, p.name);
  RETURN total;
END $$;

-- An empty pg_temp._etl_batch with the shape of a pipeline's batch: its transform (and
-- dedupe) over an empty staging relation "input".
CREATE FUNCTION etl._create_empty_batch(p etl.pipelines) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TEMP TABLE input (%s)',
                 coalesce(p.input_columns, etl._input_columns(p.options, p.source, p.target, p.transform)));
  BEGIN
    EXECUTE format('CREATE TEMP TABLE _etl_batch AS %s WITH NO DATA', etl._batch_query(p));
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'dedupe options of pipeline "%" do not plan: %', p.name, SQLERRM USING ERRCODE = SQLSTATE;
  END;
  DROP TABLE pg_temp.input;
END $$;

-- A replay run's batch: the chosen rejected rows, as the batch they were rejected from.
CREATE FUNCTION etl._replay_into_batch(p etl.pipelines, rid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(x::bigint) INTO ids FROM jsonb_array_elements_text((SELECT params->'rejects' FROM etl.runs WHERE id = rid)) x;
  PERFORM etl._create_empty_batch(p);
  INSERT INTO pg_temp._etl_batch
  SELECT (jsonb_populate_record(NULL::pg_temp._etl_batch, j.record)).*
    FROM etl.rejects j WHERE j.id = ANY (ids) AND j.replayed_at IS NULL ORDER BY j.id;
  UPDATE etl.rejects SET replayed_at = clock_timestamp(), replay_run_id = rid WHERE id = ANY (ids) AND replayed_at IS NULL;
END $$;

-- Runs chosen rejected rows of a pipeline through its quality rules and write mode again
-- (after a fix to the rules, the target or the data in etl.rejects.record), in a run of
-- its own, and marks them replayed. reject_ids NULL: every row not yet replayed.
-- Rows a quality rule rejected can be replayed; rows that did not parse (record NULL)
-- are fixed at the source and loaded again (etl.reset).
CREATE FUNCTION etl.replay_rejects(pipeline text, reject_ids bigint[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  bad bigint;
  rid bigint;
  r etl.runs;
BEGIN
  IF NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = replay_rejects.pipeline) THEN
    RAISE EXCEPTION 'pipeline "%" does not exist', pipeline USING ERRCODE = 'undefined_object';
  END IF;
  SELECT min(id) INTO bad FROM unnest(reject_ids) i(id)
   WHERE NOT EXISTS (SELECT FROM etl.rejects j WHERE j.id = i.id AND j.pipeline = replay_rejects.pipeline);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'reject % is not a rejected row of pipeline "%"', bad, pipeline USING ERRCODE = 'undefined_object',
      HINT = format('SELECT id, message FROM etl.rejects WHERE pipeline = %L AND replayed_at IS NULL', pipeline);
  END IF;
  SELECT min(j.id) INTO bad FROM etl.rejects j
   WHERE j.pipeline = replay_rejects.pipeline AND j.record IS NULL AND j.replayed_at IS NULL
     AND j.id = ANY (reject_ids);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'reject % did not parse, so it cannot be replayed', bad USING ERRCODE = 'feature_not_supported',
      DETAIL = (SELECT message FROM etl.rejects WHERE id = bad),
      HINT = 'fix the file and load it again (etl.reset or etl.skip_file); rows a quality rule rejected can be replayed';
  END IF;
  SELECT array_agg(j.id ORDER BY j.id) INTO ids FROM etl.rejects j
   WHERE j.pipeline = replay_rejects.pipeline AND j.record IS NOT NULL AND j.replayed_at IS NULL
     AND (reject_ids IS NULL OR j.id = ANY (reject_ids));
  IF ids IS NULL THEN
    RAISE NOTICE 'pipeline "%" has no rejected rows to replay', pipeline;
    RETURN NULL;
  END IF;
  rid := etl._new_run(pipeline, 'replay', jsonb_build_object('rejects', to_jsonb(ids)), 'running');
  IF NOT etl._perform_run(rid, false) THEN
    SELECT * INTO r FROM etl.runs WHERE id = rid;
    RAISE WARNING 'replay run % of % failed: %', rid, pipeline, r.error USING DETAIL = 'SQLSTATE ' || r.sqlstate,
      HINT = 'the rows stay in etl.rejects, not replayed';
  END IF;
  RETURN rid;
END $$;
COMMENT ON FUNCTION etl.replay_rejects(text, bigint[]) IS
  'Replays rows a quality rule rejected through the pipeline (a run with trigger replay); returns the run id';

-- Quality results of a run that failed its gate are recorded after the rollback.
CREATE OR REPLACE FUNCTION etl._perform_run(rid bigint, with_retries boolean) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  ok boolean := true;
  msg text;
  state text;
  wf record;
  kept jsonb;
BEGIN
  SELECT * INTO STRICT r FROM etl.runs WHERE id = rid;
  -- A worker already marked the run as its own (in a committed transaction); updating
  -- the row again here would lock it for the whole run.
  IF r.status <> 'running' OR r.worker_pid IS DISTINCT FROM pg_backend_pid() THEN
    UPDATE etl.runs SET status = 'running', started_at = clock_timestamp(), finished_at = NULL, worker_pid = pg_backend_pid()
     WHERE id = rid RETURNING * INTO STRICT r;
  END IF;
  PERFORM set_config('pg_etl.run_id', rid::text, true);
  PERFORM set_config('pg_etl.run_properties', r.params::text, true);
  IF r.workflow IS NOT NULL THEN
    SELECT * INTO wf FROM etl._execute_workflow(rid);
    ok := wf.failure IS NULL;
    msg := wf.failure;
    state := wf.failure_state;
  ELSE
    PERFORM etl._quality_unstash();  -- nothing left over from an earlier aborted transaction
    BEGIN
      PERFORM etl._execute_pipeline(rid);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
      ok := false;
    END;
    kept := etl._quality_unstash();
    IF kept IS NOT NULL AND NOT ok THEN
      PERFORM etl._quality_record(kept->'results', (kept->>'check_id')::bigint, kept->>'target',
                                  (kept->>'run_id')::bigint, kept->>'pipeline');
    END IF;
  END IF;
  PERFORM etl._finish_run(rid, ok, msg, state, with_retries);
  PERFORM set_config('pg_etl.run_id', '', true);
  RETURN ok;
END $$;

-- Bad quality rules or dedupe options fail when the pipeline is defined, with the
-- position of the error, not at its first run.
CREATE FUNCTION etl._check_pipeline_quality() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  quality jsonb := NEW.options->'quality';
  rules text;
BEGIN
  IF NEW.options ? 'dedupe_key' AND etl._dedupe_columns(NEW.options) IS NULL THEN
    RAISE EXCEPTION 'option "dedupe_key" must be a column name or an array of them' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NEW.options ? 'dedupe_order' AND jsonb_typeof(NEW.options->'dedupe_order') <> 'string' THEN
    RAISE EXCEPTION 'option "dedupe_order" must be an ORDER BY list, e.g. "updated_at DESC"' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF quality IS NOT NULL THEN
    IF jsonb_typeof(quality) = 'string' THEN
      rules := quality #>> '{}';
    ELSIF jsonb_typeof(quality) = 'object' AND jsonb_typeof(quality->'rules') = 'string'
          AND quality - ARRAY['rules', 'reject_rows', 'sample_size'] = '{}' THEN
      rules := quality->>'rules';
    ELSE
      RAISE EXCEPTION 'option "quality" must be a ruleset, or {"rules": "...", "reject_rows": true, "sample_size": 5}'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF quality IS NULL AND NOT NEW.options ? 'dedupe_key' THEN RETURN NEW; END IF;
  PERFORM etl._create_empty_batch(NEW);
  IF rules IS NOT NULL THEN
    PERFORM etl._quality_validate(etl._quality_plan(rules, 'pg_temp._etl_batch'), 'pg_temp._etl_batch');
  END IF;
  DROP TABLE pg_temp._etl_batch;
  RETURN NEW;
END $$;
CREATE TRIGGER check_quality BEFORE INSERT OR UPDATE OF options, transform, target ON etl.pipelines
  FOR EACH ROW EXECUTE FUNCTION etl._check_pipeline_quality();
CREATE OR REPLACE FUNCTION etl._execute_pipeline(rid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  p etl.pipelines;
  src record;
  opts jsonb;
  listing jsonb;
  files text[];
  res record;
  written bigint := 0;
  has_run_col boolean;
  max_files int;
  stream boolean;
  quality jsonb;
  staged boolean;
  batch_query text;
  quality_rejected bigint := 0;
  replay_ids bigint[];
BEGIN
  SELECT * INTO STRICT r FROM etl.runs WHERE id = rid;
  SELECT * INTO p FROM etl.pipelines WHERE name = r.pipeline;
  IF NOT FOUND THEN RAISE EXCEPTION 'pipeline "%" does not exist', r.pipeline USING ERRCODE = 'undefined_object'; END IF;
  -- One run of a pipeline at a time decides which files are new: exactly once.
  PERFORM pg_advisory_xact_lock(hashtextextended('pg_etl pipeline ' || p.name, 0));
  SELECT * INTO src FROM etl._source_of(p.source);
  opts := etl._load_options(src.options || p.options || coalesce(r.params->'options', '{}'));
  max_files := coalesce((p.options->>'max_files_per_run')::int, 2147483647);
  stream := etl._is_stream_source(src.url, opts);
  quality := CASE jsonb_typeof(p.options->'quality') WHEN 'string' THEN jsonb_build_object('rules', p.options->'quality')
                  ELSE p.options->'quality' END;
  IF r.trigger = 'replay' THEN
    -- rejected rows again (etl.replay_rejects): straight into the batch, then on as a load
    PERFORM etl._replay_into_batch(p, rid);
    has_run_col := EXISTS (SELECT FROM pg_attribute WHERE attrelid = p.target AND attname = '_etl_run_id' AND NOT attisdropped);
    quality_rejected := etl._finish_batch(p, rid, quality, NULL, src.url);
    written := etl._write_output(etl._batch_pipeline(p), rid, has_run_col);
    DROP TABLE pg_temp._etl_batch;
    INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
    VALUES (rid, p.name, 'input', 'rejects', 'etl.rejects', (SELECT count(*) FROM etl.rejects WHERE replay_run_id = rid)),
           (rid, p.name, 'output', 'table', p.target::text, written);
    UPDATE etl.runs SET rows_read = (SELECT count(*) FROM etl.rejects WHERE replay_run_id = rid), rows_written = written,
                        rows_rejected = quality_rejected, bytes_read = 0, files = 0
     WHERE id = rid;
    RETURN;
  END IF;
  IF stream THEN
    -- APIs and databases: no files to list; an incremental cursor keeps its watermark
    -- under the pipeline's name unless it names its own.
    IF jsonb_typeof(opts->'incremental') = 'string' THEN
      opts := jsonb_set(opts, '{incremental}', jsonb_build_object('cursor', opts->'incremental'));
    END IF;
    IF jsonb_typeof(opts->'incremental') = 'object' AND NOT opts->'incremental' ? 'state' THEN
      opts := jsonb_set(opts, '{incremental,state}', to_jsonb('pipeline ' || p.name));
    END IF;
    listing := '[]';
  ELSE

  -- New or changed files (by size, modification time, ETag), oldest name first.
  SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.url), '[]') INTO listing FROM (
    SELECT f.url, f.size, f.modified, f.etag
      FROM etl._list_files(src.url, opts) f
      LEFT JOIN etl.processed_files pf ON pf.pipeline = p.name AND pf.url = f.url
     WHERE p.write_mode = 'replace' OR pf.url IS NULL
        OR (NOT pf.skipped AND (pf.size IS DISTINCT FROM f.size OR pf.modified IS DISTINCT FROM f.modified
                                 OR pf.etag IS DISTINCT FROM f.etag))
     ORDER BY f.url LIMIT max_files) n;
  IF p.write_mode = 'replace' AND NOT EXISTS (
       SELECT FROM jsonb_to_recordset(listing) AS f(url text, size bigint, modified timestamptz, etag text)
        LEFT JOIN etl.processed_files pf ON pf.pipeline = p.name AND pf.url = f.url
        WHERE pf.url IS NULL OR pf.size IS DISTINCT FROM f.size OR pf.modified IS DISTINCT FROM f.modified
           OR pf.etag IS DISTINCT FROM f.etag) THEN
    listing := '[]';  -- replace reloads everything, but only when something changed
  END IF;
  SELECT array_agg(e->>'url' ORDER BY e->>'url') INTO files FROM jsonb_array_elements(listing) e;
  IF files IS NULL THEN
    UPDATE etl.runs SET rows_read = 0, rows_written = 0, rows_rejected = 0, bytes_read = 0, files = 0 WHERE id = rid;
    RETURN;
  END IF;
  END IF;

  has_run_col := EXISTS (SELECT FROM pg_attribute WHERE attrelid = p.target AND attname = '_etl_run_id' AND NOT attisdropped);
  -- quality rules and dedupe work on a materialised batch (pg_temp._etl_batch)
  staged := quality IS NOT NULL OR p.options ? 'dedupe_key';
  IF p.transform IS NULL AND p.write_mode IN ('append', 'replace') AND NOT staged THEN
    -- Straight into the target through COPY.
    IF p.write_mode = 'replace' THEN EXECUTE format('TRUNCATE %s', p.target); END IF;
    IF has_run_col THEN
      opts := opts || jsonb_build_object('set', coalesce(opts->'set', '{}') || jsonb_build_object('_etl_run_id', rid));
    END IF;
    IF stream THEN
      SELECT * INTO res FROM etl.load(p.target, src.url, opts);
    ELSE
      SELECT * INTO res FROM etl._load_files(p.target, src.url, files, opts);
    END IF;
    written := res.rows_loaded;
  ELSE
    -- Through the staging relation "input", then the transform and the write mode.
    EXECUTE format('CREATE TEMP TABLE input (%s)',
                   coalesce(p.input_columns, etl._input_columns(p.options, p.source, p.target, p.transform)));
    IF stream THEN
      SELECT * INTO res FROM etl.load('pg_temp.input'::regclass, src.url, opts);
    ELSE
      SELECT * INTO res FROM etl._load_files('pg_temp.input'::regclass, src.url, files, opts);
    END IF;
    IF staged THEN
      EXECUTE format('CREATE TEMP TABLE _etl_batch AS %s', etl._batch_query(p));
      UPDATE etl.rejects SET run_id = rid, pipeline = p.name WHERE load_id = res.load_id;
      quality_rejected := etl._finish_batch(p, rid, quality, res.load_id, src.url);
      written := etl._write_output(etl._batch_pipeline(p), rid, has_run_col);
      DROP TABLE pg_temp._etl_batch;
    ELSE
      written := etl._write_output(p, rid, has_run_col);
    END IF;
    DROP TABLE pg_temp.input;
  END IF;

  INSERT INTO etl.processed_files AS pf (pipeline, url, size, modified, etag, checksum, run_id)
  SELECT p.name, f.url, f.size, f.modified, f.etag, lf.checksum, rid
    FROM jsonb_to_recordset(listing) AS f(url text, size bigint, modified timestamptz, etag text)
    LEFT JOIN etl.load_files lf ON lf.load_id = res.load_id AND lf.url = f.url
  ON CONFLICT (pipeline, url) DO UPDATE
    SET size = EXCLUDED.size, modified = EXCLUDED.modified, etag = EXCLUDED.etag, checksum = EXCLUDED.checksum,
        run_id = EXCLUDED.run_id, skipped = false, processed_at = now();
  INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, size, checksum, etag, modified, rows)
  SELECT rid, p.name, 'input', 'file', f.url, f.size, lf.checksum, f.etag, f.modified, lf.records
    FROM jsonb_to_recordset(listing) AS f(url text, size bigint, modified timestamptz, etag text)
    LEFT JOIN etl.load_files lf ON lf.load_id = res.load_id AND lf.url = f.url;
  IF stream THEN
    INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
    VALUES (rid, p.name, 'input', CASE WHEN src.url ~* '^(postgres|postgresql|mysql|mariadb)://' THEN 'query' ELSE 'api' END,
            etl._redact_url(src.url), res.rows_loaded + res.rows_rejected);
  END IF;
  INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
  VALUES (rid, p.name, 'output', 'table', p.target::text, written);
  UPDATE etl.rejects SET run_id = rid, pipeline = p.name WHERE load_id = res.load_id AND run_id IS NULL;
  UPDATE etl.runs SET rows_read = res.rows_loaded + res.rows_rejected, rows_written = written,
                      rows_rejected = res.rows_rejected + quality_rejected, bytes_read = res.bytes_read, files = res.files,
                      load_id = res.load_id
   WHERE id = rid;
END $$;
