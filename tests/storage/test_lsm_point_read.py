"""Exact-key reads of a wide partition (one with a row index): the reader opens only the
partition header and the row-index block that can hold the key, whatever block it is,
and merges versions from SSTables and the memtable as a whole-partition read would."""

import struct

from sortedcontainers import SortedDict

from cassalite.storage import murmur3
from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm import LSMEngine
from cassalite.storage.model import (
    Cell,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
)

WIDE = TableInfo("point000-0000-0000-0000-000000000001", "ks", "point", {})
ROWS = 300


def ck(j):
    return struct.pack(">I", j)


def put(e, j, value, ts):
    row = Row(LivenessInfo(ts), None, {"v": Cell(value, ts)})
    e.apply([Mutation(WIDE.table_id, b"big", Partition(rows=SortedDict({ck(j): row})))])


def point(e, j):
    view = e.read_rows(WIDE.table_id, b"big", [(ck(j), ck(j) + b"\x00")], columns=("v",))
    return None if view is None else [(k, values) for k, values in view.rows]


def test_point_reads_of_every_row_block_across_versions(lsm_dir):
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    e.create_table(WIDE)
    for j in range(ROWS):
        put(e, j, b"a%03d" % j + b"." * 200, 10)
    e.flush()
    for j in range(0, ROWS, 7):
        put(e, j, b"b%03d" % j, 20)
    deleted = Row(None, DeletionTime(30, 1000), {})
    rt = RangeTombstone(ck(100), ck(110), DeletionTime(30, 1000))
    e.apply([Mutation(WIDE.table_id, b"big",
                      Partition(range_tombstones=[rt], rows=SortedDict({ck(50): deleted})))])
    e.flush()
    for j in range(0, ROWS, 11):
        put(e, j, b"c%03d" % j, 40)
    ssts = e._tables[WIDE.table_id].sstables
    assert len(ssts) == 2
    blocks = [len(s.find(murmur3.decorate(b"big"))[3] or ()) for s in ssts]
    assert max(blocks) > 20  # the first version has row-index blocks to choose from
    for j in list(range(ROWS)) + [ROWS, ROWS + 5]:
        if j >= ROWS or j == 50 or 100 <= j < 110 and j % 11:
            want = None
        elif j % 11 == 0:
            want = [(ck(j), [b"c%03d" % j])]
        elif j % 7 == 0:
            want = [(ck(j), [b"b%03d" % j])]
        else:
            want = [(ck(j), [b"a%03d" % j + b"." * 200])]
        assert point(e, j) == want, j
    e.close()


def test_point_read_loads_only_the_chunks_of_its_block(lsm_dir):
    e = LSMEngine(lsm_dir, compaction_in_background=False, memtable_size_bytes=1 << 30)
    e.create_table(WIDE)
    blob = bytes(range(256)) * 12  # poorly compressible: ~3 KB per row
    for j in range(200):
        put(e, j, blob + ck(j), 10)
    rt = RangeTombstone(ck(120), ck(130), DeletionTime(30, 1000))  # kept in the header
    e.apply([Mutation(WIDE.table_id, b"big", Partition(range_tombstones=[rt]))])
    put(e, 125, b"back", 40)
    e.flush()
    (sst,) = e._tables[WIDE.table_id].sstables
    e.chunk_cache._map.clear()
    before = sst.chunk_loads
    assert point(e, 150) == [(ck(150), [blob + ck(150)])]
    # the header's chunk and the row's (~3 KB, at most two chunks), not the 600 KB
    assert sst.chunk_loads - before <= 3
    for j in range(201):  # one SSTable: rows decoded straight from the opened block
        if j == 200 or 120 <= j < 130 and j != 125:
            want = None
        else:
            want = [(ck(j), [b"back" if j == 125 else blob + ck(j)])]
        assert point(e, j) == want, j
    e.close()
