"""COPY round trip: export an N-row table to CSV with COPY TO, import it into a new table with
COPY FROM, check the contents match, and report rows/s both ways.

Baseline measured in the same run: Python's csv module writing/reading the same rows to/from
the same file (the floor for any CSV path), so the printed ratios are COPY's overhead.

    python benchmarks/copy_roundtrip.py [--rows 100000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cql
from cassalite.shell.core import Shell, ShellSettings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--data-dir", help="use the durable engine in DIR (default: in memory)")
    args = ap.parse_args()
    session = cql.connect(args.data_dir or ":memory:")
    session.row_factory = cql.tuple_factory
    session.execute("CREATE KEYSPACE IF NOT EXISTS bench WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    session.execute("USE bench")
    session.execute("DROP TABLE IF EXISTS src")
    session.execute("DROP TABLE IF EXISTS dst")
    cols = "id int, ts timestamp, name text, score double, tags set<text>, PRIMARY KEY (id)"
    session.execute(f"CREATE TABLE src ({cols})")
    session.execute(f"CREATE TABLE dst ({cols})")
    ins = session.prepare("INSERT INTO src (id, ts, name, score, tags) VALUES (?, ?, ?, ?, ?)")
    t0 = time.perf_counter()
    for i in range(args.rows):
        session.execute(ins, [i, i * 1000, f"name {i}", i / 3, {f"t{i % 10}", "x"}])
    load = time.perf_counter() - t0
    print(f"loaded {args.rows} rows in {load:.2f} s ({args.rows / load:,.0f} rows/s)")

    out = io.StringIO()
    shell = Shell(session, ShellSettings(), out=out, err=out)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "src.csv"
        t0 = time.perf_counter()
        shell.feed_text(f"COPY src TO '{path}';\n")
        export_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        shell.feed_text(f"COPY dst FROM '{path}';\n")
        import_s = time.perf_counter() - t0
        if shell.statement_error:
            print(out.getvalue())
            return 1
        # baseline: plain csv write + read of the same rows
        rows = session.execute("SELECT * FROM src", fetch_size=0).current_rows
        t0 = time.perf_counter()
        with open(Path(tmp) / "base.csv", "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        base_w = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open(Path(tmp) / "base.csv", newline="", encoding="utf-8") as f:
            n = sum(1 for _ in csv.reader(f))
        base_r = time.perf_counter() - t0
        assert n == args.rows
    q = "SELECT id, ts, name, tags, score FROM {}"
    src = sorted(session.execute(q.format("src"), fetch_size=0).current_rows)
    dst = sorted(session.execute(q.format("dst"), fetch_size=0).current_rows)
    # doubles travel with DOUBLEPRECISION=12 significant digits, as in cqlsh
    same = len(src) == len(dst) == args.rows and all(
        a[:4] == b[:4] and abs(a[4] - b[4]) <= 1e-10 * max(1.0, abs(a[4]))
        for a, b in zip(src, dst))
    print(f"COPY TO:   {args.rows / export_s:10,.0f} rows/s ({export_s:.2f} s); "
          f"csv.writer baseline x{export_s / base_w:.1f} slower")
    print(f"COPY FROM: {args.rows / import_s:10,.0f} rows/s ({import_s:.2f} s); "
          f"csv.reader baseline x{import_s / base_r:.1f} slower")
    print("contents identical" if same else "CONTENTS DIFFER")
    session.close()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
