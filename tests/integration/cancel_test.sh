#!/usr/bin/env bash
# A long-running C++ call honours statement_timeout and pg_cancel_backend within a
# second, unwinds its C++ objects, and leaves the session usable.
. "$(dirname "$0")/lib.sh"
DB=cancel_test
fresh_db $DB pg_etl_test

# statement_timeout: 300 ms against a 60 s loop.
out=$(psql -X -A -t -d $DB 2>&1 <<'SQL' || true
SELECT etl_test.destructor_count() AS before \gset
\set VERBOSITY sqlstate
SET statement_timeout = 300;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT etl_test.spin(60);
SELECT 'elapsed=' || round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
RESET statement_timeout;
SELECT 'destroyed=' || (etl_test.destructor_count() - :before);
SELECT 'usable=' || (1 + 1);
SQL
)
echo "$out"
assert_match "$out" "ERROR:  57014" "statement_timeout cancels the C++ loop with SQLSTATE 57014"
elapsed=$(sed -n 's/^elapsed=//p' <<<"$out")
[ -n "$elapsed" ] && [ "$elapsed" -lt 1300 ] || fail "timeout of 300 ms took ${elapsed} ms to stop (limit: 1 s after the timeout)"
pass "stopped ${elapsed} ms after start (timeout 300 ms)"
assert_match "$out" "destroyed=1" "the C++ frame was unwound (its destructor ran)"
assert_match "$out" "usable=2" "the session is usable afterwards"

# pg_cancel_backend from another session.
pidfile=$(mktemp)
start=$(now_ms)
( psql -X -A -t -d $DB -c "SELECT pg_backend_pid()" -c "SELECT etl_test.spin(60)" >"$pidfile" 2>&1 || true ) &
bg=$!
pid=""
for _ in $(seq 100); do pid=$(head -1 "$pidfile" | tr -d ' '); [ -n "$pid" ] && break; sleep 0.05; done
[ -n "$pid" ] || fail "background session did not start"
for _ in $(seq 100); do
  [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%spin(60)%' AND state = 'active'")" = 1 ] && break
  sleep 0.05
done
sleep 0.3
cancel_at=$(now_ms)
assert_eq "$(q "SELECT pg_cancel_backend($pid)")" "t" "pg_cancel_backend accepted"
wait $bg
done_at=$(now_ms)
cat "$pidfile"
grep -q "canceling statement due to user request" "$pidfile" || fail "the call was not cancelled"
lag=$((done_at - cancel_at))
[ "$lag" -lt 1000 ] || fail "cancel took ${lag} ms"
pass "pg_cancel_backend stopped the call in ${lag} ms (total $((done_at - start)) ms)"
rm -f "$pidfile"

# pg_terminate_backend ends the backend cleanly (no crash in the server log; the
# cluster fixture checks the log at the end).
( psql -X -A -t -d $DB -c "SELECT etl_test.spin(60)" >/dev/null 2>&1 || true ) &
bg=$!
for _ in $(seq 100); do
  pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE '%spin(60)%' AND state = 'active' AND pid <> pg_backend_pid()")
  [ -n "$pid" ] && break; sleep 0.05
done
[ -n "$pid" ] || fail "third session did not start"
q "SELECT pg_terminate_backend($pid, 5000)" >/dev/null
wait $bg
assert_eq "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" "0" "pg_terminate_backend ended the backend"
