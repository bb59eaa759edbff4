"""A cassandra-driver Cluster for a :class:`ClusterTarget`, and a ClusterSession on it.

Requests are token-aware and go to the local data centre (``dc``, or the data centre of
the contact points); consistency levels, timeouts and the row format live in the default
execution profile (no legacy Cluster parameters, so the driver warns about nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .session import ClusterSession
from .target import ClusterTarget, parse_target
from .values import ClusterConnectionError, driver, translate_error

if TYPE_CHECKING:
    import ssl


def ssl_context(target: ClusterTarget) -> ssl.SSLContext:
    """TLS for ``ssl=true``: the certificate checked against ``ssl_ca`` or the system's
    CAs (not the host name, as cqlsh), or not at all with ``ssl_validate=false``."""
    import ssl  # with the first TLS connection: not part of import cql

    context = ssl.create_default_context(cafile=target.ssl_ca)
    context.check_hostname = False
    if not target.ssl_validate:
        context.verify_mode = ssl.CERT_NONE
    return context


def cluster_kwargs(target: ClusterTarget) -> dict[str, Any]:
    """The ``cassandra.cluster.Cluster`` arguments for a target."""
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, ExecutionProfile
    from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
    from cassandra.query import tuple_factory

    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=target.dc)),
        consistency_level=getattr(driver().ConsistencyLevel, target.consistency),
        serial_consistency_level=getattr(driver().ConsistencyLevel, target.serial_consistency),
        request_timeout=target.request_timeout, row_factory=tuple_factory)
    kwargs: dict[str, Any] = {
        "port": target.port, "connect_timeout": target.connect_timeout,
        "control_connection_timeout": target.connect_timeout,
        "execution_profiles": {EXEC_PROFILE_DEFAULT: profile},
    }
    if target.protocol_version:
        kwargs["protocol_version"] = target.protocol_version
    if target.user is not None:
        kwargs["auth_provider"] = PlainTextAuthProvider(target.user, target.password or "")
    if target.ssl:
        kwargs["ssl_context"] = ssl_context(target)
    return kwargs


def connect_cluster(target: str | ClusterTarget, keyspace: str | None = None, *,
                    user: str | None = None, password: str | None = None,
                    **cluster_options: Any) -> ClusterSession:
    """Connect to a cluster: ClusterConnectionError when no node can be reached or the
    credentials are refused; the cql exception when the keyspace does not exist.
    ``cluster_options`` go to ``cassandra.cluster.Cluster`` as they are."""
    if isinstance(target, str):
        target = parse_target(target)
    if user is not None or password is not None:
        from dataclasses import replace

        target = replace(target, user=user if user is not None else target.user,
                         password=password if password is not None else target.password)
    driver()
    from cassandra.cluster import Cluster, NoHostAvailable

    cluster = Cluster(list(target.hosts), **{**cluster_kwargs(target), **cluster_options})
    try:
        session = ClusterSession(cluster, cluster.connect(), target)
    except NoHostAvailable as e:
        cluster.shutdown()
        raise ClusterConnectionError(f"Could not connect to {target.url()}: {e}") from None
    except Exception as e:
        cluster.shutdown()
        raise translate_error(e) from e
    keyspace = keyspace or target.keyspace
    if keyspace:
        try:
            session.set_keyspace(keyspace)  # Cassandra's error when it does not exist
        except BaseException:
            cluster.shutdown()
            raise
    return session
