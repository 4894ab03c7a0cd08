# Helpers for integration tests (bash). Source it first; the environment (PGHOST,
# PGPORT, PGUSER, PG_ETL_*) comes from CTest. Every helper fails the test loudly.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# q SQL [DB]: one query, unaligned, tuples only; stops on error.
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "${2:-${DB:-postgres}}" -c "$1"; }

assert_eq() {
  local got="$1" want="$2" what="$3"
  [ "$got" == "$want" ] || fail "$what: expected '$want', got '$got'"
  pass "$what"
}

assert_match() {
  local got="$1" pattern="$2" what="$3"
  [[ "$got" =~ $pattern ]] || fail "$what: '$got' does not match /$pattern/"
  pass "$what"
}

now_ms() { date +%s%3N; }

# fresh_db NAME [EXT...]: a new database with pg_etl (and any further extensions).
fresh_db() {
  local db="$1"; shift
  psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  q "CREATE EXTENSION pg_etl" "$db"
  local ext
  for ext in "$@"; do q "CREATE EXTENSION $ext" "$db"; done
}

# expect_error SQLSTATE WHAT SQL [DB]: SQL fails with SQLSTATE; prints the message.
expect_error() {
  local state="$1" what="$2" sql="$3" db="${4:-${DB:-postgres}}" out
  out=$(psql -X -q -v VERBOSITY=verbose -d "$db" -c "$sql" 2>&1 >/dev/null || true)
  [[ "$out" == *"ERROR:  $state:"* ]] || fail "$what: expected SQLSTATE $state, got: $out"
  pass "$what ($state): $(sed -n 's/^ERROR:  [0-9A-Z]*: //p' <<<"$out" | head -1)"
  LAST_ERROR="$out"
}

# servers_env: the loopback test servers' URLs and credentials (tests/servers).
servers_env() {
  . "${PG_ETL_SERVERS_DIR:?}/env.sh"
}

# wait_for SECONDS WHAT SQL [DB]: polls SQL until it returns t.
wait_for() {
  local secs="$1" what="$2" sql="$3" db="${4:-${DB:-postgres}}" deadline
  deadline=$(( $(date +%s) + secs ))
  while [ "$(date +%s)" -le $deadline ]; do
    [ "$(q "$sql" "$db" 2>/dev/null)" = t ] && { pass "$what"; return 0; }
    sleep 0.2
  done
  fail "$what: not within ${secs}s ($sql)"
}

# start_peer VAR SCRIPT ARGS...: starts tests/servers/SCRIPT, a loopback test peer that
# takes --port-file (webhook_receiver.py, smtp_server.py), on a port the OS picks (so
# no test's ports collide), and sets VAR to that port. Its output goes to
# $PEER_DIR/VAR.log (PEER_DIR: a directory the test owns). Not in $(...): it records
# the pid for stop_peers, which the test's cleanup calls.
PEER_PIDS=()
start_peer() {
  local var="$1" script="$2" pid deadline
  shift 2
  : "${PEER_DIR:?set PEER_DIR to a directory the test owns}"
  rm -f "$PEER_DIR/$var.port"
  /usr/bin/python3 "$PG_ETL_SOURCE_DIR/tests/servers/$script" --port-file "$PEER_DIR/$var.port" "$@" \
    >"$PEER_DIR/$var.log" 2>&1 </dev/null &
  pid=$!
  PEER_PIDS+=("$pid")
  deadline=$(( $(date +%s) + 15 ))
  until [ -s "$PEER_DIR/$var.port" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$PEER_DIR/$var.log" >&2; fail "$script exited"; }
    [ "$(date +%s)" -le $deadline ] || { cat "$PEER_DIR/$var.log" >&2; fail "$script did not start within 15s"; }
    sleep 0.1
  done
  printf -v "$var" '%s' "$(cat "$PEER_DIR/$var.port")"
}

stop_peers() {
  local pid
  for pid in "${PEER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PEER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PEER_PIDS=()
}

# jsonl FILE EXPR: a Python expression over the JSON lines of FILE (as list r; m is the
# last record's "data" parsed as an e-mail, line ends as LF, when it has one), printed.
jsonl() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import email, email.policy, json, sys
r = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
m = email.message_from_string(r[-1]["data"].replace("\r\n", "\n"), policy=email.policy.default) if r and "data" in r[-1] else None
v = eval(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
PY
}
