"""cassalite: an embedded, single-node, Cassandra-compatible CQL database.

    import cql
    session = cql.connect(":memory:")           # or cql.connect("/path/to/data")
    # or a cluster: cql.connect("cassandra://host1,host2:9042/ks?consistency=LOCAL_QUORUM")
    session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                    "'replication_factor': 1}")
"""

from cassalite import compiled as _compiled  # first: it picks compiled or source modules
from cql.plan.terms import UNSET as UNSET_VALUE
from cql.types.values import EMPTY

from .cluster import ClusterSession
from .connecting import connect
from .errors import (
    AlreadyExists,
    ConfigurationException,
    CorruptionError,
    DirectoryLockedError,
    DriverException,
    FunctionFailure,
    InvalidRequest,
    ProtocolError,
    ReadFailure,
    ReadTimeout,
    RequestExecutionException,
    RequestValidationException,
    ServerError,
    StorageError,
    SyntaxException,
    Unauthorized,
    Unavailable,
    WriteFailure,
    WriteTimeout,
)
from .session import (
    BatchStatement,
    BatchType,
    BoundStatement,
    ConsistencyLevel,
    PreparedStatement,
    ResultSet,
    Session,
    SimpleStatement,
    dict_factory,
    named_tuple_factory,
    tuple_factory,
)

__version__ = "0.1.0"


def __getattr__(name: str):
    """``cql.compiled``: whether the hot modules run compiled (``cassalite.compiled``)."""
    if name == "compiled":
        return _compiled.all_compiled()
    raise AttributeError(f"module 'cql' has no attribute {name!r}")


__all__ = [
    "AlreadyExists", "BatchStatement", "BatchType", "BoundStatement", "ClusterSession", "ConfigurationException", "ConsistencyLevel",
    "CorruptionError", "DirectoryLockedError", "DriverException", "EMPTY", "FunctionFailure",
    "InvalidRequest", "PreparedStatement", "ProtocolError", "ReadFailure", "ReadTimeout",
    "RequestExecutionException", "RequestValidationException", "ResultSet", "ServerError",
    "Session", "SimpleStatement", "StorageError", "SyntaxException", "UNSET_VALUE",
    "Unauthorized", "Unavailable", "WriteFailure", "WriteTimeout", "connect", "dict_factory",
    "named_tuple_factory", "tuple_factory",
]
