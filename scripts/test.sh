#!/usr/bin/env bash
# Installs what is missing, builds, installs, and runs every test suite through CTest:
# unit (GoogleTest), regress (pg_regress) and integration (real servers on 127.0.0.1).
# Ends with CTest's summary; exits non-zero on any failure. Extra arguments go to ctest
# (for example: scripts/test.sh -R integration.cancel).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/build.sh" --with-tests

# The test clusters and servers listen on 55433-55481, inside Linux's ephemeral range
# (32768-60999): an outgoing connection that happens to take one of those ports as its
# local port makes a later server's bind fail ("Address already in use"). Reserve them
# for the run when the kernel lets us (root, writable /proc/sys); harmless otherwise.
reserved=/proc/sys/net/ipv4/ip_local_reserved_ports
if [ -w "$reserved" ] && ! grep -q '55430-55499' "$reserved"; then
  current=$(cat "$reserved")
  echo "${current:+$current,}55430-55499" >"$reserved" 2>/dev/null || true
fi

cd build
status=0
ctest --output-on-failure "$@" || status=$?

# The cluster fixture's cleanup already checks its log; check every test cluster log
# again so a crash in a test that made its own cluster cannot go unnoticed.
for log in "$root"/build/test-cluster*/server.log; do
  [ -f "$log" ] || continue
  if grep -nE "terminated by signal|was terminated by exception" "$log"; then
    echo "FAILED: $log shows a crashed server process" >&2
    status=1
  fi
done
exit $status
