"""Server load test: many connections doing prepared point reads and inserts.

Starts ``cassalite-server`` in its own process on a free loopback port, then runs
``--clients`` clients (one connection each) spread over ``--procs`` client processes for
``--duration`` seconds. Every client writes rows under its own partition and reads back
rows it has written, checking their values. At the end every acknowledged write is looked
up again, so lost or corrupted writes are reported.

Two kinds of client (``--client``):
- ``driver`` (default): the cassandra-driver, each client its own Cluster, set up as a
  throughput-minded user would. The realistic client, but its Python costs 2-4x the
  server's CPU per request, and on a small machine both share the cores.
- ``raw``: ``benchmarks.native_load``, a lean native-protocol v4 client on plain sockets
  (one selectors loop per process, pipelined EXECUTEs, every answer parsed and checked).
  Cassandra's own load generators (cassandra-stress, latte) are native code for the same
  reason: so that the load measures the server, not the client.

CPU per op of the server process and of the client processes is measured over the
window, beside the load average; ``2-core cap`` is the rate two idle cores would give at
those costs (the server's event loop runs on one core, so also at most 1 s / server CPU).

Baseline measured in the same run: the same operation mix on an embedded ``cql`` Session
in one thread (no network, no driver), so the printed ratio is the cost of the protocol
path, the client and the concurrency.

    python -m benchmarks.server_load [--client driver|raw] [--clients 32] [--duration 30]
                                     [--procs N] [--data-dir DIR] [--workers N]
                                     [--read-ratio 0.5] [--in-flight 1]
Exit status 1 if any request failed or any write was lost.
"""

from __future__ import annotations

import argparse
import gc
import math
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
ANSWER_WAIT = 30.0  # seconds a pipelined client waits for its last answers


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

def _cluster(port: int):
    """A driver Cluster as a throughput-minded user sets one up for a single local node.
    Rows as plain tuples: the default row factory builds a namedtuple class for every
    result (~0.2 ms of client CPU here, more than the server spends on the whole read).
    TCP_NODELAY, as the driver's documentation suggests trying: it does not set it, so
    with requests in flight Nagle's algorithm may hold a small request back. No lz4 (the
    driver turns it on whenever the package is installed) and plain round-robin instead
    of token-aware routing: on one loopback node both only cost CPU (together ~15 % of
    the client's CPU per request, interleaved A/B)."""
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import RoundRobinPolicy
    from cassandra.query import tuple_factory

    return Cluster(["127.0.0.1"], port=port, protocol_version=4, connect_timeout=10,
                   control_connection_timeout=10, compression=False,
                   sockopts=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                   execution_profiles={EXEC_PROFILE_DEFAULT: ExecutionProfile(
                       row_factory=tuple_factory, load_balancing_policy=RoundRobinPolicy())})


def run_client(port: int, client: int, duration: float, read_ratio: float, start_at: float,
               out: dict, in_flight: int = 1) -> None:
    cluster = _cluster(port)
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
            mismatches = _Pipeline(session, ins, sel, client, end, read_ratio, rng, latencies,
                                   written, errors).run(in_flight)
        else:
            seq = 0
            while (now := time.perf_counter()) and time.time() < end:
                try:
                    if written and rng.random() < read_ratio:
                        s = rng.choice(written)
                        row = session.execute(sel, (client, s)).one()
                        if row != value_for(client, s):
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


class _Pipeline:
    """Keeps ``in_flight`` requests outstanding on one client's connection, driven by the
    driver's completion callbacks (they run on its I/O thread): each answer is checked and
    the next request sent from the callback, so no client thread wakes up per request. A
    row is read back only once its write is acknowledged."""

    def __init__(self, session, ins, sel, client: int, end: float, read_ratio: float,
                 rng: random.Random, latencies: list[float], written: list[int],
                 errors: list[str]):
        self.session, self.ins, self.sel, self.client = session, ins, sel, client
        self.end, self.read_ratio, self.rng = end, read_ratio, rng
        self.latencies, self.written, self.errors = latencies, written, errors
        self.mismatches = self.seq = self.outstanding = 0
        self.lock = threading.Lock()  # the first sends race the first callbacks
        self.done = threading.Event()

    def run(self, in_flight: int) -> int:
        """Returns the number of wrong reads, once every request has been answered; one
        still unanswered ANSWER_WAIT seconds after the end counts as an error."""
        for _ in range(in_flight):
            self._send()
        if not self.done.wait(max(0.0, self.end - time.time()) + ANSWER_WAIT):
            with self.lock:
                self.errors.append(f"{self.outstanding} requests never answered")
        return self.mismatches

    def _send(self) -> None:
        with self.lock:
            if time.time() >= self.end:
                if self.outstanding == 0:
                    self.done.set()
                return
            self.outstanding += 1
            client, written = self.client, self.written
            if written and self.rng.random() < self.read_ratio:
                kind, s = "r", self.rng.choice(written)
                args = (client, s)
                statement = self.sel
            else:
                kind, s = "w", self.seq
                self.seq += 1
                args = (client, s, *value_for(client, s))
                statement = self.ins
        started = time.perf_counter()
        # No driver timeout: its timer per request makes a reference cycle (~30 objects
        # for the collector per request); run() bounds the wait instead.
        future = self.session.execute_async(statement, args, timeout=None)
        future.add_callbacks(self._answered, self._failed, callback_args=(kind, s, started),
                             errback_args=(started,))

    def _answered(self, rows, kind: str, s: int, started: float) -> None:
        self.latencies.append(time.perf_counter() - started)
        with self.lock:
            self.outstanding -= 1
            if kind == "w":
                self.written.append(s)
            elif len(rows) != 1 or rows[0] != value_for(self.client, s):
                self.mismatches += 1
        self._send()

    def _failed(self, exc: BaseException, started: float) -> None:
        self.latencies.append(time.perf_counter() - started)
        with self.lock:
            self.outstanding -= 1
            self.errors.append(f"{type(exc).__name__}: {exc}")
        self._send()


def cpu_window(read_cpu, start_at: float, duration: float, out: list,
               at_start=None) -> threading.Thread:
    """A thread that appends the CPU seconds ``read_cpu()`` grows by during the measured
    window (start_at .. start_at + duration), so connecting and draining are left out;
    ``at_start`` is called first thing at start_at."""
    def sample() -> None:
        time.sleep(max(0.0, start_at - time.time()))
        if at_start is not None:
            at_start()
        first = read_cpu()
        time.sleep(max(0.0, start_at + duration - time.time()))
        out.append(read_cpu() - first)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    return t


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_process(port: int, clients: list[int], duration: float, read_ratio: float,
                   start_at: float, queue: mp.Queue, in_flight: int = 1) -> None:
    out: dict = {}
    cpu: list[float] = []
    # As the embedded engine does for itself (cql/database.py): without this, collections
    # walking the 8 drivers' metadata took ~45 % of this process's CPU under load.
    gc.set_threshold(50_000, 20, 100)
    sampler = cpu_window(time.process_time, start_at, duration, cpu, at_start=gc.freeze)
    threads = [threading.Thread(target=run_client,
                                args=(port, c, duration, read_ratio, start_at, out, in_flight))
               for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sampler.join()
    queue.put((out, cpu[0] if cpu else float("nan")))


def raw_client_process(port: int, clients: list[int], duration: float, read_ratio: float,
                       start_at: float, queue: mp.Queue, in_flight: int = 1) -> None:
    from benchmarks import native_load

    cpu: list[float] = []
    sampler = cpu_window(time.process_time, start_at, duration, cpu)
    st = native_load.Statements(INSERT, SELECT, value_for)
    out: dict = {}
    try:
        results = native_load.run_clients(port, clients, st, read_ratio, in_flight, start_at,
                                          duration, ANSWER_WAIT)
        out = {c: (r.latencies, r.written, r.errors, r.mismatches) for c, r in results.items()}
    except Exception as e:  # noqa: BLE001 - reported like any failed request
        out = {clients[0]: ([], [], [f"raw client: {type(e).__name__}: {e}"], 0)}
    sampler.join()
    queue.put((out, cpu[0] if cpu else float("nan")))


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


def default_procs(client: str) -> int:
    """Driver clients need several processes to keep 32 connections busy; the raw client
    costs a fraction of the server per request, so one process is enough."""
    return 1 if client == "raw" else min(4, os.cpu_count() or 1)


def two_core_cap(server_us: float, client_us: float, cores: int = 2) -> float:
    """Ops/s that ``cores`` idle cores would give at these CPU costs per op: the server's
    event loop can use one core at most, server and clients share the rest."""
    if math.isnan(server_us) or math.isnan(client_us) or server_us <= 0:
        return float("nan")
    return min(1e6 / server_us, cores * 1e6 / (server_us + client_us))


def run(clients: int = 32, duration: float = 30.0, procs: int | None = None,
        read_ratio: float = 0.5, data_dir: str | None = None, workers: int | None = None,
        port: int | None = None, in_flight: int = 1, client: str = "driver") -> dict:
    """Load a server (started here unless ``port`` names a running one) with ``client``
    clients ("driver" or "raw") and check every acknowledged write; returns ops, ops/s,
    latencies (sorted), errors, mismatches, missing and wrong writes, CPU per op and the
    load average."""
    procs = procs or default_procs(client)
    target = raw_client_process if client == "raw" else client_process
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
        workers_ = [mp.Process(target=target,
                               args=(port, g, duration, read_ratio, start_at, queue,
                                     in_flight))
                    for g in groups if g]
        for p in workers_:
            p.start()
        server_cpu: list[float] = []
        if server is not None:
            cpu_window(lambda: process_cpu(server.pid), start_at, duration, server_cpu)
        results: dict = {}
        client_cpu = 0.0
        for _ in workers_:
            out, cpu = queue.get(timeout=duration + 120)
            results.update(out)
            client_cpu += cpu
        for p in workers_:
            p.join(30)
        load = os.getloadavg()[0]

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
    ops = len(latencies)
    server_us = server_cpu[0] / ops * 1e6 if server_cpu and ops else float("nan")
    client_us = client_cpu / ops * 1e6 if ops else float("nan")
    return {"ops": ops, "rate": ops / duration, "latencies": latencies,
            "writes": sum(len(w) for w in written.values()), "errors": errors,
            "mismatches": mismatches, "missing": missing, "wrong": wrong,
            "server_cpu_us": server_us, "client_cpu_us": client_us,
            "cap": two_core_cap(server_us, client_us), "load": load, "client": client}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--client", choices=("driver", "raw"), default="driver",
                    help="cassandra-driver clients (default) or the lean native client")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--procs", type=int,
                    help="client processes (default: 4 for driver clients, 1 for raw)")
    ap.add_argument("--read-ratio", type=float, default=0.5)
    ap.add_argument("--data-dir", help="serve a durable database in DIR (default: in memory)")
    ap.add_argument("--workers", type=int, help="server worker threads")
    ap.add_argument("--port", type=int,
                    help="load an already running server on 127.0.0.1:PORT instead")
    ap.add_argument("--in-flight", type=int, default=1,
                    help="requests each client keeps outstanding (driver: execute_async; "
                         "default 1: synchronous clients)")
    args = ap.parse_args()
    procs = args.procs or default_procs(args.client)
    r = run(args.clients, args.duration, procs, args.read_ratio, args.data_dir,
            args.workers, args.port, args.in_flight, args.client)
    latencies, ops, rate, errors = r["latencies"], r["ops"], r["rate"], r["errors"]
    baseline = embedded_baseline(min(5.0, args.duration), args.read_ratio)
    print(f"client={args.client} clients={args.clients} in_flight={args.in_flight} "
          f"procs={procs} "
          f"duration={args.duration:.0f}s "
          f"read_ratio={args.read_ratio} engine={'lsm' if args.data_dir else 'memory'}")
    print(f"ops={ops} ops/s={rate:.0f} writes={r['writes']}")
    print(f"latency ms: p50={percentile(latencies, 50) * 1e3:.2f} "
          f"p99={percentile(latencies, 99) * 1e3:.2f} max={latencies[-1] * 1e3 if ops else 0:.2f}")
    print(f"CPU per op: server {r['server_cpu_us']:.0f} us, clients {r['client_cpu_us']:.0f} us "
          f"({os.cpu_count()} cores); load average {r['load']:.2f}; "
          f"2-core cap at these costs {r['cap']:,.0f} ops/s")
    print(f"baseline (embedded Session, 1 thread): {baseline:.0f} ops/s; "
          f"server/embedded = {rate / baseline:.2f}")
    print(f"errors={len(errors)} read_mismatches={r['mismatches']} lost_writes={r['missing']} "
          f"corrupt_writes={r['wrong']}")
    for e in errors[:10]:
        print("  ", e)
    return 1 if errors or r["mismatches"] or r["missing"] or r["wrong"] or ops == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
