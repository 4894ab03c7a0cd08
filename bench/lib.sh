# Shared by the bench runners: a fresh throwaway cluster with pg_etl preloaded.
#   bench_cluster DIR PORT [SETTINGS]   SETTINGS: lines appended to postgresql.conf
# Starts it, and stops it when the calling script exits.
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/cluster.sh"

bench_cluster() {
  local dir="$1" port="$2" settings="${3:-}"
  cluster_stop "$dir" immediate 2>/dev/null || true
  rm -rf "$dir"
  cluster_init "$dir" "$port" "pg_etl"
  [ -z "$settings" ] || printf '%s\n' "$settings" | as_owner tee -a "$dir/postgresql.conf" >/dev/null
  cluster_start "$dir"
  # shellcheck disable=SC2064  # expand dir now
  trap "cluster_stop '$dir' fast" EXIT
}
