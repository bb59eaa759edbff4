"""The schema stored as rows of ``system_schema.*`` (read back at start-up).

Like Cassandra, the schema lives in ``system_schema.*`` tables written through the storage
engine, so it survives restarts and drivers read it with plain SELECTs.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timezone

from cassalite.storage.engine import StorageEngine
from cassalite.storage.model import DeletionTime, Partition, RangeTombstone
from cql import cells as rowcodec
from cql.schema.constraints import Constraint
from cql.schema.masks import ColumnMask
from cql.schema.metadata import (
    CLUSTERING,
    REGULAR,
    STATIC,
    ColumnMetadata,
    DroppedColumn,
    IndexMetadata,
    KeyspaceMetadata,
    Schema,
    TableMetadata,
    UserTypeMetadata,
)
from cql.types import EMPTY_TYPE, UserType, parse_type
from cql.types.comparable import BOTTOM, TOP

from .tables import SYSTEM_TABLES


def keyspace_row(ks: KeyspaceMetadata) -> dict:
    return {
        "keyspace_name": ks.name,
        "durable_writes": ks.durable_writes,
        "replication": dict(ks.replication),
    }


def _option_values(table: TableMetadata) -> dict:
    return {k: v for k, v in table.options.items()}


def table_row(table: TableMetadata) -> dict:
    values = _option_values(table)
    values.update(keyspace_name=table.keyspace, id=table.id)
    if table.is_view:
        values.update(
            view_name=table.name,
            base_table_name=table.view_of,
            base_table_id=None,
            include_all_columns=table.view_include_all,
            where_clause=table.view_where,
        )
    else:
        values.update(table_name=table.name, flags=table.flags)
    return values


def compact_kind(flags) -> str:
    """TableMetadata.compact from stored flags (a CQL table is 'compound', not 'dense')."""
    flags = set(flags or ())
    if "dense" in flags:
        return "dense"
    return "" if "compound" in flags else "static"


def column_rows(table: TableMetadata) -> list[dict]:
    def row(name: str, order: str, kind: str, position: int, type_name: str) -> dict:
        return {
            "keyspace_name": table.keyspace,
            "table_name": table.name,
            "column_name": name,
            "clustering_order": order,
            "column_name_bytes": name.encode("utf-8"),
            "kind": kind,
            "position": position,
            "type": type_name,
        }

    static_compact = table.compact == "static"
    rows = [row(c.name, c.clustering_order, STATIC if static_compact and c.kind == REGULAR
                else c.kind, c.position, c.type.name) for c in table.columns.values()]
    return rows + [row(*hidden) for hidden in table.compact_hidden_columns()]


def constraint_rows(table: TableMetadata) -> list[dict]:
    return [
        {
            "keyspace_name": table.keyspace,
            "table_name": table.name,
            "column_name": c.name,
            "constraints": [json.dumps(dataclasses.asdict(k)) for k in c.constraints],
        }
        for c in table.columns.values() if c.constraints
    ]


def mask_rows(table: TableMetadata) -> list[dict]:
    return [
        {"keyspace_name": table.keyspace, "table_name": table.name, "column_name": c.name,
         **c.mask.row()}
        for c in table.columns.values() if c.mask is not None
    ]


def dropped_column_rows(table: TableMetadata) -> list[dict]:
    return [
        {
            "keyspace_name": table.keyspace,
            "table_name": table.name,
            "column_name": d.name,
            "dropped_time": datetime.fromtimestamp(d.dropped_time / 1e6, timezone.utc).replace(
                tzinfo=None
            ),
            "kind": d.kind,
            "type": d.type.name,
        }
        for d in table.dropped_columns.values()
    ]


def index_rows(table: TableMetadata) -> list[dict]:
    return [
        {
            "keyspace_name": table.keyspace,
            "table_name": table.name,
            "index_name": idx.name,
            "kind": idx.kind,
            "options": dict(idx.options, target=idx.target),
        }
        for idx in table.indexes.values()
    ]


def type_row(ut: UserTypeMetadata) -> dict:
    return {
        "keyspace_name": ut.keyspace,
        "type_name": ut.name,
        "field_names": list(ut.field_names),
        "field_types": [t.name for t in ut.field_types],
    }


def _description(keyspace: str, comment: str, label: str, table: str = "", column: str = "",
                 type_name: str = "", field: str = "") -> list[dict]:
    """The descriptions row of one object, if it has a comment or a security label."""
    if not comment and not label:
        return []
    return [{"keyspace_name": keyspace, "table_name": table, "column_name": column,
             "type_name": type_name, "field_name": field,
             "comment": comment or None, "security_label": label or None}]


def keyspace_description_rows(ks: KeyspaceMetadata) -> list[dict]:
    return _description(ks.name, ks.comment, ks.security_label)


def table_description_rows(table: TableMetadata) -> list[dict]:
    """The table's security label (its comment is the ``comment`` option) and its columns'."""
    rows = _description(table.keyspace, "", table.security_label, table.name)
    for c in table.columns.values():
        rows += _description(table.keyspace, c.comment, c.security_label, table.name, c.name)
    return rows


def type_description_rows(ut: UserTypeMetadata) -> list[dict]:
    rows = _description(ut.keyspace, ut.comment, ut.security_label, type_name=ut.name)
    for f in ut.field_names:
        rows += _description(ut.keyspace, ut.field_comments.get(f, ""),
                             ut.field_security_labels.get(f, ""), type_name=ut.name, field=f)
    return rows


def _table_rows(table: TableMetadata) -> dict[str, list[dict]]:
    """The rows describing ``table``, by system_schema table."""
    return {
        "views" if table.is_view else "tables": [table_row(table)],
        "columns": column_rows(table),
        "column_constraints": constraint_rows(table),
        "column_masks": mask_rows(table),
        "dropped_columns": dropped_column_rows(table),
        "indexes": index_rows(table),
        "descriptions": table_description_rows(table),
    }


_SCHEMA_TABLES = ("keyspaces", "types", "tables", "views", "columns", "dropped_columns",
                  "column_constraints", "column_masks", "indexes", "descriptions")


def _canonical(rows_by_table: dict[str, list[dict]]) -> dict[str, Counter]:
    """Rows in a comparable form: null and empty cells dropped (as storage reads them back),
    collections made hashable, each table's rows as a multiset."""
    def cell(v):
        if isinstance(v, Mapping):
            return frozenset((k, cell(x)) for k, x in v.items())
        if isinstance(v, AbstractSet):
            return frozenset(cell(x) for x in v)
        if isinstance(v, (list, tuple)):
            return tuple(cell(x) for x in v)
        return v

    return {name: Counter(frozenset((k, cell(v)) for k, v in r.items()
                                    if v is not None and v != {} and v != [] and v != ())
                          for r in rows)
            for name, rows in rows_by_table.items() if rows}


class SchemaStore:
    """Reads and writes the schema as rows of the system_schema tables."""

    def __init__(self, engine: StorageEngine, schema: Schema, clock: rowcodec.Clock):
        self.engine = engine
        self.schema = schema
        self.clock = clock
        # keyspace -> table name (None: the keyspace row) -> canonical stored rows
        self._stored_builtin: dict[str, dict[str | None, dict]] = {}

    def table(self, name: str) -> TableMetadata:
        return self.schema.keyspaces["system_schema"].tables[name]

    # ---- writing ------------------------------------------------------------------

    def _upsert(self, table_name: str, rows: list[dict], now: int, ts: int) -> list:
        table = self.table(table_name)
        return [rowcodec.row_mutation(table, r, ts, now) for r in rows]

    def _delete_rows(self, table_name: str, keyspace: str, prefix: list, now: int, ts: int):
        """Range-delete every row of ``keyspace`` whose clustering starts with ``prefix``."""
        table = self.table(table_name)
        pk = rowcodec.partition_key_bytes(table, [keyspace])
        if not prefix:
            return rowcodec.partition_deletion(table, pk, ts, now)
        p = rowcodec.clustering_prefix_bytes(table, prefix)
        rt = RangeTombstone(p + bytes([BOTTOM]), p + bytes([TOP]), DeletionTime(ts, now))
        return rowcodec.Mutation(str(table.id), pk, Partition(range_tombstones=[rt]))

    def save_keyspace(self, ks: KeyspaceMetadata) -> None:
        ts, now = self.clock.now(), _now()
        muts = self._upsert("keyspaces", [keyspace_row(ks)], now, ts)
        muts.append(self._delete_rows("descriptions", ks.name, ["", "", "", ""], now, ts - 1))
        muts += self._upsert("descriptions", keyspace_description_rows(ks), now, ts)
        self.engine.apply(muts)

    def drop_keyspace(self, name: str) -> None:
        ts, now = self.clock.now(), _now()
        muts = [
            self._delete_rows(t, name, [], now, ts) for t in SYSTEM_TABLES["system_schema"]
        ]
        built = self.schema.keyspaces["system"].tables.get("IndexInfo")
        if built is not None:
            key = rowcodec.partition_key_bytes(built, [name])
            muts.append(rowcodec.partition_deletion(built, key, ts, now))
        self.engine.apply(muts)

    def save_table(self, table: TableMetadata, data: list = (), replace: bool = True) -> None:
        """Rewrite every row describing ``table`` (old columns/indexes are deleted first,
        unless ``replace`` is False: nothing describes it yet), in one atomic write with
        the mutations ``data`` (data the schema change moves)."""
        ts, now = self.clock.now(), _now()
        muts = []
        if replace:
            muts = self._built_indexes(table.keyspace, table.name, list(table.indexes), now, ts)
            muts += self._table_deletions(table.keyspace, table.name, table.is_view, now,
                                          ts - 1)
        for name, rows in _table_rows(table).items():
            muts += self._upsert(name, rows, now, ts)
        self.engine.apply(muts + list(data))

    def publish_builtin(self, ks: KeyspaceMetadata) -> None:
        """Describe a built-in keyspace in system_schema, unless the stored rows (read by
        ``load``) already say exactly that: rewriting them at every open would make every
        close flush and fsync a dozen system_schema memtables."""
        stored = self._stored_builtin.get(ks.name, {})
        # (nothing stored, as in a new or in-memory database: no rows to compare)
        if stored.get(None) is None or (
                _canonical({"keyspaces": [keyspace_row(ks)]}) != stored[None]):
            self.save_keyspace(ks)
        for table in ks.tables.values():
            if table.name not in stored or _canonical(_table_rows(table)) != stored[table.name]:
                # a keyspace with no rows stored (a new database) has none to delete first
                self.save_table(table, replace=bool(stored))

    def _table_deletions(self, keyspace: str, name: str, is_view: bool, now: int, ts: int):
        muts = [self._delete_rows("views" if is_view else "tables", keyspace, [name], now, ts)]
        for t in ("columns", "dropped_columns", "indexes", "triggers", "column_masks",
                  "column_constraints", "descriptions"):
            muts.append(self._delete_rows(t, keyspace, [name], now, ts))
        return muts

    def drop_table(self, table: TableMetadata) -> None:
        ts, now = self.clock.now(), _now()
        muts = self._built_indexes(table.keyspace, table.name, [], now, ts)
        if table.is_view:
            muts += self._view_status_deletions(table.keyspace, table.name, now, ts)
        self.engine.apply(muts + self._table_deletions(table.keyspace, table.name,
                                                       table.is_view, now, ts))

    def view_built(self, view: TableMetadata, host_id) -> None:
        """Record a finished view build (views build as they are created): its
        system.built_views row and this node's 'SUCCESS' in
        system_distributed.view_build_status (ViewBuilder's finishing steps)."""
        ts, now = self.clock.now(), _now()
        built = self.schema.keyspaces["system"].tables["built_views"]
        status = self.schema.keyspaces["system_distributed"].tables["view_build_status"]
        self.engine.apply([
            rowcodec.row_mutation(built, {"keyspace_name": view.keyspace, "view_name": view.name,
                                          "status_replicated": True}, ts, now),
            rowcodec.row_mutation(status, {"keyspace_name": view.keyspace, "view_name": view.name,
                                           "host_id": host_id, "status": "SUCCESS"}, ts, now),
        ])

    def _view_status_deletions(self, keyspace: str, name: str, now: int, ts: int) -> list:
        """A dropped view's build status rows go (SystemKeyspace / SystemDistributedKeyspace
        setViewRemoved)."""
        built = self.schema.keyspaces["system"].tables["built_views"]
        status = self.schema.keyspaces["system_distributed"].tables["view_build_status"]
        p = rowcodec.clustering_prefix_bytes(built, [name])
        rt = RangeTombstone(p + bytes([BOTTOM]), p + bytes([TOP]), DeletionTime(ts, now))
        key = rowcodec.partition_key_bytes(built, [keyspace])
        return [rowcodec.Mutation(str(built.id), key, Partition(range_tombstones=[rt])),
                rowcodec.partition_deletion(
                    status, rowcodec.partition_key_bytes(status, [keyspace, name]), ts, now)]

    def _built_indexes(self, keyspace: str, table_name: str, names: list[str], now: int,
                       ts: int) -> list:
        """system."IndexInfo" rows for a table's indexes (SystemKeyspace.setIndexBuilt /
        setIndexRemoved): an index is built as it is created, and its row goes with it."""
        built = self.schema.keyspaces["system"].tables.get("IndexInfo")
        if built is None or keyspace in SYSTEM_TABLES:
            return []
        indexes = self.table("indexes")
        pk = rowcodec.partition_key_bytes(indexes, [keyspace])
        view = self.engine.read_partition(str(indexes.id), pk, None, False, now)
        old = {r["index_name"] for r in (rowcodec.decode_view(indexes, view) if view else ())
               if r["table_name"] == table_name}
        key = rowcodec.partition_key_bytes(built, [keyspace])
        muts = [rowcodec.row_mutation(built, {"table_name": keyspace, "index_name": name},
                                      ts, now) for name in names if name not in old]
        for name in old - set(names):
            p = rowcodec.clustering_prefix_bytes(built, [name])
            rt = RangeTombstone(p + bytes([BOTTOM]), p + bytes([TOP]), DeletionTime(ts, now))
            muts.append(rowcodec.Mutation(str(built.id), key, Partition(range_tombstones=[rt])))
        return muts

    def save_type(self, ut: UserTypeMetadata) -> None:
        ts, now = self.clock.now(), _now()
        muts = self._upsert("types", [type_row(ut)], now, ts)
        muts.append(self._delete_rows("descriptions", ut.keyspace, ["", "", ut.name], now, ts - 1))
        muts += self._upsert("descriptions", type_description_rows(ut), now, ts)
        self.engine.apply(muts)

    def drop_type(self, keyspace: str, name: str) -> None:
        ts, now = self.clock.now(), _now()
        self.engine.apply([self._delete_rows("types", keyspace, [name], now, ts),
                           self._delete_rows("descriptions", keyspace, ["", "", name], now, ts)])

    # ---- reading ------------------------------------------------------------------

    def _rows(self, table_name: str) -> list[dict]:
        table = self.table(table_name)
        out = []
        for view in self.engine.scan(str(table.id)):
            out.extend(rowcodec.decode_view(table, view))
        return out

    def _remember_builtin(self, stored: dict[str, list[dict]]) -> None:
        """Keep the stored rows describing the built-in keyspaces, for ``publish_builtin``."""
        by: dict[str, dict[str | None, dict[str, list[dict]]]] = {}
        for name, rows in stored.items():
            for r in rows:
                ks = r.get("keyspace_name")
                if ks not in SYSTEM_TABLES:
                    continue
                table = None if name == "keyspaces" else (r.get("table_name")
                                                          or r.get("view_name"))
                if name == "descriptions" and not table:
                    continue
                by.setdefault(ks, {}).setdefault(table, {}).setdefault(name, []).append(r)
        self._stored_builtin = {ks: {t: _canonical(rows) for t, rows in tables.items()}
                                for ks, tables in by.items()}

    def load(self) -> None:
        """Rebuild user keyspaces from the stored rows (system keyspaces are built in)."""
        stored = {name: self._rows(name) for name in _SCHEMA_TABLES}
        self._remember_builtin(stored)
        schema = self.schema
        for r in stored["keyspaces"]:
            name = r["keyspace_name"]
            if name in SYSTEM_TABLES:
                continue
            schema.keyspaces[name] = KeyspaceMetadata(
                name, dict(r["replication"] or {}), bool(r["durable_writes"])
            )

        # User types may reference each other: resolve in passes until stable.
        pending = [r for r in stored["types"] if r["keyspace_name"] in schema.keyspaces]
        while pending:
            progressed, rest = False, []
            for r in pending:
                ks = schema.keyspaces[r["keyspace_name"]]
                try:
                    ftypes = [parse_type(t, _udt_lookup(schema, ks.name)) for t in r["field_types"]]
                except Exception:
                    rest.append(r)
                    continue
                ks.types[r["type_name"]] = UserTypeMetadata(
                    ks.name, r["type_name"], list(r["field_names"]), ftypes
                )
                progressed = True
            if not progressed:
                break
            pending = rest

        columns: dict[tuple[str, str], list[dict]] = {}
        for r in stored["columns"]:
            columns.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)
        dropped: dict[tuple[str, str], list[dict]] = {}
        for r in stored["dropped_columns"]:
            dropped.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)
        checks: dict[tuple[str, str, str], tuple] = {}
        for r in stored["column_constraints"]:
            checks[(r["keyspace_name"], r["table_name"], r["column_name"])] = tuple(
                Constraint(**json.loads(k)) for k in r["constraints"] or ())
        masks: dict[tuple[str, str, str], dict] = {}
        for r in stored["column_masks"]:
            masks[(r["keyspace_name"], r["table_name"], r["column_name"])] = r
        indexes: dict[tuple[str, str], list[dict]] = {}
        for r in stored["indexes"]:
            indexes.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)

        def build(r: dict, name: str) -> TableMetadata | None:
            ks = schema.keyspaces.get(r["keyspace_name"])
            if ks is None or ks.name in SYSTEM_TABLES:
                return None  # system tables are built in (their rows are only published)
            lookup = _udt_lookup(schema, ks.name)
            cols = {}
            compact = "" if "view_name" in r else compact_kind(r.get("flags"))
            for c in columns.get((ks.name, name), []):
                if compact == "static" and c["kind"] in (CLUSTERING, REGULAR):
                    continue  # column1 / value: the hidden columns of a static compact table
                if compact == "dense" and c["type"] == "empty":
                    continue
                if compact == "static" and c["kind"] == STATIC:
                    c = {**c, "kind": REGULAR}
                ctype = EMPTY_TYPE if c["type"] == "empty" else parse_type(c["type"], lookup)
                cols[c["column_name"]] = ColumnMetadata(
                    c["column_name"], ctype, c["kind"], c["position"],
                    c["clustering_order"] == "desc",
                    checks.get((ks.name, name, c["column_name"]), ()),
                )
                mask = masks.get((ks.name, name, c["column_name"]))
                if mask is not None:
                    cols[c["column_name"]].mask = ColumnMask.from_row(
                        mask, lambda t: parse_type(t, lookup))
            options = {
                k: v for k, v in r.items()
                if k not in ("keyspace_name", "table_name", "view_name", "flags", "id",
                             "base_table_id", "base_table_name", "include_all_columns",
                             "where_clause") and v is not None
            }
            options = {k: dict(v) if isinstance(v, dict) else v for k, v in options.items()}
            table = TableMetadata(ks.name, name, r["id"], cols, options, compact=compact)
            for d in dropped.get((ks.name, name), []):
                dt = d["dropped_time"]
                import calendar  # here only: loading a dropped column is rare

                micros = calendar.timegm(dt.timetuple()) * 1_000_000 + dt.microsecond
                table.dropped_columns[d["column_name"]] = DroppedColumn(
                    d["column_name"], parse_type(d["type"], lookup), d["kind"], micros
                )
            for i in indexes.get((ks.name, name), []):
                opts = dict(i["options"] or {})
                target = opts.pop("target", "")
                table.indexes[i["index_name"]] = IndexMetadata(i["index_name"], target, i["kind"], opts)
            ks.tables[name] = table
            return table

        for r in stored["tables"]:
            build(r, r["table_name"])
        for r in stored["views"]:
            table = build(r, r["view_name"])
            if table is not None:
                table.view_of = r["base_table_name"]
                table.view_where = r["where_clause"] or ""
                table.view_include_all = bool(r["include_all_columns"])
        for r in stored["descriptions"]:
            _load_description(schema, r)


def _load_description(schema: Schema, r: dict) -> None:
    """One descriptions row back onto its keyspace, table, column, type or field."""
    ks = schema.keyspaces.get(r["keyspace_name"])
    if ks is None:
        return
    comment, label = r.get("comment") or "", r.get("security_label") or ""
    if r["type_name"]:
        ut = ks.types.get(r["type_name"])
        if ut is None:
            return
        if not r["field_name"]:
            ut.comment, ut.security_label = comment, label
        elif r["field_name"] in ut.field_names:
            if comment:
                ut.field_comments[r["field_name"]] = comment
            if label:
                ut.field_security_labels[r["field_name"]] = label
    elif r["table_name"]:
        table = ks.tables.get(r["table_name"])
        if table is None:
            return
        if not r["column_name"]:
            table.security_label = label
        elif r["column_name"] in table.columns:
            column = table.columns[r["column_name"]]
            column.comment, column.security_label = comment, label
    else:
        ks.comment, ks.security_label = comment, label


def _udt_lookup(schema: Schema, keyspace: str):
    def lookup(name: str):
        ut = schema.user_type(keyspace, name)
        if ut is None:
            raise ValueError(f"Unknown type {keyspace}.{name}")
        return UserType(keyspace, name, list(ut.field_names), list(ut.field_types), False)

    return lookup


def _now() -> int:
    return int(time.time())
