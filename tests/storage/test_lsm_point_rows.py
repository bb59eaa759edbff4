"""Projected reads (``read_rows``) that do not merge versions: an exact key (``[(ck, ck +
0x00)]``) reads the one version holding data for it by itself (the memtables' row, or one
SSTable through its key cache and cached partition header); a forward read of one range
reads the versions one after the other when their clustering keys do not interleave
(SSTables one row-index block at a time). They must answer what the memory engine answers
for any mix of versions, deletions, range tombstones and TTLs."""

import shutil
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.sstable import _ck_bounds
from cassalite.storage.lsm.stats import Stats
from cassalite.storage.memory import MemoryEngine
from cassalite.storage.model import (
    Cell,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
    project_view,
)

from .conftest import fast_tmpdir

T = TableInfo("pointrow-0000-0000-0000-000000000001", "ks", "pr", {})
NOW = 1_000_000
CKS = [struct.pack(">I", j) for j in range(12)]
timestamps = st.integers(1, 40)
cells = st.one_of(
    st.builds(lambda v, ts: Cell(v, ts), st.binary(max_size=30), timestamps),
    st.builds(lambda ts: Cell(None, ts, 0, NOW - 10), timestamps),
    st.builds(lambda v, ts, d: Cell(v, ts, 5, NOW + d), st.binary(max_size=5), timestamps,
              st.integers(-3, 3)),
)
rows = st.builds(
    Row,
    st.one_of(st.none(), st.builds(lambda ts: LivenessInfo(ts), timestamps)),
    st.one_of(st.none(), st.builds(DeletionTime, timestamps, st.just(NOW - 5))),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), cells, max_size=3),
)
range_tombstones = st.builds(
    lambda lo, n, ts: RangeTombstone(CKS[lo], CKS[lo + n] if lo + n < len(CKS) else None,
                                     DeletionTime(ts, NOW - 5)),
    st.integers(0, len(CKS) - 1), st.integers(1, 4), timestamps)
versions = st.builds(
    lambda d, rts, rowmap: Partition(d, rts, None, SortedDict(rowmap)),
    st.one_of(st.none(), st.none(), st.builds(DeletionTime, timestamps, st.just(NOW - 5))),
    st.lists(range_tombstones, max_size=1),
    st.dictionaries(st.sampled_from(CKS), rows, max_size=6),
)


def _engines(wide: bool, steps, chunk_kb: int = 16, neighbours=()) -> tuple:
    """An LSM engine and a memory engine holding the versions of ``steps`` (each flushed
    or left in the memtable), after a first row-indexed version when ``wide``; SSTables
    compressed in chunks of ``chunk_kb`` KiB. ``neighbours[i]``: clustering keys of rows
    another partition gets with step ``i`` (widening the SSTable's clustering bounds
    beyond what ``pk`` holds)."""
    directory = fast_tmpdir()
    options = {"compaction": {"class": "SizeTieredCompactionStrategy", "enabled": "false"},
               "compression": {"chunk_length_in_kb": str(chunk_kb)}}
    info = TableInfo(T.table_id, T.keyspace, T.name, options)
    lsm = LSMEngine(directory, compaction_in_background=False, memtable_size_bytes=1 << 30)
    model = MemoryEngine()
    for e in (lsm, model):
        e.create_table(info)
    if wide:  # a first version with a row index (rows padded past 4 KiB)
        pad = Partition(rows=SortedDict({
            ck: Row(LivenessInfo(1), None, {"c": Cell(b"." * 600, 1)}) for ck in CKS}))
        for e in (lsm, model):
            e.apply([Mutation(T.table_id, b"pk", pad.copy())])
        lsm.flush()
    for i, (version, flush) in enumerate(steps):
        model.apply([Mutation(T.table_id, b"pk", version.copy())])
        lsm.apply([Mutation(T.table_id, b"pk", version)])
        if i < len(neighbours) and neighbours[i]:
            lsm.apply([Mutation(T.table_id, b"other", Partition(rows=SortedDict({
                ck: Row(LivenessInfo(1), None, {}) for ck in neighbours[i]})))])
        if flush:
            lsm.flush()
    return directory, lsm, model


def _series(steps) -> list:
    """``steps`` with each version's rows moved to its own stretch of keys (versions
    that do not interleave, as a time series writes them)."""
    out = []
    for k, (version, flush) in enumerate(steps):
        rows = SortedDict({CKS[(3 * k + CKS.index(ck) % 3) % len(CKS)]: row
                           for ck, row in version.rows.items()})
        out.append((Partition(version.deletion, version.range_tombstones, None, rows), flush))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(versions, st.booleans()), min_size=1, max_size=4),
       series=st.booleans(), wide=st.booleans(),
       columns=st.sampled_from([("a", "b", "c"), ("c",), ("b", "a")]),
       bounds=st.tuples(st.integers(0, len(CKS)), st.integers(0, len(CKS))),
       limit=st.sampled_from([None, 1, 2, 5, 50]), chunk_kb=st.sampled_from([16, 8, 4, 1]),
       neighbours=st.lists(st.lists(st.sampled_from(CKS), max_size=2), max_size=4))
def test_range_reads_agree_with_the_memory_engine(steps, series, wide, columns, bounds,
                                                  limit, chunk_kb, neighbours):
    # chunks of 8 KiB hold both row-index blocks of the wide version (read in one call),
    # of 4 or 1 KiB cut through them; the neighbours' rows move the SSTables' clustering
    # bounds (where a read orders an SSTable it has not looked up yet)
    directory, lsm, model = _engines(wide, _series(steps) if series else steps, chunk_kb,
                                     neighbours)
    try:
        a, b = sorted(bounds)
        slices = [(CKS[a] if a < len(CKS) else b"\xff", CKS[b] if b < len(CKS) else None)]
        for sl in (slices, None):
            for _ in range(2):
                want = project_view(model.read_partition(T.table_id, b"pk", sl, False, NOW,
                                                         limit), columns)
                got = lsm.read_rows(T.table_id, b"pk", sl, False, NOW, limit,
                                    columns=columns)
                assert got == want, sl
    finally:
        lsm.close()
        shutil.rmtree(directory, ignore_errors=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(versions, st.booleans()), min_size=1, max_size=4),
       wide=st.booleans(), columns=st.sampled_from([("a", "b", "c"), ("c",), ("b", "a")]))
def test_exact_reads_agree_with_the_memory_engine(steps, wide, columns):
    directory, lsm, model = _engines(wide, steps)
    try:
        for _ in range(2):  # the second time from the key and header caches
            for ck in CKS + [b"\x00", b"\xff" * 5]:
                slices = [(ck, ck + b"\x00")]
                want = project_view(model.read_partition(T.table_id, b"pk", slices, False, NOW),
                                    columns)
                got = lsm.read_rows(T.table_id, b"pk", slices, False, NOW, columns=columns)
                assert got == want, ck
    finally:
        lsm.close()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_flush_leaves_what_it_wrote_in_the_caches(lsm_dir):
    """Reads right after a flush decode nothing from disk (chunks, index entries and
    partition headers are cached by the flush) and answer what a cold reopen answers."""
    lsm = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    lsm.create_table(T)
    for n in range(50):
        rows = {ck: Row(LivenessInfo(5), None, {"a": Cell(b"%d" % n * 40, 5)}) for ck in CKS}
        lsm.apply([Mutation(T.table_id, b"k%d" % n, Partition(rows=SortedDict(rows)))])
    lsm.flush()
    (sst,) = lsm._tables[T.table_id].sstables
    assert len(sst._keys) == 50 and len(sst._heads) == 50

    def reads(e):
        return [e.read_rows(T.table_id, b"k%d" % n, sl, False, NOW, 3, columns=("a",))
                for n in range(50) for sl in ([(CKS[4], CKS[4] + b"\0")], [(CKS[2], None)])]

    blocks = len(sst._blocks)
    want = reads(lsm)
    assert sst.chunk_loads == 0 and len(sst._blocks) == blocks
    lsm.close()
    lsm = LSMEngine(lsm_dir, compaction_in_background=False)
    assert reads(lsm) == want
    (sst,) = lsm._tables[T.table_id].sstables
    assert sst.chunk_loads > 0
    lsm.close()


def _version(keys, ts: int) -> Partition:
    return Partition(rows=SortedDict({CKS[k]: Row(LivenessInfo(ts), None, {"a": Cell(b"%d" % k, ts)})
                                      for k in keys}))


def test_older_sstables_are_looked_up_only_when_the_rows_reach_them():
    """A slice of the newest rows of a time series: the SSTables that hold older keys are
    not looked up once the LIMIT is met; a version whose rows pass an SSTable's lowest
    key (another partition's rows set it) goes on once that SSTable is looked up."""
    steps = [(_version([6, 7, 8], 1), True), (_version([3, 4, 5], 2), True),
             (_version([0, 1, 2], 3), True), (_version([9, 10], 4), False)]
    directory, lsm, model = _engines(False, steps, neighbours=[[], [], [], []])
    try:
        ssts = lsm._tables[T.table_id].sstables
        looked = []
        for s in ssts:
            s.find = (lambda f, gen: lambda dk: looked.append(gen) or f(dk))(s.find, s.gen)
        for lo, limit in ((0, 2), (0, 4), (2, 3), (4, None), (0, None)):
            looked.clear()
            sl = [(CKS[lo], None)]
            want = project_view(model.read_partition(T.table_id, b"pk", sl, False, NOW, limit),
                                ("a",))
            assert lsm.read_rows(T.table_id, b"pk", sl, False, NOW, limit,
                                 columns=("a",)) == want
            if limit is not None and lo + limit <= 3:  # all in the oldest flushed keys
                assert looked == [ssts[2].gen]
    finally:
        lsm.close()
        shutil.rmtree(directory, ignore_errors=True)
    # the other partition's rows move each SSTable's lowest key below pk's first one
    steps = [(_version([0, 1, 2], 1), True), (_version([3, 4, 5], 2), True),
             (_version([6, 7, 8], 3), True)]
    for keys in ([[], [1], [4]], [[], [2], [5]], [[], [0], [3]], [[], [3], [6]]):
        neighbours = [[CKS[k] for k in step] for step in keys]
        directory, lsm, model = _engines(False, steps, neighbours=neighbours)
        try:
            for lo in range(len(CKS)):
                for limit in (None, 1, 2, 4, 7):
                    sl = [(CKS[lo], None)]
                    want = project_view(model.read_partition(T.table_id, b"pk", sl, False, NOW,
                                                             limit), ("a",))
                    assert lsm.read_rows(T.table_id, b"pk", sl, False, NOW, limit,
                                         columns=("a",)) == want, (neighbours, lo, limit)
        finally:
            lsm.close()
            shutil.rmtree(directory, ignore_errors=True)


@settings(max_examples=300, deadline=None)
@given(cks=st.lists(st.binary(max_size=3), min_size=2, max_size=2), static=st.booleans(),
       pdel=st.booleans(), rows=st.booleans(), unbounded=st.booleans(),
       ck=st.binary(max_size=4))
def test_ck_bounds_is_may_intersect_of_one_key(cks, static, pdel, rows, unbounded, ck):
    """A point read skips SSTables by ``SSTableReader.ck_bounds``: what may_intersect of
    ``[(ck, ck + 0x00)]`` answers."""
    stats = Stats(has_static=static, has_partition_deletion=pdel)
    if rows:
        stats.min_ck, stats.max_ck = sorted(cks)
        stats.ck_unbounded = unbounded
    bounds = _ck_bounds(stats)
    inline = bounds is not None and bounds[0] <= ck and (bounds[1] is None or ck <= bounds[1])
    assert inline == stats.may_intersect([(ck, ck + b"\x00")])
