"""Remote mode: the shell over a CQL server (cassandra-driver), shaped like a cql Session.

``connect_remote(host, port, username, password)`` returns a :class:`RemoteSession` with
the surface the shell uses on a ``cql.Session``: ``execute()`` (fetch_size, paging_state,
trace), ``prepare()``, ``keyspace``, ``set_keyspace()``, ``row_factory``, ``close()``.
Results carry ``cql`` types and ``cql`` Python values (cells are re-read through the
cql types), so formatting, COPY and DESCRIBE output match embedded mode; server errors
become the ``cql`` exception with the same code and message.

cassandra-driver is an optional dependency (``pip install cassalite[remote]``), imported
only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

import cql
from cql import errors as cql_errors
from cql.cluster.values import (
    ClusterConnectionError,
    Column,
    DriverError,
    cql_type,
    driver,
    tolerant_protocol_handler,
    translate_error,
)

__all__ = ["DriverError", "RemoteConnectionError", "RemoteSession", "connect_remote",
           "cql_type", "ssl_context", "translate_error"]


class RemoteConnectionError(cql_errors.DriverException):
    """Could not connect (or authenticate) to the server."""


class SSLConfigError(RemoteConnectionError):
    """--ssl without what it needs in cqlshrc (cqlsh exits with the bare message)."""


def _driver():
    try:
        return driver()
    except ClusterConnectionError as e:
        raise RemoteConnectionError(
            "Remote mode requires cassandra-driver (pip install cassalite[remote])") from e


# The driver's types, values and errors as cql's: shared with cql's cluster sessions.
_Column = Column
shell_protocol_handler = tolerant_protocol_handler


# ---- results ------------------------------------------------------------------------------

class RemoteResultSet:
    """One page of a remote result, with the cql ResultSet's attributes."""

    def __init__(self, session: RemoteSession, rs: Any, kind: str,
                 fetch_next: Callable[[bytes], RemoteResultSet] | None):
        self._session = session
        self._fetch_next = fetch_next
        names = rs.column_names or []
        dtypes = rs.column_types or []
        self._columns = [_Column(t) for t in dtypes]
        self.column_names: list[str] = list(names)
        self.column_types = [c.ctype for c in self._columns]
        self.current_rows = session.row_factory(self.column_names, self._rows(rs.current_rows))
        self.paging_state: bytes | None = rs.paging_state if rs.has_more_pages else None
        self.warnings: list[str] = list(getattr(rs.response_future, "warnings", None) or [])
        self.keyspace = session.keyspace
        self.table = None
        self.trace = None
        self.response_kind = kind if not self.column_names else "rows"

    def _rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple]:
        cols = self._columns
        return [tuple(c.value(v) for c, v in zip(cols, row)) for row in rows]

    @property
    def has_more_pages(self) -> bool:
        return self.paging_state is not None

    def fetch_next_page(self) -> None:
        if self.paging_state is None or self._fetch_next is None:
            self.current_rows = []
            return
        nxt = self._fetch_next(self.paging_state)
        self.current_rows, self.paging_state = nxt.current_rows, nxt.paging_state

    def __iter__(self) -> Iterator:
        while True:
            yield from self.current_rows
            if not self.has_more_pages:
                return
            self.fetch_next_page()

    def one(self) -> Any:
        return self.current_rows[0] if self.current_rows else None

    def all(self) -> list:
        return list(self)

    def __len__(self) -> int:
        return len(self.current_rows)

    def __getitem__(self, i: int) -> Any:
        return self.current_rows[i]

    def __bool__(self) -> bool:
        return bool(self.current_rows)

    @property
    def was_applied(self) -> bool:
        if not self.column_names or self.column_names[0] != "[applied]":
            raise RuntimeError("Cannot determine LWT result with no rows")
        row = self.one()
        return bool(row["[applied]"] if isinstance(row, dict) else row[0])


class RemotePrepared:
    """A server-side prepared statement with cql bind types."""

    def __init__(self, statement: Any):
        self._statement = statement
        self.query_string = statement.query_string
        metadata = statement.column_metadata or []
        self.bind_names = [c.name for c in metadata]
        self.bind_types = [cql_type(c.type) for c in metadata]
        self.routing_key_indexes = list(statement.routing_key_indexes or [])
        result = statement.result_metadata or []
        self.column_names = [c[2] for c in result]

    def bound(self, values: Sequence | dict | None) -> Any:
        """A driver BoundStatement whose values are serialized by the cql types."""
        from cassandra.query import UNSET_VALUE, BoundStatement

        if values is None:
            values = []
        if isinstance(values, dict):
            values = [values.get(n, cql.UNSET_VALUE) for n in self.bind_names]
        if len(values) != len(self.bind_types):
            raise cql_errors.InvalidRequest(
                f"Invalid amount of bind variables: expected {len(self.bind_types)}, "
                f"got {len(values)}")
        bs = BoundStatement(self._statement)
        out: list[Any] = []
        for t, v in zip(self.bind_types, values):
            if v is cql.UNSET_VALUE:
                out.append(UNSET_VALUE)
            elif v is None:
                out.append(None)
            else:
                out.append(t.serialize(t.validate(v)))
        bs.values = out
        return bs


# ---- the session ------------------------------------------------------------------------------

class RemoteSession:
    """The cql Session surface over a driver Session."""

    def __init__(self, cluster: Any, session: Any, target: str, *, owns_cluster: bool = True):
        self.cluster = cluster
        self._session = session
        self._owns_cluster = owns_cluster
        self.target = target
        self.row_factory: Callable = cql.named_tuple_factory
        self.default_fetch_size: int | None = 5000
        self.max_trace_wait = 10.0  # seconds to wait for a trace ([tracing] max_trace_wait)
        session.client_protocol_handler = shell_protocol_handler()

    @property
    def keyspace(self) -> str | None:
        return self._session.keyspace

    @property
    def protocol_version(self) -> int:
        """The native protocol version negotiated with the server."""
        return int(self.cluster.protocol_version)

    @property
    def request_timeout(self) -> float | None:
        """Seconds a request may take before it fails (cqlsh's --request-timeout)."""
        return self._profile().request_timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float | None) -> None:
        self._profile().request_timeout = seconds

    def _profile(self) -> Any:
        from cassandra.cluster import EXEC_PROFILE_DEFAULT

        return self.cluster.profile_manager.profiles[EXEC_PROFILE_DEFAULT]

    def sibling(self) -> RemoteSession:
        """Another session on the same connection pool, in the same keyspace (SOURCE runs
        a file in one, so that its USE does not change this session's keyspace)."""
        try:
            session = self.cluster.connect(self.keyspace)
        except Exception as e:
            raise translate_error(e) from e
        other = RemoteSession(self.cluster, session, self.target, owns_cluster=False)
        other.max_trace_wait = self.max_trace_wait
        other.default_fetch_size = self.default_fetch_size
        return other

    def set_keyspace(self, keyspace: str) -> None:
        from cql.vocabulary import quote_name

        self.execute(f"USE {quote_name(keyspace)}")

    def _run(self, statement: Any, parameters: Any, paging_state: bytes | None,
             trace: bool, timeout: float | None = None) -> Any:
        extra = {} if timeout is None else {"timeout": timeout}
        try:
            return self._session.execute(statement, parameters, paging_state=paging_state,
                                         trace=trace, **extra)
        except Exception as e:
            raise translate_error(e) from e

    def execute(self, query: Any, parameters: Sequence | dict | None = None, *,
                fetch_size: int | None = None, paging_state: bytes | None = None,
                timestamp: int | None = None, trace: bool = False,
                timeout: float | None = None) -> RemoteResultSet:
        from cassandra.query import SimpleStatement

        if isinstance(query, cql.BoundStatement):
            parameters = query.values if parameters is None else parameters
            query = query.prepared_statement
        if isinstance(query, cql.SimpleStatement):
            fetch_size = query.fetch_size if fetch_size is None else fetch_size
            query = query.query_string
        if fetch_size is None:
            fetch_size = self.default_fetch_size
        size = fetch_size if fetch_size and fetch_size > 0 else None
        if isinstance(query, RemotePrepared):
            prepared = query

            def make() -> Any:
                bs = prepared.bound(parameters)
                bs.fetch_size = size
                return bs, None
        else:
            text = str(query)

            def make() -> Any:
                return SimpleStatement(text, fetch_size=size), parameters

        def run(state: bytes | None) -> RemoteResultSet:
            stmt, params = make()
            rs = self._run(stmt, params, state, trace, timeout)
            kind = "set_keyspace" if _is_use(stmt) else "void"
            result = RemoteResultSet(self, rs, kind, run)
            if trace:
                result.trace = self._query_trace(rs)
            return result

        return run(paging_state)

    def _query_trace(self, rs: Any) -> Any:
        """The server's trace of a request, read from its system_traces (None if absent)."""
        try:
            return rs.get_query_trace(max_wait_sec=self.max_trace_wait)
        except Exception:  # noqa: BLE001 - a server that does not trace: the shell says so
            return None

    def prepare(self, query: str) -> RemotePrepared:
        try:
            return RemotePrepared(self._session.prepare(query))
        except Exception as e:
            raise translate_error(e) from e

    def close(self) -> None:
        if self._owns_cluster:
            self.cluster.shutdown()
        else:
            self._session.shutdown()

    shutdown = close

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_use(stmt: Any) -> bool:
    text = getattr(stmt, "query_string", "") or ""
    return text.lstrip()[:4].lower() == "use " or text.lstrip()[:4].lower() == "use\t"


def ssl_context(host: str, cfg: Any, env: Any = None) -> Any:
    """The TLS context for ``--ssl`` (or ``[connection] ssl = true``), from cqlshrc the way
    cqlsh reads it: ``$SSL_VALIDATE`` / ``[ssl] validate`` (default true) checks the
    server's certificate against ``$SSL_CERTFILE``, ``[certfiles] <host>`` or ``[ssl]
    certfile``; ``[ssl] usercert`` / ``userkey`` present a client certificate. The TLS
    version is negotiated (``[ssl] version`` is ignored, with cqlsh's warning)."""
    import os
    import ssl

    env = os.environ if env is None else env
    validate = env.get("SSL_VALIDATE")
    if validate is None:
        validate = cfg.get("ssl", "validate")
    check = validate is None or validate.lower() != "false"
    if env.get("SSL_VERSION") is not None or cfg.get("ssl", "version"):
        print("Warning: Explicit SSL and TLS versions in the cqlshrc file or in SSL_VERSION "
              "environment property are ignored as the protocol is auto-negotiated.\n")
    certfile = env.get("SSL_CERTFILE") or cfg.get("certfiles", host) or \
        cfg.get("ssl", "certfile")
    if check and certfile is None:
        raise SSLConfigError(
            "Validation is enabled; SSL transport factory requires a valid certfile to be "
            "specified. Please provide path to the certfile in [ssl] section as 'certfile' "
            f"option in {cfg.cqlshrc} (or use [certfiles] section) or set SSL_CERTFILE "
            "environment variable.")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # cqlsh checks the certificate, not the host name
    if check:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(os.path.expanduser(certfile))
    else:
        context.verify_mode = ssl.CERT_NONE
    usercert = cfg.get("ssl", "usercert")
    if usercert:
        userkey = cfg.get("ssl", "userkey")
        context.load_cert_chain(os.path.expanduser(usercert),
                                os.path.expanduser(userkey) if userkey else None)
    return context


def connect_remote(host: str, port: int = 9042, username: str | None = None,
                   password: str | None = None, *, keyspace: str | None = None,
                   protocol_version: int | None = None, connect_timeout: float = 5.0,
                   request_timeout: float | None = None, cql_version: str | None = None,
                   ssl_context: Any = None) -> RemoteSession:
    """Connect to a CQL server (cassalite-server or Cassandra); RemoteConnectionError if
    the server cannot be reached, the credentials are refused or the keyspace does not
    exist. Its message is the driver's, as cqlsh prints it after 'Connection error: '."""
    _driver()
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable
    from cassandra.policies import WhiteListRoundRobinPolicy
    from cassandra.query import tuple_factory

    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([host]),
                               row_factory=tuple_factory)
    if request_timeout is not None:
        profile.request_timeout = request_timeout
    kwargs: dict[str, Any] = {"port": int(port), "connect_timeout": connect_timeout,
                              "control_connection_timeout": connect_timeout,
                              "execution_profiles": {EXEC_PROFILE_DEFAULT: profile}}
    if protocol_version:
        kwargs["protocol_version"] = protocol_version
    if cql_version:
        kwargs["cql_version"] = cql_version
    if username is not None:
        kwargs["auth_provider"] = PlainTextAuthProvider(username, password or "")
    if ssl_context is not None:
        kwargs["ssl_context"] = ssl_context
    cluster = Cluster([host], **kwargs)
    try:
        session = cluster.connect(keyspace)
    except NoHostAvailable as e:
        cluster.shutdown()
        raise RemoteConnectionError(str(e)) from None
    except Exception as e:
        cluster.shutdown()
        raise translate_error(e) from e
    return RemoteSession(cluster, session, f"{host}:{port}")
