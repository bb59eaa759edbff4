"""One randomized workload, run against any StorageEngine with MemoryEngine as the oracle.

Writes, cell/row/partition/range deletions, TTLs, collections, static rows and atomic
batches are applied to both engines; flushes, major compactions, truncates and reopens
are interleaved; reads (point reads with slices, reverse and limit; full and ranged
scans) must return identical PartitionViews.

Timestamps are chosen so that the comparison stays meaningful once compaction purges:
TTL writes get unique timestamps (an expired cell becomes a tombstone, which differs from
an expired cell only in tie-breaks), and tables with ``gc_grace_seconds = 0`` only see
increasing timestamps (a purged tombstone cannot shadow writes that arrive later with an
older timestamp; that is Cassandra's documented zombie risk, not something to test).
"""

from __future__ import annotations

import random
import struct
import time

from sortedcontainers import SortedDict

from cassalite.storage.engine import KeyRange, TableInfo
from cassalite.storage.memory import MemoryEngine
from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
    project_view,
)
from cassalite.storage.murmur3 import decorate

TABLES = [
    TableInfo("00000000-0000-0000-0000-000000000001", "ks", "stcs",
              {"compaction": {"class": "SizeTieredCompactionStrategy", "min_threshold": "2"}}),
    TableInfo("00000000-0000-0000-0000-000000000002", "ks", "lcs_gc0",
              {"compaction": {"class": "org.apache.cassandra.db.compaction."
                              "LeveledCompactionStrategy", "sstable_size_in_mb": "1"},
               "gc_grace_seconds": 0,
               "compression": {"class": "DeflateCompressor", "chunk_length_in_kb": "1"}}),
    TableInfo("00000000-0000-0000-0000-000000000003", "ks2", "twcs",
              {"compaction": {"class": "TimeWindowCompactionStrategy",
                              "compaction_window_unit": "MINUTES"},
               "gc_grace_seconds": 0, "bloom_filter_fp_chance": 0.5,
               "compression": {"enabled": "false"}}),
]
CKS = [struct.pack(">i", i) + b"\x38" for i in range(12)]
PKS = [struct.pack(">i", i) for i in range(14)]


# The selections projected reads are asked for (read_rows / scan_rows)
COLUMN_SETS = [("a", "b", "c", "m"), ("c", "a"), ("m",), ("b",), ()]
SERIES_CKS = [struct.pack(">i", i) + b"\x38" for i in range(600)]


class Workload:
    """``series``: rows are written at clustering keys that mostly grow with time (a time
    series), so flushed versions of a partition tend to hold disjoint clustering ranges."""

    def __init__(self, seed: int, ops: int = 300, value_size: int = 20, series: bool = False):
        self.rng = random.Random(seed)
        self.ops = ops
        self.value_size = value_size
        self.series = series
        self.cks = SERIES_CKS if series else CKS
        self.next_ck = 0
        self.now0 = int(time.time())
        self.clock = 1_000_000
        self.ttl_serial = 0

    def ts(self, table: TableInfo, ttl: bool) -> int:
        if table.options.get("gc_grace_seconds") == 0:
            self.clock += 2
            return 20_000_000 + self.clock
        if ttl:
            self.ttl_serial += 1
            return 10_000_000 + self.ttl_serial * 2 + 1
        return 2 * self.rng.randint(500_000, 500_040)

    def value(self) -> bytes:
        return self.rng.randbytes(self.rng.randint(0, self.value_size))

    def cell(self, table: TableInfo, allow_ttl: bool = True) -> Cell:
        r = self.rng
        if allow_ttl and r.random() < 0.2:
            ttl = r.randint(1, 40)
            return Cell(self.value(), self.ts(table, True), ttl, self.now0 + r.randint(-5, 5))
        if r.random() < 0.15:
            return Cell(None, self.ts(table, False), 0, self.now0 - r.randint(0, 5))
        return Cell(self.value(), self.ts(table, False))

    def row(self, table: TableInfo) -> Row:
        r = self.rng
        liveness = None
        if r.random() < 0.5:
            if r.random() < 0.2:
                ttl = r.randint(1, 40)
                liveness = LivenessInfo(self.ts(table, True), ttl, self.now0 + r.randint(-5, 5))
            else:
                liveness = LivenessInfo(self.ts(table, False))
        deletion = None
        if r.random() < 0.05:
            deletion = DeletionTime(self.ts(table, False), self.now0 - 1)
        cells: dict = {}
        for name in r.sample(["a", "b", "c"], r.randint(0, 3)):
            cells[name] = self.cell(table)
        if r.random() < 0.3:
            cdel = DeletionTime(self.ts(table, False), self.now0) if r.random() < 0.3 else None
            items = {bytes([r.randint(0, 5)]): self.cell(table) for _ in range(r.randint(0, 3))}
            cells["m"] = ComplexColumn(cdel, SortedDict(items))
        return Row(liveness, deletion, cells)

    def partition_update(self, table: TableInfo) -> Partition:
        r = self.rng
        kind = r.random()
        p = Partition()
        if kind < 0.04:
            p.deletion = DeletionTime(self.ts(table, False), self.now0 - r.randint(0, 3))
        elif kind < 0.10:
            cks = self.cks
            lo, hi = sorted(r.sample(range(len(cks) + 1), 2))
            p.range_tombstones.append(RangeTombstone(
                cks[lo], cks[hi] if hi < len(cks) else None,
                DeletionTime(self.ts(table, False), self.now0 - r.randint(0, 3))))
        else:
            for _ in range(r.choice([1, 1, 1, 2, 5])):
                p.rows[self.row_ck()] = self.row(table)
            if r.random() < 0.1:
                p.static_row = self.row(table)
        return p

    def row_ck(self) -> bytes:
        if not self.series:
            return self.rng.choice(CKS)
        if self.rng.random() < 0.05:  # now and then an older key
            return self.rng.choice(SERIES_CKS[:self.next_ck + 1])
        self.next_ck = min(self.next_ck + self.rng.randint(0, 2), len(SERIES_CKS) - 1)
        return SERIES_CKS[self.next_ck]

    def slices(self):
        r = self.rng
        cks = self.cks[:self.next_ck + 12]
        k = r.random()
        if k < 0.4:
            return None
        if k < 0.55:  # one row, as a read of a full primary key asks for it
            ck = r.choice(cks)
            return [(ck, ck + b"\x00")]
        n = r.randint(1, 3)
        points = sorted(r.sample(range(len(cks) + 1), min(2 * n, len(cks) + 1)))
        out = []
        for i in range(0, len(points) - 1, 2):
            lo = cks[points[i]]
            hi = cks[points[i + 1]] if points[i + 1] < len(cks) else None
            out.append((lo, hi))
            if hi is None:
                break
        return out or None


def _agree(read, what) -> None:
    """``read(now)`` gives (model answer, engine answer). A background compaction purges what
    has expired by the wall clock, so a cell expiring between taking ``now`` and reading can
    be gone from the engine only: on a difference, read again once at the current second."""
    a, b = read(int(time.time()))
    if a != b:
        a, b = read(int(time.time()))
    assert a == b, (*what, a, b)


def compare_reads(model, engine, w: Workload, tables) -> None:
    r = w.rng
    for t in tables:
        for pk in PKS:
            slices = w.slices()
            reverse = r.random() < 0.3
            limit = r.choice([None, None, 1, 3])
            _agree(lambda now: (model.read_partition(t.table_id, pk, slices, reverse, now, limit),
                                engine.read_partition(t.table_id, pk, slices, reverse, now,
                                                      limit)),
                   (t.name, pk, slices, reverse, limit))
            columns = r.choice(COLUMN_SETS)
            _agree(lambda now: (
                project_view(model.read_partition(t.table_id, pk, slices, reverse, now, limit),
                             columns),
                engine.read_rows(t.table_id, pk, slices, reverse, now, limit, columns=columns)),
                (t.name, pk, slices, reverse, limit, columns))
        slices = w.slices()
        _agree(lambda now: (list(model.scan(t.table_id, slices=slices, now=now)),
                            list(engine.scan(t.table_id, slices=slices, now=now))),
               (t.name, "full scan"))
        columns = r.choice(COLUMN_SETS)
        _agree(lambda now: (
            [v for v in (project_view(view, columns)
                         for view in model.scan(t.table_id, slices=slices, now=now)) if v],
            list(engine.scan_rows(t.table_id, slices=slices, now=now, columns=columns))),
            (t.name, "projected full scan", columns))
        dks = sorted(decorate(pk) for pk in PKS)
        lo, hi = sorted(r.sample(dks, 2))
        kr = KeyRange(lo, r.random() < 0.5, hi, r.random() < 0.5)
        _agree(lambda now: (list(model.scan(t.table_id, kr, now=now)),
                            list(engine.scan(t.table_id, kr, now=now))),
               (t.name, "range scan"))


def run_workload(open_engine, seed: int, ops: int = 300, tables=TABLES, reopen: bool = True,
                 value_size: int = 20, series: bool = False) -> None:
    """``open_engine()`` returns a fresh handle on the same engine storage each call."""
    w = Workload(seed, ops, value_size, series)
    r = w.rng
    model = MemoryEngine()
    engine = open_engine()
    try:
        for t in tables:
            model.create_table(t)
            engine.create_table(t)
        for step in range(ops):
            k = r.random()
            if k < 0.80:
                batch = []
                for _ in range(r.choice([1, 1, 1, 2, 4])):
                    t = r.choice(tables)
                    batch.append((t.table_id, r.choice(PKS), w.partition_update(t)))
                model.apply([Mutation(tid, pk, p.copy()) for tid, pk, p in batch])
                engine.apply([Mutation(tid, pk, p) for tid, pk, p in batch])
            elif k < 0.88:
                engine.flush(r.choice([None, r.choice(tables).table_id]))
            elif k < 0.92:
                engine.compact(r.choice([None, r.choice(tables).table_id]))
            elif k < 0.95 and reopen:
                engine.close()
                engine = open_engine()
                for t in tables:
                    engine.create_table(t)
            elif k < 0.955:
                t = r.choice(tables)
                model.truncate(t.table_id)
                engine.truncate(t.table_id)
            else:
                compare_reads(model, engine, w, tables)
            if step % 50 == 49:
                compare_reads(model, engine, w, tables)
        compare_reads(model, engine, w, tables)
        engine.flush()
        engine.compact()
        compare_reads(model, engine, w, tables)
        if reopen:
            engine.close()
            engine = open_engine()
            for t in tables:
                engine.create_table(t)
            compare_reads(model, engine, w, tables)
    finally:
        engine.close()
