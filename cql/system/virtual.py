"""The virtual keyspaces: ``system_virtual_schema`` (what is virtual) and ``system_views``.

A virtual table has no storage: its rows are computed from the live schema and settings
when a SELECT reads it (Cassandra's ``AbstractVirtualTable.data()``). ``reading`` puts
them in a throwaway in-memory engine, so that the SELECT runs its usual key, slice,
filtering and paging code over them. Users cannot change a virtual keyspace's schema
(``ddl.common.check_user_modifiable``) and DESCRIBE prints it as a comment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cassalite.storage.memory import MemoryEngine
from cql import cells as rowcodec
from cql.schema.metadata import KeyspaceMetadata, Schema, TableMetadata

from .tables import CLUSTER_NAME, LOCAL_STRATEGY, PARTITIONER, build_table, table_info

if TYPE_CHECKING:
    from cql.database import Database

_SCHEMA_DESCRIPTION = (
    "object_type text, keyspace_name text, table_name text, column_name text, udt_name text, "
    "field_name text, {} text",
    ("object_type", "keyspace_name"), ("table_name", "column_name", "udt_name", "field_name"),
)

# keyspace -> table -> (column definitions, partition key, clustering key, comment)
VIRTUAL_TABLES: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]]] = {
    "system_virtual_schema": {
        "keyspaces": ("keyspace_name text", ("keyspace_name",), (),
                      "virtual keyspace definitions"),
        "tables": ("keyspace_name text, table_name text, comment text", ("keyspace_name",),
                   ("table_name",), "virtual table definitions"),
        "columns": (
            "keyspace_name text, table_name text, column_name text, clustering_order text, "
            "column_name_bytes blob, kind text, position int, type text",
            ("keyspace_name",), ("table_name", "column_name"), "virtual column definitions",
        ),
    },
    "system_views": {
        "settings": ("name text, value text", ("name",), (), "current settings"),
        "schema_comments": (_SCHEMA_DESCRIPTION[0].format("comment"), *_SCHEMA_DESCRIPTION[1:],
                            ""),
        "schema_security_labels": (_SCHEMA_DESCRIPTION[0].format("security_label"),
                                   *_SCHEMA_DESCRIPTION[1:], ""),
    },
}


def virtual_keyspaces() -> dict[str, KeyspaceMetadata]:
    out = {}
    for ks_name, tables in VIRTUAL_TABLES.items():
        ks = KeyspaceMetadata(ks_name, dict(LOCAL_STRATEGY), True, virtual=True)
        for name, (spec, pk, ck, comment) in tables.items():
            table = build_table(ks_name, name, spec, pk, ck)
            table.virtual = True
            table.options = {"comment": comment}
            ks.tables[name] = table
        out[ks_name] = ks
    return out


# ---- rows -----------------------------------------------------------------------------


def _keyspaces(db: Database) -> list[dict]:
    return [{"keyspace_name": ks.name} for ks in db.schema.keyspaces.values() if ks.virtual]


def _tables(db: Database) -> list[dict]:
    return [{"keyspace_name": t.keyspace, "table_name": t.name, "comment": t.options["comment"]}
            for t in _virtual_tables(db.schema)]


def _columns(db: Database) -> list[dict]:
    return [{"keyspace_name": t.keyspace, "table_name": t.name, "column_name": c.name,
             "clustering_order": c.clustering_order, "column_name_bytes": c.name.encode(),
             "kind": c.kind, "position": c.position, "type": c.type.name}
            for t in _virtual_tables(db.schema) for c in t.columns.values()]


def _virtual_tables(schema: Schema) -> list[TableMetadata]:
    return [t for ks in schema.keyspaces.values() if ks.virtual for t in ks.tables.values()]


def _settings(db: Database) -> list[dict]:
    values: dict[str, Any] = {
        "cluster_name": CLUSTER_NAME,
        "partitioner": PARTITIONER,
        "dynamic_data_masking_enabled": db.settings.dynamic_data_masking_enabled,
        "drop_compact_storage_enabled": db.settings.drop_compact_storage_enabled,
    }
    return [{"name": k, "value": str(v).lower() if isinstance(v, bool) else str(v)}
            for k, v in values.items()]


def _description_rows(attribute: str) -> Callable[[Database], list[dict]]:
    """schema_comments / schema_security_labels: one row per non-empty ``comment`` or
    ``security_label`` (the column is named after the attribute; unused keys are '')."""

    def rows(db: Database) -> list[dict]:
        out = []

        def add(kind: str, ks: str, text: str, table: str = "", col: str = "",
                udt: str = "", field: str = "") -> None:
            if text:
                out.append({"object_type": kind, "keyspace_name": ks, "table_name": table,
                            "column_name": col, "udt_name": udt, "field_name": field,
                            attribute: text})

        for ks in db.schema.keyspaces.values():
            if ks.virtual:
                continue
            add("KEYSPACE", ks.name, getattr(ks, attribute))
            for t in ks.tables.values():
                add("TABLE", ks.name, t.options.get("comment", "") if attribute == "comment"
                    else t.security_label, t.name)
                for c in t.columns.values():
                    add("COLUMN", ks.name, getattr(c, attribute), t.name, c.name)
            for ut in ks.types.values():
                add("UDT", ks.name, getattr(ut, attribute), udt=ut.name)
                fields = ut.field_comments if attribute == "comment" else ut.field_security_labels
                for f in ut.field_names:
                    add("FIELD", ks.name, fields.get(f, ""), udt=ut.name, field=f)
        return out

    return rows


ROWS: dict[tuple[str, str], Callable[[Database], list[dict]]] = {
    ("system_virtual_schema", "keyspaces"): _keyspaces,
    ("system_virtual_schema", "tables"): _tables,
    ("system_virtual_schema", "columns"): _columns,
    ("system_views", "settings"): _settings,
    ("system_views", "schema_comments"): _description_rows("comment"),
    ("system_views", "schema_security_labels"): _description_rows("security_label"),
}


class _Reading:
    """The database as a SELECT on a virtual table sees it: the same, but for the engine."""

    def __init__(self, db: Database, engine: MemoryEngine):
        self._db = db
        self.engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def reading(db: Database, table: TableMetadata) -> Any:
    """``db`` with an engine that holds the virtual table's rows as of now."""
    engine = MemoryEngine()
    engine.create_table(table_info(table))
    rows = ROWS.get((table.keyspace, table.name))
    if rows is not None:
        ts, now = int(time.time() * 1_000_000), int(time.time())
        engine.apply([rowcodec.row_mutation(table, r, ts, now) for r in rows(db)])
    return _Reading(db, engine)
