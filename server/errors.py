"""ERROR bodies: ``[int] code [string] message`` plus each code's extra fields.

cql exceptions carry their protocol code (:class:`cql.errors.ErrorCode`); the extras are read from the attribute names
the DataStax driver uses, with single-node defaults, so every code encodes completely.
"""

from __future__ import annotations

import logging

from cassalite.server import wire
from cassalite.server.frame import Opcode
from cassalite.server.wire import ProtocolViolation
from cql.errors import ErrorCode

log = logging.getLogger("cassalite.server")

# The driver cannot decode any other writeType string (and would drop the connection).
WRITE_TYPES = frozenset({"SIMPLE", "BATCH", "UNLOGGED_BATCH", "COUNTER", "BATCH_LOG", "CAS",
                         "VIEW", "CDC"})


class RequestError(Exception):
    """An error the server raises itself (not from cql): protocol, auth, unprepared."""

    def __init__(self, code: int, message: str, **extra):
        super().__init__(message)
        self.code = code
        for k, v in extra.items():
            setattr(self, k, v)


def unprepared(query_id: bytes) -> RequestError:
    return RequestError(ErrorCode.UNPREPARED, f"Prepared query with ID {query_id.hex()} not found (either "
                        "the query was not prepared on this host (maybe the host has been "
                        "restarted?) or you have prepared too many queries and it has been "
                        "evicted from the internal cache)", query_id=query_id)


def _attr(e: Exception, names: tuple[str, ...], default):
    for n in names:
        v = getattr(e, n, None)
        if v is not None:
            return v
    return default


def _consistency(e: Exception) -> bytes:
    return wire.short(int(_attr(e, ("consistency", "consistency_level", "cl"), 1)))


def _write_type(e: Exception) -> bytes:
    wt = str(_attr(e, ("write_type", "writeType"), "SIMPLE")).upper()
    return wire.string(wt if wt in WRITE_TYPES else "SIMPLE")


def _received(e: Exception) -> bytes:
    return wire.int32(int(_attr(e, ("received_responses", "received"), 0)))


def _block_for(e: Exception) -> bytes:
    return wire.int32(int(_attr(e, ("required_responses", "block_for", "blockfor"), 1)))


def _failures(e: Exception) -> bytes:
    return wire.int32(int(_attr(e, ("failures", "numfailures"), 1)))


def _data_present(e: Exception) -> bytes:
    return wire.byte(1 if _attr(e, ("data_retrieved", "data_present"), False) else 0)


def extras(code: int, e: Exception) -> bytes:
    """The code-specific fields that follow the message."""
    if code == ErrorCode.UNAVAILABLE:
        return (_consistency(e)
                + wire.int32(int(_attr(e, ("required_replicas", "required"), 1)))
                + wire.int32(int(_attr(e, ("alive_replicas", "alive"), 0))))
    if code == ErrorCode.WRITE_TIMEOUT:
        return _consistency(e) + _received(e) + _block_for(e) + _write_type(e)
    if code == ErrorCode.READ_TIMEOUT:
        return _consistency(e) + _received(e) + _block_for(e) + _data_present(e)
    if code == ErrorCode.READ_FAILURE:
        return _consistency(e) + _received(e) + _block_for(e) + _failures(e) + _data_present(e)
    if code == ErrorCode.WRITE_FAILURE:
        return _consistency(e) + _received(e) + _block_for(e) + _failures(e) + _write_type(e)
    if code == ErrorCode.CAS_WRITE_UNKNOWN:
        return _consistency(e) + _received(e) + _block_for(e)
    if code == ErrorCode.FUNCTION_FAILURE:
        args = _attr(e, ("arg_types", "argument_types"), ())
        return (wire.string(str(_attr(e, ("keyspace",), "")))
                + wire.string(str(_attr(e, ("function", "function_name"), "")))
                + wire.string_list([str(a) for a in args]))
    if code == ErrorCode.ALREADY_EXISTS:
        return (wire.string(str(_attr(e, ("keyspace",), "")))
                + wire.string(str(_attr(e, ("table",), ""))))
    if code == ErrorCode.UNPREPARED:
        return wire.short_bytes(bytes(_attr(e, ("query_id", "id"), b"")))
    return b""


def error_body(code: int, message: str, e: Exception | None = None) -> bytes:
    return wire.int32(code) + wire.string(message) + (extras(code, e) if e is not None else b"")


def from_exception(e: BaseException) -> tuple[int, bytes]:
    """ERROR (opcode, body) for any exception; unexpected ones become Server errors
    without a traceback on the wire (it goes to the log)."""
    if isinstance(e, ProtocolViolation):
        return Opcode.ERROR, error_body(ErrorCode.PROTOCOL_ERROR, str(e))
    code = getattr(e, "code", None)
    if not isinstance(code, int) or not isinstance(e, Exception):
        log.exception("Unexpected error while handling a request", exc_info=e)
        return Opcode.ERROR, error_body(ErrorCode.SERVER_ERROR, f"{type(e).__name__}: {e}")
    return Opcode.ERROR, error_body(code, str(e), e)


def overloaded() -> tuple[int, bytes]:
    """What Cassandra answers a request over the in-flight limit (THROW_ON_OVERLOAD)."""
    return Opcode.ERROR, error_body(
        ErrorCode.OVERLOADED, "Server is in overloaded state. Cannot accept more requests at this point")


def request_timeout(kind: str) -> tuple[int, bytes]:
    """Read/WriteTimeout for a request that ran past request_timeout_seconds: at
    consistency ONE, no replica answered in time (Cassandra's message)."""
    message = "Operation timed out - received only 0 responses."
    if kind == "read":
        e = RequestError(ErrorCode.READ_TIMEOUT, message, received=0, block_for=1, data_present=False)
        return Opcode.ERROR, error_body(ErrorCode.READ_TIMEOUT, message, e)
    e = RequestError(ErrorCode.WRITE_TIMEOUT, message, received=0, block_for=1,
                     write_type="BATCH" if kind == "batch" else "SIMPLE")
    return Opcode.ERROR, error_body(ErrorCode.WRITE_TIMEOUT, message, e)


def protocol_error(message: str) -> tuple[int, bytes]:
    return Opcode.ERROR, error_body(ErrorCode.PROTOCOL_ERROR, message)
