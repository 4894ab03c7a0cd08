# Shell functions to run throwaway PostgreSQL 15 clusters for development and tests.
# Sourced by scripts/dev-cluster.sh and tests/cluster.sh. As root, the server runs as
# the 'postgres' user (PostgreSQL refuses to run as root); as anyone else, as that user.
# The superuser inside the cluster is always 'postgres'; local connections are trusted.

PG_BINDIR="${PG_BINDIR:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
case "$PG_BINDIR" in */15/*) ;; *) PG_BINDIR=/usr/lib/postgresql/15/bin ;; esac

# Runs a command as the OS user that owns cluster files.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# When root runs the server as postgres, postgres must be able to reach DIR (a clone
# under /root is not reachable by default). Grants search (x) only, never read, on the
# ancestors that lack it, and says so.
ensure_reachable() {
  [ "$(id -u)" -eq 0 ] || return 0
  local d
  d="$(realpath -m "$1")"
  while [ "$d" != / ]; do
    d="$(dirname "$d")"
    if [ -d "$d" ] && ! runuser -u postgres -- test -x "$d"; then
      chmod o+x "$d"
      echo "note: gave other users search permission (o+x) on $d so the postgres user can reach the cluster" >&2
    fi
  done
}

# cluster_init DIR PORT PRELOAD: a fresh cluster in DIR listening on 127.0.0.1:PORT and
# on a socket in DIR, with PRELOAD as shared_preload_libraries.
cluster_init() {
  local dir="$1" port="$2" preload="$3"
  mkdir -p "$dir"
  ensure_reachable "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  as_owner "$PG_BINDIR/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
    || { cat "$dir.initdb.log" >&2; return 1; }
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF

# ---- pg_etl throwaway cluster ----
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = '$preload'
cron.database_name = 'postgres'
pg_etl.database = 'postgres'
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %b '
log_min_messages = warning
log_min_error_statement = error
lc_messages = 'C'
CONF
}

cluster_start() {
  local dir="$1"
  as_owner "$PG_BINDIR/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2; return 1; }
}

cluster_stop() {
  local dir="$1" mode="${2:-fast}"
  [ -f "$dir/postmaster.pid" ] || return 0
  # a pid file left by a crash or a reboot names no server: nothing to stop (the next
  # start removes it)
  cluster_running "$dir" || return 0
  as_owner "$PG_BINDIR/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null
}

cluster_running() {
  local dir="$1"
  [ -d "$dir" ] && as_owner "$PG_BINDIR/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

# Fails, printing the lines, if the server log shows a crashed backend.
cluster_check_log() {
  local dir="$1"
  [ -f "$dir/server.log" ] || return 0
  if grep -nE "terminated by signal|was terminated by exception" "$dir/server.log"; then
    echo "server log $dir/server.log shows a crashed process" >&2
    return 1
  fi
}
