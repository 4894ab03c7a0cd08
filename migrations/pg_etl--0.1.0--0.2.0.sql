-- Upgrade pg_etl 0.1.0 -> 0.2.0: file readers, etl.load, rejects.
\echo Use "ALTER EXTENSION pg_etl UPDATE" to load this file. \quit

-- ---- 0.2.0: reading and loading files ------------------------------------------------

-- Reaching the network is a privilege (DESIGN.md, "Privileges"): superusers, and roles
-- granted etl_network. Reading server files needs pg_read_server_files.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_network') THEN
    CREATE ROLE etl_network NOLOGIN;
    COMMENT ON ROLE etl_network IS 'pg_etl: may read http(s), s3, ftp(s) and sftp URLs';
  END IF;
END $$;

-- One row per etl.load (and per read that rejected rows).
CREATE TABLE etl.loads (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target        text,                      -- schema-qualified table; NULL for reads
  url           text NOT NULL,             -- as given, credentials removed
  format        text,
  options       jsonb NOT NULL DEFAULT '{}',  -- secrets replaced by ***
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  rows_loaded   bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  bytes_read    bigint NOT NULL DEFAULT 0,
  files         integer NOT NULL DEFAULT 0,
  loaded_by     name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE etl.loads IS 'pg_etl: every etl.load call, committed with its data';

-- The files each load read.
CREATE TABLE etl.load_files (
  load_id       bigint NOT NULL REFERENCES etl.loads(id) ON DELETE CASCADE,
  url           text NOT NULL,
  size          bigint,
  modified      timestamptz,
  etag          text,
  bytes_read    bigint NOT NULL DEFAULT 0,
  records       bigint NOT NULL DEFAULT 0,
  loaded_by     name NOT NULL DEFAULT current_user,
  PRIMARY KEY (load_id, url)
);
COMMENT ON TABLE etl.load_files IS 'pg_etl: files read by each load';

-- Rows that could not be loaded, with where they came from and why.
CREATE TABLE etl.rejects (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  load_id       bigint REFERENCES etl.loads(id) ON DELETE CASCADE,
  url           text NOT NULL,
  line          bigint,
  byte_offset   bigint,
  column_name   text,
  raw           text,                      -- the record as read (first 64 kB)
  message       text NOT NULL,
  sqlstate      text NOT NULL,
  rejected_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  loaded_by     name NOT NULL DEFAULT current_user
);
CREATE INDEX rejects_load_id_idx ON etl.rejects (load_id);
COMMENT ON TABLE etl.rejects IS 'pg_etl: rejected rows (the dead-letter queue of loads)';

-- Everyone may record and read their own loads; superusers see all.
ALTER TABLE etl.loads ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.load_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_loads ON etl.loads USING (loaded_by = current_user) WITH CHECK (loaded_by = current_user);
CREATE POLICY own_load_files ON etl.load_files USING (loaded_by = current_user) WITH CHECK (loaded_by = current_user);
CREATE POLICY own_rejects ON etl.rejects USING (loaded_by = current_user) WITH CHECK (loaded_by = current_user);
GRANT USAGE ON SCHEMA etl TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.loads, etl.load_files, etl.rejects TO PUBLIC;

CREATE FUNCTION etl.read_csv(url text, options jsonb DEFAULT '{}')
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_csv'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_csv(rowtype anyelement, url text, options jsonb DEFAULT '{}')
  RETURNS SETOF anyelement AS 'MODULE_PATHNAME', 'pg_etl_read_csv_typed'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_json(url text, options jsonb DEFAULT '{}')
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_json'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_json(rowtype anyelement, url text, options jsonb DEFAULT '{}')
  RETURNS SETOF anyelement AS 'MODULE_PATHNAME', 'pg_etl_read_json_typed'
  LANGUAGE C VOLATILE;
-- With options as text: read_csv('f.csv', '{...}') has two untyped literals, which
-- PostgreSQL cannot match to (text, jsonb) against the typed form; this one it can.
CREATE FUNCTION etl.read_csv(url text, options text)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_csv'
  LANGUAGE C VOLATILE;
CREATE FUNCTION etl.read_json(url text, options text)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'pg_etl_read_json'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.read_csv(text, text) IS 'etl.read_csv(url, options) with the options as JSON text';
COMMENT ON FUNCTION etl.read_json(text, text) IS 'etl.read_json(url, options) with the options as JSON text';
COMMENT ON FUNCTION etl.read_csv(text, jsonb) IS 'Rows of a CSV file (or glob) with a column definition list';
COMMENT ON FUNCTION etl.read_csv(anyelement, text, jsonb) IS 'Rows of a CSV file (or glob) typed by a row type';
COMMENT ON FUNCTION etl.read_json(text, jsonb) IS 'Records of a JSON/NDJSON file (or glob) with a column definition list';
COMMENT ON FUNCTION etl.read_json(anyelement, text, jsonb) IS 'Records of a JSON/NDJSON file (or glob) typed by a row type';

CREATE FUNCTION etl.preview(url text, options jsonb DEFAULT '{}', max_rows int DEFAULT 20)
  RETURNS SETOF jsonb AS 'MODULE_PATHNAME', 'pg_etl_preview'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.preview(text, jsonb, int) IS 'The first rows of any supported file, one JSON object per row';

CREATE FUNCTION etl.load(target regclass, url text, options jsonb DEFAULT '{}',
                         OUT rows_loaded bigint, OUT rows_rejected bigint, OUT bytes_read bigint,
                         OUT files int, OUT load_id bigint)
  RETURNS record AS 'MODULE_PATHNAME', 'pg_etl_load'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.load(regclass, text, jsonb) IS 'Loads files into a table at COPY speed; bad rows go to etl.rejects';

CREATE FUNCTION etl.list_files(url text, options jsonb DEFAULT '{}')
  RETURNS TABLE (url text, size bigint, modified timestamptz)
  AS 'MODULE_PATHNAME', 'pg_etl_list_files'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl.list_files(text, jsonb) IS 'Files matching a URL or glob (local, S3, FTP, SFTP)';
