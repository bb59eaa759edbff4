"""``StorageEngine.write_row`` (one row, no mutation built) does what ``apply`` of the
one-row mutation does: the same partitions, the same commit-log records, the same memtable
size accounting (which decides when to flush), on the memory and LSM engines."""

import shutil

from hypothesis import given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedList

from cassalite.storage import rowput
from cassalite.storage.engine import StorageEngine, TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.commitlog import HEADER_SIZE
from cassalite.storage.lsm.encoding import encode_mutations, encode_partition
from cassalite.storage.lsm.memtable import BYTES_OVERHEAD, PARTITION_OVERHEAD, ROW_OVERHEAD
from cassalite.storage.memory import MemoryEngine
from cassalite.storage.model import CachedRow, Cell, LivenessInfo, Mutation, Partition, Row

from .conftest import fast_tmpdir
from .lsm_strategies import rows, timestamps

TABLE = TableInfo("0f0e0d0c-0b0a-0908-0706-050403020100", "ks", "t", {})

#: what a prepared INSERT writes: a non-expiring marker and live cells at its timestamp
insert_rows = st.builds(
    lambda ts, cells: Row(LivenessInfo(ts), None, {n: Cell(v, ts) for n, v in cells.items()}),
    timestamps, st.dictionaries(st.sampled_from(["a", "v", "x" * 200]),
                                st.binary(max_size=300), max_size=3))

#: (pk, ck, row, as a CachedRow, its tail encoded before the write): a few keys, so that
#: writes land in new partitions, new rows of a partition and over rows already there
writes = st.lists(st.tuples(st.sampled_from([b"a", b"b", b"k" * 130]),
                            st.sampled_from([b"", b"\x01", b"\x02", b"\x03", b"c" * 130]),
                            st.one_of(insert_rows, rows), st.booleans(), st.booleans()),
                  max_size=12)


def _row(row: Row, cached: bool, encoded: bool) -> Row:
    """A fresh copy (each engine owns what it is given)."""
    if not cached:
        return Row(row.liveness, row.deletion, dict(row.cells))
    out = CachedRow(row.liveness, row.deletion, dict(row.cells))
    if encoded and row.liveness is not None:
        encode_partition(Partition(rows={b"": out}))  # keeps the tail, as the writer does
    return out


def _write(engine: StorageEngine, batch, one_row: bool) -> None:
    for pk, ck, row, cached, encoded in batch:
        row = _row(row, cached, encoded)
        if one_row:
            engine.write_row(TABLE.table_id, pk, ck, row)
        else:
            engine.apply([Mutation(TABLE.table_id, pk, Partition(rows={ck: row}))])


@settings(max_examples=60, deadline=None)
@given(writes)
def test_memory_engine_write_row_is_apply(batch):
    engines = [MemoryEngine(), MemoryEngine()]
    for engine, one_row in zip(engines, (True, False)):
        engine.create_table(TABLE)
        _write(engine, batch, one_row)
    fast, general = (dict(e._tables[TABLE.table_id].items()) for e in engines)
    assert fast == general
    for partition in fast.values():  # the rows' key order, kept by put_row
        partition.rows._list._check()
        assert list(partition.rows) == sorted(dict.keys(partition.rows))


def _lsm_state(engine: LSMEngine):
    log = engine.commitlog._active
    table = engine._tables[TABLE.table_id]
    return (dict(table.memtable.partitions.items()), table.memtable.size, table.writes,
            engine.memtable_bytes, bytes(log.map[HEADER_SIZE:log.size]))


def _expected_size(batch) -> int:
    """The memtable's size estimate, as documented in ``lsm.memtable``: each write's
    encoded size and a row's overhead, a new partition's overhead, and for a row added to
    a partition already there the encoding a CachedRow keeps (its tail)."""
    size, seen = 0, set()
    for pk, ck, row, cached, encoded in batch:
        row = _row(row, cached, encoded)
        _, sizes = encode_mutations([Mutation(TABLE.table_id, pk, Partition(rows={ck: row}))])
        size += sizes[0] + ROW_OVERHEAD
        if (pk, None) not in seen:
            size += PARTITION_OVERHEAD
        elif (pk, ck) not in seen and cached and row.tail is not None:
            size += BYTES_OVERHEAD + len(row.tail)
        seen.update(((pk, None), (pk, ck)))
    return size


@settings(max_examples=40, deadline=None)
@given(writes)
def test_lsm_engine_write_row_is_apply(batch):
    states = []
    for one_row in (True, False):
        path = fast_tmpdir()
        try:
            engine = LSMEngine(path, compaction_in_background=False, flush_on_close=False)
            try:
                engine.create_table(TABLE)
                _write(engine, batch, one_row)
                states.append(_lsm_state(engine))
            finally:
                engine.close()
        finally:
            shutil.rmtree(path, ignore_errors=True)
    assert states[0] == states[1]
    assert states[0][1] == _expected_size(batch)


def test_default_write_row_applies_the_one_row_mutation():
    """Engines without their own write_row (RocksDB) get the interface's, which applies
    the mutation ``apply`` would have been given."""
    seen = []

    class Recorder(MemoryEngine):
        def apply(self, mutations):
            seen.extend(mutations)

    row = Row()
    StorageEngine.write_row(Recorder(), TABLE.table_id, b"pk", b"ck", row)
    assert seen == [Mutation(TABLE.table_id, b"pk", Partition(rows={b"ck": row}))]
    assert type(seen[0].update.rows) is dict


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["front", "end", "any"]), st.binary(max_size=3)),
                max_size=120), st.integers(4, 8))
def test_keys_added_at_either_end_as_sorted_list_adds_them(steps, load):
    """put_row's key insertion (a key before the first or after the last without a
    search) keeps the SortedList what ``add`` makes, across sublist splits and with a
    positional index in use."""
    assert rowput._self_test()
    ref, fast = SortedList(), SortedList()
    ref._reset(load)
    fast._reset(load)
    for i, (where, key) in enumerate(steps):
        if where == "front" and ref:
            key = ref[0][:-1] if ref[0] else b""  # a prefix sorts first
        elif where == "end" and ref:
            key = ref[-1] + key + b"\x00"
        if key in ref:
            continue
        ref.add(key)
        rowput._add_at_an_end(fast, key)
        if i % 7 == 0:
            assert fast[len(fast) // 2] == ref[len(ref) // 2]  # builds the index
    fast._check()
    assert list(fast) == list(ref)
