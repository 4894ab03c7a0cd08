-- ---- 0.3.0: sources, pipelines, runs, workflows, triggers, lineage ---------------------

ALTER TABLE etl.load_files ADD COLUMN checksum text;  -- xxh3 of the file as stored

-- Helpers in C++ (extension/pipeline_support.cpp). Leading underscore: internal.
CREATE FUNCTION etl._redact_options(options jsonb) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_redact_options' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION etl._redact_url(url text) RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_redact_url' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION etl._check_options(options jsonb) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_check_options' LANGUAGE C STABLE STRICT;
CREATE FUNCTION etl._check_url(url text) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_check_url' LANGUAGE C STABLE STRICT;
CREATE FUNCTION etl._check_schedule(schedule text, tz text) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_check_schedule' LANGUAGE C STABLE;
CREATE FUNCTION etl._cron_next(schedule text, tz text, after timestamptz) RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'pg_etl_cron_next' LANGUAGE C STABLE;
CREATE FUNCTION etl._retry_delay(policy jsonb, next_attempt int) RETURNS float8
  AS 'MODULE_PATHNAME', 'pg_etl_retry_delay' LANGUAGE C VOLATILE;
CREATE FUNCTION etl._list_files(url text, options jsonb DEFAULT '{}')
  RETURNS TABLE (url text, size bigint, modified timestamptz, etag text)
  AS 'MODULE_PATHNAME', 'pg_etl_list_files' LANGUAGE C VOLATILE;
CREATE FUNCTION etl._load_files(target regclass, source text, files text[], options jsonb DEFAULT '{}',
                                OUT rows_loaded bigint, OUT rows_rejected bigint, OUT bytes_read bigint,
                                OUT files int, OUT load_id bigint)
  RETURNS record AS 'MODULE_PATHNAME', 'pg_etl_load_files' LANGUAGE C VOLATILE;
CREATE FUNCTION etl._wake_launcher() RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_wake_launcher' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl._wake_launcher() IS 'Wakes the background worker when the calling transaction commits';

-- ---- sources ---------------------------------------------------------------------------
CREATE TABLE etl.source_config (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
  url         text NOT NULL,
  options     jsonb NOT NULL DEFAULT '{}',
  description text,
  owner       name NOT NULL DEFAULT current_user,
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.source_config IS 'pg_etl: named sources (options may hold credentials; read etl.sources instead)';
ALTER TABLE etl.source_config ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_sources ON etl.source_config USING (owner = current_user) WITH CHECK (owner = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.source_config TO PUBLIC;

CREATE VIEW etl.sources WITH (security_invoker = true) AS
  SELECT name, etl._redact_url(url) AS url, etl._redact_options(options) AS options, description, owner, created_at
    FROM etl.source_config;
COMMENT ON VIEW etl.sources IS 'pg_etl: named sources, secrets masked';
GRANT SELECT ON etl.sources TO PUBLIC;

CREATE FUNCTION etl.create_source(name text, url text, options jsonb DEFAULT '{}', description text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM etl._check_url(url);
  PERFORM etl._check_options(options);
  IF EXISTS (SELECT FROM etl.source_config s WHERE s.name = create_source.name) THEN
    RAISE EXCEPTION 'source "%" already exists', name USING ERRCODE = 'duplicate_object',
      HINT = 'drop it with etl.drop_source first';
  END IF;
  INSERT INTO etl.source_config (name, url, options, description) VALUES (name, url, options, description);
END $$;
COMMENT ON FUNCTION etl.create_source(text, text, jsonb, text) IS 'Names a URL and its options; readers, etl.load and pipelines accept the name';

CREATE FUNCTION etl.drop_source(name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE users text;
BEGIN
  SELECT string_agg(p.name, ', ') INTO users FROM etl.pipelines p WHERE p.source = drop_source.name;
  IF users IS NOT NULL THEN
    RAISE EXCEPTION 'source "%" is used by pipelines %', name, users USING ERRCODE = 'dependent_objects_still_exist';
  END IF;
  DELETE FROM etl.source_config s WHERE s.name = drop_source.name;
  IF NOT FOUND THEN RAISE EXCEPTION 'source "%" does not exist', name USING ERRCODE = 'undefined_object'; END IF;
END $$;

-- ---- pipelines ---------------------------------------------------------------------------
CREATE TABLE etl.pipelines (
  name          text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
  id            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- how the background worker names it
  source        text NOT NULL,                -- a source name or a URL
  target        regclass NOT NULL,
  transform     text,                         -- SQL over the relation "input"
  write_mode    text NOT NULL DEFAULT 'append' CHECK (write_mode IN ('append', 'replace', 'merge')),
  merge_key     text[],
  schedule      text,                         -- cron, in options.timezone
  options       jsonb NOT NULL DEFAULT '{}',
  input_columns text,                         -- the shape of "input" for transforms and merges
  paused        boolean NOT NULL DEFAULT false,
  next_run_at   timestamptz,
  last_poll_at  timestamptz,                  -- file-arrival triggers
  pending_since timestamptz,                  -- first poll that saw unprocessed files
  owner         name NOT NULL DEFAULT current_user,
  created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.pipelines IS 'pg_etl: pipelines (source -> transform -> target), their schedules and triggers';

CREATE TABLE etl.workflows (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
  steps       jsonb NOT NULL,
  schedule    text,
  options     jsonb NOT NULL DEFAULT '{}',
  paused      boolean NOT NULL DEFAULT false,
  next_run_at timestamptz,
  owner       name NOT NULL DEFAULT current_user,
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.workflows IS 'pg_etl: DAG workflows of pipelines and SQL steps';

CREATE TABLE etl.runs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline        text,
  workflow        text,
  status          text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead')),
  attempt         int NOT NULL DEFAULT 1,
  trigger         text NOT NULL,
  params          jsonb NOT NULL DEFAULT '{}',
  queued_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  not_before      timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at      timestamptz,
  finished_at     timestamptz,
  rows_read       bigint,
  rows_written    bigint,
  rows_rejected   bigint,
  bytes_read      bigint,
  files           int,
  load_id         bigint,
  error           text,
  sqlstate        text,
  worker_pid      int,
  retry_of        bigint,
  owner           name NOT NULL DEFAULT current_user,
  CHECK ((pipeline IS NULL) <> (workflow IS NULL))
);
CREATE INDEX runs_queued_idx ON etl.runs (not_before, id) WHERE status = 'queued';
CREATE INDEX runs_pipeline_idx ON etl.runs (pipeline, id);
CREATE INDEX runs_running_idx ON etl.runs (id) WHERE status = 'running';
COMMENT ON TABLE etl.runs IS 'pg_etl: every run of a pipeline or workflow, its status and counts';

CREATE TABLE etl.run_steps (
  run_id       bigint NOT NULL REFERENCES etl.runs(id) ON DELETE CASCADE,
  step         text NOT NULL,
  kind         text NOT NULL,
  depends_on   text[] NOT NULL DEFAULT '{}',
  status       text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  started_at   timestamptz,
  finished_at  timestamptz,
  rows_written bigint,
  error        text,
  sqlstate     text,
  child_run    bigint,                        -- the run of a pipeline step
  PRIMARY KEY (run_id, step)
);
COMMENT ON TABLE etl.run_steps IS 'pg_etl: steps of workflow runs';

CREATE TABLE etl.processed_files (
  pipeline     text NOT NULL,
  url          text NOT NULL,
  size         bigint,
  modified     timestamptz,
  etag         text,
  checksum     text,
  run_id       bigint,
  skipped      boolean NOT NULL DEFAULT false,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, url)
);
COMMENT ON TABLE etl.processed_files IS 'pg_etl: files each pipeline has loaded (or skipped), committed with the data';

CREATE TABLE etl.lineage (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint NOT NULL REFERENCES etl.runs(id) ON DELETE CASCADE,
  pipeline    text,
  direction   text NOT NULL CHECK (direction IN ('input', 'output')),
  kind        text NOT NULL,   -- file, table
  dataset     text NOT NULL,   -- URL (credentials removed) or schema.table
  size        bigint,
  checksum    text,
  etag        text,
  modified    timestamptz,
  rows        bigint,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lineage_dataset_idx ON etl.lineage (dataset, direction);
CREATE INDEX lineage_run_idx ON etl.lineage (run_id);
COMMENT ON TABLE etl.lineage IS 'pg_etl: what each run read and wrote';

-- "Where did the rows in X come from?" and "what did file X feed?"
CREATE VIEW etl.lineage_edges WITH (security_invoker = true) AS
  SELECT i.dataset AS input, i.kind AS input_kind, o.dataset AS output, o.kind AS output_kind,
         o.run_id, r.pipeline, i.checksum AS input_checksum, i.size AS input_size,
         o.rows AS rows_written, r.finished_at
    FROM etl.lineage o
    JOIN etl.lineage i ON i.run_id = o.run_id AND i.direction = 'input'
    JOIN etl.runs r ON r.id = o.run_id
   WHERE o.direction = 'output';
COMMENT ON VIEW etl.lineage_edges IS 'pg_etl: input -> output per run';

-- Everyone sees and manages their own pipelines and runs; superusers see all.
ALTER TABLE etl.pipelines ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_pipelines ON etl.pipelines USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY own_workflows ON etl.workflows USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY own_runs ON etl.runs USING (owner = current_user) WITH CHECK (owner = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.pipelines, etl.workflows, etl.runs, etl.run_steps,
  etl.processed_files, etl.lineage TO PUBLIC;
GRANT SELECT ON etl.lineage_edges TO PUBLIC;

-- ---- pipeline definition --------------------------------------------------------------------
-- Options a pipeline understands itself; every other key is passed to the loader
-- (reject_limit, delimiter, ...) and checked as such.
CREATE FUNCTION etl._pipeline_keys() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['timezone', 'retry', 'timeout', 'overlap', 'max_files_per_run', 'trigger',
               'input_columns', 'merge_delete']
$$;

CREATE FUNCTION etl._load_options(options jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(options) WHERE key <> ALL (etl._pipeline_keys())
$$;

-- The URL and options a pipeline's source stands for.
CREATE FUNCTION etl._source_of(source text, OUT url text, OUT options jsonb) LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT s.url, s.options INTO url, options FROM etl.source_config s WHERE s.name = source;
  IF NOT FOUND THEN
    url := source;
    options := '{}';
  END IF;
END $$;

-- A column definition list for the staging relation "input": options.input_columns
-- ({"col": "type"}), else the target's columns (merges without a transform), else the
-- source's own columns, as text (CSV header or the first JSON record's keys).
CREATE FUNCTION etl._input_columns(options jsonb, source text, target regclass, transform text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  cols text;
  src record;
BEGIN
  IF options ? 'input_columns' THEN
    IF jsonb_typeof(options->'input_columns') <> 'object' THEN
      RAISE EXCEPTION 'option "input_columns" must be an object of column names and types'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(format('%I %s', key, value), ', ') INTO cols FROM jsonb_each_text(options->'input_columns');
    RETURN cols;
  END IF;
  IF transform IS NULL THEN
    SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) INTO cols
      FROM pg_attribute WHERE attrelid = target AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
        AND attname <> '_etl_run_id';
    RETURN cols;
  END IF;
  SELECT * INTO src FROM etl._source_of(source);
  BEGIN
    SELECT string_agg(format('%I text', key), ', ') INTO cols
      FROM (SELECT preview FROM etl.preview(src.url, etl._load_options(src.options || options), 1)) p,
           jsonb_object_keys(p.preview) key;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'cannot read the shape of source "%" to check the transform: %', etl._redact_url(src.url), SQLERRM
      USING ERRCODE = SQLSTATE, HINT = 'give the columns of "input" in options.input_columns, e.g. {"id": "int", "email": "text"}';
  END;
  IF cols IS NULL THEN
    RAISE EXCEPTION 'source "%" has no rows to show its columns', etl._redact_url(src.url)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'give the columns of "input" in options.input_columns, e.g. {"id": "int", "email": "text"}';
  END IF;
  RETURN cols;
END $$;

-- Checks that a transform plans against "input" and writes columns the target has.
-- Returns the columns it writes.
CREATE FUNCTION etl._check_transform(name text, input_columns text, transform text, target regclass,
                                     delete_column text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  out_cols text[];
  missing text;
BEGIN
  BEGIN
    EXECUTE format('CREATE TEMP TABLE input (%s)', input_columns);
    EXECUTE format('CREATE TEMP VIEW _etl_transform_out AS %s', coalesce(transform, 'SELECT * FROM input'));
    SELECT array_agg(attname::text ORDER BY attnum) INTO out_cols FROM pg_attribute
     WHERE attrelid = 'pg_temp._etl_transform_out'::regclass AND attnum > 0;
    SELECT string_agg(c, ', ') INTO missing FROM unnest(out_cols) c
     WHERE c IS DISTINCT FROM delete_column
       AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = target AND a.attname = c AND NOT a.attisdropped);
    IF missing IS NOT NULL THEN
      RAISE EXCEPTION 'transform of pipeline "%" writes columns that % does not have: %', name, target, missing
        USING ERRCODE = 'undefined_column';
    END IF;
    EXECUTE format('EXPLAIN INSERT INTO %s (%s) SELECT %s FROM _etl_transform_out',
                   target, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(out_cols) c WHERE c IS DISTINCT FROM delete_column),
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(out_cols) c WHERE c IS DISTINCT FROM delete_column));
    DROP VIEW pg_temp._etl_transform_out;
    DROP TABLE pg_temp.input;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'transform of pipeline "%" does not plan against its input: %', name, SQLERRM
      USING ERRCODE = SQLSTATE, DETAIL = 'input columns: ' || input_columns;
  END;
  RETURN out_cols;
END $$;

CREATE FUNCTION etl.create_pipeline(name text, source text, target text, transform text DEFAULT NULL,
                                    write_mode text DEFAULT 'append', merge_key text[] DEFAULT NULL,
                                    schedule text DEFAULT NULL, options jsonb DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target_rel regclass;
  tz text := coalesce(options->>'timezone', 'UTC');
  trig jsonb := options->'trigger';
  cols text;
  src record;
BEGIN
  IF EXISTS (SELECT FROM etl.pipelines p WHERE p.name = create_pipeline.name)
     OR EXISTS (SELECT FROM etl.workflows w WHERE w.name = create_pipeline.name) THEN
    RAISE EXCEPTION 'a pipeline or workflow named "%" already exists', name USING ERRCODE = 'duplicate_object',
      HINT = 'drop it with etl.drop_pipeline first';
  END IF;
  -- source: a name from etl.sources, or a URL
  IF NOT EXISTS (SELECT FROM etl.source_config s WHERE s.name = source) THEN
    IF source !~ '^(/|[A-Za-z][A-Za-z0-9+.-]*://)' THEN
      RAISE EXCEPTION 'source "%" is neither a URL nor a source', source USING ERRCODE = 'undefined_object',
        HINT = 'create it with etl.create_source, or give a URL';
    END IF;
    PERFORM etl._check_url(source);
  END IF;
  target_rel := target::regclass;  -- 42P01 when it does not exist
  IF write_mode IS NULL OR write_mode NOT IN ('append', 'replace', 'merge') THEN
    RAISE EXCEPTION 'unknown write_mode "%"', write_mode USING ERRCODE = 'invalid_parameter_value',
      HINT = 'write_mode is append, replace or merge';
  END IF;
  IF write_mode = 'merge' THEN
    IF merge_key IS NULL OR cardinality(merge_key) = 0 THEN
      RAISE EXCEPTION 'write_mode merge needs a merge_key' USING ERRCODE = 'invalid_parameter_value',
        HINT = 'name the columns that identify a row, e.g. merge_key => ARRAY[''id'']';
    END IF;
    IF NOT EXISTS (
      SELECT FROM pg_index i WHERE i.indrelid = target_rel AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
         AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
               WHERE a.attrelid = target_rel AND a.attnum = ANY (i.indkey))
             = (SELECT array_agg(k ORDER BY k) FROM unnest(merge_key) k)) THEN
      RAISE EXCEPTION 'merge_key (%) of pipeline "%" has no unique index on %', array_to_string(merge_key, ', '), name, target_rel
        USING ERRCODE = 'invalid_column_reference',
              HINT = format('CREATE UNIQUE INDEX ON %s (%s)', target_rel, array_to_string(merge_key, ', '));
    END IF;
  ELSIF merge_key IS NOT NULL THEN
    RAISE EXCEPTION 'merge_key is only for write_mode merge' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- options: the pipeline's own, then the loader's
  IF jsonb_typeof(options) <> 'object' THEN
    RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO src FROM etl._source_of(source);
  PERFORM etl._check_options(etl._load_options(src.options || options));
  PERFORM etl._check_schedule(coalesce(schedule, '@daily'), tz);
  IF options ? 'retry' THEN PERFORM etl._retry_delay(options->'retry', 1); END IF;
  IF options ? 'overlap' AND NOT (options->>'overlap' IN ('skip', 'queue') OR options->>'overlap' ~ '^[1-9][0-9]*$') THEN
    RAISE EXCEPTION 'option "overlap" must be "skip", "queue" or a number of parallel runs' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF trig IS NOT NULL THEN
    IF trig->>'type' = 'file_arrival' THEN
      NULL;
    ELSIF trig->>'type' = 'upstream' THEN
      IF NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = trig->>'pipeline')
         AND NOT EXISTS (SELECT FROM etl.workflows w WHERE w.name = trig->>'pipeline') THEN
        RAISE EXCEPTION 'upstream trigger names "%", which is not a pipeline or workflow', trig->>'pipeline'
          USING ERRCODE = 'undefined_object';
      END IF;
      IF coalesce(trig->>'on', 'success') NOT IN ('success', 'failure', 'always') THEN
        RAISE EXCEPTION 'upstream trigger "on" must be success, failure or always' USING ERRCODE = 'invalid_parameter_value';
      END IF;
    ELSE
      RAISE EXCEPTION 'unknown trigger type "%"', trig->>'type' USING ERRCODE = 'invalid_parameter_value',
        HINT = 'triggers: {"type": "file_arrival", "poll_interval": 30, "batch_size": 1, "batch_window": 0} or {"type": "upstream", "pipeline": "name", "on": "success"}';
    END IF;
  END IF;
  -- transforms and merges work on a staging relation "input": its shape, then a plan
  IF transform IS NOT NULL OR write_mode = 'merge' THEN
    cols := etl._input_columns(options, source, target_rel, transform);
    PERFORM etl._check_transform(name, cols, transform, target_rel, options->'merge_delete'->>'column');
  END IF;
  INSERT INTO etl.pipelines (name, source, target, transform, write_mode, merge_key, schedule, options, input_columns,
                             next_run_at)
  VALUES (name, source, target_rel, transform, write_mode, merge_key, schedule, options, cols,
          CASE WHEN schedule IS NOT NULL THEN etl._cron_next(schedule, tz, now()) END);
  PERFORM etl._wake_launcher();
END $$;
COMMENT ON FUNCTION etl.create_pipeline(text, text, text, text, text, text[], text, jsonb) IS
  'Defines a pipeline; bad definitions fail here, not at the first run';

CREATE FUNCTION etl.drop_pipeline(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM etl.pipelines p WHERE p.name = drop_pipeline.name;
  IF NOT FOUND THEN RAISE EXCEPTION 'pipeline "%" does not exist', name USING ERRCODE = 'undefined_object'; END IF;
  DELETE FROM etl.processed_files f WHERE f.pipeline = drop_pipeline.name;
  UPDATE etl.runs r SET status = 'cancelled', finished_at = clock_timestamp(), error = 'pipeline dropped'
   WHERE r.pipeline = drop_pipeline.name AND r.status = 'queued';
END $$;

CREATE FUNCTION etl.pause(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE etl.pipelines p SET paused = true WHERE p.name = pause.name;
  IF NOT FOUND THEN
    UPDATE etl.workflows w SET paused = true WHERE w.name = pause.name;
    IF NOT FOUND THEN RAISE EXCEPTION 'no pipeline or workflow "%"', name USING ERRCODE = 'undefined_object'; END IF;
  END IF;
END $$;

CREATE FUNCTION etl.resume(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE etl.pipelines p SET paused = false,
         next_run_at = CASE WHEN p.schedule IS NOT NULL THEN etl._cron_next(p.schedule, coalesce(p.options->>'timezone', 'UTC'), now()) END
   WHERE p.name = resume.name;
  IF NOT FOUND THEN
    UPDATE etl.workflows w SET paused = false,
           next_run_at = CASE WHEN w.schedule IS NOT NULL THEN etl._cron_next(w.schedule, coalesce(w.options->>'timezone', 'UTC'), now()) END
     WHERE w.name = resume.name;
    IF NOT FOUND THEN RAISE EXCEPTION 'no pipeline or workflow "%"', name USING ERRCODE = 'undefined_object'; END IF;
  END IF;
  PERFORM etl._wake_launcher();
END $$;

-- Forgets what a pipeline has processed: its next run loads every file again.
CREATE FUNCTION etl.reset(name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  IF NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = reset.name) THEN
    RAISE EXCEPTION 'pipeline "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
  DELETE FROM etl.processed_files f WHERE f.pipeline = reset.name;
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE etl.pipelines p SET pending_since = NULL WHERE p.name = reset.name;
  RETURN n;
END $$;

-- Marks a file as handled without loading it (a poison file, say).
CREATE FUNCTION etl.skip_file(name text, url text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = skip_file.name) THEN
    RAISE EXCEPTION 'pipeline "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
  INSERT INTO etl.processed_files (pipeline, url, skipped) VALUES (name, etl._redact_url(url), true)
  ON CONFLICT ON CONSTRAINT processed_files_pkey DO UPDATE SET skipped = true, processed_at = now();
END $$;

-- ---- running -------------------------------------------------------------------------
CREATE FUNCTION etl._new_run(name text, trigger text, params jsonb, status text, not_before timestamptz DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  rid bigint;
  is_pipeline boolean;
BEGIN
  is_pipeline := EXISTS (SELECT FROM etl.pipelines p WHERE p.name = _new_run.name);
  IF NOT is_pipeline AND NOT EXISTS (SELECT FROM etl.workflows w WHERE w.name = _new_run.name) THEN
    RAISE EXCEPTION 'no pipeline or workflow "%"', name USING ERRCODE = 'undefined_object',
      HINT = 'see etl.pipelines and etl.workflows';
  END IF;
  INSERT INTO etl.runs (pipeline, workflow, status, trigger, params, not_before, owner)
  VALUES (CASE WHEN is_pipeline THEN name END, CASE WHEN NOT is_pipeline THEN name END, status, trigger,
          coalesce(params, '{}'), coalesce(not_before, clock_timestamp()),
          coalesce((SELECT p.owner FROM etl.pipelines p WHERE p.name = _new_run.name),
                   (SELECT w.owner FROM etl.workflows w WHERE w.name = _new_run.name)))
  RETURNING id INTO rid;
  RETURN rid;
END $$;

-- Loads a pipeline's new files (or all, for replace) into its target. Runs in the
-- caller's transaction: data, processed files, rejects and lineage commit together.
CREATE FUNCTION etl._execute_pipeline(rid bigint) RETURNS void LANGUAGE plpgsql AS $$
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
BEGIN
  SELECT * INTO STRICT r FROM etl.runs WHERE id = rid;
  SELECT * INTO p FROM etl.pipelines WHERE name = r.pipeline;
  IF NOT FOUND THEN RAISE EXCEPTION 'pipeline "%" does not exist', r.pipeline USING ERRCODE = 'undefined_object'; END IF;
  -- One run of a pipeline at a time decides which files are new: exactly once.
  PERFORM pg_advisory_xact_lock(hashtextextended('pg_etl pipeline ' || p.name, 0));
  SELECT * INTO src FROM etl._source_of(p.source);
  opts := etl._load_options(src.options || p.options || coalesce(r.params->'options', '{}'));
  max_files := coalesce((p.options->>'max_files_per_run')::int, 2147483647);

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

  has_run_col := EXISTS (SELECT FROM pg_attribute WHERE attrelid = p.target AND attname = '_etl_run_id' AND NOT attisdropped);
  IF p.transform IS NULL AND p.write_mode IN ('append', 'replace') THEN
    -- Straight into the target through COPY.
    IF p.write_mode = 'replace' THEN EXECUTE format('TRUNCATE %s', p.target); END IF;
    IF has_run_col THEN
      opts := opts || jsonb_build_object('set', coalesce(opts->'set', '{}') || jsonb_build_object('_etl_run_id', rid));
    END IF;
    SELECT * INTO res FROM etl._load_files(p.target, src.url, files, opts);
    written := res.rows_loaded;
  ELSE
    -- Through the staging relation "input", then the transform and the write mode.
    EXECUTE format('CREATE TEMP TABLE input (%s)',
                   coalesce(p.input_columns, etl._input_columns(p.options, p.source, p.target, p.transform)));
    SELECT * INTO res FROM etl._load_files('pg_temp.input'::regclass, src.url, files, opts);
    written := etl._write_output(p, rid, has_run_col);
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
  INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
  VALUES (rid, p.name, 'output', 'table', p.target::text, written);
  UPDATE etl.runs SET rows_read = res.rows_loaded + res.rows_rejected, rows_written = written,
                      rows_rejected = res.rows_rejected, bytes_read = res.bytes_read, files = res.files,
                      load_id = res.load_id
   WHERE id = rid;
END $$;

-- Writes the transform's output (or "input" itself) into the target by write mode.
CREATE FUNCTION etl._write_output(p etl.pipelines, rid bigint, has_run_col boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  query text := coalesce(p.transform, 'SELECT * FROM input');
  del_col text := p.options->'merge_delete'->>'column';
  del_val text := coalesce(p.options->'merge_delete'->>'value', 'true');
  cols text[];
  collist text;
  keys text;
  updates text;
  n bigint := 0;
  deleted bigint := 0;
BEGIN
  EXECUTE format('CREATE TEMP VIEW _etl_out AS %s', query);
  SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO cols
    FROM pg_attribute a WHERE a.attrelid = 'pg_temp._etl_out'::regclass AND a.attnum > 0
     AND a.attname IS DISTINCT FROM del_col AND a.attname <> '_etl_run_id'
     AND EXISTS (SELECT FROM pg_attribute t WHERE t.attrelid = p.target AND t.attname = a.attname AND NOT t.attisdropped);
  DROP VIEW pg_temp._etl_out;
  SELECT string_agg(quote_ident(c), ', ') INTO collist FROM unnest(cols) c;
  IF p.write_mode = 'replace' THEN EXECUTE format('TRUNCATE %s', p.target); END IF;
  IF p.write_mode IN ('append', 'replace') THEN
    EXECUTE format('INSERT INTO %s (%s%s) SELECT %s%s FROM (%s) t', p.target, collist,
                   CASE WHEN has_run_col THEN ', _etl_run_id' ELSE '' END, collist,
                   CASE WHEN has_run_col THEN ', ' || rid ELSE '' END, query);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END IF;
  -- merge: the latest row per key wins (input order); a delete marker deletes
  SELECT string_agg(quote_ident(k), ', ') INTO keys FROM unnest(p.merge_key) k;
  SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ') INTO updates FROM unnest(cols) c WHERE c <> ALL (p.merge_key);
  IF has_run_col THEN updates := concat_ws(', ', updates, '_etl_run_id = EXCLUDED._etl_run_id'); END IF;
  EXECUTE format('CREATE TEMP TABLE _etl_latest AS SELECT DISTINCT ON (%s) * FROM '
                 '(SELECT s.*, row_number() OVER () AS _etl_row FROM (%s) s) n ORDER BY %s, _etl_row DESC', keys, query, keys);
  IF del_col IS NOT NULL THEN
    EXECUTE format('DELETE FROM %s t USING _etl_latest l WHERE %s AND l.%I::text = %L', p.target,
                   (SELECT string_agg(format('t.%1$I = l.%1$I', k), ' AND ') FROM unnest(p.merge_key) k), del_col, del_val);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    EXECUTE format('DELETE FROM _etl_latest WHERE %I::text = %L', del_col, del_val);
  END IF;
  EXECUTE format('INSERT INTO %s AS t (%s%s) SELECT %s%s FROM _etl_latest ON CONFLICT (%s) DO %s', p.target, collist,
                 CASE WHEN has_run_col THEN ', _etl_run_id' ELSE '' END, collist,
                 CASE WHEN has_run_col THEN ', ' || rid ELSE '' END, keys,
                 CASE WHEN updates IS NULL THEN 'NOTHING' ELSE 'UPDATE SET ' || updates END);
  GET DIAGNOSTICS n = ROW_COUNT;
  DROP TABLE pg_temp._etl_latest;
  RETURN n + deleted;
END $$;

-- ---- workflows (DAGs of pipelines and SQL steps) --------------------------------------------
CREATE FUNCTION etl.create_workflow(name text, steps jsonb, schedule text DEFAULT NULL, options jsonb DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s jsonb;
  names text[] := '{}';
  step_name text;
  dep text;
  kinds int;
  remaining text[];
  progressed boolean;
BEGIN
  IF EXISTS (SELECT FROM etl.pipelines p WHERE p.name = create_workflow.name)
     OR EXISTS (SELECT FROM etl.workflows w WHERE w.name = create_workflow.name) THEN
    RAISE EXCEPTION 'a pipeline or workflow named "%" already exists', name USING ERRCODE = 'duplicate_object';
  END IF;
  IF jsonb_typeof(steps) IS DISTINCT FROM 'array' OR jsonb_array_length(steps) = 0 THEN
    RAISE EXCEPTION 'steps must be a non-empty JSON array' USING ERRCODE = 'invalid_parameter_value',
      HINT = '[{"name": "load", "pipeline": "orders"}, {"name": "check", "sql": "...", "depends_on": ["load"]}]';
  END IF;
  FOR s IN SELECT * FROM jsonb_array_elements(steps) LOOP
    step_name := s->>'name';
    IF step_name IS NULL OR step_name = ANY (names) THEN
      RAISE EXCEPTION 'every step needs a unique "name" (step %)', coalesce(step_name, s::text) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    names := names || step_name;
    kinds := (s ? 'pipeline')::int + (s ? 'sql')::int + (s ? 'crawl')::int;
    IF kinds <> 1 THEN
      RAISE EXCEPTION 'step "%" must have exactly one of "pipeline", "sql" or "crawl"', step_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s ? 'pipeline' AND NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = s->>'pipeline') THEN
      RAISE EXCEPTION 'step "%" runs pipeline "%", which does not exist', step_name, s->>'pipeline' USING ERRCODE = 'undefined_object';
    END IF;
    IF s ? 'crawl' AND to_regprocedure('etl.crawl(text,text,jsonb)') IS NULL THEN
      RAISE EXCEPTION 'step "%": crawl steps need etl.crawl, which this version of pg_etl does not have', step_name
        USING ERRCODE = 'feature_not_supported', HINT = 'use a "sql" step meanwhile';
    END IF;
    IF s ? 'depends_on' AND jsonb_typeof(s->'depends_on') <> 'array' THEN
      RAISE EXCEPTION 'step "%": depends_on must be an array of step names', step_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;
  FOR s IN SELECT * FROM jsonb_array_elements(steps) LOOP
    FOR dep IN SELECT jsonb_array_elements_text(coalesce(s->'depends_on', '[]')) LOOP
      IF NOT dep = ANY (names) THEN
        RAISE EXCEPTION 'step "%" depends on "%", which is not a step of this workflow', s->>'name', dep
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
    END LOOP;
  END LOOP;
  -- no cycles: peel off steps whose dependencies are all peeled
  remaining := names;
  LOOP
    progressed := false;
    FOR s IN SELECT * FROM jsonb_array_elements(steps) LOOP
      IF s->>'name' = ANY (remaining) AND NOT EXISTS (
           SELECT FROM jsonb_array_elements_text(coalesce(s->'depends_on', '[]')) d WHERE d = ANY (remaining)) THEN
        remaining := array_remove(remaining, s->>'name');
        progressed := true;
      END IF;
    END LOOP;
    EXIT WHEN NOT progressed;
  END LOOP;
  IF cardinality(remaining) > 0 THEN
    RAISE EXCEPTION 'workflow "%" has a dependency cycle among steps %', name, array_to_string(remaining, ', ')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM etl._check_schedule(coalesce(schedule, '@daily'), coalesce(options->>'timezone', 'UTC'));
  INSERT INTO etl.workflows (name, steps, schedule, options, next_run_at)
  VALUES (name, steps, schedule, options,
          CASE WHEN schedule IS NOT NULL THEN etl._cron_next(schedule, coalesce(options->>'timezone', 'UTC'), now()) END);
  PERFORM etl._wake_launcher();
END $$;
COMMENT ON FUNCTION etl.create_workflow(text, jsonb, text, jsonb) IS
  'Defines a DAG of pipeline, SQL (and crawl) steps with depends_on; steps share the run''s properties';

CREATE FUNCTION etl.drop_workflow(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM etl.workflows w WHERE w.name = drop_workflow.name;
  IF NOT FOUND THEN RAISE EXCEPTION 'workflow "%" does not exist', name USING ERRCODE = 'undefined_object'; END IF;
  UPDATE etl.runs r SET status = 'cancelled', finished_at = clock_timestamp(), error = 'workflow dropped'
   WHERE r.workflow = drop_workflow.name AND r.status = 'queued';
END $$;

-- Run properties: shared by the steps of one run (Glue workflow run properties).
CREATE FUNCTION etl.run_property(key text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('pg_etl.run_properties', true), '')::jsonb->>key
$$;
CREATE FUNCTION etl.set_run_property(key text, value text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  rid bigint := nullif(current_setting('pg_etl.run_id', true), '')::bigint;
  props jsonb;
BEGIN
  IF rid IS NULL THEN RAISE EXCEPTION 'etl.set_run_property works only inside a run' USING ERRCODE = 'object_not_in_prerequisite_state'; END IF;
  UPDATE etl.runs SET params = params || jsonb_build_object(key, value) WHERE id = rid RETURNING params INTO props;
  PERFORM set_config('pg_etl.run_properties', props::text, true);
END $$;
CREATE FUNCTION etl.current_run_id() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('pg_etl.run_id', true), '')::bigint
$$;

-- Runs the steps of a workflow run whose dependencies have succeeded, in definition
-- order. A failed step stops what depends on it; steps that succeeded stay done (and
-- committed with the run). Returns the first failure, or NULL.
CREATE FUNCTION etl._execute_workflow(rid bigint, OUT failure text, OUT failure_state text) LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  w etl.workflows;
  st etl.run_steps;
  def jsonb;
  child bigint;
  ok boolean;
  msg text;
  state text;
  n bigint;
BEGIN
  SELECT * INTO STRICT r FROM etl.runs WHERE id = rid;
  SELECT * INTO w FROM etl.workflows WHERE name = r.workflow;
  IF NOT FOUND THEN RAISE EXCEPTION 'workflow "%" does not exist', r.workflow USING ERRCODE = 'undefined_object'; END IF;
  IF NOT EXISTS (SELECT FROM etl.run_steps WHERE run_id = rid) THEN
    INSERT INTO etl.run_steps (run_id, step, kind, depends_on, status)
    SELECT rid, s->>'name', CASE WHEN s ? 'pipeline' THEN 'pipeline' WHEN s ? 'sql' THEN 'sql' ELSE 'crawl' END,
           ARRAY(SELECT jsonb_array_elements_text(coalesce(s->'depends_on', '[]'))), 'pending'
      FROM jsonb_array_elements(w.steps) s;
  END IF;
  LOOP
    -- steps below a failed or skipped one will not run
    UPDATE etl.run_steps s SET status = 'skipped'
     WHERE s.run_id = rid AND s.status = 'pending'
       AND EXISTS (SELECT FROM etl.run_steps d WHERE d.run_id = rid AND d.step = ANY (s.depends_on)
                                                 AND d.status IN ('failed', 'skipped'));
    CONTINUE WHEN FOUND;
    SELECT s.* INTO st FROM etl.run_steps s
      JOIN jsonb_array_elements(w.steps) WITH ORDINALITY AS d(def, pos) ON d.def->>'name' = s.step
     WHERE s.run_id = rid AND s.status = 'pending'
       AND NOT EXISTS (SELECT FROM etl.run_steps x WHERE x.run_id = rid AND x.step = ANY (s.depends_on) AND x.status <> 'succeeded')
     ORDER BY d.pos LIMIT 1;
    EXIT WHEN NOT FOUND;
    SELECT d INTO def FROM jsonb_array_elements(w.steps) d WHERE d->>'name' = st.step;
    UPDATE etl.run_steps SET status = 'running', started_at = clock_timestamp(), error = NULL, sqlstate = NULL
     WHERE run_id = rid AND step = st.step;
    ok := true;
    n := NULL;
    child := NULL;
    IF st.kind = 'pipeline' THEN
      -- the pipeline's own run records its work; its failure is rolled back there
      child := etl._new_run(def->>'pipeline', 'workflow',
                            (SELECT params FROM etl.runs WHERE id = rid) || jsonb_build_object('workflow_run', rid), 'running');
      ok := etl._perform_run(child, false);
      SELECT cr.rows_written, cr.error, cr.sqlstate INTO n, msg, state FROM etl.runs cr WHERE cr.id = child;
    ELSE
      BEGIN
        IF st.kind = 'sql' THEN
          EXECUTE def->>'sql';
        ELSE
          EXECUTE 'SELECT etl.crawl($1, $2, $3)' USING def->'crawl'->>'name', def->'crawl'->>'url', coalesce(def->'crawl'->'options', '{}');
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
        ok := false;
      END;
    END IF;
    UPDATE etl.run_steps SET status = CASE WHEN ok THEN 'succeeded' ELSE 'failed' END, finished_at = clock_timestamp(),
           rows_written = n, child_run = child, error = CASE WHEN ok THEN NULL ELSE msg END,
           sqlstate = CASE WHEN ok THEN NULL ELSE state END
     WHERE run_id = rid AND step = st.step;
    IF NOT ok AND failure IS NULL THEN
      failure := format('step "%s" failed: %s', st.step, msg);
      failure_state := state;
    END IF;
  END LOOP;
END $$;

-- ---- run state ------------------------------------------------------------------------------
-- Records how an attempt ended: succeeded; failed (no retry policy, or an in-session
-- run); queued again after the retry policy's delay; dead when attempts are exhausted;
-- cancelled on request. A final outcome fires upstream triggers.
CREATE FUNCTION etl._finish_run(rid bigint, ok boolean, message text, state text, with_retries boolean,
                                cancelled boolean DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  policy jsonb;
  delay float8;
  final_status text;
  d record;
BEGIN
  SELECT * INTO STRICT r FROM etl.runs WHERE id = rid FOR UPDATE;
  SELECT coalesce((SELECT p.options->'retry' FROM etl.pipelines p WHERE p.name = r.pipeline),
                  (SELECT w.options->'retry' FROM etl.workflows w WHERE w.name = r.workflow)) INTO policy;
  IF ok THEN
    final_status := 'succeeded';
  ELSIF cancelled THEN
    final_status := 'cancelled';
  ELSIF with_retries AND policy IS NOT NULL THEN
    delay := etl._retry_delay(policy, r.attempt + 1);
    IF delay IS NOT NULL THEN
      UPDATE etl.runs SET status = 'queued', attempt = attempt + 1, not_before = clock_timestamp() + delay * interval '1 second',
             error = message, sqlstate = state, finished_at = clock_timestamp(), worker_pid = NULL
       WHERE id = rid;
      PERFORM etl._wake_launcher();
      RETURN 'queued';
    END IF;
    final_status := 'dead';
  ELSE
    final_status := 'failed';
  END IF;
  UPDATE etl.runs SET status = final_status, finished_at = clock_timestamp(),
         error = CASE WHEN ok THEN NULL ELSE message END, sqlstate = CASE WHEN ok THEN NULL ELSE state END
   WHERE id = rid;
  -- downstream pipelines and workflows triggered by this one's outcome
  FOR d IN SELECT p.name FROM etl.pipelines p
            WHERE NOT p.paused AND p.options->'trigger'->>'type' = 'upstream'
              AND p.options->'trigger'->>'pipeline' = coalesce(r.pipeline, r.workflow)
              AND coalesce(p.options->'trigger'->>'on', 'success') IN ('always', CASE WHEN ok THEN 'success' ELSE 'failure' END)
  LOOP
    PERFORM etl._new_run(d.name, 'upstream', jsonb_build_object('upstream_run', rid), 'queued');
    PERFORM etl._wake_launcher();
  END LOOP;
  RETURN final_status;
END $$;

-- Runs one attempt of a run in the current transaction; its work is undone on failure
-- (a pipeline's in a subtransaction), its outcome recorded either way.
CREATE FUNCTION etl._perform_run(rid bigint, with_retries boolean) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  ok boolean := true;
  msg text;
  state text;
  wf record;
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
    BEGIN
      PERFORM etl._execute_pipeline(rid);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
      ok := false;
    END;
  END IF;
  PERFORM etl._finish_run(rid, ok, msg, state, with_retries);
  PERFORM set_config('pg_etl.run_id', '', true);
  RETURN ok;
END $$;

-- ---- the run API ------------------------------------------------------------------------------
CREATE FUNCTION etl.run(name text, params jsonb DEFAULT '{}') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  rid bigint;
  r etl.runs;
BEGIN
  rid := etl._new_run(name, 'manual', params, 'running');
  IF NOT etl._perform_run(rid, false) THEN
    SELECT * INTO r FROM etl.runs WHERE id = rid;
    RAISE WARNING 'run % of % failed: %', rid, name, r.error USING DETAIL = 'SQLSTATE ' || r.sqlstate,
      HINT = CASE WHEN r.workflow IS NULL THEN 'the run is recorded in etl.runs; its work was rolled back'
                  ELSE format('steps that succeeded stay done; etl.resume_run(%s) re-runs the failed step and what depends on it', rid) END;
  END IF;
  RETURN rid;
END $$;
COMMENT ON FUNCTION etl.run(text, jsonb) IS 'Runs a pipeline or workflow now, in this session; returns the run id';

CREATE FUNCTION etl.enqueue(name text, params jsonb DEFAULT '{}') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE rid bigint;
BEGIN
  rid := etl._new_run(name, 'enqueue', params, 'queued');
  PERFORM etl._wake_launcher();
  RETURN rid;
END $$;
COMMENT ON FUNCTION etl.enqueue(text, jsonb) IS 'Hands a run to the background worker (started right after commit)';

-- A queued run is cancelled at once; a running one is interrupted (its worker records
-- it as cancelled). Never waits on the run: the running transaction holds its row.
CREATE FUNCTION etl.cancel(run_id bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r etl.runs;
BEGIN
  UPDATE etl.runs SET status = 'cancelled', finished_at = clock_timestamp(), error = 'cancelled'
   WHERE id = run_id AND status = 'queued';
  IF FOUND THEN RETURN 'cancelled'; END IF;
  SELECT * INTO r FROM etl.runs WHERE id = run_id;
  IF NOT FOUND THEN RAISE EXCEPTION 'run % does not exist', run_id USING ERRCODE = 'undefined_object'; END IF;
  IF r.status = 'running' THEN
    IF r.worker_pid IS NULL OR r.worker_pid = pg_backend_pid() OR NOT pg_cancel_backend(r.worker_pid) THEN
      RAISE EXCEPTION 'run % is starting or has no worker to interrupt', run_id USING ERRCODE = 'object_not_in_prerequisite_state',
        HINT = 'try again in a moment';
    END IF;
    RETURN 'cancelling';
  END IF;
  RAISE EXCEPTION 'run % has already finished (%)', run_id, r.status USING ERRCODE = 'object_not_in_prerequisite_state';
END $$;

CREATE FUNCTION etl.retry(run_id bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  r etl.runs;
  rid bigint;
BEGIN
  SELECT * INTO r FROM etl.runs WHERE id = run_id;
  IF NOT FOUND THEN RAISE EXCEPTION 'run % does not exist', run_id USING ERRCODE = 'undefined_object'; END IF;
  IF r.status NOT IN ('failed', 'dead', 'cancelled') THEN
    RAISE EXCEPTION 'run % is %; only failed, dead or cancelled runs can be retried', run_id, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  rid := etl._new_run(coalesce(r.pipeline, r.workflow), 'retry', r.params, 'queued');
  UPDATE etl.runs SET retry_of = run_id WHERE id = rid;
  PERFORM etl._wake_launcher();
  RETURN rid;
END $$;
COMMENT ON FUNCTION etl.retry(bigint) IS 'Queues a new run like a failed, dead or cancelled one';

-- Re-runs a failed workflow run's failed step and everything below it, in this session.
CREATE FUNCTION etl.resume_run(run_id bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r etl.runs;
BEGIN
  SELECT * INTO r FROM etl.runs WHERE id = run_id FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'run % does not exist', run_id USING ERRCODE = 'undefined_object'; END IF;
  IF r.status NOT IN ('failed', 'dead', 'cancelled') THEN
    RAISE EXCEPTION 'run % is %; only a failed run can be resumed', run_id, r.status USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF r.workflow IS NULL THEN RETURN etl.run(r.pipeline, r.params); END IF;
  UPDATE etl.run_steps SET status = 'pending', error = NULL, sqlstate = NULL
   WHERE run_steps.run_id = resume_run.run_id AND status IN ('failed', 'skipped', 'running');
  UPDATE etl.runs SET attempt = attempt + 1 WHERE id = run_id;
  IF NOT etl._perform_run(run_id, false) THEN
    RAISE WARNING 'run % of workflow % failed again: %', run_id, r.workflow, (SELECT error FROM etl.runs WHERE id = run_id);
  END IF;
  RETURN run_id;
END $$;

-- ---- the background worker's side ------------------------------------------------------------
-- One scheduler tick (the launcher calls it in its own transaction): enqueue scheduled
-- runs that are due, pick file-arrival polls that are due, and claim queued runs for
-- up to free_slots workers, honouring each pipeline's overlap policy.
CREATE FUNCTION etl._launcher_tick(free_slots int)
RETURNS TABLE (kind text, run_id bigint, owner name, name text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  d record;
  busy boolean;
BEGIN
  FOR d IN SELECT p.name, p.schedule, p.options FROM etl.pipelines p
            WHERE p.schedule IS NOT NULL AND NOT p.paused AND p.next_run_at <= now() FOR UPDATE SKIP LOCKED LOOP
    busy := EXISTS (SELECT FROM etl.runs r WHERE r.pipeline = d.name AND r.status IN ('queued', 'running'));
    IF NOT (busy AND d.options->>'overlap' = 'skip') THEN
      PERFORM etl._new_run(d.name, 'schedule', '{}', 'queued');
    END IF;
    UPDATE etl.pipelines p SET next_run_at = etl._cron_next(d.schedule, coalesce(d.options->>'timezone', 'UTC'), now())
     WHERE p.name = d.name;
  END LOOP;
  FOR d IN SELECT w.name, w.schedule, w.options FROM etl.workflows w
            WHERE w.schedule IS NOT NULL AND NOT w.paused AND w.next_run_at <= now() FOR UPDATE SKIP LOCKED LOOP
    busy := EXISTS (SELECT FROM etl.runs r WHERE r.workflow = d.name AND r.status IN ('queued', 'running'));
    IF NOT (busy AND d.options->>'overlap' = 'skip') THEN
      PERFORM etl._new_run(d.name, 'schedule', '{}', 'queued');
    END IF;
    UPDATE etl.workflows w SET next_run_at = etl._cron_next(d.schedule, coalesce(d.options->>'timezone', 'UTC'), now())
     WHERE w.name = d.name;
  END LOOP;

  RETURN QUERY
  WITH due AS (
    SELECT p.name FROM etl.pipelines p
     WHERE NOT p.paused AND p.options->'trigger'->>'type' = 'file_arrival'
       AND (p.last_poll_at IS NULL
            OR p.last_poll_at + coalesce((p.options->'trigger'->>'poll_interval')::float8, 60) * interval '1 second' <= now())
     FOR UPDATE SKIP LOCKED)
  UPDATE etl.pipelines p SET last_poll_at = now() FROM due WHERE p.name = due.name
  RETURNING 'poll'::text, p.id, p.owner, p.name;

  IF free_slots > 0 THEN
    RETURN QUERY
    WITH running AS (
      SELECT coalesce(r.pipeline, r.workflow) AS nm, count(*) AS n FROM etl.runs r WHERE r.status = 'running' GROUP BY 1),
    candidates AS (
      SELECT r.id, r.not_before,
             row_number() OVER (PARTITION BY coalesce(r.pipeline, r.workflow) ORDER BY r.not_before, r.id) AS k,
             coalesce(ru.n, 0) AS n_running,
             coalesce((SELECT p.options->>'overlap' FROM etl.pipelines p WHERE p.name = r.pipeline),
                      (SELECT w.options->>'overlap' FROM etl.workflows w WHERE w.name = r.workflow), 'queue') AS overlap
        FROM etl.runs r LEFT JOIN running ru ON ru.nm = coalesce(r.pipeline, r.workflow)
       WHERE r.status = 'queued' AND r.not_before <= clock_timestamp()),
    chosen AS (
      SELECT c.id FROM candidates c
       WHERE c.n_running + c.k <= CASE WHEN c.overlap ~ '^[0-9]+$' THEN c.overlap::int ELSE 1 END
       ORDER BY c.not_before, c.id LIMIT free_slots)
    UPDATE etl.runs r SET status = 'running', started_at = clock_timestamp(), worker_pid = NULL
      FROM chosen WHERE r.id = chosen.id AND r.status = 'queued'
    RETURNING 'run'::text, r.id, r.owner, coalesce(r.pipeline, r.workflow);
  END IF;
END $$;

-- The next queued run a worker may take over for the same role (workers reuse their
-- connection for runs that are waiting, which is how many short runs go fast).
CREATE FUNCTION etl._claim_next(for_owner name) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE rid bigint;
BEGIN
  SELECT r.id INTO rid FROM etl.runs r
   WHERE r.status = 'queued' AND r.owner = for_owner AND r.not_before <= clock_timestamp()
     AND NOT EXISTS (SELECT FROM etl.runs x WHERE x.status = 'running'
                        AND coalesce(x.pipeline, x.workflow) = coalesce(r.pipeline, r.workflow)
                        AND coalesce((SELECT p.options->>'overlap' FROM etl.pipelines p WHERE p.name = r.pipeline), 'queue') !~ '^[0-9]+$')
   ORDER BY r.not_before, r.id FOR UPDATE SKIP LOCKED LIMIT 1;
  IF rid IS NOT NULL THEN
    UPDATE etl.runs SET status = 'running', started_at = clock_timestamp(), worker_pid = pg_backend_pid() WHERE id = rid;
  END IF;
  RETURN rid;
END $$;

-- Runs left 'running' by a worker that is gone (crash, kill -9, restart, a role that
-- could not log in) are failed and retried by policy. Claimed runs get grace_seconds
-- to be picked up by their worker.
CREATE FUNCTION etl._recover_runs(grace_seconds int DEFAULT 60) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  r record;
  n int := 0;
BEGIN
  FOR r IN SELECT x.id FROM etl.runs x
            WHERE x.status = 'running'
              AND ((x.worker_pid IS NOT NULL AND NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = x.worker_pid))
                   OR (x.worker_pid IS NULL AND x.started_at < clock_timestamp() - grace_seconds * interval '1 second'))
            FOR UPDATE SKIP LOCKED LOOP
    PERFORM etl._finish_run(r.id, false, 'the run was interrupted: its worker stopped (server restart, crash or kill)',
                            '57P01', true);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- A file-arrival trigger's poll: queue a run when enough new files waited long enough.
CREATE FUNCTION etl._poll_pipeline(pipeline_id bigint) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  p etl.pipelines;
  src record;
  opts jsonb;
  fresh int;
  batch_size int;
  batch_window float8;
BEGIN
  SELECT * INTO p FROM etl.pipelines WHERE id = pipeline_id;
  IF NOT FOUND OR p.paused THEN RETURN 0; END IF;
  SELECT * INTO src FROM etl._source_of(p.source);
  opts := etl._load_options(src.options || p.options);
  SELECT count(*) INTO fresh FROM etl._list_files(src.url, opts) f
    LEFT JOIN etl.processed_files pf ON pf.pipeline = p.name AND pf.url = f.url
   WHERE pf.url IS NULL OR (NOT pf.skipped AND (pf.size IS DISTINCT FROM f.size OR pf.modified IS DISTINCT FROM f.modified
                                                  OR pf.etag IS DISTINCT FROM f.etag));
  IF fresh = 0 THEN
    UPDATE etl.pipelines SET pending_since = NULL WHERE pipelines.name = p.name;
    RETURN 0;
  END IF;
  batch_size := coalesce((p.options->'trigger'->>'batch_size')::int, 1);
  batch_window := coalesce((p.options->'trigger'->>'batch_window')::float8, 0);
  UPDATE etl.pipelines SET pending_since = coalesce(pending_since, now()) WHERE pipelines.name = p.name
  RETURNING pending_since INTO p.pending_since;
  IF (fresh >= batch_size OR now() - p.pending_since >= batch_window * interval '1 second')
     AND NOT EXISTS (SELECT FROM etl.runs r WHERE r.pipeline = p.name AND r.status IN ('queued', 'running')) THEN
    PERFORM etl._new_run(p.name, 'file_arrival', jsonb_build_object('new_files', fresh), 'queued');
    UPDATE etl.pipelines SET pending_since = NULL WHERE pipelines.name = p.name;
    PERFORM etl._wake_launcher();
    RETURN fresh;
  END IF;
  RETURN 0;
END $$;
