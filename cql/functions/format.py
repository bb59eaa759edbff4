"""format_bytes and format_time (trunk; Cassandra's FormatFcts): a number of bytes or of a
time unit as human-readable text, ``'1.46 GiB'``, ``'2.5 h'``."""

from __future__ import annotations

import struct
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType
from cql.types.native import ASCII, BIGINT, INT, SMALLINT, TEXT, TINYINT, VARINT

from .arguments import ArgDesc, LiteralArg
from .base import Function
from .factories import _Factory, _known_type, _Param
from .registry import _add_factory

_LONG_MAX = (1 << 63) - 1
_VALUE_TYPES = (INT, TINYINT, SMALLINT, BIGINT, VARINT, ASCII, TEXT)

_STORAGE_UNITS = ("B", "KiB", "MiB", "GiB")
_TIME_UNITS = {"ns": 1.0, "us": 1_000.0, "µs": 1_000.0, "ms": 1_000_000.0,
               "s": 1_000_000_000.0, "m": 60.0 * 1_000_000_000.0,
               "h": 3600.0 * 1_000_000_000.0, "d": 86400.0 * 1_000_000_000.0}
# format_time(value): the largest unit the value (in ms) reaches
_TIME_STEPS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000))


# ---- Java's DecimalFormat("#.##") with HALF_UP ---------------------------------------------

_INSIGNIFICANT_DIGITS = (
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7,
    8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14,
    15, 15, 15, 15, 16, 16, 16, 17, 17, 17, 18, 18, 18, 19,
)


def _java_long_digits(v: float) -> int | None:
    """The integer Java's FloatingDecimal prints for an integral double in [2^53, 2^63) (its
    long fast path keeps a few digits below the double's precision), else None."""
    bits = struct.unpack(">q", struct.pack(">d", v))[0]
    bin_exp = ((bits >> 52) & 0x7FF) - 1023
    if not 53 <= bin_exp <= 62:
        return None
    p2 = bin_exp - 53 - 1
    insignificant = _INSIGNIFICANT_DIGITS[p2] if 1 < p2 < len(_INSIGNIFICANT_DIGITS) else 0
    value = int(v)
    if insignificant:
        pow10 = 10 ** insignificant
        value, residue = divmod(value, pow10)
        if residue >= pow10 >> 1:
            value += 1
        value *= pow10
    return value


def java_format(v: float) -> str:
    """``new DecimalFormat("#.##")`` with HALF_UP: at most two decimals, no trailing zeros,
    never an exponent."""
    if v == int(v) and v >= 2.0 ** 53:
        digits = _java_long_digits(v)
        if digits is None:  # beyond a long: the shortest round-trip digits
            digits = int(Decimal(repr(v)))
        return str(digits)
    text = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# ---- shared argument handling --------------------------------------------------------------


def _value(v: Any) -> int:
    """FormatFcts.getValue: the first argument as a non-negative long."""
    if isinstance(v, str):
        text = v
        try:
            if not text or text.strip() != text or "_" in text:
                raise ValueError
            v = int(text)
            if not -(1 << 63) <= v <= _LONG_MAX:
                raise ValueError
        except ValueError:
            raise InvalidRequest(
                f"unable to convert string '{text}' to a value of type long") from None
    else:
        v = int(v)
        v = (v + (1 << 63)) % (1 << 64) - (1 << 63)  # BigInteger.longValue()
    if v < 0:
        raise InvalidRequest("value must be non-negative")
    return v


def _checked(args: tuple) -> int | None:
    if args[0] is None:
        return None
    if any(a is None for a in args):
        raise InvalidRequest("none of the arguments may be null")
    return _value(args[0])


# ---- format_bytes --------------------------------------------------------------------------


def _storage_unit(symbol: str) -> int:
    if symbol not in _STORAGE_UNITS:
        raise InvalidRequest(f"Unsupported data storage unit: {symbol}. Supported units are: "
                             f"{', '.join(_STORAGE_UNITS)}")
    return _STORAGE_UNITS.index(symbol)


def _convert_bytes(value: int, source: int, target: int) -> float:
    """DataStorageUnit.toXDouble: up-scaling saturates at Long.MAX_VALUE, down-scaling divides."""
    if target <= source:
        return float(min(value * 1024 ** (source - target), _LONG_MAX))
    return value / float(1024 ** (target - source))


def _format_bytes(*args: Any) -> str | None:
    value = _checked(args)
    if value is None:
        return None
    if len(args) == 1:
        source = 0
        target = next((i for i in (3, 2, 1) if value > 1024 ** i), 0)
    elif len(args) == 2:
        source, target = 0, _storage_unit(args[1])
    else:
        source, target = _storage_unit(args[1]), _storage_unit(args[2])
    return f"{java_format(_convert_bytes(value, source, target))} {_STORAGE_UNITS[target]}"


# ---- format_time ---------------------------------------------------------------------------


def _time_unit(symbol: str) -> float:
    nanos = _TIME_UNITS.get(symbol)
    if nanos is None:
        raise InvalidRequest(f"Unsupported time unit: {symbol}. Supported units are: "
                             "ns, us, ms, s, m, h, d")
    return nanos


def _format_time(*args: Any) -> str | None:
    value = _checked(args)
    if value is None:
        return None
    if len(args) == 1:
        for unit, ms in _TIME_STEPS:
            if value >= ms:
                return f"{java_format(value / ms)} {unit}"
        return f"{java_format(float(value))} ms"
    if len(args) == 2:
        source, target = _TIME_UNITS["ms"], args[1]
    else:
        source, target = _time_unit(args[1]), args[2]
    factor = source / _time_unit(target)
    return f"{java_format(float(value) * factor)} {target}"


# ---- registration --------------------------------------------------------------------------


def _unit_param() -> _Param:
    def infer(a: ArgDesc) -> CQLType | None:
        if isinstance(a, LiteralArg) and a.kind in ("string", "null", "marker"):
            return ASCII
        return _known_type(a)

    return _Param("ascii", check=lambda t: t is ASCII, requirement="an ascii", infer=infer,
                  optional=True)


def _factory(name: str, impl: Callable[..., str | None]) -> _Factory:
    value = _Param("[" + "|".join(t.name for t in _VALUE_TYPES) + "]",
                   check=lambda t: t in _VALUE_TYPES,
                   requirement="an int, tinyint, smallint, bigint, varint, ascii or text")

    def build(types: list[CQLType], receiver: Any, args: Any) -> Function:
        return Function(name, types, TEXT, impl, called_on_null=True)

    return _Factory(name, [value, _unit_param(), _unit_param()], build)


def _register_format_functions() -> None:
    _add_factory(_factory("format_bytes", _format_bytes))
    _add_factory(_factory("format_time", _format_time))
