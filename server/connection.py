"""One client connection: the handshake state machine, frame reading, request dispatch.

Requests after the handshake run concurrently, at most ``max_inflight_per_connection`` at
a time: when the cap is reached the reader stops reading, so TCP flow control pushes back
on the client. Statements known to be cheap run inline on the loop; the rest run as tasks
on the worker pool (see scheduling.py). Responses are whole frames appended to an output
buffer that is flushed once per loop iteration, so concurrent responses never interleave
and a burst of small responses costs one send.

Fast path: while ``run()`` waits for a frame with nothing buffered, the protocol hands each
chunk of received bytes to ``answer_inline`` first. It answers the plain EXECUTEs at the
front of the chunk (no flag but compression, statement measured cheap) right there, and
all their answers go out in one write; whatever follows the first frame it leaves alone
goes to the reader, for ``run()``. A prepared point read then costs no task switch, no stream-reader
wake-up and no per-frame awaits.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from cassalite.server import errors, frame, handler, messages, wire
from cassalite.server.frame import Frame, Header, Opcode
from cassalite.server.handler import Response
from cassalite.server.wire import ProtocolViolation
from cql.system import CQL_VERSION

if TYPE_CHECKING:
    from cassalite.server.server import CQLServer

log = logging.getLogger("cassalite.server")

AWAIT_STARTUP, AWAIT_AUTH, READY = "await_startup", "await_auth", "ready"
EVENT_TYPES = frozenset({"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"})
DATA_OPCODES = frozenset({Opcode.QUERY, Opcode.PREPARE, Opcode.EXECUTE, Opcode.BATCH})
SUPPORTED_VERSIONS = "(4/v4)"
# Whitespace, comments and parentheses before a statement's first keyword.
_LEADING_NOISE = re.compile(r"(?:\s+|\(|/\*.*?\*/|(?:--|//)[^\n]*(?:\n|$))*", re.S)
# Bodies smaller than this are sent uncompressed even when lz4 was negotiated.
COMPRESS_MIN = 512
RESPONSE_V4 = frame.PROTOCOL_VERSION | frame.RESPONSE


class FatalFrame(Exception):
    """A frame we cannot answer in-band (bad version, oversized): reply, then close."""

    def __init__(self, stream: int, message: str):
        super().__init__(message)
        self.stream = stream


def encode_frame(stream: int, opcode: int, body: bytes, flags: int, compress: bool) -> bytes:
    return frame.encode(stream, opcode, body, flags,
                        compress=compress and len(body) >= COMPRESS_MIN)


def encode_response(stream: int, resp: Response, compress: bool = False) -> bytes:
    """A response frame; warnings go in front of the body with the WARNING flag."""
    body, flags = resp.body, 0
    if not resp.warnings and resp.trace_id is None and (not compress
                                                        or len(body) < COMPRESS_MIN):
        return frame.HEADER.pack(RESPONSE_V4, 0, stream, resp.opcode, len(body)) + body
    if resp.warnings:
        body = wire.string_list(list(resp.warnings)) + body
        flags |= frame.WARNING
    if resp.trace_id is not None:  # the tracing id goes first, before any warnings
        body = resp.trace_id.bytes + body
        flags |= frame.TRACING
    return encode_frame(stream, resp.opcode, body, flags, compress)


def _holds_frame(buffered: bytearray) -> bool:
    """Whether a read buffer starts with a whole frame (header and body)."""
    if len(buffered) < frame.HEADER_SIZE:
        return False
    return len(buffered) >= frame.HEADER_SIZE + int.from_bytes(buffered[5:9], "big", signed=True)


def cost_key(msg: Any) -> Hashable | None:
    """What a request's cost is remembered by (None: always use the pool)."""
    if isinstance(msg, messages.Execute):
        return msg.query_id
    if isinstance(msg, messages.Query):
        return msg.query
    return None


class FrameProtocol(asyncio.StreamReaderProtocol):
    """The connection's stream protocol: received bytes go to the fast path first."""

    connection: Connection | None = None

    def data_received(self, data: bytes) -> None:
        conn = self.connection
        if conn is not None and conn.can_answer_inline():
            data = conn.answer_inline(data)
            if not data:
                return
        super().data_received(data)


class Connection:
    def __init__(self, server: CQLServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter):
        self.server = server
        self.config = server.config
        self.reader = reader
        self.writer = writer
        self.loop = asyncio.get_running_loop()
        self.peer = writer.get_extra_info("peername")
        self.state = AWAIT_STARTUP
        self.compress = False
        self.session: Any = None
        self.role: str | None = None
        self.events: set[str] = set()
        self.inflight = asyncio.Semaphore(self.config.max_inflight_per_connection)
        self.inflight_count = 0  # requests being executed inline (the pool ones are tasks)
        self.throw_on_overload = False
        self.tasks: set[asyncio.Task] = set()
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._holding = False  # run() is answering a request: it decides when to flush
        self._parked = False  # run() waits for a header with nothing buffered
        self._last_inline = 0.0  # loop time of the last fast-path answer (idle timeout)
        self.closing = False
        protocol = writer.transport.get_protocol()
        if isinstance(protocol, FrameProtocol):
            protocol.connection = self

    # ---- reading ------------------------------------------------------------------------

    async def _read_frame(self) -> Frame | None:
        """The next request frame, or None after answering a recoverable bad frame."""
        header = Header.parse(await self._next_header())
        if header.version != frame.PROTOCOL_VERSION:
            if self.state == AWAIT_STARTUP:
                raise FatalFrame(header.stream, (
                    f"Invalid or unsupported protocol version ({header.version}); "
                    f"supported versions are {SUPPORTED_VERSIONS}"))
            raise FatalFrame(header.stream, (
                f"Invalid message version. Got {header.version} but previous messages on "
                f"this connection had version {frame.PROTOCOL_VERSION}"))
        if header.length < 0 or header.length > self.config.max_frame_size:
            raise FatalFrame(header.stream, (
                f"Request is too big: length {header.length} exceeds maximum allowed length "
                f"{self.config.max_frame_size}."))
        body = await self.reader.readexactly(header.length)
        try:
            if header.is_response:
                raise ProtocolViolation("Invalid frame: a response was sent to the server")
            if header.flags & frame.COMPRESSED:
                if not self.compress:
                    raise ProtocolViolation(
                        "Received a compressed frame but compression was not negotiated")
                body = frame.lz4_decompress(body, self.config.max_frame_size)
        except ProtocolViolation as e:
            await self.send(header.stream, *errors.protocol_error(str(e)))
            return None
        return Frame(header, body)

    async def _next_header(self) -> bytes:
        """The next 9 header bytes; with an idle timeout, closes the connection (as
        Cassandra's native_transport_idle_timeout) after that long with no request in
        flight and nothing received."""
        timeout = self.config.idle_timeout_seconds
        self._parked = True
        try:
            if not timeout:
                return await self.reader.readexactly(frame.HEADER_SIZE)
            return await self._header_or_idle(timeout)
        finally:
            self._parked = False

    async def _header_or_idle(self, timeout: float) -> bytes:
        while True:
            try:
                # readexactly leaves the buffer alone until it has it all: safe to cancel
                return await asyncio.wait_for(
                    self.reader.readexactly(frame.HEADER_SIZE), timeout)
            except TimeoutError:
                if self.loop.time() - self._last_inline < timeout:
                    continue  # the fast path answered requests meanwhile
                if not self.tasks and self.inflight_count == 0:
                    log.info("Closing client connection %s after timeout of %dms",
                             self.peer, int(timeout * 1000))
                    raise ConnectionAbortedError("idle") from None

    async def _acquire_slot(self) -> bool:
        """An in-flight slot for the next request. True: got one. False: the connection
        is at its limit and the client asked for THROW_ON_OVERLOAD, so the next request
        is answered with Overloaded instead of waiting (back-pressure otherwise)."""
        if self.throw_on_overload and self.inflight.locked():
            return False
        await self.inflight.acquire()
        return True

    async def run(self) -> None:
        log.debug("Connection from %s", self.peer)
        try:
            while not self.closing:
                if not await self._acquire_slot():
                    f = await self._read_frame()
                    if f is None:
                        continue
                    if self.state == READY and f.opcode in DATA_OPCODES:
                        await self.send(f.stream, *errors.overloaded())
                        continue
                    if not await self._control_request(f):
                        break
                    continue
                try:
                    f = await self._read_frame()
                    if f is not None:
                        if self.state == READY and f.opcode in DATA_OPCODES:
                            self._holding = True
                            try:
                                await self._data_request(f)
                            finally:
                                self._holding = False
                            self._release_held()
                            continue
                        if not await self._control_request(f):
                            break
                except BaseException:
                    self.inflight.release()
                    raise
                self.inflight.release()
        except FatalFrame as e:
            # Version probes (every driver connect makes a few) are routine: debug level.
            log.debug("Closing connection from %s: %s", self.peer, e)
            self._queue(frame.encode(e.stream, *errors.protocol_error(str(e))))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError,
                OSError):
            pass
        except Exception:
            log.exception("Connection from %s failed", self.peer)
        finally:
            await self._finish()

    async def _finish(self) -> None:
        """Let in-flight requests answer (bounded), flush, then close the socket."""
        if self.tasks:
            _, pending = await asyncio.wait(list(self.tasks),
                                            timeout=self.config.shutdown_grace_seconds)
            for t in pending:
                t.cancel()
        self.server.forget(self)
        self._flush()
        try:
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)
        except (TimeoutError, ConnectionError, OSError):
            pass
        log.debug("Connection from %s closed", self.peer)

    def stop_reading(self) -> None:
        """Shutdown: take no new requests; the reader sees EOF, in-flight ones finish."""
        self.closing = True
        transport = self.writer.transport
        if not transport.is_closing():
            transport.pause_reading()
        self.reader.feed_eof()

    # ---- fast path ----------------------------------------------------------------------

    def can_answer_inline(self) -> bool:
        """Whether received bytes may be answered before ``run()`` sees them: it is parked
        on a header with an empty buffer (so no frame is half read or still in progress),
        the connection is ready, and the client keeps up with its answers."""
        transport = self.writer.transport
        return (self._parked and self.state == READY and not self.closing
                and not getattr(self.reader, "_buffer", True)
                and transport.get_write_buffer_size() <= transport.get_write_buffer_limits()[1])

    def answer_inline(self, data: bytes) -> bytes:
        """Answer the whole plain EXECUTE frames at the front of ``data`` whose statements
        run inline; return the bytes from the first frame left for ``run()``."""
        server, costs = self.server, self.server.costs
        max_size = self.config.max_frame_size
        unpack, execute, version = frame.HEADER.unpack_from, Opcode.EXECUTE, frame.PROTOCOL_VERSION
        # the only flag allowed: compression, once negotiated (drivers compress every frame)
        compressed = frame.COMPRESSED if self.compress else 0
        pos, end = 0, len(data)
        answers = []
        while end - pos >= frame.HEADER_SIZE:
            v, flags, stream, opcode, length = unpack(data, pos)
            start = pos + frame.HEADER_SIZE
            if (opcode != execute or flags & ~compressed or v != version
                    or not 0 <= length <= max_size or end - start < length):
                break
            try:
                body = data[start:start + length]
                if flags:
                    body = frame.lz4_decompress(body, max_size)
                msg = messages.decode(opcode, 0, body)
            except ProtocolViolation:
                break  # run() answers it with the error
            key = msg.query_id
            if server.pool is not None and not costs.run_inline(key):
                break
            answer, change = costs.timed(key, self._process, stream, msg)
            answers.append(answer)
            if change is not None:
                self._broadcast_later(change)
            pos = start + length
        if answers:
            self._last_inline = self.loop.time()
            self._out.extend(answers)
            self._flush()
        return data[pos:] if pos else data

    def _broadcast_later(self, change: Any) -> None:
        task = self.loop.create_task(self.server.broadcast_schema_change(change))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # ---- writing ------------------------------------------------------------------------

    def _queue(self, data: bytes) -> None:
        self._out.append(data)
        if not self._flush_scheduled and not self._holding:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)

    def _release_held(self) -> None:
        """After an inline answer: send now if the client has no further whole request
        waiting in the read buffer (a lone request costs no extra loop turn); otherwise
        keep batching and flush once the burst is read."""
        if not self._out or self._flush_scheduled:
            return
        buffered = getattr(self.reader, "_buffer", None)
        if buffered is not None and not _holds_frame(buffered):
            self._flush()
            return
        self._flush_scheduled = True
        self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._out and not self.writer.transport.is_closing():
            data = b"".join(self._out) if len(self._out) > 1 else self._out[0]
            self.writer.write(data)
        self._out.clear()

    async def _emit(self, data: bytes) -> None:
        """Queue a whole frame; wait only if the client is not reading (back-pressure)."""
        if self.writer.transport.is_closing():
            raise ConnectionResetError("Connection lost")
        self._queue(data)
        await self.writer.drain()

    def encode(self, stream: int, opcode: int, body: bytes, flags: int = 0) -> bytes:
        return encode_frame(stream, opcode, body, flags, self.compress)

    async def send(self, stream: int, opcode: int, body: bytes, flags: int = 0) -> None:
        await self._emit(self.encode(stream, opcode, body, flags))

    def encode_response(self, stream: int, resp: Response) -> bytes:
        return encode_response(stream, resp, self.compress)

    # ---- control messages (handled in order, on the loop) ---------------------------------

    async def _control_request(self, f: Frame) -> bool:
        """OPTIONS, STARTUP, AUTH_RESPONSE, REGISTER, and anything out of state.
        Returns False to close the connection."""
        name = frame.OPCODE_NAMES.get(f.opcode, f"0x{f.opcode:02x}")
        try:
            msg = messages.decode(f.opcode, f.flags, f.body)
        except ProtocolViolation as e:
            await self.send(f.stream, *errors.protocol_error(str(e)))
            return True
        if isinstance(msg, messages.Options):
            await self.send(f.stream, *messages.supported(self.server.supported_options()))
        elif isinstance(msg, messages.Startup):
            await self._startup(f.stream, msg)
        elif self.state == AWAIT_STARTUP:
            await self.send(f.stream, *errors.protocol_error(
                f"Unexpected message {name}, expecting STARTUP or OPTIONS"))
        elif isinstance(msg, messages.AuthResponse):
            await self._auth_response(f.stream, msg)
        elif self.state == AWAIT_AUTH:
            await self.send(f.stream, *errors.protocol_error(
                f"Unexpected message {name}, expecting SASL response"))
        elif isinstance(msg, messages.Register):
            bad = [e for e in msg.events if e not in EVENT_TYPES]
            if bad:
                await self.send(f.stream, *errors.protocol_error(
                    f"Invalid value '{bad[0]}' for Type"))
            else:
                self.events.update(msg.events)
                await self.send(f.stream, *messages.ready())
        else:
            await self.send(f.stream, *errors.protocol_error(f"Unexpected message {name}"))
        return True

    async def _startup(self, stream: int, msg: messages.Startup) -> None:
        if self.state != AWAIT_STARTUP:
            await self.send(stream, *errors.protocol_error(
                "Unexpected message STARTUP, the connection is already started"))
            return
        options = {k.upper(): v for k, v in msg.options.items()}
        version = options.get("CQL_VERSION", CQL_VERSION)
        if version.split(".")[0].strip() != "3":
            await self.send(stream, *errors.protocol_error(
                f"Invalid or unsupported CQL version {version}; supported: {CQL_VERSION}"))
            return
        compression = options.get("COMPRESSION", "").lower()
        if compression and compression != "lz4":
            await self.send(stream, *errors.protocol_error(
                f"Unknown compression algorithm: {compression}"))
            return
        self.compress = compression == "lz4"
        self.throw_on_overload = options.get("THROW_ON_OVERLOAD", "").strip() in ("1", "true")
        if self.server.authenticator is not None:
            self.state = AWAIT_AUTH
            await self.send(stream, *messages.authenticate(self.server.authenticator.name))
            return
        self._open_session()
        self.state = READY
        await self.send(stream, *messages.ready())

    def _open_session(self) -> None:
        self.session = self.server.new_session()
        self.session.user = self.role  # None without --auth: every statement allowed
        if isinstance(self.peer, tuple) and self.peer:
            self.session.client_address = self.peer[0]  # traces name the client

    async def _auth_response(self, stream: int, msg: messages.AuthResponse) -> None:
        if self.state != AWAIT_AUTH:
            await self.send(stream, *errors.protocol_error(
                "Unexpected message AUTH_RESPONSE, the connection is already authenticated"))
            return
        try:
            address = self.peer[0] if isinstance(self.peer, tuple) and self.peer else None
            self.role = await self.server.run(self.server.authenticator.authenticate, msg.token,
                                              address)
        except Exception as e:  # noqa: BLE001 - any failure is an auth error reply
            log.info("Authentication failed from %s: %s", self.peer, e)
            # Slow down password guessing: the answer (and so the next try on this
            # connection) waits; other connections are not held up.
            if self.config.auth_failure_delay_seconds:
                await asyncio.sleep(self.config.auth_failure_delay_seconds)
            await self.send(stream, *errors.from_exception(e))
            return
        self._open_session()
        self.state = READY
        await self.send(stream, *messages.auth_success(None))

    # ---- data messages --------------------------------------------------------------------

    def _process(self, stream: int, msg: Any) -> tuple[bytes, Any]:
        """Execute one request and encode its response (a worker thread, or inline)."""
        try:
            session, cache = self.session, self.server.prepared
            if isinstance(msg, messages.Execute):  # the common request first
                resp = handler.execute(session, cache, msg)
            elif isinstance(msg, messages.Query):
                resp = handler.query(session, msg)
            elif isinstance(msg, messages.Prepare):
                resp = handler.prepare(session, cache, msg)
            else:
                resp = handler.batch(session, cache, msg)
        except Exception as e:  # noqa: BLE001 - every failure becomes an ERROR reply
            if log.isEnabledFor(logging.DEBUG):
                log.debug("Request on stream %d failed: %r", stream, e)
            resp = Response(*errors.from_exception(e))
        return self.encode_response(stream, resp), resp.schema_change

    async def _data_request(self, f: Frame) -> None:
        """Run QUERY/PREPARE/EXECUTE/BATCH inline when known cheap, else as a pool task.
        Called with an in-flight slot held; the slot is released when the answer is out."""
        try:
            msg = messages.decode(f.opcode, f.flags, f.body)
        except ProtocolViolation as e:
            await self.send(f.stream, *errors.protocol_error(str(e)))
            self.inflight.release()
            return
        key = cost_key(msg)
        costs = self.server.costs
        if self.server.pool is None or costs.run_inline(key):
            self.inflight_count += 1
            try:
                data, change = costs.timed(key, self._process, f.stream, msg)
                await self._answer(data, change)
            finally:
                self.inflight_count -= 1
                self.inflight.release()
            return
        task = self.loop.create_task(self._pooled(f.stream, msg, key))
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        self.inflight.release()

    async def _pooled(self, stream: int, msg: Any, key: Hashable | None) -> None:
        timeout = self.config.request_timeout_seconds or None
        try:
            data, change = await asyncio.wait_for(
                self.server.run(self.server.costs.timed, key, self._process, stream, msg),
                timeout)
        except TimeoutError:
            # The engine call cannot be interrupted; it finishes on its worker and its
            # answer is dropped. The client gets Cassandra's timeout for the request kind.
            log.debug("Request on stream %d timed out after %ss", stream, timeout)
            data, change = self.encode(stream, *errors.request_timeout(
                self._request_kind(msg))), None
        except RuntimeError as e:  # the worker pool is shutting down
            log.debug("Request on stream %d dropped: %s", stream, e)
            return
        await self._answer(data, change)

    def _request_kind(self, msg: Any) -> str:
        """"read", "write" or "batch": which timeout error a request gets."""
        if isinstance(msg, messages.Batch):
            return "batch"
        text = getattr(msg, "query", None)
        if isinstance(msg, messages.Execute):
            text = self.server.prepared.query_text(msg.query_id)
        words = _LEADING_NOISE.sub("", text or "", count=1).split(None, 1)
        return "read" if words and words[0].lower() == "select" else "write"

    async def _answer(self, data: bytes, change: Any) -> None:
        try:
            await self._emit(data)
        except (ConnectionError, OSError):
            return
        if change is not None:
            await self.server.broadcast_schema_change(change)

    async def send_event(self, opcode: int, body: bytes) -> None:
        try:
            await self.send(frame.EVENT_STREAM, opcode, body)
        except (ConnectionError, OSError):
            pass
