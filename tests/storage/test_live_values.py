"""model.live_values (the fused purge + projection loop of projected reads) against the
general path: slice_rows, purged_row and row_values one row at a time."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.model import (
    NO_DELETION_TIME,
    Cell,
    Row,
    live_values,
    purged_row,
    row_values,
    slice_rows,
)

from .lsm_strategies import cells, complex_cols, deletions, livenesses, range_tombstones

NOW = 1_000_050
names = st.sampled_from(["a", "b", "c", "d"])
plain_cells = st.builds(lambda v, ts: Cell(v, ts, 0, NO_DELETION_TIME), st.binary(max_size=4),
                        st.integers(1_000_000, 1_000_100))
rows = st.builds(
    Row,
    livenesses,
    st.one_of(st.none(), st.none(), deletions),
    st.dictionaries(names, st.one_of(plain_cells, plain_cells, cells, complex_cols), max_size=4),
)
keys = st.binary(max_size=3)
slices = st.one_of(
    st.none(),
    st.lists(st.tuples(keys, st.one_of(st.none(), keys)), min_size=1, max_size=3).map(
        lambda s: _disjoint(s)),
    keys.map(lambda k: [(k, k + b"\x00")]),
)


def _disjoint(pairs):
    """Sorted, disjoint, non-empty [lo, hi) ranges made from ``pairs``."""
    edges = sorted({e for lo, hi in pairs for e in (lo, hi) if e is not None})
    out = [(edges[i], edges[i + 1]) for i in range(0, len(edges) - 1, 2)]
    return out or [(edges[0], None)]


def _general(rows, slices, reverse, pdel, rts, columns, limit):
    out = []
    for ck, row in slice_rows(rows, slices, reverse):
        live = purged_row(ck, row, pdel, rts, NOW)
        if live is not None:
            out.append((ck, row_values(live.cells, columns)))
            if limit is not None and len(out) >= limit:
                return out, True
    return out, False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rowmap=st.dictionaries(keys, rows, max_size=8), slices=slices, reverse=st.booleans(),
       pdel=st.one_of(st.none(), st.none(), deletions),
       rts=st.one_of(st.just([]), st.lists(range_tombstones, max_size=2)),
       columns=st.lists(names, min_size=1, max_size=4).map(tuple),
       limit=st.one_of(st.none(), st.integers(1, 6)), prefix=st.integers(0, 2))
def test_live_values_matches_the_general_path(rowmap, slices, reverse, pdel, rts, columns,
                                              limit, prefix):
    rows = SortedDict(rowmap)
    out = [(b"earlier", [b"x"])] * prefix  # rows a previous version already appended
    stopped = live_values(rows, slices, reverse, pdel, rts, NOW, columns,
                          None if limit is None else limit + prefix, out)
    expected, full = _general(rows, slices, reverse, pdel, rts, columns, limit)
    assert out[prefix:] == expected
    assert stopped == full
