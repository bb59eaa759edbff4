"""Driver-style parameter interpolation for simple statements (``%s`` / ``%(name)s``).

The DataStax driver formats simple-statement parameters into the query text as CQL literals
on the client; doing the same keeps the semantics identical (a ``%s`` becomes a literal
whose type the receiver decides).
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import math
import uuid
from typing import Any, Mapping, Sequence

from cql.plan.terms import UNSET
from cql.types import Duration, Time

from .errors import InvalidRequest


def cql_literal(value: Any) -> str:
    """A Python value as the CQL literal the driver would send."""

    if value is None or value is UNSET:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        epoch = datetime.datetime(1970, 1, 1)
        return str((value - epoch) // datetime.timedelta(milliseconds=1))
    if isinstance(value, datetime.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, datetime.time):
        return "'" + value.isoformat() + "'"
    if isinstance(value, Time):
        return "'" + str(value) + "'"
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return "'" + str(value) + "'"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{cql_literal(k)}: {cql_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (set, frozenset)) or type(value).__name__ in ("SortedSet", "FrozenSortedSet"):
        return "{" + ", ".join(cql_literal(v) for v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(cql_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        if hasattr(value, "_fields"):  # a UDT namedtuple
            return "{" + ", ".join(
                f"{f}: {cql_literal(v)}" for f, v in zip(value._fields, value)
            ) + "}"
        return "(" + ", ".join(cql_literal(v) for v in value) + ")"
    raise InvalidRequest(f"Cannot encode {type(value).__name__} value {value!r} as a CQL literal")


def interpolate(query: str, parameters: Sequence | Mapping) -> str:
    """``query % parameters`` with every parameter encoded as a CQL literal."""
    try:
        if isinstance(parameters, Mapping):
            return query % {k: cql_literal(v) for k, v in parameters.items()}
        return query % tuple(cql_literal(v) for v in parameters)
    except (TypeError, KeyError, ValueError) as e:
        raise InvalidRequest(f"Invalid parameters for query: {e}") from None
