#!/usr/bin/env python3
"""Data for the schema-inference benchmark (issue 5), deterministic (fixed seed).

  gen_infer_corpus.py OUT_DIR [BIG_ROWS]

Writes
  OUT_DIR/corpus/*   small messy files (CSV with , ; | and tab, a headerless file, quoted
                     fields with delimiters and newlines, a late text value after row 20000)
  OUT_DIR/big.csv    BIG_ROWS (default 530000, about 100 MiB) rows x 17 messy columns
  OUT_DIR/truth.json the ground truth: per file its delimiter and header, per column the
                     PostgreSQL type a careful engineer would choose, and for date/time
                     columns the spelling (pg_etl's format name and Python's strptime format)

The expected type is written next to each column below, before any tool was run on the
data; it was not adjusted afterwards.
"""
import json
import os
import random
import sys
import uuid

out = sys.argv[1]
big_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 530000
rnd = random.Random(20240605)
os.makedirs(os.path.join(out, "corpus"), exist_ok=True)

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Katherine", "Ken", "Dennis",
         "José", "Zoë", "Øystein", "Mary Ann", "O'Brien"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Johnson", "Thompson",
        "Ritchie", "García", "van der Berg", "Smith-Jones"]
CITIES = ["Boston", "Springfield", "Portland", "Zürich", "São Paulo", "New York", "Köln", "Austin"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WORDS = ["late", "delivery", "refund", "broken", "thanks", "call me", "wrong size", "ok", "urgent", "n/a"]


def q(s, delim=","):
    """CSV quoting as a spreadsheet export does it: only when needed."""
    if any(c in s for c in (delim, '"', "\n", "\r")):
        return '"' + s.replace('"', '""') + '"'
    return s


def ymd():
    return rnd.randint(1990, 2025), rnd.randint(1, 12), rnd.randint(1, 28)


def hms():
    return rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)


def iso_date():
    y, m, d = ymd()
    return f"{y:04d}-{m:02d}-{d:02d}"


def mdy_date():
    y, m, d = ymd()
    return f"{m:02d}/{d:02d}/{y:04d}"


def dmy_dot_date():
    y, m, d = ymd()
    return f"{d:02d}.{m:02d}.{y:04d}"


def mon_date():
    y, m, d = ymd()
    return f"{MON[m - 1]} {d} {y}"


def offset():
    return rnd.choice(["+00:00", "+02:00", "-05:00", "+05:30", "-08:00", "+01:00"])


def ts_tz(sep=" "):
    y, m, d = ymd()
    h, mi, s = hms()
    return f"{y:04d}-{m:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{offset()}"


def ts_naive():
    y, m, d = ymd()
    h, mi, s = hms()
    return f"{y:04d}-{m:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"


def time_of_day():
    h, mi, s = hms()
    return f"{h:02d}:{mi:02d}:{s:02d}"


def money(lo=0, hi=99999):
    return f"{rnd.randint(lo * 100, hi * 100) / 100:.2f}"


def zip5():
    return f"{rnd.randint(501, 99950):05d}"  # US zips: about 1 in 10 starts with 0


def a_uuid():
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


def exp_number():
    return f"{rnd.uniform(1, 10):.4f}e{rnd.randint(-12, 12):+03d}"


def maybe_null(v, p=0.08):
    return rnd.choice(["NA", "N/A", "-", "", "NA"]) if rnd.random() < p else v


def name():
    return f"{rnd.choice(LAST)}, {rnd.choice(FIRST)}" if rnd.random() < 0.3 else f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"


# Date spellings: pg_etl's format name and the strptime format that reads the same text.
ISO = ("YYYY-MM-DD", "%Y-%m-%d")
MDY = ("MM/DD/YYYY", "%m/%d/%Y")
DMY_DOT = ("DD.MM.YYYY", "%d.%m.%Y")
MON_D_Y = ("Mon DD YYYY", "%b %d %Y")
TS = ("YYYY-MM-DD", "%Y-%m-%d %H:%M:%S")
TSTZ = ("YYYY-MM-DD", "%Y-%m-%d %H:%M:%S%z")
TSTZ_T = ("YYYY-MM-DD", "%Y-%m-%dT%H:%M:%S%z")
TIME = (None, "%H:%M:%S")

truth = {"files": []}


def col(name, expected, gen, fmt=None, note=""):
    return {"name": name, "expected": expected, "gen": gen, "fmt": fmt, "note": note}


def write(fname, delim, header, rows, cols, special=None):
    """special(i, values) may change a row's values (the late text value)."""
    path = os.path.join(out, "corpus", fname)
    with open(path, "w", newline="") as f:
        if header:
            f.write(delim.join(q(c["name"], delim) for c in cols) + "\n")
        for i in range(1, rows + 1):
            vals = [c["gen"]() for c in cols]
            if special:
                special(i, vals)
            f.write(delim.join(q(v, delim) for v in vals) + "\n")
    truth["files"].append({
        "file": fname, "delimiter": delim, "header": header, "rows": rows,
        "columns": [{"name": c["name"], "expected": c["expected"],
                     "pg_format": c["fmt"][0] if c["fmt"] else None,
                     "strptime": c["fmt"][1] if c["fmt"] else None, "note": c["note"]} for c in cols]})


# 1. customers.csv: comma, header
write("customers.csv", ",", True, 2000, [
    col("customer_id", "text", lambda: f"{rnd.randint(1, 999999):08d}", note="ids with leading zeros"),
    col("zip", "text", zip5, note="US zip codes, some with a leading 0"),
    col("name", "text", name, note="some quoted: 'Last, First'"),
    col("balance", "numeric", lambda: money(0, 5000), note="money, 2 decimals"),
    col("newsletter", "boolean", lambda: rnd.choice(["yes", "no"]), note="yes/no"),
    col("vip", "boolean", lambda: rnd.choice(["Y", "N", "N", "N"]), note="Y/N"),
    col("signup_date", "date", iso_date, ISO, note="ISO dates"),
])

# 2. readings.csv: semicolon, header
write("readings.csv", ";", True, 2000, [
    col("station", "integer", lambda: str(rnd.randint(1, 400)), note="small integers"),
    col("reading", "numeric", lambda: maybe_null(f"{rnd.randint(-5000, 40000) / 100:.2f}"), note="decimals with NA/N/A/-/empty"),
    col("samples", "integer", lambda: maybe_null(str(rnd.randint(0, 5000))), note="integers with NA/N/A/-/empty"),
    col("signal", "double precision", exp_number, note="exponents: 3.1416e-05"),
    col("read_on", "date", dmy_dot_date, DMY_DOT, note="DD.MM.YYYY"),
])

# 3. ledger.psv: pipe, header
write("ledger.psv", "|", True, 2000, [
    col("txn_id", "bigint", lambda: str(rnd.randint(3_000_000_000, 9_000_000_000_000)), note="beyond integer"),
    col("account", "numeric", lambda: str(rnd.randint(10 ** 19, 10 ** 24)), note="20-25 digit integers, beyond bigint"),
    col("amount", "numeric", lambda: money(-2000, 2000), note="money, negative too"),
    col("posted_at", "timestamp with time zone", ts_tz, TSTZ, note="offsets, mixed"),
    col("value_date", "date", mdy_date, MDY, note="MM/DD/YYYY"),
])

# 4. events.tsv: tab, header
write("events.tsv", "\t", True, 2000, [
    col("event_id", "uuid", a_uuid),
    col("occurred_at", "timestamp without time zone", ts_naive, TS, note="no offsets"),
    col("start_time", "time without time zone", time_of_day, TIME, note="HH:MM:SS"),
    col("release_date", "date", mon_date, MON_D_Y, note="'Jun 12 1998'"),
    col("label", "text", lambda: rnd.choice(WORDS)),
])


# 5. late_text.csv: comma, header; one text value at row 25000 (beyond a 20000-record sample)
def late(i, vals):
    if i == 25000:
        vals[1] = "A-1017"


write("late_text.csv", ",", True, 30000, [
    col("row_no", "integer", lambda: str(rnd.randint(1, 10 ** 6))),
    col("product_code", "text", lambda: str(rnd.randint(1000, 99999)), note="integers, 'A-1017' at row 25000"),
], special=late)

# 6. headerless.csv: comma, no header
write("headerless.csv", ",", False, 2000, [
    col("column1", "integer", lambda: str(rnd.randint(1, 100000))),
    col("column2", "text", lambda: rnd.choice(CITIES)),
    col("column3", "date", iso_date, ISO, note="ISO dates"),
    col("column4", "numeric", lambda: money(0, 900), note="money"),
])

# 7. quoted.csv: comma, header; quoted fields holding commas, quotes and newlines
write("quoted.csv", ",", True, 2000, [
    col("ticket_id", "integer", lambda: str(rnd.randint(1, 2_000_000))),
    col("comment", "text", lambda: rnd.choice([
        lambda: f"{rnd.choice(WORDS)}, {rnd.choice(WORDS)}",
        lambda: f"line one\nline two: {rnd.choice(WORDS)}",
        lambda: f'said "{rnd.choice(WORDS)}", then left',
        lambda: rnd.choice(WORDS)])(), note="commas, newlines, doubled quotes"),
    col("cost", "numeric", lambda: money(0, 300), note="money"),
])

# 8. headerless.psv: pipe, no header
write("headerless.psv", "|", False, 2000, [
    col("column1", "bigint", lambda: str(rnd.randint(5_000_000_000, 9_000_000_000))),
    col("column2", "numeric", lambda: money(0, 10000), note="money"),
    col("column3", "boolean", lambda: rnd.choice(["Y", "N"]), note="Y/N"),
])

# 9. extras.csv: comma, header; more spellings seen in exports
def eu_date():
    y, m, d = ymd()
    return f"{d:02d}/{m:02d}/{y:04d}"


def ts_utc_millis():
    y, m, d = ymd()
    h, mi, s = hms()
    return f"{y:04d}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{rnd.randint(0, 999):03d}Z"


write("extras.csv", ",", True, 2000, [
    col("eu_date", "date", eu_date, ("DD/MM/YYYY", "%d/%m/%Y"), note="DD/MM/YYYY"),
    col("flag", "boolean", lambda: rnd.choice(["True", "False", "TRUE", "FALSE", "true", "false"]), note="mixed case"),
    col("ts_utc", "timestamp with time zone", ts_utc_millis, ("YYYY-MM-DD", "%Y-%m-%dT%H:%M:%S.%f%z"), note="ISO 8601, millis, Z"),
    col("closed_on", "date", lambda: maybe_null(iso_date(), 0.3), ISO, note="ISO dates, 30% NA/N/A/-/empty"),
])

# The big file: realistic order export, all columns messy at once.
LATE_ROW = max(20001, big_rows * 3 // 5)  # one text value, well beyond a 20000-record sample
BIG = [
    col("order_id", "text", lambda: f"{rnd.randint(1, 10 ** 9):010d}", note="zero-padded ids"),
    col("customer_zip", "text", zip5),
    col("customer_name", "text", name),
    col("amount", "numeric", lambda: money(1, 2000)),
    col("discount", "numeric", lambda: maybe_null(money(0, 50), 0.3), note="money with NA/N/A/-/empty"),
    col("quantity", "integer", lambda: maybe_null(str(rnd.randint(1, 40)), 0.05), note="integers with nulls"),
    col("is_gift", "boolean", lambda: rnd.choice(["yes", "no", "no"])),
    col("shipped", "boolean", lambda: rnd.choice(["Y", "N"])),
    col("order_date", "date", iso_date, ISO),
    col("ship_date", "date", mdy_date, MDY),
    col("created_at", "timestamp with time zone", lambda: ts_tz("T"), TSTZ_T),
    col("updated_at", "timestamp without time zone", ts_naive, TS),
    col("pickup_time", "time without time zone", time_of_day, TIME),
    col("session_id", "uuid", a_uuid),
    col("score", "double precision", exp_number),
    col("account_no", "bigint", lambda: str(rnd.randint(10 ** 10, 10 ** 13))),
    col("legacy_ref", "text", lambda: str(rnd.randint(1, 99999)), note=f"integers, 'X-77' at row {LATE_ROW}"),
]
big = os.path.join(out, "big.csv")
with open(big, "w", newline="") as f:
    f.write(",".join(c["name"] for c in BIG) + "\n")
    gens = [c["gen"] for c in BIG]
    for i in range(1, big_rows + 1):
        vals = [g() for g in gens]
        if i == LATE_ROW:
            vals[-1] = "X-77"
        f.write(",".join(q(v) for v in vals) + "\n")
truth["big"] = {"file": "big.csv", "delimiter": ",", "header": True, "rows": big_rows,
                "columns": [{"name": c["name"], "expected": c["expected"],
                             "pg_format": c["fmt"][0] if c["fmt"] else None,
                             "strptime": c["fmt"][1] if c["fmt"] else None, "note": c["note"]} for c in BIG]}
with open(os.path.join(out, "truth.json"), "w") as f:
    json.dump(truth, f, indent=1)
