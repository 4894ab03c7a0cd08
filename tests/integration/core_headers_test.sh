#!/usr/bin/env bash
# The build refuses a core/ file that includes a PostgreSQL server header.
. "$(dirname "$0")/lib.sh"
check="$PG_ETL_SOURCE_DIR/cmake/CheckCoreHeaders.cmake"
cmake -DCORE_DIR="$PG_ETL_SOURCE_DIR/core" -P "$check" || fail "the real core/ fails the check"
pass "core/ includes no server headers"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for header in '"postgres.h"' '<utils/builtins.h>' '"fmgr.h"'; do
  printf '#include <string>\n#include %s\n' "$header" >"$tmp/bad.cpp"
  if cmake -DCORE_DIR="$tmp" -P "$check" >/dev/null 2>&1; then fail "a core file including $header passed the check"; fi
  pass "a core file including $header is refused"
done
