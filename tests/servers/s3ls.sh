#!/usr/bin/env bash
# s3ls.sh BUCKET [PREFIX]: print the keys under PREFIX, one a line (ListObjectsV2 through
# the SigV4-verifying proxy; first 1000 keys, enough for test data).
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/s3lib.sh"
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 BUCKET [PREFIX]" >&2; exit 2; fi
bucket="$1" prefix="${2:-}"
# Parameters in sorted order, values encoded: the canonical form curl 7.88 needs.
xml="$(s3_curl "$ETL_S3_ENDPOINT/$(s3_encode "$bucket")?list-type=2&prefix=$(s3_encode "$prefix")")"
grep -o '<Key>[^<]*</Key>' <<<"$xml" | sed -e 's/<Key>\(.*\)<\/Key>/\1/' -e 's/&amp;/\&/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" || true
