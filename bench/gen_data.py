#!/usr/bin/env python3
"""Benchmark data: N rows x 10 mixed columns, as CSV and as NDJSON, same values.

  gen_data.py ROWS OUT_DIR [--csv-only]  -> OUT_DIR/rows.csv, OUT_DIR/rows.ndjson

Columns: id bigint, customer_id int, name text, email text, amount numeric(12,2),
quantity int, price float8, active bool, created_at timestamp, day date. Deterministic.
"""
import json
import os
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
csv_only = "--csv-only" in sys.argv
os.makedirs(out, exist_ok=True)
rnd = random.Random(42)
first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Katherine", "Ken", "Dennis"]
last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Johnson", "Thompson", "Ritchie"]
with open(os.path.join(out, "rows.csv"), "w") as c, open(os.devnull if csv_only else os.path.join(out, "rows.ndjson"), "w") as j:
    c.write("id,customer_id,name,email,amount,quantity,price,active,created_at,day\n")
    for i in range(1, rows + 1):
        f, l = rnd.choice(first), rnd.choice(last)
        name = f"{f} {l}"
        email = f"{f.lower()}.{l.lower()}{i % 1000}@example.com"
        amount = f"{rnd.randint(0, 9999999) / 100:.2f}"
        qty = rnd.randint(1, 500)
        price = rnd.random() * 1000
        active = "true" if i % 3 else "false"
        ts = f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} {rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}"
        day = ts[:10]
        c.write(f"{i},{i % 50000},{name},{email},{amount},{qty},{price!r},{active},{ts},{day}\n")
        j.write(json.dumps({"id": i, "customer_id": i % 50000, "name": name, "email": email,
                            "amount": float(amount), "quantity": qty, "price": price,
                            "active": active == "true", "created_at": ts, "day": day}) + "\n")
