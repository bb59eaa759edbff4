"""cassandra-driver's types, values and errors as cql's.

Cells are re-read through the cql types (the driver's value serialized, then deserialized
by the cql type), so a cluster session returns exactly the Python values an embedded
session does; driver errors become the ``cql`` exception with the same protocol code and
Cassandra's message.
"""

from __future__ import annotations

import re
from typing import Any

from cql import errors as cql_errors
from cql.errors import ErrorCode
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

_WRAPPED = re.compile(r'^Error from server: code=([0-9a-fA-F]+) \[[^\]]*\] message="(.*)"',
                      re.DOTALL)


class ClusterConnectionError(cql_errors.DriverException):
    """Could not connect (or authenticate) to the cluster, or cassandra-driver is missing."""


def driver() -> Any:
    """The ``cassandra`` package; ClusterConnectionError when it is not installed."""
    try:
        import cassandra.cluster  # noqa: F401
    except ImportError as e:
        raise ClusterConnectionError(
            "Cluster sessions require cassandra-driver (pip install cassalite[cluster])") from e
    import cassandra

    return cassandra


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
    if name == "frozen":  # the driver keeps frozen<> as a wrapper (vector<frozen<list<int>>>)
        return subs[0].freeze()
    if getattr(dtype, "fieldnames", None) and hasattr(dtype, "keyspace"):
        return UserType(dtype.keyspace, dtype.typename, list(dtype.fieldnames), subs, True)
    if hasattr(dtype, "vector_size"):
        return VectorType(cql_type(dtype.subtype), dtype.vector_size)
    raise cql_errors.InvalidRequest(f"Unsupported type from the server: {name}")


class Undecoded:
    """A cell the driver's types could not turn into a Python value (a timestamp beyond
    datetime's range, say): its wire bytes, left for the cql types to read."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


class Column:
    """Converts one column's driver values to cql values through the wire bytes."""

    __slots__ = ("ctype", "dtype")

    def __init__(self, dtype: Any):
        self.dtype = dtype
        self.ctype = cql_type(dtype)

    def value(self, v: Any) -> Any:
        if v is None:
            return None
        if type(v).__name__ == "EmptyValue":  # the driver's EMPTY (support_empty_values)
            return self.ctype.deserialize(b"")
        if isinstance(v, Undecoded):
            return self.ctype.deserialize(v.data)
        out = self.ctype.deserialize(self.dtype.serialize(v, 4))
        if type(v) is list and None in v:
            # the driver writes a null list element (TTL(l) of an element without one) as a
            # zero-length value, which would read back as EMPTY
            out = [None if d is None else x for d, x in zip(v, out)]
        return out


_HANDLER: Any = None


def tolerant_protocol_handler() -> Any:
    """The driver's protocol handler, except that a result row holding a value the driver
    cannot decode keeps that value's bytes (as :class:`Undecoded`) instead of failing the
    whole response and marking the connection defunct. cqlsh gets the same effect by
    patching the driver's timestamp type for the whole process; this handler is installed
    on cassalite's own sessions only (``Session.client_protocol_handler``)."""
    global _HANDLER
    if _HANDLER is not None:
        return _HANDLER
    from cassandra import protocol

    base = protocol.ProtocolHandler
    base_result = base.message_types_by_opcode[protocol.ResultMessage.opcode]

    class TolerantResultMessage(base_result):  # type: ignore[misc, valid-type]
        def recv_results_rows(self, f: Any, protocol_version: int, user_type_map: Any,
                              result_metadata: Any, column_encryption_policy: Any) -> None:
            start = f.tell()
            try:
                super().recv_results_rows(f, protocol_version, user_type_map,
                                          result_metadata, column_encryption_policy)
                return
            except Exception:  # noqa: BLE001 - some cell did not decode: go cell by cell
                f.seek(start)
            self.recv_results_metadata(f, user_type_map)
            metadata = self.column_metadata or result_metadata
            self.column_names = [c[2] for c in metadata]
            self.column_types = [c[3] for c in metadata]
            count = protocol.read_int(f)
            rows = [self.recv_row(f, len(metadata)) for _ in range(count)]
            self.parsed_rows = [
                tuple(_decode_cell(c[3], v, protocol_version) for c, v in zip(metadata, row))
                for row in rows]

    class TolerantProtocolHandler(base):  # type: ignore[misc, valid-type]
        message_types_by_opcode = dict(base.message_types_by_opcode)  # noqa: RUF012
        message_types_by_opcode[TolerantResultMessage.opcode] = TolerantResultMessage

    _HANDLER = TolerantProtocolHandler
    return _HANDLER


def _decode_cell(dtype: Any, data: bytes | None, protocol_version: int) -> Any:
    try:
        return dtype.from_binary(data, protocol_version)
    except Exception:  # noqa: BLE001
        return Undecoded(data) if data is not None else None


_BY_CLASS_NAME = (("InvalidRequest", ErrorCode.INVALID),
                  ("Unauthorized", ErrorCode.UNAUTHORIZED),
                  ("ConfigurationException", ErrorCode.CONFIG_ERROR),
                  ("Unavailable", ErrorCode.UNAVAILABLE),
                  ("ReadTimeout", ErrorCode.READ_TIMEOUT),
                  ("WriteTimeout", ErrorCode.WRITE_TIMEOUT),
                  ("ReadFailure", ErrorCode.READ_FAILURE),
                  ("WriteFailure", ErrorCode.WRITE_FAILURE),
                  ("FunctionFailure", ErrorCode.FUNCTION_FAILURE))


def translate_error(e: BaseException) -> BaseException:
    """A driver exception as the cql exception a local session would have raised."""
    cassandra = driver()
    if isinstance(e, cassandra.AlreadyExists):
        return cql_errors.AlreadyExists(e.keyspace, e.table or None)
    code = getattr(e, "code", None)
    message = getattr(e, "message", None) or str(e)
    m = _WRAPPED.match(str(e))
    if m:
        code, message = int(m.group(1), 16), m.group(2)
    if code is None:
        code = dict(_BY_CLASS_NAME).get(type(e).__name__)
    cls = cql_errors.error_class(code) if isinstance(code, int) else None
    if cls is None:
        return DriverError(type(e).__name__, str(e))
    return cls(message)


class DriverError(cql_errors.ServerError):
    """An error the driver raised itself (NoHostAvailable, OperationTimedOut...): no server
    code, so it is shown under the driver's class name, as cqlsh does."""

    code = None

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.display_name = name
