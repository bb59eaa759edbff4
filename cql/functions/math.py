"""Math functions (5.0): abs, exp, log, log10, round (Cassandra's MathFcts)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from cql.errors import FunctionFailure
from cql.types.base import CQLType, to_float32
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

from .base import SYSTEM, Function
from .javanum import _INT_BITS, _big_context, _d2i, _int_to_double, _wrap
from .registry import _add


def _math_failure(fn_name: str, t: CQLType, msg: str) -> FunctionFailure:
    return FunctionFailure(f"execution of '{SYSTEM}.{fn_name}[{t.name}]' failed: {msg}")


def _decimal_math(op: str, v: Decimal, t: CQLType) -> Decimal:
    """exp/ln/log10 at max(32, precision of the input) significant digits, HALF_EVEN."""
    digits = v.as_tuple().digits
    prec = min(max(32, len(digits)), 10000)
    if op != "exp" and v <= 0:
        what = "Natural log" if op == "log" else "Log10"
        raise _math_failure(op, t, f"{what} of number zero or less")
    with localcontext(Context(prec=prec, rounding=ROUND_HALF_EVEN, Emax=10**9,
                              Emin=-(10**9))):
        if op == "exp":
            return v.exp()
        return v.ln() if op == "log" else v.log10()


def _math_impl(op: str, t: CQLType) -> Callable[[Any], Any]:
    if t in _INT_BITS:
        bits = _INT_BITS[t]

        def int_math(v: int) -> int:
            if op == "abs":
                return _wrap(abs(v), bits)  # Math.abs(MIN_VALUE) stays negative
            if op == "round":
                return v
            r = _float_math(op, _int_to_double(v))
            return _wrap(_d2i(r, 32), bits) if bits < 32 else _d2i(r, bits)
        return int_math
    if t is VARINT:
        def varint_math(v: int) -> int:
            if op == "abs":
                return abs(v)
            if op == "round":
                return v
            return int(_decimal_math(op, Decimal(v), t))
        return varint_math
    if t in (FLOAT, DOUBLE):
        single = t is FLOAT

        def float_math(v: float) -> float:
            if op == "abs":
                return abs(v)
            if op == "round":
                return _java_round(v, single)
            r = _float_math(op, v)
            return to_float32(r) if single else r
        return float_math

    def decimal_math(v: Decimal) -> Decimal:
        if op == "abs":
            return abs(v)
        if op == "round":
            with localcontext(_big_context()):
                return v.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _decimal_math(op, v, t)
    return decimal_math


def _float_math(op: str, x: float) -> float:
    """Math.exp / Math.log / Math.log10 (NaN and infinities instead of exceptions)."""
    if math.isnan(x):
        return x
    if op == "exp":
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    if x == 0:
        return -math.inf
    if x < 0:
        return math.nan
    if math.isinf(x):
        return x
    return math.log(x) if op == "log" else math.log10(x)


def _java_round(v: float, single: bool) -> float:
    """Math.round: floor(x + 0.5), NaN -> 0, saturating to int (float) or long (double)."""
    if math.isnan(v):
        return 0.0
    bits = 32 if single else 64
    if math.isinf(v) or abs(v) >= 2**52:
        r = _d2i(v, bits)
    else:
        r = math.floor(v + 0.5)
    return to_float32(float(r)) if single else float(r)


_MATH_TYPE_ORDER = (TINYINT, SMALLINT, INT, FLOAT, BIGINT, DOUBLE, VARINT, DECIMAL, COUNTER)


def _register_math() -> None:
    for t in _MATH_TYPE_ORDER:
        for op in ("abs", "exp", "log", "log10", "round"):
            _add(Function(op, (t,), t, _math_impl(op, t)))
