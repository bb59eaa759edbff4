"""Clustering restrictions as byte slices of a partition.

Rows are stored in the byte-comparable order of their clustering values, so an = / IN
prefix and a slice on the columns that follow it select half-open byte ranges ``[lo, hi)``.
Slices are exact, whatever the columns' clustering order: a tuple bound compares in the
columns' natural order (``(b, c) > (1, 2)`` is ``b > 1 OR (b = 1 AND c > 2)``), so each bound is
cut into pieces "prefix equal, then one column bounded", the pieces of the lower and the
upper bound are intersected, and each piece is one byte range (a DESC column flips its
bounds). Excluded values (``!=``, ``NOT IN``) are holes cut out of the ranges: the rows
starting with an excluded prefix are one contiguous byte range.
"""

from __future__ import annotations

import itertools
from typing import Any

from cql.cells import clustering_prefix_bytes
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.types.comparable import BOTTOM, TOP, clustering_encoder, encode_components

from .restrictions import ColumnRestriction, MultiColumnRestriction, WhereClause, check_bound
from .terms import UNSET, Marker

_BOTTOM = bytes([BOTTOM])
_TOP = bytes([TOP])

Slice = tuple[bytes, bytes]


def clustering_slices(table: TableMetadata, where: WhereClause, bound: list) -> list[Slice]:
    """The sorted byte slices the clustering prefix and slice select (empty: no row)."""
    analysis = where.clustering
    prefixes = where.clustering_prefixes(bound)
    slices: list[Slice] = []
    if analysis.slice is None:
        for p in prefixes:
            slices.append(_prefix_range(table, p))
    else:
        position, single, multi = analysis.slice
        lower, upper, excluded = _slice_bounds(single, multi, bound)
        pieces = _pieces(lower, upper, table.clustering[position:])
        for p in prefixes:
            ranges = [_piece_range(table, p, piece, position) for piece in pieces]
            holes = [_prefix_range(table, p + list(t)) for t in excluded]
            slices.extend(_subtract([r for r in ranges if r[0] < r[1]], holes))
    slices = [s for s in slices if s[0] < s[1]]
    slices.sort(key=lambda s: s[0])
    return slices


def compile_slices(table: TableMetadata, where: WhereClause):
    """``clustering_slices(table, where, bound)`` as a function of ``bound``, with the
    analysis done now for the usual shapes: ``=`` on a prefix of the clustering columns,
    optionally followed by a ``<`` / ``<=`` / ``>`` / ``>=`` / BETWEEN on the next one (one
    byte range, values checked in the same order); other shapes keep the general path."""
    analysis = where.clustering
    general = lambda bound: clustering_slices(table, where, bound)  # noqa: E731
    if not all(isinstance(g, ColumnRestriction) and g.eq is not None and g.in_terms is None
               and g.in_marker is None for g in analysis.prefix):
        return general
    eqs = [(g.eq, g.what) for g in analysis.prefix]
    if analysis.slice is None:
        return lambda bound: [_prefix_range(
            table, [check_bound(term.bind(bound), what) for term, what in eqs])]
    position, single, multi = analysis.slice
    if multi is not None or single is None or single.excluded or single.excluded_lists \
            or (single.lower is None and single.upper is None):
        return general
    column = table.clustering[position]
    what = single.what
    lower, upper = single.lower, single.upper
    component = component_encoder(column)

    def slices(bound: list) -> list[Slice]:
        prefix = [check_bound(term.bind(bound), w) for term, w in eqs]
        lo = None if lower is None else (check_bound(lower[0].bind(bound), what), lower[1])
        hi = None if upper is None else (check_bound(upper[0].bind(bound), what), upper[1])
        piece = _value_slice(table, prefix, column, lo, hi, component)
        return [piece] if piece[0] < piece[1] else []
    if not eqs and all(b is None or type(b[0]) is Marker for b in (lower, upper)):
        return _marker_slices(column, lower, upper, component, slices)
    return slices


def _marker_slices(column: ColumnMetadata, lower, upper, component, checked):
    """``compile_slices``' function for bounds of bind markers on the first clustering
    column: the one byte range ``_value_slice`` gives, from the two markers' values; a
    null or unset value goes to ``checked``, which refuses it with its message."""
    if column.reversed:  # value <= v -> bytes >= enc(v): the bounds swap
        lower, upper = upper, lower
    # (marker index, byte after the value) of each end, None: the partition's own end
    lo = None if lower is None else (lower[0].index, _BOTTOM if lower[1] else _TOP)
    hi = None if upper is None else (upper[0].index, _TOP if upper[1] else _BOTTOM)

    def slices(bound: list) -> list[Slice]:
        start, end = _BOTTOM, _TOP
        if lo is not None:
            v = bound[lo[0]]
            if v is None or v is UNSET:
                return checked(bound)
            start = component(v) + lo[1]
        if hi is not None:
            v = bound[hi[0]]
            if v is None or v is UNSET:
                return checked(bound)
            end = component(v) + hi[1]
        return [(start, end)] if start < end else []
    return slices


def _slice_bounds(single: ColumnRestriction | None, multi: MultiColumnRestriction | None,
                  bound: list) -> tuple:
    """(lower, upper, excluded) of the slice group as tuples: merged checks guarantee one
    start and one end bound at most."""
    lower = upper = None
    excluded: list[tuple] = []
    if multi is not None:
        lower, upper, excluded = multi.bounds(bound)
    if single is not None:
        lo, hi, ex = single.bounds(bound)
        if lo is not None:
            lower = ((lo[0],), lo[1])
        if hi is not None:
            upper = ((hi[0],), hi[1])
        excluded = excluded + [(v,) for v in ex]
    return lower, upper, excluded


# A piece: (eq values, column bound) where the column bound applies to the column after
# the eq values: (lo, hi), each (value, inclusive) or None; None for "any".
Piece = tuple[tuple, tuple | None]


def _bound_pieces(bound_: tuple | None, columns: list[ColumnMetadata], is_lower: bool) -> list:
    if bound_ is None:
        return [((), None)]
    values, inclusive = bound_
    out = []
    last = len(values) - 1
    for j, v in enumerate(values):
        edge = (v, inclusive if j == last else False)
        out.append((tuple(values[:j]), (edge, None) if is_lower else (None, edge)))
    return out


def _pieces(lower: tuple | None, upper: tuple | None,
            columns: list[ColumnMetadata]) -> list[Piece]:
    out = []
    for a, b in itertools.product(_bound_pieces(lower, columns, True),
                                  _bound_pieces(upper, columns, False)):
        piece = _intersect(a, b, columns)
        if piece is not None:
            out.append(piece)
    return out


def _key(column: ColumnMetadata, value: Any) -> bytes:
    return column.type.to_comparable(value)


def _within(column: ColumnMetadata, value: Any, bounds: tuple | None) -> bool:
    if bounds is None:
        return True
    key = _key(column, value)
    lo, hi = bounds
    if lo is not None:
        lk = _key(column, lo[0])
        if key < lk or (key == lk and not lo[1]):
            return False
    if hi is not None:
        hk = _key(column, hi[0])
        if key > hk or (key == hk and not hi[1]):
            return False
    return True


def _intersect(a: Piece, b: Piece, columns: list[ColumnMetadata]) -> Piece | None:
    (ea, ba), (eb, bb) = a, b
    n = min(len(ea), len(eb))
    for j in range(n):
        if _key(columns[j], ea[j]) != _key(columns[j], eb[j]):
            return None
    if len(ea) == len(eb):
        if ba is None or bb is None:
            return ea, ba if bb is None else bb
        return ea, (ba[0] if ba[0] is not None else bb[0], ba[1] if ba[1] is not None else bb[1])
    if len(ea) < len(eb):
        return b if _within(columns[len(ea)], eb[len(ea)], ba) else None
    return a if _within(columns[len(eb)], ea[len(eb)], bb) else None


def _piece_range(table: TableMetadata, prefix: list, piece: Piece, position: int) -> Slice:
    eq, bounds = piece
    base = prefix + list(eq)
    if bounds is None:
        return _prefix_range(table, base)
    column = table.clustering[position + len(eq)]
    return _value_slice(table, base, column, bounds[0], bounds[1])


def _subtract(ranges: list[Slice], holes: list[Slice]) -> list[Slice]:
    for hole_lo, hole_hi in holes:
        out = []
        for lo, hi in ranges:
            if hole_hi <= lo or hole_lo >= hi:
                out.append((lo, hi))
                continue
            if lo < hole_lo:
                out.append((lo, hole_lo))
            if hole_hi < hi:
                out.append((hole_hi, hi))
        ranges = out
    return ranges


def _prefix_range(table: TableMetadata, prefix: list) -> Slice:
    """[lo, hi) bytes for rows whose clustering starts with ``prefix``."""
    p = clustering_prefix_bytes(table, prefix)
    return p + _BOTTOM, p + _TOP


def _value_slice(table: TableMetadata, prefix: list, column: ColumnMetadata,
                 lower: tuple[Any, bool] | None, upper: tuple[Any, bool] | None,
                 component: Any = None) -> Slice:
    """Bytes range for ``prefix`` + a value range on ``column`` (DESC columns flip);
    ``component``: the column's ``component_encoder`` when the caller has one."""
    base = clustering_prefix_bytes(table, prefix) if prefix else b""
    lo, hi = base + _BOTTOM, base + _TOP
    if component is None:  # any value, null included
        def component(value: Any) -> bytes:
            return encode_components((column.type,), (value,), (column.reversed,))

    def edge(value: Any, after: bool) -> bytes:  # the prefix's bytes, then the value's
        return base + component(value) + (_TOP if after else _BOTTOM)

    if column.reversed:
        lower, upper = upper, lower
        if lower is not None:  # value <= v  ->  bytes >= enc(v)
            lo = edge(lower[0], after=not lower[1])
        if upper is not None:  # value >= v  ->  bytes <= enc(v)
            hi = edge(upper[0], after=upper[1])
    else:
        if lower is not None:
            lo = edge(lower[0], after=not lower[1])
        if upper is not None:
            hi = edge(upper[0], after=upper[1])
    return lo, hi


def component_encoder(column: ColumnMetadata):
    """A non-null value of clustering ``column`` as it appears in a clustering key
    (``encode_components`` of it): its row key encoding (``clustering_encoder``,
    specialised per type) without the terminator."""
    encode = clustering_encoder((column.type,), (column.reversed,))
    return lambda value: encode((value,))[:-1]
