"""Keeping materialized views in step with their base tables.

A view row is a function of one base row: its key comes from base columns, its cells are
copies of base cells (timestamps and TTLs included, so expiry carries over). For every base
write we read the affected base rows before and after it, and turn the difference into view
writes: the row at an old view key is deleted when the key moves or the row stops
qualifying, and the row at the new key is rewritten from the base row.
"""

from __future__ import annotations

from functools import lru_cache

from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    Row,
    tombstone,
)
from cql.cells import (
    clustering_bytes,
    clustering_values,
    decode_row_values,
    partition_key_bytes,
    partition_key_values,
)
from cql.plan.terms import Markers, TermContext
from cql.schema.metadata import TableMetadata
from cql.syntax import ast
from cql.syntax.parser import parse


@lru_cache(maxsize=256)
def _relations(base: str, where_text: str) -> tuple:
    stmt = parse(f"SELECT * FROM {base} WHERE {where_text}" if where_text else f"SELECT * FROM {base}")
    return stmt.where


class ViewWriter:
    """The compiled filter of one view plus the column mapping it needs."""

    def __init__(self, base: TableMetadata, view: TableMetadata):
        from cql.plan.restrictions import WhereClause  # (the planner's: not needed at start)

        self.base, self.view = base, view
        relations = tuple(
            r for r in _relations(base.name, view.view_where)
            if not (isinstance(r, ast.Relation) and r.op == "IS NOT")
        )
        self.where = WhereClause(base, relations, TermContext(Markers(), base.keyspace), "VIEW")
        self.multis = [m.bind([]) for m in self.where.multis]
        self.key_columns = [c.name for c in view.primary_key]
        self.cell_columns = [c.name for c in view.columns.values() if not c.is_primary_key]

    def key_of(self, values: dict | None) -> tuple | None:
        """The view primary key of a base row, or None when the row does not qualify."""
        if values is None:
            return None
        key = tuple(values.get(n) for n in self.key_columns)
        if any(v is None for v in key):
            return None
        for r in self.where.columns.values():
            if not r.matches(values.get(r.name), []):
                return None
        for m in self.multis:
            if not m.matches(values):
                return None
        return key

    def _address(self, key: tuple) -> tuple[bytes, bytes]:
        view = self.view
        n = len(view.partition_key)
        return partition_key_bytes(view, list(key[:n])), clustering_bytes(view, list(key[n:]))

    def deletion(self, key: tuple, ts: int, now: int) -> Mutation:
        pk, ck = self._address(key)
        update = Partition()
        update.rows[ck] = Row(deletion=DeletionTime(ts, now))
        return Mutation(str(self.view.id), pk, update)

    def upsert(self, key: tuple, base_row: Row, ts: int, now: int) -> Mutation:
        pk, ck = self._address(key)
        cells: dict = {}
        for name in self.cell_columns:
            data = base_row.cells.get(name)
            if data is None:
                multicell = self.view.columns[name].type.is_multicell
                cells[name] = ComplexColumn(DeletionTime(ts, now)) if multicell else tombstone(ts, now)
            else:
                cells[name] = data.copy() if isinstance(data, ComplexColumn) else data
        liveness = base_row.liveness or _liveness_from_cells(base_row)
        update = Partition()
        update.rows[ck] = Row(liveness, None, cells)
        return Mutation(str(self.view.id), pk, update)


def _liveness_from_cells(row: Row) -> LivenessInfo:
    newest: Cell | None = None
    for data in row.cells.values():
        for cell in data.cells.values() if isinstance(data, ComplexColumn) else [data]:
            if newest is None or cell.timestamp > newest.timestamp:
                newest = cell
    if newest is None:
        return LivenessInfo(0)
    if newest.ttl:
        return LivenessInfo(newest.timestamp, newest.ttl, newest.local_deletion_time)
    return LivenessInfo(newest.timestamp)


def affected_rows(engine, base: TableMetadata, m: Mutation, now: int) -> dict:
    """{ck: (values, row)} for the base rows a mutation may change, as they are now."""
    update = m.update
    whole = update.deletion is not None or bool(update.range_tombstones)
    slices = None if whole else [(ck, ck + b"\x00") for ck in sorted(update.rows)]
    if slices == []:
        return {}
    pview = engine.read_partition(str(base.id), m.pk, slices, False, now)
    return {} if pview is None else decoded_rows(base, pview)


def decoded_rows(base: TableMetadata, pview) -> dict:
    """{ck: (values, row)} for the clustering rows of a partition view."""
    pk_values = dict(zip((c.name for c in base.partition_key), partition_key_values(base, pview.pk)))
    out = {}
    for ck, row in pview.rows:
        values = dict(pk_values)
        values.update(zip((c.name for c in base.clustering), clustering_values(base, ck)))
        decode_row_values(base, row, values)
        out[ck] = (values, row)
    return out


def view_mutations(writers: list[ViewWriter], before: dict, after: dict, ts: int,
                   now: int) -> list[Mutation]:
    out = []
    for ck in set(before) | set(after):
        old_values, _ = before.get(ck, (None, None))
        new_values, new_row = after.get(ck, (None, None))
        for w in writers:
            old_key, new_key = w.key_of(old_values), w.key_of(new_values)
            if old_key is not None and old_key != new_key:
                out.append(w.deletion(old_key, ts, now))
            if new_key is not None:
                out.append(w.upsert(new_key, new_row, ts, now))
    return out


def mutation_timestamp(m: Mutation) -> int:
    update = m.update
    stamps = [r.max_timestamp() for r in update.rows.values()]
    if update.deletion is not None:
        stamps.append(update.deletion.marked_at)
    stamps.extend(rt.deletion.marked_at for rt in update.range_tombstones)
    if update.static_row is not None:
        stamps.append(update.static_row.max_timestamp())
    return max(stamps) if stamps else 0


def build(engine, base: TableMetadata, view: TableMetadata, now: int) -> None:
    """Fill a new view from the rows its base table already holds."""
    writer = ViewWriter(base, view)
    batch: list[Mutation] = []
    for pview in engine.scan(str(base.id), now=now):
        batch.extend(view_mutations([writer], {}, decoded_rows(base, pview), 0, now))
        if len(batch) >= 1000:
            engine.apply(batch)
            batch = []
    if batch:
        engine.apply(batch)
