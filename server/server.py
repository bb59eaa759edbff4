"""The server: one database, a worker pool, the listening socket, the event bus.

Each connection gets its own ``cql`` Session (its own keyspace) on the shared database.
``ServerThread`` runs a server on a private event loop in a background thread, which is
what tests and benchmarks use next to a driver that has its own I/O thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import cql
from cql.session import Session
from cql.system import CQL_VERSION
from cassalite.server.auth import PasswordAuthenticator
from cassalite.server.config import ServerConfig
from cassalite.server.connection import Connection
from cassalite.server.messages import schema_change_event
from cassalite.server.prepared import PreparedCache
from cassalite.server.scheduling import CostModel

log = logging.getLogger("cassalite.server")


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "cassalite" / "data"


class CQLServer:
    def __init__(self, config: ServerConfig | None = None):
        self.config = config or ServerConfig()
        self.prepared = PreparedCache(self.config.prepared_cache_size)
        self.costs = CostModel(self.config.inline_threshold_ms)
        self.connections: set[Connection] = set()
        self.authenticator: PasswordAuthenticator | None = None
        self.root: Session | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.port: int | None = None
        self._listener: asyncio.base_events.Server | None = None
        self._conn_tasks: set[asyncio.Task] = set()
        self._stopped = asyncio.Event()

    # ---- database -----------------------------------------------------------------------

    def open_database(self) -> None:
        cfg = self.config
        if cfg.memory:
            path = ":memory:"
        else:
            path = str(Path(cfg.data_dir).expanduser() if cfg.data_dir else default_data_dir())
            Path(path).mkdir(parents=True, exist_ok=True)
        log.info("Opening database %s", path)
        self.root = cql.connect(path)
        self.root.row_factory = cql.tuple_factory
        if cfg.auth:
            self.authenticator = PasswordAuthenticator(self.new_session())
            self.authenticator.ensure_default_superuser()

    def new_session(self) -> Session:
        """A Session for one connection: shares the database, owns its keyspace."""
        assert self.root is not None
        session = Session(self.root.executor)
        session.row_factory = cql.tuple_factory
        return session

    def supported_options(self) -> dict[str, list[str]]:
        return {"CQL_VERSION": [CQL_VERSION], "COMPRESSION": ["lz4"],
                "PROTOCOL_VERSIONS": ["4/v4"]}

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a synchronous engine call on the worker pool (inline when workers == 0)."""
        if self.pool is None:
            return fn(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(fn, *args))

    # ---- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self.root is None:
            self.open_database()
        if self.config.workers > 0:
            self.pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="cql-worker")
        self._listener = await asyncio.start_server(
            self._on_client, self.config.host, self.config.port, limit=1 << 20)
        sock = self._listener.sockets[0].getsockname()
        self.port = sock[1]
        # system.local's rpc_address/rpc_port belong to the engine; publish ours if it can.
        publish = getattr(self.root.executor, "set_native_address", None)
        if callable(publish):
            publish(sock[0], self.port)
        log.info("Listening for CQL clients on %s:%d (protocol v4%s)", sock[0], self.port,
                 ", PasswordAuthenticator" if self.authenticator else "")

    async def _on_client(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        conn = Connection(self, reader, writer)
        self.connections.add(conn)
        task = asyncio.current_task()
        if task is not None:
            self._conn_tasks.add(task)
        try:
            await conn.run()
        finally:
            if task is not None:
                self._conn_tasks.discard(task)

    def forget(self, conn: Connection) -> None:
        self.connections.discard(conn)

    async def broadcast_schema_change(self, change: Any) -> None:
        opcode, body = schema_change_event(change)
        targets = [c for c in self.connections if "SCHEMA_CHANGE" in c.events]
        await asyncio.gather(*(c.send_event(opcode, body) for c in targets))

    async def stop(self) -> None:
        """Stop accepting, let in-flight requests answer, close connections and the
        database (which flushes a durable engine)."""
        if self._stopped.is_set():
            return
        log.info("Shutting down")
        if self._listener is not None:
            self._listener.close()
        for conn in list(self.connections):
            conn.stop_reading()
        if self._conn_tasks:
            await asyncio.wait(list(self._conn_tasks),
                               timeout=self.config.shutdown_grace_seconds + 2)
        if self._listener is not None:
            try:
                await asyncio.wait_for(self._listener.wait_closed(), 2)
            except TimeoutError:
                pass
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.root is not None:
            self.root.close()
        self._stopped.set()
        log.info("Stopped")

    async def wait_stopped(self) -> None:
        await self._stopped.wait()


class ServerThread:
    """A CQLServer on its own event loop in a daemon thread (tests, benchmarks, embedding)."""

    def __init__(self, config: ServerConfig | None = None):
        self.server = CQLServer(config or ServerConfig(memory=True, port=0))
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="cql-server", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    @property
    def host(self) -> str:
        return self.server.config.host

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.start())
        except BaseException as e:  # noqa: BLE001 - re-raised by start()
            self._error = e
            self._started.set()
            return
        self._started.set()
        self.loop.run_until_complete(self.server.wait_stopped())
        self.loop.close()

    def start(self) -> ServerThread:
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a coroutine function on the server loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(fn(*args), self.loop).result(30)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.call(self.server.stop)
            self._thread.join(30)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
