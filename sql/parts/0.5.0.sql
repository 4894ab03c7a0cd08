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
