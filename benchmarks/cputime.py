"""The messages workload timed in CPU seconds, for a machine shared with other work.

    python -m benchmarks.cputime [ROWS] [MODES]        e.g. 40000 lsm,steady,memory,rocks

Wall-clock ratios move by 2x when other processes compete for the cores, because sqlite3
and cassalite run at different moments. This variant charges each phase its process CPU
time (``time.process_time``: the LSM engine's background flush and compaction threads
included) and reports microseconds per operation and the ratio sqlite3 / cassalite for
four states: ``lsm`` (natural: reads run against whatever memtables and SSTables the
ingest left, with their flushes still running), ``steady`` (everything flushed and the
compactions that flush started finished before the reads), ``memory`` (the
in-memory engine) and ``rocks`` (the RocksDB engine, ``pip install 'cassalite[rocks]'``;
RocksDB's background threads are charged too). Phases: prepared INSERT, unprepared
INSERT with literals (``text``), point SELECT, 50-row slice, full scan (per row).

``python -m benchmarks`` runs the same functions (``run_cql``, ``run_sqlite``) with
either clock, three times, and reports the medians.
"""
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import cql

CONTENT = "x" * 100
T = time.process_time
PHASES = ("insert", "text", "point", "slice", "scan")


def _reads(s, parts, per, probes, clock, rows):
    out = {}
    rnd = random.Random(1)
    point = s.prepare("SELECT * FROM messages WHERE channel_id = ? AND message_id = ?")
    t = clock()
    for _ in range(probes):
        s.execute(point, (rnd.randrange(parts), rnd.randrange(per))).one()
    out["point"] = (clock() - t) / probes * 1e6
    sl = s.prepare("SELECT * FROM messages WHERE channel_id = ? AND message_id < ? LIMIT 50")
    t = clock()
    for _ in range(probes // 4):
        s.execute(sl, (rnd.randrange(parts), per)).all()
    out["slice"] = (clock() - t) / (probes // 4) * 1e6
    t = clock()
    c = sum(1 for _ in s.execute("SELECT * FROM messages", fetch_size=5000))
    out["scan"] = (clock() - t) / c * 1e6
    assert c >= rows, (c, rows)
    return out


def run_cql(path, rows, parts, probes, steady=False, clock=T, both=False, engine=None,
            baseline=None):
    """µs/op of each phase. ``steady``: flush everything before the reads; ``both``: read
    once as the ingest left the data, then flush and read again (keys ``steady_<phase>``);
    ``engine``: the storage engine of a directory database (default: LSM); ``baseline``:
    called right before each round of reads, its result kept under ``baseline`` (and
    ``steady_baseline``), for read ratios against sqlite3 reads timed next to ours."""
    s = cql.connect(path, engine=engine) if engine else cql.connect(path)
    s.execute("CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.execute("USE bench")
    s.execute("CREATE TABLE messages (channel_id bigint, message_id bigint, author_id bigint, "
              "content text, PRIMARY KEY (channel_id, message_id)) WITH CLUSTERING ORDER BY (message_id DESC)")
    ins = s.prepare("INSERT INTO messages (channel_id, message_id, author_id, content) VALUES (?, ?, ?, ?)")
    per = rows // parts
    out = {}
    t = clock()
    for i in range(rows):
        s.execute(ins, (i % parts, i // parts, i % 97, CONTENT))
    out["insert"] = (clock() - t) / rows * 1e6
    n = min(2000, rows // 10)
    t = clock()
    for i in range(n):
        s.execute(f"INSERT INTO messages (channel_id, message_id, author_id, content) VALUES ({i % parts}, {per + i}, {i}, 'hello {i}')")
    out["text"] = (clock() - t) / n * 1e6
    lsm = not str(path).startswith(":memory:") and engine is None  # has admin.flush()
    if steady and lsm:
        settle(s)
    if baseline is not None:
        out["baseline"] = baseline()
    out.update(_reads(s, parts, per, probes, clock, rows))
    if both and lsm:
        settle(s)
        if baseline is not None:
            out["steady_baseline"] = baseline()
        out.update({f"steady_{k}": v for k, v in _reads(s, parts, per, probes, clock, rows).items()})
    s.close()
    return out


def settle(s, timeout: float = 300.0) -> None:
    """Flush, then wait for the background compactions the flush started (a steady state:
    nothing running in the background whose CPU time the reads would be charged). A task
    left pending with none running for 2 s (automatic compaction off) is not waited for."""
    s.admin.flush()
    deadline = idle = time.monotonic() + timeout
    while (now := time.monotonic()) < deadline:
        stats = s.admin.compaction_stats()
        if stats["active"]:
            idle = deadline
        elif not stats["pending_tasks"]:
            return
        elif idle == deadline:
            idle = now
        elif now - idle > 2.0:
            return
        time.sleep(0.05)
    raise RuntimeError("compactions still running after the flush")


def run_sqlite(root, rows, parts, probes, clock=T, keep=False):
    """µs/op of each phase; ``keep``: leave the database file (``root``/s.db) behind."""
    db = sqlite3.connect(Path(root) / "s.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE messages (channel_id INTEGER, message_id INTEGER, author_id INTEGER, "
               "content TEXT, PRIMARY KEY (channel_id, message_id)) WITHOUT ROWID")
    per = rows // parts
    out = {}
    t = clock()
    for i in range(rows):
        db.execute("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?)", (i % parts, i // parts, i % 97, CONTENT))
        if i % 1000 == 999:
            db.commit()
    db.commit()
    out["insert"] = (clock() - t) / rows * 1e6
    n = min(2000, rows // 10)
    t = clock()
    for i in range(n):
        db.execute(f"INSERT OR REPLACE INTO messages VALUES ({i % parts}, {per + i}, {i}, 'hello {i}')")
        if i % 1000 == 999:
            db.commit()
    db.commit()
    out["text"] = (clock() - t) / n * 1e6
    out.update(_sqlite_reads(db, parts, per, probes, clock))
    if keep:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    if not keep:
        for name in ("s.db", "s.db-wal", "s.db-shm"):
            (Path(root) / name).unlink(missing_ok=True)
    return out


def _sqlite_reads(db, parts: int, per: int, probes: int, clock) -> dict:
    out = {}
    rnd = random.Random(1)
    t = clock()
    for _ in range(probes):
        db.execute("SELECT * FROM messages WHERE channel_id = ? AND message_id = ?", (rnd.randrange(parts), rnd.randrange(per))).fetchone()
    out["point"] = (clock() - t) / probes * 1e6
    t = clock()
    for _ in range(probes // 4):
        db.execute("SELECT * FROM messages WHERE channel_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT 50", (rnd.randrange(parts), per)).fetchall()
    out["slice"] = (clock() - t) / (probes // 4) * 1e6
    t = clock()
    c = len(db.execute("SELECT * FROM messages").fetchall())
    out["scan"] = (clock() - t) / c * 1e6
    return out


def sqlite_reads(root, parts: int, per: int, probes: int, clock=T) -> dict:
    """The read phases of ``run_sqlite`` again, on the database it kept (``keep``)."""
    db = sqlite3.connect(Path(root) / "s.db")
    try:
        return _sqlite_reads(db, parts, per, probes, clock)
    finally:
        db.close()


if __name__ == "__main__":
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        sys.exit(0)
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    parts = rows // 100
    probes = 2000
    modes = sys.argv[2].split(",") if len(sys.argv) > 2 else ["lsm", "steady", "memory"]
    root = Path(tempfile.mkdtemp())
    try:
        q = run_sqlite(root, rows, parts, probes)
        print(f"cql.compiled={cql.compiled}; sqlite us/op", {k: round(v, 2) for k, v in q.items()})
        for m in modes:
            path = ":memory:" if m == "memory" else str(root / m)
            c = run_cql(path, rows, parts, probes, steady=(m == "steady"),
                        engine="rocks" if m == "rocks" else None)
            print(f"{m:7s}", " ".join(f"{k} {c[k]:.1f}us ({q[k]/c[k]:.3f})" for k in c))
    finally:
        shutil.rmtree(root, ignore_errors=True)
