#!/usr/bin/env bash
# Every older version of pg_etl whose install script ships (sql/pg_etl--X.sql) can be
# updated with ALTER EXTENSION pg_etl UPDATE, and the result equals a fresh install of
# the newest version object by object (definitions, columns, constraints, indexes,
# ACLs, comments, configuration tables).
. "$(dirname "$0")/lib.sh"
objects_sql="$PG_ETL_SOURCE_DIR/tests/integration/sql/extension_objects.sql"
extdir="$(pg_config --sharedir)/extension"
out="$PG_ETL_BUILD_DIR/upgrade"
mkdir -p "$out"

current=$(q "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_etl'")
assert_eq "$current" "$PG_ETL_VERSION" "installed default_version is the build's version"

describe() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -f "$objects_sql"; }

fresh_db upgrade_fresh
describe upgrade_fresh >"$out/fresh.txt"
[ -s "$out/fresh.txt" ] || fail "describing the fresh install returned nothing"
pass "fresh install of $current: $(grep -c '^[a-z]' "$out/fresh.txt") objects described"

versions=$(ls "$extdir" | sed -n 's/^pg_etl--\([0-9][0-9.]*\)\.sql$/\1/p' | sort -V)
older=$(grep -vx "$current" <<<"$versions" || true)
for v in $versions; do
  [ -f "$PG_ETL_SOURCE_DIR/sql/pg_etl--$v.sql" ] || fail "installed pg_etl--$v.sql is not in sql/"
done
# Every migration must be reachable and lead to the current version.
for m in "$PG_ETL_SOURCE_DIR"/migrations/pg_etl--*--*.sql; do
  [ -e "$m" ] || continue
  [ -f "$extdir/$(basename "$m")" ] || fail "$(basename "$m") is not installed"
done

if [ -z "$older" ]; then
  pass "only version $current ships; no upgrade path to test yet"
  exit 0
fi

for v in $older; do
  path=$(q "SELECT path FROM pg_extension_update_paths('pg_etl') WHERE source = '$v' AND target = '$current'")
  [ -n "$path" ] || fail "no update path from $v to $current (missing migrations/pg_etl--$v--*.sql?)"
  db="upgrade_from_${v//./_}"
  psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  q "CREATE EXTENSION pg_etl VERSION '$v'" "$db"
  q "ALTER EXTENSION pg_etl UPDATE" "$db"
  assert_eq "$(q "SELECT extversion FROM pg_extension WHERE extname = 'pg_etl'" "$db")" "$current" "$v updated to $current via $path"
  describe "$db" >"$out/from-$v.txt"
  if ! diff -u "$out/fresh.txt" "$out/from-$v.txt"; then
    fail "upgrade from $v differs from a fresh install of $current (diff above: - fresh, + upgraded)"
  fi
  pass "upgrade from $v equals a fresh install of $current"
  q "DROP DATABASE $db" postgres
done
q "DROP DATABASE upgrade_fresh" postgres
