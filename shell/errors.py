"""Error lines exactly as cqlsh prints them (class name, driver wrapper, server message)."""

from __future__ import annotations

from cql.errors import ErrorCode

# Protocol code -> (class name the DataStax driver raises, summary in brackets, wrapped?).
# Wrapped errors print 'Error from server: code=XXXX [summary] message="..."'; the others
# print the raw server message (the driver raises those error objects directly).
_BY_CODE: dict[ErrorCode, tuple[str, str, bool]] = {
    ErrorCode.SERVER_ERROR: ("ServerError", "Server error", False),
    ErrorCode.PROTOCOL_ERROR: ("ProtocolException", "Protocol error", False),
    ErrorCode.BAD_CREDENTIALS: ("AuthenticationFailed", "Bad credentials", False),
    ErrorCode.UNAVAILABLE: ("Unavailable", "Unavailable exception", True),
    ErrorCode.OVERLOADED: ("OverloadedErrorMessage", "Coordinator node overloaded", True),
    ErrorCode.IS_BOOTSTRAPPING: (
        "IsBootstrappingErrorMessage", "Coordinator node is bootstrapping", True),
    ErrorCode.TRUNCATE_ERROR: ("TruncateError", "Error during truncate", False),
    ErrorCode.WRITE_TIMEOUT: (
        "WriteTimeout", "Coordinator node timed out waiting for replica nodes' responses", True),
    ErrorCode.READ_TIMEOUT: (
        "ReadTimeout", "Coordinator node timed out waiting for replica nodes' responses", True),
    ErrorCode.READ_FAILURE: ("ReadFailure", "Replica(s) failed to execute read", True),
    ErrorCode.FUNCTION_FAILURE: ("FunctionFailure", "User Defined Function failure", True),
    ErrorCode.WRITE_FAILURE: ("WriteFailure", "Replica(s) failed to execute write", True),
    ErrorCode.SYNTAX_ERROR: ("SyntaxException", "Syntax error in CQL query", False),
    ErrorCode.UNAUTHORIZED: ("Unauthorized", "Unauthorized", True),
    ErrorCode.INVALID: ("InvalidRequest", "Invalid query", True),
    ErrorCode.CONFIG_ERROR: (
        "ConfigurationException", "Query invalid because of configuration issue", False),
    ErrorCode.ALREADY_EXISTS: ("AlreadyExists", "Item already exists", False),
    ErrorCode.UNPREPARED: (
        "PreparedQueryNotFound", "Matching prepared statement not found on this node", True),
}


def server_message(err: BaseException) -> str:
    """The server's own text (what DESCRIBE errors print on their own)."""
    return str(getattr(err, "message", None) or err)


def error_line(err: BaseException) -> str:
    """``<Class>: <text>`` for a CQL error, as cqlsh shows it."""
    code = getattr(err, "code", None)
    if code is None or code not in _BY_CODE:
        return f"{getattr(err, 'display_name', None) or type(err).__name__}: {err}"
    name, summary, wrapped = _BY_CODE[code]
    if code == ErrorCode.ALREADY_EXISTS:
        keyspace = getattr(err, "keyspace", "")
        table = getattr(err, "table", "")
        if table:
            return f"AlreadyExists: Table '{keyspace}.{table}' already exists"
        return f"AlreadyExists: Keyspace '{keyspace}' already exists"
    message = server_message(err)
    if not wrapped:
        return f"{name}: {message}"
    text = f'Error from server: code={code:04x} [{summary}] message="{message}"'
    info = getattr(err, "info", None)
    if info:
        text += f" info={info!r}"
    return f"{name}: {text}"
