#!/usr/bin/env bash
# Every regress sql file is in the schedule, and every scheduled test has sql and expected output.
set -euo pipefail
dir="${PG_ETL_SOURCE_DIR:?}/tests/regress"
scheduled=$(sed -n 's/^test:[[:space:]]*//p' "$dir/schedule" | tr ' ' '\n' | sed '/^$/d' | sort)
files=$(cd "$dir/sql" && ls *.sql | sed 's/\.sql$//' | sort)
status=0
for t in $files; do
  grep -qx "$t" <<<"$scheduled" || { echo "tests/regress/sql/$t.sql is not in tests/regress/schedule"; status=1; }
done
for t in $scheduled; do
  [ -f "$dir/sql/$t.sql" ] || { echo "scheduled test $t has no sql/$t.sql"; status=1; }
  [ -f "$dir/expected/$t.out" ] || { echo "scheduled test $t has no expected/$t.out"; status=1; }
done
[ $status -eq 0 ] && echo "schedule lists all $(wc -w <<<"$files") regress tests"
exit $status
