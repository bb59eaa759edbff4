"""cassalite vs sqlite3 on the same logical workloads, measured in the same run.

    python -m benchmarks [--rows 200000] [--partitions 2000] [--quick]

Workloads (through the public API only):
- messages: partition channel_id bigint, clustering message_id bigint DESC, author_id bigint,
  content ~100 chars. sqlite3 baseline: WAL, synchronous=NORMAL, commit every 1,000 rows,
  PRIMARY KEY (channel_id, message_id) WITHOUT ROWID. Prepared INSERT rows/s, point SELECT
  ops/s, 50-row slice ops/s, full scan rows/s, bytes on disk, reopen time.
- wide partition: 1,000 x 3.2 KB blobs in one partition, time to read it all (the HBase MOB
  case reports 20-50 ms) and one feature.
- start-up: ``import cql; connect(':memory:')``, shell start to first result, server start to
  first query.
Ratios are cassalite / sqlite3 (higher is better for rates, lower for bytes and times).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTENT = "x" * 100


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def messages_cassalite(root: Path, rows: int, parts: int, probes: int) -> dict:
    import cql

    path = root / "cassalite"
    s = cql.connect(str(path))
    s.execute("CREATE KEYSPACE bench WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.execute("USE bench")
    s.execute("CREATE TABLE messages (channel_id bigint, message_id bigint, author_id bigint, "
              "content text, PRIMARY KEY (channel_id, message_id)) "
              "WITH CLUSTERING ORDER BY (message_id DESC)")
    insert = s.prepare("INSERT INTO messages (channel_id, message_id, author_id, content) "
                       "VALUES (?, ?, ?, ?)")
    per = rows // parts
    out: dict = {}

    def load() -> None:
        for i in range(rows):
            s.execute(insert, (i % parts, i // parts, i % 97, CONTENT))

    out["insert"] = rows / _timed(load)
    rnd = random.Random(1)
    point = s.prepare("SELECT * FROM messages WHERE channel_id = ? AND message_id = ?")
    out["point"] = probes / _timed(lambda: [
        s.execute(point, (rnd.randrange(parts), rnd.randrange(per))).one() for _ in range(probes)])
    slice_ = s.prepare("SELECT * FROM messages WHERE channel_id = ? AND message_id < ? LIMIT 50")
    out["slice"] = probes / _timed(lambda: [
        s.execute(slice_, (rnd.randrange(parts), per)).all() for _ in range(probes)])
    count = [0]

    def scan() -> None:
        count[0] = sum(1 for _ in s.execute("SELECT * FROM messages", fetch_size=5000))

    out["scan"] = rows / _timed(scan)
    assert count[0] == rows, count
    s.close()
    out["disk"] = _dir_size(path)
    t = time.perf_counter()
    s = cql.connect(str(path))
    s.execute("SELECT * FROM bench.messages WHERE channel_id = 0 LIMIT 1").one()
    out["reopen"] = time.perf_counter() - t
    s.close()
    return out


def messages_sqlite(root: Path, rows: int, parts: int, probes: int) -> dict:
    path = root / "sqlite.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE messages (channel_id INTEGER, message_id INTEGER, author_id INTEGER, "
               "content TEXT, PRIMARY KEY (channel_id, message_id)) WITHOUT ROWID")
    per = rows // parts
    out: dict = {}

    def load() -> None:
        for i in range(rows):
            db.execute("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?)",
                       (i % parts, i // parts, i % 97, CONTENT))
            if i % 1000 == 999:
                db.commit()
        db.commit()

    out["insert"] = rows / _timed(load)
    rnd = random.Random(1)
    out["point"] = probes / _timed(lambda: [db.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND message_id = ?",
        (rnd.randrange(parts), rnd.randrange(per))).fetchone() for _ in range(probes)])
    out["slice"] = probes / _timed(lambda: [db.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND message_id < ? "
        "ORDER BY message_id DESC LIMIT 50", (rnd.randrange(parts), per)).fetchall()
        for _ in range(probes)])
    out["scan"] = rows / _timed(lambda: db.execute("SELECT * FROM messages").fetchall())
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    out["disk"] = sum(p.stat().st_size for p in root.glob("sqlite.db*"))
    t = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("SELECT * FROM messages WHERE channel_id = 0 LIMIT 1").fetchone()
    out["reopen"] = time.perf_counter() - t
    db.close()
    return out


def wide_partition(root: Path, n: int) -> dict:
    import cql

    blob = os.urandom(3200)
    s = cql.connect(str(root / "wide"))
    s.execute("CREATE KEYSPACE w WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.execute("CREATE TABLE w.features (group_id int, feature_id int, data blob, "
              "PRIMARY KEY (group_id, feature_id))")
    ins = s.prepare("INSERT INTO w.features (group_id, feature_id, data) VALUES (?, ?, ?)")
    for i in range(n):
        s.execute(ins, (1, i, blob))
    s.admin.flush()
    whole = s.prepare("SELECT data FROM w.features WHERE group_id = ?")
    one = s.prepare("SELECT data FROM w.features WHERE group_id = ? AND feature_id = ?")
    s.execute(whole, (1,), fetch_size=None).all()
    read_all = min(_timed(lambda: s.execute(whole, (1,), fetch_size=None).all()) for _ in range(5))
    read_one = min(_timed(lambda: s.execute(one, (1, n // 2)).one()) for _ in range(20))
    s.close()
    db = sqlite3.connect(root / "wide.sqlite")
    db.execute("CREATE TABLE f (g INTEGER, i INTEGER, data BLOB, PRIMARY KEY (g, i)) WITHOUT ROWID")
    db.executemany("INSERT INTO f VALUES (1, ?, ?)", [(i, blob) for i in range(n)])
    db.commit()
    s_all = min(_timed(lambda: db.execute("SELECT data FROM f WHERE g = 1").fetchall())
                for _ in range(5))
    s_one = min(_timed(lambda: db.execute("SELECT data FROM f WHERE g = 1 AND i = ?",
                                         (n // 2,)).fetchone()) for _ in range(20))
    db.close()
    return {"cassalite_all": read_all, "sqlite_all": s_all, "cassalite_one": read_one,
            "sqlite_one": s_one}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def startup() -> dict:
    py = sys.executable
    out = {}
    t = time.perf_counter()
    subprocess.run([py, "-c", "import cql; cql.connect(':memory:')"], check=True)
    out["connect"] = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([py, "-c", "import sqlite3; sqlite3.connect(':memory:')"], check=True)
    out["sqlite_connect"] = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([py, "-m", "cassalite.shell", "--memory", "-e", "SELECT key FROM system.local"],
                   check=True, stdout=subprocess.DEVNULL)
    out["shell"] = time.perf_counter() - t
    port = _free_port()
    t = time.perf_counter()
    server = subprocess.Popen([py, "-m", "cassalite.server", "--memory", "--port", str(port),
                               "--log-level", "WARNING"])
    try:
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                    # OPTIONS frame (v4): the first query a driver sends.
                    sock.sendall(bytes([4, 0, 0, 1, 5, 0, 0, 0, 0]))
                    if sock.recv(9):
                        break
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - t > 30:
                raise RuntimeError("server did not start")
        out["server"] = time.perf_counter() - t
    finally:
        server.terminate()
        server.wait(10)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=2_000)
    ap.add_argument("--probes", type=int, default=5_000)
    ap.add_argument("--wide", type=int, default=1_000)
    ap.add_argument("--quick", action="store_true", help="20k rows, for a smoke run")
    args = ap.parse_args(argv)
    if args.quick:
        args.rows, args.partitions, args.probes = 20_000, 200, 1_000
    root = Path(tempfile.mkdtemp(prefix="cassalite-bench-"))
    try:
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
              f"{args.rows} rows over {args.partitions} partitions")
        c = messages_cassalite(root, args.rows, args.partitions, args.probes)
        q = messages_sqlite(root, args.rows, args.partitions, args.probes)
        print()
        print("| messages workload | cassalite | sqlite3 | ratio |")
        print("|---|---|---|---|")
        for key, label, unit in [("insert", "prepared INSERT", "rows/s"),
                                 ("point", "point SELECT", "ops/s"),
                                 ("slice", "50-row slice", "ops/s"),
                                 ("scan", "full scan", "rows/s"),
                                 ("disk", "bytes on disk", "B"),
                                 ("reopen", "reopen + first read", "s")]:
            fmt = "{:,.3f}" if key == "reopen" else "{:,.0f}"
            print(f"| {label} ({unit}) | {fmt.format(c[key])} | {fmt.format(q[key])} | "
                  f"{c[key] / q[key]:.2f}x |")
        w = wide_partition(root, args.wide)
        print()
        print(f"| wide partition ({args.wide} x 3.2 KB) | cassalite | sqlite3 | ratio |")
        print("|---|---|---|---|")
        print(f"| read whole partition (ms) | {w['cassalite_all'] * 1e3:.1f} | "
              f"{w['sqlite_all'] * 1e3:.1f} | {w['cassalite_all'] / w['sqlite_all']:.1f}x |")
        print(f"| read one feature (ms) | {w['cassalite_one'] * 1e3:.2f} | "
              f"{w['sqlite_one'] * 1e3:.2f} | {w['cassalite_one'] / w['sqlite_one']:.1f}x |")
        st = startup()
        print()
        print("| start-up (new process, s) | cassalite | sqlite3 |")
        print("|---|---|---|")
        print(f"| import + connect(':memory:') | {st['connect']:.2f} | "
              f"{st['sqlite_connect']:.2f} |")
        print(f"| shell start to first result | {st['shell']:.2f} | |")
        print(f"| server start to first response | {st['server']:.2f} | |")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
