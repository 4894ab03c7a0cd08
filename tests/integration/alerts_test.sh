#!/usr/bin/env bash
# Events, notifications and SLAs, through the background worker (pg_etl.database =
# postgres): a run that ends is queued in the run outbox with its own commit, and the
# maintenance worker turns it into events and delivers them; NOTIFY payloads reach a LISTENing client; webhooks are signed and
# retried until a receiver that was down comes up; a failing run sends exactly one
# e-mail and one webhook; SLAs (arrival, freshness, duration) alert once and record
# recoveries; anomaly bands; a restarted worker is announced; OpenLineage events and
# lineage walks.
. "$(dirname "$0")/lib.sh"
servers_env
DB=postgres
data=/tmp/pg_etl_alerts_test
rm -rf "$data" && mkdir -p "$data/landing" "$data/vol" && chmod -R 777 "$data"
PEER_DIR="$data/peers"
mkdir -p "$PEER_DIR"
cleanup() {
  stop_peers
  [ -n "${listener_pid:-}" ] && kill "$listener_pid" 2>/dev/null || true
  psql -X -q -d postgres -c "DROP EXTENSION IF EXISTS pg_etl CASCADE" >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
q "DROP EXTENSION IF EXISTS pg_etl CASCADE"
q "CREATE EXTENSION pg_etl"
printf 'id,amount\n1,10\n2,20\n3,30\n' >"$data/orders.csv" && chmod a+r "$data/orders.csv"
q "CREATE TABLE a_orders (id int, amount numeric)"
q "SELECT etl.create_pipeline('a_ok', '$data/orders.csv', 'a_orders', write_mode => 'replace')" >/dev/null
q "SELECT etl.create_pipeline('a_broken', '$data/missing.csv', 'a_orders')" >/dev/null
# The worker processes the run outbox moments after a run; settle does it now (waiting
# for a batch the worker holds), so what follows a run can be checked at once.
settle() { q "SELECT etl.process_run_outbox()" >/dev/null; }

# ---- NOTIFY: a LISTENing client receives the events the worker delivers ---------------
q "SELECT etl.create_channel('listen', 'notify', '{\"channel\": \"pg_etl_alerts_test\"}')" >/dev/null
q "SELECT etl.subscribe('listen', ARRAY['run_succeeded', 'run_failed'])" >/dev/null
{ echo "LISTEN pg_etl_alerts_test;"; for _ in $(seq 60); do echo "SELECT pg_sleep(0.2);"; done; } >"$data/listen.sql"
psql -X -q -d postgres -f "$data/listen.sql" >"$data/listen.out" 2>&1 &
listener_pid=$!
sleep 0.5
ok_run=$(q "SELECT etl.enqueue('a_ok')")
bad_run=$(q "SELECT etl.enqueue('a_broken')")
wait_for 15 "both runs end" "SELECT count(*) = 2 FROM etl.runs WHERE id IN ($ok_run, $bad_run) AND status IN ('succeeded', 'failed')"
wait_for 15 "the worker delivers both events" \
  "SELECT count(*) = 2 FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id IN ($ok_run, $bad_run) AND d.status = 'delivered'"
wait "$listener_pid" || true
listener_pid=""
assert_eq "$(grep -c "\"run_id\": $bad_run, \"subject\": \"pipeline a_broken: run $bad_run failed" "$data/listen.out")" 1 \
  "the LISTENing client got the failed run's event exactly once"
assert_match "$(grep "\"run_id\": $ok_run," "$data/listen.out")" '"kind": "run_succeeded"' "and the succeeded run's"
assert_match "$(grep "\"run_id\": $bad_run," "$data/listen.out")" '"sqlstate": "58P01"' "the payload carries the error's SQLSTATE"
assert_eq "$(q "SELECT attempts FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $bad_run")" 1 \
  "one attempt, recorded in etl.deliveries"

# ---- a failing run: exactly one signed webhook and one e-mail ------------------------------
stamp="$(date +%s%N)" key="whsec-$stamp" smtp_pw="smtp-pw-$stamp"
start_peer HOOK webhook_receiver.py --log "$PEER_DIR/hook.jsonl" --key "$key"
start_peer SMTP smtp_server.py --store "$PEER_DIR/mail.jsonl" --user etl --password "$smtp_pw" \
  --cert "$ETL_TLS_CERT" --key "$PG_ETL_SERVERS_DIR/tls/server.key" --auth-require-tls --require-starttls
q "SELECT etl.create_secret('hook_key', '{\"key\": \"$key\"}')" >/dev/null
q "SELECT etl.create_secret('smtp_login', '{\"username\": \"etl\", \"password\": \"$smtp_pw\"}')" >/dev/null
q "SELECT etl.create_channel('ops_hook', 'webhook', '{\"url\": \"http://127.0.0.1:$HOOK/etl\", \"signing_secret\": \"hook_key\"}')" >/dev/null
q "SELECT etl.create_channel('ops_mail', 'email', '{\"url\": \"smtp://127.0.0.1:$SMTP\", \"from\": \"pg_etl <etl@example.com>\",
     \"to\": [\"oncall@example.com\"], \"secret\": \"smtp_login\", \"starttls\": \"required\", \"ca_file\": \"$ETL_TLS_CA\"}')" >/dev/null
q "SELECT etl.create_pipeline('a_paged', '$data/missing.csv', 'a_orders')" >/dev/null
q "SELECT etl.subscribe(c, ARRAY['run_failed', 'run_dead'], pipeline => 'a_paged') FROM unnest(ARRAY['ops_hook', 'ops_mail']) c" >/dev/null
paged=$(q "SELECT etl.enqueue('a_paged')")
wait_for 20 "the worker delivers the failed run's event to both channels" \
  "SELECT count(*) = 2 FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $paged AND d.channel IN ('ops_hook', 'ops_mail') AND d.status = 'delivered'"
sleep 1
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" 'len(r)')" 1 "exactly one webhook"
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" 'str(r[0]["signature_valid"]) + " " + r[0]["headers"]["X-PgEtl-Event"] + " " + str(json.loads(r[0]["body"])["run_id"])')" \
  "True run_failed $paged" "signed (the receiver verifies the HMAC), naming the event and the run"
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" 'r[0]["headers"]["X-PgEtl-Delivery"]')" \
  "$(q "SELECT d.message_id FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $paged AND d.channel = 'ops_hook'")" \
  "with the delivery's message id"
assert_eq "$(jsonl "$PEER_DIR/mail.jsonl" 'len(r)')" 1 "exactly one e-mail"
assert_match "$(jsonl "$PEER_DIR/mail.jsonl" 'str(r[0]["tls"]) + " " + m["To"] + " | " + m["Subject"]')" \
  "^True oncall@example.com \\| \\[pg_etl\\] pipeline a_paged: run $paged failed: could not stat file" \
  "through STARTTLS, to the on-call address, saying which run failed and why"

# A receiver that is down gets the event later, by retry; the run does not wait for it.
late_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
q "SELECT etl.create_channel('late_hook', 'webhook', '{\"url\": \"http://127.0.0.1:$late_port/etl\",
     \"retry\": {\"max_attempts\": 20, \"interval\": 0.5, \"backoff_rate\": 1.5, \"max_delay\": 2, \"jitter\": \"none\"}}')" >/dev/null
q "SELECT etl.subscribe('late_hook', ARRAY['run_succeeded'], pipeline => 'a_ok')" >/dev/null
late_run=$(q "SELECT etl.run('a_ok')")
assert_eq "$(q "SELECT status FROM etl.runs WHERE id = $late_run")" succeeded "a run with an unreachable receiver succeeds"
wait_for 15 "the delivery fails and is retried" \
  "SELECT attempts >= 2 AND status = 'pending' AND last_error LIKE '%127.0.0.1:$late_port%' FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $late_run AND d.channel = 'late_hook'"
start_peer LATE webhook_receiver.py --port "$late_port" --log "$PEER_DIR/late.jsonl"
wait_for 15 "once the receiver is up, a retry delivers it" \
  "SELECT status = 'delivered' FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $late_run AND d.channel = 'late_hook'"
assert_eq "$(jsonl "$PEER_DIR/late.jsonl" 'str(len(r)) + " " + str(json.loads(r[0]["body"])["run_id"])')" "1 $late_run" "exactly once"
q "UPDATE etl.channels SET name = 'late_hook2' WHERE name = 'late_hook'" >/dev/null
assert_eq "$(q "SELECT count(*) FROM etl.deliveries WHERE channel = 'late_hook2'")" 1 "a renamed channel keeps its deliveries"
q "SELECT etl.drop_channel('late_hook2')" >/dev/null
assert_eq "$(q "SELECT count(*) FROM etl.deliveries WHERE channel IN ('late_hook', 'late_hook2')")" 0 "a dropped channel takes its deliveries with it"

# OpenLineage events posted to an endpoint (the same receiver stands in for Marquez).
q "SELECT etl.create_channel('lineage', 'openlineage', '{\"url\": \"http://127.0.0.1:$HOOK/api/v1/lineage\"}')" >/dev/null
q "SELECT etl.subscribe('lineage', pipeline => 'a_ok')" >/dev/null
ol_run=$(q "SELECT etl.run('a_ok')")
wait_for 15 "START and COMPLETE reach the OpenLineage endpoint" \
  "SELECT count(*) = 2 FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $ol_run AND d.channel = 'lineage' AND d.status = 'delivered'"
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" '" ".join(json.loads(x["body"])["eventType"] + ":" + json.loads(x["body"])["job"]["name"] for x in r if x["path"] == "/api/v1/lineage")')" \
  "START:a_ok COMPLETE:a_ok" "as OpenLineage run events, in order"
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" 'len(set(json.loads(x["body"])["run"]["runId"] for x in r if x["path"] == "/api/v1/lineage"))')" 1 "sharing one runId"
assert_eq "$(grep -c -e "$key" -e "$smtp_pw" "$PG_ETL_TEST_DIR/server.log" || true)" 0 "no signing key or SMTP password in the server log"
assert_eq "$(q "SELECT count(*) FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE d.last_error LIKE '%$smtp_pw%' OR e.payload::text LIKE '%$key%'")" 0 \
  "nor in events or deliveries"

# A channel cannot name a secret its owner may not use (the worker delivers as a superuser).
psql -X -q -d postgres -c "DROP ROLE IF EXISTS alerts_mallory" -c "CREATE ROLE alerts_mallory LOGIN IN ROLE etl_network" >/dev/null
expect_error 42501 "a role may not create a channel signing with another role's secret" \
  "SET ROLE alerts_mallory; SELECT etl.create_channel('steal', 'webhook', '{\"url\": \"http://127.0.0.1:$HOOK/x\", \"signing_secret\": \"hook_key\"}')"
q "SET ROLE alerts_mallory; SELECT etl.create_channel('mine', 'webhook', '{\"url\": \"http://127.0.0.1:$HOOK/x\"}')" >/dev/null
expect_error 42501 "nor point its own channel at it afterwards" \
  "SET ROLE alerts_mallory; UPDATE etl.channels SET options = options || '{\"headers\": {\"X-Leak\": {\"secret\": \"smtp_login\"}}}' WHERE name = 'mine'"
expect_error 42501 "nor watch a server folder it may not read with an arrival SLA" \
  "SET ROLE alerts_mallory; SELECT etl.create_sla('peek', 'arrival', '{\"source\": \"file:///etc/*\", \"by\": \"09:00\"}')"
q "DELETE FROM etl.channels WHERE name = 'mine'; DROP ROLE alerts_mallory"

# A run whose retries are exhausted is dead: its own event, once, after the failed attempts.
q "SELECT etl.create_pipeline('a_doomed', '$data/missing.csv', 'a_orders', options => '{\"retry\": {\"max_attempts\": 2, \"interval\": 0.2, \"jitter\": \"none\"}}')" >/dev/null
q "SELECT etl.subscribe('ops_hook', ARRAY['run_dead'], pipeline => 'a_doomed')" >/dev/null
doomed=$(q "SELECT etl.enqueue('a_doomed')")
wait_for 20 "a run that exhausts its retries is delivered as run_dead" \
  "SELECT count(*) = 1 FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE e.run_id = $doomed AND e.kind = 'run_dead' AND d.channel = 'ops_hook' AND d.status = 'delivered'"
assert_eq "$(q "SELECT string_agg(kind, ',' ORDER BY id) FROM etl.events WHERE run_id = $doomed")" "run_dead" \
  "a retried attempt is not an event of its own; the final outcome is"

# ---- thresholds and filters -----------------------------------------------------------
printf 'id,amount\n1,10\n2,x\n3,30\n' >"$data/one_bad.csv"
{ echo 'id,amount'; for i in $(seq 20); do echo "$i,bad$i"; done; echo '21,1'; } >"$data/many_bad.csv"
chmod a+r "$data"/*.csv
q "SELECT etl.create_pipeline('a_one_bad', '$data/one_bad.csv', 'a_orders', options => '{\"reject_limit\": 100}')" >/dev/null
q "SELECT etl.create_pipeline('a_many_bad', '$data/many_bad.csv', 'a_orders', options => '{\"reject_limit\": 100}')" >/dev/null
q "SELECT etl.create_channel('rejects', 'notify', '{\"channel\": \"pg_etl_rejects\"}')" >/dev/null
q "SELECT etl.subscribe('rejects', ARRAY['rows_rejected'], options => '{\"min_rejected\": 5}')" >/dev/null
q "SELECT etl.run('a_one_bad'), etl.run('a_many_bad')" >/dev/null; settle
assert_eq "$(q "SELECT string_agg(e.pipeline || ':' || (e.payload->>'rows_rejected'), ',' ORDER BY e.id) FROM etl.events e WHERE e.kind = 'rows_rejected'")" \
  "a_one_bad:1,a_many_bad:20" "every run with rejects records a rows_rejected event"
assert_eq "$(q "SELECT string_agg(e.pipeline, ',') FROM etl.deliveries d JOIN etl.events e ON e.id = d.event_id WHERE d.channel = 'rejects'")" \
  "a_many_bad" "only the run above the subscription's min_rejected is delivered"
q "SELECT etl.create_channel('only_ok', 'notify', '{}')" >/dev/null
q "SELECT etl.subscribe('only_ok', ARRAY['run_failed'], pipeline => 'a_ok')" >/dev/null
q "SELECT etl.run('a_broken')" >/dev/null 2>&1; settle
assert_eq "$(q "SELECT count(*) FROM etl.deliveries WHERE channel = 'only_ok'")" 0 "a subscription for one pipeline ignores the others"
expect_error 22023 "an unknown event kind is refused" "SELECT etl.subscribe('listen', ARRAY['run_exploded'])"
expect_error 22023 "an unknown channel kind is refused" "SELECT etl.create_channel('x', 'pager', '{}')"
expect_error 22023 "an unknown channel option is refused" "SELECT etl.create_channel('x', 'notify', '{\"chanel\": \"x\"}')"
expect_error 22023 "a NOTIFY channel name pg_notify would refuse (64 bytes) is refused when written" \
  "SELECT etl.create_channel('x', 'notify', '{\"channel\": \"$(printf 'c%.0s' $(seq 64))\"}')"
expect_error 22023 "and so is an empty one" "SELECT etl.create_channel('x', 'notify', '{\"channel\": \"\"}')"
expect_error 42704 "a subscription to a missing channel is refused" "SELECT etl.subscribe('nope')"

# ---- quality rules that fail raise an event -------------------------------------------
q "SELECT count(*) FROM etl.check('a_orders', 'RowCount > 1000')" >/dev/null
assert_match "$(q "SELECT subject FROM etl.events WHERE kind = 'quality_failed' ORDER BY id DESC LIMIT 1")" \
  'quality check of a_orders: 1 rule' "a failing quality rule records a quality_failed event"

# ---- pg_etl.events = off records nothing ----------------------------------------------
before=$(q "SELECT count(*) FROM etl.events")
psql -X -q -d postgres -c "SET pg_etl.events = off" -c "SELECT etl.run('a_broken')" >/dev/null 2>&1; settle
assert_eq "$(q "SELECT count(*) FROM etl.events")" "$before" "pg_etl.events = off: no event"

# ---- SLAs -----------------------------------------------------------------------------
# Arrival, at chosen times: a file by 09:00 Europe/Berlin on weekdays.
touch -d '2026-11-20 07:30 UTC' "$data/landing/fri.csv"
q "SELECT etl.create_sla('landing', 'arrival', '{\"source\": \"file://$data/landing/*.csv\", \"by\": \"09:00\", \"days\": \"weekdays\", \"timezone\": \"Europe/Berlin\"}')" >/dev/null
assert_eq "$(q "SELECT options->>'deadline' FROM etl.slas WHERE name = 'landing'")" "0 9 * * 1-5" "09:00 on weekdays is the cron deadline 0 9 * * 1-5"
q "UPDATE etl.slas SET window_start = '2026-11-19 09:00+01', next_deadline = '2026-11-20 09:00+01', next_check_at = '2026-11-20 09:00+01' WHERE name = 'landing'"
assert_eq "$(q "SELECT status FROM etl.check_slas('2026-11-20 09:00:30+01') WHERE sla = 'landing'")" ok "Friday's file came before 09:00: ok"
assert_eq "$(q "SELECT next_deadline FROM etl.slas WHERE name = 'landing'")" "2026-11-23 08:00:00+00" "the next deadline skips the weekend"
assert_eq "$(q "SELECT status FROM etl.check_slas('2026-11-23 09:00:30+01') WHERE sla = 'landing'")" missed "no file by Monday 09:00: missed"
q "SELECT * FROM etl.check_slas('2026-11-23 09:01:00+01')" >/dev/null
q "SELECT * FROM etl.check_slas('2026-11-23 09:01:30+01')" >/dev/null
assert_eq "$(q "SELECT count(*) FROM etl.events WHERE kind = 'sla_missed' AND payload->>'sla' = 'landing'")" 1 "the miss alerts once"
touch -d '2026-11-23 08:20 UTC' "$data/landing/mon.csv"
assert_eq "$(q "SELECT status FROM etl.check_slas('2026-11-23 09:25+01') WHERE sla = 'landing'")" ok "the late file recovers it"
assert_eq "$(q "SELECT string_agg(kind, ',' ORDER BY id) FROM etl.sla_events WHERE sla = 'landing'")" "missed,recovered" \
  "etl.sla_events keeps the miss and the recovery"
assert_match "$(q "SELECT detail->>'late_by' FROM etl.sla_events WHERE sla = 'landing' AND kind = 'recovered'")" '^00:20:00' "and how late the file was"

# Freshness, checked by the worker: no success for 2 seconds alerts once.
q "SELECT etl.create_pipeline('a_fresh', '$data/orders.csv', 'a_orders', write_mode => 'replace')" >/dev/null
q "SELECT etl.create_sla('fresh2s', 'freshness', '{\"pipeline\": \"a_fresh\", \"every\": \"2 seconds\"}')" >/dev/null
wait_for 15 "the worker notices the stale pipeline" "SELECT status = 'missed' FROM etl.slas WHERE name = 'fresh2s'"
sleep 2
assert_eq "$(q "SELECT count(*) FROM etl.events WHERE kind = 'sla_missed' AND payload->>'sla' = 'fresh2s'")" 1 "a freshness miss alerts once"
q "SELECT etl.run('a_fresh')" >/dev/null; settle
assert_eq "$(q "SELECT status FROM etl.slas WHERE name = 'fresh2s'")" ok "a successful run recovers it"
assert_eq "$(q "SELECT count(*) FROM etl.events WHERE kind = 'sla_recovered' AND payload->>'sla' = 'fresh2s'")" 1 "the recovery is recorded"
q "SELECT etl.drop_sla('fresh2s')" >/dev/null

# Duration: a run over its limit misses at its end; a fast one recovers.
q "SELECT etl.create_pipeline('a_slow', '$data/orders.csv', 'a_orders', write_mode => 'replace', transform => \$\$SELECT id::int, amount::numeric FROM input, pg_sleep(coalesce(etl.run_property('sleep'), '0')::float8)\$\$)" >/dev/null
q "SELECT etl.create_sla('slow1s', 'duration', '{\"pipeline\": \"a_slow\", \"within\": \"1 second\"}')" >/dev/null
q "SELECT etl.run('a_slow', '{\"sleep\": \"1.3\"}')" >/dev/null; settle
assert_eq "$(q "SELECT status FROM etl.slas WHERE name = 'slow1s'")" missed "a run that took 1.3 s misses a 1 second SLA"
assert_match "$(q "SELECT subject FROM etl.events WHERE kind = 'sla_missed' AND payload->>'sla' = 'slow1s'")" 'took 00:00:01 \(limit 1 second\)' "the alert says how long it took"
q "SELECT etl.reset('a_slow')" >/dev/null   # the same file again
q "SELECT etl.run('a_slow')" >/dev/null; settle
assert_eq "$(q "SELECT status FROM etl.slas WHERE name = 'slow1s'")" ok "a fast run recovers it"
# ... and the worker sees a run that is still going.
q "SELECT etl.drop_sla('slow1s')" >/dev/null
q "SELECT etl.create_sla('slow1s', 'duration', '{\"pipeline\": \"a_slow\", \"within\": \"1 second\"}')" >/dev/null
q "SELECT etl.reset('a_slow')" >/dev/null
rid=$(q "SELECT etl.enqueue('a_slow', '{\"sleep\": \"6\"}')")
wait_for 20 "the worker alerts while the run is still running" \
  "SELECT count(*) = 1 FROM etl.sla_events s JOIN etl.runs r ON r.id = s.run_id WHERE s.sla = 'slow1s' AND s.kind = 'missed' AND r.status = 'running'"
wait_for 15 "the slow run ends" "SELECT status = 'succeeded' FROM etl.runs WHERE id = $rid"
assert_eq "$(q "SELECT count(*) FROM etl.events WHERE kind = 'sla_missed' AND run_id = $rid")" 1 "still one alert for that run"
expect_error 22023 "an SLA with a bad option is refused" "SELECT etl.create_sla('x', 'freshness', '{\"pipeline\": \"a_ok\", \"evry\": \"1 hour\"}')"
expect_error 42704 "an SLA on a missing pipeline is refused" "SELECT etl.create_sla('x', 'freshness', '{\"pipeline\": \"nope\", \"every\": \"1 hour\"}')"

# ---- anomalies: rows against the last runs --------------------------------------------
q "CREATE TABLE a_vol (id int, amount numeric)"
q "SELECT etl.create_pipeline('a_vol', 'file://$data/vol/*.csv', 'a_vol')" >/dev/null
q "SELECT etl.create_sla('vol_band', 'anomaly', '{\"pipeline\": \"a_vol\", \"metric\": \"rows_written\", \"percent\": 50, \"runs\": 10, \"min_runs\": 5}')" >/dev/null
vol_file() {  # vol_file N ROWS
  { echo 'id,amount'; for i in $(seq "$2"); do echo "$i,1"; done; } >"$data/vol/f$1.csv"; chmod a+r "$data/vol/f$1.csv"
}
for n in 1 2 3 4 5; do vol_file $n $((100 + n)); q "SELECT etl.run('a_vol')" >/dev/null; settle; done
assert_eq "$(q "SELECT count(*) FROM etl.sla_events WHERE sla = 'vol_band'")" 0 "steady volumes: no anomaly"
vol_file 6 400; q "SELECT etl.run('a_vol')" >/dev/null; settle
assert_match "$(q "SELECT subject FROM etl.events WHERE kind = 'anomaly'")" 'rows_written = 400.0000, outside 50% of the last 5 runs. average 103' \
  "400 rows against an average of 103 is an anomaly"
vol_file 7 104; q "SELECT etl.run('a_vol')" >/dev/null; settle
assert_eq "$(q "SELECT string_agg(kind, ',' ORDER BY id) FROM etl.sla_events WHERE sla = 'vol_band'")" "anomaly,recovered" "back in the band: recovered"

# ---- a restarted launcher is announced ------------------------------------------------
launcher=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_etl launcher'")
q "SELECT pg_terminate_backend($launcher)" >/dev/null
wait_for 20 "a restarted launcher records worker_restarted" "SELECT count(*) = 1 FROM etl.events WHERE kind = 'worker_restarted'"

# ---- OpenLineage ----------------------------------------------------------------------
assert_eq "$(q "SELECT string_agg(e->>'eventType', ',') FROM etl.openlineage_events($ok_run) e")" "START,COMPLETE" "a run's OpenLineage events"
assert_eq "$(q "SELECT e->'inputs'->0->>'namespace' || ' ' || (e->'inputs'->0->>'name') FROM etl.openlineage_events($ok_run) e WHERE e->>'eventType' = 'COMPLETE'")" \
  "file $data/orders.csv" "the input file is a dataset in the file namespace"
assert_eq "$(q "SELECT (e->'outputs'->0->>'name') || ' ' || (e->'outputs'->0->'outputFacets'->'outputStatistics'->>'rowCount') FROM etl.openlineage_events($ok_run) e WHERE e->>'eventType' = 'COMPLETE'")" \
  "postgres.public.a_orders 3" "the output table, with its row count"
assert_eq "$(q "SELECT string_agg(f->>'name' || ':' || (f->>'type'), ',') FROM etl.openlineage_events($ok_run) e, jsonb_array_elements(e->'outputs'->0->'facets'->'schema'->'fields') f WHERE e->>'eventType' = 'COMPLETE'")" \
  "id:integer,amount:numeric" "and its schema facet"
assert_eq "$(q "SELECT count(DISTINCT e->'run'->>'runId') FROM etl.openlineage_events($ok_run) e")" 1 "START and COMPLETE share the runId"
assert_match "$(q "SELECT e->'run'->'facets'->'errorMessage'->>'message' FROM etl.openlineage_events($bad_run) e WHERE e->>'eventType' = 'FAIL'")" \
  'could not stat file' "a failed run's FAIL event carries the error"

# ---- column-level lineage and lineage walks ---------------------------------------------
printf 'order_id,region\n1,EU\n2,US\n' >"$data/regions.csv" && chmod a+r "$data/regions.csv"
q "CREATE TABLE a_enriched (order_id int, region text, amount_eur numeric, n int)"
q "SELECT etl.create_pipeline('a_enrich', '$data/regions.csv', 'a_enriched', transform => \$\$
     SELECT i.order_id::int AS order_id, upper(i.region) AS region, o.amount * 0.9 AS amount_eur,
            count(*) OVER (PARTITION BY i.region)::int AS n
       FROM input i JOIN a_orders o ON o.id = i.order_id::int WHERE o.amount > 0\$\$)" >/dev/null
assert_eq "$(q "SELECT string_agg(c->>'column' || '<-' || (s->>'relation') || '.' || (s->>'column') || ':' || (s->>'subtype'), ' ' ORDER BY c->>'column', s->>'relation', s->>'column')
                FROM etl.pipelines p, jsonb_array_elements(p.column_lineage->'columns') c, jsonb_array_elements(c->'sources') s WHERE p.name = 'a_enrich'")" \
  "amount_eur<-public.a_orders.amount:TRANSFORMATION order_id<-pg_temp.input.order_id:TRANSFORMATION region<-pg_temp.input.region:TRANSFORMATION" \
  "column lineage from PostgreSQL's analyzer: each target column's sources"
assert_match "$(q "SELECT string_agg((s->>'relation') || '.' || (s->>'column') || ':' || (s->>'subtype'), ' ') FROM etl.pipelines p, jsonb_array_elements(p.column_lineage->'indirect') s WHERE p.name = 'a_enrich'")" \
  'public.a_orders.id:JOIN.*public.a_orders.amount:FILTER.*pg_temp.input.region:WINDOW' "and the columns that join, filter and partition"
enrich_run=$(q "SELECT etl.run('a_enrich')")
assert_eq "$(q "SELECT string_agg(f.key || '<-' || (i->>'namespace') || ':' || (i->>'name') || '.' || (i->>'field'), ' ' ORDER BY f.key, i->>'name')
                FROM etl.openlineage_events($enrich_run) e, jsonb_each(e->'outputs'->0->'facets'->'columnLineage'->'fields') f,
                     jsonb_array_elements(f.value->'inputFields') i WHERE e->>'eventType' = 'COMPLETE'")" \
  "amount_eur<-postgres://127.0.0.1:$PGPORT:postgres.public.a_orders.amount order_id<-file:$data/regions.csv.order_id region<-file:$data/regions.csv.region" \
  "the OpenLineage columnLineage facet maps input to the run's file and joined tables to their datasets"
assert_match "$(q "SELECT string_agg(DISTINCT level || ':' || dataset || ':' || coalesce(via_pipeline, ''), ' ') FROM etl.lineage_upstream('a_enriched')")" \
  "^1:a_orders:a_enrich 1:file://$data/regions.csv:a_enrich 2:file://$data/many_bad.csv:a_many_bad 2:file://$data/one_bad.csv:a_one_bad 2:file://$data/orders.csv:a_fresh 2:file://$data/orders.csv:a_ok" \
  "lineage_upstream walks through the joined table to the files that fed it"
assert_eq "$(q "SELECT string_agg(DISTINCT level || ':' || dataset, ' ') FROM etl.lineage_downstream('file://$data/orders.csv')")" \
  "1:a_orders 2:a_enriched" "lineage_downstream: a file, the table it fed, what that table fed"
assert_eq "$(q "SELECT count(*) FROM etl.lineage_upstream('a_enriched', 1)")" 2 "depth limits the walk"
