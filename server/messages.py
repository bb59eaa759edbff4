"""Request messages: decode a frame body into a small dataclass per opcode.

Responses other than RESULT and ERROR are built here too, since they are one-liners.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from cassalite.server import wire
from cassalite.server.frame import CUSTOM_PAYLOAD, TRACING, Opcode
from cassalite.server.wire import UNSET, ProtocolViolation, Reader, Unset

# query parameter flags (v4: one byte)
VALUES = 0x01
SKIP_METADATA = 0x02
PAGE_SIZE = 0x04
PAGING_STATE = 0x08
SERIAL_CONSISTENCY = 0x10
DEFAULT_TIMESTAMP = 0x20
NAMES_FOR_VALUES = 0x40

BATCH_KINDS = {0: "LOGGED", 1: "UNLOGGED", 2: "COUNTER"}

Value = bytes | None | Unset
_CONSISTENCY_FLAGS = struct.Struct(">HB")
_SHORT = struct.Struct(">H")
_INT = struct.Struct(">i")
_LONG = struct.Struct(">q")


@dataclass(slots=True)
class QueryParams:
    consistency: int = 1
    flags: int = 0
    values: list[Value] = field(default_factory=list)
    names: list[str] | None = None
    page_size: int = 0
    paging_state: bytes | None = None
    serial_consistency: int | None = None
    timestamp: int | None = None

    @property
    def skip_metadata(self) -> bool:
        return bool(self.flags & SKIP_METADATA)


@dataclass(slots=True)
class Startup:
    options: dict[str, str]


@dataclass(slots=True)
class Options:
    pass


@dataclass(slots=True)
class Query:
    query: str
    params: QueryParams
    trace: bool = False  # the frame's TRACING flag


@dataclass(slots=True)
class Prepare:
    query: str


@dataclass(slots=True)
class Execute:
    query_id: bytes
    params: QueryParams
    trace: bool = False


@dataclass(slots=True)
class BatchStatement:
    query: str | None  # kind 0
    query_id: bytes | None  # kind 1
    values: list[Value]


@dataclass(slots=True)
class Batch:
    kind: str
    statements: list[BatchStatement]
    consistency: int
    flags: int
    serial_consistency: int | None
    timestamp: int | None
    trace: bool = False


@dataclass(slots=True)
class Register:
    events: list[str]


@dataclass(slots=True)
class AuthResponse:
    token: bytes | None


Request = Startup | Options | Query | Prepare | Execute | Batch | Register | AuthResponse


def read_query_params(r: Reader) -> QueryParams:
    """The <query_parameters> at the reader's position, read straight off the body (every
    request but PREPARE comes through here): fixed fields with ``unpack_from``, any
    overrun the Reader's error."""
    data, pos = r.data, r.pos
    try:
        consistency, flags = _CONSISTENCY_FLAGS.unpack_from(data, pos)
        pos += 3
        p = QueryParams(consistency, flags)
        if flags & VALUES:
            if flags & NAMES_FOR_VALUES:
                r.pos = pos
                p.names, p.values = _named_values(r)
                pos = r.pos
            else:
                p.values, pos = _values(data, pos)
        if flags & PAGE_SIZE:
            (p.page_size,) = _INT.unpack_from(data, pos)
            pos += 4
        if flags & PAGING_STATE:
            (n,) = _INT.unpack_from(data, pos)
            pos += 4
            if n >= 0:
                if pos + n > len(data):
                    raise struct.error
                p.paging_state = data[pos:pos + n]
                pos += n
        if flags & SERIAL_CONSISTENCY:
            (p.serial_consistency,) = _SHORT.unpack_from(data, pos)
            pos += 2
        if flags & DEFAULT_TIMESTAMP:
            (timestamp,) = _LONG.unpack_from(data, pos)
            pos += 8
            if timestamp == -(1 << 63):
                raise ProtocolViolation(
                    "Out of bound timestamp, must be greater than Long.MIN_VALUE")
            p.timestamp = timestamp
    except struct.error:
        raise ProtocolViolation("Not enough bytes to read the message") from None
    r.pos = pos
    return p


def _named_values(r: Reader) -> tuple[list[str], list[Value]]:
    names: list[str] = []
    values: list[Value] = []
    for _ in range(r.short()):
        names.append(r.string())
        values.append(r.value())
    return names, values


def _values(data: bytes, pos: int) -> tuple[list[Value], int]:
    """[short] n, then n [value]s; (values, position after them). struct.error or
    ProtocolViolation when malformed."""
    (n,) = _SHORT.unpack_from(data, pos)
    pos += 2
    size = len(data)
    values: list[Value] = []
    append = values.append
    for _ in range(n):
        (length,) = _INT.unpack_from(data, pos)
        pos += 4
        if length >= 0:
            end = pos + length
            if end > size:
                raise struct.error
            append(data[pos:end])
            pos = end
        elif length == -1:
            append(None)
        elif length == -2:
            append(UNSET)
        else:
            raise ProtocolViolation(f"Invalid value length {length}")
    return values, pos


def _read_batch(r: Reader, traced: bool) -> Batch:
    kind = r.byte()
    if kind not in BATCH_KINDS:
        raise ProtocolViolation(f"Invalid BATCH message type {kind}")
    statements = []
    for _ in range(r.short()):
        qkind = r.byte()
        if qkind == 0:
            query, qid = r.long_string(), None
        elif qkind == 1:
            query, qid = None, r.short_bytes()
        else:
            raise ProtocolViolation(
                f"Invalid query kind in BATCH messages. Must be 0 or 1 but got {qkind}")
        values = [r.value() for _ in range(r.short())]
        statements.append(BatchStatement(query, qid, values))
    consistency, flags = r.short(), r.byte()
    serial = r.short() if flags & SERIAL_CONSISTENCY else None
    timestamp = r.long() if flags & DEFAULT_TIMESTAMP else None
    return Batch(BATCH_KINDS[kind], statements, consistency, flags, serial, timestamp, traced)


def decode(opcode: int, flags: int, body: bytes) -> Request:
    """Decode one request body; ProtocolViolation for anything malformed or unknown."""
    r = Reader(body)
    if flags & CUSTOM_PAYLOAD and opcode in (Opcode.QUERY, Opcode.PREPARE, Opcode.EXECUTE,
                                              Opcode.BATCH):
        r.bytes_map()  # custom payloads are accepted and ignored
    if opcode == Opcode.EXECUTE:  # the common request first
        return Execute(r.short_bytes(), read_query_params(r), bool(flags & TRACING))
    if opcode == Opcode.OPTIONS:
        return Options()
    if opcode == Opcode.STARTUP:
        return Startup(r.string_map())
    traced = bool(flags & TRACING)
    if opcode == Opcode.QUERY:
        return Query(r.long_string(), read_query_params(r), traced)
    if opcode == Opcode.PREPARE:
        return Prepare(r.long_string())
    if opcode == Opcode.BATCH:
        return _read_batch(r, traced)
    if opcode == Opcode.REGISTER:
        return Register(r.string_list())
    if opcode == Opcode.AUTH_RESPONSE:
        return AuthResponse(r.bytes())
    raise ProtocolViolation(f"Unknown opcode {opcode}")


# ---- simple responses (opcode, body) ------------------------------------------------------

def ready() -> tuple[int, bytes]:
    return Opcode.READY, b""


def supported(options: dict[str, list[str]]) -> tuple[int, bytes]:
    return Opcode.SUPPORTED, wire.string_multimap(options)


def authenticate(authenticator: str) -> tuple[int, bytes]:
    return Opcode.AUTHENTICATE, wire.string(authenticator)


def auth_success(token: bytes | None = None) -> tuple[int, bytes]:
    return Opcode.AUTH_SUCCESS, wire.bytes_(token)


def schema_change_body(change_type: str, target: str, keyspace: str, name: str = "",
                       arg_types: tuple | list = ()) -> bytes:
    """Shared by RESULT Schema_change and EVENT SCHEMA_CHANGE."""
    body = wire.string(change_type) + wire.string(target) + wire.string(keyspace)
    if target in ("TABLE", "TYPE"):
        body += wire.string(name)
    elif target in ("FUNCTION", "AGGREGATE"):
        body += wire.string(name) + wire.string_list([str(t) for t in arg_types])
    return body


def schema_change_event(change) -> tuple[int, bytes]:
    body = wire.string("SCHEMA_CHANGE") + schema_change_body(
        change.change_type, change.target, change.keyspace, change.name, change.arg_types)
    return Opcode.EVENT, body
