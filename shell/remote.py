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

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

import cql
from cql import errors as cql_errors
from cql.types import (
    NATIVE_TYPES,
    CQLType,
    ListType,
    MapType,
    SetType,
    TupleType,
    UserType,
    VectorType,
)

_BY_CODE: dict[int, type[cql_errors.DriverException]] = {
    cls.code: cls for cls in (
        cql_errors.ServerError, cql_errors.ProtocolError, cql_errors.BadCredentials,
        cql_errors.Unavailable, cql_errors.Overloaded, cql_errors.IsBootstrapping,
        cql_errors.TruncateError, cql_errors.WriteTimeout, cql_errors.ReadTimeout,
        cql_errors.ReadFailure, cql_errors.FunctionFailure, cql_errors.WriteFailure,
        cql_errors.SyntaxException, cql_errors.Unauthorized, cql_errors.InvalidRequest,
        cql_errors.ConfigurationException, cql_errors.Unprepared)
}
_WRAPPED = re.compile(r'^Error from server: code=([0-9a-fA-F]+) \[[^\]]*\] message="(.*)"',
                      re.DOTALL)


class RemoteConnectionError(cql_errors.DriverException):
    """Could not connect (or authenticate) to the server."""


def _driver():
    try:
        import cassandra.cluster
    except ImportError as e:
        raise RemoteConnectionError(
            "Remote mode requires cassandra-driver (pip install cassalite[remote])") from e
    import cassandra

    return cassandra


# ---- types and values -----------------------------------------------------------------------

def cql_type(dtype: Any) -> CQLType:
    """The cql type for one of the driver's cqltypes classes."""
    name = dtype.typename
    if name in NATIVE_TYPES:
        return NATIVE_TYPES[name]
    subs = [cql_type(t) for t in getattr(dtype, "subtypes", ())]
    if name == "list":
        return ListType(subs[0], frozen=True)
    if name == "set":
        return SetType(subs[0], frozen=True)
    if name == "map":
        return MapType(subs[0], subs[1], frozen=True)
    if name == "tuple":
        return TupleType(subs)
    if hasattr(dtype, "fieldnames"):
        return UserType(dtype.keyspace, dtype.typename, list(dtype.fieldnames), subs, True)
    if hasattr(dtype, "vector_size"):
        return VectorType(cql_type(dtype.subtype), dtype.vector_size)
    raise cql_errors.InvalidRequest(f"Unsupported type from the server: {name}")


class _Column:
    """Converts one column's driver values to cql values through the wire bytes."""

    __slots__ = ("ctype", "dtype")

    def __init__(self, dtype: Any):
        self.dtype = dtype
        self.ctype = cql_type(dtype)

    def value(self, v: Any) -> Any:
        if v is None:
            return None
        return self.ctype.deserialize(self.dtype.serialize(v, 4))


def translate_error(e: BaseException) -> BaseException:
    """A driver exception as the cql exception a local session would have raised."""
    cassandra = _driver()
    if isinstance(e, cassandra.AlreadyExists):
        return cql_errors.AlreadyExists(e.keyspace, e.table or None)
    code = getattr(e, "code", None)
    message = getattr(e, "message", None) or str(e)
    m = _WRAPPED.match(str(e))
    if m:
        code, message = int(m.group(1), 16), m.group(2)
    if code is None:
        for cls_name, c in (("InvalidRequest", 0x2200), ("Unauthorized", 0x2100),
                            ("ConfigurationException", 0x2300), ("Unavailable", 0x1000),
                            ("ReadTimeout", 0x1200), ("WriteTimeout", 0x1100),
                            ("ReadFailure", 0x1300), ("WriteFailure", 0x1500),
                            ("FunctionFailure", 0x1400), ("OperationTimedOut", None)):
            if type(e).__name__ == cls_name:
                code = c
                break
    cls = _BY_CODE.get(code) if isinstance(code, int) else None
    if cls is None:
        return cql_errors.ServerError(f"{type(e).__name__}: {message}")
    return cls(message)


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

    def __init__(self, cluster: Any, session: Any, target: str):
        self.cluster = cluster
        self._session = session
        self.target = target
        self.row_factory: Callable = cql.named_tuple_factory
        self.default_fetch_size: int | None = 5000
        self.max_trace_wait = 10.0  # seconds to wait for a trace ([tracing] max_trace_wait)

    @property
    def keyspace(self) -> str | None:
        return self._session.keyspace

    def set_keyspace(self, keyspace: str) -> None:
        from cql.schema import quote_name

        self.execute(f"USE {quote_name(keyspace)}")

    def _run(self, statement: Any, parameters: Any, paging_state: bytes | None,
             trace: bool) -> Any:
        try:
            return self._session.execute(statement, parameters, paging_state=paging_state,
                                         trace=trace)
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
            rs = self._run(stmt, params, state, trace)
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
        self.cluster.shutdown()

    shutdown = close

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_use(stmt: Any) -> bool:
    text = getattr(stmt, "query_string", "") or ""
    return text.lstrip()[:4].lower() == "use " or text.lstrip()[:4].lower() == "use\t"


def connect_remote(host: str, port: int = 9042, username: str | None = None,
                   password: str | None = None, *, keyspace: str | None = None,
                   protocol_version: int | None = None, connect_timeout: float = 5.0,
                   ssl_context: Any = None) -> RemoteSession:
    """Connect to a CQL server (cassalite-server or Cassandra); RemoteConnectionError if
    the server cannot be reached or the credentials are refused."""
    _driver()
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable
    from cassandra.policies import WhiteListRoundRobinPolicy
    from cassandra.query import tuple_factory

    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([host]),
                               row_factory=tuple_factory)
    kwargs: dict[str, Any] = {"port": int(port), "connect_timeout": connect_timeout,
                              "execution_profiles": {EXEC_PROFILE_DEFAULT: profile}}
    if protocol_version:
        kwargs["protocol_version"] = protocol_version
    if username is not None:
        kwargs["auth_provider"] = PlainTextAuthProvider(username, password or "")
    if ssl_context is not None:
        kwargs["ssl_context"] = ssl_context
    cluster = Cluster([host], **kwargs)
    try:
        session = cluster.connect(keyspace)
    except NoHostAvailable as e:
        cluster.shutdown()
        raise RemoteConnectionError(
            f"Connection error: ('Unable to connect to any servers', {e.errors!r})") from None
    except Exception as e:
        cluster.shutdown()
        raise translate_error(e) from e
    return RemoteSession(cluster, session, f"{host}:{port}")
