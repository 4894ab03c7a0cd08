#!/usr/bin/env bash
# Crawls over the network: an S3-compatible store (hive partitions, ETags, incremental
# re-crawls), FTP and SFTP (numbered folder levels), and schema inference of a named
# source. Credentials never reach the catalog or the crawl log.
. "$(dirname "$0")/lib.sh"
servers_env
DB=crawl_test
fresh_db $DB
run="crawl_$$"
stage="$ETL_DATA/http/$run"
mkdir -p "$stage" "$ETL_DATA/ftp/$run/eu/2024" "$ETL_DATA/ftp/$run/us/2024" "$ETL_DATA/sftp/$run/eu/2024" "$ETL_DATA/sftp/$run/us/2024"
trap 'rm -rf "$stage" "$ETL_DATA/ftp/$run" "$ETL_DATA/sftp/$run"' EXIT

# ---- S3: hive partitions, typed keys, ETags -------------------------------------------
printf 'id,zip,amount,paid,ordered\n0001,02134,12.50,yes,2024-05-06\n0002,10001,7,no,2024-05-07\n' >"$stage/m5.csv"
printf 'id,zip,amount,paid,ordered\n0003,94105,0.99,Y,2024-06-01\n' >"$stage/m6.csv"
printf '{"n": 1}\n' >"$stage/ignored.json"
put() { "$PG_ETL_SOURCE_DIR/tests/servers/s3put.sh" "$ETL_S3_BUCKET" "$run/$1" "$2" >/dev/null; }
put "sales/year=2024/month=05/part-0.csv" "$stage/m5.csv"
put "sales/year=2024/month=06/part-0.csv" "$stage/m6.csv"
put "sales/_tmp/ignored.json" "$stage/ignored.json"
s3="{\"endpoint\": \"$ETL_S3_ENDPOINT\", \"path_style\": true, \"region\": \"$ETL_S3_REGION\", \"access_key_id\": \"$ETL_S3_ACCESS_KEY\", \"secret_access_key\": \"$ETL_S3_SECRET_KEY\"}"
crawl_s3() {
  q "SELECT string_agg(dataset || ':' || action || ':v' || version || ':' || columns || 'c:' || partitions || 'p:' || files || 'f', ' ')
       FROM etl.crawl('s3lake', 's3://$ETL_S3_BUCKET/$run/', '$s3'::jsonb || '{\"exclude\": [\"**/_tmp/**\"], \"create_table\": true, \"partitioned\": true}')"
}
assert_eq "$(crawl_s3)" "sales:created:v1:7c:2p:2f" "s3: hive folders are one dataset with two partitions"
assert_eq "$(q "SELECT string_agg(name || ' ' || data_type, ', ' ORDER BY is_partition_key, ordinal) FROM etl.dataset_columns WHERE dataset = 'sales'")" \
  "id text, zip text, amount numeric, paid boolean, ordered date, year integer, month text" \
  "s3: ids and zips with leading zeros stay text, money is numeric, yes/no boolean, year is a typed key"
assert_eq "$(q "SELECT count(*) FROM etl.crawled_files WHERE crawler = 's3lake' AND etag IS NOT NULL")" 2 "s3: ETags recorded"
assert_eq "$(q "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relname LIKE 'sales%' AND relkind IN ('p', 'r')")" \
  "sales sales_2024 sales_default" "s3: a partitioned table with a partition per year"
assert_eq "$(crawl_s3)" "sales:unchanged:v1:7c:2p:2f" "s3: a second crawl finds nothing new"
# the same key with new content (a new ETag and size) is re-read: a new column
printf 'id,zip,amount,paid,ordered,channel\n0003,94105,0.99,Y,2024-06-01,web\n' >"$stage/m6.csv"
put "sales/year=2024/month=06/part-0.csv" "$stage/m6.csv"
put "sales/year=2025/month=01/part-0.csv" "$stage/m5.csv"
assert_eq "$(crawl_s3)" "sales:updated:v2:8c:3p:3f" "s3: a changed object and a new partition are crawled"
assert_eq "$(q "SELECT diff FROM etl.dataset_versions WHERE dataset = 'sales' AND version = 2")" \
  '{"changes": [{"type": "text", "added": "channel"}]}' "s3: the new column is a new version"
assert_eq "$(q "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relname LIKE 'sales%' AND relkind IN ('p', 'r')")" \
  "sales sales_2024 sales_2025 sales_default" "s3: the new year got its partition"
assert_eq "$(q "SELECT rows_loaded || '/' || files FROM etl.load_dataset('sales', '$s3')")" "5/3" \
  "s3: etl.load_dataset loads every crawled file (credentials passed again, never stored)"
assert_eq "$(q "SELECT string_agg(DISTINCT year || '-' || month || ':' || tableoid::regclass, ' ') FROM sales")" \
  "2024-05:sales_2024 2024-06:sales_2024 2025-01:sales_2025" "s3: partition columns come from the folders, rows land in their partitions"
assert_eq "$(q "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY ordinal)
                 FROM etl.infer_schema('s3://$ETL_S3_BUCKET/$run/sales/**/*.csv', '$s3')")" \
  "id:text zip:text amount:numeric paid:boolean ordered:date channel:text" "s3: infer_schema over a glob unifies files"

# ---- FTP and SFTP: unnamed folder levels are partition_0, partition_1 ----------------------
for root in "$ETL_DATA/ftp/$run" "$ETL_DATA/sftp/$run"; do
  printf 'region;revenue\neu;10,5\n' >"$root/eu/2024/r.csv"
  printf 'region;revenue\nus;20\n' >"$root/us/2024/r.csv"
done
chmod -R a+rX "$ETL_DATA"
ftp_auth="{\"username\": \"$ETL_FTP_USER\", \"password\": \"$ETL_FTP_PASSWORD\", \"table_prefix\": \"ftp_\"}"
assert_eq "$(q "SELECT string_agg(dataset || ':' || partitions || 'p:' || files || 'f', ' ') FROM etl.crawl('ftp', '$ETL_FTP_URL/$run', '$ftp_auth')")" \
  "ftp_$run:2p:2f" "ftp: agreeing region folders are one dataset"
assert_eq "$(q "SELECT array_to_string(partition_keys, ',') || ' ' || (dialect->>'delimiter') FROM etl.datasets WHERE name = 'ftp_$run'")" \
  "partition_0,partition_1 ;" "ftp: numbered partition keys, the semicolon dialect sniffed"
sftp_auth="{\"username\": \"$ETL_SFTP_USER\", \"password\": \"$ETL_SFTP_PASSWORD\", \"table_prefix\": \"sftp_\"}"
assert_eq "$(q "SELECT string_agg(dataset || ':' || partitions || 'p:' || files || 'f', ' ') FROM etl.crawl('sftp', '$ETL_SFTP_URL$ETL_SFTP_ROOT/$run', '$sftp_auth')")" \
  "sftp_$run:2p:2f" "sftp: the same tree crawls the same way"
assert_eq "$(q "SELECT string_agg(name || ' ' || data_type, ', ' ORDER BY is_partition_key, ordinal) FROM etl.dataset_columns WHERE dataset = 'sftp_$run'")" \
  "region text, revenue text, partition_0 text, partition_1 integer" \
  "sftp: 10,5 is not a number in a ;-file without a decimal comma option (kept as text)"

# ---- a named source ------------------------------------------------------------------------
q "SELECT etl.create_source('s3_sales', 's3://$ETL_S3_BUCKET/$run/sales/year=2024/**/*.csv', '$s3')" >/dev/null
assert_eq "$(q "SELECT count(*) FROM etl.infer_schema('s3_sales')")" 6 "infer_schema of a source by name uses its URL and credentials"

# ---- secrets stay out of the catalog --------------------------------------------------------
# (s3rver's secret key equals its access key id, which is not a secret: checked by key)
assert_eq "$(q "SELECT read_options->>'secret_access_key' FROM etl.datasets WHERE name = 'sales'")" '***' \
  "the S3 secret key is masked in the dataset's reading options"
for secret in "$ETL_FTP_PASSWORD" "$ETL_SFTP_PASSWORD"; do
  leaks=$(q "SELECT (SELECT count(*) FROM etl.datasets d WHERE d::text LIKE '%$secret%')
                  + (SELECT count(*) FROM etl.crawled_files f WHERE f::text LIKE '%$secret%')
                  + (SELECT count(*) FROM etl.crawl_log l WHERE l::text LIKE '%$secret%')
                  + (SELECT count(*) FROM etl.dataset_partitions p WHERE p::text LIKE '%$secret%')")
  assert_eq "$leaks" 0 "a secret is in no catalog table"
done
q "DROP DATABASE $DB WITH (FORCE)" postgres
