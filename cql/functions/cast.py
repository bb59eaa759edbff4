"""CAST (Cassandra's CastFcts)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType, java_float_str
from cql.types.native import (
    ASCII,
    BIGINT,
    BOOLEAN,
    DATE,
    DECIMAL,
    DOUBLE,
    FLOAT,
    INET,
    INT,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMEUUID,
    TINYINT,
    UUID,
    VARINT,
    format_timestamp_ms,
    ms_to_timestamp,
    timestamp_to_ms,
)
from cql.types.values import (
    date_from_days,
    days_of,
)

from .base import Function, _CastFunction, _IdentityCast
from .javanum import _NUMERIC_ORDER, _convert_number
from .registry import _FUNCTIONS, _add, _ensure_built
from .time import _ms_to_days, timeuuid_ms


def _java_inet_str(v: str) -> str:
    """InetAddress.getHostAddress(): IPv6 without '::' compression."""
    import ipaddress

    a = ipaddress.ip_address(v)
    if a.version == 4:
        return str(a)
    return ":".join(f"{int(g, 16):x}" for g in a.exploded.split(":"))


def cql_text(t: CQLType, v: Any) -> str:
    """The CQL literal of a value without quotes (what CAST(x AS text) returns)."""
    if t in (FLOAT, DOUBLE):
        return java_float_str(v, single=t is FLOAT)
    if t is TIMESTAMP:
        return format_timestamp_ms(timestamp_to_ms(v), sep="T")
    if t is BOOLEAN:
        return "true" if v else "false"
    if t is INET:
        return _java_inet_str(v)
    return str(v)  # integers, decimal, uuids, date, time, ascii


def _cast_name(to: CQLType) -> str:
    return "cast_as_" + to.name


_CAST_TEXT_SOURCES = (*_NUMERIC_ORDER, INET, BOOLEAN, TIMEUUID, TIMESTAMP, DATE, TIME, UUID)


def _register_cast_functions() -> None:
    def add(src: CQLType, dst: CQLType, impl: Callable[[Any], Any]) -> None:
        fn = _CastFunction(_cast_name(dst), (src,), dst, impl)
        _add(fn, "castas" + dst.name)

    for src in _NUMERIC_ORDER:
        for dst in (TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, VARINT):
            if src == dst:
                continue
            add(src, dst, _numeric_cast(src, dst))
    add(ASCII, TEXT, lambda v: v)
    for src in _CAST_TEXT_SOURCES:
        for dst in (ASCII, TEXT):
            add(src, dst, lambda v, src=src: cql_text(src, v))
    add(TIMEUUID, DATE, lambda v: date_from_days(_ms_to_days(timeuuid_ms(v))))
    add(TIMEUUID, TIMESTAMP, lambda v: ms_to_timestamp(timeuuid_ms(v)))
    add(TIMESTAMP, DATE, lambda v: date_from_days(_ms_to_days(timestamp_to_ms(v))))
    add(DATE, TIMESTAMP, lambda v: ms_to_timestamp(days_of(v) * 86_400_000))


def _numeric_cast(src: CQLType, dst: CQLType) -> Callable[[Any], Any]:
    if dst is DECIMAL:
        if src is FLOAT:
            return lambda v: _to_decimal_checked(v, single=True)
        if src is DOUBLE:
            return lambda v: _to_decimal_checked(v, single=False)
        return lambda v: Decimal(int(v))
    if dst is VARINT:
        # BigInteger.valueOf(p.longValue()): everything goes through a long
        return lambda v: _convert_number(v, BIGINT)
    return lambda v: _convert_number(v, dst)


def _to_decimal_checked(v: float, single: bool) -> Decimal:
    if math.isnan(v) or v in (math.inf, -math.inf):
        raise InvalidRequest(f"Character {java_float_str(v, single)} is neither a decimal digit "
                             "number, decimal point, nor \"e\" notation exponential mark.")
    return Decimal(java_float_str(v, single=single))


def cast_function(from_type: CQLType, to_type: CQLType, arg_text: str | None = None) -> Function:
    """The function behind CAST(x AS to_type) for an argument of from_type.

    Casting to the argument's own type is an identity function whose column name is the
    argument's (Cassandra skips the function entirely). Unsupported pairs raise Cassandra's "<arg> cannot be cast to <type>"."""
    _ensure_built()
    src = from_type
    if to_type == src:
        return _IdentityCast(_cast_name(to_type), (src,), to_type, lambda v: v)
    for fn in _FUNCTIONS.get(_cast_name(to_type), ()):
        if fn.arg_types[0] == src:
            return fn
    raise InvalidRequest(f"{arg_text if arg_text is not None else src.name} cannot be cast to "
                         f"{to_type.name}")
