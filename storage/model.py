"""The data model every engine shares, and the one place where versions are reconciled.

Everything here is bytes, integers and tombstones: no CQL syntax and no CQL types.

- A partition is addressed by its serialized key ``pk``; engines order partitions by the
  *decorated key* ``dk = token (8 bytes, sign bit flipped) + pk`` so that plain ``bytes``
  comparison gives Cassandra's (token, key) order.
- A row is addressed by ``ck``, the byte-comparable encoding of its clustering values.
- Clustering slices and range tombstones are half-open byte ranges ``[lo, hi)``; ``hi``
  None means "to the end of the partition".
- Cells carry ``(value, timestamp, ttl, local_deletion_time)``; value None is a tombstone.

Reconciliation follows Cassandra: the higher timestamp wins; on a tie a tombstone beats an
expiring cell beats a plain live cell; then the later local deletion time; then the greater
value. Deletions shadow anything with a timestamp lower *or equal*.
"""

from __future__ import annotations

import heapq
from itertools import chain
from operator import itemgetter
from typing import Iterable, NamedTuple

from sortedcontainers import SortedDict

from . import tracing

NO_DELETION_TIME = 0x7FFFFFFF  # local_deletion_time of a live, non-expiring cell
NO_TTL = 0
MIN_TIMESTAMP = -(1 << 63)
_first = itemgetter(0)


class Cell(NamedTuple):
    """One version of one value. ``value`` None is a tombstone."""

    value: bytes | None
    timestamp: int
    ttl: int = NO_TTL
    local_deletion_time: int = NO_DELETION_TIME

    def is_live(self, now: int) -> bool:
        return self.value is not None and (self.ttl == NO_TTL or now < self.local_deletion_time)

    def remaining_ttl(self, now: int) -> int | None:
        return self.local_deletion_time - now if self.ttl != NO_TTL else None


def live_cell(value: bytes, timestamp: int, ttl: int, now: int) -> Cell:
    """A cell written at ``timestamp``; expiring when ``ttl`` > 0 (expires at now + ttl)."""
    if ttl:
        return Cell(value, timestamp, ttl, now + ttl)
    return Cell(value, timestamp)


def tombstone(timestamp: int, now: int) -> Cell:
    return Cell(None, timestamp, NO_TTL, now)


class DeletionTime(NamedTuple):
    """A deletion: shadows every version whose timestamp is <= ``marked_at``."""

    marked_at: int
    local_deletion_time: int

    def supersedes(self, other: DeletionTime | None) -> bool:
        if other is None:
            return True
        return self.marked_at > other.marked_at or (
            self.marked_at == other.marked_at
            and self.local_deletion_time > other.local_deletion_time
        )


class LivenessInfo(NamedTuple):
    """The row marker INSERT writes (UPDATE does not): makes a row exist without cells."""

    timestamp: int
    ttl: int = NO_TTL
    local_expiration_time: int = NO_DELETION_TIME

    def is_live(self, now: int) -> bool:
        return self.ttl == NO_TTL or now < self.local_expiration_time


class RangeTombstone(NamedTuple):
    """Deletes the rows whose ck lies in ``[lo, hi)`` (``hi`` None: to the end)."""

    lo: bytes
    hi: bytes | None
    deletion: DeletionTime

    def covers(self, ck: bytes) -> bool:
        return self.lo <= ck and (self.hi is None or ck < self.hi)


class ComplexColumn:
    """A non-frozen collection or UDT: one cell per element, keyed by cell path bytes."""

    __slots__ = ("deletion", "cells")

    def __init__(self, deletion: DeletionTime | None = None, cells: SortedDict | None = None):
        self.deletion = deletion
        self.cells = cells if cells is not None else SortedDict()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ComplexColumn)
            and self.deletion == other.deletion
            and dict(self.cells) == dict(other.cells)
        )

    def __repr__(self) -> str:
        return f"ComplexColumn({self.deletion!r}, {dict(self.cells)!r})"

    def copy(self) -> ComplexColumn:
        return ComplexColumn(self.deletion, SortedDict(self.cells))


ColumnData = Cell | ComplexColumn


class Row:
    """A clustering row (or the static row): marker, deletion and cells by column name."""

    __slots__ = ("liveness", "deletion", "cells")

    #: an INSERT's plain row (``CachedRow.plain``) keeps its cells as ``names`` and
    #: ``values`` (value bytes, in the same order); None for any other row
    names = None
    values = None

    def __init__(
        self,
        liveness: LivenessInfo | None = None,
        deletion: DeletionTime | None = None,
        cells: dict[str, ColumnData] | None = None,
    ):
        self.liveness = liveness
        self.deletion = deletion
        self.cells = cells if cells is not None else {}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Row)
            and self.liveness == other.liveness
            and self.deletion == other.deletion
            and self.cells == other.cells
        )

    def __repr__(self) -> str:
        return f"Row({self.liveness!r}, {self.deletion!r}, {self.cells!r})"

    def copy(self) -> Row:
        cells = {
            name: data.copy() if isinstance(data, ComplexColumn) else data
            for name, data in self.cells.items()
        }
        return Row(self.liveness, self.deletion, cells)

    def max_timestamp(self) -> int:
        ts = MIN_TIMESTAMP
        if self.liveness is not None:
            ts = self.liveness.timestamp
        if self.deletion is not None:
            ts = max(ts, self.deletion.marked_at)
        for data in self.cells.values():
            if isinstance(data, ComplexColumn):
                if data.deletion is not None:
                    ts = max(ts, data.deletion.marked_at)
                for cell in data.cells.values():
                    ts = max(ts, cell.timestamp)
            else:
                ts = max(ts, data.timestamp)
        return ts


_get_liveness, _set_liveness = Row.liveness.__get__, Row.liveness.__set__  # the slots
_get_cells, _set_cells = Row.cells.__get__, Row.cells.__set__
_tnew = tuple.__new__  # a NamedTuple without its Python __new__
_onew = object.__new__


class CachedRow(Row):
    """A row written by one statement, which can keep its encoded form (``tail``: the
    LSM encoding of everything after the row marker's timestamp, see ``storage.lsm.
    encoding``). The commit log encodes the row once; a flush copies the same bytes
    instead of encoding the row again. Rows are copy-on-write, so the bytes stay right:
    a merge makes a new plain Row.

    An INSERT's plain row (every cell live, non-expiring, simple, written at the row
    marker's ``timestamp``: :meth:`plain`) is held as its column ``names`` (a tuple the
    writer shares between its rows) and its ``values``: one object and one tuple instead
    of a marker, a dict and a Cell per column, which a read of many memtable rows would
    fetch from all over the heap. Its ``liveness`` and ``cells`` are made from them the
    first time something asks (the general readers, merges): they are what the row
    always was, whichever form it is held in."""

    __slots__ = ("tail", "timestamp", "names", "values")

    def __init__(self, liveness: LivenessInfo | None, deletion: DeletionTime | None,
                 cells: dict[str, ColumnData]):
        _set_liveness(self, liveness)
        self.timestamp = liveness.timestamp if liveness is not None else None
        self.deletion = deletion
        _set_cells(self, cells)
        self.tail: bytes | None = None
        self.names = self.values = None

    @classmethod
    def plain(cls, timestamp: int, names: tuple, values: tuple, tail: bytes | None
              ) -> CachedRow:
        """The row of a non-expiring marker at ``timestamp`` and a live, non-expiring
        cell at that timestamp for each of ``names``, with the value bytes of
        ``values``; ``tail`` its encoding (None: encoded when first needed)."""
        row = _onew(cls)  # no Python __init__ call; the liveness and cells slots unset
        row.deletion = None
        row.timestamp = timestamp
        row.names = names
        row.values = values
        row.tail = tail
        return row

    @property
    def liveness(self) -> LivenessInfo | None:
        try:
            return _get_liveness(self)
        except AttributeError:  # a plain row's marker, made once
            liveness = _tnew(LivenessInfo, (self.timestamp, NO_TTL, NO_DELETION_TIME))
            _set_liveness(self, liveness)
            return liveness

    @liveness.setter
    def liveness(self, liveness: LivenessInfo | None) -> None:
        _set_liveness(self, liveness)
        self.timestamp = liveness.timestamp if liveness is not None else None

    @property
    def cells(self) -> dict[str, ColumnData]:
        try:
            return _get_cells(self)
        except AttributeError:  # a plain row's cells, made once
            ts = self.timestamp
            cells = {name: _tnew(Cell, (value, ts, NO_TTL, NO_DELETION_TIME))
                     for name, value in zip(self.names, self.values)}
            _set_cells(self, cells)
            return cells

    @cells.setter
    def cells(self, cells: dict[str, ColumnData]) -> None:
        _set_cells(self, cells)


class Partition:
    """A partition's data, or an update to it (the same shape: a mutation is a partition).

    ``rows`` is a SortedDict, except in an update that has not reached an engine yet, where
    it may be a plain dict (a one-row write then skips building a SortedDict); an engine
    that keeps the update as a partition sorts it (``storage.sdict.sorted_rows``)."""

    __slots__ = ("deletion", "range_tombstones", "static_row", "rows")

    def __init__(
        self,
        deletion: DeletionTime | None = None,
        range_tombstones: list[RangeTombstone] | None = None,
        static_row: Row | None = None,
        rows: SortedDict | None = None,
    ):
        self.deletion = deletion
        self.range_tombstones = range_tombstones if range_tombstones is not None else []
        self.static_row = static_row
        self.rows: SortedDict = rows if rows is not None else SortedDict()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Partition)
            and self.deletion == other.deletion
            and self.range_tombstones == other.range_tombstones
            and self.static_row == other.static_row
            and dict(self.rows) == dict(other.rows)
        )

    def __repr__(self) -> str:
        return (
            f"Partition({self.deletion!r}, {self.range_tombstones!r}, "
            f"{self.static_row!r}, {dict(self.rows)!r})"
        )

    def copy(self) -> Partition:
        rows = SortedDict({ck: row.copy() for ck, row in self.rows.items()})
        static = self.static_row.copy() if self.static_row is not None else None
        return Partition(self.deletion, list(self.range_tombstones), static, rows)

    def is_empty(self) -> bool:
        return (
            self.deletion is None
            and not self.range_tombstones
            and self.static_row is None
            and not self.rows
        )


class Mutation(NamedTuple):
    """The unit of write, of the commit log and of atomicity: one partition of one table."""

    table_id: str
    pk: bytes
    update: Partition


def one_row_mutation(table_id: str, pk: bytes, ck: bytes, row: Row) -> Mutation:
    """The mutation holding just ``row`` at ``ck`` (a prepared INSERT's or UPDATE's write,
    see ``StorageEngine.write_row``); its rows a plain dict, sorted by the engine that
    keeps them."""
    return Mutation(table_id, pk, Partition(None, [], None, {ck: row}))


# --------------------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------------------


def reconcile(a: Cell, b: Cell) -> Cell:
    """The version of a cell that wins; commutative and associative."""
    if a.timestamp != b.timestamp:
        return a if a.timestamp > b.timestamp else b
    a_dead = a.value is None or a.ttl != NO_TTL
    b_dead = b.value is None or b.ttl != NO_TTL
    if a_dead != b_dead:
        return a if a_dead else b
    if a_dead:  # both tombstones and/or expiring
        if (a.value is None) != (b.value is None):
            return a if a.value is None else b
        if a.local_deletion_time != b.local_deletion_time:
            return a if a.local_deletion_time > b.local_deletion_time else b
        if a.value is None:
            return a
    if a.value != b.value:
        return a if a.value > b.value else b  # type: ignore[operator]
    # Identical values: prefer the larger ttl so the choice never depends on argument order.
    return a if (a.ttl, a.local_deletion_time) >= (b.ttl, b.local_deletion_time) else b


def reconcile_liveness(a: LivenessInfo | None, b: LivenessInfo | None) -> LivenessInfo | None:
    if a is None:
        return b
    if b is None:
        return a
    if a.timestamp != b.timestamp:
        return a if a.timestamp > b.timestamp else b
    a_exp, b_exp = a.ttl != NO_TTL, b.ttl != NO_TTL
    if a_exp != b_exp:
        return a if a_exp else b
    if a.local_expiration_time != b.local_expiration_time:
        return a if a.local_expiration_time > b.local_expiration_time else b
    return a if a.ttl >= b.ttl else b


def max_deletion(a: DeletionTime | None, b: DeletionTime | None) -> DeletionTime | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.supersedes(a) else a


def merge_column(a: ColumnData, b: ColumnData) -> ColumnData:
    """Merge two versions of one column into a new value (inputs are not modified)."""
    if isinstance(a, ComplexColumn) and isinstance(b, ComplexColumn):
        merged = a.copy()
        merged.deletion = max_deletion(a.deletion, b.deletion)
        cells = merged.cells
        for path, cell in b.cells.items():
            old = cells.get(path)
            cells[path] = cell if old is None else reconcile(old, cell)
        return merged
    if isinstance(a, Cell) and isinstance(b, Cell):
        return reconcile(a, b)
    # A column whose kind changed (dropped and re-added): the newer write wins wholesale.
    return a if _column_timestamp(a) >= _column_timestamp(b) else b


def _column_timestamp(data: ColumnData) -> int:
    if isinstance(data, Cell):
        return data.timestamp
    stamps = [c.timestamp for c in data.cells.values()]
    if data.deletion is not None:
        stamps.append(data.deletion.marked_at)
    return max(stamps, default=MIN_TIMESTAMP)


def merge_row_into(target: Row, update: Row) -> None:
    """Fold ``update`` into ``target`` in place (``update`` is left untouched)."""
    target.liveness = reconcile_liveness(target.liveness, update.liveness)
    target.deletion = max_deletion(target.deletion, update.deletion)
    cells = target.cells
    for name, data in update.cells.items():
        old = cells.get(name)
        if old is None:
            cells[name] = data.copy() if isinstance(data, ComplexColumn) else data
        else:
            cells[name] = merge_column(old, data)


def merged_row(a: Row, b: Row) -> Row:
    """A new row reconciling ``a`` and ``b`` (neither is modified)."""
    row = Row(reconcile_liveness(a.liveness, b.liveness), max_deletion(a.deletion, b.deletion),
              dict(a.cells))
    cells = row.cells
    for name, data in b.cells.items():
        old = cells.get(name)
        if old is None:
            cells[name] = data.copy() if type(data) is ComplexColumn else data
        else:
            cells[name] = merge_column(old, data)
    return row


def merge_partition_into(target: Partition, update: Partition, owned: bool = False) -> None:
    """Fold ``update`` into ``target``; ``update`` is left untouched.

    Copy-on-write: the rows of ``target`` are replaced by merged copies, never modified in
    place, so a reader holding a row (engines hand out their rows) never sees it change.
    ``owned``: the caller gives ``update``'s rows away (they become ``target``'s as they
    are, without a copy).
    """
    if update.deletion is not None:
        target.deletion = max_deletion(target.deletion, update.deletion)
    if update.range_tombstones:
        target.range_tombstones = target.range_tombstones + update.range_tombstones
    if update.static_row is not None:
        if target.static_row is None:
            target.static_row = update.static_row if owned else update.static_row.copy()
        else:
            target.static_row = merged_row(target.static_row, update.static_row)
    rows = target.rows
    for ck, row in dict.items(update.rows):  # any order will do: no sorted view needed
        old = rows.get(ck)
        if old is None:
            rows[ck] = row if owned else row.copy()
        else:
            rows[ck] = merged_row(old, row)


def merge_partitions(versions: Iterable[Partition]) -> Partition:
    """Reconcile several versions of one partition (memtables, SSTables) into a new one."""
    merged = Partition()
    for version in versions:
        merge_partition_into(merged, version)
    return merged


# --------------------------------------------------------------------------------------
# Purging: what a reader sees
# --------------------------------------------------------------------------------------


def purge_row(row: Row, shadow: DeletionTime | None, now: int) -> Row | None:
    """The live part of ``row`` under the deletion ``shadow``; None when nothing is live.

    Keeps timestamps and TTLs on the surviving cells (WRITETIME()/TTL() need them). A row
    with nothing deleted or expiring is returned as it is (rows are copy-on-write).
    """
    if row.values is not None:  # an INSERT's plain row: all of it or nothing is shadowed
        return row if shadow is None or row.timestamp > shadow.marked_at else None
    if shadow is None and row.deletion is None:
        lv = row.liveness
        if lv is None or lv.ttl == NO_TTL:
            for data in row.cells.values():
                if type(data) is not Cell or data.value is None or data.ttl != NO_TTL:
                    break
            else:
                if lv is None and not row.cells:
                    return None
                return row
    deletion = max_deletion(shadow, row.deletion)
    floor = deletion.marked_at if deletion is not None else MIN_TIMESTAMP
    liveness = row.liveness
    if liveness is not None and (liveness.timestamp <= floor or not liveness.is_live(now)):
        liveness = None
    cells: dict[str, ColumnData] = {}
    for name, data in row.cells.items():
        if isinstance(data, Cell):
            if data.timestamp > floor and data.is_live(now):
                cells[name] = data
        else:
            cfloor = floor
            if data.deletion is not None and data.deletion.marked_at > cfloor:
                cfloor = data.deletion.marked_at
            live = SortedDict(
                (path, cell)
                for path, cell in data.cells.items()
                if cell.timestamp > cfloor and cell.is_live(now)
            )
            if live:
                cells[name] = ComplexColumn(None, live)
    if liveness is None and not cells:
        return None
    return Row(liveness, None, cells)


def row_shadow(partition: Partition, ck: bytes) -> DeletionTime | None:
    """The strongest deletion covering the row at ``ck`` (partition or range tombstones)."""
    return shadowing(ck, partition.deletion, partition.range_tombstones)


def slice_rows(rows: SortedDict, slices: list[tuple[bytes, bytes | None]] | None, reverse: bool):
    """Iterate ``(ck, row)`` pairs of ``rows`` that fall in ``slices`` (sorted, disjoint)."""
    for ck in slice_keys(rows, slices, reverse):
        yield ck, rows[ck]


def slice_keys(rows: SortedDict, slices: list[tuple[bytes, bytes | None]] | None,
               reverse: bool):
    """An iterator of the clustering keys of ``rows`` in ``slices`` (sorted, disjoint), in
    read order; the sortedcontainers iterators themselves where possible (no generator
    frame per key)."""
    if slices is None:
        return reversed(rows) if reverse else iter(rows)
    if len(slices) == 1:
        lo, hi = slices[0]
        if hi is not None and len(hi) == len(lo) + 1 and hi[-1] == 0 and hi.startswith(lo):
            return iter((lo,) if lo in rows else ())  # [ck, ck + 0x00): exactly one key
        return rows.irange(lo, hi, inclusive=(True, False), reverse=reverse)
    ordered = reversed(slices) if reverse else slices
    return chain.from_iterable(rows.irange(lo, hi, inclusive=(True, False), reverse=reverse)
                               for lo, hi in ordered)


_POSITIONS: dict[tuple, dict] = {}


def _positions(columns: tuple[str, ...]) -> dict:
    """Each of ``columns`` -> its position (the first, for a repeated name), cached per
    tuple of columns."""
    index = _POSITIONS.get(columns)
    if index is None:
        index = {}
        for i, name in enumerate(columns):
            index.setdefault(name, i)
        if len(_POSITIONS) < 10000:
            _POSITIONS[columns] = index
    return index


def live_values(rows: SortedDict, slices, reverse: bool, pdel, rts: list | None, now: int,
                columns, limit: int | None, out: list) -> bool:
    """Append ``(ck, row_values(live cells, columns))`` for each live row of ``rows`` in
    ``slices`` (read order), under the partition deletion ``pdel`` and the range
    tombstones ``rts``, until ``out`` holds ``limit`` rows; True when it stopped there.

    ``purged_row`` and ``row_values`` in one loop: an INSERT's plain row
    (``CachedRow.plain``) is its values picked for ``columns``, unless it is shadowed;
    with nothing to shadow the rows, another row of live, non-expiring simple cells is
    recognised and projected in one pass over its cells; any other row goes through
    ``purged_row``."""
    index = _positions(columns)
    width = len(columns)
    shadows = pdel is not None or bool(rts)
    plain = not shadows and len(index) == width  # (a repeated name: general)
    names = pick = None
    for ck in slice_keys(rows, slices, reverse):
        row = rows[ck]
        values = row.values
        if values is not None:
            if shadows:
                shadow = shadowing(ck, pdel, rts)
                if shadow is not None and row.timestamp <= shadow.marked_at:
                    continue
            if row.names is not names:
                names = row.names
                pick = value_picker(names, columns)
            out.append((ck, pick(values)))
            if limit is not None and len(out) >= limit:
                return True
            continue
        if plain and row.deletion is None:
            lv = row.liveness
            if lv is None or lv.ttl == NO_TTL:
                values = [None] * width
                for name, data in row.cells.items():
                    if type(data) is not Cell or data.value is None or data.ttl != NO_TTL:
                        break
                    i = index.get(name)
                    if i is not None:
                        values[i] = data.value
                else:
                    if lv is None and not row.cells:
                        continue
                    out.append((ck, values))
                    if limit is not None and len(out) >= limit:
                        return True
                    continue
        live = purge_row(row, shadowing(ck, pdel, rts), now)
        if live is not None:
            out.append((ck, row_values(live.cells, columns)))
            if limit is not None and len(out) >= limit:
                return True
    return False


_PICKERS: dict[tuple, object] = {}


def value_picker(names: tuple, columns: tuple):
    """The function giving ``row_values`` of a plain row's (``CachedRow.plain``)
    ``values`` of ``names`` for ``columns`` (a new list), cached per pair of tuples."""
    key = (names, columns)
    pick = _PICKERS.get(key)
    if pick is None:
        if names == columns:
            pick = list
        else:
            where = {name: i for i, name in enumerate(names)}
            at = [where.get(name) for name in columns]
            if None not in at and len(at) > 1:
                get = itemgetter(*at)
                pick = lambda values: list(get(values))  # noqa: E731
            else:
                pick = lambda values: [None if i is None else values[i] for i in at]  # noqa: E731
        if len(_PICKERS) < 10000:
            _PICKERS[key] = pick
    return pick


def live_row_values(ck: bytes, row: Row, pdel, rts: list | None, now: int, columns
                    ) -> list | None:
    """``row_values`` of ``purged_row(ck, row, pdel, rts, now)`` for ``columns``, or None
    when nothing of the row is live; an INSERT's plain row without making its cells."""
    if row.values is not None:
        shadow = shadowing(ck, pdel, rts)
        if shadow is not None and row.timestamp <= shadow.marked_at:
            return None
        return value_picker(row.names, columns)(row.values)
    live = purge_row(row, shadowing(ck, pdel, rts), now)
    return None if live is None else row_values(live.cells, columns)


class PartitionView(NamedTuple):
    """A partition as a reader sees it: merged, deletions applied, expired data dropped."""

    pk: bytes
    static_row: Row | None
    rows: list[tuple[bytes, Row]]


def view_partition(
    pk: bytes,
    partition: Partition,
    slices: list[tuple[bytes, bytes | None]] | None,
    reverse: bool,
    now: int,
    limit: int | None = None,
    columns: tuple[str, ...] | None = None,
) -> PartitionView | None:
    """Purge ``partition`` for reading; None when nothing in it is live. ``columns``: the
    view of a projected read (rows of ``row_values``, no static row, None without rows)."""
    static = None
    if partition.static_row is not None and columns is None:
        static = purge_row(partition.static_row, partition.deletion, now)
    out: list = []
    pdel = partition.deletion
    if columns is not None:
        live_values(partition.rows, slices, reverse, pdel, partition.range_tombstones, now,
                    columns, limit, out)
    else:
        has_rts = bool(partition.range_tombstones)
        for ck, row in slice_rows(partition.rows, slices, reverse):
            shadow = row_shadow(partition, ck) if has_rts else pdel
            live = purge_row(row, shadow, now)
            if live is not None:
                out.append((ck, live))
                if limit is not None and len(out) >= limit:
                    break
    tr = tracing.current()
    if tr is not None:
        last = out[-1][0] if limit is not None and len(out) >= limit else None
        tr.count_read(len(out), count_tombstones(partition, slices, reverse, now, last))
    if static is None and not out:
        return None
    return PartitionView(pk, static, out)



def shadowing(ck: bytes, pdel, rts: list | None):
    """The strongest of the partition deletion ``pdel`` and the range tombstones of
    ``rts`` (a list or None) that cover ``ck``; None when there is none."""
    shadow = pdel
    if rts:
        for rt in rts:
            if rt.covers(ck):
                shadow = max_deletion(shadow, rt.deletion)
    return shadow


def purged_row(ck: bytes, row: Row, pdel, rts: list | None, now: int):
    """``row`` (at ``ck``) without what the partition deletion or a covering range
    tombstone shadows, or None when nothing of it is live."""
    return purge_row(row, shadowing(ck, pdel, rts), now)

def merged_view(
    pk: bytes,
    sources: list,
    slices: list[tuple[bytes, bytes | None]] | None,
    reverse: bool,
    now: int,
    limit: int | None = None,
) -> PartitionView | None:
    """Reconcile several versions of one partition lazily, for reading.

    ``sources`` are ``(header, rows)`` pairs: ``header`` a Partition giving the version's
    partition deletion, range tombstones and static row; ``rows`` an iterator of its
    ``(ck, row)`` pairs within ``slices`` in read order (None: ``header.rows`` sliced).
    Versions are k-way merged by clustering key, equal keys reconciled on the fly (never
    modifying the inputs), and the merge stops at ``limit`` live rows. Same result as
    ``view_partition(pk, merge_partitions(versions), ...)`` without materialising it.
    """
    pdel = None
    rts: list = []
    statics = []
    iters = []
    for header, rows in sources:
        if header.deletion is not None:
            pdel = max_deletion(pdel, header.deletion)
        if header.range_tombstones:
            rts.extend(header.range_tombstones)
        if header.static_row is not None:
            statics.append(header.static_row)
        if rows is None:
            if header.rows:
                iters.append(slice_rows(header.rows, slices, reverse))
        else:
            iters.append(rows)
    static = None
    if statics:
        srow = statics[0]
        for r in statics[1:]:
            srow = merged_row(srow, r)
        static = purge_row(srow, pdel, now)
    out: list[tuple[bytes, Row]] = []
    if iters:
        if len(iters) == 1:
            merged = iters[0]
        else:
            merged = heapq.merge(*iters, key=_first, reverse=reverse)
        cur_ck = None
        cur = None
        for ck, row in merged:
            if ck == cur_ck:
                cur = merged_row(cur, row)
                continue
            if cur is not None:
                live = purged_row(cur_ck, cur, pdel, rts, now)
                if live is not None:
                    out.append((cur_ck, live))
                    if limit is not None and len(out) >= limit:
                        cur = None
                        break
            cur_ck = ck
            cur = row
        if cur is not None:
            live = purged_row(cur_ck, cur, pdel, rts, now)
            if live is not None:
                out.append((cur_ck, live))
    if static is None and not out:
        return None
    return PartitionView(pk, static, out)


def row_values(cells: dict, columns) -> list:
    """What a projected read returns for a purged row with ``cells``: per name in
    ``columns``, the value bytes of a simple cell, the ComplexColumn of a collection, or
    None when the column has no live data."""
    out = []
    for name in columns:
        data = cells.get(name)
        out.append(data.value if type(data) is Cell else data)
    return out


def project_view(view: PartitionView | None, columns) -> PartitionView | None:
    """``view`` with each row's cells replaced by its ``row_values`` (and without its
    static row); None when it has no clustering rows."""
    if view is None or not view.rows:
        return None
    return PartitionView(view.pk, None, [(ck, row_values(row.cells, columns))
                                         for ck, row in view.rows])


def count_tombstones(partition: Partition, slices: list[tuple[bytes, bytes | None]] | None,
                     reverse: bool, now: int, stop_ck: bytes | None = None) -> int:
    """Tombstones and expired cells a read of ``slices`` passes over, up to ``stop_ck``.

    Only traces need this (their "N tombstone cells"), so it is a separate walk.
    """
    n = partition.deletion is not None
    for rt in partition.range_tombstones:
        if slices is None or any((hi is None or rt.lo < hi) and (rt.hi is None or lo < rt.hi)
                                 for lo, hi in slices):
            n += 1
    if partition.static_row is not None:
        n += _row_tombstones(partition.static_row, now)
    for ck, row in slice_rows(partition.rows, slices, reverse):
        n += _row_tombstones(row, now)
        if ck == stop_ck:
            break
    return n


def _row_tombstones(row: Row, now: int) -> int:
    n = row.deletion is not None
    for data in row.cells.values():
        if isinstance(data, Cell):
            n += not data.is_live(now)
        else:
            n += data.deletion is not None
            n += sum(not cell.is_live(now) for cell in data.cells.values())
    return n
