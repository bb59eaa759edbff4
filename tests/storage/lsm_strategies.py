"""Hypothesis strategies for model objects (shared by the LSM tests)."""

from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.model import (
    NO_DELETION_TIME,
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Partition,
    RangeTombstone,
    Row,
)

timestamps = st.one_of(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(1_000_000, 1_000_100))
ldts = st.integers(0, 0x7FFFFFFF)


def _cell(value, ts, ttl, ldt):
    if value is None:
        return Cell(None, ts, 0, ldt)
    if ttl:
        return Cell(value, ts, ttl, ldt)
    return Cell(value, ts, 0, NO_DELETION_TIME)


cells = st.builds(_cell, st.one_of(st.none(), st.binary(max_size=300)), timestamps,
                  st.integers(0, 100000), ldts)
deletions = st.builds(DeletionTime, timestamps, ldts)
complex_cols = st.builds(
    lambda d, items: ComplexColumn(d, SortedDict(items)),
    st.one_of(st.none(), deletions),
    st.dictionaries(st.binary(max_size=8), cells, max_size=4),
)
livenesses = st.one_of(
    st.none(),
    st.builds(lambda ts: LivenessInfo(ts), timestamps),
    st.builds(LivenessInfo, timestamps, st.integers(1, 1000), ldts),
)
rows = st.builds(
    Row,
    livenesses,
    st.one_of(st.none(), deletions),
    st.dictionaries(st.text(max_size=200), st.one_of(cells, complex_cols), max_size=4),
)
range_tombstones = st.builds(
    RangeTombstone, st.binary(max_size=5), st.one_of(st.none(), st.binary(max_size=5)), deletions
)
partitions = st.builds(
    lambda d, rts, static, rowmap: Partition(d, rts, static, SortedDict(rowmap)),
    st.one_of(st.none(), deletions),
    st.lists(range_tombstones, max_size=3),
    st.one_of(st.none(), rows),
    st.dictionaries(st.binary(max_size=200), rows, max_size=5),
)
