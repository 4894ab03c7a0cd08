#!/usr/bin/env bash
# s3put.sh BUCKET KEY FILE: upload FILE as object KEY, through the SigV4-verifying proxy
# (ETL_S3_ENDPOINT) to s3rver, so tests can stage objects. KEY is plain text ("dir/a b.csv").
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/s3lib.sh"
[ $# -eq 3 ] || { echo "usage: $0 BUCKET KEY FILE" >&2; exit 2; }
bucket="$1" key="$2" file="$3"
[ -f "$file" ] || { echo "s3put: no file $file" >&2; exit 1; }
s3_curl -o /dev/null -T "$file" "$ETL_S3_ENDPOINT/$(s3_encode "$bucket")/$(s3_encode "$key" /)"
