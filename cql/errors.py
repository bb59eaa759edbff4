"""Cassandra's error classes, each carrying its native-protocol error code.

Names and hierarchy follow the DataStax driver (`cassandra.*`), so application code that
catches `InvalidRequest` or `AlreadyExists` works unchanged. `str(err)` is Cassandra's
message text, word for word.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """The native protocol's error codes (Cassandra's ``ExceptionCode``): the one table the
    exception classes, the server's ERROR bodies and the shell's error lines key on."""

    SERVER_ERROR = 0x0000
    PROTOCOL_ERROR = 0x000A
    BAD_CREDENTIALS = 0x0100
    UNAVAILABLE = 0x1000
    OVERLOADED = 0x1001
    IS_BOOTSTRAPPING = 0x1002
    TRUNCATE_ERROR = 0x1003
    WRITE_TIMEOUT = 0x1100
    READ_TIMEOUT = 0x1200
    READ_FAILURE = 0x1300
    FUNCTION_FAILURE = 0x1400
    WRITE_FAILURE = 0x1500
    CDC_WRITE_FAILURE = 0x1600
    CAS_WRITE_UNKNOWN = 0x1700
    SYNTAX_ERROR = 0x2000
    UNAUTHORIZED = 0x2100
    INVALID = 0x2200
    CONFIG_ERROR = 0x2300
    ALREADY_EXISTS = 0x2400
    UNPREPARED = 0x2500


class DriverException(Exception):
    """Base of everything cassalite raises on purpose."""


class RequestExecutionException(DriverException):
    """Errors the server reports for a request (codes below 0x2000)."""

    code = ErrorCode.SERVER_ERROR


class RequestValidationException(DriverException):
    """Errors in the request itself (codes 0x2000 and up)."""

    code = ErrorCode.INVALID


class ServerError(RequestExecutionException):
    code = ErrorCode.SERVER_ERROR


class ProtocolError(RequestExecutionException):
    code = ErrorCode.PROTOCOL_ERROR


class BadCredentials(RequestExecutionException):
    code = ErrorCode.BAD_CREDENTIALS


class Unavailable(RequestExecutionException):
    code = ErrorCode.UNAVAILABLE


class Overloaded(RequestExecutionException):
    code = ErrorCode.OVERLOADED


class IsBootstrapping(RequestExecutionException):
    code = ErrorCode.IS_BOOTSTRAPPING


class TruncateError(RequestExecutionException):
    code = ErrorCode.TRUNCATE_ERROR


class WriteTimeout(RequestExecutionException):
    code = ErrorCode.WRITE_TIMEOUT


class ReadTimeout(RequestExecutionException):
    code = ErrorCode.READ_TIMEOUT


class ReadFailure(RequestExecutionException):
    code = ErrorCode.READ_FAILURE


class FunctionFailure(RequestExecutionException):
    code = ErrorCode.FUNCTION_FAILURE


class WriteFailure(RequestExecutionException):
    code = ErrorCode.WRITE_FAILURE


class SyntaxException(RequestValidationException):
    code = ErrorCode.SYNTAX_ERROR


class Unauthorized(RequestValidationException):
    code = ErrorCode.UNAUTHORIZED


class InvalidRequest(RequestValidationException):
    code = ErrorCode.INVALID


class ConfigurationException(RequestValidationException):
    code = ErrorCode.CONFIG_ERROR


class AlreadyExists(ConfigurationException):
    """Carries the keyspace and table (table empty for a keyspace) like the driver's."""

    code = ErrorCode.ALREADY_EXISTS

    def __init__(self, keyspace: str, table: str | None = None, message: str | None = None):
        self.keyspace = keyspace
        self.table = table or ""
        if message is None:
            if table:
                message = f"Cannot add already existing table \"{table}\" to keyspace \"{keyspace}\""
            else:
                message = f"Cannot add existing keyspace \"{keyspace}\""
        super().__init__(message)


class Unprepared(RequestValidationException):
    code = ErrorCode.UNPREPARED


class StorageError(DriverException):
    """The storage engine failed (cassalite's own; no protocol code). The engine's error
    (``cassalite.storage.errors``) is the ``__cause__``."""


class CorruptionError(StorageError):
    """A file on disk failed its checksum or could not be decoded; names the file."""

    def __init__(self, path: str, offset: int | None = None, detail: str = ""):
        self.path = path
        self.offset = offset
        self.detail = detail
        where = f"{path}" if offset is None else f"{path} at offset {offset}"
        super().__init__(f"Corrupt data in {where}" + (f": {detail}" if detail else ""))


class DirectoryLockedError(StorageError):
    """Another process (or another engine in this process) has the data directory open."""


_CLASSES: dict[int, type[DriverException]] = {cls.code: cls for cls in (
    ServerError, ProtocolError, BadCredentials, Unavailable, Overloaded, IsBootstrapping,
    TruncateError, WriteTimeout, ReadTimeout, ReadFailure, FunctionFailure, WriteFailure,
    SyntaxException, Unauthorized, InvalidRequest, ConfigurationException, AlreadyExists,
    Unprepared)}


def error_class(code: int) -> type[DriverException] | None:
    """The exception class of a protocol error code (None for codes without one here)."""
    return _CLASSES.get(code)
