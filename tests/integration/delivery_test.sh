#!/usr/bin/env bash
# Notification transports against real servers on loopback: etl._deliver POSTs signed
# webhooks to tests/servers/webhook_receiver.py and sends e-mail through
# tests/servers/smtp_server.py (aiosmtpd) with STARTTLS and AUTH. A failed delivery is a
# result (retryable or not, with Retry-After), never an ERROR; bad options are 22023
# naming the option; no secret reaches a result, a receiver's log or the server log.
# The peers are started here, on ports the OS picks, in the modes each case needs
# (failing first, requiring STARTTLS, no TLS at all).
. "$(dirname "$0")/lib.sh"
servers_env
DB=delivery_test
fresh_db $DB
PEER_DIR="$(mktemp -d /tmp/pg_etl_delivery.XXXXXX)"
cleanup() {
  stop_peers
  rm -rf "$PEER_DIR"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS delivery_user" >/dev/null 2>&1 || true
}
trap cleanup EXIT
log="$PG_ETL_TEST_DIR/server.log"
stamp="$(date +%s%N)"
key="whsec-$stamp" other_key="other-$stamp" bearer="bearer-$stamp" smtp_pw="smtp-pw-$stamp" bad_pw="bad-pw-$stamp"
tls_key="$PG_ETL_SERVERS_DIR/tls/server.key"

start_peer HOOK webhook_receiver.py --log "$PEER_DIR/hook.jsonl" --key "$key"
start_peer FLAKY webhook_receiver.py --log "$PEER_DIR/flaky.jsonl" --fail-first 2
start_peer SLOW webhook_receiver.py --log "$PEER_DIR/slow.jsonl"
start_peer SMTP smtp_server.py --store "$PEER_DIR/mail.jsonl" --user etl --password "$smtp_pw" \
  --cert "$ETL_TLS_CERT" --key "$tls_key" --auth-require-tls --require-starttls
start_peer PLAIN smtp_server.py --store "$PEER_DIR/plain.jsonl" --user etl --password "$smtp_pw" --mechanisms LOGIN
hook="http://127.0.0.1:$HOOK"
smtp="smtp://127.0.0.1:$SMTP"
closed="127.0.0.1:1"   # nothing listens on port 1

q "SELECT etl.create_secret('hook_key', '{\"key\": \"$key\"}')" $DB >/dev/null
q "SELECT etl.create_secret('other_key', '{\"token\": \"$other_key\"}')" $DB >/dev/null
q "SELECT etl.create_secret('hook_auth', '\"Bearer $bearer\"')" $DB >/dev/null
q "SELECT etl.create_secret('smtp_login', '{\"username\": \"etl\", \"password\": \"$smtp_pw\"}')" $DB >/dev/null
q "SELECT etl.create_secret('smtp_wrong', '{\"username\": \"etl\", \"password\": \"$bad_pw\"}')" $DB >/dev/null

event='{"kind": "run_failed", "severity": "error", "subject": "Pipeline orders failed", "text": "Run 3 of orders failed.", "id": 3, "big": 123456789012345678901234567890.25}'

# deliver KIND OPTIONS EVENT ID: "ok|status|retryable|retry_after|error" (empty for NULL)
deliver() {
  q "SELECT concat_ws('|', r->>'ok', coalesce(r->>'status', ''), r->>'retryable', coalesce(r->>'retry_after', ''),
                           coalesce(r->>'error', ''))
       FROM etl._deliver('$1', \$o\$$2\$o\$, \$e\$$3\$e\$, '$4') r" $DB
}
outcome() { cut -d'|' -f1-4 <<<"$1"; }
error_text() { cut -d'|' -f5- <<<"$1"; }

# ---- webhooks ------------------------------------------------------------------------
opts=$(printf '{"url": "%s/hook", "signing_secret": "hook_key", "headers": {"X-Team": "ops", "Authorization": {"secret": "hook_auth"}}}' "$hook")
r=$(deliver webhook "$opts" "$event" pg_etl-3-abc)
assert_eq "$(outcome "$r")" "true|204|false|" "a signed webhook is delivered"
rec() { jsonl "$PEER_DIR/hook.jsonl" "r[-1]$1"; }
assert_eq "$(rec '["method"] + " " + r[-1]["path"]')" "POST /hook" "it is a POST to the URL's path"
assert_eq "$(rec '["signature_valid"]')" "true" "X-PgEtl-Signature verifies: HMAC-SHA256 of <timestamp>.<body> under the secret's key"
assert_match "$(rec '["headers"]["X-PgEtl-Signature"]')" '^sha256=[0-9a-f]{64}$' "the signature is sha256=<hex>"
assert_eq "$(rec '["headers"]["X-PgEtl-Event"]')" "run_failed" "X-PgEtl-Event is the event's kind"
assert_eq "$(rec '["headers"]["X-PgEtl-Delivery"]')" "pg_etl-3-abc" "X-PgEtl-Delivery is the message id"
now=$(date +%s)
ts=$(rec '["headers"]["X-PgEtl-Timestamp"]')
[ $((now - ts)) -ge 0 ] && [ $((now - ts)) -le 60 ] || fail "X-PgEtl-Timestamp $ts is not now ($now)"
pass "X-PgEtl-Timestamp is the current Unix time"
assert_eq "$(rec '["headers"]["Content-Type"]')" "application/json" "Content-Type: application/json"
assert_eq "$(rec '["headers"]["User-Agent"]')" "pg_etl/$PG_ETL_VERSION" "User-Agent: pg_etl/<version>"
assert_eq "$(rec '["headers"]["X-Team"]')" "ops" "an extra header is sent"
assert_eq "$(rec '["headers"]["Authorization"]')" "Bearer $bearer" "a header's value from a secret ({\"secret\": name})"
assert_eq "$(jsonl "$PEER_DIR/hook.jsonl" "json.loads(r[-1]['body']) == json.loads(r'''$event''')")" "true" "the body is the event"
assert_match "$(rec '["body"]')" '123456789012345678901234567890\.25' "numbers reach the receiver unrounded"

opts=$(printf '{"url": "%s/hook", "signing_secret": "other_key"}' "$hook")
assert_eq "$(outcome "$(deliver webhook "$opts" "$event" m-other)")" "true|204|false|" "a webhook signed with another key is delivered"
assert_eq "$(rec '["signature_valid"]')" "false" "... and the receiver's check fails it (the check is real)"
assert_eq "$(outcome "$(deliver webhook "{\"url\": \"$hook/hook\"}" "$event" m-unsigned)")" "true|204|false|" "an unsigned webhook"
assert_eq "$(rec '.get("headers").get("X-PgEtl-Signature")')" "null" "... has no X-PgEtl-Signature"

# 500s, then success: retryable, and every attempt carries the same message id
opts="{\"url\": \"http://127.0.0.1:$FLAKY/hook\"}"
assert_eq "$(outcome "$(deliver webhook "$opts" "$event" pg_etl-9-retry)")" "false|500|true|" "HTTP 500 is a retryable failure"
assert_eq "$(outcome "$(deliver webhook "$opts" "$event" pg_etl-9-retry)")" "false|500|true|" "... again"
assert_eq "$(outcome "$(deliver webhook "$opts" "$event" pg_etl-9-retry)")" "true|204|false|" "... then delivered"
assert_eq "$(jsonl "$PEER_DIR/flaky.jsonl" 'sorted({x["headers"]["X-PgEtl-Delivery"] for x in r})')" '["pg_etl-9-retry"]' \
  "all three attempts carry the same X-PgEtl-Delivery"
assert_eq "$(jsonl "$PEER_DIR/flaky.jsonl" 'len(r)')" 3 "one request per call (the worker owns retries)"

r=$(deliver webhook "{\"url\": \"$hook/status/503?retry_after=30\"}" "$event" m-503)
assert_eq "$(outcome "$r")" "false|503|true|30" "503 with Retry-After: 30 is retryable after 30 s"
assert_eq "$(outcome "$(deliver webhook "{\"url\": \"$hook/status/429?retry_after=Thu,%2001%20Jan%202099%2000:00:00%20GMT\"}" "$event" m-429)" | cut -d'|' -f1-3)" \
  "false|429|true" "429 is retryable"
r=$(deliver webhook "{\"url\": \"$hook/status/404\"}" "$event" m-404)
assert_eq "$(outcome "$r")" "false|404|false|" "404 is final (not retryable)"
assert_eq "$(error_text "$r")" "HTTP 404 from \"$hook/status/404\": {\"status\": 404}" "... and says so with the URL and the answer"
assert_eq "$(outcome "$(deliver webhook "{\"url\": \"$hook/status/400\"}" "$event" m-400)")" "false|400|false|" "400 is final"
assert_eq "$(outcome "$(deliver webhook "{\"url\": \"$hook/status/408\"}" "$event" m-408)")" "false|408|true|" "408 is retryable"
assert_eq "$(outcome "$(deliver webhook "{\"url\": \"$hook/status/302\"}" "$event" m-302)")" "false|302|false|" "a redirect is not followed"

r=$(deliver webhook "{\"url\": \"http://hookuser:url-pw-$stamp@$closed/hook\"}" "$event" m-closed)
assert_eq "$(outcome "$r")" "false||true|" "a closed port is a retryable connection failure"
assert_match "$(error_text "$r")" "^could not deliver to \"http://hookuser@$closed/hook\": Failed to connect" \
  "... named by the URL without its password"
r=$(deliver webhook "{\"url\": \"http://127.0.0.1:$SLOW/delay/5\", \"timeout\": 1}" "$event" m-slow)
assert_eq "$(outcome "$r")" "false||true|" "a receiver slower than the timeout is a retryable failure"
assert_match "$(error_text "$r")" "timed out" "... that says it timed out"
expect_error 57014 "statement_timeout cancels a delivery in flight (an ERROR, not a result)" \
  "SET statement_timeout = 500; SELECT etl._deliver('webhook', '{\"url\": \"http://127.0.0.1:$SLOW/delay/5\", \"timeout\": 30}', '{}', 'm-cancel')" $DB

# ---- e-mail ---------------------------------------------------------------------------
mail_opts() {  # mail_opts URL SECRET STARTTLS [EXTRA]
  printf '{"url": "%s", "from": "pg_etl <etl@example.com>", "to": ["ops@example.com", "Dev Team <dev@example.com>"], "secret": "%s", "starttls": "%s", "ca_file": "%s"%s}' \
    "$1" "$2" "$3" "$ETL_TLS_CA" "${4:-}"
}
r=$(deliver email "$(mail_opts "$smtp" smtp_login required)" "$event" pg_etl-3-mail)
assert_eq "$(outcome "$r")" "true|250|false|" "an e-mail is sent through STARTTLS with AUTH"
mail() { jsonl "$PEER_DIR/mail.jsonl" "$1"; }
assert_eq "$(mail 'r[-1]["tls"]')" "true" "the session was encrypted (STARTTLS)"
assert_eq "$(mail 'r[-1]["auth_user"]')" "etl" "it logged in as the secret's user"
assert_eq "$(mail 'r[-1]["mail_from"]')" "etl@example.com" "MAIL FROM is the bare sender"
assert_eq "$(mail 'r[-1]["rcpt_tos"]')" '["ops@example.com", "dev@example.com"]' "RCPT TO each recipient"
assert_eq "$(mail 'm["From"]')" "pg_etl <etl@example.com>" "From"
assert_eq "$(mail 'm["To"]')" "ops@example.com, Dev Team <dev@example.com>" "To"
assert_eq "$(mail 'm["Subject"]')" "[pg_etl] Pipeline orders failed" "Subject: [pg_etl] <event subject>"
assert_eq "$(mail 'm["Message-ID"]')" "<pg_etl-3-mail@pg_etl>" "Message-ID: <message id@pg_etl>"
assert_eq "$(mail 'm["Auto-Submitted"]')" "auto-generated" "Auto-Submitted: auto-generated"
assert_eq "$(mail 'm.get_content_type() + " " + m.get_content_charset()')" "text/plain utf-8" "text/plain; charset=utf-8"
assert_eq "$(mail 'abs(email.utils.parsedate_to_datetime(m["Date"]).timestamp() - r[-1]["time"]) < 60')" "true" "Date is now"
assert_eq "$(mail 'm.get_content().startswith("Run 3 of orders failed.\n\n{\n")')" "true" "the body: the event's text, then the event"
assert_eq "$(mail 'json.loads(m.get_content().split("\n\n", 1)[1]) == json.loads(r"""'"$event"'""")')" "true" "... as JSON"
assert_eq "$(mail '"\n" in r[-1]["data"].replace("\r\n", "")')" "false" "every line ends in CRLF"

unicode_event='{"kind": "sla_missed", "subject": "Größe überschritten – Käse €", "text": "Zeile 1\nZeile 2: ünïcödé"}'
assert_eq "$(outcome "$(deliver email "$(mail_opts "$smtp" smtp_login try ', "subject_prefix": "[prod]"')" "$unicode_event" m-utf8)")" \
  "true|250|false|" "starttls try upgrades when the server offers it"
assert_eq "$(mail 'r[-1]["tls"]')" "true" "... (encrypted)"
assert_eq "$(mail 'm["Subject"]')" "[prod] Größe überschritten – Käse €" "a non-ASCII subject decodes back (RFC 2047)"
assert_match "$(mail 'r[-1]["data"]')" 'Subject: =\?UTF-8\?B\?' "... from encoded-words"
assert_eq "$(mail 'm.get_content().split("\n\n")[0]')" "Zeile 1
Zeile 2: ünïcödé" "a non-ASCII body decodes back (quoted-printable)"
assert_eq "$(mail 'm["Content-Transfer-Encoding"]')" "quoted-printable" "... and is sent as quoted-printable"

r=$(deliver email "$(mail_opts "$smtp" smtp_wrong required)" "$event" m-badpw)
assert_eq "$(outcome "$r")" "false|535|false|" "a wrong password is a final failure (535)"
assert_match "$(error_text "$r")" "^could not send mail through \"$smtp\": Login denied" "... that says the login was denied"
[[ "$r" != *"$bad_pw"* ]] || fail "the result shows the password"
pass "... without the password"
r=$(deliver email "$(mail_opts "smtp://$closed" smtp_login try)" "$event" m-down)
assert_eq "$(outcome "$r")" "false||true|" "an unreachable SMTP server is a retryable failure"
r=$(deliver email "$(mail_opts "$smtp" smtp_login off)" "$event" m-off)
assert_eq "$(outcome "$r")" "false|530|false|" "starttls off: no TLS, so a server that requires it refuses (530)"
r=$(deliver email "$(printf '{"url": "%s", "from": "etl@example.com", "to": ["ops@example.com"], "secret": "smtp_login", "starttls": "required"}' "$smtp")" "$event" m-noca)
assert_eq "$(outcome "$r" | cut -d'|' -f1,3)" "false|false" "a certificate no CA vouches for is a final failure"
assert_match "$(error_text "$r")" "certificate" "... naming the certificate"
r=$(deliver email "$(mail_opts "smtp://127.0.0.1:$PLAIN" smtp_login required)" "$event" m-plain)
assert_eq "$(outcome "$r" | cut -d'|' -f1,3)" "false|false" "starttls required and a server without STARTTLS: not sent"
assert_match "$(error_text "$r")" "STARTTLS" "... because of STARTTLS"
[ ! -s "$PEER_DIR/plain.jsonl" ] || fail "a message went out in clear text"
assert_eq "$(outcome "$(deliver email "$(mail_opts "smtp://127.0.0.1:$PLAIN" smtp_login try)" "$event" m-try)")" "true|250|false|" \
  "starttls try and a server without it: sent in clear (AUTH LOGIN)"
assert_eq "$(jsonl "$PEER_DIR/plain.jsonl" 'str(r[-1]["tls"]) + " " + r[-1]["auth_user"]')" "False etl" "... unencrypted, logged in"
opts=$(printf '{"url": "%s", "from": "etl@example.com", "to": ["ops@example.com", "temp451@example.com"], "secret": "smtp_login", "ca_file": "%s"}' "$smtp" "$ETL_TLS_CA")
r=$(deliver email "$opts" "$event" m-451)
assert_eq "$(outcome "$r")" "false|451|true|" "a 451 (temporary) refusal of a recipient is retryable"
assert_match "$(error_text "$r")" "451 4.3.0 try again later" "... and quotes the server"
r=$(deliver email "${opts/temp451/reject550}" "$event" m-550)
assert_eq "$(outcome "$r")" "false|550|false|" "a 550 (permanent) refusal is final"

# ---- bad options: 22023 naming the option; nothing is sent ---------------------------
sent() { cat "$PEER_DIR"/{hook,flaky,mail,plain}.jsonl 2>/dev/null | wc -l; }  # not slow.jsonl: it is still sleeping
sent_before=$(sent)
bad() {  # bad WHAT PATTERN KIND OPTIONS [EVENT] [ID]
  expect_error 22023 "$1" "SELECT etl._deliver('$3', \$o\$$4\$o\$, \$e\$${5:-$event}\$e\$, '${6:-m}')" $DB
  assert_match "$LAST_ERROR" "$2" "... naming it"
}
bad "an unknown kind" 'unknown delivery kind "pager"' pager '{}'
bad "a webhook without url" 'needs option "url"' webhook '{}'
bad "a webhook URL that is not http(s)" 'option "url" must be an http:// or https:// URL' webhook '{"url": "ftp://127.0.0.1/x"}'
bad "a misspelt option" 'unknown option "signing_secrte"' webhook "{\"url\": \"$hook/hook\", \"signing_secrte\": \"hook_key\"}"
bad "a header with a line break" 'option "headers.X-A" must not contain line breaks' webhook "{\"url\": \"$hook/hook\", \"headers\": {\"X-A\": \"1\\r\\nX-B: 2\"}}"
bad "a reserved header" 'option "headers.X-PgEtl-Signature" is set by pg_etl' webhook "{\"url\": \"$hook/hook\", \"headers\": {\"X-PgEtl-Signature\": \"x\"}}"
bad "a bad timeout" 'option "timeout" must be a number of seconds' webhook "{\"url\": \"$hook/hook\", \"timeout\": \"soon\"}"
bad "a message id that could inject" 'message_id must be' webhook "{\"url\": \"$hook/hook\"}" "$event" 'x>\nBcc: y'
bad "an event that is not an object" 'the event must be a JSON object' webhook "{\"url\": \"$hook/hook\"}" '[1]'
bad "an e-mail URL that is not smtp(s)" 'option "url" must be an smtp:// or smtps:// URL' email '{"url": "http://x", "from": "a@example.com", "to": ["b@example.com"]}'
bad "an e-mail without from" 'needs option "from"' email "{\"url\": \"$smtp\", \"to\": [\"b@example.com\"]}"
bad "a sender that is not an address" 'option "from" must be an e-mail address' email "{\"url\": \"$smtp\", \"from\": \"nobody\", \"to\": [\"b@example.com\"]}"
bad "a recipient with a line break" 'option "to\[1\]" must not contain line breaks' email "{\"url\": \"$smtp\", \"from\": \"a@example.com\", \"to\": [\"b@example.com\", \"c@example.com\\r\\nBcc: d@example.com\"]}"
bad "an unknown starttls policy" 'option "starttls" must be off, try or required' email "{\"url\": \"$smtp\", \"from\": \"a@example.com\", \"to\": [\"b@example.com\"], \"starttls\": \"always\"}"
expect_error 42704 "a signing secret that does not exist" "SELECT etl._deliver('webhook', '{\"url\": \"$hook/hook\", \"signing_secret\": \"nope\"}', '{}', 'm')" $DB
assert_eq "$(sent)" "$sent_before" "nothing was sent for bad options"

# etl._check_channel: the same checks without sending (for etl.create_channel)
q "SELECT etl._check_channel('email', '$(mail_opts "$smtp" smtp_login required)')" $DB >/dev/null
q "SELECT etl._check_channel('webhook', '{\"url\": \"$hook/hook\", \"signing_secret\": \"hook_key\"}')" $DB >/dev/null
pass "etl._check_channel accepts good webhook and e-mail options (smtp:// URLs included)"
expect_error 22023 "etl._check_channel refuses what etl._deliver refuses" "SELECT etl._check_channel('email', '{\"url\": \"$smtp\", \"from\": \"x\", \"to\": []}')" $DB
assert_eq "$(sent)" "$sent_before" "etl._check_channel sends nothing"

# ---- through the outbox: etl.deliver_pending hands channels' options to etl._deliver ---
q "SELECT etl.create_channel('ops_hook', 'webhook', '{\"url\": \"$hook/outbox\", \"signing_secret\": \"hook_key\"}')" $DB >/dev/null
q "SELECT etl.create_channel('down_hook', 'webhook', '{\"url\": \"$hook/status/503?retry_after=120\"}')" $DB >/dev/null
q "SELECT etl.create_channel('gone_hook', 'webhook', '{\"url\": \"$hook/status/410\"}')" $DB >/dev/null
q "SELECT etl.create_channel('ops_mail', 'email', \$o\$$(mail_opts "$smtp" smtp_login required)\$o\$)" $DB >/dev/null
expect_error 22023 "etl.create_channel checks an e-mail channel's addresses" \
  "SELECT etl.create_channel('bad_mail', 'email', '{\"url\": \"$smtp\", \"from\": \"not an address\", \"to\": [\"ops@example.com\"]}')" $DB
expect_error 42704 "and that its secrets exist" \
  "SELECT etl.create_channel('bad_mail', 'email', '{\"url\": \"$smtp\", \"from\": \"a@example.com\", \"to\": [\"ops@example.com\"], \"secret\": \"nope\"}')" $DB
q "SELECT etl.subscribe(c, ARRAY['run_failed']) FROM unnest(ARRAY['ops_hook', 'down_hook', 'gone_hook', 'ops_mail']) c" $DB >/dev/null
eid=$(q "SELECT etl._emit('run_failed', 'error', 'Pipeline outbox_demo failed', '{\"error\": \"boom\"}', 'outbox_demo')" $DB)
assert_eq "$(q "SELECT etl.deliver_pending(10)" $DB)" 4 "etl.deliver_pending makes one attempt per channel"
assert_eq "$(q "SELECT string_agg(channel || ' ' || status || ' ' || coalesce(last_status::text, '-'), ', ' ORDER BY channel)
                  FROM etl.deliveries WHERE event_id = $eid" $DB)" \
  "down_hook pending 503, gone_hook failed 410, ops_hook delivered 204, ops_mail delivered 250" \
  "the outcomes land in etl.deliveries: delivered, retried later, failed"
assert_eq "$(q "SELECT next_attempt_at >= last_attempt_at + interval '119 s' FROM etl.deliveries WHERE event_id = $eid AND channel = 'down_hook'" $DB)" \
  t "Retry-After: 120 puts the next attempt two minutes out"
msg_id=$(q "SELECT message_id FROM etl.deliveries WHERE event_id = $eid AND channel = 'ops_hook'" $DB)
assert_eq "$(rec '["headers"]["X-PgEtl-Delivery"] + " " + str(r[-1]["signature_valid"])')" "$msg_id True" \
  "the webhook carries the delivery's message id, signed"
assert_eq "$(mail 'm["Message-ID"] + " " + m["Subject"]')" \
  "<$(q "SELECT message_id FROM etl.deliveries WHERE event_id = $eid AND channel = 'ops_mail'" $DB)@pg_etl> [pg_etl] Pipeline outbox_demo failed" \
  "the e-mail's Message-ID is the delivery's message id"

# ---- privileges ------------------------------------------------------------------------
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS delivery_user" \
  -c "CREATE ROLE delivery_user LOGIN IN ROLE etl_network" >/dev/null
out=$(psql -X -q -U delivery_user -d $DB -c "SELECT etl._deliver('webhook', '{\"url\": \"$hook/hook\"}', '{}', 'm')" 2>&1 || true)
assert_match "$out" "permission denied for function _deliver" "etl._deliver is not for PUBLIC"

# ---- no secret anywhere it should not be ----------------------------------------------
for f in "$log" "$PEER_DIR"/*.log "$PEER_DIR/mail.jsonl" "$PEER_DIR/plain.jsonl"; do
  for secret in "$key" "$other_key" "$smtp_pw" "$bad_pw" "url-pw-$stamp"; do
    grep -qF -- "$secret" "$f" && fail "$f shows a secret"
  done
done
grep -qF -- "$bearer" "$log" "$PEER_DIR"/*.log && fail "a header's secret value is in a log"
for secret in "$key" "$other_key"; do grep -qF -- "$secret" "$PEER_DIR"/*.jsonl && fail "a signing key was sent"; done
pass "no password, key or secret header value in the server log, the peers' logs or the mail they stored"
echo "delivery: all passed"
