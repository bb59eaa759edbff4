"""Sessions on a Cassandra or ScyllaDB cluster, with the embedded Session's API.

``cql.connect("cassandra://host1,host2:9042/ks?consistency=LOCAL_QUORUM&dc=dc1")`` (or
``scylla://``) returns a :class:`ClusterSession`: the same ``execute`` / ``prepare`` /
``bind`` / ``execute_batch``, paging, row factories, LWT ``was_applied``, traces and
``cql.*`` exceptions as an embedded session, backed by cassandra-driver (an optional
dependency: ``pip install cassalite[cluster]``), imported only when a cluster is opened.

* ``target`` parses the connection URL;
* ``values`` maps the driver's types and values onto cql's, and its errors onto cql's;
* ``session`` is the Session, its ResultSet and PreparedStatement;
* ``connect`` builds the driver's Cluster for a target.
"""

from .connect import connect_cluster
from .session import ClusterPreparedStatement, ClusterResultSet, ClusterSession
from .target import ClusterTarget, is_cluster_url, looks_like_address, parse_target
from .values import ClusterConnectionError, DriverError, translate_error

__all__ = [
    "ClusterConnectionError", "ClusterPreparedStatement", "ClusterResultSet", "ClusterSession",
    "ClusterTarget", "DriverError", "connect_cluster", "is_cluster_url", "looks_like_address",
    "parse_target", "translate_error",
]
