"""The glue between CQL values and storage cells: keys, cell paths, row decoding.

Storage sees only bytes. This module decides how a CQL value becomes a partition key, a
clustering key, a simple cell or the element cells of a non-frozen collection or UDT, and
turns what storage returns back into the Python values drivers hand to applications.
"""

from __future__ import annotations

import struct
import threading
import time
from typing import Iterable

from sortedcontainers import SortedDict

from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    PartitionView,
    Row,
    live_cell,
    tombstone,
)
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.types import MapType, SetType, UserType, is_list
from cql.types.comparable import (
    clustering_prefix,
    decode_clustering,
    deserialize_partition_key,
    encode_clustering,
    serialize_partition_key,
)

_SIGN = 1 << 63


class Clock:
    """Strictly increasing microsecond timestamps (Cassandra's coordinator clock)."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        with self._lock:
            t = time.time_ns() // 1000
            if t <= self._last:
                t = self._last + 1
            self._last = t
            return t

    def next_millisecond(self) -> int:
        """A timestamp later than any given so far that is a whole millisecond: what a
        millisecond-precision schema column (dropped_columns.dropped_time) keeps exactly."""
        with self._lock:
            t = max(time.time_ns() // 1000, self._last + 1)
            t = -(-t // 1000) * 1000
            self._last = t
            return t


class _ListPositions:
    """Hands out list element positions that grow across statements and restarts."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def take(self, count: int) -> int:
        with self._lock:
            start = max(self._last + 1, time.time_ns() // 1000 * 16)
            self._last = start + count - 1
            return start


_positions = _ListPositions()


def list_paths(count: int, prepend: bool = False) -> list[bytes]:
    """Cell paths for new list elements: appends sort after and prepends before all others.

    A path is a signed 64-bit position (sign bit flipped, big-endian): appends take growing
    positive positions, prepends growing negative ones, so order is kept across statements.
    """
    start = _positions.take(count)
    if prepend:
        return [struct.pack(">Q", (-(start + count - i)) + _SIGN) for i in range(count)]
    return [struct.pack(">Q", start + i + _SIGN) for i in range(count)]


def udt_path(index: int) -> bytes:
    return struct.pack(">H", index)


def partition_key_bytes(table: TableMetadata, values: list) -> bytes:
    return serialize_partition_key(table.partition_key_types, values)


def partition_key_values(table: TableMetadata, pk: bytes) -> list:
    return deserialize_partition_key(table.partition_key_types, pk)


def clustering_bytes(table: TableMetadata, values: list) -> bytes:
    """The row key of a full clustering (b'' for tables without clustering columns)."""
    if not table.clustering:
        return b""
    return encode_clustering(table.clustering_types, values, table.clustering_reversed)


def clustering_prefix_bytes(table: TableMetadata, values: list) -> bytes:
    return clustering_prefix(
        table.clustering_types[: len(values)], values, table.clustering_reversed[: len(values)]
    )


def clustering_values(table: TableMetadata, ck: bytes) -> list:
    if not table.clustering:
        return []
    return decode_clustering(table.clustering_types, ck, table.clustering_reversed)


def element_cells(
    column: ColumnMetadata, value, timestamp: int, ttl: int, now: int
) -> Iterable[tuple[bytes, Cell]]:
    """The (path, cell) pairs that store a whole non-frozen collection or UDT value."""
    ctype = column.type
    expiry = now + ttl if ttl else 0x7FFFFFFF

    def cell(v) -> Cell:
        return Cell(v, timestamp, ttl, expiry) if ttl else Cell(v, timestamp)

    if is_list(ctype):
        items = list(value)
        elem = ctype.element_type
        return zip(list_paths(len(items)), [cell(elem.serialize(v)) for v in items])
    if isinstance(ctype, SetType):
        elem = ctype.element_type
        return [(elem.to_comparable(v), cell(b"")) for v in value]
    if isinstance(ctype, MapType):
        kt, vt = ctype.key_type, ctype.value_type
        return [(kt.to_comparable(k), cell(vt.serialize(v))) for k, v in value.items()]
    if isinstance(ctype, UserType):
        out = []
        for i, ftype in enumerate(ctype.field_types):
            fv = value[i] if i < len(value) else None
            if fv is not None:
                out.append((udt_path(i), cell(ftype.serialize(fv))))
        return out
    raise TypeError(f"{ctype} is not a multi-cell type")


def decode_complex(column: ColumnMetadata, data: ComplexColumn):
    """A non-frozen collection/UDT value from its live element cells (None when empty)."""
    ctype = column.type
    cells = data.cells
    if not cells:
        return None
    if is_list(ctype):
        elem = ctype.element_type
        return [elem.deserialize(c.value) for c in cells.values()]
    if isinstance(ctype, SetType):
        elem = ctype.element_type
        return ctype.validate([elem.from_comparable(path, 0, True)[0] for path in cells.keys()])
    if isinstance(ctype, MapType):
        kt, vt = ctype.key_type, ctype.value_type
        return ctype.validate(
            {kt.from_comparable(path, 0, True)[0]: vt.deserialize(c.value)
             for path, c in cells.items()}
        )
    if isinstance(ctype, UserType):
        fields = [None] * len(ctype.field_types)
        for path, c in cells.items():
            (i,) = struct.unpack(">H", path)
            if i < len(fields):
                fields[i] = ctype.field_types[i].deserialize(c.value)
        return ctype.validate(tuple(fields))
    raise TypeError(f"{ctype} is not a multi-cell type")


def decode_cell_value(column: ColumnMetadata, data):
    if isinstance(data, ComplexColumn):
        return decode_complex(column, data)
    if data.value is None:
        return None
    return column.type.deserialize(data.value)


def decode_row_values(table: TableMetadata, row: Row | None, into: dict) -> dict:
    """Add the values of ``row``'s cells (by column name) to ``into``."""
    if row is None:
        return into
    columns = table.columns
    for name, data in row.cells.items():
        column = columns.get(name)
        if column is None:
            continue  # a dropped column's leftover cells
        dropped = table.dropped_columns.get(name)
        if dropped is not None:
            data = _without_dropped(data, dropped.dropped_time)
            if data is None:
                continue
        into[name] = decode_cell_value(column, data)
    return into


def has_visible_cells(table: TableMetadata, row: Row) -> bool:
    """Whether ``row`` keeps a cell once dropped columns' cells are ignored: a row without
    a primary key liveness (written by UPDATE) whose cells were all dropped is gone."""
    columns, dropped = table.columns, table.dropped_columns
    for name, data in row.cells.items():
        if name not in columns:
            continue
        d = dropped.get(name)
        if d is None or _without_dropped(data, d.dropped_time) is not None:
            return True
    return False


def _without_dropped(data, dropped_time: int):
    """Cells written before a column was dropped stay invisible if it is re-added."""
    if isinstance(data, Cell):
        return data if data.timestamp > dropped_time else None
    live = SortedDict((p, c) for p, c in data.cells.items() if c.timestamp > dropped_time)
    return ComplexColumn(None, live) if live else None


def row_mutation(
    table: TableMetadata, values: dict, timestamp: int, now: int, ttl: int = 0
) -> Mutation:
    """An INSERT-style upsert of one row (row marker + every given column; None tombstones)."""
    pk = partition_key_bytes(table, [values[c.name] for c in table.partition_key])
    row = Row(LivenessInfo(timestamp, ttl, now + ttl) if ttl else LivenessInfo(timestamp))
    static = None
    for column in table.columns.values():
        if column.is_primary_key or column.name not in values:
            continue
        target = row
        if column.is_static:
            static = static or Row()
            target = static
        value = values[column.name]
        if column.type.is_multicell:
            cc = ComplexColumn(DeletionTime(timestamp - 1, now))
            if value:
                cc.cells.update(element_cells(column, value, timestamp, ttl, now))
            target.cells[column.name] = cc
        elif value is None:
            target.cells[column.name] = tombstone(timestamp, now)
        else:
            target.cells[column.name] = live_cell(column.type.serialize(value), timestamp, ttl, now)
    update = Partition(static_row=static)
    update.rows[clustering_bytes(table, [values[c.name] for c in table.clustering])] = row
    return Mutation(str(table.id), pk, update)


def partition_deletion(table: TableMetadata, pk: bytes, timestamp: int, now: int) -> Mutation:
    return Mutation(str(table.id), pk, Partition(DeletionTime(timestamp, now)))


def decode_view(table: TableMetadata, view: PartitionView) -> list[dict]:
    """Every CQL row of a partition as {column name: value} (static values on each row)."""
    base: dict = dict(zip((c.name for c in table.partition_key), partition_key_values(table, view.pk)))
    decode_row_values(table, view.static_row, base)
    if not view.rows:
        if view.static_row is None:
            return []
        return [base]
    out = []
    ck_names = [c.name for c in table.clustering]
    for ck, row in view.rows:
        values = dict(base)
        values.update(zip(ck_names, clustering_values(table, ck)))
        out.append(decode_row_values(table, row, values))
    return out
