"""The system keyspaces: their table definitions, and the schema stored as their rows.

Like Cassandra, the schema lives in ``system_schema.*`` tables written through the storage
engine, so it survives restarts and drivers read it with plain SELECTs. ``system.local``
and ``system.peers*`` describe this single node to drivers.
"""

from __future__ import annotations

import calendar
import time
import uuid
from datetime import datetime, timezone

from cassalite.storage.engine import StorageEngine, TableInfo
from cassalite.storage.model import DeletionTime, Partition, RangeTombstone

from . import rows as rowcodec
from .schema import (
    CLUSTERING,
    PARTITION_KEY,
    REGULAR,
    ColumnMetadata,
    DroppedColumn,
    IndexMetadata,
    KeyspaceMetadata,
    Schema,
    TableMetadata,
    UserTypeMetadata,
    name_uuid,
)
from .types import UserType, parse_type
from .types.comparable import BOTTOM, TOP

CLUSTER_NAME = "Test Cluster"
RELEASE_VERSION = "5.0.0"
CQL_VERSION = "3.4.7"
NATIVE_PROTOCOL_VERSION = "4"
PARTITIONER = "org.apache.cassandra.dht.Murmur3Partitioner"

LOCAL_STRATEGY = {"class": "org.apache.cassandra.locator.LocalStrategy"}

_TABLE_OPTION_COLUMNS = """
    additional_write_policy text, allow_auto_snapshot boolean, bloom_filter_fp_chance double,
    caching frozen<map<text, text>>, cdc boolean, comment text,
    compaction frozen<map<text, text>>, compression frozen<map<text, text>>,
    crc_check_chance double, default_time_to_live int, extensions frozen<map<text, blob>>,
    gc_grace_seconds int, id uuid, incremental_backups boolean, max_index_interval int,
    memtable text, memtable_flush_period_in_ms int, min_index_interval int, read_repair text,
    speculative_retry text"""

# keyspace -> table -> (column definitions, partition key, clustering key)
SYSTEM_TABLES: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "system_schema": {
        "keyspaces": (
            "keyspace_name text, durable_writes boolean, replication frozen<map<text, text>>",
            ("keyspace_name",), (),
        ),
        "tables": (
            "keyspace_name text, table_name text, flags frozen<set<text>>," + _TABLE_OPTION_COLUMNS,
            ("keyspace_name",), ("table_name",),
        ),
        "columns": (
            "keyspace_name text, table_name text, column_name text, clustering_order text, "
            "column_name_bytes blob, kind text, position int, type text",
            ("keyspace_name",), ("table_name", "column_name"),
        ),
        "dropped_columns": (
            "keyspace_name text, table_name text, column_name text, dropped_time timestamp, "
            "kind text, type text",
            ("keyspace_name",), ("table_name", "column_name"),
        ),
        "types": (
            "keyspace_name text, type_name text, field_names frozen<list<text>>, "
            "field_types frozen<list<text>>",
            ("keyspace_name",), ("type_name",),
        ),
        "indexes": (
            "keyspace_name text, table_name text, index_name text, kind text, "
            "options frozen<map<text, text>>",
            ("keyspace_name",), ("table_name", "index_name"),
        ),
        "views": (
            "keyspace_name text, view_name text, base_table_id uuid, base_table_name text, "
            "include_all_columns boolean, where_clause text," + _TABLE_OPTION_COLUMNS,
            ("keyspace_name",), ("view_name",),
        ),
        "functions": (
            "keyspace_name text, function_name text, argument_types frozen<list<text>>, "
            "argument_names frozen<list<text>>, body text, called_on_null_input boolean, "
            "language text, return_type text",
            ("keyspace_name",), ("function_name", "argument_types"),
        ),
        "aggregates": (
            "keyspace_name text, aggregate_name text, argument_types frozen<list<text>>, "
            "final_func text, initcond text, return_type text, state_func text, state_type text",
            ("keyspace_name",), ("aggregate_name", "argument_types"),
        ),
        "triggers": (
            "keyspace_name text, table_name text, trigger_name text, "
            "options frozen<map<text, text>>",
            ("keyspace_name",), ("table_name", "trigger_name"),
        ),
        "column_masks": (
            "keyspace_name text, table_name text, column_name text, "
            "function_keyspace text, function_name text, function_argument_types "
            "frozen<list<text>>, function_argument_values frozen<list<text>>",
            ("keyspace_name",), ("table_name", "column_name"),
        ),
    },
    "system": {
        "local": (
            "key text, bootstrapped text, broadcast_address inet, broadcast_port int, "
            "cluster_name text, cql_version text, data_center text, gossip_generation int, "
            "host_id uuid, listen_address inet, listen_port int, native_protocol_version text, "
            "partitioner text, rack text, release_version text, rpc_address inet, rpc_port int, "
            "schema_version uuid, tokens set<text>, truncated_at map<uuid, blob>",
            ("key",), (),
        ),
        "peers": (
            "peer inet, data_center text, host_id uuid, preferred_ip inet, rack text, "
            "release_version text, rpc_address inet, schema_version uuid, tokens set<text>",
            ("peer",), (),
        ),
        "peers_v2": (
            "peer inet, peer_port int, data_center text, host_id uuid, preferred_ip inet, "
            "preferred_port int, rack text, release_version text, native_address inet, "
            "native_port int, schema_version uuid, tokens set<text>",
            ("peer",), ("peer_port",),
        ),
    },
    "system_auth": {
        "roles": (
            "role text, can_login boolean, is_superuser boolean, member_of set<text>, "
            "salted_hash text",
            ("role",), (),
        ),
        "role_permissions": (
            "role text, resource text, permissions set<text>", ("role",), ("resource",),
        ),
    },
    "system_traces": {
        "sessions": (
            "session_id uuid, client inet, command text, coordinator inet, coordinator_port int, "
            "duration int, parameters map<text, text>, request text, started_at timestamp",
            ("session_id",), (),
        ),
        "events": (
            "session_id uuid, event_id timeuuid, activity text, source inet, source_elapsed int, "
            "source_port int, thread text",
            ("session_id",), ("event_id",),
        ),
    },
    "system_distributed": {},
}

SYSTEM_KEYSPACES = frozenset(SYSTEM_TABLES) | {"system_virtual_schema", "system_views"}
# Keyspaces users may not alter (Cassandra: "... keyspace is not user-modifiable").
LOCAL_KEYSPACES = frozenset({"system", "system_schema", "system_virtual_schema", "system_views"})


def _split_columns(spec: str) -> list[tuple[str, str]]:
    """'a text, b frozen<map<text, int>>' -> [('a', 'text'), ('b', 'frozen<map<text, int>>')]."""
    parts, depth, current = [], 0, []
    for ch in spec:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    out = []
    for part in parts:
        part = part.strip()
        if part:
            name, _, type_text = part.partition(" ")
            out.append((name, type_text.strip()))
    return out


def build_table(
    keyspace: str, name: str, spec: str, pk: tuple[str, ...], ck: tuple[str, ...]
) -> TableMetadata:
    columns = {}
    for cname, type_text in _split_columns(spec):
        kind, position = REGULAR, -1
        if cname in pk:
            kind, position = PARTITION_KEY, pk.index(cname)
        elif cname in ck:
            kind, position = CLUSTERING, ck.index(cname)
        columns[cname] = ColumnMetadata(cname, parse_type(type_text), kind, position)
    table = TableMetadata(keyspace, name, name_uuid(keyspace + name), columns)
    table.options["comment"] = ""
    table.options["gc_grace_seconds"] = 0 if keyspace != "system_auth" else 7776000
    return table


def system_keyspaces() -> dict[str, KeyspaceMetadata]:
    out = {}
    for ks_name, tables in SYSTEM_TABLES.items():
        replication = (
            LOCAL_STRATEGY
            if ks_name in LOCAL_KEYSPACES
            else {"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "1"}
        )
        ks = KeyspaceMetadata(ks_name, dict(replication), True)
        for tname, (spec, pk, ck) in tables.items():
            ks.tables[tname] = build_table(ks_name, tname, spec, pk, ck)
        out[ks_name] = ks
    return out


def table_info(table: TableMetadata) -> TableInfo:
    return TableInfo(str(table.id), table.keyspace, table.name, table.storage_options())


# --------------------------------------------------------------------------------------
# Schema <-> system_schema rows
# --------------------------------------------------------------------------------------


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
        values.update(table_name=table.name, flags={"compound"})
    return values


def column_rows(table: TableMetadata) -> list[dict]:
    return [
        {
            "keyspace_name": table.keyspace,
            "table_name": table.name,
            "column_name": c.name,
            "clustering_order": c.clustering_order,
            "column_name_bytes": c.name.encode("utf-8"),
            "kind": c.kind,
            "position": c.position,
            "type": c.type.name,
        }
        for c in table.columns.values()
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


class SchemaStore:
    """Reads and writes the schema as rows of the system_schema tables."""

    def __init__(self, engine: StorageEngine, schema: Schema, clock: rowcodec.Clock):
        self.engine = engine
        self.schema = schema
        self.clock = clock

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
        self.engine.apply(self._upsert("keyspaces", [keyspace_row(ks)], now, ts))

    def drop_keyspace(self, name: str) -> None:
        ts, now = self.clock.now(), _now()
        muts = [
            self._delete_rows(t, name, [], now, ts) for t in SYSTEM_TABLES["system_schema"]
        ]
        self.engine.apply(muts)

    def save_table(self, table: TableMetadata) -> None:
        """Rewrite every row describing ``table`` (old columns/indexes are deleted first)."""
        ts, now = self.clock.now(), _now()
        muts = self._table_deletions(table.keyspace, table.name, table.is_view, now, ts - 1)
        if table.is_view:
            muts += self._upsert("views", [table_row(table)], now, ts)
        else:
            muts += self._upsert("tables", [table_row(table)], now, ts)
        muts += self._upsert("columns", column_rows(table), now, ts)
        muts += self._upsert("dropped_columns", dropped_column_rows(table), now, ts)
        muts += self._upsert("indexes", index_rows(table), now, ts)
        self.engine.apply(muts)

    def _table_deletions(self, keyspace: str, name: str, is_view: bool, now: int, ts: int):
        muts = [self._delete_rows("views" if is_view else "tables", keyspace, [name], now, ts)]
        for t in ("columns", "dropped_columns", "indexes", "triggers", "column_masks"):
            muts.append(self._delete_rows(t, keyspace, [name], now, ts))
        return muts

    def drop_table(self, table: TableMetadata) -> None:
        ts, now = self.clock.now(), _now()
        self.engine.apply(self._table_deletions(table.keyspace, table.name, table.is_view, now, ts))

    def save_type(self, ut: UserTypeMetadata) -> None:
        ts, now = self.clock.now(), _now()
        self.engine.apply(self._upsert("types", [type_row(ut)], now, ts))

    def drop_type(self, keyspace: str, name: str) -> None:
        ts, now = self.clock.now(), _now()
        self.engine.apply([self._delete_rows("types", keyspace, [name], now, ts)])

    # ---- reading ------------------------------------------------------------------

    def _rows(self, table_name: str) -> list[dict]:
        table = self.table(table_name)
        out = []
        for view in self.engine.scan(str(table.id)):
            out.extend(rowcodec.decode_view(table, view))
        return out

    def load(self) -> None:
        """Rebuild user keyspaces from the stored rows (system keyspaces are built in)."""
        schema = self.schema
        for r in self._rows("keyspaces"):
            name = r["keyspace_name"]
            if name in SYSTEM_TABLES:
                continue
            schema.keyspaces[name] = KeyspaceMetadata(
                name, dict(r["replication"] or {}), bool(r["durable_writes"])
            )

        # User types may reference each other: resolve in passes until stable.
        pending = [r for r in self._rows("types") if r["keyspace_name"] in schema.keyspaces]
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
        for r in self._rows("columns"):
            columns.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)
        dropped: dict[tuple[str, str], list[dict]] = {}
        for r in self._rows("dropped_columns"):
            dropped.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)
        indexes: dict[tuple[str, str], list[dict]] = {}
        for r in self._rows("indexes"):
            indexes.setdefault((r["keyspace_name"], r["table_name"]), []).append(r)

        def build(r: dict, name: str) -> TableMetadata | None:
            ks = schema.keyspaces.get(r["keyspace_name"])
            if ks is None:
                return None
            lookup = _udt_lookup(schema, ks.name)
            cols = {}
            for c in columns.get((ks.name, name), []):
                ctype = parse_type(c["type"], lookup)
                cols[c["column_name"]] = ColumnMetadata(
                    c["column_name"], ctype, c["kind"], c["position"],
                    c["clustering_order"] == "desc",
                )
            options = {
                k: v for k, v in r.items()
                if k not in ("keyspace_name", "table_name", "view_name", "flags", "id",
                             "base_table_id", "base_table_name", "include_all_columns",
                             "where_clause") and v is not None
            }
            options = {k: dict(v) if isinstance(v, dict) else v for k, v in options.items()}
            table = TableMetadata(ks.name, name, r["id"], cols, options)
            for d in dropped.get((ks.name, name), []):
                dt = d["dropped_time"]
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

        for r in self._rows("tables"):
            build(r, r["table_name"])
        for r in self._rows("views"):
            table = build(r, r["view_name"])
            if table is not None:
                table.view_of = r["base_table_name"]
                table.view_where = r["where_clause"] or ""
                table.view_include_all = bool(r["include_all_columns"])


def _udt_lookup(schema: Schema, keyspace: str):
    def lookup(name: str):
        ut = schema.user_type(keyspace, name)
        if ut is None:
            raise ValueError(f"Unknown type {keyspace}.{name}")
        return UserType(keyspace, name, list(ut.field_names), list(ut.field_types), False)

    return lookup


def _now() -> int:
    return int(time.time())


def local_row(schema: Schema, host_id: uuid.UUID, rpc_address: str = "127.0.0.1",
              rpc_port: int = 9042) -> dict:
    """The single row of system.local that drivers and cqlsh read on connect."""
    return {
        "key": "local",
        "bootstrapped": "COMPLETED",
        "broadcast_address": rpc_address,
        "broadcast_port": 7000,
        "cluster_name": CLUSTER_NAME,
        "cql_version": CQL_VERSION,
        "data_center": "datacenter1",
        "gossip_generation": int(time.time()),
        "host_id": host_id,
        "listen_address": rpc_address,
        "listen_port": 7000,
        "native_protocol_version": NATIVE_PROTOCOL_VERSION,
        "partitioner": PARTITIONER,
        "rack": "rack1",
        "release_version": RELEASE_VERSION,
        "rpc_address": rpc_address,
        "rpc_port": rpc_port,
        "schema_version": schema.version,
        "tokens": {"-9223372036854775808"},
        "truncated_at": None,
    }
