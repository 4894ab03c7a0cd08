#!/usr/bin/env python3
"""Schema-inference benchmark (issue 5): pg_etl's etl.infer_schema against pandas and
csv.Sniffer, for speed on a ~100 MiB CSV and for accuracy on a messy corpus with ground
truth (bench/gen_infer_corpus.py writes both). Run by bench/run_infer_bench.sh, which
starts the cluster; this script reaches it through PGHOST/PGPORT/PGUSER/PGDATABASE.

  infer_bench.py DATA_DIR RUNS   -> markdown on stdout, progress on stderr

"Correct" (the same rule for every tool; also written into bench/RESULTS.md):
  * the type must hold every value of the column exactly and be of the expected kind;
  * integer columns: any integer type that holds every value (integer, bigint; pandas
    int64/Int64) -- integer for a column with values beyond 2^31 is wrong;
  * exact decimals (money) must be numeric: a float (double precision, float64) is wrong;
  * text is right only for text columns: a date, number, uuid, time or boolean column
    left as text/object is wrong (not typed), and a number type for ids/zips with
    leading zeros is wrong (the zeros are lost);
  * date columns: date, or a timestamp type (pandas datetime64, pandas has no date
    dtype) whose values are all the right dates at midnight; the spelling must be read
    right (pg_etl: detail->>'format' is the file's spelling; pandas: every parsed value
    equals the value read with the known strptime format);
  * timestamp columns: a naive timestamp with every value right; timestamptz columns: a
    time-zone-aware type with every instant right (naive is wrong: offsets dropped);
  * time columns: a time type (pandas datetime64 adds today's date: wrong);
  * uuid columns: uuid (pandas has no uuid dtype: object is counted wrong, and the
    count over the columns pandas can represent is given separately).
"""
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")
DATA, RUNS = sys.argv[1], int(sys.argv[2])
truth = json.load(open(os.path.join(DATA, "truth.json")))
NULLS = {"", "NA", "N/A", "null", "NULL", "-"}
SQL_SHORT = {"timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
             "time without time zone": "time", "double precision": "double precision"}
PANDAS_REPRESENTABLE = {"boolean", "integer", "bigint", "double precision", "date",
                        "timestamp without time zone", "timestamp with time zone", "text"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def short(t):
    return SQL_SHORT.get(t, t)


# ---- pg_etl -------------------------------------------------------------------------------

def sql_lit(s):
    return "'" + s.replace("'", "''") + "'"


def psql(sql):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr.strip())
    return r.stdout


def pg_infer(path, opts):
    return json.loads(psql(f"SELECT etl._infer({sql_lit(path)}, {sql_lit(json.dumps(opts))})"))


def pg_time_ms(path, opts):
    """Wall time of one etl.infer_schema call as psql's \\timing sees it."""
    sql = f"SELECT count(*) FROM etl.infer_schema({sql_lit(path)}, {sql_lit(json.dumps(opts))})"
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\timing on", "-c", sql],
                       capture_output=True, text=True, check=True)
    for line in r.stdout.splitlines():
        if line.startswith("Time: "):
            return float(line.split()[1])
    raise RuntimeError(r.stdout + r.stderr)


def judge_pg(col, got):
    """got: one column of etl._infer's result."""
    exp, t = col["expected"], got["type"]
    fmt = (got.get("detail") or {}).get("format")
    if exp in ("integer", "bigint"):
        ok = t == "bigint" or (t == "integer" and exp == "integer")
    elif exp == "date":
        ok = t in ("date", "timestamp without time zone") and fmt == col["pg_format"]
        if t != "date" and ok:
            ok = all(v.endswith("00:00:00") or len(v) == 10 for v in (got["detail"].get("min", ""), got["detail"].get("max", "")))
    elif exp in ("timestamp without time zone", "timestamp with time zone"):
        ok = t == exp and fmt == col["pg_format"]
    else:
        ok = t == exp
    shown = short(t) + (f" ({fmt})" if fmt and exp == "date" else "")
    return shown, ok


# ---- pandas -------------------------------------------------------------------------------

def pd_read(path, f, best, nrows=None):
    kw = dict(sep=f["delimiter"], header=0 if f["header"] else None, nrows=nrows)
    if best:  # what a data engineer adds: more NA tokens, yes/no booleans
        kw.update(na_values=["-"], true_values=["yes", "Y"], false_values=["no", "N"])
    df = pd.read_csv(path, **kw)
    if best:
        df = best_effort(df)
    return df


def best_effort(df):
    """convert_dtypes (nullable Int64, boolean), then pd.to_datetime on what is left as
    text; mixed offsets (pandas then returns objects) are retried with utc=True."""
    df = df.convert_dtypes()
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) == "string":
            try:
                r = pd.to_datetime(df[c], infer_datetime_format=True)
                if r.dtype == object:
                    r = pd.to_datetime(df[c], utc=True)
                df[c] = r
            except (ValueError, TypeError, OverflowError):
                pass
    return df


def raw_frame(path, f):
    return pd.read_csv(path, sep=f["delimiter"], header=0 if f["header"] else None, dtype=str,
                       keep_default_na=False)


def dates_right(series, raw, col, aware):
    """Every parsed value equals the raw text read with the known format."""
    fmt = col["strptime"]
    for v, s in zip(series, raw):
        if s in NULLS:
            if not pd.isna(v):
                return False
            continue
        want = dt.datetime.strptime(s, fmt)
        if pd.isna(v):
            return False
        got = v.to_pydatetime()
        if aware:
            if got.tzinfo is None or got != want:
                return False
        else:
            if got.tzinfo is not None or got != want.replace(tzinfo=None):
                return False
    return True


def judge_pd(col, series, raw):
    exp, d = col["expected"], str(series.dtype)
    if d in ("int64", "Int64", "uint64", "int32", "Int32"):
        shown, ok = "int64" if d != "Int64" else "Int64", exp in ("integer", "bigint")
    elif d in ("float64", "Float64"):
        shown, ok = d, exp == "double precision"
    elif d in ("bool", "boolean"):
        shown, ok = d, exp == "boolean"
    elif d.startswith("datetime64[ns,"):
        shown = "datetime64 tz"
        ok = exp == "timestamp with time zone" and dates_right(series, raw, col, True)
    elif d.startswith("datetime64"):
        shown = "datetime64"
        if exp == "time without time zone":
            ok = False
            shown += " (today's date added)"
        else:
            ok = exp in ("date", "timestamp without time zone") and dates_right(series, raw, col, False)
            if exp == "date" and not ok:
                shown += " (values misread)"
    elif d in ("object", "string"):
        shown, ok = d, exp == "text"
        if exp == "text" and d == "object" and series.map(type).nunique() > 1:
            shown += " (mixed int/str)"
    else:
        shown, ok = d, False
    return shown, ok


# ---- csv.Sniffer --------------------------------------------------------------------------

def sniff(path, nbytes):
    with open(path, newline="") as fh:
        sample = fh.read(nbytes)
    try:
        d = csv.Sniffer().sniff(sample).delimiter
    except csv.Error:
        d = None
    try:
        h = csv.Sniffer().has_header(sample)
    except csv.Error:
        h = None
    return d, h


def show_delim(d):
    return {"\t": "tab", "|": "\\|", None: "error"}.get(d, d)


# ---- accuracy -----------------------------------------------------------------------------

def accuracy(files, title, big=False):
    rows = []
    counts = {k: 0 for k in ("pg20k", "pgall", "pd", "pdbest", "pd20k")}
    rep = {k: 0 for k in counts}
    n_rep = 0
    for f in files:
        path = os.path.join(DATA, f["file"]) if big else os.path.join(DATA, "corpus", f["file"])
        log(f"  {f['file']}")
        g20 = pg_infer(path, {})
        gall = pg_infer(path, {"sample": "all"})
        df = pd_read(path, f, False)
        dfb = pd_read(path, f, True)
        df20 = pd_read(path, f, False, nrows=20000)
        rawdf = raw_frame(path, f)
        for i, col in enumerate(f["columns"]):
            raw = rawdf.iloc[:, i]
            r = {"file": f["file"], "col": col}
            r["pg20k"] = judge_pg(col, g20["columns"][i]) if i < len(g20["columns"]) else ("missing", False)
            r["pgall"] = judge_pg(col, gall["columns"][i]) if i < len(gall["columns"]) else ("missing", False)
            r["pd"] = judge_pd(col, df.iloc[:, i], raw)
            r["pdbest"] = judge_pd(col, dfb.iloc[:, i], raw)
            r["pd20k"] = judge_pd(col, df20.iloc[:, i], raw.iloc[:20000])
            representable = col["expected"] in PANDAS_REPRESENTABLE
            n_rep += representable
            for k in counts:
                counts[k] += r[k][1]
                rep[k] += r[k][1] and representable
            rows.append(r)
    n = len(rows)
    mark = lambda t: f"{t[0]} {'✓' if t[1] else '✗'}"
    out = [f"#### {title}", "",
           "| File | Column | Data | Expected | pg_etl (sample 20000) | pg_etl (sample all) | pandas read_csv | pandas best effort | pandas nrows=20000 |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        c = r["col"]
        exp = short(c["expected"]) + (f" ({c['pg_format']})" if c["expected"] == "date" else "")
        out.append(f"| {r['file']} | {c['name']} | {c['note']} | {exp} | {mark(r['pg20k'])} | {mark(r['pgall'])} | "
                   f"{mark(r['pd'])} | {mark(r['pdbest'])} | {mark(r['pd20k'])} |")
    out.append(f"| **correct** | | | {n} columns | **{counts['pg20k']}/{n}** | **{counts['pgall']}/{n}** | "
               f"**{counts['pd']}/{n}** | **{counts['pdbest']}/{n}** | **{counts['pd20k']}/{n}** |")
    out.append(f"| correct, types pandas can represent | | | {n_rep} columns | {rep['pg20k']}/{n_rep} | {rep['pgall']}/{n_rep} | "
               f"{rep['pd']}/{n_rep} | {rep['pdbest']}/{n_rep} | {rep['pd20k']}/{n_rep} |")
    return "\n".join(out), rows


def dialects(files):
    out = ["#### Dialect and header detection", "",
           "| File | Delimiter | Header | pg_etl delimiter | pg_etl header | csv.Sniffer (1 KiB) delimiter | header | csv.Sniffer (64 KiB) delimiter | header |",
           "|---|---|---|---|---|---|---|---|---|"]
    ok = {"pg": 0, "s1": 0, "s64": 0}
    for f in files:
        path = os.path.join(DATA, f["file"]) if f is truth["big"] else os.path.join(DATA, "corpus", f["file"])
        g = pg_infer(path, {})
        pgd, pgh = g["dialect"]["delimiter"], g["header"]
        s1, s64 = sniff(path, 1024), sniff(path, 65536)
        m = lambda got, want: f"{show_delim(got) if isinstance(got, str) or got is None else ('yes' if got else 'no')} {'✓' if got == want else '✗'}"
        out.append(f"| {f['file']} | {show_delim(f['delimiter'])} | {'yes' if f['header'] else 'no'} | "
                   f"{m(pgd, f['delimiter'])} | {m(pgh, f['header'])} | {m(s1[0], f['delimiter'])} | {m(s1[1], f['header'])} | "
                   f"{m(s64[0], f['delimiter'])} | {m(s64[1], f['header'])} |")
        ok["pg"] += pgd == f["delimiter"] and pgh == f["header"]
        ok["s1"] += s1 == (f["delimiter"], f["header"])
        ok["s64"] += s64 == (f["delimiter"], f["header"])
    n = len(files)
    out.append(f"| **both right** | | | **{ok['pg']}/{n}** | | **{ok['s1']}/{n}** | | **{ok['s64']}/{n}** | |")
    return "\n".join(out), ok, n


# ---- speed --------------------------------------------------------------------------------

def timing():
    f = truth["big"]
    path = os.path.join(DATA, f["file"])
    size = os.path.getsize(path)
    mib = size / 1048576
    with open(path, "rb") as fh:  # same warm page cache for every tool
        while fh.read(1 << 24):
            pass
    T = {k: [] for k in ("pg20k", "pgall", "pd20k", "pdfull", "pdbest")}
    for r in range(RUNS):
        log(f"  timing run {r + 1}/{RUNS}")
        T["pg20k"].append(pg_time_ms(path, {}) / 1000)
        T["pgall"].append(pg_time_ms(path, {"sample": "all"}) / 1000)
        t = time.perf_counter(); pd.read_csv(path, nrows=20000); T["pd20k"].append(time.perf_counter() - t)
        t = time.perf_counter(); pd.read_csv(path); T["pdfull"].append(time.perf_counter() - t)
        t = time.perf_counter(); pd_read(path, f, True); T["pdbest"].append(time.perf_counter() - t)
        log("   " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in T.items()))
    m = {k: statistics.median(v) for k, v in T.items()}
    rate = lambda s: f"{mib / s:.0f} MiB/s"
    out = [f"#### Speed on {f['file']} ({mib:.1f} MiB = {size / 1e6:.1f} MB, {f['rows']} rows x {len(f['columns'])} columns, median of {RUNS})", "",
           "| Mode | pg_etl etl.infer_schema | Goal | Peer | Peer time | Ratio (peer / pg_etl; > 1 means pg_etl is faster) |",
           "|---|---|---|---|---|---|",
           f"| default sample (20000 records) | {m['pg20k']:.3f} s | < 1 s: **{'met' if m['pg20k'] < 1 else 'NOT met'}** | pandas read_csv(nrows=20000) | {m['pd20k']:.3f} s | **{m['pd20k'] / m['pg20k']:.2f}** |",
           f"| sample all | {m['pgall']:.3f} s = {rate(m['pgall'])} | >= 100 MB/s: **{'met' if mib / m['pgall'] >= 100 else 'NOT met'}** | pandas read_csv (full, default dtypes) | {m['pdfull']:.3f} s = {rate(m['pdfull'])} | **{m['pdfull'] / m['pgall']:.2f}** |",
           f"| sample all | {m['pgall']:.3f} s = {rate(m['pgall'])} | | pandas best effort (full read, convert_dtypes, to_datetime) | {m['pdbest']:.3f} s = {rate(m['pdbest'])} | **{m['pdbest'] / m['pgall']:.2f}** |",
           "", "Every run (s): " + "; ".join(f"{k} " + " ".join(f"{x:.3f}" for x in v) for k, v in T.items())]
    return "\n".join(out)


def main():
    log("accuracy: corpus")
    acc, rows = accuracy(truth["files"], "Accuracy on the messy corpus (bench/gen_infer_corpus.py)")
    log("accuracy: big file")
    accbig, rowsbig = accuracy([truth["big"]], f"Accuracy on {truth['big']['file']} (the speed file)", big=True)
    log("dialects")
    dia, ok, n = dialects(truth["files"] + [truth["big"]])
    log("speed")
    speed = timing()
    print(speed, acc, accbig, dia, sep="\n\n")
    wrong = [(r["file"], r["col"]["name"], r["col"]["expected"], mode, r[mode][0])
             for r in rows + rowsbig for mode in ("pg20k", "pgall") if not r[mode][1]]
    print("\n#### pg_etl mistakes\n")
    for w in wrong:
        print(f"- {w[0]} / {w[1]}: expected {w[2]}, pg_etl ({'sample 20000' if w[3] == 'pg20k' else 'sample all'}) returned {w[4]}")
    if not wrong:
        print("- none")


main()
