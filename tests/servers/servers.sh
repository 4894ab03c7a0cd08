#!/usr/bin/env bash
# Real servers for pg_etl's integration tests, all on 127.0.0.1:
#   tests/servers/servers.sh start    start whatever is not running, wait until each answers
#   tests/servers/servers.sh stop     stop them all (succeeds when nothing runs)
#   tests/servers/servers.sh status   list them; exit 0 only if all run
#
# State (data, logs, pids, certs, keys, node_modules) lives in
# ${PG_ETL_SERVERS_DIR:-$PWD/build/test-servers}; tests source "$PG_ETL_SERVERS_DIR/env.sh"
# for URLs and credentials. Ports are ${PG_ETL_SERVERS_PORT_BASE:-55440} + offset:
#   +0 HTTP   +1 HTTPS   +2 FTP   +3 FTPS explicit (AUTH TLS)   +4 FTPS implicit
#   +5 SFTP (sshd)   +6 S3 SigV4-verifying proxy   +7 s3rver itself
#   +8 JSON API (REST pagination/auth/faults + GraphQL, api_server.py)
#   +10..+19, +20..+29, +30..+39 passive data ports of FTP, FTPS explicit, FTPS implicit
#   +40 MariaDB (mariadbd, private data directory)   +41 a second PostgreSQL 15 cluster
# Both databases hold database etl_src (user etl, password etl-pass), reseeded at every
# start from seed_mysql.sql / seed_pgsrc.sql, and offer TLS with the test certificate
# (optional: plain connections work too).
# Needs root (it creates the SFTP OS user and runs sshd) and scripts/deps.sh's packages.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
STATE="$(realpath -m "${PG_ETL_SERVERS_DIR:-$PWD/build/test-servers}")"
BASE="${PG_ETL_SERVERS_PORT_BASE:-55440}"
# Debian's python3: pyftpdlib comes from python3-pyftpdlib, not whatever python3 is on PATH.
PYTHON=/usr/bin/python3
SSHD=/usr/sbin/sshd   # sshd refuses to run unless started by absolute path
MARIADBD=/usr/sbin/mariadbd
PG_BINDIR=/usr/lib/postgresql/15/bin

RUN="$STATE/run" LOGS="$STATE/logs" DATA="$STATE/data" TLS="$STATE/tls"
SSHD_DIR="$STATE/sshd" SFTP_DIR="$STATE/sftp" NODE_DIR="$STATE/node"
MARIADB_DIR="$STATE/mariadb" PGSRC_DIR="$STATE/pgsrc"

HTTP_PORT=$((BASE + 0)) HTTPS_PORT=$((BASE + 1)) FTP_PORT=$((BASE + 2))
FTPS_PORT=$((BASE + 3)) FTPS_IMPLICIT_PORT=$((BASE + 4)) SFTP_PORT=$((BASE + 5))
S3_PORT=$((BASE + 6)) S3RVER_PORT=$((BASE + 7)) API_PORT=$((BASE + 8))
MARIADB_PORT=$((BASE + 40)) PGSRC_PORT=$((BASE + 41))

FTP_USER=etl FTP_PASSWORD=ftp-s3cret
SFTP_USER=pg_etl_sftp SFTP_PASSWORD=sftp-s3cret
S3_BUCKET=etl-test S3_KEY=S3RVER S3_SECRET=S3RVER S3_REGION=us-east-1
DB_USER=etl DB_PASSWORD=etl-pass DB_NAME=etl_src   # both database servers

SERVERS=(http https ftp ftps ftps_implicit sftp s3rver s3proxy api mariadb pgsrc)
START_TIMEOUT=20

log() { echo "servers: $*"; }
die() { echo "servers: ERROR: $*" >&2; exit 1; }

# alive NAME: its pid file names a live process started from this state dir (so a
# recycled pid is not mistaken for our server).
alive() {
  local pid
  pid="$(cat "$RUN/$1.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE"
}

# launch NAME CMD...: run CMD in its own session (so stop can kill its whole process
# group), output appended to logs/NAME.log; no-op when NAME already runs.
launch() {
  local name="$1"; shift
  if alive "$name"; then log "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  echo "=== $(date -u +%FT%TZ) start: $*" >>"$LOGS/$name.log"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# listening PORT PID: PID itself listens on 127.0.0.1:PORT (not some other process that
# happens to hold the port: then our server died with "address in use").
listening() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"; }

# wait_for NAME PORT CHECK...: poll until NAME's own process listens on PORT and CHECK
# (a real client request) succeeds; on timeout or death show the log and stop everything.
wait_for() {
  local name="$1" port="$2"; shift 2
  local deadline=$((SECONDS + START_TIMEOUT)) pid
  pid="$(cat "$RUN/$name.pid")"
  until listening "$port" "$pid" && "$@" >/dev/null 2>&1; do
    # kill -0, not alive: right after launch the pid may not have exec'd the server yet.
    if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      local why="exited"; kill -0 "$pid" 2>/dev/null && why="did not answer within ${START_TIMEOUT}s"
      echo "servers: ERROR: $name $why; its log ($LOGS/$name.log):" >&2
      tail -n 40 "$LOGS/$name.log" >&2 || true
      stop_all >&2
      exit 1
    fi
    sleep 0.2
  done
}

# answers URL [CURL ARGS...]: any HTTP status at all (403 from the proxy is an answer).
answers() { local url="$1"; shift; [ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url")" != 000 ]; }
lists() { curl -fsS --max-time 3 -o /dev/null "$@"; }

# running PID: the process exists and is not a zombie waiting to be reaped (stopped
# servers were reparented to init, which may reap them only later).
running() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_one() {
  local name="$1" pid pgid
  if ! alive "$name"; then rm -f "$RUN/$name.pid"; return; fi
  pid="$(cat "$RUN/$name.pid")"
  pgid="$(ps -o pgid= -p "$pid" | tr -d ' ')"
  # sshd's per-connection children leave its process group (setsid): end them by parent.
  if [ "$name" = sftp ]; then pkill -TERM -P "$pid" 2>/dev/null || true; fi
  case "$name" in
    # The databases shut down themselves: SIGINT is the postmaster's fast shutdown (it
    # ends its backends and waits for them), SIGTERM mariadbd's normal one.
    pgsrc) kill -INT "$pid" 2>/dev/null || true ;;
    mariadb) kill -TERM "$pid" 2>/dev/null || true ;;
    *) if [ "$pgid" = "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi ;;
  esac
  for _ in $(seq 100); do running "$pid" || break; sleep 0.1; done
  if running "$pid"; then
    # the postmaster's children run in sessions of their own
    if [ "$name" = pgsrc ]; then pkill -KILL -P "$pid" 2>/dev/null || true; fi
    if [ "$pgid" = "$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null || true; else kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$RUN/$name.pid"
  log "stopped $name (pid $pid)"
}

stop_all() {
  local s
  for s in "${SERVERS[@]}"; do stop_one "$s"; done
}

# --- one-time setup (each step skips what already exists) --------------------------

make_dirs() {
  mkdir -p "$RUN" "$LOGS" "$DATA"/{http,ftp,sftp} "$TLS" "$SSHD_DIR" "$SFTP_DIR" "$NODE_DIR" "$STATE/s3rver"
  # The postgres OS user reads data files (file:// tests) and the SFTP key; the SFTP
  # user reads its files and authorized_keys: everything but private keys is world-readable.
  chmod 755 "$STATE" "$RUN" "$LOGS" "$DATA" "$DATA"/{http,ftp,sftp} "$TLS" "$SSHD_DIR" "$SFTP_DIR"
  if id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -r "$DATA/http" -a -x "$DATA/http"; then
    echo "servers: WARNING: the postgres user cannot reach $DATA (a parent directory is not traversable)" >&2
  fi
}

# A private CA and a server certificate it signs (CN 127.0.0.1, SAN 127.0.0.1 and
# localhost): clients trust ETL_TLS_CA, as they would a real private CA.
make_certs() {
  [ -s "$TLS/server.pem" ] && return
  log "generating test CA and server certificate"
  openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
    -keyout "$TLS/ca.key" -out "$TLS/ca.pem" -subj "/CN=pg_etl test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -nodes -newkey rsa:2048 -keyout "$TLS/server.key" -out "$TLS/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$TLS/server.ext"
  openssl x509 -req -sha256 -days 825 -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$TLS/server.ext" -out "$TLS/server.pem.tmp" 2>/dev/null
  chmod 600 "$TLS/ca.key" "$TLS/server.key"
  chmod 644 "$TLS/ca.pem" "$TLS/server.pem.tmp"
  mv "$TLS/server.pem.tmp" "$TLS/server.pem"
}

# The SFTP login: a dedicated OS user (no shell; sshd forces internal-sftp), its
# password, its key pair, and sshd's own host key and config. Nothing system-wide
# except the user account and /run/sshd (sshd's privilege-separation directory).
setup_sftp() {
  [ "$(id -u)" -eq 0 ] || die "SFTP needs root (it creates the OS user $SFTP_USER and runs sshd)"
  if ! id "$SFTP_USER" >/dev/null 2>&1; then
    log "creating OS user $SFTP_USER"
    useradd --system --no-create-home --home-dir "$DATA/sftp" --shell /usr/sbin/nologin "$SFTP_USER"
  elif [ "$(getent passwd "$SFTP_USER" | cut -d: -f6)" != "$DATA/sftp" ]; then
    usermod --home "$DATA/sftp" "$SFTP_USER"
  fi
  echo "$SFTP_USER:$SFTP_PASSWORD" | chpasswd
  mkdir -p /run/sshd && chmod 755 /run/sshd

  [ -s "$SSHD_DIR/ssh_host_ed25519_key" ] ||
    ssh-keygen -q -t ed25519 -N '' -C "pg_etl test sshd" -f "$SSHD_DIR/ssh_host_ed25519_key"
  if [ ! -s "$SFTP_DIR/id_ed25519" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "pg_etl test client" -f "$SFTP_DIR/id_ed25519"
  fi
  # The backend (OS user postgres) reads the private key; 0600 and owned by postgres
  # also keeps OpenSSH's clients, run as root, from rejecting it as too open.
  chmod 600 "$SFTP_DIR/id_ed25519"; chmod 644 "$SFTP_DIR/id_ed25519.pub"
  if id postgres >/dev/null 2>&1; then chown postgres: "$SFTP_DIR/id_ed25519" "$SFTP_DIR/id_ed25519.pub"; fi
  cp "$SFTP_DIR/id_ed25519.pub" "$SSHD_DIR/authorized_keys"
  chmod 644 "$SSHD_DIR/authorized_keys"   # sshd reads it as $SFTP_USER
  echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$SSHD_DIR/ssh_host_ed25519_key.pub")" >"$SFTP_DIR/known_hosts"
  chmod 644 "$SFTP_DIR/known_hosts"

  cat >"$SSHD_DIR/sshd_config" <<EOF
# pg_etl test sshd: SFTP only, loopback only, nothing shared with the system's sshd.
ListenAddress 127.0.0.1
Port $SFTP_PORT
HostKey $SSHD_DIR/ssh_host_ed25519_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
StrictModes no
# Without PAM, sshd checks passwords against /etc/shadow itself (it runs as root).
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $SFTP_USER
Subsystem sftp internal-sftp
ForceCommand internal-sftp
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
EOF
  "$SSHD" -t -f "$SSHD_DIR/sshd_config" || die "sshd rejects $SSHD_DIR/sshd_config"
}

# s3rver and the proxy's signer come from npm, pinned by tests/servers/s3/package-lock.json;
# installed into the state dir (not the source tree) and only when missing or changed.
setup_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then die "node and npm are needed (scripts/deps.sh)"; fi
  if [ -d "$NODE_DIR/node_modules/s3rver" ] && cmp -s "$here/s3/package-lock.json" "$NODE_DIR/package-lock.json"; then
    return
  fi
  log "installing s3rver and the SigV4 signer with npm ci"
  cp "$here/s3/package.json" "$here/s3/package-lock.json" "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >"$LOGS/npm.log" 2>&1) ||
    { cat "$LOGS/npm.log" >&2; die "npm ci failed"; }
}

# MariaDB: a data directory of its own (no system option files, no system grant
# tables), run as root with --user=root when root runs this (else as the caller).
mariadb_user_opt() { if [ "$(id -u)" -eq 0 ]; then echo --user=root; fi; }

setup_mariadb() {
  [ -x "$MARIADBD" ] || die "$MARIADBD not found (scripts/deps.sh installs mariadb-server)"
  mkdir -p "$MARIADB_DIR"
  [ -d "$MARIADB_DIR/data/mysql" ] && return
  log "creating the MariaDB data directory"
  rm -rf "$MARIADB_DIR/data"
  # root@localhost without a password (the socket is in the state dir); no test db
  mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" $(mariadb_user_opt) \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    >"$LOGS/mariadb-install.log" 2>&1 || { tail -n 30 "$LOGS/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
}

mariadb_root() { mariadb --no-defaults --default-character-set=utf8mb4 --protocol=socket --socket="$MARIADB_DIR/mariadb.sock" -uroot "$@"; }

seed_mariadb() {
  mariadb_root <<SQL || die "could not create the MariaDB user $DB_USER"
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'%';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
SQL
  # as the etl user over TCP, as the tests connect
  MYSQL_PWD="$DB_PASSWORD" mariadb --no-defaults --default-character-set=utf8mb4 --protocol=tcp -h 127.0.0.1 -P "$MARIADB_PORT" \
    -u "$DB_USER" "$DB_NAME" <"$here/seed_mysql.sql" || die "seed_mysql.sql failed"
}

# The second PostgreSQL cluster runs as the postgres OS user when root runs this
# (PostgreSQL refuses root), else as the caller; its directory belongs to that user.
# setpriv execs (no process in between), so the pid launch records is the postmaster's.
PGSRC_AS=()
if [ "$(id -u)" -eq 0 ]; then PGSRC_AS=(setpriv --reuid=postgres --regid=postgres --init-groups --reset-env --); fi
as_pgsrc() { "${PGSRC_AS[@]}" "$@"; }

setup_pgsrc() {
  [ -x "$PG_BINDIR/initdb" ] || die "$PG_BINDIR/initdb not found (scripts/deps.sh installs postgresql-15)"
  mkdir -p "$PGSRC_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "no postgres OS user to run the pgsrc cluster"
    chown postgres: "$PGSRC_DIR"
    as_pgsrc test -x "$PGSRC_DIR" || die "the postgres user cannot reach $PGSRC_DIR (a parent directory is not traversable)"
  fi
  chmod 700 "$PGSRC_DIR"
  # the test certificate, as the server user must own its key
  install -m 600 "$TLS/server.key" "$PGSRC_DIR/server.key"
  install -m 644 "$TLS/server.pem" "$PGSRC_DIR/server.pem"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGSRC_DIR/server.key" "$PGSRC_DIR/server.pem"; fi
  [ -f "$PGSRC_DIR/data/PG_VERSION" ] && return
  log "creating the pgsrc cluster"
  rm -rf "$PGSRC_DIR/data"
  # trust on its own socket (for seeding), SCRAM passwords over TCP
  as_pgsrc "$PG_BINDIR/initdb" -D "$PGSRC_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$LOGS/pgsrc-initdb.log" 2>&1 ||
    { tail -n 30 "$LOGS/pgsrc-initdb.log" >&2; die "initdb of the pgsrc cluster failed"; }
}

pgsrc_psql() {
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSRC_DIR" -p "$PGSRC_PORT" "$@"
}

seed_pgsrc() {
  pgsrc_psql -U postgres -d postgres >/dev/null <<SQL || die "could not create the pgsrc role $DB_USER"
SET client_min_messages = warning;
SELECT 'CREATE ROLE $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
  pgsrc_psql -U "$DB_USER" -d "$DB_NAME" -f "$here/seed_pgsrc.sql" >/dev/null || die "seed_pgsrc.sql failed"
}

write_env() {
  local tmp="$STATE/env.sh.tmp"
  q() { printf 'export %s=%q\n' "$1" "$2"; }
  {
    echo "# Written by tests/servers/servers.sh start; source it in tests."
    q PG_ETL_SERVERS_DIR "$STATE"
    q ETL_DATA "$DATA"
    q ETL_HTTP_URL "http://127.0.0.1:$HTTP_PORT"
    q ETL_HTTPS_URL "https://127.0.0.1:$HTTPS_PORT"
    q ETL_TLS_CA "$TLS/ca.pem"
    q ETL_TLS_CERT "$TLS/server.pem"
    q ETL_HTTP_BASIC_USER etl
    q ETL_HTTP_BASIC_PASSWORD s3cret
    q ETL_HTTP_BEARER_TOKEN tok-123
    q ETL_HTTP_API_KEY k1
    q ETL_FTP_URL "ftp://127.0.0.1:$FTP_PORT"
    q ETL_FTPS_URL "ftp://127.0.0.1:$FTPS_PORT"
    q ETL_FTPS_IMPLICIT_URL "ftps://127.0.0.1:$FTPS_IMPLICIT_PORT"
    q ETL_FTP_USER "$FTP_USER"
    q ETL_FTP_PASSWORD "$FTP_PASSWORD"
    q ETL_SFTP_URL "sftp://127.0.0.1:$SFTP_PORT"
    q ETL_SFTP_USER "$SFTP_USER"
    q ETL_SFTP_PASSWORD "$SFTP_PASSWORD"
    q ETL_SFTP_KEY "$SFTP_DIR/id_ed25519"
    q ETL_SFTP_PUBKEY "$SFTP_DIR/id_ed25519.pub"
    q ETL_SFTP_ROOT "$DATA/sftp"
    q ETL_SFTP_KNOWN_HOSTS "$SFTP_DIR/known_hosts"
    q ETL_SFTP_HOST_SHA256 "$(ssh-keygen -l -E sha256 -f "$SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}' | sed 's/^SHA256://')"
    q ETL_S3_ENDPOINT "http://127.0.0.1:$S3_PORT"
    q ETL_S3_DIRECT_ENDPOINT "http://127.0.0.1:$S3RVER_PORT"
    q ETL_S3_BUCKET "$S3_BUCKET"
    q ETL_S3_ACCESS_KEY "$S3_KEY"
    q ETL_S3_SECRET_KEY "$S3_SECRET"
    q ETL_S3_REGION "$S3_REGION"
    q ETL_API_URL "http://127.0.0.1:$API_PORT"
    q ETL_MYSQL_URL "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$MARIADB_PORT/$DB_NAME"
    q ETL_MYSQL_PORT "$MARIADB_PORT"
    q ETL_MYSQL_SOCKET "$MARIADB_DIR/mariadb.sock"   # root without a password, for test setup
    q ETL_PGSRC_URL "postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PGSRC_PORT/$DB_NAME"
    q ETL_PGSRC_PORT "$PGSRC_PORT"
    q ETL_PGSRC_SOCKET_DIR "$PGSRC_DIR"   # superuser postgres, trusted, for test setup
    q ETL_DB_USER "$DB_USER"
    q ETL_DB_PASSWORD "$DB_PASSWORD"
    q ETL_DB_NAME "$DB_NAME"
  } >"$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$STATE/env.sh"
}

start_all() {
  make_dirs
  make_certs
  setup_sftp
  setup_node
  setup_mariadb
  setup_pgsrc

  local ftp_common=("$PYTHON" "$here/ftp_server.py" --user "$FTP_USER" --password "$FTP_PASSWORD"
    --root "$DATA/ftp" --cert "$TLS/server.pem" --key "$TLS/server.key")
  launch http "$PYTHON" "$here/http_server.py" --port "$HTTP_PORT" --root "$DATA/http"
  launch https "$PYTHON" "$here/http_server.py" --port "$HTTPS_PORT" --root "$DATA/http" \
    --tls "$TLS/server.pem" "$TLS/server.key"
  launch ftp "${ftp_common[@]}" --mode plain --port "$FTP_PORT" \
    --passive-ports "$((BASE + 10))-$((BASE + 19))"
  launch ftps "${ftp_common[@]}" --mode explicit --port "$FTPS_PORT" \
    --passive-ports "$((BASE + 20))-$((BASE + 29))"
  launch ftps_implicit "${ftp_common[@]}" --mode implicit --port "$FTPS_IMPLICIT_PORT" \
    --passive-ports "$((BASE + 30))-$((BASE + 39))"
  launch sftp "$SSHD" -D -f "$SSHD_DIR/sshd_config" -E "$LOGS/sftp.log"
  launch s3rver node "$NODE_DIR/node_modules/s3rver/bin/s3rver.js" -d "$STATE/s3rver" \
    -a 127.0.0.1 -p "$S3RVER_PORT" --configure-bucket "$S3_BUCKET"
  launch s3proxy env NODE_PATH="$NODE_DIR/node_modules" node "$here/s3/verifying_proxy.js" \
    --port "$S3_PORT" --upstream "http://127.0.0.1:$S3RVER_PORT" --region "$S3_REGION" \
    --access-key "$S3_KEY" --secret-key "$S3_SECRET" --state-dir "$STATE"
  launch api "$PYTHON" "$here/api_server.py" --port "$API_PORT" --state-dir "$STATE"
  launch mariadb "$MARIADBD" --no-defaults --datadir="$MARIADB_DIR/data" $(mariadb_user_opt) \
    --socket="$MARIADB_DIR/mariadb.sock" --pid-file="$MARIADB_DIR/mariadbd.pid" \
    --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-networking=0 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --default-time-zone=+00:00 \
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 --skip-log-bin \
    --ssl-ca="$TLS/ca.pem" --ssl-cert="$TLS/server.pem" --ssl-key="$TLS/server.key"
  launch pgsrc "${PGSRC_AS[@]}" "$PG_BINDIR/postgres" -D "$PGSRC_DIR/data" -c port="$PGSRC_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PGSRC_DIR" -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c lc_messages=C -c TimeZone=UTC \
    -c log_line_prefix='%m [%p] %u@%d ' -c shared_buffers=32MB \
    -c ssl=on -c ssl_cert_file="$PGSRC_DIR/server.pem" -c ssl_key_file="$PGSRC_DIR/server.key"

  local ftp_auth=(--user "$FTP_USER:$FTP_PASSWORD") ca=(--cacert "$TLS/ca.pem")
  wait_for http "$HTTP_PORT" lists "http://127.0.0.1:$HTTP_PORT/status/200"
  wait_for https "$HTTPS_PORT" lists "${ca[@]}" "https://127.0.0.1:$HTTPS_PORT/status/200"
  wait_for ftp "$FTP_PORT" lists "${ftp_auth[@]}" "ftp://127.0.0.1:$FTP_PORT/"
  wait_for ftps "$FTPS_PORT" lists "${ftp_auth[@]}" --ssl-reqd "${ca[@]}" "ftp://127.0.0.1:$FTPS_PORT/"
  wait_for ftps_implicit "$FTPS_IMPLICIT_PORT" lists "${ftp_auth[@]}" "${ca[@]}" "ftps://127.0.0.1:$FTPS_IMPLICIT_PORT/"
  wait_for sftp "$SFTP_PORT" lists --insecure --user "$SFTP_USER:$SFTP_PASSWORD" "sftp://127.0.0.1:$SFTP_PORT$DATA/sftp/"
  wait_for s3rver "$S3RVER_PORT" answers "http://127.0.0.1:$S3RVER_PORT/"
  wait_for s3proxy "$S3_PORT" answers "http://127.0.0.1:$S3_PORT/"
  wait_for api "$API_PORT" lists "http://127.0.0.1:$API_PORT/admin/stats"
  wait_for mariadb "$MARIADB_PORT" mariadb_root -e "SELECT 1"
  wait_for pgsrc "$PGSRC_PORT" "$PG_BINDIR/pg_isready" -q -h "$PGSRC_DIR" -p "$PGSRC_PORT" -U postgres -d postgres
  seed_mariadb
  seed_pgsrc

  write_env
  log "all up; env: $STATE/env.sh"
}

status_all() {
  local s rc=0
  for s in "${SERVERS[@]}"; do
    if alive "$s"; then echo "$s: running (pid $(cat "$RUN/$s.pid"))"; else echo "$s: stopped"; rc=3; fi
  done
  return $rc
}

case "${1:-}" in
  start) start_all ;;
  stop) [ -d "$RUN" ] && stop_all; log "stopped" ;;
  status) status_all ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
