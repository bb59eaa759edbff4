"""What the RocksDB engine adds to the shared workload: its key layout, its guards on open,
and that purged tombstones leave RocksDB (skipped without rocksdict)."""

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sortedcontainers import SortedDict

pytest.importorskip("rocksdict")

from rocksdict import Options, Rdict

from cassalite.storage.engine import TableInfo
from cassalite.storage.errors import CorruptionError, DirectoryLockedError
from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
)
from cassalite.storage.murmur3 import decorate
from cassalite.storage.rocks import (
    RocksEngine,
    decode_row,
    encode_row,
    partition_prefix,
    split_key,
)

GC0 = TableInfo("00000000-0000-0000-0000-0000000000aa", "ks", "t", {"gc_grace_seconds": 0})
PREFIX = GC0.table_id.encode() + b"\x00"

# Decorated keys that share a token, so their order and separation rest on the key bytes.
_dks = st.lists(st.binary(max_size=6).map(lambda pk: b"\x80" * 8 + pk), min_size=2,
                max_size=8, unique=True)


@given(_dks)
def test_partition_prefixes_sort_like_decorated_keys_and_never_prefix_each_other(dks):
    prefixes = {dk: partition_prefix(PREFIX, dk) for dk in dks}
    assert sorted(dks, key=prefixes.get) == sorted(dks)
    for a in dks:
        assert split_key(prefixes[a] + b"\x02row", len(PREFIX)) == (a, len(prefixes[a]))
        for b in dks:
            assert a == b or not prefixes[b].startswith(prefixes[a])


def _row(ts: int, value: bytes) -> Row:
    return Row(LivenessInfo(ts), None, {"v": Cell(value, ts)})


def _write(engine, pk: bytes, update: Partition) -> None:
    engine.apply([Mutation(GC0.table_id, pk, update)])


def _keys(path: str, prefix: bytes = PREFIX) -> list[bytes]:
    db = Rdict(path, options=Options(raw_mode=True))
    try:
        return [k for k in db.keys() if k.startswith(prefix)]
    finally:
        db.close()


def test_a_droppable_partition_deletion_takes_its_rows_and_header_out_of_rocksdb(lsm_dir):
    engine = RocksEngine(lsm_dir)
    engine.create_table(GC0)
    cks = [struct.pack(">i", i) for i in range(3)]
    _write(engine, b"p", Partition(rows=SortedDict({ck: _row(10, b"old") for ck in cks})))
    _write(engine, b"p", Partition(deletion=DeletionTime(20, 1)))  # ldt 1: droppable at once
    _write(engine, b"p", Partition(rows=SortedDict({cks[1]: _row(30, b"new")})))
    # The deletion was dropped with the rows it shadowed, so nothing old comes back.
    view = engine.read_partition(GC0.table_id, b"p")
    assert view.rows == [(cks[1], _row(30, b"new"))]
    engine.close()
    assert _keys(lsm_dir) == [partition_prefix(PREFIX, decorate(b"p")) + b"\x02" + cks[1]]


def test_compact_purges_range_tombstones_and_deleted_rows(lsm_dir):
    engine = RocksEngine(lsm_dir)
    engine.create_table(GC0)
    cks = [struct.pack(">i", i) for i in range(4)]
    _write(engine, b"p", Partition(rows=SortedDict({ck: _row(10, b"x") for ck in cks})))
    _write(engine, b"p", Partition(range_tombstones=[
        RangeTombstone(cks[1], cks[3], DeletionTime(20, 1))]))
    _write(engine, b"p", Partition(rows=SortedDict({cks[3]: Row(None, DeletionTime(20, 1))})))
    engine.compact()
    assert [ck for ck, _ in engine.read_partition(GC0.table_id, b"p").rows] == [cks[0]]
    engine.close()
    assert _keys(lsm_dir) == [partition_prefix(PREFIX, decorate(b"p")) + b"\x02" + cks[0]]


def test_a_database_in_another_layout_is_refused(lsm_dir):
    db = Rdict(lsm_dir, options=Options(raw_mode=True))
    db[GC0.table_id.encode() + b"\x00somekey"] = b"partition"
    db.close()
    with pytest.raises(CorruptionError, match="not a one-key-per-row cassalite RocksDB"):
        RocksEngine(lsm_dir)


def test_a_second_engine_on_the_directory_is_refused(lsm_dir):
    engine = RocksEngine(lsm_dir)
    try:
        with pytest.raises(DirectoryLockedError, match="already in use"):
            RocksEngine(lsm_dir)
    finally:
        engine.close()


def test_an_unknown_sync_mode_is_refused(lsm_dir):
    with pytest.raises(ValueError, match="commitlog_sync must be one of"):
        RocksEngine(lsm_dir, commitlog_sync="sometimes")


ROW_SHAPES = [
    Row(LivenessInfo(5), None, {"a" * 200: Cell(b"v" * 300, 5), "b": Cell(b"", 5)}),  # plain
    Row(None, None, {"a": Cell(b"x", -5)}),  # plain, an UPDATE's row (no marker)
    Row(LivenessInfo(5), None, {}),  # plain: a marker alone
    Row(None, None, {}),
    Row(LivenessInfo(5), None, {"a": Cell(b"x", 6)}),  # two timestamps
    Row(LivenessInfo(5, 3, 99), None, {"a": Cell(b"x", 5)}),  # expiring marker
    Row(None, DeletionTime(3, 4), {}),
    Row(None, None, {"a": Cell(None, 5, 0, 7)}),  # cell tombstone
    Row(None, None, {"a": Cell(b"x", 5, 10, 70)}),  # expiring cell
    Row(None, None, {"m": ComplexColumn(DeletionTime(1, 2), SortedDict({b"k": Cell(b"v", 1)}))}),
]


@pytest.mark.parametrize("row", ROW_SHAPES, ids=range(len(ROW_SHAPES)))
def test_row_values_round_trip(row):
    assert decode_row(encode_row(row), b"k", "db") == row


def test_a_malformed_row_value_is_reported_with_its_key():
    value = encode_row(ROW_SHAPES[0])[:40]
    with pytest.raises(CorruptionError, match="Corrupt data in db: malformed row under key 6b"):
        decode_row(value, b"k", "db")


def test_reads_drop_rows_whose_tombstones_are_past_gc_grace(lsm_dir, monkeypatch):
    from cassalite.storage import rocks

    table = TableInfo("00000000-0000-0000-0000-0000000000bb", "ks", "t10",
                      {"gc_grace_seconds": 10})
    prefix = partition_prefix(table.table_id.encode() + b"\x00", decorate(b"p")) + b"\x02"
    engine = RocksEngine(lsm_dir)
    engine.create_table(table)
    t0 = rocks.now_seconds()
    cks = [struct.pack(">i", i) for i in range(3)]
    engine.apply([Mutation(table.table_id, b"p", Partition(rows=SortedDict({
        cks[0]: Row(None, DeletionTime(5, t0)),  # a deleted row
        cks[1]: Row(None, None, {"v": Cell(b"x", 5, 1, t0 + 1)}),  # expires in a second
        cks[2]: _row(5, b"kept")})))])

    def stored():
        return [k for k, _ in engine._db.items(from_key=prefix) if k.startswith(prefix)]

    engine.read_partition(table.table_id, b"p")
    assert stored() == [prefix + ck for ck in cks]  # within gc_grace: kept
    monkeypatch.setattr(rocks, "now_seconds", lambda: t0 + 12)
    view = engine.read_partition(table.table_id, b"p", now=t0 + 12)
    assert view.rows == [(cks[2], _row(5, b"kept"))]
    assert stored() == [prefix + cks[2]]
    engine.close()


@pytest.mark.parametrize("point", [False, True], ids=["slice", "point"])
def test_reads_purge_a_partition_under_a_deletion_past_gc_grace(lsm_dir, monkeypatch, point):
    from cassalite.storage import rocks

    table = TableInfo("00000000-0000-0000-0000-0000000000cc", "ks", "t10",
                      {"gc_grace_seconds": 10})
    engine = RocksEngine(lsm_dir)
    engine.create_table(table)
    t0 = rocks.now_seconds()
    cks = [struct.pack(">i", i) for i in range(3)]
    for update in (Partition(rows=SortedDict({ck: _row(5, b"old") for ck in cks})),
                   Partition(deletion=DeletionTime(6, t0)),
                   Partition(rows=SortedDict({cks[1]: _row(7, b"new")}))):
        engine.apply([Mutation(table.table_id, b"p", update)])
    monkeypatch.setattr(rocks, "now_seconds", lambda: t0 + 12)
    slices = [(cks[1], cks[1] + b"\x00")] if point else None
    view = engine.read_partition(table.table_id, b"p", slices, now=t0 + 12)
    assert view.rows == [(cks[1], _row(7, b"new"))]
    engine.close()
    # The deletion went, with the rows it shadowed; the newer row stayed.
    prefix = table.table_id.encode() + b"\x00"
    assert _keys(lsm_dir, prefix) == [
        partition_prefix(prefix, decorate(b"p")) + b"\x02" + cks[1]]
