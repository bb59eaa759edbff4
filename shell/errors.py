"""Error lines exactly as cqlsh prints them (class name, driver wrapper, server message)."""

from __future__ import annotations

# Protocol code -> (class name the DataStax driver raises, summary in brackets, wrapped?).
# Wrapped errors print 'Error from server: code=XXXX [summary] message="..."'; the others
# print the raw server message (the driver raises those error objects directly).
_BY_CODE: dict[int, tuple[str, str, bool]] = {
    0x0000: ("ServerError", "Server error", False),
    0x000A: ("ProtocolException", "Protocol error", False),
    0x0100: ("AuthenticationFailed", "Bad credentials", False),
    0x1000: ("Unavailable", "Unavailable exception", True),
    0x1001: ("OverloadedErrorMessage", "Coordinator node overloaded", True),
    0x1002: ("IsBootstrappingErrorMessage", "Coordinator node is bootstrapping", True),
    0x1003: ("TruncateError", "Error during truncate", False),
    0x1100: ("WriteTimeout", "Coordinator node timed out waiting for replica nodes' responses",
             True),
    0x1200: ("ReadTimeout", "Coordinator node timed out waiting for replica nodes' responses",
             True),
    0x1300: ("ReadFailure", "Replica(s) failed to execute read", True),
    0x1400: ("FunctionFailure", "User Defined Function failure", True),
    0x1500: ("WriteFailure", "Replica(s) failed to execute write", True),
    0x2000: ("SyntaxException", "Syntax error in CQL query", False),
    0x2100: ("Unauthorized", "Unauthorized", True),
    0x2200: ("InvalidRequest", "Invalid query", True),
    0x2300: ("ConfigurationException", "Query invalid because of configuration issue", False),
    0x2400: ("AlreadyExists", "Item already exists", False),
    0x2500: ("PreparedQueryNotFound", "Matching prepared statement not found on this node", True),
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
    if code == 0x2400:
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
