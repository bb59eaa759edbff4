"""Arithmetic operators on numbers and temporals: +, -, *, /, %, unary minus
(Cassandra's OperationFcts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType, to_float32
from cql.types.native import (
    ASCII,
    BIGINT,
    COUNTER,
    DATE,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    INT,
    SMALLINT,
    TEXT,
    TIMESTAMP,
    TINYINT,
    VARINT,
    ms_to_timestamp,
)
from cql.types.values import (
    Duration,
    date_from_days,
)

from .arguments import ArgDesc, LiteralArg, preferred_type
from .base import (
    _OPERATION_NAMES,
    AggregateFunction,
    Function,
    _NegationFunction,
    _OperationFunction,
)
from .javanum import (
    _INT_BITS,
    _NUMERIC_ORDER,
    _big_context,
    _convert_number,
    _decimal_divide,
    _decimal_remainder,
    _fdiv,
    _fmod,
    _fmul,
    _java_int_div,
    _java_int_rem,
    _to_decimal,
    _wrap,
)
from .registry import _add, resolve
from .time import _ms_to_days, _temporal_ms, add_duration_ms


def _numeric_size(t: CQLType) -> int:
    return {TINYINT: 1, SMALLINT: 2, INT: 4, BIGINT: 8, COUNTER: 8, FLOAT: 4,
            DOUBLE: 8}.get(t, 1 << 30)


def operation_result_type(left: CQLType, right: CQLType) -> CQLType:
    """OperationFcts.returnType: floating if either side is, then the larger byte size."""
    floating = left in (FLOAT, DOUBLE, DECIMAL) or right in (FLOAT, DOUBLE, DECIMAL)
    size = max(_numeric_size(left), _numeric_size(right))
    if floating:
        return {4: FLOAT, 8: DOUBLE}.get(size, DECIMAL)
    return {1: TINYINT, 2: SMALLINT, 4: INT, 8: BIGINT}.get(size, VARINT)


def _numeric_op(op: str, ret: CQLType) -> Callable[[Any, Any], Any]:
    if ret in _INT_BITS:
        bits = _INT_BITS[ret]

        def int_op(a: Any, b: Any) -> int:
            x, y = _convert_number(a, ret), _convert_number(b, ret)
            if op == "+":
                r = x + y
            elif op == "-":
                r = x - y
            elif op == "*":
                r = x * y
            elif op == "/":
                r = _java_int_div(x, y)
            else:
                r = _java_int_rem(x, y)
            return _wrap(r, bits)
        return int_op
    if ret is VARINT:
        def varint_op(a: Any, b: Any) -> int:
            x, y = _convert_number(a, VARINT), _convert_number(b, VARINT)
            if op in "/%" and y == 0:
                raise ArithmeticError("BigInteger divide by zero")
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                return _java_int_div(x, y)
            return _java_int_rem(x, y)
        return varint_op
    if ret in (FLOAT, DOUBLE):
        single = ret is FLOAT

        def float_op(a: Any, b: Any) -> float:
            x, y = _convert_number(a, ret), _convert_number(b, ret)
            if op == "+":
                r = x + y
            elif op == "-":
                r = x - y
            elif op == "*":
                r = _fmul(x, y)
            elif op == "/":
                r = _fdiv(x, y)
            else:
                r = _fmod(x, y)
            return to_float32(r) if single else r
        return float_op

    def decimal_op(a: Any, b: Any) -> Decimal:
        x, y = _to_decimal(a), _to_decimal(b)
        if op == "/":
            return _decimal_divide(x, y)
        if op == "%":
            return _decimal_remainder(x, y)
        with localcontext(_big_context()):
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            return x * y
    return decimal_op


def _negate_value(t: CQLType, v: Any) -> Any:
    if t in _INT_BITS:
        return _wrap(-v, _INT_BITS[t])
    if t is DECIMAL:
        with localcontext(_big_context()):
            return -v
    return -v


def _temporal_op(t: CQLType, op: str) -> Callable[[Any, Duration], Any]:
    sign = 1 if op == "+" else -1

    def impl(v: Any, d: Duration) -> Any:
        # TimestampType/SimpleDateType.addDuration/substractDuration: no finer unit than stored
        if t is DATE and d.nanoseconds:
            raise ValueError(f"The duration must have a day precision. Was: {d}")
        if d.nanoseconds % 1_000_000:
            raise ValueError(f"The duration must have a millisecond precision. Was: {d}")
        ms = _temporal_ms(t, v)
        r = add_duration_ms(ms, sign * d.months, sign * d.days, sign * d.nanoseconds)
        if t is DATE:
            return date_from_days(_ms_to_days(r))
        return ms_to_timestamp(r)
    return impl


def _register_operations() -> None:
    for left in _NUMERIC_ORDER:
        for right in _NUMERIC_ORDER:
            ret = operation_result_type(left, right)
            for sym, name in _OPERATION_NAMES.items():
                _add(_OperationFunction(name, sym, left, right, ret, _numeric_op(sym, ret)))
        _add(_NegationFunction("_negate", (left,), left, lambda v, t=left: _negate_value(t, v)))
    for t in (TIMESTAMP, DATE):
        for sym in "+-":
            _add(_OperationFunction(_OPERATION_NAMES[sym], sym, t, DURATION, t,
                                    _temporal_op(t, sym)))
    for ret, left, right in ((TEXT, TEXT, TEXT), (ASCII, ASCII, ASCII), (TEXT, ASCII, TEXT),
                             (TEXT, TEXT, ASCII)):
        _add(_OperationFunction("_add", "+", left, right, ret, lambda a, b: a + b))


def arithmetic(op: str, left: ArgDesc, right: ArgDesc, receiver: CQLType | None = None, *,
               arg_texts: Sequence[str] | None = None) -> Function:
    """The function for `left op right` (op in + - * / %), resolved like Cassandra resolves
    its operation functions: operand descriptions as for resolve(), receiver for terms.

    Result types: floating (float/double/decimal) if either side is, else integer; the larger
    byte size wins (counter counts as bigint, decimal/varint as unbounded). Integers wrap like
    Java; division by zero raises FunctionFailure "the operation 'int / int' failed: / by zero".
    Also timestamp/date +- duration and text/ascii concatenation with +."""
    if op not in _OPERATION_NAMES:
        raise InvalidRequest(f"Unknown operator {op}")
    return resolve(_OPERATION_NAMES[op], [left, right], receiver, arg_texts=arg_texts)


def concat(left: ArgDesc, right: ArgDesc, receiver: CQLType | None = None) -> Function:
    """String concatenation (`text + text`); same as arithmetic('+', ...)."""
    return arithmetic("+", left, right, receiver)


def negate(arg: ArgDesc, receiver: CQLType | None = None, *,
           arg_texts: Sequence[str] | None = None) -> Function:
    """Unary minus on a numeric operand (`-x`); integers wrap (-(-128) is -128 for tinyint)."""
    return resolve("_negate", [arg], receiver, arg_texts=arg_texts)


def count_rows() -> AggregateFunction:
    """The aggregate behind count(*) and count(1): column name `count`."""
    fn = resolve("count_rows", [])
    assert isinstance(fn, AggregateFunction)
    return fn


def literal_type(kind: str, text: str = "") -> CQLType:
    """The type a constant of this kind prefers (int for integers, double for floats, text for
    strings...); `text` refines integers (bigint/varint) and floats (decimal)."""
    t = preferred_type(LiteralArg(kind, text))
    if t is None:
        raise InvalidRequest(f"Cannot infer type for a {kind} literal")
    return t
