"""The check of a lightweight transaction, as Cassandra's ``CQL3CasRequest`` makes it.

One request per partition gathers the conditions of a statement (or of every statement of a
conditional batch) by row: ``IF EXISTS`` / ``IF NOT EXISTS`` or column conditions on the
row the statement writes, conditions on static columns on the static row. One read then
serves them all: the rows with conditions (and the static row when a static column is
written or tested), or, with only static conditions, the static row and the partition's
first live row (so a partition with rows but no static values still shows). A failed check
returns what that read saw.
"""

from __future__ import annotations

from typing import Any

from cql.cells import clustering_values, decode_row_values, partition_key_values
from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext
from cql.schema.metadata import ColumnMetadata, TableMetadata

#: the key of the static row's conditions (rows are keyed by their clustering bytes)
STATIC = None


class CasRequest:
    def __init__(self, table: TableMetadata, pk: bytes):
        self.table = table
        self.pk = pk
        # row key -> "exists" | "not exists" | [(Condition, bound values)]
        self.conditions: dict[bytes | None, Any] = {}
        self.condition_columns: set[str] = set()
        self.updates_static = False

    def add(self, plan, ck: bytes | None, bound: list) -> None:
        """The conditions of one statement writing row ``ck`` (None: the static row)."""
        self.updates_static = self.updates_static or any(
            op.column.is_static for op in plan.operations)
        if plan.if_not_exists:
            self._add_exists(ck, "not exists")
        elif plan.if_exists:
            self._add_exists(ck, "exists")
        else:
            regular = [c for c in plan.conditions if not c.column.is_static]
            static = [c for c in plan.conditions if c.column.is_static]
            if regular:
                self._add_conditions(ck, regular, bound)
            if static:
                self._add_conditions(STATIC, static, bound)

    def _add_exists(self, ck: bytes | None, kind: str) -> None:
        previous = self.conditions.get(ck)
        if previous is not None and previous != kind:
            if isinstance(previous, str):
                raise InvalidRequest(
                    "Cannot mix IF EXISTS and IF NOT EXISTS conditions for the same row")
            raise InvalidRequest(
                f"Cannot mix IF conditions and IF {'NOT ' if kind == 'not exists' else ''}"
                "EXISTS for the same row")
        self.conditions[ck] = kind

    def _add_conditions(self, ck: bytes | None, conditions: list, bound: list) -> None:
        previous = self.conditions.setdefault(ck, [])
        if isinstance(previous, str):
            raise InvalidRequest("Cannot mix IF conditions and IF NOT EXISTS for the same row")
        previous.extend((c, bound) for c in conditions)
        self.condition_columns.update(c.column.name for c in conditions)

    # ---- the read ---------------------------------------------------------------------

    def read(self, db, ctx: ExecutionContext) -> CasRead:
        table = self.table
        rows = sorted(ck for ck in self.conditions if ck is not STATIC)
        if rows:
            view = db.engine.read_partition(str(table.id), self.pk,
                                            [(ck, ck + b"\x00") for ck in rows], False, ctx.now)
        else:
            view = db.engine.read_partition(str(table.id), self.pk, None, False, ctx.now, 1)
        if view is None:
            return CasRead(self, None, [])
        static_row = view.static_row
        if static_row is not None and not self.updates_static and not any(
                table.columns[name].is_static for name in self.condition_columns):
            static_row = None  # static columns are read only when written or tested
        return CasRead(self, static_row, view.rows)


class CasRead:
    """What the read of a :class:`CasRequest` saw, decoded."""

    def __init__(self, request: CasRequest, static_row, rows: list):
        self.request = request
        table = request.table
        self.base = dict(zip((c.name for c in table.partition_key),
                             partition_key_values(table, request.pk)))
        self.has_static = static_row is not None
        decode_row_values(table, static_row, self.base)
        clustering = [c.name for c in table.clustering]
        self.rows: dict[bytes, dict] = {}
        for ck, row in rows:
            values = dict(self.base)
            values.update(zip(clustering, clustering_values(table, ck)))
            self.rows[ck] = decode_row_values(table, row, values)

    def values(self, ck: bytes | None) -> dict | None:
        """The values a condition on row ``ck`` sees (None: the row is not there)."""
        if ck is STATIC:
            return self.base if self.has_static else None
        return self.rows.get(ck)

    def applies(self) -> bool:
        for ck, conditions in self.request.conditions.items():
            values = self.values(ck)
            if conditions == "exists":
                if values is None:
                    return False
            elif conditions == "not exists":
                if values is not None:
                    return False
            else:
                for c, bound in conditions:
                    c.check_values(bound)
                if not all(c.holds(values or {}, bound) for c, bound in conditions):
                    return False
        return True

    def result_rows(self, columns: list[ColumnMetadata]) -> list[tuple]:
        """The rows of a failed check: each row read, else the static row, else none."""
        rows = list(self.rows.values())
        if not rows and self.has_static:
            rows = [self.base]
        return [tuple([False] + [r.get(c.name) for c in columns]) for r in rows]
