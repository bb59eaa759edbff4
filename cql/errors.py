"""Cassandra's error classes, each carrying its native-protocol error code.

Names and hierarchy follow the DataStax driver (`cassandra.*`), so application code that
catches `InvalidRequest` or `AlreadyExists` works unchanged. `str(err)` is Cassandra's
message text, word for word.
"""

from __future__ import annotations


class DriverException(Exception):
    """Base of everything cassalite raises on purpose."""


class RequestExecutionException(DriverException):
    """Errors the server reports for a request (codes below 0x2000)."""

    code = 0x0000


class RequestValidationException(DriverException):
    """Errors in the request itself (codes 0x2000 and up)."""

    code = 0x2200


class ServerError(RequestExecutionException):
    code = 0x0000


class ProtocolError(RequestExecutionException):
    code = 0x000A


class BadCredentials(RequestExecutionException):
    code = 0x0100


class Unavailable(RequestExecutionException):
    code = 0x1000


class Overloaded(RequestExecutionException):
    code = 0x1001


class IsBootstrapping(RequestExecutionException):
    code = 0x1002


class TruncateError(RequestExecutionException):
    code = 0x1003


class WriteTimeout(RequestExecutionException):
    code = 0x1100


class ReadTimeout(RequestExecutionException):
    code = 0x1200


class ReadFailure(RequestExecutionException):
    code = 0x1300


class FunctionFailure(RequestExecutionException):
    code = 0x1400


class WriteFailure(RequestExecutionException):
    code = 0x1500


class SyntaxException(RequestValidationException):
    code = 0x2000


class Unauthorized(RequestValidationException):
    code = 0x2100


class InvalidRequest(RequestValidationException):
    code = 0x2200


class ConfigurationException(RequestValidationException):
    code = 0x2300


class AlreadyExists(ConfigurationException):
    """Carries the keyspace and table (table empty for a keyspace) like the driver's."""

    code = 0x2400

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
    code = 0x2500


class CorruptionError(DriverException):
    """A file on disk failed its checksum or could not be decoded; names the file."""

    def __init__(self, path: str, offset: int | None = None, detail: str = ""):
        self.path = path
        self.offset = offset
        where = f"{path}" if offset is None else f"{path} at offset {offset}"
        super().__init__(f"Corrupt data in {where}" + (f": {detail}" if detail else ""))


# Protocol code -> the name cqlsh prints in brackets ("code=2200 [Invalid query]").
ERROR_LABELS = {
    0x0000: "Server error",
    0x000A: "Protocol error",
    0x0100: "Bad credentials",
    0x1000: "Unavailable exception",
    0x1001: "Overloaded",
    0x1002: "Is bootstrapping",
    0x1003: "Truncate error",
    0x1100: "Write timeout",
    0x1200: "Read timeout",
    0x1300: "Read failure",
    0x1400: "Function failure",
    0x1500: "Write failure",
    0x2000: "Syntax error in CQL query",
    0x2100: "Unauthorized",
    0x2200: "Invalid query",
    0x2300: "Invalid query",
    0x2400: "Already exists",
    0x2500: "Unprepared",
}
