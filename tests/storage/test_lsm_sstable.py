"""SSTable-level behaviour: wide-partition slicing, purging, expiry, strategies."""

import struct
import time

from sortedcontainers import SortedDict

from cassalite.storage import murmur3
from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.compaction import Leveled, SizeTiered, TimeWindow, make_strategy
from cassalite.storage.lsm.options import TableOptions, strategy_name
from cassalite.storage.model import Cell, DeletionTime, LivenessInfo, Mutation, Partition, Row

WIDE = TableInfo("wide0000-0000-0000-0000-000000000001", "ks", "wide", {})
GC0 = TableInfo("gc000000-0000-0000-0000-000000000001", "ks", "gc0", {"gc_grace_seconds": 0})


def ck(j):
    return struct.pack(">I", j)


def row_mut(table, pk, j, value, ts=10, ttl=0, ldt=0x7FFFFFFF):
    cell = Cell(value, ts, ttl, ldt) if ttl else Cell(value, ts)
    row = Row(LivenessInfo(ts) if not ttl else None, None, {"v": cell})
    return Mutation(table.table_id, pk, Partition(rows=SortedDict({ck(j): row})))


def test_wide_partition_slice_reads_only_its_chunks(lsm_dir):
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    e.create_table(WIDE)
    blob = bytes(range(256)) * 12 + b"x" * 128  # 3.2 KB, poorly compressible
    for j in range(2000):
        e.apply([row_mut(WIDE, b"big", j, blob, ts=10 + j)])
    e.apply([row_mut(WIDE, b"small", 1, b"s")])
    e.flush()
    (sst,) = e._tables[WIDE.table_id].sstables
    entry = sst.find(murmur3.decorate(b"big"))
    assert entry[3] is not None and len(entry[3]) > 100  # a row index exists
    before = sst.chunk_loads
    e.chunk_cache._map.clear()
    view = e.read_partition(WIDE.table_id, b"big", [(ck(1000), ck(1050))])
    assert [k for k, _ in view.rows] == [ck(j) for j in range(1000, 1050)]
    loaded = sst.chunk_loads - before
    total_chunks = len(sst.chunk_offsets) - 1
    assert loaded <= 50 * 3300 // 16384 + 4 < total_chunks // 10
    # reversed with a limit, and a point read
    view = e.read_partition(WIDE.table_id, b"big", [(ck(10), ck(20))], reverse=True, limit=3)
    assert [k for k, _ in view.rows] == [ck(19), ck(18), ck(17)]
    assert len(e.read_partition(WIDE.table_id, b"big", [(ck(7), ck(8))]).rows) == 1
    assert len(e.read_partition(WIDE.table_id, b"big").rows) == 2000
    e.close()


def test_tombstones_purged_after_gc_grace_only_when_nothing_older_elsewhere(lsm_dir):
    now = int(time.time())
    e = LSMEngine(lsm_dir, compaction_in_background=False)
    e.create_table(GC0)
    e.apply([row_mut(GC0, b"a", 1, b"old", ts=10), row_mut(GC0, b"b", 1, b"old", ts=10)])
    e.flush()
    dead = Partition(rows=SortedDict({ck(1): Row(None, DeletionTime(20, now - 5), {})}))
    e.apply([Mutation(GC0.table_id, b"a", dead)])
    e.flush()
    t = e._tables[GC0.table_id]
    newest = max(t.sstables, key=lambda s: s.gen)
    # compacting only the tombstone's SSTable must keep it: older data elsewhere
    from cassalite.storage.lsm.compaction import Task

    t.run_compaction(Task([newest], 0))
    assert sum(s.stats.tombstones for s in t.sstables) == 1
    assert e.read_partition(GC0.table_id, b"a") is None
    e.compact()  # everything together: tombstone and shadowed data both go
    (only,) = t.sstables
    assert only.stats.tombstones == 0 and only.stats.partitions == 1
    assert e.read_partition(GC0.table_id, b"a") is None
    assert e.read_partition(GC0.table_id, b"b") is not None
    e.close()


def test_fully_expired_sstable_is_dropped_whole(lsm_dir):
    now = int(time.time())
    e = LSMEngine(lsm_dir, compaction_in_background=False)
    e.create_table(GC0)
    e.apply([row_mut(GC0, b"k%d" % i, 1, b"v", ts=5, ttl=10, ldt=now - 100) for i in range(5)])
    e.flush()
    e.apply([row_mut(GC0, b"live", 1, b"v", ts=50)])
    e.flush()
    t = e._tables[GC0.table_id]
    # the automatic compaction after the flush dropped the expired SSTable without
    # rewriting anything
    assert len(t.sstables) == 1 and t.compactions == 1 and t.bytes_compacted > 0
    assert t.sstables[0].stats.min_ts == 50
    assert [v.pk for v in e.scan(GC0.table_id)] == [b"live"]
    e.close()


def _fake(gen, size, first=b"a", last=b"z", level=0, max_ts=0):
    class S:
        pass

    s = S()
    s.gen, s.data_size, s.first_dk, s.last_dk, s.level = gen, size, first, last, level

    class St:
        pass

    s.stats = St()
    s.stats.max_ts = max_ts
    s.stats.cells = s.stats.tombstones = 0
    s.stats.created_at = 0
    return s


def test_strategy_names_and_pickers():
    assert strategy_name({"class": "org.apache.cassandra.db.compaction."
                                   "LeveledCompactionStrategy"}) == "lcs"
    assert strategy_name({"class": "TimeWindowCompactionStrategy"}) == "twcs"
    assert strategy_name({"class": "UnifiedCompactionStrategy"}) == "ucs"
    assert strategy_name(None) == "stcs"
    assert isinstance(make_strategy("ucs", {"scaling_parameters": "L10"}), Leveled)
    assert make_strategy("ucs", {"scaling_parameters": "T8"}).min_threshold == 8
    opts = TableOptions({"compression": {"chunk_length_in_kb": "64", "enabled": "true"},
                         "compaction": {"class": "SizeTieredCompactionStrategy"}})
    assert opts.sstable.chunk_length == 65536 and opts.sstable.compressor == "lz4"
    assert TableOptions({"compression": {"enabled": False}}).sstable.compressor == "none"

    stcs = SizeTiered({"min_threshold": "4"})
    small = [_fake(i, 1000 + i) for i in range(3)]
    assert stcs.pick(small, 0, 0) is None
    task = stcs.pick(small + [_fake(9, 1100)], 0, 0)
    assert task is not None and len(task.inputs) == 4

    lcs = Leveled({"sstable_size_in_mb": "1"})
    l0 = [_fake(i, 1000) for i in range(4)] + [_fake(10, 1000, level=1)]
    task = lcs.pick(l0, 0, 0)
    assert task.level == 1 and len(task.inputs) == 5
    over = [_fake(20 + i, 1 << 20, first=bytes([i]), last=bytes([i]), level=1)
            for i in range(12)]
    task = lcs.pick(over, 0, 0)
    assert task is not None and task.level == 2

    day = 86400 * 1_000_000
    twcs = TimeWindow({"compaction_window_unit": "DAYS", "compaction_window_size": "1"})
    old = [_fake(i, 100, max_ts=day * 3 + i) for i in range(2)]
    new = [_fake(5, 100, max_ts=day * 10)]
    task = twcs.pick(old + new, 0, 0)
    assert task is not None and {s.gen for s in task.inputs} == {0, 1}
