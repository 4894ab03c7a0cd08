#!/usr/bin/env bash
# Installs dependencies, configures, builds and installs pg_etl into the PostgreSQL
# that pg_config names. With --with-tests also installs the test-only extension.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/deps.sh"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

cmake -S . -B build -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build -j"$(nproc)"
$SUDO cmake --install build >/dev/null
if [ "${1:-}" = "--with-tests" ]; then
  $SUDO cmake --install build --component tests >/dev/null
fi
echo "build: pg_etl $(sed -n 's/^default_version = .\(.*\).$/\1/p' build/pg_etl.control) installed into $(pg_config --pkglibdir)"
