-- ---- 0.5.0: secrets, API and database sources ----------------------------------------------

-- ---- secrets ------------------------------------------------------------------------------------
-- Values are sealed (AES-256-GCM) with the key in pg_etl.secret_key_file, outside the
-- database. Only the table's owner reads the table; sessions go through etl.create_secret,
-- etl.drop_secret and option resolution, which allow a secret's owner role (and its
-- members), etl_admin and superusers. README "Secrets" has the threat model.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_admin') THEN
    CREATE ROLE etl_admin NOLOGIN;
    COMMENT ON ROLE etl_admin IS 'pg_etl: may use and manage every pg_etl secret';
  END IF;
END $$;

CREATE TABLE etl.secret_store (
  name            text PRIMARY KEY,
  owner           regrole NOT NULL,
  sealed          bytea NOT NULL,         -- "PGE1" | key fingerprint | nonce | tag | ciphertext
  fields          text[] NOT NULL,        -- the names of its fields (not their values)
  key_fingerprint text NOT NULL,
  description     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON etl.secret_store FROM PUBLIC;
COMMENT ON TABLE etl.secret_store IS 'pg_etl: encrypted secrets; read only through pg_etl''s functions';

-- What a role may see of the secrets it may use: names, fields, never values.
CREATE VIEW etl.secrets AS
  SELECT name, owner, fields, description, key_fingerprint, created_at, updated_at
    FROM etl.secret_store
   WHERE pg_has_role(current_user, owner, 'MEMBER') OR pg_has_role(current_user, 'etl_admin', 'MEMBER');
GRANT SELECT ON etl.secrets TO PUBLIC;
COMMENT ON VIEW etl.secrets IS 'pg_etl: the secrets you may use (names and fields only)';

CREATE FUNCTION etl.create_secret(name text, value jsonb, description text DEFAULT NULL) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_create_secret' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.create_secret(text, jsonb, text) IS
  'Stores (or replaces) a secret, encrypted; options name it as {"secret": "name"}';
CREATE FUNCTION etl.drop_secret(name text) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_drop_secret' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.drop_secret(text) IS 'Removes a secret (its owner, etl_admin or a superuser)';

-- Incremental extraction (APIs and databases): the highest cursor value loaded so far
-- per stream, and the keys loaded within the lag window below it (so a closed lower
-- bound re-reads rows that share the watermark without loading them twice). Written
-- by etl.load in the load's own transaction.
CREATE TABLE etl.watermarks (
  name          text PRIMARY KEY,          -- incremental.state, else '<target> <- <url>'
  cursor_column text NOT NULL,
  value         text,                      -- the cursor value, as the source spells it
  boundary      jsonb NOT NULL DEFAULT '[]',  -- [[primary key, cursor value], ...]
  load_id       bigint,
  rows_skipped  bigint NOT NULL DEFAULT 0, -- rows of the last load already loaded before
  updated_at    timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.watermarks TO PUBLIC;
COMMENT ON TABLE etl.watermarks IS 'pg_etl: incremental cursors of API and database loads';

-- Forgets a watermark: the next load starts again from incremental.initial_value.
CREATE FUNCTION etl.reset_watermark(name text) RETURNS boolean LANGUAGE sql AS $$
  WITH d AS (DELETE FROM etl.watermarks w WHERE w.name = reset_watermark.name RETURNING 1) SELECT count(*) > 0 FROM d
$$;
-- Sets a watermark by hand (a backfill from a known point, say).
CREATE FUNCTION etl.set_watermark(name text, value text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO etl.watermarks AS w (name, cursor_column, value) VALUES (set_watermark.name, '', set_watermark.value)
  ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, boundary = '[]', updated_at = now()
$$;

-- Sources without files: an http(s) URL read as an API (pagination, auth, GraphQL, ...),
-- or a database (postgresql://, mysql://, mariadb://). Pipelines load them whole (or
-- from their watermark, with "incremental") instead of listing new files.
CREATE FUNCTION etl._is_stream_source(url text, options jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT url ~* '^(postgres|postgresql|mysql|mariadb)://'
      OR (url ~* '^https?://' AND options ?| ARRAY['pagination', 'auth', 'graphql', 'params', 'rate_limit',
                                                   'request_retry', 'concurrency', 'read_timeout', 'incremental'])
$$;

-- Pipelines over APIs and databases (0.5.0): as before for files.
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
  IF p.transform IS NULL AND p.write_mode IN ('append', 'replace') THEN
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
  IF stream THEN
    INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
    VALUES (rid, p.name, 'input', CASE WHEN src.url ~* '^(postgres|postgresql|mysql|mariadb)://' THEN 'query' ELSE 'api' END,
            etl._redact_url(src.url), res.rows_loaded + res.rows_rejected);
  END IF;
  INSERT INTO etl.lineage (run_id, pipeline, direction, kind, dataset, rows)
  VALUES (rid, p.name, 'output', 'table', p.target::text, written);
  UPDATE etl.runs SET rows_read = res.rows_loaded + res.rows_rejected, rows_written = written,
                      rows_rejected = res.rows_rejected, bytes_read = res.bytes_read, files = res.files,
                      load_id = res.load_id
   WHERE id = rid;
END $$;

-- Rows of a query on another database: postgresql:// or postgres:// (libpq, streamed
-- with COPY ... TO STDOUT), mysql:// or mariadb:// (MariaDB Connector/C, streamed row
-- by row). The same two typed forms as the file readers. Non-superusers need
-- etl_network, and a password in the URL (or from a secret) that the server asks for.
CREATE FUNCTION etl.read_query(url text, query text, options jsonb DEFAULT '{}')
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_query'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_query(rowtype anyelement, url text, query text, options jsonb DEFAULT '{}')
  RETURNS SETOF anyelement AS 'MODULE_PATHNAME', 'pg_etl_read_query_typed'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_query(url text, query text, options text)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_query'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.read_query(text, text, jsonb) IS 'Rows of a query on a PostgreSQL or MySQL/MariaDB server, with a column definition list';
COMMENT ON FUNCTION etl.read_query(anyelement, text, text, jsonb) IS 'Rows of a query on another database as the given row type';
COMMENT ON FUNCTION etl.read_query(text, text, text) IS 'etl.read_query(url, query, options) with the options as JSON text';
