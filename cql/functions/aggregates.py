"""Aggregates: count, min, max, sum, avg (Cassandra's AggregateFcts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from cql.types.base import CQLType, java_float_str, to_float32
from cql.types.native import (
    BIGINT,
    BLOB,
    COUNTER,
    DECIMAL,
    DOUBLE,
    FLOAT,
    INT,
    SMALLINT,
    TINYINT,
    VARINT,
)

from .base import AggregateFunction, _CountRows
from .factories import _Factory, _Param
from .javanum import _INT_BITS, _big_context, _java_int_div, _wrap
from .registry import _add, _add_factory


def _sum_int(t: CQLType) -> AggregateFunction:
    bits = _INT_BITS[t]
    return AggregateFunction("sum", (t,), t, lambda: 0,
                             lambda s, a: _wrap(s + a[0], bits), lambda s: s)


class _AvgState:
    __slots__ = ("count", "sum")

    def __init__(self) -> None:
        self.sum: Any = 0
        self.count = 0


def _avg_int(t: CQLType) -> AggregateFunction:
    """Exact sum (Cassandra switches to BigInteger on overflow), truncating division."""
    def step(s: _AvgState, a: Sequence[Any]) -> _AvgState:
        s.sum += a[0]
        s.count += 1
        return s

    def final(s: _AvgState) -> int:
        if s.count == 0:
            return 0
        return _wrap(_java_int_div(s.sum, s.count), _INT_BITS.get(t, 64)) if t in _INT_BITS \
            else _java_int_div(s.sum, s.count)
    return AggregateFunction("avg", (t,), t, _AvgState, step, final)


class _KahanState:
    __slots__ = ("big", "comp", "count", "simple", "sum")

    def __init__(self) -> None:
        self.sum = 0.0
        self.comp = 0.0
        self.simple = 0.0
        self.count = 0
        self.big: Decimal | None = None

    def add(self, d: float) -> None:
        self.simple += d
        tmp = d - self.comp
        rounded = self.sum + tmp
        self.comp = (rounded - self.sum) - tmp
        self.sum = rounded

    def total(self) -> float:
        tmp = self.sum + self.comp
        if math.isnan(tmp) and math.isinf(self.simple):
            return self.simple
        return tmp


def _sum_float(t: CQLType) -> AggregateFunction:
    def step(s: _KahanState, a: Sequence[Any]) -> _KahanState:
        s.add(float(a[0]))
        return s

    def final(s: _KahanState) -> float:
        r = s.total()
        return to_float32(r) if t is FLOAT else r
    return AggregateFunction("sum", (t,), t, _KahanState, step, final)


def _avg_float(t: CQLType) -> AggregateFunction:
    """Kahan-summed average, switching to exact decimals when the double sum overflows."""
    def step(s: _KahanState, a: Sequence[Any]) -> _KahanState:
        d = float(a[0])
        s.count += 1
        if s.big is not None:
            s.big += Decimal(java_float_str(d)) if math.isfinite(d) else Decimal(0)
            return s
        prev = s.sum
        s.add(d)
        if math.isinf(s.sum) and math.isfinite(d) and math.isfinite(prev):
            s.big = Decimal(java_float_str(prev)) + Decimal(java_float_str(d))
        return s

    def final(s: _KahanState) -> float:
        if s.count == 0:
            r = 0.0
        elif s.big is not None:
            with localcontext(_big_context(ROUND_HALF_EVEN)):
                q = s.big / Decimal(s.count)
                q = q.quantize(Decimal(1).scaleb(s.big.as_tuple().exponent))
            r = float(q)
        else:
            r = s.total() / s.count
        return to_float32(r) if t is FLOAT else r
    return AggregateFunction("avg", (t,), t, _KahanState, step, final)


def _avg_decimal() -> AggregateFunction:
    """avg = avg + (x - avg) / count, each division at the scale of (x - avg), HALF_EVEN."""
    def step(s: list, a: Sequence[Any]) -> list:
        avg, count = s
        count += 1
        with localcontext(_big_context(ROUND_HALF_EVEN)):
            diff = a[0] - avg
            q = (diff / Decimal(count)).quantize(Decimal(1).scaleb(diff.as_tuple().exponent))
            avg = avg + q
        return [avg, count]
    return AggregateFunction("avg", (DECIMAL,), DECIMAL, lambda: [Decimal(0), 0], step,
                             lambda s: s[0])


def _sum_decimal() -> AggregateFunction:
    def step(s: Decimal, a: Sequence[Any]) -> Decimal:
        with localcontext(_big_context()):
            return s + a[0]
    return AggregateFunction("sum", (DECIMAL,), DECIMAL, lambda: Decimal(0), step, lambda s: s)


def _min_max(name: str, t: CQLType) -> AggregateFunction:
    """min/max by the type's CQL order (byte-comparable form)."""
    better = (lambda a, b: a < b) if name == "min" else (lambda a, b: a > b)

    def step(s: list | None, a: Sequence[Any]) -> list:
        key = t.to_comparable(a[0])
        if s is None or better(key, s[0]):
            return [key, a[0]]
        return s
    return AggregateFunction(name, (t,), t, lambda: None, step,
                             lambda s: None if s is None else s[1], takes_empty=True)


def _count(t: CQLType) -> AggregateFunction:
    return AggregateFunction("count", (t,), BIGINT, lambda: 0, lambda s, a: s + 1, lambda s: s,
                             takes_empty=True)


def _register_aggregates() -> None:
    rows = _CountRows("count_rows", (), BIGINT, lambda: 0, lambda s, a: s + 1, lambda s: s,
                      skip_nulls=False)
    _add(rows, "countrows")
    for t in (TINYINT, SMALLINT, INT, BIGINT, COUNTER):
        _add(_sum_int(t))
        _add(_avg_int(t))
    for t in (FLOAT, DOUBLE):
        _add(_sum_float(t))
        _add(_avg_float(t))
    _add(_sum_decimal())
    _add(_avg_decimal())
    _add(AggregateFunction("sum", (VARINT,), VARINT, lambda: 0, lambda s, a: s + a[0],
                           lambda s: s))
    _add(_avg_int(VARINT))
    # count(x) takes a blob, and a blob parameter accepts a value of any type
    _add(_count(BLOB))
    for name in ("max", "min"):
        _add_factory(_Factory(name, [_Param("any", infer_from_receiver=True)],
                              lambda ts, r, a, name=name: _min_max(name, ts[0])))
