from hypothesis import given
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Partition,
    RangeTombstone,
    Row,
    merge_partition_into,
    merge_partitions,
    reconcile,
    view_partition,
)

NOW = 1_000

cells = st.builds(
    lambda value, ts, ttl, ldt: Cell(value, ts, 0, ldt if value is None else 0x7FFFFFFF)
    if value is None or not ttl
    else Cell(value, ts, ttl, ldt),
    st.one_of(st.none(), st.binary(max_size=3)),
    st.integers(0, 4),
    st.integers(0, 3),
    st.integers(990, 1010),
)


@given(cells, cells)
def test_reconcile_is_commutative(a, b):
    assert reconcile(a, b) == reconcile(b, a)


@given(cells, cells, cells)
def test_reconcile_is_associative(a, b, c):
    assert reconcile(reconcile(a, b), c) == reconcile(a, reconcile(b, c))


def test_tie_rules():
    live = Cell(b"\x02", 5)
    dead = Cell(None, 5, 0, 100)
    expiring = Cell(b"\x01", 5, 10, 200)
    assert reconcile(live, dead) is dead
    assert reconcile(live, expiring) is expiring
    assert reconcile(expiring, dead) is dead
    assert reconcile(Cell(b"\x01", 5), Cell(b"\x02", 5)).value == b"\x02"
    assert reconcile(Cell(b"\x09", 4), Cell(b"\x01", 5)).value == b"\x01"


rows = st.builds(
    lambda ts, cols, deleted: Row(
        LivenessInfo(ts) if ts % 2 else None,
        DeletionTime(deleted, NOW) if deleted is not None else None,
        cols,
    ),
    st.integers(0, 4),
    st.dictionaries(st.sampled_from(["a", "b"]), cells, max_size=2),
    st.one_of(st.none(), st.integers(0, 4)),
)
partitions = st.builds(
    lambda deletion, rts, rowmap: Partition(
        DeletionTime(deletion, NOW) if deletion is not None else None,
        [RangeTombstone(lo, hi, DeletionTime(t, NOW)) for lo, hi, t in rts],
        None,
        SortedDict(rowmap),
    ),
    st.one_of(st.none(), st.integers(0, 4)),
    st.lists(st.tuples(st.sampled_from([b"a", b"b"]), st.sampled_from([b"b", b"c", None]),
                       st.integers(0, 4)), max_size=2),
    st.dictionaries(st.sampled_from([b"a", b"b", b"c"]), rows, max_size=3),
)


def _visible(p):
    view = view_partition(b"k", p, None, False, NOW)
    return None if view is None else [(ck, r) for ck, r in view.rows]


@given(partitions, partitions, partitions)
def test_partition_merge_order_does_not_matter(p1, p2, p3):
    a = merge_partitions([p1, p2, p3])
    b = merge_partitions([p3, p1, p2])
    c = merge_partitions([merge_partitions([p2, p3]), p1])
    assert _visible(a) == _visible(b) == _visible(c)


def test_deletion_shadows_equal_timestamp_and_row_marker_keeps_row():
    p = Partition(rows=SortedDict({
        b"a": Row(LivenessInfo(5), None, {"v": Cell(b"x", 5)}),
        b"b": Row(None, None, {"v": Cell(b"y", 5)}),
    }))
    upd = Partition(rows=SortedDict({
        b"a": Row(None, None, {"v": Cell(None, 6, 0, NOW)}),
        b"b": Row(None, None, {"v": Cell(None, 6, 0, NOW)}),
    }))
    view = view_partition(b"k", merge_partitions([p, upd]), None, False, NOW)
    assert [(ck, r.liveness, r.cells) for ck, r in view.rows] == [(b"a", LivenessInfo(5), {})]
    gone = merge_partitions([p, Partition(DeletionTime(5, NOW))])
    assert view_partition(b"k", gone, None, False, NOW) is None


def test_complex_deletion_and_expiry():
    col = ComplexColumn(DeletionTime(4, NOW), SortedDict({
        b"1": Cell(b"old", 4), b"2": Cell(b"new", 5), b"3": Cell(b"exp", 5, 10, NOW - 1)}))
    p = Partition(rows=SortedDict({b"a": Row(None, None, {"m": col})}))
    view = view_partition(b"k", p, None, False, NOW)
    assert dict(view.rows[0][1].cells["m"].cells) == {b"2": Cell(b"new", 5)}


SLICES = st.one_of(
    st.none(),
    st.sampled_from([[(b"a", b"b")], [(b"b", None)], [(b"a", b"b"), (b"c", None)],
                     [(b"b", b"b\x00")], [(b"", b"c")]]),
)


@given(st.lists(partitions, min_size=1, max_size=4), SLICES, st.booleans(),
       st.one_of(st.none(), st.integers(1, 3)))
def test_lazy_merged_view_equals_merge_then_view(versions, slices, reverse, limit):
    """merged_view (k-way merge within the slices, stopping at the limit) sees exactly what
    view_partition of the fully merged partition sees, and leaves its inputs untouched."""
    from cassalite.storage.model import merged_view

    before = [p.copy() for p in versions]
    expected = view_partition(b"k", merge_partitions(versions), slices, reverse, NOW, limit)
    got = merged_view(b"k", [(p, None) for p in versions], slices, reverse, NOW, limit)
    assert got == expected
    assert versions == before


@given(partitions, partitions)
def test_merge_is_copy_on_write(target, update):
    """merge_partition_into replaces rows it merges instead of changing them in place, so
    a reader holding a row (engines hand their rows out) never sees it change."""
    held = {ck: (row, row.copy()) for ck, row in target.rows.items()}
    merge_partition_into(target, update)
    for row, snapshot in held.values():
        assert row == snapshot
