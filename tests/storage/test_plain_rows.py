"""An INSERT's plain row (``CachedRow.plain``: names, values, the marker's timestamp) is
the general row it stands for, to every reader: equality, purge, projected reads, merges,
encodings (commit-log record, flush bytes and statistics) and the memory engine."""

from hypothesis import given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.engine import TableInfo
from cassalite.storage.lsm.encoding import (
    cell_head,
    encode_mutations,
    encode_partition,
    marker_row_tail,
    put_indexed_partition,
    row_record,
)
from cassalite.storage.memory import MemoryEngine
from cassalite.storage.model import (
    CachedRow,
    Cell,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
    live_row_values,
    live_values,
    merge_partition_into,
    merged_row,
    purge_row,
    purged_row,
    row_values,
    view_partition,
)

from .lsm_strategies import rows as general_rows

NAMES = ("a", "b", "c", "d")
stamps = st.integers(-(1 << 62), 1 << 62) | st.integers(990, 1010)
ldts = st.integers(0, 0x7FFFFFFF)
deletions = st.builds(DeletionTime, stamps, ldts)


@st.composite
def plain_pairs(draw, names=st.lists(st.sampled_from(NAMES), unique=True, max_size=4)):
    """(the plain row, its general twin), with or without the kept encoding."""
    chosen = tuple(draw(names))
    values = tuple(draw(st.binary(max_size=130)) for _ in chosen)
    ts = draw(stamps)
    tail = None
    if draw(st.booleans()):
        tail = marker_row_tail([x for n, v in zip(chosen, values) for x in (cell_head(n), v)])
    general = Row(LivenessInfo(ts), None, {n: Cell(v, ts) for n, v in zip(chosen, values)})
    return CachedRow.plain(ts, chosen, values, tail), general


def _general(row):
    """The general twin of ``row`` (itself unless it is plain)."""
    if row.values is None:
        return row
    return Row(LivenessInfo(row.timestamp), None,
               {n: Cell(v, row.timestamp) for n, v in zip(row.names, row.values)})


def _fresh(pair):
    """The same pair with a plain row whose liveness and cells were never made."""
    plain, general = pair
    return CachedRow.plain(plain.timestamp, plain.names, plain.values, plain.tail), general


@given(plain_pairs(), st.none() | deletions, st.integers(0, 2000))
def test_plain_row_is_its_general_row(pair, shadow, now):
    plain, general = pair
    assert _fresh(pair)[0].max_timestamp() == general.max_timestamp()
    live, expect = purge_row(_fresh(pair)[0], shadow, now), purge_row(general, shadow, now)
    assert live == expect and (live is None) == (expect is None)
    assert plain == general and general == plain
    assert plain.liveness == general.liveness and plain.cells == general.cells
    assert plain.deletion is None and plain.copy() == general.copy()
    assert repr(plain) == repr(general)


columns = st.lists(st.sampled_from(NAMES + ("z",)), max_size=5).map(tuple)
range_tombstones = st.lists(st.builds(RangeTombstone, st.binary(max_size=2),
                                      st.none() | st.binary(max_size=2), deletions),
                            max_size=2)
slices = st.none() | st.lists(st.binary(max_size=2), min_size=2, max_size=4, unique=True).map(
    lambda b: [(lo, hi) for lo, hi in zip(sorted(b)[::2], sorted(b)[1::2])])


@settings(max_examples=200)
@given(st.dictionaries(st.binary(max_size=2), plain_pairs() | general_rows.map(lambda r: (r, r)),
                       max_size=8),
       st.none() | deletions, range_tombstones, slices, st.booleans(), columns,
       st.none() | st.integers(1, 5), st.integers(0, 2000))
def test_projected_reads_of_plain_rows(pairs, pdel, rts, slices_, reverse, cols, limit, now):
    """``live_values``, ``live_row_values`` and ``view_partition`` of rows, plain ones
    among them, give what they give for the general twins."""
    rows = SortedDict({ck: _fresh(p)[0] if p[0] is not p[1] else p[0]
                       for ck, p in pairs.items()})
    twins = SortedDict({ck: p[1] for ck, p in pairs.items()})
    out, expect = [], []
    stopped = live_values(rows, slices_, reverse, pdel, rts, now, cols, limit, out)
    assert stopped == live_values(twins, slices_, reverse, pdel, rts, now, cols, limit, expect)
    assert out == expect
    for ck, row in rows.items():
        live = purged_row(ck, twins[ck], pdel, rts, now)
        assert live_row_values(ck, row, pdel, rts, now, cols) == (
            None if live is None else row_values(live.cells, cols))
    part, twin = Partition(pdel, list(rts), None, rows), Partition(pdel, list(rts), None, twins)
    assert view_partition(b"k", part, slices_, reverse, now, limit) == \
        view_partition(b"k", twin, slices_, reverse, now, limit)


@given(plain_pairs(), plain_pairs() | general_rows.map(lambda r: (r, r)), st.booleans())
def test_merges_of_plain_rows(pair, other, owned):
    plain, general = _fresh(pair)
    other_plain, other_general = _fresh(other) if other[0] is not other[1] else other
    assert merged_row(plain, other_plain) == merged_row(general, other_general)
    assert merged_row(other_plain, plain) == merged_row(other_general, general)
    target, expect = Partition(rows=SortedDict({b"x": other_plain})), \
        Partition(rows=SortedDict({b"x": other_general}))
    merge_partition_into(target, Partition(rows={b"x": plain, b"y": _fresh(pair)[0]}), owned)
    merge_partition_into(expect, Partition(rows={b"x": general, b"y": general}), owned)
    assert target == expect
    assert other_plain == other_general  # copy-on-write: the rows merged are unchanged


@given(st.dictionaries(st.binary(max_size=3), plain_pairs(), min_size=1, max_size=6),
       st.binary(max_size=3))
def test_plain_rows_encode_as_general_rows(pairs, pk):
    """The commit-log record and the flush's bytes, row offsets and statistics of plain
    rows are those of the general rows (cached or not)."""
    for ck, pair in pairs.items():
        plain, general = _fresh(pair)
        cached = CachedRow(general.liveness, None, general.cells)
        expect = encode_mutations([Mutation("t", pk, Partition(rows={ck: general}))])
        assert encode_mutations([Mutation("t", pk, Partition(rows={ck: plain}))]) == expect
        record = row_record("t", pk, ck, plain)
        assert record == row_record("t", pk, ck, cached)
        assert record is None or (record[0], [record[1]]) == expect
    plain = Partition(rows=SortedDict({ck: _fresh(p)[0] for ck, p in pairs.items()}))
    general = Partition(rows=SortedDict({ck: p[1] for ck, p in pairs.items()}))
    cached = Partition(rows=SortedDict({ck: CachedRow(p[1].liveness, None, p[1].cells)
                                        for ck, p in pairs.items()}))
    assert encode_partition(plain) == encode_partition(general)
    encode_partition(cached)  # the cached rows keep their tails, as the plain ones may
    got, from_general = bytearray(), bytearray()
    keys, offsets, base, summary = put_indexed_partition(got, plain)
    assert (keys, offsets, base) == put_indexed_partition(from_general, general)[:3]
    assert got == from_general
    with_tails = Partition(rows=SortedDict({ck: _fresh(p)[0] for ck, p in pairs.items()
                                            if p[0].tail is not None}))
    if with_tails.rows:
        expect_summary = put_indexed_partition(bytearray(), Partition(rows=SortedDict(
            {ck: cached.rows[ck] for ck in with_tails.rows})))[3]
        assert put_indexed_partition(bytearray(), with_tails)[3] == expect_summary


@settings(max_examples=50)
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=2), st.binary(max_size=2),
                          plain_pairs() | general_rows.map(lambda r: (r, r))), max_size=10),
       columns, st.integers(0, 2000))
def test_memory_engine_reads_plain_rows_as_general_ones(writes, cols, now):
    engines = []
    for which in (0, 1):
        engine = MemoryEngine()
        engine.create_table(TableInfo("t", "ks", "t", {}))
        for pk, ck, pair in writes:
            row = _fresh(pair)[0] if which == 0 and pair[0] is not pair[1] else pair[1]
            engine.write_row("t", pk, ck, row)
        engines.append(engine)
    plain, general = engines
    for pk in {pk for pk, _, _ in writes}:
        assert plain.read_partition("t", pk, now=now) == general.read_partition("t", pk, now=now)
        assert plain.read_rows("t", pk, now=now, columns=cols) == \
            general.read_rows("t", pk, now=now, columns=cols)
        for _, ck, _ in writes:
            point = [(ck, ck + b"\x00")]
            assert plain.read_rows("t", pk, point, now=now, columns=cols) == \
                general.read_rows("t", pk, point, now=now, columns=cols)
