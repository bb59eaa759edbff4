"""The schema side of a migration: what to copy, and the target's schema made ready.

The source's ``DESCRIBE KEYSPACE`` statements create on the target whatever it lacks
(keyspace, types, tables, indexes, views, functions); what exists is kept. A table that
exists on both sides must be compatible: the same primary key (names, types, order) and
every source column present with the same type. Anything else is refused with a message
naming the table and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM_KEYSPACES = frozenset({
    "system", "system_schema", "system_auth", "system_distributed", "system_traces",
    "system_views", "system_virtual_schema", "dse_system", "dse_security", "solr_admin",
    "system_distributed_everywhere", "system_replicated_keys"})

#: DESCRIBE's object types -> (system_schema table, its name column)
_OBJECTS = {"type": ("types", "type_name"), "table": ("tables", "table_name"),
            "index": ("indexes", "index_name"), "materialized_view": ("views", "view_name"),
            "function": ("functions", "function_name"),
            "aggregate": ("aggregates", "aggregate_name")}


class SchemaError(Exception):
    """The target's schema cannot take the source's data."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # partition_key, clustering, static, regular
    position: int
    type: str

    @property
    def is_key(self) -> bool:
        return self.kind in ("partition_key", "clustering")


@dataclass(frozen=True)
class Table:
    keyspace: str
    name: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"{self.keyspace}.{self.name}"

    def of_kind(self, *kinds: str) -> list[Column]:
        return sorted((c for c in self.columns if c.kind in kinds), key=lambda c: c.position)

    @property
    def partition_key(self) -> list[Column]:
        return self.of_kind("partition_key")

    @property
    def primary_key(self) -> list[Column]:
        return self.partition_key + self.of_kind("clustering")

    @property
    def values(self) -> list[Column]:
        """The non-key columns, statics first, by name."""
        return sorted((c for c in self.columns if not c.is_key),
                      key=lambda c: (c.kind != "static", c.name))

    @property
    def is_counter(self) -> bool:
        return any(c.type == "counter" for c in self.columns)


def _rows(session: Any, query: str, params: Any = None) -> list[tuple]:
    rs = session.execute(query, params)
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rs]


def user_keyspaces(session: Any) -> list[str]:
    return sorted(ks for (ks,) in _rows(session, "SELECT keyspace_name FROM "
                                                 "system_schema.keyspaces")
                  if ks not in SYSTEM_KEYSPACES)


def keyspace_exists(session: Any, keyspace: str) -> bool:
    return bool(_rows(session, "SELECT keyspace_name FROM system_schema.keyspaces WHERE "
                               "keyspace_name = %s", [keyspace]))


def table(session: Any, keyspace: str, name: str) -> Table | None:
    rows = _rows(session, "SELECT column_name, kind, position, type FROM "
                          "system_schema.columns WHERE keyspace_name = %s AND table_name = %s",
                 [keyspace, name])
    if not rows:
        return None
    return Table(keyspace, name, tuple(Column(n, k, p, t) for n, k, p, t in rows))


def tables(session: Any, keyspace: str) -> list[Table]:
    """The keyspace's tables (not its views: they are rebuilt from their base tables)."""
    names = sorted(n for (n,) in _rows(session, "SELECT table_name FROM system_schema.tables "
                                                "WHERE keyspace_name = %s", [keyspace]))
    return [t for t in (table(session, keyspace, n) for n in names) if t is not None]


def incompatibility(source: Table, target: Table) -> str | None:
    """Why ``target`` cannot take ``source``'s rows, or None."""
    src_key = [(c.name, c.kind, c.type) for c in source.primary_key]
    dst_key = [(c.name, c.kind, c.type) for c in target.primary_key]
    if src_key != dst_key:
        def show(key: list) -> str:
            return ", ".join(f"{n} {t} ({k.replace('_', ' ')})" for n, k, t in key)
        return f"the primary keys differ: source ({show(src_key)}), target ({show(dst_key)})"
    theirs = {c.name: c for c in target.columns}
    for c in source.values:
        other = theirs.get(c.name)
        if other is None:
            return f"column {c.name} ({c.type}) is missing on the target"
        if other.type != c.type:
            return f"column {c.name} is {c.type} on the source but {other.type} on the target"
        if (other.kind == "static") != (c.kind == "static"):
            return f"column {c.name} is {c.kind} on the source but {other.kind} on the target"
    return None


def _exists(session: Any, keyspace: str, kind: str, name: str) -> bool:
    if kind == "keyspace":
        return keyspace_exists(session, keyspace)
    schema_table, column = _OBJECTS[kind]
    return bool(_rows(session, f"SELECT {column} FROM system_schema.{schema_table} WHERE "
                               f"keyspace_name = %s AND {column} = %s", [keyspace, name]))


def prepare_target(source: Any, target: Any, keyspace: str,
                   only: set[str] | None = None) -> list[str]:
    """Create on the target what the source's keyspace has and the target lacks; refuse
    incompatible tables (SchemaError). Returns the statements run. ``only``: table names."""
    created = []
    for row in _rows(source, f'DESCRIBE KEYSPACE "{keyspace}"'):
        _ks, kind, name, statement = row[:4]
        if kind not in ("keyspace", *_OBJECTS):
            continue
        if kind in ("table", "index", "materialized_view") and only is not None \
                and kind == "table" and name not in only:
            continue
        if _exists(target, keyspace, kind, name):
            if kind == "table":
                mine, theirs = table(source, keyspace, name), table(target, keyspace, name)
                assert mine is not None and theirs is not None
                problem = incompatibility(mine, theirs)
                if problem:
                    raise SchemaError(f"Table {keyspace}.{name} exists on the target with an "
                                      f"incompatible definition: {problem}")
            continue
        target.execute(statement)
        created.append(statement)
    return created
