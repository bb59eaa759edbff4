"""Index.db block decoding: the inline fast paths read what a field-by-field decode reads;
a format 2 block finds each of its entries by its key table (and nothing else), a format 1
block (SSTables written before the entry table existed) still reads the same; a block
that ends inside an entry is refused with where that entry starts."""

import os
import shutil
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage import murmur3
from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.encoding import get_bytes, get_uvarint, put_bytes, put_uvarint
from cassalite.storage.lsm.index_block import IndexBlock, IndexBlockError, parse_index_block
from cassalite.storage.lsm.sstable import (
    ChunkCache,
    SSTableOptions,
    SSTableReader,
    SSTableWriter,
    component_path,
)
from cassalite.storage.model import Cell, LivenessInfo, Mutation, Partition, Row

from .conftest import fast_tmpdir

T = TableInfo("idxblk00-0000-0000-0000-000000000001", "ks", "idx", {})


def field_by_field(raw: bytes, length: int) -> list:
    entries, pos = [], 0
    while pos < length:
        dk, pos = get_bytes(raw, pos)
        dpos, pos = get_uvarint(raw, pos)
        size, pos = get_uvarint(raw, pos)
        nb, pos = get_uvarint(raw, pos)
        cks = offs = None
        if nb:
            cks, offs = [], []
            for _ in range(nb):
                ck, pos = get_bytes(raw, pos)
                o, pos = get_uvarint(raw, pos)
                cks.append(ck)
                offs.append(o)
        entries.append((dk, dpos, size, cks, offs))
    return entries


def entries_length(raw: bytes, length: int) -> int:
    """Where a format 2 block's entry table starts."""
    (count,) = struct.unpack_from("<I", raw, length - 4)
    return length - 4 - 4 * count


def test_blocks_decode_as_field_by_field(lsm_dir):
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    e.create_table(T)
    blob = bytes(range(256)) * 4  # ~1 KB, poorly compressible
    # short and 200-byte partition keys, narrow and wide (row-indexed, offsets past 16 KiB)
    keys = [b"p%d" % i for i in range(70)] + [b"k" * 200 + b"%d" % i for i in range(5)]
    for n, pk in enumerate(keys):
        rows = 200 if n % 9 == 0 else 3
        for j in range(rows):
            row = Row(LivenessInfo(10), None, {"v": Cell(blob, 10)})
            e.apply([Mutation(T.table_id, pk,
                              Partition(rows=SortedDict({struct.pack(">I", j): row})))])
    e.flush()
    (sst,) = e._tables[T.table_id].sstables
    assert sst.index_tables
    seen = wide = 0
    for i in range(len(sst.sum_keys)):
        length = sst.sum_lens[i]
        raw = os.pread(sst._index_fd, length + 4, sst.sum_offs[i])
        end = entries_length(raw, length)
        entries = parse_index_block(raw, end)
        assert entries == field_by_field(raw, end)
        block = IndexBlock(raw, length, True)
        assert [block.find(x[0]) for x in entries] == entries
        assert block.entries() == entries
        assert block.find(entries[0][0] + b"\0") is None
        seen += len(entries)
        wide += sum(1 for x in entries if x[3] and x[4][-1] > 16384)
        cut = end - 3  # inside the last entry
        with pytest.raises(IndexBlockError) as err:
            parse_index_block(raw[:cut], cut)
        assert err.value.pos == _start_of_last(entries)
    assert seen == len(keys)
    assert wide == 9
    e.close()


def test_entry_table_damage_is_refused():
    out = bytearray()
    starts = []
    for dk in (b"a", b"b", b"c"):
        starts.append(len(out))
        put_bytes(out, dk)
        out += b"\x00\x05\x00"  # position 0, size 5, no row index
    good = bytes(out) + struct.pack("<3II", *starts, 3)
    assert IndexBlock(good, len(good), True).find(b"b") == (b"b", 0, 5, None, None)
    assert starts == [0, 5, 10]
    for bad in (struct.pack("<3II", 0, 10, 5, 3), struct.pack("<3II", 5, 10, 12, 3),
                struct.pack("<3II", 0, 5, 15, 3), struct.pack("<I", 9)):
        raw = bytes(out) + bad
        with pytest.raises(IndexBlockError):
            IndexBlock(raw, len(raw), True)
    swapped = bytes(out[5:10]) + bytes(out[:5]) + bytes(out[10:])  # keys b, a, c
    with pytest.raises(IndexBlockError):
        IndexBlock(swapped + struct.pack("<3II", 0, 5, 10, 3), len(swapped) + 16, True)
    # an entry that does not fill its slot up to the next one
    raw = bytes(out[:5]) + b"\x00" + bytes(out[5:]) + struct.pack("<3II", 0, 6, 11, 3)
    block = IndexBlock(raw, len(raw), True)
    assert block.find(b"c") == (b"c", 0, 5, None, None)
    with pytest.raises(IndexBlockError) as err:
        block.find(b"a")
    assert err.value.pos == 0


def downgrade_to_format1(directory: str, gen: int) -> None:
    """Rewrite an SSTable's Index.db and Summary.db as format 1 (no entry tables)."""
    sm = open(component_path(directory, gen, "Summary.db"), "rb").read()
    index = open(component_path(directory, gen, "Index.db"), "rb").read()
    assert sm[:4] == b"SUM2"
    interval, pos = get_uvarint(sm, 4)
    count, pos = get_uvarint(sm, pos)
    new_index = bytearray()
    new_sm = bytearray(b"SUM1")
    put_uvarint(new_sm, interval)
    put_uvarint(new_sm, count)
    for _ in range(count):
        dk, pos = get_bytes(sm, pos)
        off, pos = get_uvarint(sm, pos)
        length, pos = get_uvarint(sm, pos)
        block = index[off:off + entries_length(index[off:off + length], length)]
        put_bytes(new_sm, dk)
        put_uvarint(new_sm, len(new_index))
        put_uvarint(new_sm, len(block))
        new_index += block + struct.pack("<I", zlib.crc32(block))
    new_sm += sm[pos:-4]  # first and last keys
    new_sm += struct.pack("<I", zlib.crc32(new_sm))
    for component, data in (("Index.db", new_index), ("Summary.db", new_sm)):
        with open(component_path(directory, gen, component), "wb") as f:
            f.write(data)


def test_format1_sstables_stay_readable(lsm_dir):
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    e.create_table(T)
    for n in range(100):
        rows = {struct.pack(">I", j): Row(LivenessInfo(10), None, {"v": Cell(b"%d" % j, 10)})
                for j in range(60 if n % 10 == 0 else 2)}
        e.apply([Mutation(T.table_id, b"k%d" % n, Partition(rows=SortedDict(rows)))])
    e.flush()

    def everything():
        return [(v.pk, list(v.rows)) for v in e.scan_rows(T.table_id, columns=("v",))]

    def points():
        return [e.read_rows(T.table_id, b"k%d" % n, [(c, c + b"\0")], columns=("v",)).rows
                for n in range(0, 100, 10) for c in (struct.pack(">I", j) for j in (0, 33))]

    want_scan, want_points = everything(), points()
    (sst,) = e._tables[T.table_id].sstables
    d, gen = sst.directory, sst.gen
    e.close()
    downgrade_to_format1(d, gen)
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    (sst,) = e._tables[T.table_id].sstables
    assert not sst.index_tables
    assert everything() == want_scan
    assert points() == want_points
    sst.verify()
    e.close()


partition_keys = st.one_of(st.binary(min_size=1, max_size=20), st.binary(min_size=120,
                                                                         max_size=300))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(partition_keys, min_size=1, max_size=60, unique=True),
       absent=st.lists(partition_keys, max_size=10),
       interval=st.integers(1, 9), wide=st.integers(0, 4))
def test_find_agrees_with_whole_block_decode(keys, absent, interval, wide):
    """Every key is found by its entry table as a whole-block (format 1) decode finds it,
    absent keys are not found, and scans list the same entries."""
    directory = fast_tmpdir()
    try:
        opts = SSTableOptions(index_interval=interval, row_index_threshold=64,
                              row_block_size=16)
        dks = sorted(murmur3.decorate(k) for k in keys)
        w = SSTableWriter(directory, 1, opts, len(dks))
        for n, dk in enumerate(dks):
            rows = 1 + (wide * 7 if n % 3 == 0 else 0)
            w.append(dk, Partition(rows=SortedDict({
                struct.pack(">I", j): Row(LivenessInfo(5), None, {"v": Cell(b"x" * 9, 5)})
                for j in range(rows)})))
        w.finish((0, 0))
        new = SSTableReader(directory, 1, ChunkCache())
        found = [new.find(dk) for dk in dks]
        missing = [new.find(murmur3.decorate(k)) for k in absent if k not in keys]
        listed = list(new.entries())
        new.close()
        downgrade_to_format1(directory, 1)
        old = SSTableReader(directory, 1, ChunkCache())
        assert not old.index_tables
        assert found == [old.find(dk) for dk in dks]
        assert all(e is not None and e[0] == dk for e, dk in zip(found, dks))
        assert missing == [None] * len(missing)
        assert listed == list(old.entries()) == found
        old.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _start_of_last(entries: list) -> int:
    return sum(_encoded_len(x) for x in entries[:-1])


def _encoded_len(entry) -> int:
    """The encoded length of ``entry``."""
    dk, dpos, size, cks, offs = entry
    n = _vlen(len(dk)) + len(dk) + _vlen(dpos) + _vlen(size) + _vlen(len(cks or ()))
    for ck, o in zip(cks or (), offs or ()):
        n += _vlen(len(ck)) + len(ck) + _vlen(o)
    return n


def _vlen(v: int) -> int:
    n = 1
    while v >= 0x80:
        v >>= 7
        n += 1
    return n
