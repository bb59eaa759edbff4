"""Vector search: ``ORDER BY e ANN OF ? LIMIT 10`` through the public API, against numpy
brute force over the same vectors in the same run.

    python benchmarks/vector_search.py [--rows 100000] [--dim 384] [--queries 300]
                                       [--datasets random,clustered] [--dir DIR]

Per dataset (random: i.i.d. normal; clustered: 100 centres plus noise, like embeddings):
- insert rate (prepared INSERT of ``(p, id, e)``, 100 rows per partition);
- build time: CREATE CUSTOM INDEX ... USING 'sai' and the first ANN query, which builds
  the vector store from the table and, past the graph threshold, the HNSW graph;
- recall@10 of ANN results against exact nearest neighbours (numpy, float64);
- ANN queries/s and p50/p99 latency, without and with a partition restriction, by the wall
  clock and by the process's CPU time (``cpu q/s``: what an idle core would do; on a shared
  machine the wall figures mostly measure the other jobs);
- numpy brute force (unit-normalised float32 matrix times the query, argpartition for the
  top 10) queries/s on the same vectors;
- the 1-minute load average while the queries ran (what the wall-clock figures compete
  with on a shared machine).

Queries run one at a time on one connection (what an embedded caller sees). ``--dir`` runs
on the LSM engine; the default is ``:memory:``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one query at a time: no BLAS pool

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS_PER_PARTITION = 100


def make_data(kind: str, rows: int, dim: int, queries: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    if kind == "random":
        data = rng.standard_normal((rows, dim)).astype(np.float32)
        qs = rng.standard_normal((queries, dim)).astype(np.float32)
    else:
        centres = rng.standard_normal((100, dim)).astype(np.float32)
        data = (centres[rng.integers(0, 100, rows)]
                + 0.35 * rng.standard_normal((rows, dim))).astype(np.float32)
        qs = (centres[rng.integers(0, 100, queries)]
              + 0.35 * rng.standard_normal((queries, dim))).astype(np.float32)
    return data, qs


def exact_top(data64: np.ndarray, norms: np.ndarray, q: np.ndarray, k: int,
              rows: slice | None = None) -> list[int]:
    """Exact cosine top-k (ids), ties by id."""
    base = 0
    if rows is not None:
        base = rows.start
        data64, norms = data64[rows], norms[rows]
    q64 = q.astype(np.float64)
    scores = (1 + (data64 @ q64) / (norms * np.linalg.norm(q64))) / 2
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return [base + int(i) for i in order]


def run_dataset(kind: str, args) -> dict:
    import cql

    data, qs = make_data(kind, args.rows, args.dim, args.queries)
    target = ":memory:bench-" + kind if args.dir is None else str(Path(args.dir) / kind)
    s = cql.connect(target)
    s.execute("CREATE KEYSPACE IF NOT EXISTS vb WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.execute("USE vb")
    s.execute(f"CREATE TABLE docs (p int, id int, e vector<float, {args.dim}>, "
              "PRIMARY KEY (p, id))")
    ins = s.prepare("INSERT INTO docs (p, id, e) VALUES (?, ?, ?)")
    t = time.perf_counter()
    for i in range(args.rows):
        s.execute(ins, (i // ROWS_PER_PARTITION, i, data[i].tolist()))
    insert_s = time.perf_counter() - t

    t = time.perf_counter()
    s.execute("CREATE CUSTOM INDEX docs_e ON docs (e) USING 'sai'")
    ann = s.prepare("SELECT id FROM docs ORDER BY e ANN OF ? LIMIT 10")
    list(s.execute(ann, (qs[0].tolist(),)))  # builds the store; the graph builds behind
    store_s = time.perf_counter() - t
    from cql.derived import vector_index  # to wait for the background graph build

    table = s.database.schema.table("vb", "docs")
    store = vector_index.registry(s.database).existing(table, table.indexes["docs_e"])
    store.wait_for_graph()
    build_s = time.perf_counter() - t
    print(f"  {kind}: store {store_s:.1f} s, candidate build + calibration {build_s - store_s:.1f} s, "
          f"search path: {store.path()}", flush=True)

    data64 = data.astype(np.float64)
    norms = np.linalg.norm(data64, axis=1)

    def timed(stmt, params_of) -> tuple[list, list, float]:
        lat, out = [], []
        params = [params_of(i, q) for i, q in enumerate(qs)]
        cpu = time.process_time()
        for p in params:
            t0 = time.perf_counter()
            rows = list(s.execute(stmt, p))
            lat.append(time.perf_counter() - t0)
            out.append([r.id for r in rows])
        return lat, out, time.process_time() - cpu

    load = os.getloadavg()[0]
    lat, got, cpu = timed(ann, lambda i, q: (q.tolist(),))
    recall = statistics.mean(
        len(set(g) & set(exact_top(data64, norms, q, 10))) / 10 for g, q in zip(got, qs))

    partitions = args.rows // ROWS_PER_PARTITION
    annp = s.prepare("SELECT id FROM docs WHERE p = ? ORDER BY e ANN OF ? LIMIT 10")
    latp, gotp, cpup = timed(annp, lambda i, q: (i % partitions, q.tolist()))
    recall_p = statistics.mean(
        len(set(g) & set(exact_top(data64, norms, q, 10, slice(
            (i % partitions) * ROWS_PER_PARTITION, (i % partitions + 1) * ROWS_PER_PARTITION))))
        / 10 for i, (g, q) in enumerate(zip(gotp, qs)))

    unit = (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)
    brute = []
    cpub = time.process_time()
    for q in qs:
        t0 = time.perf_counter()
        sc = unit @ q
        top = np.argpartition(-sc, 10)[:10]
        top[np.argsort(-sc[top])]
        brute.append(time.perf_counter() - t0)
    cpub = time.process_time() - cpub
    s.close() if hasattr(s, "close") else None
    if args.dir is not None:
        reopen(target, qs, ann.query_string if hasattr(ann, "query_string") else None, kind)
    return {
        "dataset": kind, "insert_rows_s": args.rows / insert_s, "build_s": build_s,
        "path": store.path(),
        "recall10": recall, "qps": len(lat) / sum(lat), "cpu_qps": len(lat) / cpu,
        "p50_ms": 1000 * _pct(lat, 50),
        "p99_ms": 1000 * _pct(lat, 99), "recall10_partition": recall_p,
        "qps_partition": len(latp) / sum(latp), "cpu_qps_partition": len(latp) / cpup,
        "p99_partition_ms": 1000 * _pct(latp, 99),
        "numpy_qps": len(brute) / sum(brute), "numpy_cpu_qps": len(brute) / cpub,
        "numpy_p99_ms": 1000 * _pct(brute, 99),
        "load": (load + os.getloadavg()[0]) / 2,
    }


def reopen(target: str, qs: np.ndarray, _text, kind: str) -> None:
    """LSM: the vector index is derived state, rebuilt from the table after a restart.
    Time the open, the first ANN query (which rebuilds the store, exact meanwhile) and the
    background graph build."""
    import cql
    from cql.derived import vector_index

    t = time.perf_counter()
    s = cql.connect(target, "vb")
    open_s = time.perf_counter() - t
    ann = s.prepare("SELECT id FROM docs ORDER BY e ANN OF ? LIMIT 10")
    t = time.perf_counter()
    list(s.execute(ann, (qs[0].tolist(),)))
    first_s = time.perf_counter() - t
    table = s.database.schema.table("vb", "docs")
    store = vector_index.registry(s.database).existing(table, table.indexes["docs_e"])
    store.wait_for_graph()
    graph_s = time.perf_counter() - t
    print(f"  {kind} reopened: open {open_s:.2f} s, first ANN query (store rebuilt from the "
          f"table) {first_s:.1f} s, candidates ready {graph_s:.1f} s after it ({store.path()})", flush=True)
    s.close()


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--datasets", default="random,clustered")
    ap.add_argument("--dir", default=None, help="run on the LSM engine in this directory")
    args = ap.parse_args()
    if args.dir == "tmp":
        args.dir = tempfile.mkdtemp(prefix="vector-bench-")
    print(f"{args.rows} x {args.dim}, {args.queries} queries, k=10, cosine, "
          f"{ROWS_PER_PARTITION} rows per partition")
    header = ("dataset", "insert/s", "build s", "path", "recall@10", "ANN q/s", "cpu q/s",
              "p50 ms", "p99 ms", "part. recall", "part. q/s", "part. cpu q/s", "part. p99",
              "numpy q/s", "numpy cpu q/s", "numpy p99", "load avg")
    print(" | ".join(header), flush=True)
    for kind in args.datasets.split(","):
        r = run_dataset(kind, args)
        print(" | ".join([
            r["dataset"], f"{r['insert_rows_s']:.0f}", f"{r['build_s']:.1f}", r["path"],
            f"{r['recall10']:.3f}", f"{r['qps']:.0f}", f"{r['cpu_qps']:.0f}",
            f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['recall10_partition']:.3f}",
            f"{r['qps_partition']:.0f}", f"{r['cpu_qps_partition']:.0f}",
            f"{r['p99_partition_ms']:.2f}", f"{r['numpy_qps']:.0f}", f"{r['numpy_cpu_qps']:.0f}",
            f"{r['numpy_p99_ms']:.2f}", f"{r['load']:.1f}",
        ]), flush=True)


if __name__ == "__main__":
    main()
