"""The driver-shaped API: ``connect()`` -> Session -> ``execute()`` -> ResultSet.

Shaped like the DataStax Python driver so application code moves between cassalite and a
real cluster unchanged: ``%s`` / ``%(name)s`` parameters on simple statements, ``?`` /
``:name`` markers on prepared ones, row factories, ``ResultSet.one()`` / ``all()`` and
transparent paging through ``paging_state``.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import namedtuple
from functools import lru_cache
from itertools import chain, repeat
from time import time as _time
from typing import Any, Callable, Iterator, Sequence

from cassalite.storage import ENGINE_NAMES, tracing
from cassalite.storage.engine import StorageEngine
from cassalite.storage.errors import StorageError
from cassalite.storage.tracing import current as current_trace
from cql.auth.access import authorize
from cql.plan.base import ExecutionContext, Result
from cql.settings import DEFAULT_SETTINGS, DatabaseSettings, split_options
from cql.vocabulary import quote_name

from . import errors, system
from .database import Database, cql_error
from .params import interpolate

ConsistencyLevel = type(
    "ConsistencyLevel",
    (),
    {
        name: value
        for value, name in enumerate(
            "ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM SERIAL LOCAL_SERIAL LOCAL_ONE".split()
        )
    },
)


_CONSISTENCY_NAMES = {v: k for k, v in vars(ConsistencyLevel).items() if not k.startswith("_")}


def _query_text(query: Any) -> str:
    if isinstance(query, BoundStatement):
        query = query.prepared_statement
    return getattr(query, "query_string", query) if not isinstance(query, str) else query


def _request_type(query: Any) -> str:
    if isinstance(query, PreparedStatement | BoundStatement):
        return "Execute CQL3 prepared query"
    return "Execute CQL3 query"


def tuple_factory(colnames: list[str], rows: list[tuple]) -> list:
    return rows


def dict_factory(colnames: list[str], rows: list[tuple]) -> list:
    return [dict(zip(colnames, row)) for row in rows]


def _clean_name(name: str, index: int) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name).strip("_")
    if not cleaned or cleaned[0].isdigit() or cleaned.startswith("_"):
        cleaned = f"field_{index}_" + cleaned
    return cleaned


@lru_cache(maxsize=1024)
def _row_class(colnames: tuple[str, ...]):
    fields = [_clean_name(n, i) for i, n in enumerate(colnames)]
    try:
        return namedtuple("Row", fields)  # type: ignore[misc]
    except ValueError:
        return namedtuple("Row", fields, rename=True)  # type: ignore[misc]


def named_tuple_factory(colnames: list[str], rows: list[tuple]) -> list:
    """Rows as namedtuples (the driver's default); odd column names are made identifiers."""
    if not rows:
        return []
    # tuple.__new__ as _make does, without a Python call per row (nor a partial's)
    if len(rows) == 1:
        return [tuple.__new__(_row_class(tuple(colnames)), rows[0])]
    return list(map(tuple.__new__, repeat(_row_class(tuple(colnames))), rows))


class ResultSet:
    """One page of rows plus what is needed to fetch the next; iterating pages through all.
    ``current_rows``: the page's rows when already made as the session's row factory
    makes them (None: made here from the result's rows)."""

    def __init__(self, session: Session, result: Result, fetch_next: Callable | None,
                 current_rows: list | None = None):
        self._session = session
        self._result = result
        self._fetch_next = fetch_next
        self.column_names: list[str] = list(result.column_names)
        self.column_types = list(result.column_types)
        self.current_rows = session.row_factory(self.column_names, result.rows) \
            if current_rows is None else current_rows
        self.paging_state: bytes | None = result.paging_state
        self.warnings: list[str] = list(result.warnings)
        self.keyspace = result.keyspace
        self.table = result.table
        self.trace = result.trace
        self.response_kind = result.kind

    @property
    def schema_change(self):
        """For DDL results: the ``SchemaChange`` (change_type, target, keyspace, name,
        arg_types) a server reports to clients; None otherwise."""
        return None if self._result is None else self._result.schema_change

    @property
    def has_more_pages(self) -> bool:
        return self.paging_state is not None

    def fetch_next_page(self) -> None:
        if self.paging_state is None or self._fetch_next is None:
            self.current_rows = []
            return
        nxt = self._fetch_next(self.paging_state)
        self.current_rows = nxt.current_rows
        self.paging_state = nxt.paging_state

    def __iter__(self) -> Iterator:
        if self.paging_state is None:  # one page: the list's own iterator, no generator
            return iter(self.current_rows)
        return chain.from_iterable(self._pages())

    def _pages(self) -> Iterator[list]:
        """This page's rows, then each next page's, fetched once the previous one has
        been read (``current_rows`` and ``paging_state`` follow, as the driver's)."""
        while True:
            yield self.current_rows
            if not self.has_more_pages:
                return
            self.fetch_next_page()

    def one(self):
        return self.current_rows[0] if self.current_rows else None

    def all(self) -> list:
        if self.paging_state is None:  # one page: what iterating gives, without a generator
            return list(self.current_rows)
        return list(self)

    def __len__(self) -> int:
        return len(self.current_rows)

    def __getitem__(self, i):
        return self.current_rows[i]

    def __bool__(self) -> bool:
        return bool(self.current_rows)

    def get_query_trace(self, max_wait: float | None = None):
        """The request's trace when it ran with ``trace=True``, else None (as the driver)."""
        return self.trace

    def get_all_query_traces(self, max_wait_per: float | None = None) -> list:
        return [self.trace] if self.trace is not None else []

    @property
    def was_applied(self) -> bool:
        """For LWT results: the ``[applied]`` column of the first row."""
        if not self.column_names or self.column_names[0] != "[applied]":
            raise RuntimeError("Cannot determine LWT result with no rows")
        row = self.one()
        if isinstance(row, dict):
            return bool(row["[applied]"])
        return bool(row[0])

    def __repr__(self) -> str:
        return f"<ResultSet {len(self.current_rows)} rows, more={self.has_more_pages}>"


#: row factories that make no rows of no rows (what they would return, without the call)
_EMPTY_FACTORIES = frozenset((named_tuple_factory, tuple_factory, dict_factory))


def _void_result_set(session: Session, result: Result) -> ResultSet:
    """The ResultSet of a void result (a write), as ``ResultSet(session, result, ...)``
    builds it: no rows, so no next page to fetch."""
    factory = session.row_factory
    names: list[str] = []
    return _filled_result_set(
        session, result, None, names, [], [] if factory in _EMPTY_FACTORIES
        else factory(names, []), None, result.keyspace, result.table, result.kind)


def _filled_result_set(session: Session, result: Result | None, fetch_next: Callable | None,
                       names: list[str], types: list, rows: list, paging_state: bytes | None,
                       keyspace: str | None, table: str | None, kind: str) -> ResultSet:
    """A ResultSet holding what ``ResultSet.__init__`` sets, given directly (the fast
    paths, which have no Result to copy from, or one of no rows): one dict, no call."""
    rs = _new_object(ResultSet)
    rs.__dict__ = {
        "_session": session, "_result": result, "_fetch_next": fetch_next,
        "column_names": names, "column_types": types, "current_rows": rows,
        "paging_state": paging_state, "warnings": [], "keyspace": keyspace, "table": table,
        "trace": None, "response_kind": kind}
    return rs


_new_object = object.__new__


class PreparedStatement:
    """A statement parsed and planned once; ``bind()`` or pass parameters to ``execute``."""

    def __init__(self, session: Session, query: str, prepared, generation: int):
        self.session = session
        self.query_string = query
        self._planned = prepared
        self._generation = generation  # the schema's, when planned
        self.query_id = uuid.uuid5(uuid.NAMESPACE_OID, query).bytes
        self.keyspace = session.keyspace

    @property
    def _prepared(self):
        """The plan, made again once the schema has changed: a plan may point at columns an
        ALTER changed (as Cassandra invalidates prepared statements, CASSANDRA-16712)."""
        database = self.session.database
        generation = database.schema.generation
        if generation != self._generation:
            self._planned = database.prepare(self.query_string, self.keyspace, True)
            self._generation = generation
        return self._planned

    @property
    def bind_names(self) -> list[str | None]:
        return [m.name for m in self._prepared.markers]

    @property
    def bind_types(self) -> list:
        return [m.type for m in self._prepared.markers]

    @property
    def routing_key_indexes(self) -> list[int]:
        return list(self._prepared.pk_indexes)

    @property
    def column_names(self) -> list[str]:
        return list(self._prepared.result_names)

    def bind(self, values: Sequence | dict | None = None) -> BoundStatement:
        return BoundStatement(self, values)

    def __repr__(self) -> str:
        return f"<PreparedStatement {self.query_string!r}>"


class BoundStatement:
    def __init__(self, prepared: PreparedStatement, values: Sequence | dict | None):
        self.prepared_statement = prepared
        self.values = values


class SimpleStatement:
    """A query string with execution options, as in the driver."""

    def __init__(self, query_string: str, fetch_size: int | None = None,
                 consistency_level: int | None = None, serial_consistency_level: int | None = None):
        self.query_string = query_string
        self.fetch_size = fetch_size
        self.consistency_level = consistency_level
        self.serial_consistency_level = serial_consistency_level


class BatchType:
    """Batch kinds, with the driver's values (``cassandra.query.BatchType``)."""

    LOGGED = 0
    UNLOGGED = 1
    COUNTER = 2


_BATCH_KINDS = {0: "LOGGED", 1: "UNLOGGED", 2: "COUNTER"}


def batch_kind(batch_type: Any) -> str:
    """LOGGED / UNLOGGED / COUNTER from a BatchType value, a driver BatchType or a name."""
    if isinstance(batch_type, str):
        return batch_type.upper()
    value = getattr(batch_type, "value", batch_type)
    if value not in _BATCH_KINDS:
        raise errors.InvalidRequest(f"Invalid batch kind {batch_type!r}")
    return _BATCH_KINDS[value]


class BatchStatement:
    """Statements and their values run as one batch, shaped like the driver's:
    ``batch.add(statement, parameters)``, then ``session.execute(batch)``."""

    def __init__(self, batch_type: Any = BatchType.LOGGED, retry_policy: Any = None,
                 consistency_level: int | None = None,
                 serial_consistency_level: int | None = None, session: Any = None,
                 timestamp: int | None = None):
        self.batch_type = batch_type
        self.consistency_level = consistency_level
        self.serial_consistency_level = serial_consistency_level
        self.timestamp = timestamp
        self._statements_and_parameters: list[tuple[Any, Any]] = []

    def add(self, statement: Any, parameters: Sequence | dict | None = None) -> BatchStatement:
        self._statements_and_parameters.append((statement, parameters))
        return self

    def add_all(self, statements: Sequence, parameters: Sequence) -> BatchStatement:
        for statement, values in zip(statements, parameters):
            self.add(statement, values)
        return self

    def clear(self) -> None:
        self._statements_and_parameters.clear()

    @property
    def statements(self) -> list[tuple[Any, Any]]:
        return list(self._statements_and_parameters)

    def __len__(self) -> int:
        return len(self._statements_and_parameters)


class Session:
    """An open database. Thread-safe for concurrent ``execute`` calls."""

    def __init__(self, database: Database, keyspace: str | None = None):
        self.database = database
        self.engine = database.engine
        self.schema = database.schema
        self.row_factory: Callable = named_tuple_factory
        self.default_fetch_size: int | None = 5000
        self.default_consistency_level = ConsistencyLevel.ONE
        self.default_serial_consistency_level = ConsistencyLevel.SERIAL
        self._keyspace: str | None = None
        self._shared = False
        self.client_address = "127.0.0.1"  # who traces name as the client (servers set it)
        #: the role logged in (``login``); None: a trusted session, no permission checks
        self.user: str | None = None
        if keyspace:
            self.set_keyspace(keyspace)

    # ---- keyspace ---------------------------------------------------------------------

    @property
    def keyspace(self) -> str | None:
        return self._keyspace

    def set_keyspace(self, keyspace: str) -> None:
        self.execute(f"USE {quote_name(keyspace)}")

    # ---- authentication -------------------------------------------------------------------

    def login(self, user: str, password: str) -> None:
        """Log in as a role (PasswordAuthenticator): from now on every statement is checked
        against the role's permissions. BadCredentials when the login fails."""
        self.user = self.database.auth.authenticate(user, password)

    # ---- execution ----------------------------------------------------------------------

    def execute(
        self,
        query: str | PreparedStatement | BoundStatement | SimpleStatement,
        parameters: Sequence | dict | None = None,
        *,
        fetch_size: int | None = None,
        paging_state: bytes | None = None,
        timestamp: int | None = None,
        trace: bool = False,
        timeout: float | None = None,
    ) -> ResultSet:
        if type(query) is PreparedStatement and not trace:  # the common call, shortest
            prepared = query._prepared
            plan = prepared.plan
            if self.user is None:
                if getattr(plan, "fast_write", False):
                    return self._write_fast(plan, prepared.bind(parameters), timestamp)
                if paging_state is None and getattr(plan, "fast_read", False) \
                        and current_trace() is None:
                    return self._read_fast(plan, prepared.bind(parameters),
                                           self.default_fetch_size if fetch_size is None
                                           else fetch_size, prepared, parameters, timestamp)
            return self._run(prepared, parameters,
                             self.default_fetch_size if fetch_size is None else fetch_size,
                             paging_state, timestamp, False)
        if isinstance(query, BatchStatement):
            return self.execute_batch(query.statements, batch_kind(query.batch_type),
                                      timestamp=timestamp if timestamp is not None
                                      else query.timestamp, trace=trace)
        if trace:
            return self._traced(_request_type(query), query, fetch_size, lambda: self._execute(
                query, parameters, fetch_size, paging_state, timestamp, True))
        return self._execute(query, parameters, fetch_size, paging_state, timestamp, False)

    def _execute(self, query, parameters, fetch_size, paging_state, timestamp, trace) -> ResultSet:
        if isinstance(query, BoundStatement):
            parameters = query.values if parameters is None else parameters
            query = query.prepared_statement
        if isinstance(query, SimpleStatement):
            fetch_size = fetch_size if fetch_size is not None else query.fetch_size
            query = query.query_string
        if isinstance(query, PreparedStatement):
            prepared = query._prepared
        else:
            if not isinstance(query, str):
                raise TypeError(f"query must be a string or a statement, not {type(query).__name__}")
            text = query
            if parameters is not None and _uses_driver_placeholders(text, parameters):
                text = interpolate(text, parameters)
                parameters = None
            auto = None
            if parameters is None and \
                    text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE", "SELECT"):
                auto = self.database.auto_prepare(text, self._keyspace)
            if auto is not None:  # literals bound into the statement's prepared shape
                prepared, parameters = auto
            else:
                prepared = self.database.prepare(text, self._keyspace)
        if fetch_size is None:
            fetch_size = self.default_fetch_size
        return self._run(prepared, parameters, fetch_size, paging_state, timestamp, trace)

    def _run(self, prepared, parameters, fetch_size, paging_state, timestamp, trace) -> ResultSet:
        user = self.user
        plan = prepared.plan
        if user is None and not trace and getattr(plan, "fast_write", False):
            return self._write_fast(plan, prepared.bind(parameters), timestamp)
        if user is not None:
            authorize(self.database.auth, user, self.schema, prepared.statement, self._keyspace)
        # a plan that builds its rows (SELECT's fast paths) makes them the factory's named
        # tuples straight away: no tuple per row made only to be converted
        row_type = _row_class(tuple(plan.result_names)) if getattr(plan, "fast_rows", False) \
            and self.row_factory is named_tuple_factory else None
        ctx = ExecutionContext(prepared.bind(parameters),
                               fetch_size if fetch_size and fetch_size > 0 else None,
                               paging_state, timestamp, trace, self._keyspace, None, user,
                               row_type)
        result = self.database.run(plan, ctx)
        if result.new_keyspace is not None:
            self._keyspace = result.new_keyspace
        fetch_next = None if result.paging_state is None else \
            self._pager(prepared, parameters, fetch_size, timestamp, trace)
        rows = result.rows
        if row_type is not None and rows and type(rows[0]) is row_type:
            return ResultSet(self, result, fetch_next, rows)
        return ResultSet(self, result, fetch_next)

    def _pager(self, prepared, parameters, fetch_size, timestamp, trace) -> Callable:
        """The ResultSet's ``fetch_next`` of a result with a paging state: the page of
        the same statement from a state on (made only for results that have a next page)."""

        def fetch_next(state: bytes) -> ResultSet:
            if trace:
                return self._traced("Execute CQL3 query", prepared.text, fetch_size, lambda:
                                    self._run(prepared, parameters, fetch_size, state, timestamp,
                                              True))
            return self._run(prepared, parameters, fetch_size, state, timestamp, False)

        return fetch_next

    def _write_fast(self, plan, values: list, timestamp: int | None) -> ResultSet:
        """A ``fast_write`` plan's one-row write, given its bound values: what
        ``Database.run`` would do, without an ExecutionContext or a Result."""
        try:
            plan.write_fast(self.database, values, timestamp)
        except StorageError as exc:
            raise cql_error(exc) from exc
        return _void_result_set(self, plan.void_result)

    def _read_fast(self, plan, values: list, fetch_size: int | None, prepared, parameters,
                   timestamp: int | None) -> ResultSet:
        """A ``fast_read`` plan's first page for this trusted session, untraced: what
        ``_run`` gives, without an ExecutionContext or a Result (``SelectPlan.first_page``)."""
        row_type = _row_class(tuple(plan.result_names)) \
            if self.row_factory is named_tuple_factory else None
        try:
            rows, paging_state = plan.first_page(
                self.database, values, fetch_size if fetch_size and fetch_size > 0 else None,
                int(_time()), row_type)
        except StorageError as exc:
            raise cql_error(exc) from exc
        names = list(plan.result_names)
        return _filled_result_set(
            self, None,  # a rows result: no schema change
            None if paging_state is None else
            self._pager(prepared, parameters, fetch_size, timestamp, False),
            names, list(plan.result_types),
            rows if row_type is not None else self.row_factory(names, rows), paging_state,
            plan.keyspace, plan.table, "rows")

    def _traced(self, request: str, query: Any, fetch_size: int | None,
                run: Callable[[], ResultSet]) -> ResultSet:
        """Run one request under a new trace; the trace is stored in system_traces and set
        on the result (``rs.trace``, ``rs.get_query_trace()``)."""
        level = getattr(query, "consistency_level", None)
        if level is None:
            level = self.default_consistency_level
        parameters = {"consistency_level": _CONSISTENCY_NAMES.get(level, str(level))}
        if not isinstance(query, list):
            parameters["query"] = _query_text(query)
        if fetch_size is None:
            fetch_size = getattr(query, "fetch_size", None) or self.default_fetch_size
        if fetch_size:
            parameters["page_size"] = str(fetch_size)
        trace = tracing.QueryTrace(request, parameters, client=self.client_address,
                                   coordinator=self.database.native_address[0])
        try:
            with tracing.tracing(trace):
                rs = run()
        finally:
            trace.finish()
            self.database.record_trace(trace)
        rs.trace = trace
        return rs

    def execute_batch(
        self,
        statements: Sequence[tuple[str | PreparedStatement | BoundStatement, Sequence | dict | None]],
        kind: str = "LOGGED",
        *,
        timestamp: int | None = None,
        trace: bool = False,
    ) -> ResultSet:
        """Run ``(statement, parameters)`` pairs as one batch, each with its own values.

        This is the native protocol's BATCH message (a ``BEGIN BATCH`` text shares one
        set of bind markers). ``kind`` is LOGGED, UNLOGGED or COUNTER; ``timestamp`` is the
        default write timestamp (``USING TIMESTAMP`` in a statement overrides it).
        """
        if trace:
            statements = list(statements)  # read once: the traced run below reads it again
            return self._traced("Execute batch of CQL3 queries", statements, None,
                                lambda: self.execute_batch(statements, kind, timestamp=timestamp))
        kind = batch_kind(kind)
        if kind not in ("LOGGED", "UNLOGGED", "COUNTER"):
            raise errors.InvalidRequest(f"Invalid batch kind {kind}")
        bound = []
        for query, parameters in statements:
            if isinstance(query, BoundStatement):
                parameters = query.values if parameters is None else parameters
                query = query.prepared_statement
            if isinstance(query, SimpleStatement):
                query = query.query_string
            if isinstance(query, PreparedStatement):
                prepared = query._prepared
            else:
                if parameters is not None and _uses_driver_placeholders(query, parameters):
                    query, parameters = interpolate(query, parameters), None
                prepared = self.database.prepare(query, self._keyspace)
            if self.user is not None:
                authorize(self.database.auth, self.user, self.schema, prepared.statement,
                          self._keyspace)
            ctx = ExecutionContext(values=prepared.bind(parameters), timestamp=timestamp,
                                   keyspace=self._keyspace, user=self.user)
            bound.append((prepared.plan, ctx))
        from cql.dml.batch import BatchPlan  # a statement module: loaded on first use

        batch = BatchPlan.from_plans(kind, bound)
        result = self.database.run(
            batch, ExecutionContext(values=[], timestamp=timestamp, keyspace=self._keyspace,
                                    user=self.user))
        if bound and result.keyspace is None:
            result.keyspace, result.table = batch.plans[0].keyspace, batch.plans[0].table
        return ResultSet(self, result, None)

    def prepare(self, query: str) -> PreparedStatement:
        if not isinstance(query, str):
            raise TypeError("prepare() takes a query string")
        generation = self.database.schema.generation
        return PreparedStatement(self, query, self.database.prepare(query, self._keyspace, True),
                                 generation)

    # ---- lifecycle --------------------------------------------------------------------

    @property
    def admin(self):
        """Engine maintenance: flush, compact, snapshot, tablestats (lsm and rocks engines)."""
        admin = getattr(self.engine, "admin", None)
        if admin is None:
            raise errors.InvalidRequest("This storage engine has no admin operations")
        return admin

    def close(self) -> None:
        if not self._shared:
            self.database.close()

    shutdown = close

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _uses_driver_placeholders(query: str, parameters) -> bool:
    """Simple statements take ``%s`` / ``%(name)s``; ``?`` / ``:name`` mean bind markers."""
    if isinstance(parameters, dict):
        return "%(" in query
    return "%s" in query


_named_memory: dict[str, Database] = {}
_named_lock = threading.Lock()


def _open_engine(path: str, options: dict) -> StorageEngine:
    engine_name = options.pop("engine", None)
    if path == ":memory:":
        from cassalite.storage.memory import MemoryEngine

        return MemoryEngine()
    if engine_name in (None, "lsm"):
        from cassalite.storage.lsm import LSMEngine

        return LSMEngine(os.fspath(path), **options)
    if engine_name == "memory":
        from cassalite.storage.memory import MemoryEngine

        return MemoryEngine()
    if engine_name == "rocks":  # pip install cassalite[rocks]
        from cassalite.storage.rocks import RocksEngine

        return RocksEngine(os.fspath(path), **options)
    expected = ", ".join(repr(name) for name in ENGINE_NAMES)
    raise ValueError(f"Unknown storage engine {engine_name!r} (expected one of {expected})")


def connect(path: str | os.PathLike = ":memory:", keyspace: str | None = None, *,
            user: str | None = None, password: str | None = None, **options) -> Session:
    """Open a database: ``":memory:"`` (``":memory:name"`` shared in-process) or a directory.

    ``user``/``password`` log the session in as that role, whose permissions are then
    enforced on every statement; without them the session is trusted (no checks).
    ``options`` are engine settings: ``engine="lsm"|"memory"|"rocks"``, ``commitlog_sync=
    "periodic"|"batch"|"group"``, ``commitlog_sync_period_ms``, ``memtable_size_bytes`` ...
    and the database settings of :mod:`cql.settings` (``dynamic_data_masking_enabled``).
    """
    settings, options = split_options(options)
    session = _open(os.fspath(path), options, settings)
    if user is not None:
        try:
            session.login(user, password or "")
        except errors.DriverException:
            session.close()
            raise
    if keyspace:
        session.set_keyspace(keyspace)
    return session


def _open(path: str, options: dict, settings: DatabaseSettings = DEFAULT_SETTINGS) -> Session:
    if path.startswith(":memory:") and path != ":memory:":
        # Named in-memory databases are shared by every connect() in this process.
        with _named_lock:
            database = _named_memory.get(path)
            if database is None:
                database = _named_memory[path] = Database(_open_engine(":memory:", {}), settings)
        session = Session(database)
        session._shared = True
        return session
    try:
        database = Database(_open_engine(path, dict(options)), settings)
    except StorageError as exc:  # a locked directory, a damaged file
        raise cql_error(exc) from exc
    return Session(database)


__all__ = [
    "BatchStatement", "BatchType", "ConsistencyLevel", "PreparedStatement", "BoundStatement", "ResultSet", "Session",
    "SimpleStatement", "connect", "dict_factory", "named_tuple_factory", "tuple_factory",
    "system",
]
