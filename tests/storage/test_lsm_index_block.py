"""Index.db block decoding: the inline fast paths read what a field-by-field decode reads,
and a block that ends inside an entry is refused with where that entry starts."""

import os
import struct

import pytest
from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.lsm.encoding import get_bytes, get_uvarint
from cassalite.storage.lsm.index_block import IndexBlockError, parse_index_block
from cassalite.storage.model import Cell, LivenessInfo, Mutation, Partition, Row

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
    seen = wide = 0
    for i in range(len(sst.sum_keys)):
        length = sst.sum_lens[i]
        raw = os.pread(sst._index_fd, length + 4, sst.sum_offs[i])
        entries = parse_index_block(raw, length)
        assert entries == field_by_field(raw, length)
        seen += len(entries)
        wide += sum(1 for x in entries if x[3] and x[4][-1] > 16384)
        cut = length - 3  # inside the last entry
        with pytest.raises(IndexBlockError) as err:
            parse_index_block(raw[:cut], cut)
        assert err.value.pos == _start_of_last(entries)
    assert seen == len(keys)
    assert wide == 9
    e.close()


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
