"""Admin operations, nodetool, and schema lifecycle (truncate/drop/re-register) on disk."""

import io
import json
import os
import struct

from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.model import Cell, LivenessInfo, Mutation, Partition, Row
from cassalite.storage.nodetool import main as nodetool

T1 = TableInfo("11111111-1111-1111-1111-111111111111", "ks", "one", {})
T2 = TableInfo("22222222-2222-2222-2222-222222222222", "ks", "two",
               {"compaction": {"class": "LeveledCompactionStrategy"}})


def mut(table, i, ts=10):
    row = Row(LivenessInfo(ts), None, {"v": Cell(b"value%d" % i, ts)})
    return Mutation(table.table_id, struct.pack(">i", i), Partition(rows=SortedDict({b"": row})))


def engine(path, **kw):
    e = LSMEngine(path, compaction_in_background=False, **kw)
    e.create_table(T1)
    e.create_table(T2)
    return e


def count(e, table):
    return sum(1 for _ in e.scan(table.table_id))


def test_layout_snapshot_and_tablestats(lsm_dir):
    e = engine(lsm_dir)
    e.apply([mut(T1, i) for i in range(100)] + [mut(T2, i) for i in range(10)])
    admin = e.admin
    admin.flush()
    t1dir = e._tables[T1.table_id].directory
    assert t1dir == os.path.join(lsm_dir, "data", "ks", "one-11111111111111111111111111111111")
    assert os.path.isdir(os.path.join(lsm_dir, "commitlog"))
    tag = admin.snapshot("before")
    assert tag == "before"
    snap = os.path.join(t1dir, "snapshots", "before")
    data = [n for n in os.listdir(snap) if n.endswith("Data.db")]
    assert data
    assert os.stat(os.path.join(snap, data[0])).st_ino == os.stat(
        os.path.join(t1dir, data[0])).st_ino  # a hard link
    with open(os.path.join(snap, "manifest.json")) as f:
        assert json.load(f)["table"] == "one"
    e.read_partition(T1.table_id, struct.pack(">i", 5))
    e.read_partition(T1.table_id, struct.pack(">i", 500))
    stats = {s["table"]: s for s in admin.tablestats()}
    s1 = stats["one"]
    assert s1["sstable_count"] == 1 and s1["partitions_estimate"] == 100
    assert s1["space_used_live"] > 0 and s1["space_used_by_snapshots"] > 0
    assert s1["local_write_count"] == 100 and s1["local_read_count"] == 2
    assert stats["two"]["compaction_strategy"] == "LeveledCompactionStrategy"
    assert "before" in admin.list_snapshots()
    admin.clear_snapshot("before")
    assert not os.path.exists(snap)
    e.close()


def test_nodetool_verbs(lsm_dir):
    e = engine(lsm_dir)
    e.apply([mut(T1, i) for i in range(20)])
    e.close()
    out = io.StringIO()
    assert nodetool(["-d", lsm_dir, "flush", "ks"], out=out) == 0
    assert nodetool(["-d", lsm_dir, "compact"], out=out) == 0
    assert nodetool(["-d", lsm_dir, "snapshot", "-t", "s1", "ks", "one"], out=out) == 0
    assert nodetool(["-d", lsm_dir, "listsnapshots"], out=out) == 0
    assert "s1" in out.getvalue()
    out = io.StringIO()
    assert nodetool(["-d", lsm_dir, "tablestats", "ks.one"], out=out) == 0
    assert "Table: one" in out.getvalue() and "SSTable count: 1" in out.getvalue()
    out = io.StringIO()
    assert nodetool(["-d", lsm_dir, "tablestats", "--json"], out=out) == 0
    assert {s["table"] for s in json.loads(out.getvalue())} == {"one", "two"}
    assert nodetool(["-d", lsm_dir, "verify"], out=io.StringIO()) == 0
    assert nodetool(["-d", lsm_dir, "clearsnapshot", "--all"], out=io.StringIO()) == 0
    e = engine(lsm_dir)
    try:
        assert count(e, T1) == 20
        # the directory is locked while open
        assert nodetool(["-d", lsm_dir, "flush"], out=io.StringIO()) == 2
    finally:
        e.close()


def test_unregistered_tables_replay_and_dropped_tables_stay_dropped(lsm_dir):
    e = engine(lsm_dir, flush_on_close=False)
    e.apply([mut(T1, i) for i in range(10)] + [mut(T2, i) for i in range(10)])
    e.close()  # no flush: everything lives in the commit log
    e = LSMEngine(lsm_dir, compaction_in_background=False, flush_on_close=False)
    try:
        e.create_table(T1)  # T2 is registered later, like the cql layer would
        assert count(e, T1) == 10
        e.create_table(T2)
        assert count(e, T2) == 10
        e.drop_table(T2.table_id)
        e.truncate(T1.table_id)
        e.apply([mut(T1, 99)])
    finally:
        e.close()
    e = LSMEngine(lsm_dir, compaction_in_background=False)
    try:
        e.create_table(T1)
        e.create_table(T2)  # a new table with the old id: the old records must not come back
        assert count(e, T2) == 0
        assert [v.pk for v in e.scan(T1.table_id)] == [struct.pack(">i", 99)]
    finally:
        e.close()


def test_drop_with_auto_snapshot_keeps_snapshot(lsm_dir):
    e = engine(lsm_dir, auto_snapshot=True)
    e.apply([mut(T1, i) for i in range(5)])
    e.flush()
    tdir = e._tables[T1.table_id].directory
    e.drop_table(T1.table_id)
    assert not os.path.exists(os.path.join(tdir, "manifest.log"))
    snaps = os.listdir(os.path.join(tdir, "snapshots"))
    assert len(snaps) == 1 and snaps[0].startswith("dropped-")
    e.admin.clear_snapshot()
    assert not os.path.exists(tdir)
    e.close()


def test_commitlog_segments_are_recycled(lsm_dir):
    e = engine(lsm_dir, commitlog_segment_size_bytes=4096)
    for i in range(300):
        e.apply([mut(T1, i)])
    seg_dir = os.path.join(lsm_dir, "commitlog")
    assert len(os.listdir(seg_dir)) > 5
    e.flush()
    assert len(os.listdir(seg_dir)) == 1  # only the active segment
    e.close()
    assert os.listdir(seg_dir) == []


def test_memtable_threshold_triggers_flush_and_compaction(lsm_dir):
    e = engine(lsm_dir, memtable_size_bytes=50_000)
    for i in range(2000):
        e.apply([mut(T1, i % 300, ts=i)])
    t = e._tables[T1.table_id]
    assert t.flushes >= 4 and t.compactions >= 1
    assert count(e, T1) == 300
    view = e.read_partition(T1.table_id, struct.pack(">i", 7))
    assert view.rows[0][1].cells["v"].timestamp == 1807
    e.close()


def test_sync_modes(lsm_dir):
    for mode in ("batch", "group", "periodic"):
        e = engine(lsm_dir, commitlog_sync=mode, commitlog_sync_period_ms=5,
                   commitlog_sync_group_window_ms=1)
        before = e.commitlog.sync_count
        e.apply([mut(T1, 1)])
        if mode != "periodic":
            assert e.commitlog.sync_count > before
        e.close()


def test_new_segments_sort_after_recorded_positions_even_if_the_clock_moved_back(lsm_dir):
    e = engine(lsm_dir)
    e.apply([mut(T1, 1)])
    e.flush()
    floor = e._tables[T1.table_id].replay_floor
    e.close()
    import cassalite.storage.lsm.commitlog as cl
    real = cl.time.time
    cl.time.time = lambda: 1.0  # 1970
    try:
        e = engine(lsm_dir, flush_on_close=False)
        assert e.commitlog.position() > floor
        e.apply([mut(T1, 2)])
        e.close()
    finally:
        cl.time.time = real
    e = engine(lsm_dir)
    assert count(e, T1) == 2
    e.close()


def test_manifest_rewrite_keeps_state(lsm_dir, monkeypatch):
    from cassalite.storage.lsm import manifest

    monkeypatch.setattr(manifest, "REWRITE_AFTER", 5)
    e = engine(lsm_dir)
    for i in range(12):
        e.apply([mut(T1, i)])
        e.flush()
    records = e._tables[T1.table_id].manifest.state.records
    e.close()
    assert records < 12
    e = engine(lsm_dir)
    assert count(e, T1) == 12
    e.close()


def test_alter_table_changes_strategy_and_compression(lsm_dir):
    e = engine(lsm_dir)
    e.apply([mut(T1, i) for i in range(50)])
    e.flush()
    altered = TableInfo(T1.table_id, T1.keyspace, T1.name, {
        "compaction": {"class": "LeveledCompactionStrategy", "sstable_size_in_mb": "1"},
        "compression": {"enabled": "false"}, "bloom_filter_fp_chance": 0.1})
    e.alter_table(altered)
    e.apply([mut(T1, i) for i in range(50, 80)])
    e.flush()
    e.compact()
    t = e._tables[T1.table_id]
    assert t.strategy.name == "LeveledCompactionStrategy"
    assert all(s.kind == 0 and s.level == 1 for s in t.sstables)
    assert count(e, T1) == 80
    e.close()
    e = LSMEngine(lsm_dir, compaction_in_background=False)  # options come back from disk
    assert e._tables[T1.table_id].opts.strategy == "lcs"
    assert count(e, T1) == 80
    e.close()
