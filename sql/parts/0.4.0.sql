-- ---- 0.4.0: schema inference, the catalog and the crawler ------------------------------------

CREATE FUNCTION etl._infer(url text, options jsonb DEFAULT '{}') RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_infer' LANGUAGE C VOLATILE;
CREATE FUNCTION etl._crawl_plan(url text, options jsonb, exclude text[], known text[]) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_crawl_plan' LANGUAGE C VOLATILE;

CREATE FUNCTION etl.infer_schema(url text, options jsonb DEFAULT '{}')
RETURNS TABLE (column_name text, data_type text, nullable boolean, ordinal int, detail jsonb)
LANGUAGE sql VOLATILE AS $$
  SELECT c->>'name', c->>'type', (c->>'nullable')::boolean, o::int, c->'detail'
    FROM jsonb_array_elements(etl._infer(url, options)->'columns') WITH ORDINALITY AS x(c, o)
$$;
COMMENT ON FUNCTION etl.infer_schema(text, jsonb) IS
  'Column types of a CSV/JSON/NDJSON file, glob or source: options sample (records per file, or "all"), date_order, null';

-- ---- the catalog ------------------------------------------------------------------------------
CREATE TABLE etl.datasets (
  name            text PRIMARY KEY,
  crawler         text,
  location        text NOT NULL,
  format          text,
  dialect         jsonb,
  read_options    jsonb,             -- the crawl's reading options (secrets masked): etl.load_dataset reuses them
  partition_keys  text[] NOT NULL DEFAULT '{}',
  target          text,              -- schema.table created or managed for it
  current_version int NOT NULL DEFAULT 1,
  files           int,
  bytes           bigint,
  last_modified   timestamptz,
  owner           name NOT NULL DEFAULT current_user,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.datasets IS 'pg_etl catalog: datasets found by crawls (location, format, partitions, table, version)';

CREATE TABLE etl.dataset_columns (
  dataset           text NOT NULL REFERENCES etl.datasets(name) ON DELETE CASCADE,
  name              text NOT NULL,
  ordinal           int NOT NULL,
  data_type         text NOT NULL,
  nullable          boolean NOT NULL DEFAULT true,
  is_partition_key  boolean NOT NULL DEFAULT false,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated')),
  date_format       text,             -- the spelling loads must read (DD.MM.YYYY, ...)
  null_count        bigint,
  distinct_estimate bigint,
  min_value         text,
  max_value         text,
  sampled_values    bigint,
  detail            jsonb,
  first_version     int NOT NULL DEFAULT 1,
  last_seen_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dataset, name)
);
COMMENT ON TABLE etl.dataset_columns IS 'pg_etl catalog: columns, types and statistics of each dataset';

CREATE TABLE etl.dataset_partitions (
  dataset       text NOT NULL REFERENCES etl.datasets(name) ON DELETE CASCADE,
  "values"      jsonb NOT NULL,
  location      text NOT NULL,
  files         int NOT NULL,
  bytes         bigint NOT NULL,
  last_modified timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dataset, "values")
);
COMMENT ON TABLE etl.dataset_partitions IS 'pg_etl catalog: partitions of each dataset (values, location, files, bytes)';

CREATE TABLE etl.dataset_versions (
  dataset    text NOT NULL REFERENCES etl.datasets(name) ON DELETE CASCADE,
  version    int NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  diff       jsonb NOT NULL,
  schema     jsonb NOT NULL,
  PRIMARY KEY (dataset, version)
);
COMMENT ON TABLE etl.dataset_versions IS 'pg_etl catalog: every schema change of a dataset, with its diff';

CREATE TABLE etl.crawl_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  crawler   text NOT NULL,
  run_id    bigint,
  logged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  dataset   text,
  decision  text NOT NULL,
  reason    text
);
COMMENT ON TABLE etl.crawl_log IS 'pg_etl catalog: every decision a crawl made and why';

CREATE TABLE etl.crawled_files (
  crawler    text NOT NULL,
  url        text NOT NULL,
  size       bigint,
  modified   timestamptz,
  etag       text,
  dataset    text,
  columns    text[],           -- the columns found in it (a column no file has is deprecated)
  crawled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (crawler, url)
);
COMMENT ON TABLE etl.crawled_files IS 'pg_etl catalog: files each crawler has read (incremental crawls re-read only changes)';

GRANT SELECT, INSERT, UPDATE, DELETE ON etl.datasets, etl.dataset_columns, etl.dataset_partitions, etl.dataset_versions,
  etl.crawl_log, etl.crawled_files TO PUBLIC;

-- The widening lattice of schema evolution: integer -> bigint -> numeric, double joins
-- numeric as numeric (exact), date -> timestamp -> timestamptz, anything else -> text.
CREATE FUNCTION etl._widen(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN a = b THEN a
    WHEN a IN ('integer', 'bigint', 'numeric') AND b IN ('integer', 'bigint', 'numeric') THEN
      (ARRAY['integer', 'bigint', 'numeric'])[greatest(array_position(ARRAY['integer', 'bigint', 'numeric'], a),
                                                        array_position(ARRAY['integer', 'bigint', 'numeric'], b))]
    WHEN a IN ('integer', 'bigint', 'double precision') AND b IN ('integer', 'bigint', 'double precision') THEN 'double precision'
    WHEN a IN ('integer', 'bigint', 'numeric', 'double precision') AND b IN ('integer', 'bigint', 'numeric', 'double precision') THEN 'numeric'
    WHEN a IN ('date', 'timestamp without time zone') AND b IN ('date', 'timestamp without time zone') THEN 'timestamp without time zone'
    WHEN a IN ('date', 'timestamp without time zone', 'timestamp with time zone')
     AND b IN ('date', 'timestamp without time zone', 'timestamp with time zone') THEN 'timestamp with time zone'
    ELSE 'text'
  END
$$;

CREATE FUNCTION etl._crawl_log(crawler text, dataset text, decision text, reason text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO etl.crawl_log (crawler, run_id, dataset, decision, reason) VALUES (crawler, etl.current_run_id(), dataset, decision, reason)
$$;

-- Creates the dataset's table, or brings it up to the catalog: new columns added,
-- widened types altered, new partitions attached. Same transaction as the catalog.
CREATE FUNCTION etl._sync_table(ds text, table_schema text, partitioned boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d etl.datasets;
  tbl text;
  rel regclass;
  c record;
  cols text;
  first_key text;
  v text;
  child text;
BEGIN
  SELECT * INTO STRICT d FROM etl.datasets WHERE name = ds;
  tbl := coalesce(d.target, format('%I.%I', table_schema, d.name));
  rel := to_regclass(tbl);
  first_key := d.partition_keys[1];
  IF rel IS NULL THEN
    SELECT string_agg(format('%I %s', name, data_type), ', ' ORDER BY is_partition_key, ordinal) INTO cols
      FROM etl.dataset_columns WHERE dataset = ds;
    EXECUTE format('CREATE TABLE %s (%s)%s', tbl, cols,
                   CASE WHEN partitioned AND first_key IS NOT NULL THEN format(' PARTITION BY LIST (%I)', first_key) ELSE '' END);
    rel := tbl::regclass;
    IF partitioned AND first_key IS NOT NULL THEN
      EXECUTE format('CREATE TABLE %s PARTITION OF %s DEFAULT', tbl || '_default', tbl);
    END IF;
    UPDATE etl.datasets SET target = tbl WHERE name = ds;
    PERFORM etl._crawl_log(d.crawler, ds, 'created table ' || tbl,
                           CASE WHEN partitioned AND first_key IS NOT NULL THEN 'partitioned by list of ' || first_key
                                ELSE 'option create_table' END);
  ELSE
    FOR c IN SELECT dc.name, dc.data_type, format_type(a.atttypid, a.atttypmod) AS table_type
               FROM etl.dataset_columns dc
               LEFT JOIN pg_attribute a ON a.attrelid = rel AND a.attname = dc.name AND NOT a.attisdropped
              WHERE dc.dataset = ds AND dc.status = 'active' ORDER BY dc.is_partition_key, dc.ordinal LOOP
      IF c.table_type IS NULL THEN
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', tbl, c.name, c.data_type);
        PERFORM etl._crawl_log(d.crawler, ds, format('added column %s %s to %s', c.name, c.data_type, tbl), 'new in the files');
      ELSIF c.table_type <> c.data_type AND etl._widen(c.table_type, c.data_type) = c.data_type THEN
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE %s USING %I::%s', tbl, c.name, c.data_type, c.name, c.data_type);
        PERFORM etl._crawl_log(d.crawler, ds, format('altered %s.%s from %s to %s', tbl, c.name, c.table_type, c.data_type),
                               'widened: the files hold values the old type cannot');
      END IF;
    END LOOP;
  END IF;
  IF partitioned AND first_key IS NOT NULL AND (SELECT relkind FROM pg_class WHERE oid = rel) = 'p' THEN
    FOR v IN SELECT DISTINCT p."values"->>first_key FROM etl.dataset_partitions p WHERE p.dataset = ds AND p."values"->>first_key <> '' LOOP
      child := format('%I.%I', table_schema, left(d.name || '_' || regexp_replace(lower(v), '[^a-z0-9]+', '_', 'g'), 63));
      -- a bound renders quoted for text keys and bare for numbers: accept both spellings
      IF to_regclass(child) IS NULL AND NOT EXISTS (
           SELECT FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhrelid
            WHERE i.inhparent = rel
              AND pg_get_expr(pc.relpartbound, pc.oid) IN (format('FOR VALUES IN (%L)', v), format('FOR VALUES IN (%s)', v))) THEN
        -- rows of this value may sit in the default partition: move them along
        EXECUTE format('CREATE TABLE %s (LIKE %s)', child, tbl);
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I = %L RETURNING *) INSERT INTO %s SELECT * FROM moved',
                       tbl || '_default', first_key, v, child);
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%L)', tbl, child, v);
        PERFORM etl._crawl_log(d.crawler, ds, format('attached partition %s for %s = %s', child, first_key, v), 'new partition in the files');
      END IF;
    END LOOP;
  END IF;
  RETURN tbl;
END $$;

-- ---- the crawler --------------------------------------------------------------------------------
CREATE FUNCTION etl._crawl_keys() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['exclude', 'create_table', 'partitioned', 'table_schema', 'table_prefix',
               'on_new_column', 'on_type_change', 'on_missing_column']
$$;

CREATE FUNCTION etl.crawl(name text, url text, options jsonb DEFAULT '{}')
RETURNS TABLE (dataset text, action text, version int, columns int, partitions int, files int)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
  reader jsonb := (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(options) WHERE key <> ALL (etl._crawl_keys()));
  on_new text := coalesce(options->>'on_new_column', 'add');
  on_change text := coalesce(options->>'on_type_change', 'widen');
  on_missing text := coalesce(options->>'on_missing_column', 'keep');
  prefix text := coalesce(options->>'table_prefix', '');
  plan jsonb;
  d jsonb;
  col jsonb;
  ds text;
  cur etl.datasets;
  old etl.dataset_columns;
  changes jsonb;
  new_type text;
  n int;
  decision jsonb;
  gone jsonb;
BEGIN
  IF name IS NULL OR url IS NULL THEN
    RAISE EXCEPTION 'etl.crawl needs a name (the crawler''s, for its state and log) and a url' USING ERRCODE = 'null_value_not_allowed',
      HINT = 'in a workflow: {"name": "crawl", "crawl": {"name": "lake", "url": "s3://bucket/lake/"}}';
  END IF;
  IF on_new NOT IN ('add', 'log', 'fail') OR on_change NOT IN ('widen', 'log', 'fail') OR on_missing NOT IN ('keep', 'log') THEN
    RAISE EXCEPTION 'crawl policies: on_new_column add|log|fail, on_type_change widen|log|fail, on_missing_column keep|log'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM etl._check_options(reader);
  plan := etl._crawl_plan(url, reader,
                          ARRAY(SELECT jsonb_array_elements_text(coalesce(options->'exclude', '[]'))),
                          ARRAY(SELECT f.url || '|' || coalesce(f.size, -1) || '|' || coalesce(extract(epoch FROM f.modified)::bigint, -1)
                                       || '|' || coalesce(f.etag, '') || '|'
                                       -- a file regrouped into another dataset is read again
                                       || CASE WHEN starts_with(f.dataset, prefix) THEN substr(f.dataset, length(prefix) + 1) ELSE '/' END
                                  FROM etl.crawled_files f WHERE f.crawler = name));
  FOR decision IN SELECT * FROM jsonb_array_elements(plan->'decisions') LOOP
    PERFORM etl._crawl_log(name, nullif(prefix || (decision->>'dataset'), prefix), decision->>'decision', decision->>'reason');
  END LOOP;
  FOR d IN SELECT * FROM jsonb_array_elements(plan->'datasets') LOOP
    ds := prefix || (d->>'name');
    changes := '[]';
    SELECT * INTO cur FROM etl.datasets x WHERE x.name = ds;
    -- the files first: which columns each file has decides what is deprecated
    DELETE FROM etl.crawled_files f
     WHERE f.crawler = name AND f.dataset = ds AND NOT EXISTS (SELECT FROM jsonb_array_elements(d->'files') x WHERE x->>'url' = f.url);
    INSERT INTO etl.crawled_files AS f (crawler, url, size, modified, etag, dataset, columns)
    SELECT name, x->>'url', nullif((x->>'size')::bigint, -1),
           CASE WHEN (x->>'modified')::bigint >= 0 THEN to_timestamp((x->>'modified')::bigint) END, nullif(x->>'etag', ''), ds,
           ARRAY(SELECT jsonb_array_elements_text(x->'columns'))
      FROM jsonb_array_elements(d->'files') x
     WHERE (x->>'changed')::boolean
    ON CONFLICT ON CONSTRAINT crawled_files_pkey DO UPDATE
      SET size = EXCLUDED.size, modified = EXCLUDED.modified, etag = EXCLUDED.etag, dataset = EXCLUDED.dataset,
          columns = EXCLUDED.columns, crawled_at = now();
    IF cur.name IS NULL THEN
      IF d->'schema' IS NULL OR jsonb_typeof(d->'schema') = 'null' THEN CONTINUE; END IF;
      INSERT INTO etl.datasets (name, crawler, location, format, dialect, read_options, partition_keys)
      VALUES (ds, name, d->>'location', d->'schema'->>'format', d->'schema'->'dialect', etl._redact_options(reader),
              ARRAY(SELECT k->>'name' FROM jsonb_array_elements(d->'partition_keys') k));
      INSERT INTO etl.dataset_columns (dataset, name, ordinal, data_type, nullable, date_format, null_count, distinct_estimate,
                                       min_value, max_value, sampled_values, detail)
      SELECT ds, c->>'name', o, c->>'type', (c->>'nullable')::boolean, c->'detail'->>'format', (c->'detail'->>'nulls')::bigint,
             (c->'detail'->>'distinct_estimate')::bigint, c->'detail'->>'min', c->'detail'->>'max', (c->'detail'->>'values')::bigint,
             c->'detail'
        FROM jsonb_array_elements(d->'schema'->'columns') WITH ORDINALITY AS x(c, o);
      INSERT INTO etl.dataset_columns (dataset, name, ordinal, data_type, nullable, is_partition_key)
      SELECT ds, k->>'name', 1000 + o, k->>'type', false, true FROM jsonb_array_elements(d->'partition_keys') WITH ORDINALITY AS x(k, o)
      ON CONFLICT ON CONSTRAINT dataset_columns_pkey DO UPDATE SET is_partition_key = true;
      INSERT INTO etl.dataset_versions (dataset, version, diff, schema)
      VALUES (ds, 1, jsonb_build_object('created', (SELECT jsonb_agg(c->>'name') FROM jsonb_array_elements(d->'schema'->'columns') c)),
              d->'schema');
      PERFORM etl._crawl_log(name, ds, 'created dataset ' || ds,
                             format('%s file%s, %s column%s, format %s',
                                    jsonb_array_length(d->'files'), CASE WHEN jsonb_array_length(d->'files') = 1 THEN '' ELSE 's' END,
                                    jsonb_array_length(d->'schema'->'columns'), CASE WHEN jsonb_array_length(d->'schema'->'columns') = 1 THEN '' ELSE 's' END,
                                    d->'schema'->>'format'));
      action := 'created';
    ELSE
      action := 'unchanged';
      IF d->'schema' IS NOT NULL AND jsonb_typeof(d->'schema') <> 'null' THEN
        FOR col IN SELECT * FROM jsonb_array_elements(d->'schema'->'columns') LOOP
          SELECT * INTO old FROM etl.dataset_columns x WHERE x.dataset = ds AND x.name = col->>'name';
          IF NOT FOUND THEN
            IF on_new = 'fail' THEN
              RAISE EXCEPTION 'crawl %: dataset % has a new column % (%)', name, ds, col->>'name', col->>'type'
                USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'on_new_column is fail';
            ELSIF on_new = 'add' THEN
              INSERT INTO etl.dataset_columns (dataset, name, ordinal, data_type, nullable, date_format, detail, first_version)
              VALUES (ds, col->>'name', (SELECT coalesce(max(ordinal), 0) + 1 FROM etl.dataset_columns x WHERE x.dataset = ds AND NOT x.is_partition_key),
                      col->>'type', true, col->'detail'->>'format', col->'detail', cur.current_version + 1);
              changes := changes || jsonb_build_object('added', col->>'name', 'type', col->>'type');
            END IF;
            PERFORM etl._crawl_log(name, ds, format('new column %s (%s)', col->>'name', col->>'type'),
                                   'on_new_column is ' || on_new);
            CONTINUE;
          END IF;
          new_type := etl._widen(old.data_type, col->>'type');
          IF new_type <> old.data_type THEN
            IF on_change = 'fail' THEN
              RAISE EXCEPTION 'crawl %: column %.% changes from % to %', name, ds, old.name, old.data_type, col->>'type'
                USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'on_type_change is fail';
            ELSIF on_change = 'widen' THEN
              UPDATE etl.dataset_columns x SET data_type = new_type WHERE x.dataset = ds AND x.name = old.name;
              changes := changes || jsonb_build_object('widened', old.name, 'from', old.data_type, 'to', new_type);
            END IF;
            PERFORM etl._crawl_log(name, ds, format('column %s: %s in the table, %s in new files', old.name, old.data_type, col->>'type'),
                                   CASE on_change WHEN 'widen' THEN 'widened to ' || new_type ELSE 'on_type_change is log' END);
          END IF;
          UPDATE etl.dataset_columns x
             SET null_count = (col->'detail'->>'nulls')::bigint, distinct_estimate = (col->'detail'->>'distinct_estimate')::bigint,
                 min_value = col->'detail'->>'min', max_value = col->'detail'->>'max', sampled_values = (col->'detail'->>'values')::bigint,
                 detail = col->'detail', last_seen_at = now(), status = 'active'
           WHERE x.dataset = ds AND x.name = old.name;
        END LOOP;
      END IF;
      -- columns no file of the dataset has any more
      FOR old IN SELECT * FROM etl.dataset_columns x
                  WHERE x.dataset = ds AND NOT x.is_partition_key AND x.status = 'active'
                    AND NOT EXISTS (SELECT FROM etl.crawled_files f WHERE f.crawler = name AND f.dataset = ds AND x.name = ANY (f.columns)) LOOP
        IF on_missing = 'keep' THEN
          UPDATE etl.dataset_columns x SET status = 'deprecated' WHERE x.dataset = ds AND x.name = old.name;
          changes := changes || jsonb_build_object('deprecated', old.name);
        END IF;
        PERFORM etl._crawl_log(name, ds, format('column %s is in none of the files', old.name),
                               CASE on_missing WHEN 'keep' THEN 'kept, marked deprecated' ELSE 'on_missing_column is log' END);
      END LOOP;
      IF jsonb_array_length(changes) > 0 THEN
        UPDATE etl.datasets x SET current_version = current_version + 1, updated_at = now() WHERE x.name = ds;
        INSERT INTO etl.dataset_versions (dataset, version, diff, schema)
        VALUES (ds, cur.current_version + 1, jsonb_build_object('changes', changes), d->'schema');
        action := 'updated';
      END IF;
    END IF;
    -- partitions and files, for every dataset seen
    INSERT INTO etl.dataset_partitions AS p (dataset, "values", location, files, bytes, last_modified)
    SELECT ds, x->'values', x->>'location', (x->>'files')::int, (x->>'bytes')::bigint,
           CASE WHEN (x->>'modified')::bigint >= 0 THEN to_timestamp((x->>'modified')::bigint) END
      FROM jsonb_array_elements(d->'partitions') x
    ON CONFLICT ON CONSTRAINT dataset_partitions_pkey DO UPDATE
      SET location = EXCLUDED.location, files = EXCLUDED.files, bytes = EXCLUDED.bytes,
          last_modified = EXCLUDED.last_modified, last_seen_at = now();
    -- partitions whose files are gone (or now excluded) leave the catalog; table rows stay
    FOR gone IN DELETE FROM etl.dataset_partitions p
                 WHERE p.dataset = ds AND NOT EXISTS (SELECT FROM jsonb_array_elements(d->'partitions') x WHERE x->'values' = p."values")
                RETURNING p."values" LOOP
      PERFORM etl._crawl_log(name, ds, 'removed partition ' || gone::text, 'no files left in it');
    END LOOP;
    UPDATE etl.datasets x SET read_options = etl._redact_options(reader),
           files = (SELECT count(*) FROM etl.crawled_files f WHERE f.crawler = name AND f.dataset = ds),
           bytes = (SELECT sum(p.bytes) FROM etl.dataset_partitions p WHERE p.dataset = ds),
           last_modified = (SELECT max(p.last_modified) FROM etl.dataset_partitions p WHERE p.dataset = ds), updated_at = now()
     WHERE x.name = ds;
    IF coalesce((options->>'create_table')::boolean, false) THEN
      PERFORM etl._sync_table(ds, coalesce(options->>'table_schema', 'public'), coalesce((options->>'partitioned')::boolean, false));
    END IF;
    SELECT x.current_version INTO version FROM etl.datasets x WHERE x.name = ds;
    SELECT count(*) INTO columns FROM etl.dataset_columns x WHERE x.dataset = ds AND x.status = 'active';
    SELECT count(*) INTO partitions FROM etl.dataset_partitions x WHERE x.dataset = ds;
    files := jsonb_array_length(d->'files');
    dataset := ds;
    RETURN NEXT;
  END LOOP;
END $$;
COMMENT ON FUNCTION etl.crawl(text, text, jsonb) IS
  'Walks a location, groups files into datasets with partitions, records schemas in the catalog, optionally creates or evolves tables';

-- ---- loading a crawled dataset ---------------------------------------------------------------
CREATE FUNCTION etl.load_dataset(dataset text, options jsonb DEFAULT '{}',
                                 OUT rows_loaded bigint, OUT rows_rejected bigint, OUT bytes_read bigint,
                                 OUT files int, OUT load_id bigint)
RETURNS record LANGUAGE plpgsql AS $$
DECLARE
  d etl.datasets;
  opts jsonb;
  urls text[];
BEGIN
  SELECT * INTO d FROM etl.datasets x WHERE x.name = dataset;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'dataset "%" is not in the catalog', dataset USING ERRCODE = 'undefined_object',
      HINT = 'etl.crawl records datasets; SELECT name FROM etl.datasets lists them';
  END IF;
  IF d.target IS NULL OR to_regclass(d.target) IS NULL THEN
    RAISE EXCEPTION 'dataset "%" has no table to load into', dataset USING ERRCODE = 'undefined_table',
      HINT = 'crawl with {"create_table": true}, or UPDATE etl.datasets SET target = ''schema.table''';
  END IF;
  -- read the files as the crawl read them: format, dialect, nulls, date spellings, and the
  -- partition columns from the folders; masked secrets are left out (pass them in options)
  opts := jsonb_strip_nulls(jsonb_build_object(
            'format', d.format,
            'delimiter', d.dialect->'delimiter', 'quote', d.dialect->'quote', 'escape', d.dialect->'escape',
            'null', '["", "NA", "N/A", "null", "NULL", "-"]'::jsonb,
            'date_formats', (SELECT jsonb_object_agg(c.name, c.date_format) FROM etl.dataset_columns c
                              WHERE c.dataset = d.name AND c.date_format IS NOT NULL),
            'partition_root', d.location))
       || (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(d.read_options)
            WHERE value <> '"***"' AND key NOT IN ('sample', 'date_order'))
       || coalesce(options, '{}');
  SELECT array_agg(f.url ORDER BY f.url) INTO urls FROM etl.crawled_files f WHERE f.crawler = d.crawler AND f.dataset = d.name;
  IF urls IS NULL THEN
    RAISE EXCEPTION 'dataset "%" has no files in the catalog', dataset USING ERRCODE = 'no_data_found';
  END IF;
  SELECT * INTO rows_loaded, rows_rejected, bytes_read, files, load_id
    FROM etl._load_files(d.target::regclass, d.location, urls, opts);
END $$;
COMMENT ON FUNCTION etl.load_dataset(text, jsonb) IS
  'Loads every file of a crawled dataset into its table, read as the crawl read them, partition columns from the folders';
