"""encoding.get_live_rows (projected rows decoded straight from an SSTable's bytes) against
the general path: get_rows_until, then purged_row and row_values one row at a time. Rows
nothing can shadow that have the usual shape (an INSERT's: a non-expiring marker and
plain cells) take a loop of their own (``_plain_live_rows``), the others the general one
(``_live_rows``): the partitions mix both, the way an INSERT's row next to an UPDATE's or
an expiring one would."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.lsm.encoding import (
    _live_rows,
    _row_head,
    cell_head,
    get_live_rows,
    get_partition_header,
    get_rows_until,
    marker_row_tail,
    name_index,
    put_partition,
)
from cassalite.storage.model import (
    MIN_TIMESTAMP,
    CachedRow,
    Cell,
    LivenessInfo,
    Partition,
    purged_row,
    row_values,
)

from .lsm_strategies import cells, complex_cols, deletions, range_tombstones
from .lsm_strategies import rows as general_rows

NOW = 1_000_050
LONG = "l" * 130  # a name of 128+ bytes: its length prefix takes two bytes
NAMES = ["a", "b", "c", LONG]
names = st.sampled_from(NAMES)
values = st.one_of(st.binary(max_size=4), st.binary(min_size=126, max_size=300))
# timestamps whose deltas against a row's take each varint length
timestamps = st.builds(lambda k, d: 1_000_000 + (d << (7 * k)), st.integers(0, 8),
                       st.integers(-60, 60))


@st.composite
def plain_rows(draw):
    """An INSERT's row: a non-expiring marker and live, non-expiring cells, at its own
    timestamp (then encoded from its kept tail, as a flush writes it) or at others."""
    ts = draw(timestamps)
    chosen = draw(st.lists(names, unique=True, max_size=4))
    vals = [draw(values) for _ in chosen]
    if draw(st.booleans()):
        row = CachedRow(LivenessInfo(ts), None, {n: Cell(v, ts) for n, v in zip(chosen, vals)})
        row.tail = marker_row_tail([x for n, v in zip(chosen, vals) for x in (cell_head(n), v)])
        return row
    return CachedRow(LivenessInfo(ts), None,
                     {n: Cell(v, draw(timestamps)) for n, v in zip(chosen, vals)})


odd_rows = st.one_of(
    general_rows,
    st.builds(lambda ts, c: CachedRow(LivenessInfo(ts), None, c), timestamps,
              st.dictionaries(names, st.one_of(cells, complex_cols), max_size=4)),
)
keys = st.one_of(st.binary(max_size=3),
                 st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=1),
                           st.integers(128, 130)))  # a length prefix of two bytes
bounds = st.one_of(st.none(), st.binary(max_size=3))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rowmap=st.dictionaries(keys, st.one_of(plain_rows(), plain_rows(), odd_rows),
                              max_size=8),
       lo=bounds, hi=bounds, pdel=st.one_of(st.none(), st.none(), deletions),
       rts=st.one_of(st.just([]), st.just([]), st.lists(range_tombstones, max_size=2)),
       columns=st.lists(names, min_size=1, max_size=4, unique=True).map(tuple),
       limit=st.one_of(st.none(), st.integers(1, 6)), prefix=st.integers(0, 2))
def test_get_live_rows_matches_the_general_path(rowmap, lo, hi, pdel, rts, columns, limit,
                                                prefix):
    assume(MIN_TIMESTAMP not in _timestamps(rowmap))  # CQL refuses it; reads assume so
    buf = bytearray()
    put_partition(buf, Partition(rows=SortedDict(rowmap)))
    buf = bytes(buf)
    _, base, _, start = get_partition_header(buf, 0)
    end = len(buf)
    floor = MIN_TIMESTAMP if pdel is None else pdel.marked_at
    names_ = name_index(columns)
    out = [(b"earlier", [b"x"])] * prefix  # rows a previous version already appended
    stop = None if limit is None else limit + prefix
    reached = get_live_rows(buf, start, end, base, lo, hi, names_, len(columns), floor, rts,
                            NOW, out, stop)
    rows: list = []
    get_rows_until(buf, start, end, base, lo, hi, rows)
    expected = []
    for ck, row in rows:
        live = purged_row(ck, row, pdel, rts, NOW)
        if live is not None:
            expected.append((ck, row_values(live.cells, columns)))
            if limit is not None and len(expected) >= limit:
                break
    assert out[prefix:] == expected
    # the general loop alone, from the first row at or after lo: same rows, same position
    general = [(b"earlier", [b"x"])] * prefix
    assert _live_rows(buf, _skip(buf, start, end, lo, hi), end, base, hi, names_,
                      len(columns), floor, rts, NOW, general, stop) == reached
    assert general == out


def _timestamps(rowmap: dict) -> set:
    out = set()
    for row in rowmap.values():
        out |= {row.liveness.timestamp} if row.liveness is not None else set()
        out |= {row.deletion.marked_at} if row.deletion is not None else set()
        for data in row.cells.values():
            if type(data) is Cell:
                out.add(data.timestamp)
            else:
                out |= {c.timestamp for c in data.cells.values()}
                out |= {data.deletion.marked_at} if data.deletion is not None else set()
    return out


def _skip(buf, pos: int, end: int, lo, hi) -> int:
    """The start of the first row at or after ``lo`` (or at or after ``hi``)."""
    while lo is not None and pos < end:
        ck_start, ck_end, nxt = _row_head(buf, pos)
        ck = buf[ck_start:ck_end]
        if ck >= lo or (hi is not None and ck >= hi):
            break
        pos = nxt
    return pos


def test_an_insert_row_decodes_to_its_values():
    """The usual shape, written from a kept tail: every selected value, None for others."""
    row = CachedRow(LivenessInfo(1_000_000), None, {})
    row.cells = {"a": Cell(b"1", 1_000_000), "c": Cell(b"x" * 200, 1_000_000)}
    row.tail = marker_row_tail([cell_head("a"), b"1", cell_head("c"), b"x" * 200])
    buf = bytearray()
    put_partition(buf, Partition(rows=SortedDict({b"k": row, b"m": row})))
    _, base, _, start = get_partition_header(bytes(buf), 0)
    out: list = []
    get_live_rows(bytes(buf), start, len(buf), base, None, None, name_index(("c", "b", "a")),
                  3, MIN_TIMESTAMP, [], NOW, out, None)
    assert out == [(b"k", [b"x" * 200, None, b"1"]), (b"m", [b"x" * 200, None, b"1"])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rowmap=st.dictionaries(keys, plain_rows(), min_size=1, max_size=6),
       edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
       cut=st.integers(0, 64), past=st.integers(0, 64),
       columns=st.lists(names, min_size=1, max_size=4, unique=True).map(tuple))
def test_corrupt_rows_never_read_past_the_buffer(rowmap, edits, cut, past, columns):
    """Bytes changed, a buffer cut short, an ``end`` past the buffer (what a corrupt index
    or a damaged chunk that still passes its checksum would give): the loops either decode
    rows or raise one of the errors the SSTable reader reports as corruption. Compiled,
    ``_plain_live_rows`` slices through a C pointer: an unchecked length would read
    memory outside the buffer (or crash the process)."""
    buf = bytearray()
    put_partition(buf, Partition(rows=SortedDict(rowmap)))
    _, base, _, start = get_partition_header(bytes(buf), 0)
    for at, byte in edits:
        if start + at < len(buf):
            buf[start + at] = byte
    end = len(buf)
    buf = bytes(buf[:max(start, end - cut)])
    out: list = []
    try:
        get_live_rows(buf, start, end + past, base, None, None, name_index(columns),
                      len(columns), MIN_TIMESTAMP, [], NOW, out, None)
    except (IndexError, ValueError, UnicodeDecodeError, OverflowError):
        pass  # DecodeError is a ValueError
    for ck, values in out:
        assert ck in buf
        assert all(v is None or v in buf for v in values)
