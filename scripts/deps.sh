#!/usr/bin/env bash
# Installs every build and test dependency of pg_etl from Debian's packages.
# Idempotent: packages already installed are skipped, apt-get update runs at most once
# per call and only when something is missing. Works as root or through sudo, no stdin.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config
  postgresql-15 postgresql-server-dev-15 postgresql-15-cron postgresql-contrib
  libpq-dev libpqxx-dev nlohmann-json3-dev libcurl4-openssl-dev
  zlib1g-dev libzstd-dev libsimdjson-dev libxxhash-dev libutf8proc-dev libmicrohttpd-dev libphonenumber-dev
  # tests
  googletest libgtest-dev curl procps gzip zstd
  # test servers (tests/servers): HTTP(S)/FTP(S) in python3, SFTP via sshd, S3 via node
  python3 python3-pyftpdlib python3-openssl openssh-server openssh-client openssl iproute2
  # notification peers (tests/servers/smtp_server.py; webhook_receiver.py needs only python3)
  python3-aiosmtpd
  # the /metrics endpoint and status page test: a real scraper, a browser, OCR of its screenshot
  prometheus chromium fonts-dejavu-core tesseract-ocr
  nodejs npm
  # database sources: a private MariaDB test server (tests/servers), Connector/C for the reader
  mariadb-server mariadb-client libmariadb-dev
)

# nodejs/npm may come from another source (e.g. nodesource's nodejs bundles npm, and
# Debian's npm would conflict with it): when both commands already work, leave them be.
if command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for p in "${PACKAGES[@]}"; do
    case "$p" in nodejs|npm) ;; *) kept+=("$p") ;; esac
  done
  PACKAGES=("${kept[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo -n"
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql-common creates a 'main' cluster on install; we run our own clusters.
if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster = false' /etc/postgresql-common/createcluster.conf 2>/dev/null; then
  $SUDO mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "deps: done"
