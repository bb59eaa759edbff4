"""Schema objects: keyspaces, tables, columns, user types, indexes, views.

These are plain in-memory descriptions. They are persisted as rows of the ``system_schema``
tables (see :mod:`cql.system`), exactly like Cassandra, so they survive restarts and can be
read with ``SELECT``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import Iterator

from cql.types import CQLType

from .constraints import NOT_NULL, CompiledConstraints
from .masks import ColumnMask

PARTITION_KEY = "partition_key"
CLUSTERING = "clustering"
STATIC = "static"
REGULAR = "regular"

_KIND_ORDER = {PARTITION_KEY: 0, CLUSTERING: 1, STATIC: 2, REGULAR: 3}

# Cassandra 5.0's table option defaults, in the order DESCRIBE prints them.
DEFAULT_TABLE_OPTIONS: dict[str, object] = {
    "additional_write_policy": "99p",
    "allow_auto_snapshot": True,
    "bloom_filter_fp_chance": 0.01,
    "caching": {"keys": "ALL", "rows_per_partition": "NONE"},
    "cdc": False,
    "comment": "",
    "compaction": {
        "class": "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy",
        "max_threshold": "32",
        "min_threshold": "4",
    },
    "compression": {
        "chunk_length_in_kb": "16",
        "class": "org.apache.cassandra.io.compress.LZ4Compressor",
    },
    "memtable": "default",
    "crc_check_chance": 1.0,
    "default_time_to_live": 0,
    "extensions": {},
    "gc_grace_seconds": 864000,
    "incremental_backups": True,
    "max_index_interval": 2048,
    "memtable_flush_period_in_ms": 0,
    "min_index_interval": 128,
    "read_repair": "BLOCKING",
    "speculative_retry": "99p",
}

def name_uuid(text: str) -> uuid.UUID:
    """Java's UUID.nameUUIDFromBytes: Cassandra derives system table ids this way."""
    digest = bytearray(hashlib.md5(text.encode("utf-8")).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(digest))


@dataclass
class ColumnMetadata:
    name: str
    type: CQLType
    kind: str = REGULAR
    position: int = -1  # index within the partition key or clustering key
    reversed: bool = False  # clustering column declared DESC
    constraints: tuple = ()  # CEP-42 CHECK constraints (cql.schema.constraints.Constraint)
    mask: ColumnMask | None = None  # CEP-20 ``MASKED WITH`` (cql.schema.masks)
    comment: str = ""  # trunk's COMMENT ON COLUMN ('' when unset)
    security_label: str = ""  # trunk's SECURITY LABEL ON COLUMN

    @property
    def is_primary_key(self) -> bool:
        return self.kind in (PARTITION_KEY, CLUSTERING)

    @property
    def is_static(self) -> bool:
        return self.kind == STATIC

    @property
    def clustering_order(self) -> str:
        if self.kind != CLUSTERING:
            return "none"
        return "desc" if self.reversed else "asc"


@dataclass
class DroppedColumn:
    name: str
    type: CQLType
    kind: str
    dropped_time: int  # microseconds: cells written at or before it are ignored


@dataclass
class IndexMetadata:
    name: str
    target: str  # column name, or keys(c) / values(c) / entries(c) / full(c)
    kind: str = "COMPOSITES"  # COMPOSITES, KEYS or CUSTOM
    options: dict[str, str] = field(default_factory=dict)

    @property
    def target_column(self) -> str:
        m = re.match(r"^(keys|values|entries|full)\((.*)\)$", self.target)
        return _unquote(m.group(2)) if m else _unquote(self.target)

    @property
    def target_kind(self) -> str:
        m = re.match(r"^(keys|values|entries|full)\(", self.target)
        return m.group(1) if m else "values"


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


@dataclass
class TableMetadata:
    keyspace: str
    name: str
    id: uuid.UUID
    columns: dict[str, ColumnMetadata] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=lambda: dict(DEFAULT_TABLE_OPTIONS))
    dropped_columns: dict[str, DroppedColumn] = field(default_factory=dict)
    indexes: dict[str, IndexMetadata] = field(default_factory=dict)
    # Materialized view description (None for a base table).
    view_of: str | None = None
    view_where: str = ""
    view_include_all: bool = False
    virtual: bool = False
    security_label: str = ""  # trunk's SECURITY LABEL ON TABLE (its COMMENT is options["comment"])
    # WITH COMPACT STORAGE: "" (a CQL table), "static" (no clustering column) or "dense".
    compact: str = ""

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the derived column lists after the columns changed."""
        cols = list(self.columns.values())
        self.partition_key = sorted(
            (c for c in cols if c.kind == PARTITION_KEY), key=lambda c: c.position
        )
        self.clustering = sorted((c for c in cols if c.kind == CLUSTERING), key=lambda c: c.position)
        self.static_columns = sorted(
            (c for c in cols if c.kind == STATIC), key=lambda c: c.name.encode()
        )
        self.regular_columns = sorted(
            (c for c in cols if c.kind == REGULAR), key=lambda c: c.name.encode()
        )
        self.primary_key = self.partition_key + self.clustering
        self.select_star = self.primary_key + self.static_columns + self.regular_columns
        self.is_counter = any(c.type.is_counter for c in cols if not c.is_primary_key)
        self.clustering_types = [c.type for c in self.clustering]
        self.clustering_reversed = [c.reversed for c in self.clustering]
        self.partition_key_types = [c.type for c in self.partition_key]
        # CEP-42 constraints: empty for almost every table, so writes test one dict.
        self.constrained = {c.name: CompiledConstraints(c) for c in cols if c.constraints}
        # CEP-20 masks by column: empty for almost every table, so reads test one dict.
        self.masks = {c.name: c.mask for c in cols if c.mask is not None}
        self.not_null_columns = [
            c.name for c in self.select_star
            if any(k.function == NOT_NULL for k in c.constraints)
        ]

    @property
    def full_name(self) -> str:
        return f"{self.keyspace}.{self.name}"

    @property
    def is_view(self) -> bool:
        return self.view_of is not None

    def column(self, name: str) -> ColumnMetadata | None:
        return self.columns.get(name)

    @property
    def flags(self) -> set[str]:
        """system_schema.tables.flags (TableMetadata.Flag): a CQL table is 'compound'; a
        compact one is 'dense' with clustering columns, 'compound' with more than one."""
        if not self.compact:
            flags = {"compound"}
        else:
            flags = {"dense"} if self.compact == "dense" else set()
            if len(self.clustering) > 1:
                flags.add("compound")
        if self.is_counter:
            flags.add("counter")
        return flags

    def compact_hidden_columns(self) -> list[tuple]:
        """The columns CreateTableStatement.fixupCompactTable adds to a compact table, as
        (name, clustering_order, kind, position, type): a static compact table's ``column1`` text
        clustering and ``value`` (blob, or counter) regular column, whose declared columns are
        static; a dense table without a value column gets ``value`` of the empty type. Names
        that are taken move on (``column2``, ``value1``...), as DefaultNames does."""
        used = set(self.columns)

        def fresh(candidates) -> str:
            name = next(n for n in candidates if n not in used)
            used.add(name)
            return name

        values = itertools.chain(["value"], (f"value{i}" for i in itertools.count(1)))
        if self.compact == "static":
            clustering = fresh(f"column{i}" for i in itertools.count(1))
            value = fresh(values)
            return [(clustering, "asc", CLUSTERING, 0, "text"),
                    (value, "none", REGULAR, -1, "counter" if self.is_counter else "blob")]
        if self.compact == "dense" and not self.regular_columns:
            return [(fresh(values), "none", REGULAR, -1, "empty")]
        return []

    @property
    def compact_value(self) -> ColumnMetadata | None:
        """A dense table's value column (None when it has none, or for other tables)."""
        if self.compact != "dense" or not self.regular_columns:
            return None
        return self.regular_columns[0]

    @property
    def default_ttl(self) -> int:
        return int(self.options.get("default_time_to_live", 0) or 0)

    def storage_options(self) -> dict[str, object]:
        return dict(self.options)


@dataclass
class UserTypeMetadata:
    keyspace: str
    name: str
    field_names: list[str]
    field_types: list[CQLType]
    comment: str = ""  # trunk's COMMENT ON TYPE ('' when unset)
    security_label: str = ""  # trunk's SECURITY LABEL ON TYPE
    field_comments: dict[str, str] = field(default_factory=dict)  # COMMENT ON FIELD
    field_security_labels: dict[str, str] = field(default_factory=dict)  # SECURITY LABEL ON FIELD


@dataclass
class FunctionMetadata:
    keyspace: str
    name: str
    argument_names: list[str]
    argument_types: list[str]
    return_type: str
    body: str
    language: str
    called_on_null_input: bool


@dataclass
class AggregateMetadata:
    keyspace: str
    name: str
    argument_types: list[str]
    state_func: str
    state_type: str
    final_func: str | None
    initcond: str | None
    return_type: str


@dataclass
class KeyspaceMetadata:
    name: str
    replication: dict[str, str]
    durable_writes: bool = True
    tables: dict[str, TableMetadata] = field(default_factory=dict)
    types: dict[str, UserTypeMetadata] = field(default_factory=dict)
    functions: dict[tuple[str, tuple[str, ...]], FunctionMetadata] = field(default_factory=dict)
    aggregates: dict[tuple[str, tuple[str, ...]], AggregateMetadata] = field(default_factory=dict)
    virtual: bool = False
    comment: str = ""  # trunk's COMMENT ON KEYSPACE ('' when unset)
    security_label: str = ""  # trunk's SECURITY LABEL ON KEYSPACE

    @property
    def views(self) -> dict[str, TableMetadata]:
        return {n: t for n, t in self.tables.items() if t.is_view}


class Schema:
    """All keyspaces by name, plus a version that changes on every DDL."""

    def __init__(self) -> None:
        self.keyspaces: dict[str, KeyspaceMetadata] = {}
        self.version = uuid.uuid4()
        self.generation = 0  # bumped on every change; plan caches key on it

    def bump(self) -> None:
        self.generation += 1
        self.version = uuid.uuid4()

    def keyspace(self, name: str) -> KeyspaceMetadata | None:
        return self.keyspaces.get(name)

    def table(self, keyspace: str, name: str) -> TableMetadata | None:
        ks = self.keyspaces.get(keyspace)
        return ks.tables.get(name) if ks is not None else None

    def tables(self) -> Iterator[TableMetadata]:
        """Every table the storage engine holds (virtual tables have no storage)."""
        for ks in self.keyspaces.values():
            if not ks.virtual:
                yield from ks.tables.values()

    def table_by_id(self, table_id: uuid.UUID) -> TableMetadata | None:
        for table in self.tables():
            if table.id == table_id:
                return table
        return None

    def user_type(self, keyspace: str, name: str) -> UserTypeMetadata | None:
        ks = self.keyspaces.get(keyspace)
        return ks.types.get(name) if ks is not None else None


def column_sort_key(column: ColumnMetadata) -> tuple:
    return (_KIND_ORDER[column.kind], column.position, column.name.encode())
