"""The embedded Session's API over a cassandra-driver session.

``ClusterSession.execute`` takes the same statements (text with ``%s`` / ``%(name)s``
parameters or ``?`` markers, ``cql.SimpleStatement``, ``cql.BoundStatement`` of a
statement this session prepared, ``cql.BatchStatement``) and options (``fetch_size``,
``paging_state``, ``timestamp``, ``trace``, ``timeout``) as ``cql.Session.execute``, and
returns a :class:`ClusterResultSet` with the embedded ResultSet's attributes and cql's
Python values. Parameters of simple statements are formatted by cql's own encoder and
bound values serialized by cql's types, so a statement means the same on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

from cql import errors as cql_errors
from cql.params import interpolate
from cql.plan.terms import UNSET
from cql.session import (
    BatchStatement,
    BoundStatement,
    ConsistencyLevel,
    SimpleStatement,
    batch_kind,
    named_tuple_factory,
)
from cql.vocabulary import quote_name

from .target import ClusterTarget
from .values import Column, cql_type, tolerant_protocol_handler, translate_error

#: seconds to wait for a request's trace to be written on the coordinator
TRACE_WAIT = 10.0


class ClusterResultSet:
    """One page of a cluster result, with the cql ResultSet's attributes."""

    def __init__(self, session: ClusterSession, rs: Any,
                 fetch_next: Callable[[bytes], ClusterResultSet] | None):
        self._session = session
        self._fetch_next = fetch_next
        self._columns = [Column(t) for t in rs.column_types or []]
        self.column_names: list[str] = list(rs.column_names or [])
        self.column_types = [c.ctype for c in self._columns]
        self.current_rows = session.row_factory(self.column_names, self._rows(rs.current_rows))
        self.paging_state: bytes | None = rs.paging_state if rs.has_more_pages else None
        self.warnings: list[str] = list(getattr(rs.response_future, "warnings", None) or [])
        self.keyspace = session.keyspace
        self.table = None
        self.trace = None
        self.response_kind = "rows" if self.column_names else "void"
        self.schema_change = None

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

    def get_query_trace(self, max_wait: float | None = None) -> Any:
        """The request's trace when it ran with ``trace=True``, else None."""
        return self.trace

    def get_all_query_traces(self, max_wait_per: float | None = None) -> list:
        return [self.trace] if self.trace is not None else []

    @property
    def was_applied(self) -> bool:
        """For LWT results: the ``[applied]`` column of the first row."""
        if not self.column_names or self.column_names[0] != "[applied]":
            raise RuntimeError("Cannot determine LWT result with no rows")
        row = self.one()
        return bool(row["[applied]"] if isinstance(row, dict) else row[0])

    def __repr__(self) -> str:
        return f"<ResultSet {len(self.current_rows)} rows, more={self.has_more_pages}>"


class ClusterPreparedStatement:
    """A statement prepared on the cluster, with cql bind types."""

    def __init__(self, session: ClusterSession, statement: Any):
        self.session = session
        self._statement = statement
        self.query_string = statement.query_string
        self.query_id = statement.query_id
        self.keyspace = statement.keyspace
        metadata = statement.column_metadata or []
        self.bind_names = [c.name for c in metadata]
        self.bind_types = [cql_type(c.type) for c in metadata]
        self.routing_key_indexes = list(statement.routing_key_indexes or [])
        self.column_names = [c[2] for c in statement.result_metadata or []]

    def bind(self, values: Sequence | dict | None = None) -> BoundStatement:
        return BoundStatement(self, values)  # type: ignore[arg-type]

    def bound(self, values: Sequence | dict | None) -> Any:
        """A driver BoundStatement whose values are validated and serialized by cql types."""
        from cassandra.query import UNSET_VALUE
        from cassandra.query import BoundStatement as DriverBound

        if values is None:
            values = []
        if isinstance(values, dict):
            missing = [n for n in self.bind_names if n not in values]
            if missing:
                raise cql_errors.InvalidRequest(f"Missing value for bind marker {missing[0]}")
            values = [values[n] for n in self.bind_names]
        if len(values) != len(self.bind_types):
            raise cql_errors.InvalidRequest(
                f"Invalid amount of bind variables: expected {len(self.bind_types)}, "
                f"got {len(values)}")
        bs = DriverBound(self._statement)
        out: list[Any] = []
        for t, v in zip(self.bind_types, values):
            if v is UNSET:
                out.append(UNSET_VALUE)
            elif v is None:
                out.append(None)
            else:
                out.append(t.serialize(t.validate(v)))
        bs.values = out
        return bs

    def __repr__(self) -> str:
        return f"<PreparedStatement {self.query_string!r}>"


def _driver_placeholders(query: str, parameters: Any) -> bool:
    if isinstance(parameters, dict):
        return "%(" in query
    return "%s" in query


class ClusterSession:
    """The cql Session surface over a driver Session (thread-safe, like the driver's)."""

    def __init__(self, cluster: Any, session: Any, target: ClusterTarget | str, *,
                 owns_cluster: bool = True):
        self.cluster = cluster
        self._session = session
        self._owns_cluster = owns_cluster
        self.target = target
        self.row_factory: Callable = named_tuple_factory
        self.default_fetch_size: int | None = 5000
        level = target.consistency if isinstance(target, ClusterTarget) else "LOCAL_ONE"
        serial = target.serial_consistency if isinstance(target, ClusterTarget) else "SERIAL"
        self.default_consistency_level: int = getattr(ConsistencyLevel, level)
        self.default_serial_consistency_level: int = getattr(ConsistencyLevel, serial)
        self.max_trace_wait = TRACE_WAIT
        session.client_protocol_handler = tolerant_protocol_handler()

    # ---- keyspace ------------------------------------------------------------------------

    @property
    def keyspace(self) -> str | None:
        return self._session.keyspace

    def set_keyspace(self, keyspace: str) -> None:
        self.execute(f"USE {quote_name(keyspace)}")

    @property
    def user(self) -> str | None:
        return self.target.user if isinstance(self.target, ClusterTarget) else None

    @property
    def protocol_version(self) -> int:
        """The native protocol version negotiated with the cluster."""
        return int(self.cluster.protocol_version)

    @property
    def admin(self) -> Any:
        raise cql_errors.InvalidRequest(
            "A cluster session has no admin operations: use nodetool on the cluster's nodes")

    # ---- statements ----------------------------------------------------------------------

    def _statement(self, query: Any, parameters: Any) -> Any:
        """A driver statement for a string, cql statement or prepared statement + values."""
        from cassandra.query import SimpleStatement as DriverSimple

        if isinstance(query, BoundStatement):
            parameters = query.values if parameters is None else parameters
            query = query.prepared_statement
        if isinstance(query, SimpleStatement):
            query = query.query_string
        if isinstance(query, ClusterPreparedStatement):
            return query.bound(parameters)
        if not isinstance(query, str):
            raise TypeError(f"query must be a string or a statement of this session, "
                            f"not {type(query).__name__}")
        if parameters is not None:
            if _driver_placeholders(query, parameters):
                return DriverSimple(interpolate(query, parameters))
            return self.prepare(query).bound(parameters)  # ``?`` markers: bind them
        return DriverSimple(query)

    def _send(self, statement: Any, paging_state: bytes | None, trace: bool,
              timeout: float | None, timestamp: int | None) -> Any:
        from cassandra.cluster import _NOT_SET

        session = self._session
        try:
            future = session._create_response_future(
                statement, None, trace, None, _NOT_SET if timeout is None else timeout,
                paging_state=paging_state)
            if timestamp is not None:
                future.message.timestamp = timestamp
            future._protocol_handler = session.client_protocol_handler
            session._on_request(future)
            future.send_request()
            return future.result()
        except Exception as e:
            raise translate_error(e) from e

    def _levels(self, statement: Any, level: int | None, serial: int | None) -> None:
        statement.consistency_level = level if level is not None \
            else self.default_consistency_level
        statement.serial_consistency_level = serial if serial is not None \
            else self.default_serial_consistency_level

    def _trace_of(self, rs: Any) -> Any:
        try:
            return rs.get_query_trace(max_wait_sec=self.max_trace_wait)
        except Exception:  # noqa: BLE001 - the trace did not arrive in time: none
            return None

    def execute(self, query: Any, parameters: Sequence | dict | None = None, *,
                fetch_size: int | None = None, paging_state: bytes | None = None,
                timestamp: int | None = None, trace: bool = False,
                timeout: float | None = None) -> ClusterResultSet:
        if isinstance(query, BatchStatement):
            return self.execute_batch(
                query.statements, batch_kind(query.batch_type),
                timestamp=timestamp if timestamp is not None else query.timestamp,
                trace=trace, consistency_level=query.consistency_level,
                serial_consistency_level=query.serial_consistency_level)
        level = serial = None
        if isinstance(query, SimpleStatement):
            fetch_size = query.fetch_size if fetch_size is None else fetch_size
            level, serial = query.consistency_level, query.serial_consistency_level
        if fetch_size is None:
            fetch_size = self.default_fetch_size
        size = fetch_size if fetch_size and fetch_size > 0 else None
        statement = self._statement(query, parameters)

        def run(state: bytes | None) -> ClusterResultSet:
            statement.fetch_size = size
            self._levels(statement, level, serial)
            rs = self._send(statement, state, trace, timeout, timestamp)
            result = ClusterResultSet(self, rs, run)
            if trace:
                result.trace = self._trace_of(rs)
            return result

        return run(paging_state)

    def execute_batch(self, statements: Sequence[tuple[Any, Sequence | dict | None]],
                      kind: Any = "LOGGED", *, timestamp: int | None = None,
                      trace: bool = False, consistency_level: int | None = None,
                      serial_consistency_level: int | None = None) -> ClusterResultSet:
        """Run ``(statement, parameters)`` pairs as one BATCH message, as
        ``cql.Session.execute_batch``."""
        from cassandra.query import BatchStatement as DriverBatch
        from cassandra.query import BatchType as DriverBatchType

        kind = batch_kind(kind)
        if kind not in ("LOGGED", "UNLOGGED", "COUNTER"):
            raise cql_errors.InvalidRequest(f"Invalid batch kind {kind}")
        batch = DriverBatch(batch_type=getattr(DriverBatchType, kind))
        for query, parameters in statements:
            batch.add(self._statement(query, parameters))
        self._levels(batch, consistency_level, serial_consistency_level)
        rs = self._send(batch, None, trace, None, timestamp)
        result = ClusterResultSet(self, rs, None)
        if trace:
            result.trace = self._trace_of(rs)
        return result

    def prepare(self, query: str) -> ClusterPreparedStatement:
        if not isinstance(query, str):
            raise TypeError("prepare() takes a query string")
        try:
            return ClusterPreparedStatement(self, self._session.prepare(query))
        except Exception as e:
            raise translate_error(e) from e

    # ---- lifecycle -----------------------------------------------------------------------

    def sibling(self) -> ClusterSession:
        """Another session on the same connection pool, in the same keyspace."""
        try:
            session = self.cluster.connect(self.keyspace)
        except Exception as e:
            raise translate_error(e) from e
        other = type(self)(self.cluster, session, self.target, owns_cluster=False)
        other.max_trace_wait = self.max_trace_wait
        other.default_fetch_size = self.default_fetch_size
        other.row_factory = self.row_factory
        return other

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

    def __repr__(self) -> str:
        url = self.target.url() if isinstance(self.target, ClusterTarget) else self.target
        return f"<ClusterSession {url} keyspace={self.keyspace}>"
