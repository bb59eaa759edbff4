"""A lean load client for ``benchmarks.server_load --client raw``: native protocol v4 on
plain sockets, one ``selectors`` loop per client process.

Why: the cassandra-driver's Python costs 2-4x the server's CPU per request, and on a small
machine clients and server share the cores, so driver clients measure mostly themselves.
Cassandra's own load generators (cassandra-stress on the Java driver, latte in Rust) are
native code for exactly this reason. This client does only what the protocol needs:
STARTUP and PREPARE once per connection, then pipelined EXECUTE frames (``in_flight`` per
connection, new ones sent as answers arrive, one send per wake-up), every answer parsed and
checked. As the Java driver (cassandra-stress), EXECUTEs carry Skip_metadata (the Prepared
answer gave the result metadata), a page size and a client timestamp.

A read goes to a row the same connection has written and been acknowledged for, and its
answer must be exactly that row (Rows, no paging state, one row, the two cells' bytes as
written); a write must be answered Void. Anything else is counted as a mismatch or an
error.
"""

from __future__ import annotations

import random
import selectors
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HEADER = struct.Struct(">BBhBi")
INT = struct.Struct(">i")
_READ_TAIL = struct.Struct(">iiq")  # seq, page size, timestamp
_TAIL = struct.Struct(">iq")  # page size, timestamp
_BIGINT = struct.Struct(">iq")  # a bigint [value]: length 8, then the value
# A Rows answer without metadata or paging state: 2 columns, 1 row (the cells follow).
_ONE_ROW = struct.pack(">iiii", 2, 0x0004, 2, 1)
V4 = 4
# opcodes
ERROR, STARTUP, READY, RESULT, PREPARE, EXECUTE = 0x00, 0x01, 0x02, 0x08, 0x09, 0x0A
WARNING = 0x08  # header flag
VOID, PREPARED = 1, 4
# EXECUTE flags: values, skip metadata, page size, default timestamp
EXECUTE_FLAGS = 0x01 | 0x02 | 0x04 | 0x20
PAGE_SIZE = 5000
CONSISTENCY_ONE = 1
RECV_SIZE = 1 << 16


def _string(s: str) -> bytes:
    raw = s.encode()
    return struct.pack(">H", len(raw)) + raw


def _value(raw: bytes) -> bytes:
    return INT.pack(len(raw)) + raw


def _frame(stream: int, opcode: int, body: bytes) -> bytes:
    return HEADER.pack(V4, 0, stream, opcode, len(body)) + body


def _blocking_request(sock: socket.socket, opcode: int, body: bytes) -> tuple[int, bytes]:
    """One request on stream 0 before the load starts; (opcode, body) of the answer."""
    sock.sendall(_frame(0, opcode, body))
    head = _read_exactly(sock, HEADER.size)
    _, flags, _, answer, length = HEADER.unpack(head)
    body = _read_exactly(sock, length)
    if flags & WARNING:
        body = body[_string_list_size(body):]
    return answer, body


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    return buf


def _string_list_size(body: bytes) -> int:
    """Bytes taken by a [string list] at the start of ``body`` (the warnings)."""
    (n,) = struct.unpack_from(">H", body)
    pos = 2
    for _ in range(n):
        pos += 2 + struct.unpack_from(">H", body, pos)[0]
    return pos


def _error_text(body: bytes) -> str:
    code = INT.unpack_from(body)[0]
    (n,) = struct.unpack_from(">H", body, 4)
    return f"error 0x{code:04x}: {body[6:6 + n].decode(errors='replace')}"


@dataclass
class Statements:
    """The two prepared ids and how to bind and check values (from server_load)."""

    insert: str
    select: str
    value_for: Callable[[int, int], tuple[str, int]]


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)
    written: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatches: int = 0


class _Conn:
    """One connection's state: its prepared ids, rows written, requests in flight."""

    __slots__ = ("sock", "client", "read_head", "write_head", "buf", "seq", "pending",
                 "rows", "result", "rng")

    def __init__(self, sock: socket.socket, client: int, ins_id: bytes, sel_id: bytes):
        self.sock, self.client = sock, client
        params = struct.pack(">HB", CONSISTENCY_ONE, EXECUTE_FLAGS)
        key = INT.pack(4) + INT.pack(client) + INT.pack(4)  # the client value, seq's length
        self.read_head = struct.pack(">H", len(sel_id)) + sel_id + params + b"\x00\x02" + key
        self.write_head = struct.pack(">H", len(ins_id)) + ins_id + params + b"\x00\x04" + key
        self.buf = b""
        self.seq = 0
        self.pending: dict[int, tuple[str, int, float]] = {}  # stream -> (kind, seq, sent)
        self.rows: dict[int, bytes] = {}  # seq -> the Rows cells a read of it must return
        self.result = ClientResult()
        self.rng = random.Random(client)


def connect(port: int, client: int, st: Statements) -> _Conn:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    opcode, body = _blocking_request(
        sock, STARTUP, struct.pack(">H", 1) + _string("CQL_VERSION") + _string("3.4.7"))
    if opcode != READY:
        raise ConnectionError(f"STARTUP answered with opcode {opcode}: {body[:80]!r}")
    ids = []
    for text in (st.insert, st.select):
        raw = text.encode()
        opcode, body = _blocking_request(sock, PREPARE, INT.pack(len(raw)) + raw)
        if opcode != RESULT or INT.unpack_from(body)[0] != PREPARED:
            raise ConnectionError(f"PREPARE failed: {_error_text(body) if opcode == ERROR else body[:80]!r}")
        (n,) = struct.unpack_from(">H", body, 4)
        ids.append(body[6:6 + n])
    sock.settimeout(None)  # blocking: recv only after the selector says readable
    return _Conn(sock, client, ids[0], ids[1])


class LoadLoop:
    """Drives every connection of one client process until ``end`` (wall clock), then
    waits up to ``drain`` seconds for the answers still due."""

    def __init__(self, conns: list[_Conn], st: Statements, read_ratio: float,
                 in_flight: int):
        self.conns, self.st, self.read_ratio, self.in_flight = conns, st, read_ratio, in_flight
        self.timestamp = time.time_ns() // 1000

    def _request(self, c: _Conn, stream: int, now: float) -> bytes:
        """The next EXECUTE frame for ``c`` on ``stream``: a read of an acknowledged row
        (with probability read_ratio) or a write of the next row."""
        self.timestamp += 1
        written = c.result.written
        if written and c.rng.random() < self.read_ratio:
            s = c.rng.choice(written)
            body = c.read_head + _READ_TAIL.pack(s, PAGE_SIZE, self.timestamp)
            c.pending[stream] = ("r", s, now)
        else:
            s = c.seq
            c.seq += 1
            v, n = self.st.value_for(c.client, s)
            cells = _value(v.encode()) + _BIGINT.pack(8, n)
            body = c.write_head + INT.pack(s) + cells + _TAIL.pack(PAGE_SIZE, self.timestamp)
            c.rows[s] = _ONE_ROW + cells  # a read's whole answer: the same two cells
            c.pending[stream] = ("w", s, now)
        return HEADER.pack(V4, 0, stream, EXECUTE, len(body)) + body

    def _check(self, c: _Conn, kind: str, s: int, opcode: int, flags: int,
               body: bytes) -> None:
        r = c.result
        if flags & WARNING:
            body = body[_string_list_size(body):]
        if opcode == ERROR:
            r.errors.append(_error_text(body))
            return
        if opcode != RESULT:
            r.errors.append(f"unexpected opcode 0x{opcode:02x}")
            return
        if kind == "r":
            if body != c.rows[s]:
                r.mismatches += 1
            return
        result_kind = INT.unpack_from(body)[0]
        if result_kind == VOID:
            r.written.append(s)
        else:
            r.errors.append(f"INSERT answered with result kind {result_kind}")

    def _on_readable(self, c: _Conn, sending: bool) -> None:
        data = c.sock.recv(RECV_SIZE)
        if not data:
            raise ConnectionError(f"client {c.client}: server closed the connection")
        buf = c.buf + data if c.buf else data
        now = time.perf_counter()
        pos, end = 0, len(buf)
        out = []
        pending, latencies = c.pending, c.result.latencies
        while end - pos >= 9:
            _, flags, stream, opcode, length = HEADER.unpack_from(buf, pos)
            if end - pos - 9 < length:
                break
            body = buf[pos + 9:pos + 9 + length]
            pos += 9 + length
            kind, s, sent = pending.pop(stream)
            latencies.append(now - sent)
            self._check(c, kind, s, opcode, flags, body)
            if sending:
                out.append(self._request(c, stream, now))
        c.buf = buf[pos:]
        if out:
            c.sock.sendall(b"".join(out))

    def run(self, end: float, drain: float) -> None:
        sel = selectors.DefaultSelector()
        now = time.perf_counter()
        for c in self.conns:
            sel.register(c.sock, selectors.EVENT_READ, c)
            c.sock.sendall(b"".join(self._request(c, stream, now)
                                    for stream in range(self.in_flight)))
        while time.time() < end:
            for key, _ in sel.select(1.0):
                self._on_readable(key.data, True)
        give_up = time.time() + drain
        while any(c.pending for c in self.conns) and time.time() < give_up:
            for key, _ in sel.select(0.5):
                self._on_readable(key.data, False)
        for c in self.conns:
            if c.pending:
                c.result.errors.append(f"{len(c.pending)} requests never answered")
            sel.unregister(c.sock)
            c.sock.close()
        sel.close()


def run_clients(port: int, clients: list[int], st: Statements, read_ratio: float,
                in_flight: int, start_at: float, duration: float, drain: float,
                on_start: Callable[[], None] | None = None) -> dict[int, ClientResult]:
    """Connect ``clients`` (one connection each), wait for ``start_at``, load the server
    until start_at + duration; returns each client's result."""
    conns = [connect(port, c, st) for c in clients]
    while time.time() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.time())))
    if on_start is not None:
        on_start()
    LoadLoop(conns, st, read_ratio, in_flight).run(start_at + duration, drain)
    return {c.client: c.result for c in conns}
