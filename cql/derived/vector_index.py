"""Vector indexes (SAI on ``vector<float, n>``): the in-memory structure behind ``ANN OF``.

One :class:`VectorStore` per vector index holds the live vector of every base row
(``(dk, ck) -> vector``, with the write timestamp and expiry of the cell it came from), kept
in step with every write by :func:`on_write` (insert, update, delete of the cell, the row,
a range or the partition, compared by timestamp the way reconciliation does), emptied by
TRUNCATE and dropped with the index. It is derived state: built from a scan of the base
table the first time a query needs it (so an LSM database rebuilds it after a restart, from
the same durable data everything else reads: open itself does no vector work, the first
ANN query pays the scan, about a second per 100k rows of 384 dimensions) and never written
to disk itself, so it cannot disagree with the table after a crash. Each query also checks
the rows it returns against the table (cell timestamp) and repairs any entry out of step.

Searches are *exact* (numpy when it is installed, plain Python otherwise): one float32 pass
over the live vectors, the best few re-scored in double precision and yielded only where a
proven float32 error bound separates them from the rest. Past :data:`GRAPH_MIN_WORK`
(vectors x dimensions) a store builds candidate sources in the background, searches
staying exact meanwhile, and keeps the fastest one calibration accepts: recall@10 >=
:data:`CALIBRATION_RECALL` on stored vectors used as queries (each left out of its own
answer), measured as queries get it, and faster than brute force. First a product
quantization index (``faiss`` ``IndexPQFastScan``, optional: 4-bit codes, a few seconds to
build), whose best ``10 x factor`` codes are the candidates; then an HNSW graph
(``usearch``, optional), whose expansion_search is calibrated, built only when a graph
over a sample reaches the recall faster than brute force and than the PQ index (never on
i.i.d. random high-dimensional data, where HNSW fails and PQ does not; clustered data
picks the graph), and kept only when faster than PQ again. Candidates are re-scored
exactly, so a source decides *which* rows are candidates, never their order (which is
why a cosine graph can hold its rows in half precision and PQ can be coarse). Writes
after the build join the source; removed rows' stale entries are dropped by the live
check of every candidate. Without ``faiss`` and ``usearch`` every search is exact.

Scores are Cassandra's similarity values (higher is nearer): cosine ``(1 + cos) / 2``,
euclidean ``1 / (1 + d^2)``, dot product ``(1 + a.b) / 2``; ties are broken by token order
(decorated key, then clustering bytes) so results are deterministic.
"""

from __future__ import annotations

import heapq
import math
import struct
import threading
import time
from typing import Callable, Iterable, Iterator

from cassalite.storage.model import NO_TTL, Cell
from cassalite.storage.murmur3 import decorate
from cql.cells import clustering_values, partition_key_values
from cql.errors import InvalidRequest
from cql.schema.metadata import IndexMetadata, TableMetadata

#: numpy and usearch (both optional) are imported by the first VectorStore, not with
#: ``import cql``: together they cost more start-up time than the rest of the package.
_UNLOADED = object()
np = _UNLOADED
_UsearchIndex = _UNLOADED
_ScalarKind = None
faiss = _UNLOADED


def _load_optional() -> None:
    """Import the optional numpy (exact search without it is only slower), usearch (the
    HNSW graph for large indexes) and faiss (product-quantization candidates); None for
    each one that is not installed."""
    global np, _UsearchIndex, _ScalarKind, faiss
    if np is _UNLOADED:
        try:
            import numpy
        except ImportError:  # pragma: no cover - exercised by the pure-Python fallback test
            numpy = None
        np = numpy
    if _UsearchIndex is _UNLOADED:
        try:
            from usearch.index import Index, ScalarKind
        except ImportError:  # pragma: no cover
            Index = ScalarKind = None
        _UsearchIndex, _ScalarKind = Index, ScalarKind
    if faiss is _UNLOADED:
        try:
            import faiss as module
        except ImportError:  # pragma: no cover
            module = None
        faiss = module

SIMILARITY_FUNCTIONS = ("cosine", "euclidean", "dot_product")
DEFAULT_SIMILARITY = "cosine"
#: Work (vectors x dimensions) above which a store answers through its graph.
GRAPH_MIN_WORK = 1 << 24
#: A store never uses a graph below this many vectors, whatever the dimension.
GRAPH_MIN_VECTORS = 2048
#: HNSW parameters. Clustered 100k x 384 (benchmarks/vector_search.py's data, float16 graph,
#: re-scored): expansion_add 128 reaches recall@10 0.974 at expansion_search 64 where 64
#: reached 0.964, at about the same search cost, for 20% more build CPU (47 s, not 39);
#: connectivity 12, 24 or 32 did no better per query. i.i.d. random 384-d data defeats
#: HNSW: connectivity 32, expansion_add 128 gives recall@10 0.62 at expansion_search 512
#: and 0.75 at 1024, slower than brute force.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512
#: Calibration also requires the graph to beat brute force (tests turn this off).
CALIBRATE_SPEED = True
#: The recall@10 a graph must reach on calibration queries to be used, the number of
#: those queries, and the expansion_search values tried (smallest first).
CALIBRATION_RECALL = 0.97
CALIBRATION_QUERIES = 64
CALIBRATION_EF = (16, 32, 48, 64, 96, 128, 256, 512, 1024)
#: A query's first graph round asks for this many candidates (or its LIMIT if larger) and
#: re-scores them exactly; calibration measures recall the same way (the graph's own top
#: 10 alone understates it: clustered 100k x 384 at expansion_search 64 misses 0.97 by
#: it, and the benchmark's queries then reach 0.997 at twice the cost of the 0.974 the
#: re-scored 16 give).
GRAPH_CANDIDATES = 16
#: Stores of at least 4x this many vectors first calibrate a graph over a sample of this size.
PROBE_VECTORS = 8192
#: Product quantization (faiss ``IndexPQFastScan``, 4-bit codes scanned with SIMD): a query
#: scans every code for ``10 * factor`` candidates (``factor * max(10, k)`` for a larger
#: k), re-scored exactly. The codebooks are trained on a sample of at most PQ_TRAIN
#: vectors; calibration tries the factors in order. Random 100k x 384 (standalone, one
#: thread, 192 sub-quantizers): factor 10 gives recall@10 0.938 at 0.59 ms a query, 30
#: gives 0.997 at 0.69 ms; 96 sub-quantizers need factor 100 for 0.914 at 0.91 ms.
PQ_TRAIN = 50_000
PQ_FACTORS = (10, 20, 30, 50)

Key = tuple  # (dk, ck)


def similarity_of(index: IndexMetadata) -> str:
    return str(index.options.get("similarity_function", DEFAULT_SIMILARITY)).lower()


def is_vector_index(table: TableMetadata, index: IndexMetadata) -> bool:
    column = table.columns.get(index.target_column)
    return column is not None and bool(getattr(column.type, "is_vector", False)) and \
        index.kind == "CUSTOM" and _is_sai_class(index.options.get("class_name", ""))


def _is_sai_class(name: str) -> bool:
    n = name.lower()
    return n.endswith("storageattachedindex") or n == "sai"


# ---- scores --------------------------------------------------------------------------------

def score(similarity: str, a: list[float], b: list[float]) -> float:
    """Cassandra's similarity of two vectors, in double precision (the reference order)."""
    dot = math.fsum(x * y for x, y in zip(a, b))
    if similarity == "cosine":
        norm = math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))
        return (1 + dot / norm) / 2 if norm else 0.0
    if similarity == "euclidean":
        return 1 / (1 + math.fsum((x - y) ** 2 for x, y in zip(a, b)))
    return (1 + dot) / 2


def check_indexable(vector, similarity: str) -> None:
    """What Cassandra refuses to index or query (VectorValidation). ``vector``: a list of
    floats or a float64 numpy array (checked in one pass)."""
    if np is _UNLOADED:
        _load_optional()
    if np is not None:
        arr = np.asarray(vector, dtype=np.float64)
        finite = np.isfinite(arr)
        if not finite.all():
            i = int(np.argmin(finite))
            raise InvalidRequest(
                f"non-finite value at vector[{i}]={_java_float(float(arr[i]))} cannot be indexed")
        if similarity == "cosine" and float(np.dot(arr, arr)) < 1e-10:
            raise InvalidRequest(
                "Zero and near-zero vectors cannot be indexed or queried with cosine similarity")
        return
    for i, v in enumerate(vector):
        if not math.isfinite(v):
            raise InvalidRequest(f"non-finite value at vector[{i}]={_java_float(v)} cannot be indexed")
    if similarity == "cosine" and math.fsum(v * v for v in vector) < 1e-10:
        raise InvalidRequest(
            "Zero and near-zero vectors cannot be indexed or queried with cosine similarity")


def query_vector(values):
    """A bound query vector as the store takes it: a float64 array (a list without numpy)."""
    if np is _UNLOADED:
        _load_optional()
    if np is not None:
        return np.asarray(values, dtype=np.float64)
    return [float(v) for v in values]


def _be_bytes(vector) -> bytes:
    """A vector as its cell holds it (float32 big-endian): how reconciliation compares."""
    return struct.pack(f">{len(vector)}f", *vector)


def _java_float(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    return "Infinity" if v > 0 else "-Infinity"


# ---- the store -----------------------------------------------------------------------------

class VectorStore:
    """Live vectors of one index, with exact and graph search."""

    def __init__(self, dimension: int, similarity: str):
        self.dimension = dimension
        self.similarity = similarity
        self.lock = threading.RLock()
        self.slot_of: dict[Key, int] = {}
        self.keys: list[Key | None] = []
        self.stamp: list[tuple[int, int]] = []  # (timestamp, expiry second or 0)
        # the vectors themselves: rows of ``matrix`` (float32) with numpy, else Python lists
        self.vectors: list[list[float] | None] | None = [] if np is None else None
        self.free: list[int] = []
        self.by_partition: dict[bytes, set[bytes]] = {}
        _load_optional()
        self.matrix = None if np is None else np.zeros((16, dimension), dtype=np.float32)
        self.alive = None if np is None else np.zeros(16, dtype=bool)
        self.expiry = None if np is None else np.zeros(16, dtype=np.int64)
        self.norms = None if np is None else np.zeros(16, dtype=np.float64)
        self.graph = None  # the installed candidate source: a usearch index or _PQCandidates
        self.graph_stale = 0  # removals the graph still holds (rebuilt when too many)
        self.graph_ef = None  # the expansion_search (graph) or candidate factor (pq) chosen
        # ('graph' | 'pq' | 'exact', size when decided)
        self.verdict: tuple[str, int] | None = None
        self._building: threading.Thread | None = None
        self._dirty: set[int] | None = None  # slots written while a graph builds
        # a new one per clear() (TRUNCATE): a build over an older snapshot installs nothing
        self._generation = object()

    def __len__(self) -> int:
        return len(self.slot_of)

    # -- writes --

    def upsert(self, key: Key, vector: list[float], timestamp: int, expiry: int) -> None:
        with self.lock:
            slot = self.slot_of.get(key)
            if slot is not None:
                held = self.stamp[slot][0]
                if held > timestamp or (held == timestamp and self._has(slot) and
                                        _be_bytes(self.vector(key)) > _be_bytes(vector)):
                    return  # reconciliation: at equal timestamps the greater value wins
                self._clear_slot(slot, keep_key=True)
            else:
                slot = self.free.pop() if self.free else self._grow()
                self.slot_of[key] = slot
                self.keys[slot] = key
                self.by_partition.setdefault(key[0], set()).add(key[1])
            self.stamp[slot] = (timestamp, expiry)
            if self.matrix is None:
                self.vectors[slot] = [float(v) for v in vector]
            else:
                row = self.matrix[slot]
                row[:] = vector
                self.alive[slot] = True
                self.expiry[slot] = expiry
                self.norms[slot] = math.sqrt(float(np.dot(row, row.astype(np.float64))))
                if self.graph is not None:
                    self.graph.add(slot, self._for_graph(row))
            if self._dirty is not None:
                self._dirty.add(slot)

    def remove(self, key: Key, timestamp: int) -> None:
        """Delete ``key`` if its vector is not newer than a deletion at ``timestamp``."""
        with self.lock:
            slot = self.slot_of.get(key)
            if slot is None or self.stamp[slot][0] > timestamp:
                return
            self._clear_slot(slot, keep_key=False)

    def remove_partition(self, dk: bytes, timestamp: int,
                         covers: Callable[[bytes], bool] | None = None) -> None:
        with self.lock:
            for ck in list(self.by_partition.get(dk, ())):
                if covers is None or covers(ck):
                    self.remove((dk, ck), timestamp)

    def vector(self, key: Key) -> list[float] | None:
        slot = self.slot_of.get(key)
        if slot is None or not self._has(slot):
            return None
        if self.matrix is None:
            return self.vectors[slot]
        return self.matrix[slot].astype(np.float64).tolist()

    def holds(self, key: Key, timestamp: int) -> bool:
        """Whether the store holds ``key`` from the cell written at ``timestamp`` (the
        check a query makes on each row it reads: the store keeps the reconciled cell's
        timestamp, so any write it missed shows as a different one)."""
        slot = self.slot_of.get(key)
        return slot is not None and self.stamp[slot][0] == timestamp and self._has(slot)

    def _has(self, slot: int) -> bool:
        return bool(self.alive[slot]) if self.matrix is not None else \
            self.vectors[slot] is not None

    def resync(self, key: Key, vector, timestamp: int | None = None,
               expiry: int = 0) -> None:
        """Make ``key`` hold the live ``vector`` (a query found the entry out of date),
        written at ``timestamp`` (else the one held) expiring at ``expiry``."""
        with self.lock:
            slot = self.slot_of.get(key)
            stamp = self.stamp[slot] if slot is not None else (0, 0)
            if timestamp is not None:
                stamp = (timestamp, expiry)
            if slot is not None:
                self._clear_slot(slot, keep_key=False)
            if vector is not None:
                self.upsert(key, vector, stamp[0], stamp[1])

    def clear(self) -> None:
        with self.lock:
            self.__init__(self.dimension, self.similarity)

    def load(self, entries: list[tuple[Key, bytes, int, int]]) -> None:
        """Add many new keys at once: ``(key, serialized vector, timestamp, expiry)``, no
        key already held (the build from a table scan: one numpy pass per batch)."""
        if self.matrix is None or self.graph is not None or self._dirty is not None:
            for key, raw, timestamp, expiry in entries:
                if len(raw) == 4 * self.dimension:
                    self.upsert(key, list(struct.unpack(f">{self.dimension}f", raw)),
                                timestamp, expiry)
            return
        with self.lock:
            good = [e for e in entries if len(e[1]) == 4 * self.dimension]  # no others
            if not good:
                return
            first, n = len(self.keys), len(good)
            while len(self.matrix) < first + n:
                self._grow_arrays()
            end = first + n
            block = np.frombuffer(b"".join(e[1] for e in good), dtype=">f4").reshape(
                n, self.dimension)
            self.matrix[first:end] = block
            self.alive[first:end] = True
            self.expiry[first:end] = [e[3] for e in good]
            wide = self.matrix[first:end].astype(np.float64)
            self.norms[first:end] = np.sqrt(np.einsum("ij,ij->i", wide, wide))
            by_partition = self.by_partition
            for slot, (key, _, timestamp, expiry) in enumerate(good, first):
                self.slot_of[key] = slot
                by_partition.setdefault(key[0], set()).add(key[1])
            self.keys.extend(e[0] for e in good)
            self.stamp.extend((e[2], e[3]) for e in good)

    def _grow_arrays(self) -> None:
        size = max(16, 2 * len(self.matrix))
        for name in ("matrix", "alive", "expiry", "norms"):
            old = getattr(self, name)
            new = np.zeros((size,) + old.shape[1:], dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _grow(self) -> int:
        slot = len(self.keys)
        self.keys.append(None)
        self.stamp.append((0, 0))
        if self.vectors is not None:
            self.vectors.append(None)
        if self.matrix is not None and slot >= len(self.matrix):
            self._grow_arrays()
        return slot

    def _clear_slot(self, slot: int, keep_key: bool) -> None:
        if self.graph is not None and self._has(slot):
            self.graph.remove(slot)
            self.graph_stale += 1
        if self._dirty is not None:
            self._dirty.add(slot)
        if self.matrix is None:
            self.vectors[slot] = None
        else:
            self.alive[slot] = False
        if not keep_key:
            key = self.keys[slot]
            del self.slot_of[key]
            cks = self.by_partition.get(key[0])
            if cks is not None:
                cks.discard(key[1])
                if not cks:
                    del self.by_partition[key[0]]
            self.keys[slot] = None
            self.free.append(slot)

    # -- reads --

    def graph_eligible(self) -> bool:
        n = len(self.slot_of)
        return (_UsearchIndex is not None or faiss is not None) and np is not None and \
            n >= GRAPH_MIN_VECTORS and n * self.dimension >= GRAPH_MIN_WORK

    def path(self) -> str:
        """How searches run now, for benchmarks and diagnostics."""
        if self.graph is None:
            return "exact"
        if isinstance(self.graph, _PQCandidates):
            return f"pq m={self.graph.m} x{self.graph_ef}"
        return f"graph ef={self.graph_ef}"

    def uses_graph(self) -> bool:
        """Whether searches go through a candidate source (PQ or graph). A store past the
        size threshold builds them in the background (searches stay exact meanwhile),
        measures them against exact search on sample queries and keeps the fastest that
        reaches recall@10 >= 0.97 in less time than brute force (see :meth:`build_graph`).
        The verdict is revisited when the store has doubled, or when deletions and
        rewrites leave the source mostly stale."""
        if not self.graph_eligible():
            return False
        n = len(self.slot_of)
        if self.graph is not None and self.graph_stale > n:
            self.graph = None
            self.verdict = None
        if self.verdict is not None and n < 2 * self.verdict[1] and \
                (self.verdict[0] == "exact" or self.graph is not None):
            return self.verdict[0] != "exact"
        if self._building is None:
            self._building = threading.Thread(target=self._build_graph_safely, daemon=True,
                                              name="cassalite-vector-graph")
            self._building.start()
        return self.graph is not None

    def wait_for_graph(self, timeout: float | None = None) -> bool:
        """Build (or wait for) the graph now; True when the store answers through it."""
        self.uses_graph()
        thread = self._building
        if thread is not None:
            thread.join(timeout)
        return self.uses_graph()

    def search(self, query, now: int, k: int = 16) -> Iterator[tuple[float, Key]]:
        """(score, key) of every live vector, best first, lazily. Exact (ties in key order)
        unless the store answers through its graph: then candidates come in widening graph
        rounds, each re-scored exactly and sorted, and when filtering consumers have
        rejected a quarter of the store the rest follows exactly. ``k``: how many results
        the caller expects to take (the size of the first graph round)."""
        with self.lock:
            if self.uses_graph():
                yield from self._graph_search(query, now, k)
            else:
                yield from self._ordered(self._all_slots(), query, now, k)

    def search_partitions(self, query: list[float], dks: Iterable[bytes],
                          now: int) -> Iterator[tuple[float, Key]]:
        """Exact, best first: the live vectors of the given partitions only."""
        with self.lock:
            slots = [self.slot_of[(dk, ck)] for dk in dks
                     for ck in self.by_partition.get(dk, ())]
            yield from self._ordered(slots, query, now)

    def _all_slots(self):
        if np is not None:
            return np.nonzero(self.alive[: len(self.keys)])[0]
        return [s for s, k in enumerate(self.keys) if k is not None]

    def _live(self, slot: int, now: int) -> bool:
        expiry = self.stamp[slot][1]
        return self.vectors[slot] is not None and (not expiry or now < expiry)

    def _ordered(self, slots, query, now: int, k: int = 16) -> Iterator[tuple[float, Key]]:
        """Exact scores of ``slots``, best first, ties in key order. With numpy, one float32
        pass scores every candidate approximately (within ``bound`` of the exact score, a
        proven float32 error bound); the best ``head`` by that pass are re-scored exactly
        and sorted, and those scoring above ``rest + bound`` (``rest``: the best
        approximate score outside the head, so no outsider can score higher exactly) are
        the exact global prefix. A consumer wanting more gets a head four times larger."""
        if np is None:
            live = [s for s in slots if self._live(s, now)]
            scored = sorted((-score(self.similarity, self.vectors[s], query), self.keys[s])
                            for s in live)
            for neg, key in scored:
                yield -neg, key
            return
        slots = np.asarray(slots, dtype=np.int64)
        if len(slots) == 0:
            return
        expiry = self.expiry[slots]
        slots = slots[self.alive[slots] & ((expiry == 0) | (expiry > now))]
        n = len(slots)
        if n == 0:
            return
        q64 = np.asarray(query, dtype=np.float64)
        qnorm = float(np.linalg.norm(q64))
        approx = self._approx(slots, q64.astype(np.float32), qnorm)
        bound = self._slack(slots, qnorm, float(approx.max())) / 2
        keys = self.keys
        done = 0  # how many of the exact order were yielded
        head = max(64, 4 * k)
        while done < n:
            if head < n:
                picked = np.argpartition(-approx, head)
                threshold = float(approx[picked[head]]) + bound
                picked = picked[:head]
            else:
                picked, threshold = np.arange(n), -math.inf
            chunk = slots[picked]
            exact = _similarity(self.similarity, self.matrix[chunk].astype(np.float64), q64)
            items = sorted(zip((-exact).tolist(), [keys[c] for c in chunk.tolist()]))
            for neg, key in items[done:]:
                if -neg <= threshold:
                    break
                done += 1
                yield -neg, key
            head *= 4

    def _slack(self, slots, qnorm: float, best: float) -> float:
        """Twice a bound on |float32 score - exact score| (|error of a float32 dot product|
        <= n * 2^-24 * |a| * |b|, propagated through each similarity's formula)."""
        top = float(self.norms[slots].max()) if len(slots) else 0.0
        if self.similarity == "cosine":
            scale = 2.0
        elif self.similarity == "euclidean":  # d(1/(1+x))/dx = -score^2
            scale = 2.0 * (qnorm + top) ** 2 * min(1.0, 1.01 * best) ** 2
        else:
            scale = qnorm * top
        return 2 * 4 * self.dimension * 2.0 ** -24 * scale + 1e-12

    def _approx(self, slots, q32, qnorm: float):
        """float32 scores of ``slots`` (einsum, not BLAS: no thread pool to wake)."""
        n = len(self.keys)
        whole = len(slots) * 2 > n
        mat = self.matrix[:n] if whole else self.matrix[slots]
        if self.similarity == "euclidean":
            norms = self.norms[:n] if whole else self.norms[slots]
            dots = np.einsum("ij,j->i", mat, q32).astype(np.float64)
            out = 1.0 / (1.0 + np.maximum(norms * norms - 2 * dots + qnorm * qnorm, 0))
        else:
            dots = np.einsum("ij,j->i", mat, q32).astype(np.float64)
            if self.similarity == "cosine":
                norms = (self.norms[:n] if whole else self.norms[slots]) * qnorm
                with np.errstate(divide="ignore", invalid="ignore"):
                    out = np.where(norms > 0, (1 + dots / np.where(norms > 0, norms, 1)) / 2, 0.0)
            else:
                out = (1 + dots) / 2
        return out[slots] if whole else out

    def _graph_search(self, query, now: int, k: int = 16) -> Iterator[tuple[float, Key]]:
        graph = self.graph
        q = self._for_graph(np.asarray(query, dtype=np.float32))
        q64 = np.asarray(query, dtype=np.float64)
        seen: set[int] = set()
        if isinstance(graph, _PQCandidates):
            want = graph.factor * max(10, k)
        else:
            want = max(GRAPH_CANDIDATES, k)
        limit = max(64, want, len(self.slot_of) // 4)
        while True:
            keys = _graph_keys(graph, q, want)
            # once each (PQ may repeat a slot), held (not a removed slot's stale entry)
            fresh = np.unique(keys)
            fresh = fresh[self.alive[fresh]]
            if seen:
                fresh = fresh[~np.isin(fresh, np.fromiter(seen, dtype=np.int64))]
            seen.update(fresh.tolist())
            yield from self._rescored(fresh, q64, now)
            if len(keys) < want:  # the graph holds nothing more
                return
            if want >= limit:
                break
            want = min(want * 4, limit)
        # filters rejected too much: finish exactly over the vectors not yet returned
        rest = self._all_slots()
        if seen:
            rest = rest[~np.isin(rest, np.fromiter(seen, dtype=np.int64))]
        yield from self._ordered(rest, query, now)

    def _rescored(self, slots, q64, now: int) -> Iterator[tuple[float, Key]]:
        """A few graph candidates (an int64 array), live ones only, scored exactly, best
        first (ties in key order)."""
        if not len(slots):
            return
        expiry = self.expiry[slots]
        slots = slots[self.alive[slots] & ((expiry == 0) | (expiry > now))]
        exact = _similarity(self.similarity, self.matrix[slots].astype(np.float64), q64)
        # sorted by score in numpy; keys looked up only for what the consumer takes (a
        # query takes ~10 of PQ's hundreds of candidates), equal scores in key order
        order = np.argsort(-exact, kind="stable")
        ranked, slots = exact[order].tolist(), slots[order].tolist()
        keys, i, n = self.keys, 0, len(ranked)
        while i < n:
            j = i + 1
            while j < n and ranked[j] == ranked[i]:
                j += 1
            for key in sorted(keys[c] for c in slots[i:j]):
                yield ranked[i], key
            i = j

    def _build_graph_safely(self) -> None:
        try:
            self.build_graph()
        except Exception:  # a failed build leaves the store exact, never wrong
            with self.lock:
                self.verdict = ("exact", len(self.slot_of))
        finally:
            with self.lock:  # after a TRUNCATE another build may be running: not ours
                if self._building is threading.current_thread():
                    self._building = None

    def build_graph(self) -> None:
        """Build candidate sources over a snapshot, calibrate them, and install the fastest
        that reaches the recall (a PQ index, an HNSW graph) with the writes that arrived
        meanwhile, or decide for exact search. PQ is built first (seconds, where a graph
        takes tens of them); the graph is built only when its sample probe is faster than
        both brute force and the calibrated PQ, and kept only when faster than PQ again."""
        with self.lock:
            slots = self._all_slots().copy()
            vectors = self.matrix[slots].copy()
            self._dirty = set()
            generation = self._generation
        best, setting, seconds, kind = None, None, math.inf, "exact"
        if faiss is not None:
            pq, found = self._calibrated(self._new_pq, slots, vectors, PQ_FACTORS)
            if found is not None:
                best, (setting, seconds), kind = pq, found, "pq"
        if _UsearchIndex is not None:
            graph, found = self._calibrated_hnsw(slots, vectors, seconds)
            # the faster one (without the speed check, as in tests: the graph)
            if found is not None and (not CALIBRATE_SPEED or found[1] < seconds):
                best, (setting, seconds), kind = graph, found, "graph"
        with self.lock:
            if self._generation is not generation:  # cleared (TRUNCATE) meanwhile: the
                return  # snapshot is gone, and a build after the clear decides
            dirty, self._dirty = self._dirty, None
            if best is None:
                self.graph, self.graph_ef = None, None
                self.verdict = ("exact", len(self.slot_of))
                return
            for slot in dirty:
                if best.contains(slot):
                    best.remove(slot)
                if self.alive[slot]:
                    best.add(slot, self._for_graph(self.matrix[slot]))
            best.expansion_search = setting
            self.graph, self.graph_ef, self.graph_stale = best, setting, 0
            self.verdict = (kind, len(self.slot_of))

    def _calibrated_hnsw(self, slots, vectors, beat: float):
        """An HNSW graph and its (expansion_search, seconds a query), or (None, None) when
        none reaches the recall faster than brute force and ``beat`` seconds a query."""
        if len(slots) >= 4 * PROBE_VECTORS:
            # HNSW recall only falls as a graph grows: when a graph over a sample cannot
            # reach the recall, neither can the full one (random data), so skip building it
            pick = np.sort(np.random.default_rng(len(slots)).choice(
                len(slots), PROBE_VECTORS, replace=False))
            # brute force costs grow with the store, a graph search hardly: the probe must
            # beat brute force over the full store (its sample's cost scaled up), with an
            # expansion small beside the sample (a near-exhaustive search proves nothing)
            _, probed = self._calibrated(self._new_graph, slots[pick], vectors[pick],
                                         [ef for ef in CALIBRATION_EF
                                          if ef <= PROBE_VECTORS // 32],
                                         exact_scale=len(slots) / PROBE_VECTORS, beat=beat)
            if probed is None:
                return None, None
        return self._calibrated(self._new_graph, slots, vectors, CALIBRATION_EF, beat=beat)

    def _new_graph(self):
        metric = {"cosine": "cos", "euclidean": "l2sq", "dot_product": "ip"}[self.similarity]
        dtype = "f16" if self.similarity == "cosine" else "f32"
        return _UsearchIndex(ndim=self.dimension, metric=metric, dtype=dtype,
                             connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
                             expansion_search=EXPANSION_SEARCH)

    def _new_pq(self):
        """An untrained PQ index: inner product over unit rows for cosine (what
        :meth:`_for_graph` gives it), squared L2 for euclidean, inner product for dot
        product; ``m``: the largest divisor of the dimension up to half of it (2
        dimensions of 4 bits each per sub-quantizer: 384 -> 192), 1 for dimension 1."""
        metric = faiss.METRIC_L2 if self.similarity == "euclidean" else \
            faiss.METRIC_INNER_PRODUCT
        m = max([d for d in range(1, self.dimension // 2 + 1) if self.dimension % d == 0],
                default=1)
        return _PQCandidates(faiss.IndexPQFastScan(self.dimension, m, 4, metric), m)

    def _for_graph(self, vectors):
        """Rows as the graph holds them. Cosine graphs hold half precision (searches ~10%
        and builds ~20% cheaper than single, half the memory; the ranking is the same
        after the exact re-score), of rows scaled to unit length first so that no component
        overflows it; the other similarities depend on magnitudes and stay float32."""
        if self.similarity != "cosine":
            return vectors
        if vectors.ndim == 1:  # one row: a scalar scale is 4x cheaper than the general case
            return vectors * np.float32(1 / math.sqrt(float(vectors @ vectors)))
        norms = np.sqrt(np.einsum("...j,...j->...", vectors, vectors))
        return (vectors / np.expand_dims(norms, -1)).astype(np.float32)

    def _calibrated(self, new, slots, vectors, settings, exact_scale: float = 1.0,
                    beat: float = math.inf):
        """A candidate source made by ``new()`` over ``vectors`` and the (setting, seconds
        a query) :meth:`_calibrate` finds for it (None: none will do). Calibration queries
        are stored vectors held out of the source until it is calibrated: queries from
        the data's own distribution (clustered or not, as real queries are) that are not
        in it themselves (a graph node's own edges lead straight to its neighbours, which
        overstates recall)."""
        n = len(slots)
        source = new()
        held = np.zeros(n, dtype=bool)
        count = min(CALIBRATION_QUERIES, n // 8)
        if n - count > 10:
            held[np.random.default_rng(n).choice(n, count, replace=False)] = True
        keep = ~held
        if keep.any():
            source.add(slots[keep].astype(np.uint64), self._for_graph(vectors[keep]), threads=0)
        found = None
        if held.any():
            found = self._calibrate(source, slots[keep], vectors[keep], vectors[held],
                                    settings, exact_scale, beat)
            source.add(slots[held].astype(np.uint64), self._for_graph(vectors[held]), threads=0)
        return source, found

    def _calibrate(self, source, slots, vectors, queries, settings, exact_scale: float = 1.0,
                   beat: float = math.inf) -> tuple[int, float] | None:
        """The first of ``settings`` (a graph's expansion_search, a PQ candidate factor:
        cheapest first) with recall@10 >= :data:`CALIBRATION_RECALL` on ``queries``
        against exact search over ``vectors`` (the source's content), and its seconds a
        query (candidates and their exact re-score), which must be below brute force's
        (times ``exact_scale``) and ``beat``; None if there is none. Each search asks
        for the candidates a query's first round does, whose exact re-score keeps the
        best 10: a candidate counts as a hit when it scores at least the k-th best exact
        score (so ties at the k-th place do not count against the source), 10 at most."""
        k = 10
        unit = None
        if self.similarity == "cosine":
            norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
            unit = vectors / np.where(norms > 0, norms, 1)[:, None]
        base = unit if unit is not None else vectors
        sq = np.einsum("ij,ij->i", vectors, vectors)

        def scores(q, rows=None):
            if rows is None:
                return 2 * (vectors @ q) - sq if self.similarity == "euclidean" else base @ q
            if self.similarity == "euclidean":
                return 2 * (vectors[rows] @ q) - sq[rows]
            return base[rows] @ q

        truth, start = [], time.perf_counter()
        for q in queries:
            sc = scores(q)
            kth = float(np.partition(sc, len(sc) - k)[len(sc) - k])
            truth.append(kth - 1e-5 * max(1.0, abs(kth)))
        exact_time = (time.perf_counter() - start) / len(queries)
        wide = queries.astype(np.float64)
        for setting in settings:
            source.expansion_search = setting
            count = setting * k if isinstance(source, _PQCandidates) else GRAPH_CANDIDATES
            start = time.perf_counter()
            found = []
            for q, q64 in zip(self._for_graph(queries), wide):
                f = _graph_keys(source, q, count)
                rows = vectors[np.searchsorted(slots, np.unique(f))]  # as a query re-scores
                _similarity(self.similarity, rows.astype(np.float64), q64)
                found.append(f)
            seconds = (time.perf_counter() - start) / len(queries)
            hits = 0
            for f, q, kth in zip(found, queries, truth):
                rows = np.searchsorted(slots, np.unique(f))
                hits += min(k, int((scores(q, rows) >= kth).sum()))
            if CALIBRATE_SPEED and seconds >= min(exact_time * exact_scale, beat):
                return None
            if hits / (k * len(queries)) >= CALIBRATION_RECALL:
                return setting, seconds
        return None


class _PQCandidates:
    """A faiss PQ fast-scan index as a candidate source with the graph's interface
    (``add``/``remove``/``contains`` by slot). faiss numbers vectors by insertion, so
    ``ids`` maps its numbers to slots; a removal leaves the code in place (removing
    from a fast-scan index repacks it): a removed or rewritten slot's old code may come
    back as a candidate, which the live check and exact re-score of every candidate make
    harmless, and the store rebuilds when such stale codes outnumber its vectors."""

    def __init__(self, index, m: int):
        self.index, self.m = index, m
        self.ids = np.zeros(0, dtype=np.int64)
        self.size = 0
        self.expansion_search = PQ_FACTORS[0]  # the candidate factor, named as the graph's

    @property
    def factor(self) -> int:
        return self.expansion_search

    def add(self, slots, vectors, threads: int = 0) -> None:
        _one_thread()
        vectors = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        slots = np.atleast_1d(np.asarray(slots, dtype=np.int64))
        if not self.index.is_trained:
            sample = vectors
            if len(sample) > PQ_TRAIN:
                sample = vectors[np.sort(np.random.default_rng(len(vectors)).choice(
                    len(vectors), PQ_TRAIN, replace=False))]
            self.index.train(sample)
        end = self.size + len(slots)
        if end > len(self.ids):
            grown = np.zeros(max(16, 2 * end), dtype=np.int64)
            grown[: self.size] = self.ids[: self.size]
            self.ids = grown
        self.ids[self.size: end] = slots
        self.size = end
        self.index.add(vectors)

    def contains(self, slot: int) -> bool:
        return False  # stale codes are filtered at query time (see the class docstring)

    def remove(self, slot: int) -> None:
        pass

    def keys(self, q, count: int):
        """Slots of the ``count`` best codes for ``q`` (float32), best first; a slot can
        repeat (a rewritten row's old and new codes)."""
        _one_thread()
        _, found = self.index.search(np.ascontiguousarray(q.reshape(1, -1), dtype=np.float32),
                                     min(count, max(1, self.size)))
        found = found[0]
        return self.ids[found[found >= 0]]


def _one_thread() -> None:
    """faiss work in the calling thread runs on that thread alone (OpenMP's thread count
    is per thread): a query is one short scan, where a team only adds wake-ups, and on a
    busy machine a training team spin-waits for cores (6000 x 64 trained in 16 s, not
    0.6 s, with the machine's load at 4)."""
    faiss.omp_set_num_threads(1)


def _graph_keys(graph, q, count: int):
    """The keys of the ``count`` graph nodes nearest to ``q`` (float32), nearest first.
    Straight through usearch's compiled search when it has one: the Python wrapper around
    it (argument checks, result objects) costs ~50-80 us a query, a third of a small
    search. A PQ source answers with its own :meth:`_PQCandidates.keys`."""
    if isinstance(graph, _PQCandidates):
        return graph.keys(q, count)
    compiled = getattr(graph, "_compiled", None)
    if compiled is None or _ScalarKind is None:
        return np.asarray(graph.search(q, count, threads=1).keys, dtype=np.int64)
    found = compiled.search_many(q.reshape(1, -1), count=count, exact=False, threads=1,
                                 dtype=_ScalarKind.Unknown)
    return found[0][0, : int(found[2][0])].astype(np.int64)


def _similarity(similarity: str, block, q):
    """numpy form of :func:`score` over the rows of ``block`` (float64)."""
    if similarity == "euclidean":
        diff = block - q
        return 1.0 / (1.0 + np.einsum("ij,ij->i", diff, diff))
    dots = block @ q
    if similarity == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", block, block)) * math.sqrt(float(q @ q))
        if norms.all():  # always for stored vectors (near-zero ones are refused)
            return (1 + dots / norms) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(norms > 0, (1 + dots / np.where(norms > 0, norms, 1)) / 2, 0.0)
    return (1 + dots) / 2


# ---- the registry: one store per vector index of a database ----------------------------------

class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.stores: dict[tuple, VectorStore] = {}

    def _key(self, table: TableMetadata, index: IndexMetadata) -> tuple:
        return (str(table.id), index.name, index.target, similarity_of(index))

    def existing(self, table: TableMetadata, index: IndexMetadata) -> VectorStore | None:
        return self.stores.get(self._key(table, index))

    def store(self, engine, table: TableMetadata, index: IndexMetadata, now: int) -> VectorStore:
        """The index's store, built from the base table on first use."""
        key = self._key(table, index)
        with self.lock:
            store = self.stores.get(key)
            if store is not None:
                return store
            column = table.columns[index.target_column]
            store = VectorStore(column.type.dimension, similarity_of(index))
            self.stores[key] = store
            with store.lock:  # writes wait until the build is complete
                _build(engine, table, column, store, now)
            return store

    def drop_table(self, table_id: str) -> None:
        with self.lock:
            for key in [k for k in self.stores if k[0] == table_id]:
                del self.stores[key]

    def drop_index(self, table: TableMetadata, index: IndexMetadata) -> None:
        with self.lock:
            self.stores.pop(self._key(table, index), None)


def registry(db) -> Registry:
    """The database's registry (created on first use)."""
    reg = getattr(db, "_vector_registry", None)
    if reg is None:
        reg = Registry()
        db._vector_registry = reg
    return reg


def decode(cell: Cell):
    """A vector cell's value: a float32 array (a list of floats without numpy)."""
    raw = cell.value
    n = len(raw) // 4
    if np is _UNLOADED:
        _load_optional()
    if np is not None:
        return np.frombuffer(raw, dtype=">f4", count=n)
    return list(struct.unpack(f">{n}f", raw))


def expiry_of(cell: Cell) -> int:
    return cell.local_deletion_time if cell.ttl != NO_TTL else 0


def _build(engine, table: TableMetadata, column, store: VectorStore, now: int) -> None:
    batch: list = []
    for view in engine.scan(str(table.id), now=now):
        dk = decorate(view.pk)
        if column.is_primary_key:
            for ck, row in view.rows:
                _upsert_key(store, table, column, view.pk, dk, ck, row)
            continue
        rows = [(b"", view.static_row)] if column.is_static else view.rows
        for ck, row in rows:
            if row is None:
                continue
            cell = row.cells.get(column.name)
            if isinstance(cell, Cell) and cell.value is not None and cell.is_live(now):
                batch.append(((dk, ck), cell.value, cell.timestamp, expiry_of(cell)))
                if len(batch) >= 4096:
                    store.load(batch)
                    batch = []
    store.load(batch)


def _upsert_key(store: VectorStore, table: TableMetadata, column, pk: bytes, dk: bytes,
                ck: bytes, row) -> None:
    """A vector that is part of the primary key: the row's key, live as long as the row."""
    if column.kind == "partition_key":
        value = partition_key_values(table, pk)[column.position]
    else:
        value = clustering_values(table, ck)[column.position]
    liveness = row.liveness
    expiry = liveness.local_expiration_time if liveness is not None and liveness.ttl else 0
    store.upsert((dk, ck), [float(v) for v in value], row.max_timestamp(), expiry)


# ---- the write path ------------------------------------------------------------------------

def vector_indexes(table: TableMetadata) -> list[IndexMetadata]:
    return [i for i in table.indexes.values() if is_vector_index(table, i)]


def validate_writes(table: TableMetadata, mutations: list) -> None:
    """Refuse vectors the index cannot hold (before anything is written)."""
    for index in vector_indexes(table):
        column = table.columns[index.target_column]
        similarity = similarity_of(index)
        for m in mutations:
            rows = [m.update.static_row] if column.is_static else m.update.rows.values()
            for row in rows:
                cell = None if row is None else row.cells.get(column.name)
                if isinstance(cell, Cell) and cell.value is not None:
                    check_indexable(decode(cell), similarity)


def on_write(db, table: TableMetadata, mutations: list) -> None:
    """Bring the built stores of ``table``'s vector indexes in step with applied mutations."""
    reg = getattr(db, "_vector_registry", None)
    if reg is None:
        return
    for index in vector_indexes(table):
        store = reg.existing(table, index)
        if store is None:
            continue  # built from the table (with these writes) when first needed
        column = table.columns[index.target_column]
        for m in mutations:
            if column.is_primary_key:
                _apply_key(store, table, column, m.pk, decorate(m.pk), m.update)
            else:
                _apply(store, column.name, column.is_static, decorate(m.pk), m.update)


def _apply_key(store: VectorStore, table: TableMetadata, column, pk: bytes, dk: bytes,
               update) -> None:
    if update.deletion is not None:
        store.remove_partition(dk, update.deletion.marked_at)
    for rt in update.range_tombstones:
        store.remove_partition(dk, rt.deletion.marked_at, rt.covers)
    for ck, row in update.rows.items():
        if row.deletion is not None:
            store.remove((dk, ck), row.deletion.marked_at)
        if row.liveness is not None or any(
                isinstance(c, Cell) and c.value is not None for c in row.cells.values()):
            _upsert_key(store, table, column, pk, dk, ck, row)


def _apply(store: VectorStore, column: str, static: bool, dk: bytes, update) -> None:
    if update.deletion is not None:
        store.remove_partition(dk, update.deletion.marked_at)
    if not static:
        for rt in update.range_tombstones:
            store.remove_partition(dk, rt.deletion.marked_at, rt.covers)
    rows = [(b"", update.static_row)] if static else update.rows.items()
    for ck, row in rows:
        if row is None:
            continue
        if row.deletion is not None:
            store.remove((dk, ck), row.deletion.marked_at)
        cell = row.cells.get(column)
        if not isinstance(cell, Cell):
            continue
        if cell.value is None:
            store.remove((dk, ck), cell.timestamp)
        else:
            store.upsert((dk, ck), decode(cell), cell.timestamp, expiry_of(cell))


def top_k(scored: Iterable[tuple[float, Key]], k: int) -> list[tuple[float, Key]]:
    """The best ``k`` of (score, key) pairs, best first, ties in key order."""
    return [(-neg, key) for neg, key in heapq.nsmallest(k, ((-s, key) for s, key in scored))]
