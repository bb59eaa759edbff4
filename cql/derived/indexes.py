"""Secondary indexes, stored as hidden tables of the storage engine.

An index on a column is a table whose partition key is the indexed value (or element, key,
entry) and whose rows are the base rows holding it, ordered by base token then clustering.
Writes only ever *add* entries; queries re-check every hit against the live base row, so
entries left behind by overwrites, deletes, TTL expiry or TRUNCATE are simply ignored.
That keeps writes free of read-before-write while results stay exact, and the index lives
in the engine, so it survives restarts like any table.
"""

from __future__ import annotations

import struct
from typing import Any, Iterator

from cassalite.storage.engine import TableInfo
from cassalite.storage.model import ComplexColumn, LivenessInfo, Mutation, Partition, Row
from cassalite.storage.murmur3 import decorate
from cql.cells import clustering_values, partition_key_values
from cql.errors import InvalidRequest
from cql.schema.metadata import IndexMetadata, TableMetadata, name_uuid
from cql.types import BLOB, MapType, SetType
from cql.types.comparable import clustering_bound, decode_clustering, encode_clustering

from . import sai

_ENTRY_TYPES = [BLOB, BLOB]
_ENTRY_ORDER = [False, False]


def index_table_id(table: TableMetadata, index: IndexMetadata) -> str:
    return str(name_uuid(f"{table.keyspace}.{table.name}.{index.name}.{table.id}"))


def index_info(table: TableMetadata, index: IndexMetadata) -> TableInfo:
    return TableInfo(
        index_table_id(table, index), table.keyspace, f"{table.name}.{index.name}",
        {"gc_grace_seconds": 0, "compaction": table.options.get("compaction", {})},
    )


def _kind(table: TableMetadata, index: IndexMetadata) -> str:
    column = table.columns[index.target_column]
    kind = index.target_kind
    if not column.type.is_multicell:
        return "full"
    return kind


def _entry_key(path: bytes, value: bytes) -> bytes:
    return struct.pack(">H", len(path)) + path + value


def lookup_key(table: TableMetadata, index: IndexMetadata, op: str, value: Any,
               key: Any = None) -> bytes:
    """The index partition key for a query value (the same bytes writes produce)."""
    ctype = table.columns[index.target_column].type
    kind = _kind(table, index)
    if kind == "full":
        return ctype.serialize(value)
    if kind == "keys":
        return ctype.key_type.to_comparable(value)
    if kind == "entries":
        return _entry_key(ctype.key_type.to_comparable(key), ctype.value_type.serialize(value))
    if isinstance(ctype, SetType):
        return ctype.element_type.to_comparable(value)
    if isinstance(ctype, MapType):
        return ctype.value_type.serialize(value)
    return ctype.element_type.serialize(value)


def supports(table: TableMetadata, index: IndexMetadata, restriction) -> str | None:
    """Which operation of ``restriction`` this index can answer ('=', 'CONTAINS', ...)."""
    if index.kind == "CUSTOM" and "sai" not in index.options.get("class_name", "").lower() and \
            "storageattached" not in index.options.get("class_name", "").lower():
        return None
    if not lookup_exact(table, index):
        return None
    kind = _kind(table, index)
    if kind == "full" and restriction.eq is not None:
        return "="
    if kind == "values" and restriction.contains:
        return "CONTAINS"
    if kind == "keys" and restriction.contains_key:
        return "CONTAINS KEY"
    if kind == "entries" and restriction.entries:
        return "ENTRY"
    return None


def lookup_exact(table: TableMetadata, index: IndexMetadata) -> bool:
    """Whether looking up the stored bytes of a value finds exactly the rows equal to it:
    not for SAI vector indexes (ANN only), analysed text, or the types whose equal values
    may be written as different bytes (decimal scale, IPv4-mapped IPv6 under SAI)."""
    column = table.columns.get(index.target_column)
    if column is None or not sai.is_sai(index):
        return column is not None
    name = getattr(column.type, "name", "")
    if getattr(column.type, "is_vector", False) or name in ("decimal", "inet"):
        return False
    return sai.analyzer(table, index) is None


def _entries_of(table: TableMetadata, index: IndexMetadata, data) -> list[tuple[bytes, int, int, int]]:
    """(index key, timestamp, ttl, expiry) for every live value a column's data holds."""
    kind = _kind(table, index)
    ctype = table.columns[index.target_column].type
    out = []
    if isinstance(data, ComplexColumn):
        for path, cell in data.cells.items():
            if cell.value is None:
                continue
            if kind == "keys":
                key = path
            elif kind == "entries":
                key = _entry_key(path, cell.value)
            elif isinstance(ctype, SetType):
                key = path
            else:  # values of a list or a map
                key = cell.value
            out.append((key, cell.timestamp, cell.ttl, cell.local_deletion_time))
    elif data.value is not None and kind == "full":
        out.append((data.value, data.timestamp, data.ttl, data.local_deletion_time))
    return out


_MAX_INDEXED_SIZE = 65535  # CassandraIndex.validateIndexedValue: FBUtilities.MAX_UNSIGNED_SHORT


def _skips_empty_values(table: TableMetadata, index: IndexMetadata, column) -> bool:
    """An SAI index of a non-literal type leaves empty values out (CASSANDRA-20313): only
    strings, booleans and frozen values index them; legacy indexes index them all."""
    if not sai.is_sai(index) or _kind(table, index) != "full":
        return False
    ctype = column.type
    return getattr(ctype, "name", "") not in ("text", "varchar", "ascii", "boolean") \
        and not ctype.frozen


def index_mutations(table: TableMetadata, mutations: list[Mutation],
                    building: bool = False) -> list[Mutation]:
    """Index entries for the values ``mutations`` write into ``table``. A value too large
    to index fails the write, but an index being built over existing data leaves it out
    (as Cassandra's build does): a query for it then fails on its size."""
    out: list[Mutation] = []
    for index in table.indexes.values():
        column = table.columns.get(index.target_column)
        if column is None or not lookup_exact(table, index):
            continue
        iid = index_table_id(table, index)
        skip_empty = _skips_empty_values(table, index, column)
        for m in mutations:
            dk = decorate(m.pk)
            rows = list(m.update.rows.items())
            if column.is_static and m.update.static_row is not None:
                rows = [(b"", m.update.static_row)]
            elif column.is_primary_key:
                rows = [(ck, r) for ck, r in rows if r.liveness is not None or r.cells]
                static = m.update.static_row
                if column.kind == "partition_key" and static is not None and static.cells:
                    rows.insert(0, (b"", static))  # a partition that may never have rows
            for ck, row in rows:
                if column.is_primary_key:
                    values = _key_value(table, column, m.pk, ck)
                    entries = [(values, _row_timestamp(row), 0, 0x7FFFFFFF)] if values else []
                else:
                    data = row.cells.get(column.name)
                    if data is None:
                        continue
                    entries = _entries_of(table, index, data)
                for key, ts, ttl, expiry in entries:
                    if skip_empty and not key:
                        continue
                    if len(key) >= _MAX_INDEXED_SIZE:
                        if building:
                            continue
                        raise InvalidRequest(
                            f"Cannot index value of size {len(key)} for index {index.name} on "
                            f"{table.keyspace}.{table.name}({column.name}) (maximum allowed "
                            f"size={_MAX_INDEXED_SIZE})")
                    entry_ck = encode_clustering(_ENTRY_TYPES, [dk, ck], _ENTRY_ORDER)
                    marker = LivenessInfo(ts, ttl, expiry) if ttl else LivenessInfo(ts)
                    update = Partition()
                    update.rows[entry_ck] = Row(marker)
                    out.append(Mutation(iid, key, update))
    return out


def _row_timestamp(row: Row) -> int:
    return row.max_timestamp()


def _key_value(table: TableMetadata, column, pk: bytes, ck: bytes) -> bytes | None:
    if column.kind == "partition_key":
        return column.type.serialize(partition_key_values(table, pk)[column.position])
    if not ck:
        return None
    return column.type.serialize(clustering_values(table, ck)[column.position])


def entries_after(dk: bytes, ck: bytes | None = None) -> bytes:
    """Lower bound of the entries after base row (``dk``, ``ck``), or after every entry of
    partition ``dk`` when ``ck`` is None."""
    if ck is None:
        return clustering_bound(_ENTRY_TYPES, [dk], _ENTRY_ORDER, True)
    return encode_clustering(_ENTRY_TYPES, [dk, ck], _ENTRY_ORDER) + b"\x00"


def lookup(engine, table: TableMetadata, index: IndexMetadata, key: bytes, now: int,
           start: bytes | None = None,
           first_per_partition: bool = False) -> Iterator[tuple[bytes, bytes]]:
    """(base dk, base ck) of the entries stored under ``key``, in base token then clustering
    order, from the bound ``start`` (see ``entries_after``) on.

    Entries are read a chunk at a time (growing), so a page that stops early reads little
    and the next page starts where it stopped instead of rereading what came before. With
    ``first_per_partition`` only the first entry of each base partition is produced and the
    partition's other entries are skipped in storage when a chunk ends inside it.
    """
    iid = index_table_id(table, index)
    lo = start or b""
    chunk = 64
    while True:
        view = engine.read_partition(iid, key, [(lo, None)], False, now, chunk)
        if view is None:
            return
        last_dk = None
        for entry_ck, _ in view.rows:
            dk, ck = decode_clustering(_ENTRY_TYPES, entry_ck, _ENTRY_ORDER)
            if first_per_partition and dk == last_dk:
                continue
            last_dk = dk
            yield dk, ck
        if len(view.rows) < chunk:
            return
        lo = view.rows[-1][0] + b"\x00"
        if first_per_partition:
            lo = entries_after(last_dk)
        chunk = min(chunk * 2, 4096)


def build(engine, table: TableMetadata, index: IndexMetadata, now: int) -> None:
    """Index the rows already in ``table`` (CREATE INDEX on a table with data)."""
    batch: list[Mutation] = []
    single = TableMetadata(table.keyspace, table.name, table.id, table.columns, table.options,
                           indexes={index.name: index})
    for view in engine.scan(str(table.id), now=now):
        update = Partition(static_row=view.static_row)
        for ck, row in view.rows:
            update.rows[ck] = row
        batch.extend(index_mutations(single, [Mutation(str(table.id), view.pk, update)],
                                     True))
        if len(batch) >= 1000:
            engine.apply(batch)
            batch = []
    if batch:
        engine.apply(batch)
