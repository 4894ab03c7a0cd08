# shellcheck shell=bash
# Shared by s3put.sh and s3ls.sh (sourced): S3 requests signed by curl's --aws-sigv4,
# sent to the verifying proxy, so staging data also exercises a second SigV4 signer.
# Settings come from env.sh (servers.sh start writes it).
set -euo pipefail
: "${PG_ETL_SERVERS_DIR:=${PG_ETL_BUILD_DIR:+$PG_ETL_BUILD_DIR/test-servers}}"
: "${PG_ETL_SERVERS_DIR:=$PWD/build/test-servers}"
[ -f "$PG_ETL_SERVERS_DIR/env.sh" ] || { echo "no $PG_ETL_SERVERS_DIR/env.sh: run tests/servers/servers.sh start" >&2; exit 1; }
. "$PG_ETL_SERVERS_DIR/env.sh"

# s3_encode STRING [SAFE]: RFC 3986 percent-encoding as SigV4 wants it; SAFE lists extra
# characters kept as they are ('/' for object keys in paths).
s3_encode() {
  local LC_ALL=C s="$1" safe="${2:-}" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) if [ -n "$safe" ] && [[ "$safe" == *"$c"* ]]; then out+="$c"; else out+="$(printf '%%%02X' "'$c")"; fi ;;
    esac
  done
  printf '%s' "$out"
}

# s3_curl ARGS...: curl signed for S3. curl 7.88 signs the query string exactly as
# written (unsorted, not re-encoded), so callers pass it sorted and encoded.
s3_curl() {
  curl -sS --fail-with-body --aws-sigv4 "aws:amz:$ETL_S3_REGION:s3" \
    --user "$ETL_S3_ACCESS_KEY:$ETL_S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
