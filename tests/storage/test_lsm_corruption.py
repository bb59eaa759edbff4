"""Flipped bytes in every SSTable component, the manifest and the commit log are detected
and reported with an error naming the file; other tables stay readable and writable."""

import os
import shutil
import struct

import pytest
from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.errors import CorruptionError
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.sstable import COMPONENTS, component_path
from cassalite.storage.model import Cell, LivenessInfo, Mutation, Partition, Row

T1 = TableInfo("11111111-1111-1111-1111-111111111111", "ks", "one", {})
T2 = TableInfo("22222222-2222-2222-2222-222222222222", "ks", "two", {})


def _mut(table, i, gen):
    rows = SortedDict({struct.pack(">i", j): Row(LivenessInfo(10 + gen), None,
                                                 {"v": Cell(b"v%d-%d-%d" % (i, j, gen) * 8,
                                                            10 + gen)}) for j in range(5)})
    return Mutation(table.table_id, struct.pack(">i", i), Partition(rows=rows))


def _open(path, **kw):
    e = LSMEngine(path, compaction_in_background=False, **kw)
    e.create_table(T1)
    e.create_table(T2)
    return e


def _contents(engine, table):
    return [(v.pk, [(ck, r.cells["v"].value) for ck, r in v.rows]) for v in engine.scan(
        table.table_id)]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    from .conftest import fast_tmpdir

    path = fast_tmpdir()
    e = _open(path)
    for gen in range(3):
        e.apply([_mut(T1, i, gen) for i in range(60)] + [_mut(T2, i, gen) for i in range(60)])
        e.flush()
    expected = {T1.name: _contents(e, T1), T2.name: _contents(e, T2)}
    t1 = e._tables[T1.table_id]
    victim = sorted(s.gen for s in t1.sstables)[1]
    t1dir = t1.directory
    e.close()
    yield path, t1dir, victim, expected
    shutil.rmtree(path, ignore_errors=True)


def _flip(path, where):
    size = os.path.getsize(path)
    offset = {"start": 0, "middle": size // 2, "end": size - 1}[where]
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


def _problems(engine):
    """Every CorruptionError a full read + verify of T1 produces."""
    found = []
    try:
        _contents(engine, T1)
    except CorruptionError as exc:
        found.append(exc)
    found += engine.admin.verify()
    return found


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("component", COMPONENTS)
def test_flipped_byte_in_sstable_component(pristine, lsm_dir, component, where):
    src, t1dir, victim, expected = pristine
    shutil.rmtree(lsm_dir)
    shutil.copytree(src, lsm_dir)
    rel = os.path.relpath(component_path(t1dir, victim, component), src)
    target = os.path.join(lsm_dir, rel)
    _flip(target, where)
    e = _open(lsm_dir)
    try:
        problems = _problems(e)
        assert problems, f"flip at {where} of {component} went unnoticed"
        assert all(isinstance(p, CorruptionError) for p in problems)
        assert any(p.path == target for p in problems), [str(p) for p in problems]
        assert target in str(problems[0]) or any(target in str(p) for p in problems)
        # the other table is untouched and usable
        assert _contents(e, T2) == expected[T2.name]
        e.apply([_mut(T2, 1000, 9)])
        e.flush(T2.table_id)
        assert e.read_partition(T2.table_id, struct.pack(">i", 1000)) is not None
    finally:
        e.close()


def test_flipped_byte_in_manifest(pristine, lsm_dir):
    src, t1dir, _, expected = pristine
    shutil.rmtree(lsm_dir)
    shutil.copytree(src, lsm_dir)
    manifest = os.path.join(lsm_dir, os.path.relpath(t1dir, src), "manifest.log")
    _flip(manifest, "start")
    e = _open(lsm_dir)
    try:
        with pytest.raises(CorruptionError) as info:
            e.read_partition(T1.table_id, struct.pack(">i", 1))
        assert info.value.path == manifest
        with pytest.raises(CorruptionError):
            e.apply([_mut(T1, 1, 9)])
        assert _contents(e, T2) == expected[T2.name]
        assert any(p.path == manifest for p in e.admin.verify())
    finally:
        e.close()


def _unflushed_db(path, batches=40):
    e = _open(path, flush_on_close=False, commitlog_segment_size_bytes=1 << 20)
    for i in range(batches):
        e.apply([_mut(T1, i, 0), _mut(T2, i, 0)])
    e.close()
    seg_dir = os.path.join(path, "commitlog")
    return sorted(os.path.join(seg_dir, n) for n in os.listdir(seg_dir))


def test_commitlog_corruption_in_the_middle_names_file_and_offset(lsm_dir):
    segments = _unflushed_db(lsm_dir)
    _flip(segments[-1], "middle")
    with pytest.raises(CorruptionError) as info:
        _open(lsm_dir)
    assert info.value.path == segments[-1]
    assert info.value.offset is not None
    # an operator can choose to salvage what is intact
    e = _open(lsm_dir, commitlog_ignore_replay_errors=True)
    try:
        assert e.read_partition(T1.table_id, struct.pack(">i", 0)) is not None
    finally:
        e.close()


def test_commitlog_torn_tail_is_truncated_and_reported(lsm_dir, caplog):
    segments = _unflushed_db(lsm_dir)
    with open(segments[-1], "r+b") as f:
        f.truncate(os.path.getsize(segments[-1]) - 7)
    e = _open(lsm_dir)
    try:
        assert any("torn tail" in w for w in e.commitlog.replay_warnings)
        assert any("torn tail" in r.getMessage() for r in caplog.records)
        assert e.read_partition(T1.table_id, struct.pack(">i", 0)) is not None
        assert e.read_partition(T2.table_id, struct.pack(">i", 38)) is not None
    finally:
        e.close()


def test_commitlog_corrupt_last_record_counts_as_torn_tail(lsm_dir):
    segments = _unflushed_db(lsm_dir)
    _flip(segments[-1], "end")
    e = _open(lsm_dir)
    try:
        assert e.commitlog.replay_warnings
        assert e.read_partition(T1.table_id, struct.pack(">i", 38)) is not None
        assert e.read_partition(T1.table_id, struct.pack(">i", 39)) is None  # the torn record
    finally:
        e.close()


def test_second_engine_on_same_directory_is_refused(lsm_dir):
    from cassalite.storage.errors import DirectoryLockedError

    e = _open(lsm_dir)
    try:
        with pytest.raises(DirectoryLockedError) as info:
            LSMEngine(lsm_dir)
        assert lsm_dir in str(info.value)
    finally:
        e.close()
    LSMEngine(lsm_dir).close()


def test_compaction_over_a_corrupt_chunk_reports_and_quarantines(pristine, lsm_dir):
    src, t1dir, victim, expected = pristine
    shutil.rmtree(lsm_dir)
    shutil.copytree(src, lsm_dir)
    target = os.path.join(lsm_dir, os.path.relpath(component_path(t1dir, victim, "Data.db"),
                                                   src))
    _flip(target, "middle")
    e = _open(lsm_dir)
    try:
        with pytest.raises(CorruptionError) as info:
            e.compact(T1.table_id)
        assert info.value.path == target
        t1 = e._tables[T1.table_id]
        assert victim in t1.quarantined
        e.compact(T1.table_id)  # the others still compact; the damaged one is left alone
        assert any(s.gen == victim for s in t1.sstables)
        assert _contents(e, T2) == expected[T2.name]
    finally:
        e.close()
