"""The system keyspaces: their table definitions (``tables``), the schema stored as their
rows (``schema_store``), and the virtual keyspaces computed from it (``virtual``).

Like Cassandra, the schema lives in ``system_schema.*`` tables written through the storage
engine, so it survives restarts and drivers read it with plain SELECTs. ``system.local``
and ``system.peers*`` describe this single node to drivers.
"""

from cql.schema.metadata import KeyspaceMetadata

from . import tables
from .schema_store import SchemaStore
from .tables import (
    CLUSTER_NAME,
    CQL_VERSION,
    LOCAL_KEYSPACES,
    LOCAL_STRATEGY,
    NATIVE_PROTOCOL_VERSION,
    PARTITIONER,
    RELEASE_VERSION,
    SYSTEM_KEYSPACES,
    SYSTEM_TABLES,
    build_table,
    local_row,
    table_info,
)
from .virtual import virtual_keyspaces

__all__ = [
    "CLUSTER_NAME", "CQL_VERSION", "LOCAL_KEYSPACES", "LOCAL_STRATEGY",
    "NATIVE_PROTOCOL_VERSION", "PARTITIONER", "RELEASE_VERSION", "SYSTEM_KEYSPACES",
    "SYSTEM_TABLES", "SchemaStore", "build_table", "local_row", "system_keyspaces",
    "table_info",
]


def system_keyspaces() -> dict[str, KeyspaceMetadata]:
    """The built-in keyspaces: the stored system ones, then the virtual ones."""
    return {**tables.system_keyspaces(), **virtual_keyspaces()}
