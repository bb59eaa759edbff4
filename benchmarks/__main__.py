"""cassalite vs sqlite3 on the same logical workloads, measured in the same run.

    python -m benchmarks [--rows 200000] [--partitions 2000] [--runs 3] [--cpu] [--quick]
                         [--server-seconds 10] [--no-server | --server-only]

Workloads (through the public API only):
- messages (``benchmarks.cputime``): partition channel_id bigint, clustering message_id
  bigint DESC, author_id bigint, content ~100 chars. sqlite3 baseline: WAL,
  synchronous=NORMAL, commit every 1,000 rows, PRIMARY KEY (channel_id, message_id) WITHOUT
  ROWID. Phases: prepared INSERT, unprepared INSERT with literals, point SELECT, 50-row
  slice, full scan. Each run measures sqlite3 and then cassalite in three states: the LSM
  engine as the ingest left it (natural: memtables being flushed), the same data with
  everything flushed (steady state), the memory engine and, when ``rocksdict`` is
  installed, the RocksDB engine (``engine="rocks"``). Every ratio is cassalite's rate
  / sqlite3's rate *in the same run*; the table gives the median of ``--runs`` runs (and
  the range). sqlite3's read phases are timed again on its kept database right before
  each round of cassalite's reads, and the read ratios use those: on a machine whose
  speed drifts (shared cores), phases timed minutes apart would tilt the ratios either
  way. The table's sqlite3 column is its first timing. ``--cpu`` times each phase in process CPU time instead of wall time (for a
  machine shared with other work).
- bytes on disk and reopen time of the first run's databases.
- wide partition: 1,000 x 3.2 KB blobs in one partition, time to read it all (the HBase MOB
  case reports 20-50 ms) and one feature.
- start-up: ``import cql; connect(':memory:')``, shell start to first result, server start to
  first query.
- server under load (``benchmarks.server_load``): 32 connections doing prepared point
  reads and inserts against ``cassalite-server --memory``, with cassandra-driver clients
  (the realistic client) and with the lean native-protocol client (which measures the
  server rather than the client), one request at a time and 8 in flight per connection:
  ops/s, p50 and p99 latency, server and client CPU per op, load average, every read and
  every acknowledged write checked. ``--server-only`` runs just this part.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import cputime

PHASES = [("insert", "prepared INSERT"), ("text", "unprepared INSERT"),
          ("point", "point SELECT"), ("slice", "50-row slice"), ("scan", "full scan (per row)")]
STATES = [("", "natural LSM"), ("steady_", "steady LSM"), ("memory_", "memory engine"),
          ("rocks_", "RocksDB engine")]


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def messages(root: Path, rows: int, parts: int, probes: int, runs: int, clock) -> dict:
    """Per run: sqlite3, cassalite LSM (natural, then flushed), cassalite memory (and
    RocksDB when rocksdict is installed); returns
    {"us": {key: [µs/op per run]}, "ratio": {key: [ratio per run]}, "disk": ...}."""
    import importlib.util

    import cql

    rocks = importlib.util.find_spec("rocksdict") is not None

    us: dict = {}
    ratio: dict = {}
    out: dict = {"us": us, "ratio": ratio}
    for run in range(runs):
        q = cputime.run_sqlite(root, rows, parts, probes, clock, keep=True)

        def baseline():  # sqlite3's reads again, right before each round of ours
            return cputime.sqlite_reads(root, parts, rows // parts, probes, clock)

        lsm = root / f"lsm{run}"
        c = cputime.run_cql(str(lsm), rows, parts, probes, clock=clock, both=True,
                            baseline=baseline)
        c.update({f"memory_{k}": v for k, v in cputime.run_cql(
            ":memory:", rows, parts, probes, clock=clock, baseline=baseline).items()})
        if rocks:
            c.update({f"rocks_{k}": v for k, v in cputime.run_cql(
                str(root / f"rocks{run}"), rows, parts, probes, clock=clock,
                engine="rocks", baseline=baseline).items()})
        bases = {key[:-len("baseline")]: c.pop(key) for key in list(c)
                 if key.endswith("baseline")}
        for key, value in c.items():
            state, _, phase = key.rpartition("_")
            state = state + "_" if state else ""
            base = bases.get(state, q)
            if phase not in base:  # a write phase: against sqlite3's ingest
                base = q
            us.setdefault(key, []).append(value)
            ratio.setdefault(key, []).append(base[phase] / value)
        for phase, value in q.items():
            us.setdefault(f"sqlite_{phase}", []).append(value)
        print(f"run {run + 1}/{runs} ratios: " + " ".join(f"{k} {ratio[k][-1]:.2f}" for k in c),
              flush=True)
        if run == 0:
            out["disk"] = (_dir_size(lsm), (root / "s.db").stat().st_size)
            t = time.perf_counter()
            s = cql.connect(str(lsm))
            s.execute("SELECT * FROM bench.messages WHERE channel_id = 0 LIMIT 1").one()
            reopen = time.perf_counter() - t
            s.close()
            t = time.perf_counter()
            db = sqlite3.connect(root / "s.db")
            db.execute("SELECT * FROM messages WHERE channel_id = 0 LIMIT 1").fetchone()
            out["reopen"] = (reopen, time.perf_counter() - t)
            db.close()
        for name in ("s.db", "s.db-wal", "s.db-shm"):
            (root / name).unlink(missing_ok=True)
        shutil.rmtree(lsm, ignore_errors=True)
        shutil.rmtree(root / f"rocks{run}", ignore_errors=True)
    return out


def print_messages(m: dict, runs: int, clock_name: str) -> None:
    us, ratio = m["us"], m["ratio"]
    med = statistics.median
    print()
    print(f"Messages workload, {clock_name}; ratio = cassalite rate / sqlite3 rate in the same "
          f"run, median of {runs} (range):")
    print()
    print("| operation | sqlite3 µs/op | " + " | ".join(
        f"{label} µs/op | ratio" for _, label in STATES) + " |")
    print("|---|---:|" + "---:|---|" * len(STATES))
    for phase, label in PHASES:
        cells = [f"{med(us[f'sqlite_{phase}']):.1f}"]
        for prefix, _ in STATES:
            key = prefix + phase
            if key not in ratio:
                cells += ["–", "–"]
                continue
            r = ratio[key]
            span = f" ({min(r):.2f}–{max(r):.2f})" if len(r) > 1 else ""
            cells += [f"{med(us[key]):.1f}", f"**{med(r):.2f}**{span}"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    if "disk" in m:
        c, q = m["disk"]
        rc, rq = m["reopen"]
        print()
        print("| first run | cassalite | sqlite3 | ratio |")
        print("|---|---:|---:|---:|")
        print(f"| bytes on disk | {c:,} | {q:,} | {c / q:.2f}x |")
        print(f"| reopen + first read (s) | {rc:.3f} | {rq:.3f} | {rc / rq:.1f}x |")


SERVER_RUNS = [  # (label, client, read ratio, requests in flight per connection)
    ("driver: reads (95% point SELECT, 5% INSERT)", "driver", 0.95, 1),
    ("driver: reads, 8 in flight per connection", "driver", 0.95, 8),
    ("driver: mixed (50% point SELECT, 50% INSERT)", "driver", 0.5, 1),
    ("raw: reads, 1 in flight per connection", "raw", 0.95, 1),
    ("raw: reads, 8 in flight per connection", "raw", 0.95, 8),
    ("raw: mixed, 8 in flight per connection", "raw", 0.5, 8),
]


def server(seconds: float) -> list[tuple[str, dict]]:
    from . import server_load

    return [(label, server_load.run(clients=32, duration=seconds, read_ratio=ratio,
                                    in_flight=in_flight, client=client))
            for label, client, ratio, in_flight in SERVER_RUNS]


def print_server(results: list[tuple[str, dict]], seconds: float) -> None:
    from .server_load import percentile

    print()
    print(f"Server under load: cassalite-server --memory, 32 connections (prepared "
          f"statements), {seconds:.0f} s each; driver = cassandra-driver clients in 4 "
          f"processes, raw = the lean native-protocol client (benchmarks/native_load.py) in "
          f"one process; CPU per op of the server process and of the client processes, "
          f"load average at the end, and the rate two idle cores would give at those "
          f"costs:")
    print()
    print("| clients: mix | ops/s | p50 ms | p99 ms | server / client CPU us/op | load | "
          "2-core cap ops/s | errors / lost writes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, r in results:
        lat = r["latencies"]
        print(f"| {label} | {r['rate']:,.0f} | {percentile(lat, 50) * 1e3:.2f} | "
              f"{percentile(lat, 99) * 1e3:.2f} | {r['server_cpu_us']:.0f} / "
              f"{r['client_cpu_us']:.0f} | {r['load']:.1f} | {r['cap']:,.0f} | "
              f"{len(r['errors']) + r['mismatches']} / {r['missing'] + r['wrong']} |")


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


def _machine() -> str:
    """Cores, Python, and whether cql's hot modules run compiled (``cql.compiled``)."""
    import cql

    return (f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"cql.compiled={cql.compiled}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=2_000)
    ap.add_argument("--probes", type=int, default=5_000)
    ap.add_argument("--runs", type=int, help="repetitions of the messages workload "
                    "(default 3, 1 with --quick)")
    ap.add_argument("--wide", type=int, default=1_000)
    ap.add_argument("--cpu", action="store_true", help="time phases in process CPU time")
    ap.add_argument("--server-seconds", type=float, default=10.0)
    ap.add_argument("--no-server", action="store_true", help="skip the server load test")
    ap.add_argument("--server-only", action="store_true", help="run only the server load test")
    ap.add_argument("--quick", action="store_true",
                    help="20k rows, one run, 5 s server runs: a smoke run")
    args = ap.parse_args(argv)
    if args.quick:
        args.rows, args.partitions, args.probes = 20_000, 200, 1_000
        args.server_seconds = min(args.server_seconds, 5.0)
    runs = args.runs or (1 if args.quick else 3)
    clock, clock_name = (time.process_time, "process CPU time") if args.cpu else \
        (time.perf_counter, "wall time")
    if args.server_only:
        print(f"machine: {_machine()}", flush=True)
        print_server(server(args.server_seconds), args.server_seconds)
        return 0
    root = Path(tempfile.mkdtemp(prefix="cassalite-bench-"))
    try:
        print(f"machine: {_machine()}, "
              f"{args.rows} rows over {args.partitions} partitions, {runs} run(s)", flush=True)
        m = messages(root, args.rows, args.partitions, args.probes, runs, clock)
        print_messages(m, runs, clock_name)
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
        if not args.no_server:
            print_server(server(args.server_seconds), args.server_seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
