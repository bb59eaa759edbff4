"""ALTER TABLE ... DROP COMPACT STORAGE (AlterTableStatement.DropCompactStorage).

Cassandra's schema always holds the columns CreateTableStatement.fixupCompactTable adds to a
compact table, hidden while the table is compact; dropping COMPACT STORAGE only swaps the
table's flags, so they appear as ordinary columns:

- a *static* compact table (no clustering column) gets its ``column1`` text clustering
  column and ``value`` blob (or counter) regular column, and its declared columns are static;
- a *dense* table without a value column gets its ``value`` column of the empty type;
- any other dense table is already its own CQL form.

Here a static compact table keeps its declared columns as the regular columns of a row
without clustering, so its data moves into the partition's static row: each row's cells are
copied there unchanged (timestamps and TTLs kept) and the old row is deleted. A dense table
without a value column keeps a row marker where Cassandra writes an empty value cell: each
row gets that cell (the marker's timestamp and TTL), so the new ``value`` column reads as
Cassandra's, empty rather than null. Both are written in the same atomic write as the new
schema rows.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cassalite.storage.engine import now_seconds
from cassalite.storage.model import Cell, DeletionTime, Mutation, Partition, Row
from cql.derived import vector_index
from cql.errors import InvalidRequest
from cql.schema.metadata import CLUSTERING, REGULAR, STATIC, ColumnMetadata, TableMetadata
from cql.types import EMPTY_TYPE, native_type

if TYPE_CHECKING:
    from cql.database import Database

DISABLED = "DROP COMPACT STORAGE is disabled. Enable in cassandra.yaml to use."


def check_can_drop(db: Database, table: TableMetadata) -> None:
    """The guardrail first, then the table (Cassandra's order)."""
    if not db.settings.drop_compact_storage_enabled:
        raise InvalidRequest(DISABLED)
    if not table.compact:
        raise InvalidRequest("Cannot DROP COMPACT STORAGE on table without COMPACT STORAGE")


def uncompact(table: TableMetadata) -> None:
    """Turn ``table`` (a copy the caller owns) into its CQL form: the hidden columns become
    real ones and a static compact table's declared columns become static."""
    hidden = table.compact_hidden_columns()
    if table.compact == "static":
        for name, column in list(table.columns.items()):
            if column.kind == REGULAR:
                table.columns[name] = dataclasses.replace(column, kind=STATIC)
        for name, dropped in list(table.dropped_columns.items()):
            if dropped.kind == REGULAR:
                table.dropped_columns[name] = dataclasses.replace(dropped, kind=STATIC)
    for name, order, kind, position, type_name in hidden:
        ctype = EMPTY_TYPE if type_name == "empty" else native_type(type_name)
        table.columns[name] = ColumnMetadata(name, ctype, kind, position,
                                             kind == CLUSTERING and order == "desc")
    table.compact = ""
    table.refresh()


def data_writes(db: Database, old: TableMetadata, new: TableMetadata) -> list[Mutation]:
    """The writes that give the table's data its CQL form (none for most dense tables), for
    the same ``engine.apply`` as the new schema."""
    empty_value = None
    if old.compact == "dense" and not old.regular_columns:
        empty_value = new.regular_columns[0].name
    if old.compact != "static" and empty_value is None:
        return []
    now = now_seconds()
    out: list[Mutation] = []
    table_id = str(old.id)
    for view in db.engine.scan(table_id, now=now):
        if empty_value is None:
            update = _moved_to_static(view.rows, now)
        else:
            update = _empty_values(view.rows, empty_value)
        if update.rows:
            out.append(Mutation(table_id, view.pk, update))
    return out


def _moved_to_static(rows, now: int) -> Partition:
    """A static compact partition's rows as its static row, the old rows deleted. Index
    entries stay: a row without clustering and a static row are both indexed under the
    empty clustering key."""
    update = Partition()
    static = Row()
    for ck, row in rows:
        static.cells.update(row.cells)
        update.rows[ck] = Row(deletion=DeletionTime(row.max_timestamp(), now))
    if static.cells:
        update.static_row = static
    return update


def _empty_values(rows, column: str) -> Partition:
    """The empty value cell of each live row, as the row's marker stamps it."""
    update = Partition()
    for ck, row in rows:
        marker = row.liveness
        if marker is not None and column not in row.cells:
            cell = Cell(b"", marker.timestamp, marker.ttl, marker.local_expiration_time)
            update.rows[ck] = Row(cells={column: cell})
    return update


def drop_compact_storage(db: Database, old: TableMetadata, table: TableMetadata
                         ) -> list[Mutation]:
    """Check, turn ``table`` (the caller's copy of ``old``, the schema's table) into its CQL
    form and return the data writes that must go with its schema rows."""
    check_can_drop(db, old)
    uncompact(table)
    writes = data_writes(db, old, table)
    if old.compact == "static":
        vector_index.registry(db).drop_table(str(table.id))  # rebuilt when next used
    return writes
