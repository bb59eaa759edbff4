"""``cql.connect``: an embedded database (a directory or ``:memory:``) or a cluster URL.

``cassandra://`` and ``scylla://`` URLs open a :class:`cql.cluster.ClusterSession`; any
other target is an embedded database (``cql.session.connect``). A target that looks like a
node's address (``127.0.0.1:9042``) without a scheme is refused: it would otherwise become
a new, empty database directory of that name.
"""

from __future__ import annotations

import os
from typing import Any

from .cluster import connect_cluster, is_cluster_url, looks_like_address
from .session import Session
from .session import connect as connect_embedded


def connect(target: str | os.PathLike = ":memory:", keyspace: str | None = None, *,
            user: str | None = None, password: str | None = None, **options: Any) -> Any:
    """Open a database: ``":memory:"`` (``":memory:name"`` shared in-process), a directory,
    or a cluster (``cassandra://host1,host2:9042/keyspace?consistency=LOCAL_QUORUM``).

    ``options`` are engine settings for a directory (``engine``, ``commitlog_sync`` ...)
    and ``cassandra.cluster.Cluster`` arguments for a cluster."""
    if is_cluster_url(target):
        return connect_cluster(str(target), keyspace, user=user, password=password, **options)
    path = os.fspath(target)
    if isinstance(path, str) and looks_like_address(path):
        raise ValueError(
            f"{path!r} looks like a node's address, not a data directory: to connect to a "
            f"cluster, use cql.connect('cassandra://{path}') (or scylla://); to open a "
            f"directory of that name, create it first or pass './{path}'")
    session: Session = connect_embedded(path, keyspace, user=user, password=password, **options)
    return session


__all__ = ["connect"]
