"""A flush warms its new SSTable's key and header caches from what the writer knew
(SSTableWriter.warm_entries) rather than decoding the files again: the same entries and
headers as decoding them (SSTableReader.warm without entries)."""
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage import murmur3
from cassalite.storage.lsm.sstable import ChunkCache, SSTableOptions, SSTableReader, SSTableWriter
from cassalite.storage.model import CachedRow, LivenessInfo, Partition

from .conftest import fast_tmpdir
from .lsm_strategies import partitions


def _header(head):
    p, *rest = head
    return (p.deletion, p.range_tombstones, p.static_row, *rest)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.tuples(st.binary(min_size=1, max_size=12), partitions), min_size=1,
                      max_size=25, unique_by=lambda kp: kp[0]),
       chunk=st.sampled_from([64, 4096]), keep=st.sampled_from([200, 1 << 20]))
def test_warm_from_the_writer_equals_warm_by_decoding(parts, chunk, keep):
    directory = fast_tmpdir()
    try:
        opts = SSTableOptions(chunk_length=chunk, row_index_threshold=64, row_block_size=16)
        w = SSTableWriter(directory, 1, opts, len(parts), keep_chunks=keep)
        for dk, p in sorted((murmur3.decorate(k), p) for k, p in parts):
            rows = SortedDict({ck: CachedRow(LivenessInfo(7), None, {}) if i % 2 else r
                               for i, (ck, r) in enumerate(p.rows.items())})
            w.append(dk, Partition(p.deletion, p.range_tombstones, p.static_row, rows))
        w.finish((0, 0))
        given_ = SSTableReader(directory, 1, ChunkCache())
        given_.warm(w.kept_chunks, w.warm_entries)
        decoded = SSTableReader(directory, 1, ChunkCache())
        decoded.warm(w.kept_chunks)
        assert given_._keys == decoded._keys
        assert keep < (1 << 20) or len(given_._keys) == len(parts)  # all kept: all warm
        assert {pos: _header(h) for pos, h in given_._heads.items()} == \
            {pos: _header(h) for pos, h in decoded._heads.items()}
        assert given_._keys == {dk: decoded.find(dk) for dk in given_._keys}
        given_.close()
        decoded.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
