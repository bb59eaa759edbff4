"""The system keyspaces: their table definitions and the ``system.local`` row.

``system.local`` and ``system.peers*`` describe this single node to drivers.
"""

from __future__ import annotations

import time
import uuid

from cassalite.storage.engine import TableInfo
from cql.schema.metadata import (
    CLUSTERING,
    PARTITION_KEY,
    REGULAR,
    ColumnMetadata,
    KeyspaceMetadata,
    Schema,
    TableMetadata,
    name_uuid,
)
from cql.types import parse_type
from cql.types.collections import ListType

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
        # cassalite's record of CEP-42 CHECK constraints (trunk keeps them in its cluster
        # metadata log): one JSON object per constraint, in declaration order.
        "column_constraints": (
            "keyspace_name text, table_name text, column_name text, "
            "constraints frozen<list<text>>",
            ("keyspace_name",), ("table_name", "column_name"),
        ),
        # cassalite's record of trunk's COMMENT ON / SECURITY LABEL ON (trunk keeps them in
        # its cluster metadata log), except a table's comment, its ``comment`` option: one
        # row per described keyspace (all keys ''), table or column (table_name, column_name)
        # and type or field (type_name, field_name).
        "descriptions": (
            "keyspace_name text, table_name text, column_name text, type_name text, "
            "field_name text, comment text, security_label text",
            ("keyspace_name",), ("table_name", "column_name", "type_name", "field_name"),
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
        # built indexes (SystemKeyspace.BUILT_INDEXES): table_name is the keyspace's name
        "IndexInfo": (
            "table_name text, index_name text, value blob", ("table_name",), ("index_name",),
        ),
        # views whose build finished (SystemKeyspace.BUILT_VIEWS)
        "built_views": (
            "keyspace_name text, view_name text, status_replicated boolean",
            ("keyspace_name",), ("view_name",),
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
        "role_members": ("role text, member text", ("role",), ("member",)),
        "role_permissions": (
            "role text, resource text, permissions set<text>", ("role",), ("resource",),
        ),
        # CassandraNetworkAuthorizer and CassandraCIDRAuthorizer (ACCESS TO DATACENTERS /
        # ACCESS FROM CIDRS); the CIDR groups are defined by writing cidr_groups
        "network_permissions": ("role text, dcs frozen<set<text>>", ("role",), ()),
        "cidr_permissions": ("role text, cidr_groups frozen<set<text>>", ("role",), ()),
        "cidr_groups": (
            "cidr_group text, cidrs frozen<set<tuple<inet, smallint>>>", ("cidr_group",), (),
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
    "system_distributed": {
        # each node's build status of each view (SystemDistributedKeyspace.VIEW_BUILD_STATUS)
        "view_build_status": (
            "keyspace_name text, view_name text, host_id uuid, status text",
            ("keyspace_name", "view_name"), ("host_id",),
        ),
    },
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


class _NullableList(ListType):
    """A list whose elements may be null: a mask's partial arguments (``mask_replace(null)``)
    are stored as a list of texts with a null for each null argument, as Cassandra does."""

    nulls_allowed = True


_NULL_ELEMENT_LISTS = frozenset({("system_schema", "column_masks", "function_argument_values")})


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
        ctype = parse_type(type_text)
        if (keyspace, name, cname) in _NULL_ELEMENT_LISTS:
            ctype = _NullableList(ctype.elem, True)
        columns[cname] = ColumnMetadata(cname, ctype, kind, position)
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
