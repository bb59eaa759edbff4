"""Server load test: many cassandra-driver connections doing mixed reads and writes.

Starts ``cassalite-server`` in its own process on a free loopback port, then runs
``--clients`` driver clients (each its own Cluster, so its own connection) spread over
``--procs`` client processes for ``--duration`` seconds. Every client writes rows under its
own partition and reads back rows it has written, checking their values. At the end every
acknowledged write is looked up again, so lost or corrupted writes are reported.

Baseline measured in the same run: the same operation mix on an embedded ``cql`` Session
in one thread (no network, no driver), so the printed ratio is the cost of the protocol
path, the driver and the concurrency.

    python benchmarks/server_load.py [--clients 32] [--duration 30] [--procs 4]
                                     [--data-dir DIR] [--workers N] [--read-ratio 0.5]
                                     [--in-flight 1]
Exit status 1 if any request failed or any write was lost.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYSPACE = "load"
SCHEMA = [
    (f"CREATE KEYSPACE IF NOT EXISTS {KEYSPACE} WITH replication = "
    "{'class': 'SimpleStrategy', 'replication_factor': 1}"),
    (f"CREATE TABLE IF NOT EXISTS {KEYSPACE}.kv (client int, seq int, v text, n bigint, "
    "PRIMARY KEY (client, seq))"),
]
INSERT = f"INSERT INTO {KEYSPACE}.kv (client, seq, v, n) VALUES (?, ?, ?, ?)"
SELECT = f"SELECT v, n FROM {KEYSPACE}.kv WHERE client = ? AND seq = ?"


def value_for(client: int, seq: int) -> tuple[str, int]:
    return f"c{client}-s{seq}-" + "x" * (seq % 50), client * 1_000_000 + seq


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, data_dir: str | None, workers: int | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cassalite.server", "--port", str(port), "--log-level", "WARNING"]
    cmd += ["--data-dir", data_dir] if data_dir else ["--memory"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


# ---- client processes ---------------------------------------------------------------------

def run_client(port: int, client: int, duration: float, read_ratio: float, start_at: float,
               out: dict, in_flight: int = 1) -> None:
    from cassandra.cluster import Cluster

    cluster = Cluster(["127.0.0.1"], port=port, protocol_version=4, connect_timeout=10,
                      control_connection_timeout=10)
    latencies: list[float] = []
    written: list[int] = []
    errors: list[str] = []
    mismatches = 0
    try:
        session = cluster.connect()
        ins, sel = session.prepare(INSERT), session.prepare(SELECT)
        rng = random.Random(client)
        while time.time() < start_at:
            time.sleep(0.01)
        end = start_at + duration
        if in_flight > 1:
            mismatches = _pipelined(session, ins, sel, client, end, read_ratio, in_flight, rng,
                                    latencies, written, errors)
        else:
            seq = 0
            while (now := time.perf_counter()) and time.time() < end:
                try:
                    if written and rng.random() < read_ratio:
                        s = rng.choice(written)
                        row = session.execute(sel, (client, s)).one()
                        if row is None or (row.v, row.n) != value_for(client, s):
                            mismatches += 1
                    else:
                        session.execute(ins, (client, seq, *value_for(client, seq)))
                        written.append(seq)
                        seq += 1
                except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                    errors.append(f"{type(e).__name__}: {e}")
                latencies.append(time.perf_counter() - now)
    except Exception as e:  # noqa: BLE001
        errors.append(f"connect: {type(e).__name__}: {e}")
    finally:
        cluster.shutdown()
    out[client] = (latencies, written, errors, mismatches)


def _pipelined(session, ins, sel, client: int, end: float, read_ratio: float, in_flight: int,
               rng: random.Random, latencies: list[float], written: list[int],
               errors: list[str]) -> int:
    """Keep ``in_flight`` requests outstanding on the connection (execute_async), so one
    client thread can load the server as many synchronous ones would. A row is read back
    only once its write is acknowledged. Returns the number of wrong reads."""
    from collections import deque

    pending: deque = deque()
    mismatches = seq = 0
    while True:
        running = time.time() < end
        if running and len(pending) < in_flight:
            if written and rng.random() < read_ratio:
                s = rng.choice(written)
                pending.append(("r", s, time.perf_counter(),
                                session.execute_async(sel, (client, s))))
            else:
                pending.append(("w", seq, time.perf_counter(),
                                session.execute_async(ins, (client, seq, *value_for(client, seq)))))
                seq += 1
            continue
        if not pending:
            return mismatches
        kind, s, started, future = pending.popleft()
        try:
            rows = future.result()
            if kind == "w":
                written.append(s)
            else:
                row = rows.one()
                if row is None or (row.v, row.n) != value_for(client, s):
                    mismatches += 1
        except Exception as e:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{type(e).__name__}: {e}")
        latencies.append(time.perf_counter() - started)


def client_process(port: int, clients: list[int], duration: float, read_ratio: float,
                   start_at: float, queue: mp.Queue, in_flight: int = 1) -> None:
    out: dict = {}
    threads = [threading.Thread(target=run_client,
                                args=(port, c, duration, read_ratio, start_at, out, in_flight))
               for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


# ---- checks and baseline --------------------------------------------------------------------

def verify(port: int, written: dict[int, list[int]]) -> tuple[int, int]:
    """(missing, wrong) among all acknowledged writes."""
    from cassandra.cluster import Cluster
    from cassandra.query import SimpleStatement

    cluster = Cluster(["127.0.0.1"], port=port, protocol_version=4)
    missing = wrong = 0
    try:
        session = cluster.connect()
        for client, seqs in written.items():
            stmt = SimpleStatement(f"SELECT seq, v, n FROM {KEYSPACE}.kv WHERE client = %s",
                                   fetch_size=1000)
            stored = {r.seq: (r.v, r.n) for r in session.execute(stmt, (client,))}
            for s in seqs:
                if s not in stored:
                    missing += 1
                elif stored[s] != value_for(client, s):
                    wrong += 1
    finally:
        cluster.shutdown()
    return missing, wrong


def embedded_baseline(seconds: float, read_ratio: float) -> float:
    import cql

    session = cql.connect(":memory:")
    for stmt in SCHEMA:
        session.execute(stmt)
    ins, sel = session.prepare(INSERT), session.prepare(SELECT)
    rng = random.Random(0)
    written: list[int] = []
    ops = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if written and rng.random() < read_ratio:
            session.execute(sel, (0, rng.choice(written))).one()
        else:
            session.execute(ins, (0, len(written), *value_for(0, len(written))))
            written.append(len(written))
        ops += 1
    session.close()
    return ops / seconds


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[k]


def run(clients: int = 32, duration: float = 30.0, procs: int | None = None,
        read_ratio: float = 0.5, data_dir: str | None = None, workers: int | None = None,
        port: int | None = None, in_flight: int = 1) -> dict:
    """Load a server (started here unless ``port`` names a running one) and check every
    acknowledged write; returns ops, ops/s, latencies (sorted), errors, mismatches,
    missing and wrong writes."""
    procs = procs or min(4, os.cpu_count() or 1)
    own = port is None
    port = port or free_port()
    server = start_server(port, data_dir, workers) if own else None
    try:
        from cassandra.cluster import Cluster

        setup = Cluster(["127.0.0.1"], port=port, protocol_version=4)
        session = setup.connect()
        for stmt in SCHEMA:
            session.execute(stmt)
        setup.shutdown()

        queue: mp.Queue = mp.Queue()
        start_at = time.time() + 3 + clients * 0.1  # let every client connect first
        groups = [list(range(i, clients, procs)) for i in range(procs)]
        workers_ = [mp.Process(target=client_process,
                               args=(port, g, duration, read_ratio, start_at, queue,
                                     in_flight))
                    for g in groups if g]
        for p in workers_:
            p.start()
        results: dict = {}
        for _ in workers_:
            results.update(queue.get(timeout=duration + 120))
        for p in workers_:
            p.join(30)

        latencies = sorted(x for r in results.values() for x in r[0])
        written = {c: r[1] for c, r in results.items()}
        errors = [e for r in results.values() for e in r[2]]
        mismatches = sum(r[3] for r in results.values())
        missing, wrong = verify(port, written)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    return {"ops": len(latencies), "rate": len(latencies) / duration, "latencies": latencies,
            "writes": sum(len(w) for w in written.values()), "errors": errors,
            "mismatches": mismatches, "missing": missing, "wrong": wrong}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--procs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--read-ratio", type=float, default=0.5)
    ap.add_argument("--data-dir", help="serve a durable database in DIR (default: in memory)")
    ap.add_argument("--workers", type=int, help="server worker threads")
    ap.add_argument("--port", type=int,
                    help="load an already running server on 127.0.0.1:PORT instead")
    ap.add_argument("--in-flight", type=int, default=1,
                    help="requests each client keeps outstanding (execute_async; default 1: "
                         "synchronous clients)")
    args = ap.parse_args()
    r = run(args.clients, args.duration, args.procs, args.read_ratio, args.data_dir,
            args.workers, args.port, args.in_flight)
    latencies, ops, rate, errors = r["latencies"], r["ops"], r["rate"], r["errors"]
    baseline = embedded_baseline(min(5.0, args.duration), args.read_ratio)
    print(f"clients={args.clients} in_flight={args.in_flight} procs={args.procs} "
          f"duration={args.duration:.0f}s "
          f"read_ratio={args.read_ratio} engine={'lsm' if args.data_dir else 'memory'}")
    print(f"ops={ops} ops/s={rate:.0f} writes={r['writes']}")
    print(f"latency ms: p50={percentile(latencies, 50) * 1e3:.2f} "
          f"p99={percentile(latencies, 99) * 1e3:.2f} max={latencies[-1] * 1e3 if ops else 0:.2f}")
    print(f"baseline (embedded Session, 1 thread): {baseline:.0f} ops/s; "
          f"server/embedded = {rate / baseline:.2f}")
    print(f"errors={len(errors)} read_mismatches={r['mismatches']} lost_writes={r['missing']} "
          f"corrupt_writes={r['wrong']}")
    for e in errors[:10]:
        print("  ", e)
    return 1 if errors or r["mismatches"] or r["missing"] or r["wrong"] or ops == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
