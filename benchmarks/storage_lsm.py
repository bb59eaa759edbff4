"""LSM engine micro-benchmark, with sqlite3 (WAL, synchronous=NORMAL) on the same logical
workload as the baseline measured in the same run.

Workloads: 200k rows of ~100-byte text over 2,000 partitions (100 rows each):
- writes/s: one small mutation per apply() (periodic commit-log sync);
- point reads/s: one random row (memtable-free, after flush, chunk cache warm);
- 50-row slices/s: a random clustering range of 50 rows;
- scan rows/s: a full token-order scan;
- bytes on disk after flush + major compaction;
- wide partition: 10k rows of 3.2 KB blobs, reading a 50-row slice vs. the whole partition.

    python benchmarks/storage_lsm.py [--rows 200000] [--partitions 2000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.model import Cell, LivenessInfo, Mutation, Partition, Row

TABLE = TableInfo("bench000-0000-0000-0000-000000000001", "bench", "t", {})
WIDE = TableInfo("bench000-0000-0000-0000-000000000002", "bench", "wide", {})
TS = 1_700_000_000_000_000


def pk(i: int) -> bytes:
    return struct.pack(">i", i)


def ck(j: int) -> bytes:
    return struct.pack(">I", j ^ 0x80000000)


def text(rng: random.Random) -> bytes:
    words = [b"lorem", b"ipsum", b"dolor", b"sit", b"amet", b"consectetur", b"adipiscing",
             b"elit", b"sed", b"do", b"eiusmod", b"tempor", b"incididunt", b"labore"]
    out = b""
    while len(out) < 100:
        out += rng.choice(words) + b" "
    return out[:100]


def mutation(table: TableInfo, p: int, c: int, value: bytes, ts: int) -> Mutation:
    row = Row(LivenessInfo(ts), None, {"v": Cell(value, ts)})
    return Mutation(table.table_id, pk(p), Partition(rows=SortedDict({ck(c): row})))


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def du(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def bench_lsm(path: str, rows: int, parts: int, rng: random.Random) -> dict:
    res: dict = {}
    e = LSMEngine(path, compaction_in_background=True)
    e.create_table(TABLE)
    per = rows // parts
    values = [text(rng) for _ in range(1000)]
    order = [(i % parts, i // parts) for i in range(rows)]
    spent = 0.0
    for start in range(0, rows, 10_000):  # build mutations outside the timed part
        batch = [[mutation(TABLE, p, c, values[n % 1000], TS + n)]
                 for n, (p, c) in enumerate(order[start:start + 10_000], start)]
        t0 = time.perf_counter()
        for muts in batch:
            e.apply(muts)
        spent += time.perf_counter() - t0
    res["writes"] = rows / spent
    e.flush()
    e.compact()
    res["disk_bytes"] = du(os.path.join(path, "data"))
    res["sstables"] = len(e._tables[TABLE.table_id].sstables)
    n = 20000
    keys = [(rng.randrange(parts), rng.randrange(per)) for _ in range(n)]
    for p, c in keys[:2000]:  # warm the chunk cache
        e.read_partition(TABLE.table_id, pk(p), [(ck(c), ck(c + 1))])
    t0 = time.perf_counter()
    for p, c in keys:
        view = e.read_partition(TABLE.table_id, pk(p), [(ck(c), ck(c + 1))])
        assert view is not None and len(view.rows) == 1
    res["point_reads"] = n / (time.perf_counter() - t0)
    n = 3000
    t0 = time.perf_counter()
    for _ in range(n):
        p, c = rng.randrange(parts), rng.randrange(per - 50)
        view = e.read_partition(TABLE.table_id, pk(p), [(ck(c), ck(c + 50))])
        assert len(view.rows) == 50
    res["slices"] = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    total = sum(len(v.rows) for v in e.scan(TABLE.table_id))
    res["scan_rows"] = total / (time.perf_counter() - t0)
    assert total == rows
    e.close()
    return res


def bench_wide(path: str, rng: random.Random) -> dict:
    res: dict = {}
    e = LSMEngine(path, compaction_in_background=False, memtable_size_bytes=256 << 20)
    e.create_table(WIDE)
    blob = rng.randbytes(3200)
    for c in range(10_000):
        e.apply([mutation(WIDE, 1, c, blob, TS + c)])
    e.flush()
    t0 = time.perf_counter()
    n = 200
    for _ in range(n):
        c = rng.randrange(10_000 - 50)
        view = e.read_partition(WIDE.table_id, pk(1), [(ck(c), ck(c + 50))])
        assert len(view.rows) == 50
    res["wide_slice"] = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    view = e.read_partition(WIDE.table_id, pk(1))
    res["wide_full_s"] = time.perf_counter() - t0
    assert len(view.rows) == 10_000
    e.close()
    return res


def bench_sync_modes(path: str, rng: random.Random, seconds: float = 2.0) -> dict:
    """Durable writes: batch mode (one writer) and group commit (8 writers)."""
    import threading

    res: dict = {}
    for mode, threads in (("batch", 1), ("batch", 8), ("group", 8)):
        d = os.path.join(path, f"{mode}{threads}")
        e = LSMEngine(d, commitlog_sync=mode, commitlog_sync_group_window_ms=5)
        e.create_table(TABLE)
        counts = [0] * threads
        stop = time.perf_counter() + seconds

        def writer(k: int, counts: list = counts, e: LSMEngine = e, stop: float = stop) -> None:
            n = 0
            while time.perf_counter() < stop:
                e.apply([mutation(TABLE, k, n, b"x" * 100, TS + n)])
                n += 1
            counts[k] = n

        workers = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0
        res[f"{mode}, {threads} writer(s)"] = (sum(counts) / elapsed,
                                               e.commitlog.sync_count / elapsed)
        e.close()
    return res


def bench_sqlite(path: str, rows: int, parts: int, rng: random.Random) -> dict:
    res: dict = {}
    db = sqlite3.connect(os.path.join(path, "bench.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (p INTEGER, c INTEGER, v BLOB, ts INTEGER, PRIMARY KEY (p, c))"
               " WITHOUT ROWID")
    per = rows // parts
    values = [text(rng) for _ in range(1000)]
    t0 = time.perf_counter()
    for n in range(rows):
        db.execute("INSERT OR REPLACE INTO t VALUES (?, ?, ?, ?)",
                   (n % parts, n // parts, values[n % 1000], TS + n))
    res["writes"] = rows / (time.perf_counter() - t0)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    res["disk_bytes"] = du(path)
    n = 20000
    t0 = time.perf_counter()
    for _ in range(n):
        db.execute("SELECT v, ts FROM t WHERE p = ? AND c = ?",
                   (rng.randrange(parts), rng.randrange(per))).fetchall()
    res["point_reads"] = n / (time.perf_counter() - t0)
    n = 3000
    t0 = time.perf_counter()
    for _ in range(n):
        c = rng.randrange(per - 50)
        got = db.execute("SELECT c, v, ts FROM t WHERE p = ? AND c >= ? AND c < ?",
                         (rng.randrange(parts), c, c + 50)).fetchall()
        assert len(got) == 50
    res["slices"] = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    total = sum(1 for _ in db.execute("SELECT p, c, v, ts FROM t"))
    res["scan_rows"] = total / (time.perf_counter() - t0)
    db.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=2_000)
    ap.add_argument("--dir", default=None, help="where to put the data (default: a temp dir)")
    ap.add_argument("--skip-wide", action="store_true")
    ap.add_argument("--sync-modes", action="store_true",
                    help="also measure batch and group commit (fsync-bound)")
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="cassalite-bench-", dir=args.dir)
    try:
        rng = random.Random(42)
        os.makedirs(os.path.join(base, "lsm"))
        os.makedirs(os.path.join(base, "sqlite"))
        lsm = bench_lsm(os.path.join(base, "lsm"), args.rows, args.partitions, rng)
        lite = bench_sqlite(os.path.join(base, "sqlite"), args.rows, args.partitions, rng)
        print(f"{args.rows:,} rows of ~100-byte text over {args.partitions:,} partitions")
        print(f"{'':24}{'lsm':>14}{'sqlite3':>14}{'lsm/sqlite':>12}")
        for key, label in (("writes", "writes/s"), ("point_reads", "point reads/s"),
                           ("slices", "50-row slices/s"), ("scan_rows", "scan rows/s")):
            print(f"{label:24}{lsm[key]:>14,.0f}{lite[key]:>14,.0f}{lsm[key] / lite[key]:>12.2f}")
        print(f"{'bytes on disk':24}{lsm['disk_bytes']:>14,}{lite['disk_bytes']:>14,}"
              f"{lsm['disk_bytes'] / lite['disk_bytes']:>12.2f}")
        print(f"(lsm: {lsm['sstables']} SSTable(s) after major compaction)")
        if not args.skip_wide:
            os.makedirs(os.path.join(base, "wide"))
            wide = bench_wide(os.path.join(base, "wide"), rng)
            print(f"wide partition (10k x 3.2 KB): 50-row slices {wide['wide_slice']:,.0f}/s, "
                  f"whole partition {wide['wide_full_s'] * 1000:,.0f} ms")
        if args.sync_modes:
            os.makedirs(os.path.join(base, "sync"))
            sync = bench_sync_modes(os.path.join(base, "sync"), rng)
            for mode, (writes, syncs) in sync.items():
                print(f"durable writes, {mode}: {writes:,.0f}/s ({syncs:,.0f} fsyncs/s)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
