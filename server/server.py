"""The server: one database, a worker pool, the listening socket, the event bus.

Each connection gets its own ``cql`` Session (its own keyspace) on the shared database.
``ServerThread`` runs a server on a private event loop in a background thread, which is
what tests and benchmarks use next to a driver that has its own I/O thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import cql
from cassalite.server.auth import PasswordAuthenticator
from cassalite.server.config import ServerConfig
from cassalite.server.connection import Connection, FrameProtocol
from cassalite.server.messages import schema_change_event
from cassalite.server.prepared import PreparedCache
from cassalite.server.scheduling import CostModel
from cassalite.storage import paths
from cql.session import Session
from cql.system import CQL_VERSION

log = logging.getLogger("cassalite.server")


def default_data_dir() -> Path:
    """The database the shell opens by default, so both see the same data."""
    return paths.default_data_dir()


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
        self._listener: socket.socket | None = None
        self._accept_task: asyncio.Task | None = None
        self._ssl: ssl.SSLContext | None = None
        self._conn_tasks: set[asyncio.Task] = set()
        self._stopped = asyncio.Event()
        # open sockets, counted from accept to close (before any TLS handshake)
        self.open_count = 0
        self.open_per_ip: dict[str, int] = {}

    # ---- database -----------------------------------------------------------------------

    def open_database(self) -> None:
        cfg = self.config
        if cfg.memory:
            path = ":memory:"
        else:
            path = str(Path(cfg.data_dir).expanduser() if cfg.data_dir else default_data_dir())
            Path(path).mkdir(parents=True, exist_ok=True)
        log.info("Opening database %s", path)
        engine = {} if cfg.memory else {"engine": cfg.engine}
        self.root = cql.connect(path, **engine, **cfg.database_settings())
        self.root.row_factory = cql.tuple_factory
        if cfg.auth:
            self.authenticator = PasswordAuthenticator(self.new_session())
            self.authenticator.ensure_default_superuser()

    def new_session(self) -> Session:
        """A Session for one connection: shares the database, owns its keyspace."""
        assert self.root is not None
        session = Session(self.root.database)
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
        self._ssl = self.config.ssl_context()
        self._listener = socket.create_server((self.config.host, self.config.port),
                                              backlog=512, reuse_port=False)
        self._listener.setblocking(False)
        sock = self._listener.getsockname()
        self.port = sock[1]
        self._accept_task = asyncio.get_running_loop().create_task(self._accept_loop())
        # system.local's rpc_address/rpc_port belong to the engine; publish ours if it can.
        publish = getattr(self.root.database, "set_native_address", None)
        if callable(publish):
            publish(sock[0], self.port)
        extras = []
        if self.authenticator:
            extras.append("PasswordAuthenticator")
        if self._ssl is not None:
            extras.append("TLS optional" if self.config.ssl_optional else "TLS")
        log.info("Listening for CQL clients on %s:%d (protocol v4%s)", sock[0], self.port,
                 "".join(f", {e}" for e in extras))

    # ---- accepting ----------------------------------------------------------------------

    async def _accept_loop(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._listener is not None
        while True:
            try:
                client, address = await loop.sock_accept(self._listener)
            except asyncio.CancelledError:
                return
            except OSError as e:  # EMFILE and the like: back off, keep serving
                log.warning("accept failed: %s", e)
                await asyncio.sleep(0.1)
                continue
            task = loop.create_task(self._serve_socket(client, address))
            self._conn_tasks.add(task)
            task.add_done_callback(self._conn_tasks.discard)

    def _admit(self, ip: str) -> bool:
        """Count a new socket; False (logged as Cassandra does) when over a limit."""
        cfg = self.config
        self.open_count += 1
        self.open_per_ip[ip] = self.open_per_ip.get(ip, 0) + 1
        if 0 <= cfg.max_connections < self.open_count:
            log.warning("Exceeded maximum native connection limit of %d by using %d "
                        "connections", cfg.max_connections, self.open_count)
            return False
        if 0 < cfg.max_connections_per_ip < self.open_per_ip[ip]:
            log.warning("Exceeded maximum native connection limit per ip of %d by using %d "
                        "connections", cfg.max_connections_per_ip, self.open_per_ip[ip])
            return False
        return True

    def _release(self, ip: str) -> None:
        self.open_count -= 1
        left = self.open_per_ip.get(ip, 1) - 1
        if left > 0:
            self.open_per_ip[ip] = left
        else:
            self.open_per_ip.pop(ip, None)

    async def _serve_socket(self, client: socket.socket, address: Any) -> None:
        ip = address[0] if isinstance(address, tuple) else str(address)
        try:
            if not self._admit(ip):
                client.close()  # as Cassandra: the connection is closed at once
                return
            use_tls = self._ssl is not None
            if use_tls and self.config.ssl_optional:
                use_tls = await self._starts_tls(client)
                if use_tls is None:
                    client.close()
                    return
            reader = asyncio.StreamReader(limit=1 << 20)
            protocol = FrameProtocol(reader)
            loop = asyncio.get_running_loop()
            try:
                transport, _ = await loop.connect_accepted_socket(
                    lambda: protocol, client, ssl=self._ssl if use_tls else None,
                    ssl_handshake_timeout=(self.config.ssl_handshake_timeout_seconds or None)
                    if use_tls else None)
            except (OSError, ssl.SSLError, TimeoutError) as e:
                log.info("TLS handshake with %s failed: %s", address, e)
                client.close()
                return
            writer = asyncio.StreamWriter(transport, protocol, reader, loop)
            await self._on_client(reader, writer)
        finally:
            self._release(ip)

    async def _starts_tls(self, client: socket.socket) -> bool | None:
        """Optional TLS: look at the first byte without consuming it. A TLS record starts
        with 0x16 (handshake); a CQL frame with its protocol version. None: closed."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_reader(client.fileno(), lambda: ready.done() or ready.set_result(None))
        try:
            timeout = self.config.ssl_handshake_timeout_seconds or None
            await asyncio.wait_for(ready, timeout)
            first = client.recv(1, socket.MSG_PEEK)
        except (TimeoutError, OSError):
            return None
        finally:
            loop.remove_reader(client.fileno())
        if not first:
            return None
        return first == b"\x16"

    async def _on_client(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        conn = Connection(self, reader, writer)
        self.connections.add(conn)
        await conn.run()

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
        if self._accept_task is not None:
            self._accept_task.cancel()
            try:
                await self._accept_task
            except asyncio.CancelledError:
                pass
        if self._listener is not None:
            self._listener.close()
        for conn in list(self.connections):
            conn.stop_reading()
        if self._conn_tasks:
            _, pending = await asyncio.wait(list(self._conn_tasks),
                                            timeout=self.config.shutdown_grace_seconds + 2)
            for task in pending:  # e.g. still in a TLS handshake
                task.cancel()
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
