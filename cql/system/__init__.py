"""The system keyspaces: their table definitions (``tables``), and the schema stored as their
rows (``schema_store``).

Like Cassandra, the schema lives in ``system_schema.*`` tables written through the storage
engine, so it survives restarts and drivers read it with plain SELECTs. ``system.local``
and ``system.peers*`` describe this single node to drivers.
"""

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
    system_keyspaces,
    table_info,
)

__all__ = [
    "CLUSTER_NAME", "CQL_VERSION", "LOCAL_KEYSPACES", "LOCAL_STRATEGY",
    "NATIVE_PROTOCOL_VERSION", "PARTITIONER", "RELEASE_VERSION", "SYSTEM_KEYSPACES",
    "SYSTEM_TABLES", "SchemaStore", "build_table", "local_row", "system_keyspaces",
    "table_info",
]
