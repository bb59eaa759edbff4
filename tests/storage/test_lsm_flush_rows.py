"""A flush writes a SortedDict's rows in one pass (encoding._put_sorted_rows): the same
bytes and offsets as _put_row row by row, and the same statistics as walking every row."""
import random

from hypothesis import given, settings
from sortedcontainers import SortedDict

from cassalite.storage.lsm import encoding as E
from cassalite.storage.lsm.stats import Stats
from cassalite.storage.model import CachedRow, Cell, DeletionTime, LivenessInfo, Partition, Row

from .lsm_strategies import partitions


def _partition(rnd: random.Random) -> Partition:
    rows = SortedDict()
    base = rnd.choice([0, 10**15, 1 << 40])
    for _ in range(rnd.randrange(2, 30)):
        ck = bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 8, 200])))
        ts = base + rnd.choice([0, 1, -1, 100, -100, 10**4, 10**6, -10**6, 10**9, 10**12,
                                -10**12])
        kind = rnd.random()
        if kind < 0.7:  # an INSERTed row that kept its encoding
            cells = {f"c{j}": Cell(b"x" * rnd.choice([1, 200, 20000]), ts)
                     for j in range(rnd.choice([1, 2, 130]))}
            row = CachedRow(LivenessInfo(ts), None, cells)
            plain: list = []
            for name, c in cells.items():
                plain += (E.cell_head(name), c.value)
            row.tail = E.marker_row_tail(plain)
        elif kind < 0.8:
            row = Row(LivenessInfo(ts, 100, 5000), None, {"a": Cell(b"y", ts + 5, 100, 5000)})
        elif kind < 0.9:
            row = Row(None, DeletionTime(ts - 3, 77), {})
        else:
            row = Row(LivenessInfo(ts), None, {"a": Cell(None, ts + 7, 0, 66)})
        rows[ck] = row
    deletion = DeletionTime(base, 5) if rnd.random() < 0.1 else None
    return Partition(deletion, [], None, rows)


def test_sorted_rows_same_bytes_offsets_and_stats():
    rnd = random.Random(16)
    for _ in range(500):
        p = _partition(rnd)
        fused, fused_offsets = bytearray(), []
        summary = E.put_partition(fused, p, fused_offsets)
        base = E._base_timestamp(p)
        plain, plain_offsets = bytearray(), []
        E.put_partition_header(plain, p, base)
        for ck, row in p.rows.items():
            plain_offsets.append((ck, len(plain)))
            E._put_row(plain, ck, row, base)
        assert fused == plain and fused_offsets == plain_offsets
        with_summary, walked = Stats(created_at=0), Stats(created_at=0)
        with_summary.add_partition(b"k", p, len(fused), summary)
        walked.add_partition(b"k", p, len(fused))
        assert vars(with_summary) == vars(walked)


def _as_cached(p: Partition) -> Partition:
    """``p`` with its rows as the prepared-statement writer's CachedRows, whose tails
    the commit log's encoding made (and kept where a flush may copy them)."""
    rows = SortedDict({ck: CachedRow(r.liveness, r.deletion, r.cells) if r.liveness else r
                       for ck, r in p.rows.items()})
    cached = Partition(p.deletion, p.range_tombstones, p.static_row, rows)
    E.encode_partition(cached)
    return cached


@settings(max_examples=300, deadline=None)
@given(partitions)
def test_flush_of_rows_with_kept_tails_same_bytes_offsets_and_stats(p):
    """Whatever rows kept their tails (TTLs, tombstones, any timestamps), the writer's
    pass gives put_partition's bytes and offsets and the statistics of a walk."""
    cached = _as_cached(p)
    expect = E.encode_partition(p)
    out, offsets = bytearray(), []
    summary = E.put_partition(out, cached, offsets)
    assert out == expect
    assert [ck for ck, _ in offsets] == list(p.rows.keys())
    check = bytearray()
    E.put_partition_header(check, p, E._base_timestamp(p))
    for ck, off in offsets:
        assert off == len(check)
        E._put_row(check, ck, p.rows[ck], E._base_timestamp(p))
    with_summary, walked = Stats(created_at=0), Stats(created_at=0)
    with_summary.add_partition(b"k", cached, len(out), summary)
    walked.add_partition(b"k", p, len(out))
    assert vars(with_summary) == vars(walked)


def test_only_plain_rows_keep_their_tails():
    """A tail is kept only for what the flush's summary takes it for (no TTL, no
    tombstone, every cell at the marker's timestamp)."""
    def row(liveness, cells):
        r = CachedRow(liveness, None, cells)
        E.encode_partition(Partition(None, [], None, SortedDict({b"c": r})))
        return r.tail is not None
    assert row(LivenessInfo(5), {"a": Cell(b"v", 5)})
    assert not row(LivenessInfo(5, 10, 99), {"a": Cell(b"v", 5, 10, 99)})
    assert not row(LivenessInfo(5), {"a": Cell(None, 5, 0, 7)})
    assert not row(LivenessInfo(5), {"a": Cell(b"v", 6)})


def test_row_head_tables():
    """The flush's lookup tables hold what their definitions say (they are built by
    slicing laid-out byte strings)."""
    heads, short, longer = E._row_heads()
    span = range(1 << 14)
    assert heads == [bytes((0x80 | (n & 0x7F), n >> 7, E.R_LIVENESS)) for n in span]
    assert short == [E.uvarint_bytes(v) for v in span]
    assert longer == [bytes(((v & 0x7F) | 0x80, (v >> 7) | 0x80)) for v in span]
    assert {type(b) for b in heads + short + longer} == {bytes}
