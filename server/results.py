"""RESULT bodies: Void, Rows, Set_keyspace, Prepared, Schema_change; [option] type specs.

Cells come from the CQL types' own ``serialize`` (the native protocol format), so this
module only lays out metadata and lengths.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from cassalite.server import wire
from cassalite.server.frame import Opcode
from cassalite.server.messages import schema_change_body
from cql.types import CQLType

VOID = 0x0001
ROWS = 0x0002
SET_KEYSPACE = 0x0003
PREPARED = 0x0004
SCHEMA_CHANGE = 0x0005

# Rows / prepared metadata flags
GLOBAL_TABLES_SPEC = 0x0001
HAS_MORE_PAGES = 0x0002
NO_METADATA = 0x0004

_I = struct.Struct(">i")
_NULL = b"\xff\xff\xff\xff"

_option_cache: dict[CQLType, bytes] = {}
_specs_cache: dict[tuple, bytes] = {}
_shapes: dict[tuple, RowsShape] = {}
_CACHE_LIMIT = 4096


def _encode_option(opt: tuple) -> bytes:
    type_id = opt[0]
    out = wire.short(type_id)
    if type_id == 0x0000:
        return out + wire.string(opt[1])
    if type_id in (0x0020, 0x0022):
        return out + _encode_option(opt[1])
    if type_id == 0x0021:
        return out + _encode_option(opt[1]) + _encode_option(opt[2])
    if type_id == 0x0030:
        _, ks, name, fields = opt
        out += wire.string(ks) + wire.string(name) + wire.short(len(fields))
        return out + b"".join(wire.string(f) + _encode_option(o) for f, o in fields)
    if type_id == 0x0031:
        return out + wire.short(len(opt[1])) + b"".join(_encode_option(o) for o in opt[1])
    return out


def type_option(ctype: CQLType) -> bytes:
    """The [option] describing a column type (frozen is invisible on the wire)."""
    cached = _option_cache.get(ctype)
    if cached is None:
        cached = _encode_option(ctype.protocol_option(4))
        if len(_option_cache) < _CACHE_LIMIT:
            _option_cache[ctype] = cached
    return cached


def _column_specs(keyspace: str | None, table: str | None, names: Sequence[str],
                  types: Sequence[CQLType]) -> bytes:
    """Global table spec and (name, type) per column."""
    key = (keyspace, table, tuple(names), tuple(types))
    cached = _specs_cache.get(key)
    if cached is None:
        head = wire.string(keyspace or "") + wire.string(table or "")
        cached = head + b"".join(wire.string(n) + type_option(t) for n, t in zip(names, types))
        if len(_specs_cache) < _CACHE_LIMIT:
            _specs_cache[key] = cached
    return cached


class RowsShape:
    """What every Rows answer of one result shape (keyspace, table, column names and
    types) shares: the body's start with and without metadata (the Python driver never
    sets Skip_metadata, so most answers carry it) and the cell serializers. Remembered by
    the types' identities, which the shape keeps alive, since hashing the types
    themselves cost more than encoding a one-row answer."""

    __slots__ = ("types", "full", "bare", "serializers", "keyspace", "table", "names")

    def __init__(self, keyspace: str | None, table: str | None, names: Sequence[str],
                 types: Sequence[CQLType]):
        self.keyspace, self.table, self.names = keyspace, table, list(names)
        self.types = tuple(types)
        self.serializers = [t.serialize for t in types]
        count = wire.int32(len(names))
        self.full = (wire.int32(ROWS) + wire.int32(GLOBAL_TABLES_SPEC) + count
                     + _column_specs(keyspace, table, names, types))
        self.bare = wire.int32(ROWS) + wire.int32(NO_METADATA) + count

    def body(self, rows: Sequence[Sequence[Any]], paging_state: bytes | None,
             skip_metadata: bool) -> bytes:
        """The whole Rows body."""
        if paging_state is None:
            head = self.bare if skip_metadata else self.full
        else:
            head = wire.int32(ROWS) + rows_metadata(self.keyspace, self.table, self.names,
                                                    self.types, paging_state, skip_metadata)
        return head + encode_rows(self.serializers, rows)


def rows_shape(keyspace: str | None, table: str | None, names: Sequence[str],
               types: Sequence[CQLType]) -> RowsShape:
    key = (keyspace, table, *names, *map(id, types))
    shape = _shapes.get(key)
    if shape is None:
        shape = RowsShape(keyspace, table, names, types)
        if len(_shapes) >= _CACHE_LIMIT:
            _shapes.clear()
        _shapes[key] = shape
    return shape


def rows_metadata(keyspace: str | None, table: str | None, names: Sequence[str],
                  types: Sequence[CQLType], paging_state: bytes | None = None,
                  skip_metadata: bool = False) -> bytes:
    flags = HAS_MORE_PAGES if paging_state is not None else 0
    if skip_metadata:
        flags |= NO_METADATA
    else:
        flags |= GLOBAL_TABLES_SPEC
    out = wire.int32(flags) + wire.int32(len(names))
    if paging_state is not None:
        out += wire.bytes_(paging_state)
    if not skip_metadata:
        out += _column_specs(keyspace, table, names, types)
    return out


def encode_rows(serializers: Sequence[Callable[[Any], bytes | None]],
                rows: Sequence[Sequence[Any]]) -> bytes:
    """[int] row count, then each cell as [bytes] (null: length -1)."""
    pack = _I.pack
    out = [pack(len(rows))]
    append = out.append
    for row in rows:
        for ser, value in zip(serializers, row):
            if value is None:
                append(_NULL)
                continue
            cell = ser(value)
            if cell is None:
                append(_NULL)
            else:
                append(pack(len(cell)))
                append(cell)
    return b"".join(out)


def void() -> tuple[int, bytes]:
    return Opcode.RESULT, wire.int32(VOID)


def rows(keyspace: str | None, table: str | None, names: Sequence[str],
         types: Sequence[CQLType], values: Sequence[Sequence[Any]],
         paging_state: bytes | None = None, skip_metadata: bool = False) -> tuple[int, bytes]:
    return Opcode.RESULT, rows_shape(keyspace, table, names, types).body(
        values, paging_state, skip_metadata)


def set_keyspace(keyspace: str) -> tuple[int, bytes]:
    return Opcode.RESULT, wire.int32(SET_KEYSPACE) + wire.string(keyspace)


def schema_change(change) -> tuple[int, bytes]:
    return Opcode.RESULT, wire.int32(SCHEMA_CHANGE) + schema_change_body(
        change.change_type, change.target, change.keyspace, change.name, change.arg_types)


def prepared(query_id: bytes, statement) -> tuple[int, bytes]:
    """Prepared: bind-marker metadata (with partition-key indexes) and result metadata."""
    plan = statement._prepared.plan
    markers = statement._prepared.markers
    ks, table = plan.keyspace or "", plan.table or ""
    pk_indexes = list(statement.routing_key_indexes)
    body = wire.int32(PREPARED) + wire.short_bytes(query_id)
    body += wire.int32(GLOBAL_TABLES_SPEC) + wire.int32(len(markers))
    body += wire.int32(len(pk_indexes)) + b"".join(wire.short(i) for i in pk_indexes)
    body += _column_specs(ks, table, [m.name or m.receiver for m in markers],
                          [m.type for m in markers])
    names, types = list(plan.result_names), list(plan.result_types)
    if names:
        body += rows_metadata(ks, table, names, types)
    else:
        body += wire.int32(NO_METADATA) + wire.int32(0)
    return Opcode.RESULT, body
