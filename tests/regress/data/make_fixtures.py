#!/usr/bin/env python3
"""Writes the byte-exact fixture files of the regress suite into the directory given.

Corner cases (byte-order marks, CRLF, LATIN1, invalid UTF-8, compression) are easier to
get right as bytes than as checked-in files an editor might normalise. Run by
tests/run_regress.sh; the files land in /tmp/pg_etl_regress so that expected output does
not depend on where the checkout lives.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

out = sys.argv[1]
os.makedirs(os.path.join(out, "many", "sub"), exist_ok=True)
os.makedirs(os.path.join(out, "year=2024", "month=05"), exist_ok=True)
# Where pipeline tests drop files with COPY ... TO (the server writes them).
for d in ("landing", "landing/cdc", "strict"):
    os.makedirs(os.path.join(out, d), exist_ok=True)
    os.chmod(os.path.join(out, d), 0o777)


def write(name, data, mode="wb"):
    with open(os.path.join(out, name), mode) as f:
        f.write(data)


write("corner.csv", (
    "\ufeffid,name,note\r\n"
    "1,Ada,\"multi\r\nline\"\r\n"
    "2,\"Grace \"\"Amazing\"\" Hopper\",\"a,b\"\r\n"
    "3,,\"\"\r\n"
    "4,Alan,plain").encode("utf-8"))
write("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
write("latin1.csv", "name,city\nJos\xe9,M\xfcnchen\n".encode("latin-1"))
write("bad_utf8.csv", b"id,name\n1,ok\n2,bad \xc3\x28 byte\n3,fine\n")
write("empty.csv", b"")
write("header_only.csv", b"id,name\n")
write("noheader.csv", b"1,Ada,10.5\n2,Grace,20\n")
write("pipes.txt", b"# exported 2024-05-01\n# by the nightly job\nid|name|amount\n1|'x|y'|NA\n2|'it''s'|3.5\n")
write("nulls.csv", b"id,v\n1,NA\n2,N/A\n3,-\n4,\n5,\"NA\"\n")
write("types.csv", (
    "b,i2,i8,f4,f8,n,d,ts,tstz,t,u,j,txt\n"
    "yes,-32768,9223372036854775807,1.5,-2.5e-3,12345678901234567890.123456789,2024-02-29,2024-05-01 10:11:12.5,"
    "2024-05-01T10:11:12Z,23:59:59,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,\"{\"\"k\"\": [1, 2]}\",caf\u00e9\n"
    "off,0,0,NaN,Infinity,-0.00,2000-01-01,2000-01-01,2000-01-01 00:00:00+05:30,00:00,"
    "A0EEBC999C0B4EF8BB6D6BB9BD380A11,null,\n").encode("utf-8"))
for i, (cols, rows) in enumerate([("id,name", ["1,a", "2,b"]), ("name,id", ["c,3", "d,4"]), ("id,name", ["5,e"])]):
    write(f"many/part{i}.csv", (cols + "\n" + "\n".join(rows) + "\n").encode())
write("many/sub/deep.csv", b"id,name\n6,f\n")
write("many/other.json", b"[]")
write("year=2024/month=05/x.ndjson", b'{"id": 1}\n')

records = [
    {"id": 1, "name": "Ada", "amount": 12345678901234567.89, "tags": ["a", "b"], "addr": {"city": "London", "zip": "N1"}},
    {"id": 2, "name": "Grace", "amount": 2.5, "tags": [], "addr": {"city": "Arlington"}},
    {"id": 3, "name": None, "extra": True},
]
# JSON text by hand where numbers must stay exact (Python floats would round them).
exact = json.dumps(records, indent=2).replace("1.2345678901234568e+16", "12345678901234567.89")
write("array.json", exact.encode())
lines = [json.dumps(r).replace("1.2345678901234568e+16", "12345678901234567.89") for r in records]
write("lines.ndjson", ("\n".join(lines) + "\n{\"id\": 4, \"name\": \n{\"id\": 5}\n").encode())
write("envelope.json", ('{"meta": {"page": 1}, "data": {"items": ' + json.dumps(records) + "}}")
      .replace("1.2345678901234568e+16", "12345678901234567.89").encode())
write("scalars.json", b"[1, 2, 3]")

# A messy corpus for schema inference and crawls.
corpus = {
    "corpus/sales/year=2024/month=05/part-1.csv":
        "id,zip,amount,paid,ordered,note,big\n"
        "0001,02134,12.50,yes,05/06/2024,first,1\n"
        "0002,10001,7,no,05/07/2024,NA,99999999999999999999\n"
        "0003,94105,0.99,Y,,-,3\n",
    "corpus/sales/year=2024/month=06/part-1.csv":
        "id,zip,amount,paid,ordered,note,big\n"
        "0004,60601,100,N,06/01/2024,N/A,4\n",
    "corpus/regions/eu/2024/r.csv": "region,revenue\neu,10.5\n",
    "corpus/regions/us/2024/r.csv": "region,revenue\nus,20\n",
    "corpus/regions/us/2024/_SUCCESS.csv": "ignored\n",
    "corpus/events/e1.ndjson":
        '{"id": 1, "user": {"name": "Ada"}, "at": "2024-05-01T10:00:00Z", "tags": ["a"]}\n'
        '{"id": 2, "at": "2024-05-02T11:00:00+02:00", "score": 1.5e3}\n',
    "corpus/events/e2.ndjson": "",
    "corpus/eu_dates.csv": "day,qty\n13/05/2024,1\n01/06/2024,2\n",
}
for rel, text in corpus.items():
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
os.makedirs(os.path.join(out, "corpus/sales/year=2024/month=07"), exist_ok=True)
for d in ("corpus/sales/year=2024", "corpus/sales/year=2024/month=07", "corpus/events"):
    os.chmod(os.path.join(out, d), 0o777)  # crawl tests add files here

orders = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "orders.csv"), "rb").read()
write("orders.csv", orders)
write("orders.csv.gz", gzip.compress(orders))
write("orders_gz_misnamed.csv", gzip.compress(orders))
if shutil.which("zstd"):
    write("orders.csv.zst", subprocess.run(["zstd", "-q", "-c"], input=orders, capture_output=True, check=True).stdout)
write("orders_noext", orders)
write("not_gzip.csv.gz", orders)
write("truncated.csv.gz", gzip.compress(orders)[:-20])
