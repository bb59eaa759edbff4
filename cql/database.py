"""The database behind a Session (``Database``): schema, engine, statement planning and execution.

Every statement goes through the same two steps. ``prepare`` parses (cached by text),
resolves names against the schema and compiles a *plan* with its bind markers; plans are
cached per (text, keyspace, schema generation) so repeated simple statements skip parsing
and planning. ``execute`` binds values and runs the plan, returning a :class:`Result`.
"""

from __future__ import annotations

import datetime
import gc
import threading
import time
from collections import OrderedDict

from cassalite.storage import errors as storage_errors
from cassalite.storage.engine import StorageEngine
from cassalite.storage.errors import StorageError
from cassalite.storage.model import one_row_mutation
from cassalite.storage.tracing import QueryTrace, trace
from cql.auth import Authorizer, RoleStore
from cql.derived import indexes, vector_index, views
from cql.plan.base import NO_KEYSPACE, ExecutionContext, Plan, Prepared, Result
from cql.plan.terms import Markers, TermContext
from cql.schema.metadata import Schema, TableMetadata
from cql.settings import DEFAULT_SETTINGS, DatabaseSettings
from cql.syntax import ast
from cql.syntax.parser import parse
from cql.syntax.shapes import literal_shape
from cql.system.schema_store import SchemaStore
from cql.types import CQLType, UserType, native_type

from . import cells as rowcodec
from . import errors, system
from .cells import Clock
from .errors import InvalidRequest

PLAN_CACHE_SIZE = 2048

TRACE_TTL = 86_400  # seconds a trace stays in system_traces (Cassandra's default)



class Database:
    """Owns the engine, the schema and the plan cache; shared by the Sessions opened on it."""

    def __init__(self, engine: StorageEngine, settings: DatabaseSettings = DEFAULT_SETTINGS):
        self.engine = engine
        self.settings = settings
        self.schema = Schema()
        self.clock = Clock()
        self.store = SchemaStore(engine, self.schema, self.clock)
        self.lock = threading.RLock()  # serialises schema changes and LWTs
        self._plans: OrderedDict = OrderedDict()
        self._tables_by_id: dict[str, TableMetadata] = {}
        self._writers: dict = {}
        self._plain: frozenset | None = None
        self._plans_lock = threading.Lock()
        self.native_address = ("127.0.0.1", 9042)
        self.host_id = None
        self.auth = Authorizer(RoleStore(self))
        self.bootstrap()
        self.auth.store.start()
        _tune_gc()

    # ---- start-up ---------------------------------------------------------------------

    def bootstrap(self) -> None:
        """Register the system tables, then load and register the user schema."""
        self.schema.keyspaces.update(system.system_keyspaces())
        for table in list(self.schema.tables()):
            self.engine.create_table(system.table_info(table))
        self.store.load()
        self._publish_system_schema()
        for table in list(self.schema.tables()):
            self.engine.create_table(system.table_info(table))
            for index in table.indexes.values():
                self.engine.create_table(indexes.index_info(table, index))
        self.host_id = self._stable_host_id()
        self.schema_changed()

    def _publish_system_schema(self) -> None:
        """Describe the built-in keyspaces in system_schema too, as Cassandra does."""
        for name in system.SYSTEM_TABLES:
            self.store.publish_builtin(self.schema.keyspaces[name])

    def set_native_address(self, address: str, port: int) -> None:
        """Where the native-protocol server listens, as system.local must report it."""
        self.native_address = (address, port)
        self.schema_changed()

    def schema_changed(self) -> None:
        """New schema version: drop cached plans and republish system.local."""
        self.schema.bump()
        with self._plans_lock:
            self._plans.clear()
        self._tables_by_id = {str(t.id): t for t in self.schema.tables()}
        self._writers.clear()
        self._plain = None
        local = self.schema.table("system", "local")
        address, port = self.native_address
        self.engine.apply([rowcodec.row_mutation(
            local, system.local_row(self.schema, self.host_id, address, port), self.clock.now(),
            int(time.time()),
        )])

    def _stable_host_id(self):
        """The node's host id is kept in system.local so it survives restarts."""
        import uuid

        local = self.schema.table("system", "local")
        view = self.engine.read_partition(str(local.id), rowcodec.partition_key_bytes(local, ["local"]))
        if view is not None:
            decoded = rowcodec.decode_view(local, view)
            if decoded and decoded[0].get("host_id"):
                return decoded[0]["host_id"]
        host_id = uuid.uuid4()
        self.engine.apply(
            [rowcodec.row_mutation(local, {"key": "local", "host_id": host_id}, self.clock.now(),
                                   int(time.time()))]
        )
        return host_id

    def close(self) -> None:
        self.engine.close()

    # ---- names ------------------------------------------------------------------------

    def udt_lookup(self, keyspace: str | None, name: str) -> CQLType:
        if keyspace is None:
            raise InvalidRequest(NO_KEYSPACE)
        ut = self.schema.user_type(keyspace, name)
        if ut is None:
            raise InvalidRequest(f"Unknown type {keyspace}.{name}")
        return UserType(keyspace, name, list(ut.field_names), list(ut.field_types), False)

    def term_context(self, markers: Markers, keyspace: str | None) -> TermContext:
        return TermContext(markers, keyspace, self.udt_lookup)

    def table(self, name: ast.QualifiedName, keyspace: str | None) -> TableMetadata:
        """The table a DML statement names, with Cassandra's messages when it is missing."""
        ks = name.keyspace or keyspace
        if ks is None:
            raise InvalidRequest(NO_KEYSPACE)
        ksm = self.schema.keyspace(ks)
        if ksm is None:
            raise InvalidRequest(f"keyspace {ks} does not exist")
        table = ksm.tables.get(name.name)
        if table is None:
            raise InvalidRequest(f"table {name.name} does not exist")
        return table

    # ---- statements -------------------------------------------------------------------

    def prepare(self, text: str, keyspace: str | None, for_prepare: bool = False,
                shown: str | None = None) -> Prepared:
        """The plan of ``text`` (cached); ``shown`` is the text a trace names when it differs
        (an auto-parameterised statement's own text rather than its shape)."""
        key = (text, keyspace, self.schema.generation)
        with self._plans_lock:
            cached = self._plans.get(key)
            if cached is not None:
                self._plans.move_to_end(key)
                trace("Found the statement in the plan cache")
                return cached
        trace("Parsing {}", text if shown is None else shown)
        statement = parse(text)
        trace("Preparing statement")
        prepared = self.plan(statement, keyspace, text)
        if not (prepared.plan.is_schema_change and not for_prepare):
            with self._plans_lock:
                self._plans[key] = prepared
                if len(self._plans) > PLAN_CACHE_SIZE:
                    self._plans.popitem(last=False)
        return prepared

    def auto_prepare(self, text: str, keyspace: str | None) -> tuple[Prepared, list] | None:
        """An unprepared ``INSERT INTO t (a, b) VALUES (1, 'x')`` (or a plain UPDATE,
        DELETE or SELECT whose WHERE is a conjunction of ``col = literal``: see
        cql.syntax.shapes) as its prepared shape (``VALUES (?, ?)``, planned once and
        cached) and the literals as bound values, so the statement skips parsing and
        planning; None whenever there is any doubt (only integer literals into integer
        columns and plain quoted strings into text/ascii columns, every value accepted by
        the marker's validation): the caller then takes the full path, which gives the
        statement's own errors."""
        found = literal_shape(text)
        if found is None:
            return None
        shape, literals = found
        try:
            prepared = self.prepare(shape, keyspace, shown=text)
        except Exception:  # noqa: BLE001 - the full path reports the statement's own error
            return None
        markers = prepared.markers
        if len(markers) != len(literals):
            return None
        values = []
        for spec, (kind, lit) in zip(markers, literals):
            ctype = type(spec.type)
            if kind == "int":
                if ctype not in _AUTO_INT_TYPES:
                    return None
                values.append(int(lit))
            else:
                if ctype not in _AUTO_TEXT_TYPES:
                    return None
                values.append(lit)
        try:
            prepared.bind(values)
        except Exception:  # noqa: BLE001
            return None
        return prepared, values

    def plan(self, statement: ast.Statement, keyspace: str | None, text: str = "") -> Prepared:
        markers = Markers(statement.bind_names)
        # The planner imports every statement module (dml/, ddl/): loaded with the first
        # statement, so that import cql + connect() costs what it did before the split.
        from .planner import plan_statement

        plan = plan_statement(self, statement, keyspace, markers)
        return Prepared(plan, markers.ordered(), statement, text)

    def execute(self, prepared: Prepared, ctx: ExecutionContext) -> Result:
        return self.run(prepared.plan, ctx)

    def run(self, plan: Plan, ctx: ExecutionContext) -> Result:
        """Execute a plan: schema changes one at a time, storage errors as cql exceptions."""
        try:
            if plan.is_schema_change:
                with self.lock:
                    result = plan.execute(self, ctx)
                    self.schema_changed()
                    if result.schema_change is not None:
                        self.auth.schema_changed(result.schema_change, ctx.user)
                    return result
            return plan.execute(self, ctx)
        except StorageError as exc:
            raise cql_error(exc) from exc

    def apply(self, mutations: list) -> None:
        """Apply base-table mutations with the index entries and view rows they imply."""
        if len(mutations) == 1 and mutations[0].table_id in self._plain_tables():
            self.engine.apply(mutations)  # the common write: nothing derived to maintain
            return None
        auth_ids = self.auth.store.table_ids
        if any(m.table_id in auth_ids for m in mutations):
            try:
                return self._apply(mutations)
            finally:  # a write to system_auth: cached roles and grants are stale
                self.auth.store.changed()
        return self._apply(mutations)

    def write_row(self, table_id: str, pk: bytes, ck: bytes, row) -> None:
        """``apply`` of the one-row mutation holding ``row`` at ``ck`` (the prepared
        writer's): straight to the engine's ``write_row`` when the table has nothing
        derived to maintain, else through ``apply``."""
        plain = self._plain
        if plain is None:
            plain = self._plain_tables()
        if table_id in plain:
            self.engine.write_row(table_id, pk, ck, row)
        else:
            self.apply([one_row_mutation(table_id, pk, ck, row)])

    def _apply(self, mutations: list) -> None:
        tables = self._tables_by_id
        extra = []
        with_views = []
        by_table: dict[str, list] = {}
        for m in mutations:
            by_table.setdefault(m.table_id, []).append(m)
        for table_id, muts in by_table.items():
            table = tables.get(table_id)
            if table is None:
                continue
            if table.indexes:
                vector_index.validate_writes(table, muts)
                found = indexes.index_mutations(table, muts)
                trace("Writing {} index entries for {}.{}", len(found), table.keyspace, table.name)
                extra.extend(found)
            if self._view_writers(table):
                with_views.extend((table, m) for m in muts)
        if not with_views:
            self.engine.apply(mutations + extra if extra else mutations)
            self._vector_writes(by_table)
            return
        now = int(time.time())
        with self.lock:
            trace("Reading base rows before the write to update materialized views")
            before = [views.affected_rows(self.engine, t, m, now) for t, m in with_views]
            self.engine.apply(mutations + extra)
            self._vector_writes(by_table)
            out = []
            for (table, m), old in zip(with_views, before):
                new = views.affected_rows(self.engine, table, m, now)
                out.extend(views.view_mutations(
                    self._view_writers(table), old, new, views.mutation_timestamp(m), now))
            trace("Applying {} materialized view mutations", len(out))
            if out:
                self.engine.apply(out)

    def _vector_writes(self, by_table: dict) -> None:
        """Keep the in-memory vector indexes in step with what was just applied."""
        if getattr(self, "_vector_registry", None) is None:
            return
        tables = self._tables_by_id
        for table_id, muts in by_table.items():
            table = tables.get(table_id)
            if table is not None and table.indexes:
                vector_index.on_write(self, table, muts)

    def record_trace(self, t: QueryTrace) -> None:
        """Store a finished trace in system_traces.sessions/events (kept for a day, as
        Cassandra does), where SHOW SESSION and drivers read it."""
        ts, now = self.clock.now(), int(time.time())
        port = self.native_address[1]
        sessions = self.schema.table("system_traces", "sessions")
        events = self.schema.table("system_traces", "events")
        micros = datetime.timedelta(microseconds=1)
        duration = t.duration // micros if t.duration is not None else None
        out = [rowcodec.row_mutation(sessions, {
            "session_id": t.trace_id, "client": t.client, "command": t.command,
            "coordinator": t.coordinator, "coordinator_port": port, "duration": duration,
            "parameters": t.parameters, "request": t.request_type, "started_at": t.started_at,
        }, ts, now, TRACE_TTL)]
        for e in t.events:
            out.append(rowcodec.row_mutation(events, {
                "session_id": t.trace_id, "event_id": e.event_id, "activity": e.description,
                "source": e.source, "source_elapsed": e.source_elapsed // micros,
                "source_port": port, "thread": e.thread_name,
            }, ts, now, TRACE_TTL))
        self.engine.apply(out)

    def _plain_tables(self) -> frozenset:
        """Ids of the tables whose writes imply nothing else: no index, no materialized
        view, not system_auth (cached until the schema changes)."""
        plain = self._plain
        if plain is None:
            auth_ids = self.auth.store.table_ids
            plain = self._plain = frozenset(
                table_id for table_id, table in self._tables_by_id.items()
                if not table.indexes and table_id not in auth_ids
                and not self._view_writers(table))
        return plain

    def _view_writers(self, table: TableMetadata) -> list:
        key = (table.id, self.schema.generation)
        writers = self._writers.get(key)
        if writers is None:
            ks = self.schema.keyspace(table.keyspace)
            writers = [
                views.ViewWriter(table, v) for v in ks.tables.values() if v.view_of == table.name
            ] if ks is not None and not table.is_view else []
            self._writers[key] = writers
        return writers

    def table_by_id(self, table_id: str) -> TableMetadata:
        return self._tables_by_id[table_id]

    def write_timestamp(self, client_timestamp: int | None) -> int:
        """A write's timestamp: the client's when it sent one, else the clock's."""
        return client_timestamp if client_timestamp is not None else self.clock.now()


_AUTO_INT_TYPES = (type(native_type("int")), type(native_type("varint")))
_AUTO_TEXT_TYPES = (type(native_type("text")), type(native_type("ascii")))

_gc_tuned = False


def _tune_gc() -> None:
    """Once per process, after the first database is up: move what importing and
    bootstrapping allocated (modules, schema, grammar tables) out of the collector's way
    (``gc.freeze``) and raise the thresholds, so collections stop walking the memtable
    heap every few thousand allocations (16-25 % of an ingest or a scan with the default
    thresholds). Thresholds already set higher by the application are kept."""
    global _gc_tuned
    if _gc_tuned:
        return
    _gc_tuned = True
    gc.freeze()
    t0, t1, t2 = gc.get_threshold()
    if t0:  # 0: the application disabled automatic collection
        gc.set_threshold(max(t0, 50_000), max(t1, 20), max(t2, 100))


def cql_error(exc: StorageError) -> errors.StorageError:
    """The ``cql`` exception for a storage engine's error (raise it ``from exc``)."""
    if isinstance(exc, storage_errors.CorruptionError):
        return errors.CorruptionError(exc.path, exc.offset, exc.detail)
    if isinstance(exc, storage_errors.DirectoryLockedError):
        return errors.DirectoryLockedError(str(exc))
    return errors.StorageError(str(exc))
