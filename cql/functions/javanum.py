"""Java number semantics for the built-in functions: wrapping integers, float32,
BigDecimal division and remainders as Cassandra computes them."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from cql.types.base import CQLType, java_float_str, to_float32
from cql.types.native import (
    BIGINT,
    COUNTER,
    DECIMAL,
    DOUBLE,
    FLOAT,
    INT,
    SMALLINT,
    TINYINT,
    VARINT,
)


def _wrap(v: int, bits: int) -> int:
    """Two's complement wrap-around of a Python int to `bits` (Java's narrowing)."""
    half = 1 << (bits - 1)
    return ((v + half) & ((1 << bits) - 1)) - half


def _d2i(v: float, bits: int) -> int:
    """Java's (int)/(long) cast of a double: NaN -> 0, saturating, truncating."""
    if math.isnan(v):
        return 0
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if v >= hi:
        return hi
    if v <= lo:
        return lo
    return int(v)


def _int_to_double(v: int) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _int_to_float32(v: int) -> float:
    """Correctly rounded int -> float32 (Java's long/BigInteger.floatValue)."""
    a = abs(v)
    n = a.bit_length()
    if n > 24:
        shift = n - 24
        q, r = divmod(a, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        a = q << shift
    if a.bit_length() > 128:
        return math.inf if v > 0 else -math.inf
    return to_float32(float(a if v >= 0 else -a))


_INT_BITS = {TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64, COUNTER: 64}
_NUMERIC_ORDER = (TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, VARINT, COUNTER)
_NUMERIC = frozenset(_NUMERIC_ORDER)


def _convert_number(v: Any, target: CQLType) -> Any:
    """Java's Number.xxxValue() of a CQL numeric value to the representation of `target`."""
    if target in _INT_BITS:
        bits = _INT_BITS[target]
        if isinstance(v, float):
            # byteValue()/shortValue() of a Float/Double narrow the (int) cast
            return _wrap(_d2i(v, 32), bits) if bits < 32 else _d2i(v, bits)
        if isinstance(v, Decimal):
            return _wrap(int(v), bits)
        return _wrap(v, bits)
    if target is FLOAT:
        if isinstance(v, float):
            return to_float32(v)
        if isinstance(v, Decimal):
            return to_float32(float(v))
        return _int_to_float32(v)
    if target is DOUBLE:
        if isinstance(v, float):
            return v
        if isinstance(v, Decimal):
            return float(v)
        return _int_to_double(v)
    if target is DECIMAL:
        return _to_decimal(v)
    if target is VARINT:
        if isinstance(v, int):
            return v
        return _convert_number(v, BIGINT)
    raise AssertionError(target)


def _to_decimal(v: Any) -> Decimal:
    """DecimalType.toBigDecimal: floats go through Double.toString."""
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if math.isnan(v):
        raise ArithmeticError("A NaN cannot be converted into a decimal")
    if v in (math.inf, -math.inf):
        raise ArithmeticError("An infinite number cannot be converted into a decimal")
    return Decimal(java_float_str(v))


def _big_context(rounding: str = ROUND_HALF_UP) -> Context:
    return Context(prec=10000, rounding=rounding, Emax=10**9, Emin=-(10**9))


def _java_int_div(a: int, b: int) -> int:
    if b == 0:
        raise ArithmeticError("/ by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _java_int_rem(a: int, b: int) -> int:
    if b == 0:
        raise ArithmeticError("/ by zero")
    return a - b * _java_int_div(a, b)


def _decimal_divide(a: Decimal, b: Decimal) -> Decimal:
    """DecimalType.divide: BigDecimal.divide(b, MathContext.DECIMAL128) -- 34 significant
    digits, HALF_EVEN, the exact quotient at its preferred scale when it fits."""
    if b == 0:
        raise ArithmeticError("Division undefined" if a == 0 else "Division by zero")
    with localcontext(Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=999999999,
                              Emin=-999999999)):
        return a / b


def _strip_zeros(d: Decimal) -> Decimal:
    """BigDecimal.stripTrailingZeros (zero becomes plain 0)."""
    if d == 0:
        return Decimal(0)
    with localcontext(_big_context()):
        return d.normalize()


def _decimal_remainder(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise ArithmeticError("Division undefined" if a == 0 else "Division by zero")
    with localcontext(_big_context()):
        return a % b  # truncating, sign of the dividend: BigDecimal.remainder


def _fmod(a: float, b: float) -> float:
    """Java's double % (C fmod), NaN where Python would raise."""
    if b == 0 or math.isnan(a) or math.isnan(b) or a in (math.inf, -math.inf):
        return math.nan
    if b in (math.inf, -math.inf):
        return a
    return math.fmod(a, b)


def _fdiv(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        neg = (math.copysign(1.0, a) < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if neg else math.inf
    try:
        return a / b
    except OverflowError:
        return math.inf if (a > 0) == (b > 0) else -math.inf


def _fmul(a: float, b: float) -> float:
    try:
        return a * b
    except OverflowError:  # pragma: no cover - float * float never raises in CPython
        return math.inf
