"""Crash-loop test for the durable engines: SIGKILL a writer at random points, reopen, verify.

A child process opens the engine in ``batch`` (or ``group``) sync mode and applies
numbered batches; batch ``n`` writes row ``n`` into two tables atomically (one commit-log
record) and deletes row ``n - 10`` from both. After each ``apply()`` returns, the child
prints ``ACK n``. The parent kills it (SIGKILL) after a random delay, or the child kills
itself at a random whitebox point (inside a flush or a compaction, around the manifest
commit). The parent then reopens the directory and checks:

- every acknowledged batch is there (rows present or deleted as the batches say);
- the batch in flight at the kill is either wholly applied or wholly absent, in both
  tables alike (atomicity); nothing later is visible.

The next child resumes after the last batch that made it. ``engine="rocks"`` runs the
same loop on the RocksDB engine (no whitebox points: RocksDB's flushes and compactions run
in its own threads, where the random kills land). Run standalone for a soak::

    python tests/storage/crash_soak.py --iterations 500 [--engine rocks]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.model import (
    Cell,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    Row,
)

TABLE_A = TableInfo("aaaaaaaa-0000-0000-0000-000000000001", "crash", "a",
                    {"compaction": {"class": "SizeTieredCompactionStrategy", "min_threshold": 2},
                     "compression": {"chunk_length_in_kb": 4}})
TABLE_B = TableInfo("bbbbbbbb-0000-0000-0000-000000000002", "crash", "b",
                    {"compaction": {"class": "LeveledCompactionStrategy",
                                    "sstable_size_in_mb": 1}})
CRASH_POINTS = ("flush.before_manifest", "flush.after_manifest",
                "compaction.before_manifest", "compaction.after_manifest")
DELETE_LAG = 10


def ck(n: int) -> bytes:
    return struct.pack(">q", n)


def batch(n: int) -> list[Mutation]:
    """Batch ``n``: deterministic, so re-running it after a crash is idempotent."""
    ts = 1_000_000 + n * 10
    out = []
    for table, pk in ((TABLE_A, b"a%d" % (n % 37)), (TABLE_B, b"b%d" % (n % 5))):
        row = Row(LivenessInfo(ts), None, {"v": Cell(b"value-%d-" % n + b"x" * 60, ts)})
        out.append(Mutation(table.table_id, pk, Partition(rows=SortedDict({ck(n): row}))))
        m = n - DELETE_LAG
        if m >= 0:
            pk_old = b"a%d" % (m % 37) if table is TABLE_A else b"b%d" % (m % 5)
            dead = Partition(rows=SortedDict({ck(m): Row(None, DeletionTime(ts, 1), {})}))
            out.append(Mutation(table.table_id, pk_old, dead))
    return out


def expected_rows(count: int) -> set[int]:
    """Rows visible after batches 0..count-1."""
    return {n for n in range(count) if n + DELETE_LAG >= count}


def open_engine(path: str, sync: str, crash_points: dict | None = None, background=True,
                engine: str = "lsm"):
    if engine == "rocks":
        from cassalite.storage.rocks import RocksEngine

        e = RocksEngine(path, commitlog_sync=sync, memtable_size_bytes=60_000)
        e.create_table(TABLE_A)
        e.create_table(TABLE_B)
        return e
    from cassalite.storage.lsm import LSMEngine

    e = LSMEngine(path, commitlog_sync=sync, commitlog_sync_group_window_ms=2,
                  memtable_size_bytes=60_000, commitlog_segment_size_bytes=32_768,
                  commitlog_total_space_bytes=200_000, compaction_in_background=background,
                  crash_points=crash_points, flush_on_close=False)
    e.create_table(TABLE_A)
    e.create_table(TABLE_B)
    return e


def visible(engine) -> tuple[set[int], set[int]]:
    out = []
    for t in (TABLE_A, TABLE_B):
        rows = set()
        for view in engine.scan(t.table_id):
            for key, _ in view.rows:
                rows.add(struct.unpack(">q", key)[0])
        out.append(rows)
    return out[0], out[1]


# ------------------------------------------------------------------------ child


def child(path: str, start: int, sync: str, crash: str | None, seed: int,
          engine_name: str = "lsm") -> None:
    rng = random.Random(seed)
    points = {crash: rng.uniform(0.05, 0.5)} if crash else None
    engine = open_engine(path, sync, points, background=rng.random() < 0.7, engine=engine_name)
    print("READY", flush=True)
    trail = os.open(os.path.join(path, "acks.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    n = start
    while True:
        os.write(trail, f"BEGIN {n}\n".encode())
        engine.apply(batch(n))
        os.write(trail, f"ACK {n}\n".encode())
        print(f"ACK {n}", flush=True)
        n += 1
        if rng.random() < 0.01:
            engine.flush()


# ------------------------------------------------------------------------ parent


def run(iterations: int, seed: int = 0, path: str | None = None, max_wait: float = 0.6,
        verbose: bool = False, engine: str = "lsm") -> dict:
    rng = random.Random(seed)
    own = path is None
    if own:
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        path = tempfile.mkdtemp(prefix="cassalite-crash-", dir=base)
    stats = {"iterations": 0, "acked": 0, "inflight_applied": 0, "self_killed": 0,
             "killed_before_ready": 0}
    start = 0
    try:
        for it in range(iterations):
            sync = rng.choice(["batch", "batch", "group"])
            crash = rng.choice(CRASH_POINTS) if rng.random() < 0.4 else None
            if engine != "lsm":
                crash = None
            env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--child", path, str(start), sync,
                 crash or "-", str(rng.randrange(1 << 30)), engine],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
            early = rng.random() < 0.1  # sometimes kill during start-up / replay
            started = time.monotonic()
            deadline = started + rng.uniform(0.0, 0.3) if early else None
            acked = start - 1  # nothing acknowledged by this child yet
            buf = b""
            os.set_blocking(proc.stdout.fileno(), False)
            while proc.poll() is None:
                chunk = proc.stdout.read()
                if chunk:
                    buf += chunk
                    if deadline is None and b"READY" in buf:
                        deadline = time.monotonic() + rng.uniform(0.0, max_wait)
                now = time.monotonic()
                if (deadline is not None and now >= deadline) or now - started > 30:
                    break
                time.sleep(0.002)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            else:
                stats["self_killed"] += 1
            proc.wait()
            rest = proc.stdout.read() or b""
            buf += rest
            lines = buf.decode().split("\n")
            with open(os.path.join(path, "acks.log"), "a") as f:
                f.write(f"-- iteration {it} parent saw {sum(1 for x in lines if x.startswith('ACK'))} acks\n")
            err = proc.stderr.read().decode()
            proc.stdout.close()
            proc.stderr.close()
            if "READY" not in lines:
                stats["killed_before_ready"] += 1
            for line in lines:
                if line.startswith("ACK "):
                    acked = int(line[4:])
            if proc.returncode not in (-signal.SIGKILL,):
                raise AssertionError(f"child exited with {proc.returncode}: {err}")
            # verify
            reader = open_engine(path, "periodic", background=False, engine=engine)
            try:
                a, b = visible(reader)
            finally:
                reader.close()
            done = acked + 1  # batches 0..acked were acknowledged
            without, with_next = expected_rows(done), expected_rows(done + 1)
            if a == without and b == without:
                start = done
            elif a == with_next and b == with_next:
                start = done + 1
                stats["inflight_applied"] += 1
            else:
                if own:
                    kept = path + "-failed"
                    shutil.copytree(path, kept)
                    path_note = f"{path} (copied to {kept})"
                else:
                    path_note = path
                with open(os.path.join(path, "acks.log")) as f:
                    trail = f.read().splitlines()[-6:]
                raise AssertionError(
                    f"iteration {it}: after ack of batch {acked} found A-only "
                    f"{sorted(a ^ without)[:10]} B-only {sorted(b ^ without)[:10]} "
                    f"(A==B: {a == b}); crash point {crash}; dir {path_note}; "
                    f"child's trail {trail}\n{err[-2000:]}")
            stats["iterations"] += 1
            stats["acked"] = start
            if verbose:
                print(f"iteration {it}: acked through {acked}, sync {sync}, crash {crash}",
                      flush=True)
        return stats
    finally:
        if own:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        _, path, start, sync, crash, seed, engine = argv
        child(path, int(start), sync, None if crash == "-" else crash, int(seed), engine)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--dir", default=None)
    parser.add_argument("--max-wait", type=float, default=1.5)
    parser.add_argument("--engine", choices=("lsm", "rocks"), default="lsm")
    args = parser.parse_args(argv)
    t0 = time.time()
    stats = run(args.iterations, args.seed, args.dir, args.max_wait, verbose=True,
                engine=args.engine)
    print(f"seed {args.seed}: {stats} in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
