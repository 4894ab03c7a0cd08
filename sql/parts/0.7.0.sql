-- ---- 0.7.0: observability and alerts -----------------------------------------------------------
-- Metrics and history, SLAs and anomalies, notifications through a transactional outbox,
-- OpenLineage and column-level lineage, a Prometheus endpoint and a status page.

-- ==== [metrics] run metrics, history retention, Prometheus text, status report ==================

-- Latency histogram bounds of etl.run_stats and /metrics, in seconds (+Inf is implied).
CREATE FUNCTION etl._duration_buckets() RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600}'::float8[]
$$;

-- Cumulative metrics of every pipeline and workflow (per owner), added to when a run
-- ends (succeeded, failed, dead, cancelled). Never decremented, so Prometheus counters
-- stay monotonic when history is purged. duration_buckets[i] counts the runs that took
-- at most etl._duration_buckets()[i] seconds (cumulative, like Prometheus' le).
CREATE TABLE etl.run_stats (
  kind                text NOT NULL CHECK (kind IN ('pipeline', 'workflow')),
  name                text NOT NULL,
  owner               name NOT NULL,
  runs_succeeded      bigint NOT NULL DEFAULT 0,
  runs_failed         bigint NOT NULL DEFAULT 0,
  runs_dead           bigint NOT NULL DEFAULT 0,
  runs_cancelled      bigint NOT NULL DEFAULT 0,
  rows_read           bigint NOT NULL DEFAULT 0,
  rows_written        bigint NOT NULL DEFAULT 0,
  rows_rejected       bigint NOT NULL DEFAULT 0,
  bytes_read          bigint NOT NULL DEFAULT 0,
  files               bigint NOT NULL DEFAULT 0,
  duration_sum        float8 NOT NULL DEFAULT 0,   -- seconds, of the runs that started
  duration_count      bigint NOT NULL DEFAULT 0,
  duration_buckets    bigint[] NOT NULL DEFAULT '{0,0,0,0,0,0,0,0,0}',
  last_run_id         bigint,
  last_status         text,
  last_finished_at    timestamptz,
  last_duration       float8,
  last_success_run_id bigint,
  last_success_at     timestamptz,
  last_failure_run_id bigint,
  last_failure_at     timestamptz,
  last_error          text,                        -- of the last failed or dead run
  last_sqlstate       text,
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (kind, name, owner)
);
COMMENT ON TABLE etl.run_stats IS 'pg_etl: cumulative run metrics per pipeline and workflow (never decrease; /metrics reads them)';
ALTER TABLE etl.run_stats ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_run_stats ON etl.run_stats USING (owner = current_user);
GRANT SELECT ON etl.run_stats TO PUBLIC;

-- Finished runs, oldest first: history purges and recent windows. Partial, so only a
-- run's final update pays for the entry; failures have their own (the status page).
CREATE INDEX runs_finished_idx ON etl.runs (finished_at) WHERE status IN ('succeeded', 'failed', 'dead', 'cancelled');
CREATE INDEX runs_failures_idx ON etl.runs (finished_at) WHERE status IN ('failed', 'dead');
-- A workflow's runs by name, as runs_pipeline_idx does for pipelines.
CREATE INDEX runs_workflow_idx ON etl.runs (workflow, id) WHERE workflow IS NOT NULL;

-- Ended runs added to etl.run_stats, one upsert per pipeline or workflow however many
-- runs (C, extension/run_observer.cpp): bulk inserts of history, upgrades.
CREATE FUNCTION etl._run_stats_add(run_ids bigint[]) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_run_stats_add' LANGUAGE C VOLATILE SECURITY DEFINER;
REVOKE ALL ON FUNCTION etl._run_stats_add(bigint[]) FROM PUBLIC;

-- Run metrics and run events as runs start and end: one C trigger function
-- (extension/run_observer.cpp), 'stats' or 'events'. The WHEN clauses are evaluated
-- without a function call, so the updates that do not start or end a run cost nothing.
-- SECURITY DEFINER: the run's owner may not write etl.run_stats or see others'
-- subscriptions. No SET search_path (setting it costs more than the statements): the
-- C code prepares its statements with search_path = pg_catalog, pg_temp, and
-- PostgreSQL re-plans them with the path they were prepared with.
CREATE FUNCTION etl._observe_run() RETURNS trigger
  AS 'MODULE_PATHNAME', 'pg_etl_observe_run' LANGUAGE C SECURITY DEFINER;
REVOKE ALL ON FUNCTION etl._observe_run() FROM PUBLIC;
-- Inserts: per statement, so a bulk insert of history is one upsert per job (runs are
-- inserted queued or running, and counted when an update ends them: the trigger
-- run_ended, with the run outbox, in [events]).
CREATE TRIGGER run_stats_insert AFTER INSERT ON etl.runs REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT
  WHEN (current_setting('pg_etl.metrics', true) IS DISTINCT FROM 'off')
  EXECUTE FUNCTION etl._observe_run('stats');

-- Runs that ended before 0.7.0 (an upgrade) count too, oldest first.
SELECT etl._run_stats_add(ARRAY(SELECT id FROM etl.runs WHERE status IN ('succeeded', 'failed', 'dead', 'cancelled')));

-- Every ended run with its job's kind and name (pipeline: a pipeline's or a workflow's
-- name) and its duration. Two branches, so a filter on one pipeline reaches the runs'
-- indexes on pipeline and workflow.
CREATE VIEW etl._finished_runs WITH (security_invoker = true) AS
  SELECT 'pipeline'::text AS kind, r.pipeline, r.id, r.status, r.started_at, r.finished_at, r.rows_read, r.rows_written,
         r.rows_rejected, r.bytes_read, extract(epoch FROM r.finished_at - r.started_at)::float8 AS seconds
    FROM etl.runs r WHERE r.pipeline IS NOT NULL AND r.status IN ('succeeded', 'failed', 'dead', 'cancelled')
  UNION ALL
  SELECT 'workflow', r.workflow, r.id, r.status, r.started_at, r.finished_at, r.rows_read, r.rows_written,
         r.rows_rejected, r.bytes_read, extract(epoch FROM r.finished_at - r.started_at)::float8
    FROM etl.runs r WHERE r.workflow IS NOT NULL AND r.status IN ('succeeded', 'failed', 'dead', 'cancelled');
GRANT SELECT ON etl._finished_runs TO PUBLIC;

-- etl.metrics_minute, etl.metrics_hour, etl.metrics_day: per pipeline (or workflow) and
-- bucket of finished_at, CloudWatch's ETL metrics: rows_processed (ProcessedItemCount),
-- errors = rows_rejected + failed runs (ProcessingErrors), latency in seconds (ETLLatency),
-- throughput (rows written per second of run time).
DO $$
DECLARE
  unit text;
BEGIN
  FOREACH unit IN ARRAY ARRAY['minute', 'hour', 'day'] LOOP
    EXECUTE format($view$
      CREATE VIEW etl.metrics_%1$s WITH (security_invoker = true) AS
      SELECT date_trunc(%1$L, r.finished_at) AS bucket, r.kind, r.pipeline,
             count(*) AS runs,
             count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
             count(*) FILTER (WHERE r.status IN ('failed', 'dead')) AS failed,
             count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
             coalesce(sum(r.rows_read), 0) AS rows_read,
             coalesce(sum(r.rows_written), 0) AS rows_processed,
             coalesce(sum(r.rows_rejected), 0) AS rows_rejected,
             coalesce(sum(r.rows_rejected), 0) + count(*) FILTER (WHERE r.status IN ('failed', 'dead')) AS errors,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY r.seconds) AS latency_p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY r.seconds) AS latency_p95,
             max(r.seconds) AS latency_max,
             coalesce(sum(r.bytes_read), 0) AS bytes_read,
             sum(r.rows_written) / nullif(sum(r.seconds) FILTER (WHERE r.rows_written IS NOT NULL), 0) AS rows_per_second
        FROM etl._finished_runs r
       GROUP BY 1, 2, 3
    $view$, unit);
    EXECUTE format('COMMENT ON VIEW etl.metrics_%s IS %L', unit,
                   format('pg_etl: runs, rows, errors, latency p50/p95/max (seconds), bytes and throughput per pipeline and %s', unit));
    EXECUTE format('GRANT SELECT ON etl.metrics_%s TO PUBLIC', unit);
  END LOOP;
END $$;

-- Every pipeline and workflow at a glance: schedule, last outcomes, what runs now.
CREATE VIEW etl.pipeline_status WITH (security_invoker = true) AS
  SELECT j.kind, j.name AS pipeline, j.paused, j.schedule, j.next_run_at,
         s.last_run_id, s.last_status, s.last_finished_at, s.last_duration, s.last_success_at, s.last_failure_at,
         s.last_error, s.last_sqlstate,
         coalesce(s.runs_succeeded, 0) AS succeeded, coalesce(s.runs_failed + s.runs_dead, 0) AS failures,
         coalesce(s.rows_written, 0) AS rows_written, coalesce(s.rows_rejected, 0) AS rows_rejected,
         coalesce(q.running, 0) AS running, coalesce(q.queued, 0) AS queued, j.owner
    FROM (SELECT 'pipeline'::text AS kind, p.name, p.paused, p.schedule, p.next_run_at, p.owner FROM etl.pipelines p
          UNION ALL
          SELECT 'workflow', w.name, w.paused, w.schedule, w.next_run_at, w.owner FROM etl.workflows w) j
    LEFT JOIN etl.run_stats s ON s.kind = j.kind AND s.name = j.name AND s.owner = j.owner
    LEFT JOIN (SELECT CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END AS kind,
                      coalesce(r.pipeline, r.workflow) AS name,
                      count(*) FILTER (WHERE r.status = 'running') AS running,
                      count(*) FILTER (WHERE r.status = 'queued') AS queued
                 FROM etl.runs r WHERE r.status = 'running' OR r.status = 'queued' GROUP BY 1, 2) q
      ON q.kind = j.kind AND q.name = j.name;
COMMENT ON VIEW etl.pipeline_status IS
  'pg_etl: every pipeline and workflow: schedule, next run, last run, last success and failure (with its error), running and queued';
GRANT SELECT ON etl.pipeline_status TO PUBLIC;

-- Deletes up to batch_size runs that ended more than pg_etl.history_retention days ago,
-- oldest first (their steps and lineage go with them), never the latest run of a
-- pipeline or workflow nor its latest successful one. Returns how many it deleted: the
-- background worker calls it hourly, one transaction per batch, until it gets less
-- than a batch. etl.run_stats keeps counting what was deleted.
CREATE FUNCTION etl.purge_history(batch_size int DEFAULT 1000) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  days float8 := coalesce(nullif(current_setting('pg_etl.history_retention', true), '')::float8, 30);
  n bigint;
BEGIN
  IF days <= 0 THEN
    RETURN 0;
  END IF;
  WITH gone AS (DELETE FROM etl.runs d WHERE d.id IN (
    SELECT r.id FROM etl.runs r
     WHERE r.status IN ('succeeded', 'failed', 'dead', 'cancelled')
       AND r.finished_at < clock_timestamp() - days * interval '1 day'
       AND r.id < coalesce((SELECT max(x.id) FROM etl.runs x WHERE x.pipeline = r.pipeline),
                           (SELECT max(x.id) FROM etl.runs x WHERE x.workflow = r.workflow))
       AND (r.status <> 'succeeded'
            OR r.id < coalesce((SELECT max(x.id) FROM etl.runs x WHERE x.pipeline = r.pipeline AND x.status = 'succeeded'),
                               (SELECT max(x.id) FROM etl.runs x WHERE x.workflow = r.workflow AND x.status = 'succeeded')))
     ORDER BY r.finished_at LIMIT batch_size
     FOR UPDATE SKIP LOCKED) RETURNING d.id),
  lineage AS (DELETE FROM etl.lineage l USING gone WHERE l.run_id = gone.id)
  SELECT count(*) INTO n FROM gone;
  RETURN n;
END $$;
COMMENT ON FUNCTION etl.purge_history(int) IS
  'Deletes a batch of runs older than pg_etl.history_retention days (never a pipeline''s latest run or latest success)';
REVOKE ALL ON FUNCTION etl.purge_history(int) FROM PUBLIC;

-- ==== [events] channels, subscriptions, the outbox and its deliveries ===========================

-- One attempt to deliver an event to a webhook or e-mail channel (kind 'webhook',
-- 'openlineage' or 'email'; options as in etl.channels). A failed delivery is the result
-- {"ok": false, "status", "error", "retryable", "retry_after"}, never an ERROR; only bad
-- options raise one (22023). The outbox worker calls it; it reaches the network and
-- reads secrets, so it is not for PUBLIC.
CREATE FUNCTION etl._deliver(kind text, options jsonb, event jsonb, message_id text) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_deliver' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION etl._deliver(text, jsonb, jsonb, text) FROM PUBLIC;
COMMENT ON FUNCTION etl._deliver(text, jsonb, jsonb, text) IS 'Delivers an event to a webhook or e-mail channel once; returns the outcome';

-- The checks etl._deliver makes of a channel's options (URL scheme, addresses, headers,
-- secrets the caller may use), without sending anything: for etl.create_channel.
CREATE FUNCTION etl._check_channel(kind text, options jsonb) RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_check_channel' LANGUAGE C STABLE;

-- Where notifications go. options by kind (README "Notifications"):
--   webhook      {"url", "signing_secret", "headers", "timeout", "retry"}
--   email        {"url": "smtp://...", "from", "to": [...], "secret", "starttls", "retry", ...}
--   notify       {"channel": "pg_etl_events"}   (PostgreSQL NOTIFY, sent after commit)
--   openlineage  {"url": ".../api/v1/lineage", "headers", "retry"}   (OpenLineage run events)
-- Options hold secret names, never secrets.
CREATE TABLE etl.channels (
  name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
  kind       text NOT NULL CHECK (kind IN ('webhook', 'email', 'notify', 'openlineage')),
  options    jsonb NOT NULL DEFAULT '{}',
  owner      name NOT NULL DEFAULT current_user,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.channels IS 'pg_etl: notification channels (webhook, e-mail, NOTIFY, OpenLineage)';

-- Which events go to which channel. pipeline: a pipeline or workflow name (NULL: all of
-- the subscriber's). min_rejected / min_reject_rate: thresholds for rows_rejected.
CREATE TABLE etl.subscriptions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel         text NOT NULL REFERENCES etl.channels(name) ON DELETE CASCADE ON UPDATE CASCADE,
  events          text[] NOT NULL,
  pipeline        text,
  min_rejected    bigint NOT NULL DEFAULT 1,
  min_reject_rate float8 NOT NULL DEFAULT 0,
  owner           name NOT NULL DEFAULT current_user,
  created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.subscriptions IS 'pg_etl: which events each channel receives';

-- The outbox: every event, committed with what caused it (a run's end: with its row in
-- etl.run_outbox, from which the worker writes the event moments later).
CREATE TABLE etl.events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       text NOT NULL,
  severity   text NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
  pipeline   text,
  run_id     bigint,
  subject    text NOT NULL,
  payload    jsonb NOT NULL,
  owner      name,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_created_idx ON etl.events USING brin (created_at);
COMMENT ON TABLE etl.events IS 'pg_etl: what happened (runs, rejects, quality, SLAs, anomalies, restarts); the outbox';

-- One row per event and channel: the worker delivers it after commit and retries it.
CREATE TABLE etl.deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        bigint NOT NULL,  -- etl.events(id); see "no foreign keys" below
  channel         text NOT NULL,    -- etl.channels(name)
  message_id      text NOT NULL,    -- the same on every attempt (X-PgEtl-Delivery, Message-ID)
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_attempt_at timestamptz,
  delivered_at    timestamptz,
  last_status     int,              -- HTTP status or SMTP reply, when there was one
  last_error      text
);

-- No foreign keys on the rows every run writes (deliveries here, lineage rows): a
-- foreign key check locks its parent row FOR KEY SHARE, which writes the parent's
-- tuple (and WAL) in every run: the channel's row, the event just inserted, and for
-- lineage the run's own row, already updated by the same transaction, which takes a
-- MultiXact. The cascades are kept by etl.purge_history, etl._purge_events and the
-- trigger on etl.channels below; only pg_etl's own functions write these rows.
ALTER TABLE etl.lineage DROP CONSTRAINT lineage_run_id_fkey;
CREATE INDEX deliveries_channel_idx ON etl.deliveries (channel);
CREATE FUNCTION etl._channel_cascade() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM etl.deliveries d WHERE d.channel = OLD.name;
  ELSIF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE etl.deliveries d SET channel = NEW.name WHERE d.channel = OLD.name;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER channel_cascade AFTER DELETE OR UPDATE OF name ON etl.channels
  FOR EACH ROW EXECUTE FUNCTION etl._channel_cascade();
CREATE INDEX deliveries_due_idx ON etl.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_event_idx ON etl.deliveries (event_id);
COMMENT ON TABLE etl.deliveries IS 'pg_etl: delivery of each event to each channel: status, attempts, last error';

ALTER TABLE etl.channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_channels ON etl.channels USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY own_subscriptions ON etl.subscriptions USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY own_events ON etl.events USING (owner = current_user OR owner IS NULL);
CREATE POLICY own_deliveries ON etl.deliveries
  USING (EXISTS (SELECT FROM etl.channels c WHERE c.name = channel AND c.owner = current_user));
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.channels, etl.subscriptions TO PUBLIC;
GRANT SELECT ON etl.events, etl.deliveries TO PUBLIC;

CREATE FUNCTION etl._wake_maintenance() RETURNS void
  AS 'MODULE_PATHNAME', 'pg_etl_wake_maintenance' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION etl._wake_maintenance() IS 'Wakes the worker that delivers events when this transaction commits';

CREATE FUNCTION etl._event_kinds() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['run_started', 'run_succeeded', 'run_failed', 'run_dead', 'run_cancelled', 'rows_rejected',
               'quality_failed', 'sla_missed', 'sla_recovered', 'anomaly', 'worker_restarted']
$$;

-- Refuses option keys that are not known, naming them and listing the known ones.
CREATE FUNCTION etl._refuse_unknown_keys(options jsonb, known text[], what text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  SELECT string_agg(k, ', ') INTO bad FROM jsonb_object_keys(options) k WHERE k <> ALL (known);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown option(s) for %: %', what, bad USING ERRCODE = 'invalid_parameter_value',
      HINT = 'options: ' || array_to_string(known, ', ');
  END IF;
END $$;

CREATE FUNCTION etl.create_channel(name text, kind text, options jsonb DEFAULT '{}') RETURNS void
LANGUAGE sql AS $$
  INSERT INTO etl.channels (name, kind, options) VALUES (name, kind, options);
$$;
COMMENT ON FUNCTION etl.create_channel(text, text, jsonb) IS 'A notification channel: webhook, email, notify or openlineage';

-- Every channel definition, however written (etl.create_channel or an UPDATE), is checked
-- as the role writing it: the worker delivers as a superuser, so a channel must not name
-- a secret its owner may not use.
CREATE FUNCTION etl._check_channel_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind IS NULL OR NEW.kind NOT IN ('webhook', 'email', 'notify', 'openlineage') THEN
    RAISE EXCEPTION 'unknown channel kind "%"', NEW.kind USING ERRCODE = 'invalid_parameter_value',
      HINT = 'kinds: webhook, email, notify, openlineage';
  END IF;
  IF NEW.kind = 'notify' THEN
    PERFORM etl._refuse_unknown_keys(NEW.options, ARRAY['channel'], 'a notify channel');
    -- what pg_notify would refuse at delivery time, refused now
    IF NEW.options ? 'channel' AND (jsonb_typeof(NEW.options->'channel') <> 'string' OR NEW.options->>'channel' = ''
                                    OR octet_length(NEW.options->>'channel') >= 64) THEN
      RAISE EXCEPTION 'a notify channel''s "channel" must be a name of 1 to 63 bytes' USING ERRCODE = 'invalid_parameter_value';
    END IF;
  ELSE
    -- the transports' own checks: options, addresses, headers, and that the named
    -- secrets exist and may be used by the current role (nothing is sent)
    PERFORM etl._check_channel(CASE NEW.kind WHEN 'openlineage' THEN 'webhook' ELSE NEW.kind END, NEW.options);
  END IF;
  IF NEW.options ? 'retry' THEN
    PERFORM etl._retry_delay(NEW.options->'retry', 2);  -- refuses a bad policy with 22023
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER check_channel BEFORE INSERT OR UPDATE OF kind, options ON etl.channels
  FOR EACH ROW EXECUTE FUNCTION etl._check_channel_row();

CREATE FUNCTION etl.drop_channel(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM etl.channels c WHERE c.name = drop_channel.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'channel "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
END $$;

-- Subscribes a channel to events (default: failures, dead runs, quality, SLAs, anomalies,
-- restarts). options: min_rejected (rows), min_reject_rate (0..1) for rows_rejected.
CREATE FUNCTION etl.subscribe(channel text, events text[] DEFAULT NULL, pipeline text DEFAULT NULL,
                              options jsonb DEFAULT '{}') RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  ch etl.channels;
  bad text;
  sid bigint;
BEGIN
  SELECT * INTO ch FROM etl.channels c WHERE c.name = subscribe.channel;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'channel "%" does not exist', channel USING ERRCODE = 'undefined_object',
      HINT = 'create it with etl.create_channel(name, kind, options)';
  END IF;
  events := coalesce(events, CASE WHEN ch.kind = 'openlineage' THEN ARRAY['run_started', 'run_succeeded', 'run_failed', 'run_dead', 'run_cancelled']
                                  ELSE ARRAY['run_failed', 'run_dead', 'quality_failed', 'sla_missed', 'anomaly', 'worker_restarted'] END);
  SELECT string_agg(e, ', ') INTO bad FROM unnest(events) e WHERE e <> ALL (etl._event_kinds());
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown event kind(s): %', bad USING ERRCODE = 'invalid_parameter_value',
      HINT = 'kinds: ' || array_to_string(etl._event_kinds(), ', ');
  END IF;
  PERFORM etl._refuse_unknown_keys(options, ARRAY['min_rejected', 'min_reject_rate'], 'a subscription');
  INSERT INTO etl.subscriptions (channel, events, pipeline, min_rejected, min_reject_rate)
  VALUES (channel, events, pipeline, coalesce((options->>'min_rejected')::bigint, 1),
          coalesce((options->>'min_reject_rate')::float8, 0))
  RETURNING id INTO sid;
  RETURN sid;
END $$;
COMMENT ON FUNCTION etl.subscribe(text, text[], text, jsonb) IS 'Sends events (of one pipeline, or all) to a channel';

CREATE FUNCTION etl.unsubscribe(subscription_id bigint) RETURNS void LANGUAGE sql AS $$
  DELETE FROM etl.subscriptions WHERE id = subscription_id
$$;

-- Queues an event and its deliveries in the calling transaction (the outbox) and wakes
-- the worker at commit. Subscriptions of the event's owner, of etl_admin members and of
-- superusers match. run_started is only queued when someone listens for it (OpenLineage
-- START events). Returns the event's id (NULL when pg_etl.events is off). C
-- (extension/run_observer.cpp), the code the run trigger uses; runs as the extension's
-- owner: a pipeline's owner cannot see others' subscriptions, but their events must
-- reach them.
CREATE FUNCTION etl._emit(kind text, severity text, subject text, payload jsonb, pipeline text DEFAULT NULL,
                          run_id bigint DEFAULT NULL, owner name DEFAULT NULL, rejected bigint DEFAULT NULL,
                          reject_rate float8 DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'pg_etl_emit' LANGUAGE C VOLATILE SECURITY DEFINER;
REVOKE ALL ON FUNCTION etl._emit(text, text, text, jsonb, text, bigint, name, bigint, float8) FROM PUBLIC;

-- A run event's subject and payload (inlined into the trigger's statement).
CREATE FUNCTION etl._run_subject(r etl.runs) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT format('%s %s: run %s %s', CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END,
                coalesce(r.pipeline, r.workflow), r.id, CASE WHEN r.status = 'running' THEN 'started' ELSE r.status END)
         || CASE WHEN r.error IS NOT NULL AND r.status <> 'running' THEN ': ' || left(r.error, 200) ELSE '' END
$$;
CREATE FUNCTION etl._run_payload(r etl.runs) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('run_id', r.id, CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END,
                            coalesce(r.pipeline, r.workflow), 'status', r.status, 'attempt', r.attempt,
                            'trigger', r.trigger, 'started_at', r.started_at, 'finished_at', r.finished_at,
                            'rows_read', r.rows_read, 'rows_written', r.rows_written,
                            'rows_rejected', r.rows_rejected, 'bytes_read', r.bytes_read,
                            'error', r.error, 'sqlstate', r.sqlstate)
$$;

-- run_started (attempt 1, when someone listens), queued in the run's own transaction.
CREATE TRIGGER run_event_insert AFTER INSERT ON etl.runs FOR EACH ROW
  WHEN (NEW.status = 'running' AND current_setting('pg_etl.events', true) IS DISTINCT FROM 'off')
  EXECUTE FUNCTION etl._observe_run('events');
CREATE TRIGGER run_started AFTER UPDATE OF status ON etl.runs FOR EACH ROW
  WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status = 'running'
        AND current_setting('pg_etl.events', true) IS DISTINCT FROM 'off')
  EXECUTE FUNCTION etl._observe_run('events');

-- Runs that ended and are not yet counted in etl.run_stats nor turned into events
-- (run_<status>, rows_rejected, their job's SLAs checked): the runs' own outbox. A row
-- is written in the transaction that ends the run, so it commits or rolls back with it,
-- and the maintenance worker folds the rows in batches within a moment of the commit
-- (etl.process_run_outbox). Doing that work inside the run cost 0.2 ms per run, +14 % of
-- a run loading a 100-row file; this row costs 15 us. metrics and events: what
-- pg_etl.metrics and pg_etl.events said in the run's session.
CREATE TABLE etl.run_outbox (
  run_id  bigint NOT NULL,
  metrics boolean NOT NULL,
  events  boolean NOT NULL
);
COMMENT ON TABLE etl.run_outbox IS 'pg_etl: ended runs waiting to be added to etl.run_stats and to etl.events (etl.process_run_outbox)';
REVOKE ALL ON etl.run_outbox FROM PUBLIC;

-- Where no background worker serves this database (pg_etl not preloaded, or
-- pg_etl.database names another one) the trigger does the work at once instead.
CREATE TRIGGER run_ended AFTER UPDATE OF status ON etl.runs FOR EACH ROW
  WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('succeeded', 'failed', 'dead', 'cancelled')
        AND (current_setting('pg_etl.metrics', true) IS DISTINCT FROM 'off'
             OR current_setting('pg_etl.events', true) IS DISTINCT FROM 'off'))
  EXECUTE FUNCTION etl._observe_run('ended');

-- Adds up to batch_size ended runs from the outbox to etl.run_stats and queues their
-- events, oldest first; returns how many it took. The maintenance worker calls it; call
-- it yourself to see a run's events and metrics at once. Rows another session is
-- processing are waited for (skip_locked: left to it, as the worker does), so no run is
-- counted twice and, when it returns, every run that had ended is processed.
CREATE FUNCTION etl.process_run_outbox(batch_size int DEFAULT 1000, skip_locked boolean DEFAULT false) RETURNS int
  AS 'MODULE_PATHNAME', 'pg_etl_process_run_outbox' LANGUAGE C VOLATILE STRICT SECURITY DEFINER;
COMMENT ON FUNCTION etl.process_run_outbox(int, boolean) IS 'Adds ended runs to etl.run_stats and queues their events now (the maintenance worker does it within a moment of each run)';

-- Quality rules that failed (a pipeline's gate or etl.check), one event per check.
CREATE FUNCTION etl._quality_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT n.check_id, min(n.pipeline) AS pipeline, min(n.target) AS target, min(n.run_id) AS run_id,
                  bool_or(n.outcome = 'fail') AS failed,
                  jsonb_agg(jsonb_build_object('rule', n.rule, 'outcome', n.outcome, 'measured', n.measured,
                                               'expected', n.expected, 'failing_rows', n.failing_rows, 'message', n.message)
                            ORDER BY n.rule_index) AS rules
             FROM new_results n WHERE n.outcome IN ('fail', 'warn', 'error') GROUP BY n.check_id LOOP
    PERFORM etl._emit('quality_failed', CASE WHEN c.failed THEN 'error' ELSE 'warning' END,
                      format('quality check of %s: %s rule(s) did not pass', c.target, jsonb_array_length(c.rules)),
                      jsonb_build_object('check_id', c.check_id, 'target', c.target, 'pipeline', c.pipeline,
                                         'run_id', c.run_id, 'rules', c.rules),
                      c.pipeline, c.run_id, current_user);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER quality_event AFTER INSERT ON etl.quality_results REFERENCING NEW TABLE AS new_results
  FOR EACH STATEMENT EXECUTE FUNCTION etl._quality_event();

-- The JSON a webhook or an e-mail carries.
CREATE FUNCTION etl._event_message(e etl.events) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', e.id, 'kind', e.kind, 'severity', e.severity, 'subject', e.subject,
                            'time', e.created_at, 'pipeline', e.pipeline, 'run_id', e.run_id,
                            'database', current_database(), 'data', e.payload,
                            'text', e.subject || E'\n\nEvent ' || e.id || ' (' || e.kind || ') at ' || e.created_at
                                    || E'\nQuery it: SELECT * FROM etl.events WHERE id = ' || e.id || ';')
$$;

-- A NOTIFY payload must stay under 8000 bytes: the event without its data when too big.
CREATE FUNCTION etl._notify_payload(e etl.events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN octet_length(m::text) < 7900 THEN m::text
              ELSE (m - 'data' - 'text' || jsonb_build_object('truncated', true))::text END
    FROM etl._event_message(e) m
$$;

CREATE FUNCTION etl._delivery_done(delivery_id bigint, result jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d etl.deliveries;
  policy jsonb;
  delay float8;
BEGIN
  IF (result->>'ok')::boolean THEN
    UPDATE etl.deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = clock_timestamp(),
           delivered_at = clock_timestamp(), last_status = (result->>'status')::int, last_error = NULL
     WHERE id = delivery_id;
    RETURN CASE WHEN FOUND THEN 'delivered' END;
  END IF;
  SELECT * INTO d FROM etl.deliveries WHERE id = delivery_id FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT coalesce(c.options->'retry', '{"max_attempts": 8, "interval": 5, "backoff_rate": 2, "max_delay": 600}')
    INTO policy FROM etl.channels c WHERE c.name = d.channel;
  delay := CASE WHEN coalesce((result->>'retryable')::boolean, true) THEN etl._retry_delay(policy, d.attempts + 2) END;  -- d.attempts: before this one
  IF delay IS NOT NULL AND result->>'retry_after' IS NOT NULL THEN
    delay := greatest(delay, (result->>'retry_after')::float8);
  END IF;
  UPDATE etl.deliveries SET status = CASE WHEN delay IS NULL THEN 'failed' ELSE 'pending' END,
         attempts = attempts + 1, last_attempt_at = clock_timestamp(),
         next_attempt_at = clock_timestamp() + coalesce(delay, 0) * interval '1 second',
         last_status = (result->>'status')::int, last_error = left(result->>'error', 1000)
   WHERE id = delivery_id;
  RETURN CASE WHEN delay IS NULL THEN 'failed' ELSE 'pending' END;
END $$;
REVOKE ALL ON FUNCTION etl._delivery_done(bigint, jsonb) FROM PUBLIC;

-- Sends the deliveries that are due (the worker calls this after every batch commit;
-- a session may call it too, e.g. from pg_cron). NOTIFY deliveries are sent when the
-- calling transaction commits. max_count: webhook, e-mail and OpenLineage attempts per
-- call (NOTIFY deliveries, up to 1,000, are all sent). Returns the number of attempts made.
CREATE FUNCTION etl.deliver_pending(max_count int DEFAULT 10) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  d record;
  result jsonb;
  n int := 0;
BEGIN
  -- NOTIFY deliveries, up to 1,000, in one statement: they cannot fail (the channel name
  -- was checked when the channel was written, the payload is cut to fit) nor wait, and
  -- they are most runs' deliveries. Sent in event order.
  WITH due AS (
    SELECT x.id, coalesce(c.options->>'channel', 'pg_etl_events') AS channel, e AS ev
      FROM etl.deliveries x JOIN etl.channels c ON c.name = x.channel JOIN etl.events e ON e.id = x.event_id
     WHERE x.status = 'pending' AND x.next_attempt_at <= clock_timestamp() AND c.kind = 'notify'
     ORDER BY x.id LIMIT 1000 FOR UPDATE OF x SKIP LOCKED),
  sent AS MATERIALIZED (SELECT due.id, pg_notify(due.channel, etl._notify_payload(due.ev)) FROM due ORDER BY due.id)
  UPDATE etl.deliveries x
     SET status = 'delivered', attempts = attempts + 1, last_attempt_at = clock_timestamp(),
         delivered_at = clock_timestamp(), last_status = NULL, last_error = NULL
    FROM sent WHERE x.id = sent.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  FOR d IN SELECT x.id, x.message_id, x.attempts, c.kind, c.options, e AS ev
             FROM etl.deliveries x JOIN etl.channels c ON c.name = x.channel JOIN etl.events e ON e.id = x.event_id
            WHERE x.status = 'pending' AND x.next_attempt_at <= clock_timestamp() AND c.kind <> 'notify'
            ORDER BY x.next_attempt_at, x.id LIMIT max_count FOR UPDATE OF x SKIP LOCKED LOOP
    BEGIN
      IF d.kind = 'openlineage' THEN
        result := etl._deliver('webhook', d.options, etl._openlineage_event((d.ev).run_id, (d.ev).kind, d.options->>'namespace'),
                               d.message_id);
      ELSE
        result := etl._deliver(d.kind, d.options, etl._event_message(d.ev), d.message_id);
      END IF;
    EXCEPTION WHEN OTHERS THEN  -- bad options, a dropped secret: recorded, never fatal
      result := jsonb_build_object('ok', false, 'retryable', false, 'error', SQLERRM);
    END;
    PERFORM etl._delivery_done(d.id, result);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION etl.deliver_pending(int) FROM PUBLIC;

-- ---- the background worker's maintenance round ------------------------------------------------
-- Seconds until the run outbox, the next delivery or an SLA check is due (<= 0: now), NULL
-- when none is.
CREATE FUNCTION etl._maintenance_due() RETURNS float8 LANGUAGE sql STABLE AS $$
  SELECT extract(epoch FROM least(CASE WHEN EXISTS (SELECT FROM etl.run_outbox) THEN clock_timestamp() END,
                                  (SELECT min(next_attempt_at) FROM etl.deliveries WHERE status = 'pending'),
                                  (SELECT min(next_check_at) FROM etl.slas WHERE kind <> 'anomaly'),
                                  (SELECT min(r.started_at + (s.options->>'within')::interval) FROM etl.slas s
                                     JOIN etl.runs r ON r.pipeline = s.pipeline AND r.status = 'running'
                                    WHERE s.kind = 'duration' AND s.status = 'ok'))
                 - clock_timestamp())::float8
$$;

-- Announces a (re)started launcher and how many runs it found interrupted.
CREATE FUNCTION etl._launcher_started(recovered_runs int) RETURNS void LANGUAGE sql AS $$
  SELECT etl._emit('worker_restarted', 'warning',
                   format('pg_etl background worker started in database %s (%s interrupted run(s) recovered)',
                          current_database(), recovered_runs),
                   jsonb_build_object('pid', pg_backend_pid(), 'recovered_runs', recovered_runs,
                                      'server_started_at', pg_postmaster_start_time()));
$$;

-- Events older than the history retention whose deliveries are settled, a batch at a time.
CREATE FUNCTION etl._purge_events(batch_size int DEFAULT 1000) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  days float8 := coalesce(nullif(current_setting('pg_etl.history_retention', true), '')::float8, 30);
  n bigint;
BEGIN
  IF days <= 0 THEN RETURN 0; END IF;
  WITH gone AS (DELETE FROM etl.events e WHERE e.id IN (
    SELECT x.id FROM etl.events x
     WHERE x.created_at < clock_timestamp() - days * interval '1 day'
       AND NOT EXISTS (SELECT FROM etl.deliveries d WHERE d.event_id = x.id AND d.status = 'pending')
     ORDER BY x.id LIMIT batch_size) RETURNING e.id),
  deliveries AS (DELETE FROM etl.deliveries d USING gone WHERE d.event_id = gone.id)
  SELECT count(*) INTO n FROM gone;
  DELETE FROM etl.sla_events s WHERE s.id IN (
    SELECT y.id FROM etl.sla_events y WHERE y.at < clock_timestamp() - days * interval '1 day' ORDER BY y.id LIMIT batch_size);
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION etl._purge_events(int) FROM PUBLIC;

-- ==== [slas] SLAs and anomalies ==================================================================

-- Service levels, checked by the background worker (etl.check_slas) and at the end of
-- every run of their pipeline:
--   arrival    {"source", "by": "09:00", "days": "weekdays", "timezone"} or {"source", "deadline": cron}:
--              a new file (modified since the previous deadline) must be in the source by each deadline
--   freshness  {"pipeline", "every": "2 hours"}: a successful run at least this often
--   duration   {"pipeline", "within": "10 minutes"}: every run finishes within this
--   anomaly    {"pipeline", "metric", "runs": 10, "min_runs": 5, "stddevs": 3 | "percent": 50}:
--              a succeeded run's metric stays within a band around the last runs' average
-- A miss alerts once (sla_missed, or anomaly) and stays "missed" until it recovers
-- (sla_recovered); both are kept in etl.sla_events.
CREATE TABLE etl.slas (
  name            text PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
  kind            text NOT NULL CHECK (kind IN ('arrival', 'freshness', 'duration', 'anomaly')),
  pipeline        text,
  source          text,
  options         jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missed')),
  missed_since    timestamptz,
  window_start    timestamptz,   -- arrival: files modified after this are new
  next_deadline   timestamptz,   -- arrival
  next_check_at   timestamptz,   -- when the worker looks next (NULL: at the end of runs only)
  last_checked_at timestamptz,
  owner           name NOT NULL DEFAULT current_user,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slas_pipeline_idx ON etl.slas (pipeline);
COMMENT ON TABLE etl.slas IS 'pg_etl: SLAs (file arrival, freshness, duration) and anomaly bands, with their state';

CREATE TABLE etl.sla_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sla      text NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('missed', 'recovered', 'anomaly', 'error')),
  at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  run_id   bigint,
  detail   jsonb NOT NULL DEFAULT '{}',
  event_id bigint,
  owner    name
);
CREATE INDEX sla_events_sla_idx ON etl.sla_events (sla, id);
COMMENT ON TABLE etl.sla_events IS 'pg_etl: every SLA miss, recovery and anomaly';

ALTER TABLE etl.slas ENABLE ROW LEVEL SECURITY;
ALTER TABLE etl.sla_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_slas ON etl.slas USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY own_sla_events ON etl.sla_events USING (owner = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON etl.slas TO PUBLIC;
GRANT SELECT ON etl.sla_events TO PUBLIC;

-- "09:00" on "weekdays" as a cron expression.
CREATE FUNCTION etl._sla_deadline(options jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  hm text[] := regexp_match(coalesce(options->>'by', ''), '^([0-9]{1,2}):([0-9]{2})$');
  days text := lower(coalesce(options->>'days', 'daily'));
BEGIN
  IF options ? 'deadline' THEN
    RETURN options->>'deadline';
  END IF;
  IF hm IS NULL OR hm[1]::int > 23 OR hm[2]::int > 59 THEN
    RAISE EXCEPTION 'an arrival SLA needs "by" as HH:MM (or "deadline" as a cron expression), not "%"', options->>'by'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN format('%s %s * * %s', hm[2]::int, hm[1]::int,
                CASE days WHEN 'daily' THEN '*' WHEN 'weekdays' THEN '1-5' WHEN 'weekends' THEN '0,6' ELSE days END);
END $$;

CREATE FUNCTION etl.create_sla(name text, kind text, options jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  known text[] := CASE kind WHEN 'arrival' THEN ARRAY['source', 'by', 'days', 'deadline', 'timezone', 'options']
                            WHEN 'freshness' THEN ARRAY['pipeline', 'every']
                            WHEN 'duration' THEN ARRAY['pipeline', 'within']
                            WHEN 'anomaly' THEN ARRAY['pipeline', 'metric', 'runs', 'min_runs', 'stddevs', 'percent'] END;
  tz text := coalesce(options->>'timezone', 'UTC');
  deadline text;
  s etl.slas;
BEGIN
  IF known IS NULL THEN
    RAISE EXCEPTION 'unknown SLA kind "%"', kind USING ERRCODE = 'invalid_parameter_value',
      HINT = 'kinds: arrival, freshness, duration, anomaly';
  END IF;
  PERFORM etl._refuse_unknown_keys(options, known, format('a %s SLA', kind));
  s.name := name; s.kind := kind; s.options := options; s.window_start := clock_timestamp();
  IF kind = 'arrival' THEN
    IF options->>'source' IS NULL THEN
      RAISE EXCEPTION 'an arrival SLA needs "source" (a source name or URL)' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    s.source := options->>'source';
    deadline := etl._sla_deadline(options);
    PERFORM etl._check_schedule(deadline, tz);
    s.options := options || jsonb_build_object('deadline', deadline, 'timezone', tz);
    s.next_deadline := etl._cron_next(deadline, tz, clock_timestamp());
    s.next_check_at := s.next_deadline;
  ELSE
    s.pipeline := options->>'pipeline';
    IF s.pipeline IS NULL OR NOT EXISTS (SELECT FROM etl.pipelines p WHERE p.name = s.pipeline
                                         UNION ALL SELECT FROM etl.workflows w WHERE w.name = s.pipeline) THEN
      RAISE EXCEPTION 'SLA "%" names pipeline "%", which does not exist', name, s.pipeline USING ERRCODE = 'undefined_object';
    END IF;
    IF kind = 'freshness' THEN
      s.next_check_at := clock_timestamp() + (options->>'every')::interval;
    ELSIF kind = 'duration' THEN
      IF options->>'within' IS NULL THEN
        RAISE EXCEPTION 'a duration SLA needs "within" (an interval)' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      PERFORM (options->>'within')::interval;
    ELSE
      IF coalesce(options->>'metric', 'rows_written') NOT IN ('rows_written', 'rows_read', 'rows_rejected', 'reject_rate', 'bytes_read', 'duration') THEN
        RAISE EXCEPTION 'unknown anomaly metric "%"', options->>'metric' USING ERRCODE = 'invalid_parameter_value',
          HINT = 'metrics: rows_written, rows_read, rows_rejected, reject_rate, bytes_read, duration';
      END IF;
      IF (options ? 'stddevs') = (options ? 'percent') THEN
        RAISE EXCEPTION 'an anomaly SLA needs exactly one of "stddevs" and "percent"' USING ERRCODE = 'invalid_parameter_value';
      END IF;
    END IF;
    IF kind = 'freshness' AND options->>'every' IS NULL THEN
      RAISE EXCEPTION 'a freshness SLA needs "every" (an interval)' USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  INSERT INTO etl.slas (name, kind, pipeline, source, options, window_start, next_deadline, next_check_at)
  VALUES (s.name, s.kind, s.pipeline, s.source, s.options, s.window_start, s.next_deadline, s.next_check_at);
  PERFORM etl._wake_maintenance();
END $$;
COMMENT ON FUNCTION etl.create_sla(text, text, jsonb) IS 'An SLA (arrival, freshness, duration) or an anomaly band on a pipeline''s runs';

-- An arrival SLA's source is listed by the worker, as a superuser: whoever defines or
-- changes one must be able to list it themselves (file privileges, etl_network, secrets).
CREATE FUNCTION etl._check_sla_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src record;
BEGIN
  IF NEW.kind = 'arrival' THEN
    SELECT * INTO src FROM etl._source_of(NEW.source);
    PERFORM 1 FROM etl._list_files(src.url, src.options || coalesce(NEW.options->'options', '{}')) LIMIT 1;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER check_sla BEFORE INSERT OR UPDATE OF source, options ON etl.slas
  FOR EACH ROW EXECUTE FUNCTION etl._check_sla_row();

CREATE FUNCTION etl.drop_sla(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM etl.slas s WHERE s.name = drop_sla.name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'SLA "%" does not exist', name USING ERRCODE = 'undefined_object';
  END IF;
END $$;

-- Moves an SLA to ok or missed; a change is recorded and alerted once.
CREATE FUNCTION etl._sla_set(s etl.slas, new_status text, detail jsonb, at timestamptz, rid bigint DEFAULT NULL,
                             alert text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ev text := coalesce(alert, CASE new_status WHEN 'missed' THEN 'sla_missed' ELSE 'sla_recovered' END);
  eid bigint;
BEGIN
  IF s.status = new_status AND alert IS NULL THEN
    RETURN;
  END IF;
  UPDATE etl.slas SET status = new_status, missed_since = CASE WHEN new_status = 'missed' THEN coalesce(missed_since, at) END
   WHERE name = s.name;
  IF s.status = new_status THEN  -- a further anomaly while already anomalous: recorded, not alerted again
    INSERT INTO etl.sla_events (sla, kind, at, run_id, detail, owner) VALUES (s.name, 'anomaly', at, rid, detail, s.owner);
    RETURN;
  END IF;
  eid := etl._emit(ev, CASE new_status WHEN 'missed' THEN 'error' ELSE 'info' END,
                   format('SLA %s (%s%s): %s', s.name, s.kind, coalesce(' of ' || coalesce(s.pipeline, s.source), ''),
                          coalesce(detail->>'message', new_status)),
                   detail || jsonb_build_object('sla', s.name, 'sla_kind', s.kind, 'status', new_status),
                   s.pipeline, rid, s.owner);
  INSERT INTO etl.sla_events (sla, kind, at, run_id, detail, event_id, owner)
  VALUES (s.name, CASE WHEN ev = 'anomaly' THEN 'anomaly' WHEN new_status = 'missed' THEN 'missed' ELSE 'recovered' END,
          at, rid, detail, eid, s.owner);
END $$;
REVOKE ALL ON FUNCTION etl._sla_set(etl.slas, text, jsonb, timestamptz, bigint, text) FROM PUBLIC;

-- One arrival SLA at time "at": lists the source, compares modification times.
CREATE FUNCTION etl._check_arrival(s etl.slas, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  src record;
  newest timestamptz;
  due timestamptz := s.next_deadline;
BEGIN
  SELECT * INTO src FROM etl._source_of(s.source);
  SELECT max(f.modified) INTO newest FROM etl._list_files(src.url, src.options || coalesce(s.options->'options', '{}')) f
   WHERE f.modified > s.window_start AND (s.status = 'missed' OR f.modified <= due);
  IF s.status = 'missed' THEN
    IF newest IS NOT NULL THEN
      PERFORM etl._sla_set(s, 'ok', jsonb_build_object('message', 'a new file arrived', 'file_modified', newest,
                                                      'late_by', (newest - s.missed_since)::text), at);
      s.window_start := newest;
    END IF;
  ELSIF due <= at THEN
    IF newest IS NULL THEN
      PERFORM etl._sla_set(s, 'missed', jsonb_build_object('message', 'no new file by ' || due, 'deadline', due,
                                                          'source', etl._redact_url(src.url)), due);
    ELSE
      s.window_start := due;
    END IF;
  END IF;
  WHILE s.next_deadline <= at LOOP
    s.next_deadline := etl._cron_next(s.options->>'deadline', s.options->>'timezone', s.next_deadline);
  END LOOP;
  UPDATE etl.slas SET window_start = s.window_start, next_deadline = s.next_deadline, last_checked_at = at,
         next_check_at = CASE WHEN status = 'missed' THEN least(s.next_deadline, at + interval '30 seconds') ELSE s.next_deadline END
   WHERE name = s.name;
END $$;

-- Freshness and running-too-long checks at time "at".
CREATE FUNCTION etl._check_clock_sla(s etl.slas, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  last_ok timestamptz;
  late record;
  every interval;
BEGIN
  IF s.kind = 'freshness' THEN
    every := (s.options->>'every')::interval;
    SELECT max(r.finished_at) INTO last_ok FROM etl.runs r
     WHERE coalesce(r.pipeline, r.workflow) = s.pipeline AND r.status = 'succeeded';
    last_ok := greatest(coalesce(last_ok, s.created_at), s.created_at);
    IF at - last_ok > every THEN
      PERFORM etl._sla_set(s, 'missed', jsonb_build_object('message', format('no successful run for %s (limit %s)',
                                                                            date_trunc('second', at - last_ok), every),
                                                          'last_success', last_ok), at);
    ELSE
      PERFORM etl._sla_set(s, 'ok', jsonb_build_object('message', 'succeeded again', 'last_success', last_ok), at);
    END IF;
    UPDATE etl.slas SET last_checked_at = at,
           next_check_at = CASE WHEN at - last_ok > every THEN at + interval '30 seconds' ELSE last_ok + every END
     WHERE name = s.name;
  ELSE  -- duration: runs still going past their limit
    every := (s.options->>'within')::interval;
    SELECT r.id, r.started_at INTO late FROM etl.runs r
     WHERE r.pipeline = s.pipeline AND r.status = 'running' AND r.started_at + every <= at ORDER BY r.started_at LIMIT 1;
    IF FOUND THEN
      PERFORM etl._sla_set(s, 'missed', jsonb_build_object('message', format('run %s still running after %s (limit %s)',
                                                                            late.id, date_trunc('second', at - late.started_at), every)),
                           at, late.id);
    END IF;
    -- no next_check_at: etl._maintenance_due watches running runs against their limit
    UPDATE etl.slas SET last_checked_at = at WHERE name = s.name;
  END IF;
END $$;

-- What the worker calls: every SLA due by "at" (all of them when force). A check that
-- fails (an unreachable source) is recorded and retried in a minute.
CREATE FUNCTION etl.check_slas(at timestamptz DEFAULT clock_timestamp(), force boolean DEFAULT false)
RETURNS TABLE (sla text, status text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  s etl.slas;
  msg text;
BEGIN
  FOR s IN SELECT * FROM etl.slas x
            WHERE x.kind <> 'anomaly'
              AND (force OR x.next_check_at <= at
                   OR (x.kind = 'duration' AND EXISTS (SELECT FROM etl.runs r WHERE r.pipeline = x.pipeline AND r.status = 'running'
                                                          AND r.started_at + (x.options->>'within')::interval <= at)))
            ORDER BY x.name FOR UPDATE SKIP LOCKED LOOP
    BEGIN
      IF s.kind = 'arrival' THEN
        PERFORM etl._check_arrival(s, at);
      ELSE
        PERFORM etl._check_clock_sla(s, at);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      INSERT INTO etl.sla_events (sla, kind, at, detail, owner) VALUES (s.name, 'error', at, jsonb_build_object('message', msg), s.owner);
      UPDATE etl.slas x SET last_checked_at = at, next_check_at = at + interval '1 minute' WHERE x.name = s.name;
    END;
    sla := s.name;
    status := (SELECT x.status FROM etl.slas x WHERE x.name = s.name);
    RETURN NEXT;
  END LOOP;
END $$;
COMMENT ON FUNCTION etl.check_slas(timestamptz, boolean) IS 'Checks the SLAs that are due (the background worker calls it)';

-- At the end of a run: freshness recovers, duration and anomaly bands are checked.
CREATE FUNCTION etl._check_run_slas(rid bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r etl.runs;
  s etl.slas;
  x float8;
  band record;
  off boolean;
  took interval;
BEGIN
  SELECT * INTO r FROM etl.runs WHERE id = rid;
  took := r.finished_at - r.started_at;
  FOR s IN SELECT * FROM etl.slas WHERE pipeline = coalesce(r.pipeline, r.workflow) FOR UPDATE LOOP
    IF s.kind = 'freshness' AND r.status = 'succeeded' THEN
      PERFORM etl._sla_set(s, 'ok', jsonb_build_object('message', 'succeeded again', 'last_success', r.finished_at), r.finished_at, rid);
      UPDATE etl.slas SET next_check_at = r.finished_at + (s.options->>'every')::interval WHERE name = s.name;
    ELSIF s.kind = 'duration' AND took IS NOT NULL THEN
      IF took > (s.options->>'within')::interval THEN
        PERFORM etl._sla_set(s, 'missed', jsonb_build_object('message', format('run %s took %s (limit %s)', rid,
                                                                              date_trunc('second', took), s.options->>'within')),
                             r.finished_at, rid);
      ELSE
        PERFORM etl._sla_set(s, 'ok', jsonb_build_object('message', format('run %s took %s', rid, took)), r.finished_at, rid);
      END IF;
    ELSIF s.kind = 'anomaly' AND r.status = 'succeeded' THEN
      x := etl._run_metric(r, s.options->>'metric');
      SELECT count(*) AS n, avg(m) AS mean, coalesce(stddev_samp(m), 0) AS sd INTO band
        FROM (SELECT etl._run_metric(h, s.options->>'metric') AS m FROM etl.runs h
               WHERE h.pipeline = r.pipeline AND h.status = 'succeeded' AND h.id < r.id
               ORDER BY h.id DESC LIMIT coalesce((s.options->>'runs')::int, 10)) last;
      CONTINUE WHEN band.n < coalesce((s.options->>'min_runs')::int, 5) OR x IS NULL;
      off := CASE WHEN s.options ? 'stddevs' THEN abs(x - band.mean) > (s.options->>'stddevs')::float8 * band.sd
                  ELSE abs(x - band.mean) > (s.options->>'percent')::float8 / 100 * abs(band.mean) END;
      IF off THEN
        PERFORM etl._sla_set(s, 'missed', jsonb_build_object(
          'message', format('%s = %s, outside %s of the last %s runs'' average %s', coalesce(s.options->>'metric', 'rows_written'),
                            round(x::numeric, 4),
                            CASE WHEN s.options ? 'stddevs' THEN (s.options->>'stddevs') || ' standard deviations (' || round(band.sd::numeric, 4) || ')'
                                 ELSE (s.options->>'percent') || '%' END,
                            band.n, round(band.mean::numeric, 4)),
          'metric', coalesce(s.options->>'metric', 'rows_written'), 'value', x, 'mean', band.mean, 'stddev', band.sd,
          'runs', band.n), r.finished_at, rid, 'anomaly');
      ELSE
        PERFORM etl._sla_set(s, 'ok', jsonb_build_object('message', format('%s back within the band', coalesce(s.options->>'metric', 'rows_written')),
                                                        'value', x, 'mean', band.mean), r.finished_at, rid);
      END IF;
    END IF;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION etl._check_run_slas(bigint) FROM PUBLIC;

CREATE FUNCTION etl._run_metric(r etl.runs, metric text) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE coalesce(metric, 'rows_written')
           WHEN 'rows_written' THEN r.rows_written
           WHEN 'rows_read' THEN r.rows_read
           WHEN 'rows_rejected' THEN r.rows_rejected
           WHEN 'bytes_read' THEN r.bytes_read
           WHEN 'reject_rate' THEN coalesce(r.rows_rejected, 0)::float8 / nullif(coalesce(r.rows_read, r.rows_written + r.rows_rejected), 0)
           WHEN 'duration' THEN extract(epoch FROM r.finished_at - r.started_at)::float8 END
$$;

-- ==== [lineage] OpenLineage events, column-level lineage, upstream and downstream ===============

-- The columns each output column of a SELECT comes from, and those that steer its rows:
-- {"columns": [{"column", "sources": [{"relation", "column", "subtype"}]}], "indirect": [...]}.
-- Parsed and analyzed in the caller's session (pg_temp.input resolves), as PREPARE would:
-- nothing is planned or executed.
-- PARALLEL RESTRICTED: a parallel worker cannot see the leader's temporary tables.
CREATE FUNCTION etl._column_lineage(query text) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pg_etl_column_lineage' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION etl._column_lineage(text) IS 'Column-level lineage of a SELECT (OpenLineage subtypes), from PostgreSQL''s parser and analyzer';

-- Column-level lineage of each pipeline, derived at definition time by PostgreSQL's own
-- parser and analyzer (etl._column_lineage) from the transform over "input".
ALTER TABLE etl.pipelines ADD COLUMN column_lineage jsonb;

CREATE FUNCTION etl._pipeline_column_lineage(transform text, input_columns text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  result jsonb;
BEGIN
  IF input_columns IS NULL THEN
    RETURN NULL;
  END IF;
  BEGIN
    EXECUTE format('CREATE TEMP TABLE input (%s)', input_columns);
    result := etl._column_lineage(coalesce(transform, 'SELECT * FROM input'));
    DROP TABLE pg_temp.input;
  EXCEPTION WHEN OTHERS THEN  -- lineage is best effort: the pipeline's own checks decide validity
    RETURN NULL;
  END;
  RETURN result;
END $$;

CREATE FUNCTION etl._set_column_lineage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.column_lineage := etl._pipeline_column_lineage(NEW.transform, NEW.input_columns);
  RETURN NEW;
END $$;
CREATE TRIGGER set_column_lineage BEFORE INSERT OR UPDATE OF transform, input_columns ON etl.pipelines
  FOR EACH ROW EXECUTE FUNCTION etl._set_column_lineage();
UPDATE etl.pipelines SET transform = transform;  -- pipelines made before 0.7.0

-- pg_etl.lineage = off skips lineage rows (the overhead benchmark's baseline).
CREATE FUNCTION etl._skip_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER lineage_off BEFORE INSERT ON etl.lineage FOR EACH ROW
  WHEN (current_setting('pg_etl.lineage', true) = 'off') EXECUTE FUNCTION etl._skip_row();

-- A dataset as OpenLineage names it (https://openlineage.io/docs/spec/naming): tables as
-- postgres://host:port + database.schema.table, files and APIs as scheme://authority + path.
CREATE FUNCTION etl._openlineage_dataset(dataset text, kind text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  rel regclass;
  m text[];
BEGIN
  IF kind IN ('table', 'rejects') THEN
    rel := to_regclass(dataset);
    RETURN jsonb_build_object(
      'namespace', format('postgres://%s:%s', coalesce(host(inet_server_addr()), 'localhost'), current_setting('port')),
      'name', current_database() || '.' || coalesce((SELECT n.nspname || '.' || c.relname FROM pg_class c
                                                      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel), dataset));
  END IF;
  m := regexp_match(dataset, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$');
  IF m IS NULL THEN
    RETURN jsonb_build_object('namespace', 'file', 'name', dataset);
  ELSIF m[1] = 'file' THEN
    RETURN jsonb_build_object('namespace', 'file', 'name', m[3]);
  END IF;
  RETURN jsonb_build_object('namespace', m[1] || '://' || regexp_replace(m[2], '^.*@', ''), 'name', coalesce(nullif(m[3], ''), '/'));
END $$;

-- The schema facet of a table.
CREATE FUNCTION etl._openlineage_schema(rel regclass) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('_producer', 'https://github.com/pg-etl/pg_etl',
                            '_schemaURL', 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
                            'fields', coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
                                                         ORDER BY a.attnum), '[]'))
    FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- A run as OpenLineage events: START, then COMPLETE, FAIL or ABORT once it ended.
-- kind is an etl.events kind (run_started -> START, run_succeeded -> COMPLETE, ...).
CREATE FUNCTION etl._openlineage_event(rid bigint, kind text, namespace text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  r etl.runs;
  p etl.pipelines;
  etype text := CASE kind WHEN 'run_started' THEN 'START' WHEN 'run_succeeded' THEN 'COMPLETE'
                          WHEN 'run_cancelled' THEN 'ABORT' WHEN 'run_failed' THEN 'FAIL' WHEN 'run_dead' THEN 'FAIL' END;
  producer text := 'https://github.com/pg-etl/pg_etl/tree/' || etl.version();
  run_facets jsonb := '{}';
  inputs jsonb := '[]';
  outputs jsonb := '[]';
  col_facet jsonb;
BEGIN
  SELECT * INTO r FROM etl.runs WHERE id = rid;
  IF NOT FOUND OR etype IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT * INTO p FROM etl.pipelines x WHERE x.name = r.pipeline;
  run_facets := jsonb_build_object('processing_engine', jsonb_build_object(
                  '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
                  'name', 'pg_etl', 'version', etl.version(), 'openlineageAdapterVersion', etl.version()));
  IF r.retry_of IS NOT NULL OR (r.params ? 'upstream_run') THEN
    run_facets := run_facets || jsonb_build_object('parent', jsonb_build_object(
      '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet',
      'run', jsonb_build_object('runId', etl._openlineage_run_id(coalesce(r.retry_of, (r.params->>'upstream_run')::bigint))),
      'job', jsonb_build_object('namespace', coalesce(namespace, 'pg_etl://' || current_database()),
                                'name', (SELECT coalesce(u.pipeline, u.workflow) FROM etl.runs u
                                          WHERE u.id = coalesce(r.retry_of, (r.params->>'upstream_run')::bigint)))));
  END IF;
  IF etype = 'FAIL' THEN
    run_facets := run_facets || jsonb_build_object('errorMessage', jsonb_build_object(
      '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
      'message', coalesce(r.error, r.status), 'programmingLanguage', 'SQL', 'stackTrace', 'SQLSTATE ' || coalesce(r.sqlstate, '')));
  END IF;
  IF etype <> 'START' THEN
    SELECT coalesce(jsonb_agg(etl._openlineage_dataset(l.dataset, l.kind) || jsonb_build_object(
             'inputFacets', jsonb_build_object('inputStatistics', jsonb_strip_nulls(jsonb_build_object(
               '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet',
               'rowCount', l.rows, 'size', l.size, 'fileCount', CASE WHEN l.kind = 'file' THEN 1 END))))
             ORDER BY l.id), '[]') INTO inputs
      FROM etl.lineage l WHERE l.run_id = rid AND l.direction = 'input';
    -- columnLineage: "input" stands for every input dataset of the run
    IF p.column_lineage IS NOT NULL THEN
      SELECT jsonb_object_agg(c->>'column', jsonb_build_object('inputFields', coalesce((
               SELECT jsonb_agg(ds || jsonb_build_object('field', src->>'column', 'transformations', jsonb_build_array(
                        jsonb_build_object('type', 'DIRECT', 'subtype', src->>'subtype', 'description', '', 'masking', false))))
                 FROM jsonb_array_elements(c->'sources') src
                 CROSS JOIN LATERAL (
                   SELECT etl._openlineage_dataset(l.dataset, l.kind) AS ds FROM etl.lineage l
                    WHERE src->>'relation' = 'pg_temp.input' AND l.run_id = rid AND l.direction = 'input'
                   UNION ALL
                   SELECT etl._openlineage_dataset(src->>'relation', 'table') WHERE src->>'relation' <> 'pg_temp.input') d), '[]')))
        INTO col_facet FROM jsonb_array_elements(p.column_lineage->'columns') c;
    END IF;
    SELECT coalesce(jsonb_agg(etl._openlineage_dataset(l.dataset, l.kind) || jsonb_build_object(
             'facets', jsonb_build_object('schema', etl._openlineage_schema(to_regclass(l.dataset)))
                       || CASE WHEN col_facet IS NULL THEN '{}' ELSE jsonb_build_object('columnLineage', jsonb_build_object(
                            '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
                            'fields', col_facet)) END,
             'outputFacets', jsonb_build_object('outputStatistics', jsonb_strip_nulls(jsonb_build_object(
               '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
               'rowCount', l.rows, 'size', l.size))))
             ORDER BY l.id), '[]') INTO outputs
      FROM etl.lineage l WHERE l.run_id = rid AND l.direction = 'output';
  END IF;
  RETURN jsonb_build_object(
    'eventType', etype,
    'eventTime', to_char(CASE WHEN etype = 'START' THEN coalesce(r.started_at, r.queued_at) ELSE coalesce(r.finished_at, clock_timestamp()) END
                         AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'producer', producer,
    'schemaURL', 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    'run', jsonb_build_object('runId', etl._openlineage_run_id(rid), 'facets', run_facets),
    'job', jsonb_build_object('namespace', coalesce(namespace, 'pg_etl://' || current_database()),
                              'name', coalesce(r.pipeline, r.workflow),
                              'facets', jsonb_build_object('jobType', jsonb_build_object(
                                          '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/2-0-2/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
                                          'processingType', 'BATCH', 'integration', 'PG_ETL',
                                          'jobType', CASE WHEN r.pipeline IS NOT NULL THEN 'PIPELINE' ELSE 'WORKFLOW' END))
                                        || CASE WHEN p.transform IS NULL THEN '{}' ELSE jsonb_build_object('sql', jsonb_build_object(
                                          '_producer', producer, '_schemaURL', 'https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet',
                                          'query', p.transform)) END),
    'inputs', inputs,
    'outputs', outputs);
END $$;

-- OpenLineage wants a UUID per run: a stable one from the database and run id.
CREATE FUNCTION etl._openlineage_run_id(rid bigint) RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT md5('pg_etl:' || current_database() || ':' || rid)::uuid
$$;

-- Every OpenLineage event of a run (START, and COMPLETE / FAIL / ABORT when it ended).
CREATE FUNCTION etl.openlineage_events(run_id bigint) RETURNS SETOF jsonb LANGUAGE sql STABLE AS $$
  SELECT etl._openlineage_event(r.id, k)
    FROM etl.runs r
   CROSS JOIN LATERAL (VALUES (1, 'run_started'), (2, 'run_' || r.status)) AS e(n, k)
   WHERE r.id = openlineage_events.run_id AND r.status NOT IN ('queued') AND (e.n = 1 OR r.status <> 'running')
   ORDER BY e.n
$$;
COMMENT ON FUNCTION etl.openlineage_events(bigint) IS 'A run''s OpenLineage events (START, COMPLETE/FAIL/ABORT) as JSON';

-- Dataset-to-dataset edges: what runs read and wrote, plus the tables a pipeline's
-- transform reads (joins to reference data), from its column lineage.
CREATE VIEW etl.lineage_graph WITH (security_invoker = true) AS
  SELECT e.input, e.input_kind, e.output, e.pipeline, max(e.run_id) AS last_run_id, max(e.finished_at) AS last_seen
    FROM etl.lineage_edges e GROUP BY e.input, e.input_kind, e.output, e.pipeline
  UNION
  -- named as regclass prints them, like the targets above (no schema when on the search_path)
  SELECT DISTINCT coalesce(to_regclass(src->>'relation')::text, src->>'relation'), 'table', p.target::text, p.name,
         NULL::bigint, NULL::timestamptz
    FROM etl.pipelines p
   CROSS JOIN LATERAL jsonb_array_elements(p.column_lineage->'columns') c
   CROSS JOIN LATERAL jsonb_array_elements(c->'sources') src
   WHERE src->>'relation' <> 'pg_temp.input';
COMMENT ON VIEW etl.lineage_graph IS 'pg_etl: dataset -> dataset edges, through which pipeline, last seen';
GRANT SELECT ON etl.lineage_graph TO PUBLIC;

-- A dataset's upstream (what fed it) or downstream (what it fed), hop by hop.
CREATE FUNCTION etl._lineage_walk(dataset text, depth int, upstream boolean)
RETURNS TABLE (level int, dataset text, kind text, via_pipeline text, next_to text, last_run_id bigint, last_seen timestamptz)
-- jit off: the recursive walk's row estimates pass JIT's threshold on an empty graph,
-- and compiling it costs far more than running it
LANGUAGE sql STABLE SET jit = off AS $$
  WITH RECURSIVE start AS (
    SELECT DISTINCT d FROM (VALUES (dataset), (to_regclass(dataset)::text)) v(d) WHERE d IS NOT NULL),
  walk AS (
    SELECT 1 AS level, CASE WHEN upstream THEN g.input ELSE g.output END AS dataset,
           CASE WHEN upstream THEN g.input_kind ELSE 'table' END AS kind, g.pipeline,
           CASE WHEN upstream THEN g.output ELSE g.input END AS next_to, g.last_run_id, g.last_seen,
           ARRAY[CASE WHEN upstream THEN g.output ELSE g.input END] AS seen
      FROM etl.lineage_graph g JOIN start s ON s.d = CASE WHEN upstream THEN g.output ELSE g.input END
    UNION ALL
    SELECT w.level + 1, CASE WHEN upstream THEN g.input ELSE g.output END,
           CASE WHEN upstream THEN g.input_kind ELSE 'table' END, g.pipeline, w.dataset, g.last_run_id, g.last_seen,
           w.seen || w.dataset
      FROM walk w JOIN etl.lineage_graph g ON w.dataset = CASE WHEN upstream THEN g.output ELSE g.input END
     WHERE w.level < depth AND NOT (w.dataset = ANY (w.seen)))
  SELECT level, dataset, kind, pipeline, next_to, last_run_id, last_seen FROM walk ORDER BY level, dataset
$$;

CREATE FUNCTION etl.lineage_upstream(dataset text, depth int DEFAULT 10)
RETURNS TABLE (level int, dataset text, kind text, via_pipeline text, feeds text, last_run_id bigint, last_seen timestamptz)
LANGUAGE sql STABLE AS $$ SELECT * FROM etl._lineage_walk(dataset, depth, true) $$;
COMMENT ON FUNCTION etl.lineage_upstream(text, int) IS 'Datasets that fed this one, hop by hop (level 1 = direct inputs)';

CREATE FUNCTION etl.lineage_downstream(dataset text, depth int DEFAULT 10)
RETURNS TABLE (level int, dataset text, kind text, via_pipeline text, fed_by text, last_run_id bigint, last_seen timestamptz)
LANGUAGE sql STABLE AS $$ SELECT * FROM etl._lineage_walk(dataset, depth, false) $$;
COMMENT ON FUNCTION etl.lineage_downstream(text, int) IS 'Datasets this one fed, hop by hop (level 1 = direct outputs)';

-- ==== [http] the /metrics endpoint and the status page ===========================================

-- What /metrics serves (Prometheus text format 0.0.4): counters and latency histograms
-- from etl.run_stats, gauges of the queue and the worker slots. Rows are the caller's
-- (RLS); the endpoint runs as a superuser and sees every pipeline.
CREATE FUNCTION etl.prometheus_metrics() RETURNS text
  AS 'MODULE_PATHNAME', 'pg_etl_prometheus_metrics' LANGUAGE C STABLE;
COMMENT ON FUNCTION etl.prometheus_metrics() IS 'pg_etl''s metrics in Prometheus'' text exposition format (what GET /metrics serves)';

-- A time as the status report carries it: ISO 8601 in UTC.
CREATE FUNCTION etl._utc(ts timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- What the status page shows, as JSON (GET /status.json serves it as is):
-- {"generated_at": "2026-11-22T10:00:00Z", "database": "postgres", "version": "0.7.0",
--  "pipelines": [{"name", "kind": "pipeline" | "workflow", "paused", "schedule", "next_run_at",
--                 "last_run_id", "last_status", "last_finished_at", "last_duration" (seconds),
--                 "last_success_at", "last_failure_at", "last_error", "last_sqlstate",
--                 "succeeded", "failures", "rows_written", "rows_rejected", "running", "queued"}, ...],
--  "failures": [{"run_id", "kind", "pipeline", "status": "failed" | "dead", "attempt",
--                "finished_at", "error", "sqlstate"}, ...],          the last 20, newest first
--  "hourly": [{"hour", "runs", "failed", "rows_written", "rows_rejected",
--              "p50_seconds", "p95_seconds"}, ...],                  48 hours, oldest first, none left out
--  "dataset": null, or with a dataset: {"name", "upstream": [...], "downstream": [...]}
--             with the rows of etl.lineage_upstream / etl.lineage_downstream (5 hops):
--             {"level", "dataset", "kind", "via_pipeline", "next_to", "last_run_id", "last_seen"}}
-- Times are ISO 8601 UTC strings; absent values are null. Rows are the caller's (RLS).
-- jit off: the lineage walk's estimates (rows of jsonb arrays) are large enough to make
-- PostgreSQL JIT-compile the plan, 1.9 s of every call on an empty database, 12 ms without.
CREATE FUNCTION etl.status_report(dataset text DEFAULT NULL) RETURNS jsonb LANGUAGE sql STABLE SET jit = off AS $$
  WITH hours AS (
    SELECT h FROM generate_series(date_trunc('hour', now()) - interval '47 hours', date_trunc('hour', now()), interval '1 hour') h),
  hourly AS (
    SELECT date_trunc('hour', r.finished_at) AS h, count(*) AS runs,
           count(*) FILTER (WHERE r.status IN ('failed', 'dead')) AS failed,
           coalesce(sum(r.rows_written), 0) AS rows_written, coalesce(sum(r.rows_rejected), 0) AS rows_rejected,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.seconds) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY r.seconds) AS p95
      FROM etl._finished_runs r
     WHERE r.finished_at >= date_trunc('hour', now()) - interval '47 hours'
     GROUP BY 1),
  walk AS (
    SELECT 'upstream' AS direction, u.level, u.dataset, u.kind, u.via_pipeline, u.feeds AS next_to, u.last_run_id, u.last_seen
      FROM etl.lineage_upstream(status_report.dataset, 5) u WHERE status_report.dataset IS NOT NULL
    UNION ALL
    SELECT 'downstream', d.level, d.dataset, d.kind, d.via_pipeline, d.fed_by, d.last_run_id, d.last_seen
      FROM etl.lineage_downstream(status_report.dataset, 5) d WHERE status_report.dataset IS NOT NULL)
  SELECT jsonb_build_object(
    'generated_at', etl._utc(now()),
    'database', current_database(),
    'version', etl.version(),
    'pipelines', coalesce((
       SELECT jsonb_agg(jsonb_build_object(
                'name', s.pipeline, 'kind', s.kind, 'paused', s.paused, 'schedule', s.schedule,
                'next_run_at', etl._utc(s.next_run_at), 'last_run_id', s.last_run_id, 'last_status', s.last_status,
                'last_finished_at', etl._utc(s.last_finished_at), 'last_duration', s.last_duration,
                'last_success_at', etl._utc(s.last_success_at), 'last_failure_at', etl._utc(s.last_failure_at),
                'last_error', s.last_error, 'last_sqlstate', s.last_sqlstate, 'succeeded', s.succeeded,
                'failures', s.failures, 'rows_written', s.rows_written, 'rows_rejected', s.rows_rejected,
                'running', s.running, 'queued', s.queued) ORDER BY s.pipeline, s.kind)
         FROM etl.pipeline_status s), '[]'),
    'failures', coalesce((
       SELECT jsonb_agg(jsonb_build_object(
                'run_id', f.id, 'kind', CASE WHEN f.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END,
                'pipeline', coalesce(f.pipeline, f.workflow), 'status', f.status, 'attempt', f.attempt,
                'finished_at', etl._utc(f.finished_at), 'error', left(f.error, 2000), 'sqlstate', f.sqlstate)
              ORDER BY f.finished_at DESC, f.id DESC)
         FROM (SELECT * FROM etl.runs r WHERE r.status IN ('failed', 'dead') ORDER BY r.finished_at DESC LIMIT 20) f), '[]'),
    'hourly', (
       SELECT jsonb_agg(jsonb_build_object(
                'hour', etl._utc(hours.h), 'runs', coalesce(x.runs, 0), 'failed', coalesce(x.failed, 0),
                'rows_written', coalesce(x.rows_written, 0), 'rows_rejected', coalesce(x.rows_rejected, 0),
                'p50_seconds', x.p50, 'p95_seconds', x.p95) ORDER BY hours.h)
         FROM hours LEFT JOIN hourly x USING (h)),
    'dataset', CASE WHEN dataset IS NOT NULL THEN
       jsonb_build_object('name', dataset, 'upstream', '[]'::jsonb, 'downstream', '[]'::jsonb) || coalesce((
         SELECT jsonb_object_agg(g.direction, g.edges) FROM (
           SELECT w.direction, jsonb_agg(jsonb_build_object(
                    'level', w.level, 'dataset', w.dataset, 'kind', w.kind, 'via_pipeline', w.via_pipeline,
                    'next_to', w.next_to, 'last_run_id', w.last_run_id, 'last_seen', etl._utc(w.last_seen))
                  ORDER BY w.level, w.dataset) AS edges
             FROM walk w GROUP BY w.direction) g), '{}') END)
$$;
COMMENT ON FUNCTION etl.status_report(text) IS
  'What the status page shows, as JSON: pipelines, the last 20 failures, 48 hourly points, a dataset''s lineage';

-- ==== rejected rows that did not convert can be replayed too (issue 7) ==========================
-- The loader keeps a rejected row's fields as read (record_stage 'read': the shape of the
-- pipeline's "input"); rows a quality rule rejected keep the batch row (record_stage NULL:
-- after the transform). A replay feeds each through the part of the pipeline it missed.
ALTER TABLE etl.rejects ADD COLUMN record_stage text CHECK (record_stage IN ('read'));
COMMENT ON COLUMN etl.rejects.record_stage IS
  'read: record holds the fields as read (replayed through the transform); NULL: the row after the transform';

CREATE OR REPLACE FUNCTION etl._replay_into_batch(p etl.pipelines, rid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(x::bigint) INTO ids FROM jsonb_array_elements_text((SELECT params->'rejects' FROM etl.runs WHERE id = rid)) x;
  PERFORM etl._create_empty_batch(p);
  INSERT INTO pg_temp._etl_batch
  SELECT (jsonb_populate_record(NULL::pg_temp._etl_batch, j.record)).*
    FROM etl.rejects j WHERE j.id = ANY (ids) AND j.replayed_at IS NULL AND j.record_stage IS NULL ORDER BY j.id;
  IF EXISTS (SELECT FROM etl.rejects j WHERE j.id = ANY (ids) AND j.replayed_at IS NULL AND j.record_stage = 'read') THEN
    EXECUTE format('CREATE TEMP TABLE input (%s)',
                   coalesce(p.input_columns, etl._input_columns(p.options, p.source, p.target, p.transform)));
    INSERT INTO pg_temp.input
    SELECT (jsonb_populate_record(NULL::pg_temp.input, j.record)).*
      FROM etl.rejects j WHERE j.id = ANY (ids) AND j.replayed_at IS NULL AND j.record_stage = 'read' ORDER BY j.id;
    EXECUTE 'INSERT INTO pg_temp._etl_batch ' || etl._batch_query(p);
    DROP TABLE pg_temp.input;
  END IF;
  UPDATE etl.rejects SET replayed_at = clock_timestamp(), replay_run_id = rid WHERE id = ANY (ids) AND replayed_at IS NULL;
END $$;

CREATE OR REPLACE FUNCTION etl.replay_rejects(pipeline text, reject_ids bigint[] DEFAULT NULL) RETURNS bigint
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
    RAISE EXCEPTION 'reject % is a malformed record (it could not be split into fields), so it cannot be replayed', bad
      USING ERRCODE = 'feature_not_supported', DETAIL = (SELECT message FROM etl.rejects WHERE id = bad),
      HINT = 'fix the file and load it again (etl.reset or etl.skip_file)';
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
      HINT = 'the rows stay in etl.rejects, not replayed: fix etl.rejects.record, the transform or the target, and replay again';
  END IF;
  RETURN rid;
END $$;
COMMENT ON FUNCTION etl.replay_rejects(text, bigint[]) IS
  'Replays rejected rows (quality rejects, and rows that did not convert) through the pipeline; returns the run id';

-- ==== quality rules: the shared scan done natively (issue 7) ====================================
CREATE FUNCTION etl._quality_scan(rel regclass, tests jsonb) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'pg_etl_quality_scan' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION etl._quality_scan(regclass, jsonb) IS
  'Rows and failing rows per simple quality test in one native scan; NULL when SQL must do it';

-- The shared scan's values (metric, then fail_count if any, per scan rule, in plan order)
-- from etl._quality_scan, or NULL when a rule has no native test or the relation is not a
-- plain table the scan may read as is.
CREATE FUNCTION etl._quality_native_values(plan jsonb, rel text) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  tests jsonb := '[]';
  counts float8[];
  vals float8[] := '{}';
  k int := 1;
  relid regclass;
BEGIN
  IF rel LIKE '(%' OR EXISTS (SELECT FROM jsonb_array_elements(plan) x
                               WHERE x->>'scope' = 'scan' AND jsonb_typeof(x->'native') IS DISTINCT FROM 'object') THEN
    RETURN NULL;
  END IF;
  relid := to_regclass(rel);
  IF relid IS NULL THEN RETURN NULL; END IF;
  SELECT jsonb_agg(x->'native' ORDER BY (x->>'index')::int) INTO tests FROM jsonb_array_elements(plan) x WHERE x->>'scope' = 'scan';
  counts := etl._quality_scan(relid, tests);
  IF counts IS NULL THEN RETURN NULL; END IF;
  FOR r IN SELECT x FROM jsonb_array_elements(plan) x WHERE x->>'scope' = 'scan' ORDER BY (x->>'index')::int LOOP
    k := k + 1;
    IF r->'native'->>'metric' = 'rows' THEN
      vals := vals || counts[1];
    ELSE  -- share of rows passing, 1 for no rows (as the SQL metric)
      vals := vals || coalesce(1 - counts[k] / nullif(counts[1], 0), 1);
    END IF;
    IF r->>'fail_count' IS NOT NULL THEN
      vals := vals || counts[k];
    END IF;
  END LOOP;
  RETURN vals;
END $$;

CREATE OR REPLACE FUNCTION etl._quality_evaluate(plan jsonb, rel text, history_target text, pipeline text, sample_size int)
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
  -- Every scan rule's measures in one pass over the data: natively when every scan
  -- rule has a native test (etl._quality_scan), else one SELECT of all their aggregates.
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
    vals := etl._quality_native_values(plan, rel);
    IF vals IS NULL THEN
      EXECUTE format('SELECT ARRAY[%s] FROM %s t', array_to_string(exprs, ', '), rel) INTO vals;
    END IF;
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

