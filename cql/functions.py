"""Built-in CQL functions and Cassandra's overload resolution (the planner's function registry).

Everything works on the canonical Python values of `cql.types` (None is null). The planner asks
`resolve(name, args, receiver)` for a `Function`, then calls `execute` (scalars) or
`new_state`/`add`/`result` (aggregates). Names follow Cassandra 5.0: every snake_case name plus
the pre-5.0 lower-case alias (`to_date` and `todate`); `dateof`/`unixtimestampof` are gone.

Arguments given to `resolve` describe what the planner knows about each call argument:

* a `CQLType` — a column, a nested function call, a type hint or a cast: the type is known;
* a `LiteralArg(kind, text)` — a constant (`string`, `integer`, `float`, `boolean`, `uuid`,
  `hex`, `duration`), `null`, a bind marker (`marker`), or a collection/tuple literal
  (`list`, `set`, `map`, `tuple`, `udt`, with `elements` when the planner knows them);
* `None` — same as a bind marker.

Resolution follows Cassandra's FunctionResolver: a single candidate is checked argument by
argument ("Type error: ..."); several candidates are filtered by the receiver type, an exact
match wins, a single weakly-assignable one is taken, several are ambiguous. Functions whose
overload set is open-ended (min, max, to_json, collection, masking and vector functions) are
built on demand by factories, as in Cassandra 5.0.

Special names: `count(*)`/`count(1)` is `resolve('count_rows', [])` (column name `count`);
arithmetic operators are `arithmetic(op, left, right)` and `negate(arg)`; `CAST(x AS t)` is
`cast_function(from_type, to_type)`. `token()` is built per table (`token_function`, or
`resolve('token', ..., partition_key=...)`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import threading
import time as _time
import uuid as _uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from decimal import InvalidOperation as _DecInvalid
from typing import Any

from cql.errors import FunctionFailure, InvalidRequest
from cql.types.base import CQLType, java_float_str, to_float32
from cql.types.native import (
    ASCII,
    BIGINT,
    BLOB,
    BOOLEAN,
    COUNTER,
    DATE,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    INET,
    INT,
    NATIVE_TYPES,
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
    NANOS_PER_DAY,
    NANOS_PER_MILLI,
    Duration,
    MarshalError,
    Time,
    civil_from_days,
    date_from_days,
    days_from_civil,
    days_in_month,
    days_of,
)

__all__ = [
    "AggregateFunction",
    "Function",
    "LiteralArg",
    "arithmetic",
    "cast_function",
    "column_name",
    "concat",
    "count_rows",
    "function_exists",
    "is_aggregate_name",
    "literal_type",
    "negate",
    "resolve",
    "token_function",
]

SYSTEM = "system"


# ==============================================================================================
# Java number semantics

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
    """DecimalType.divide: scale from the operands (>= 32, <= 1000), HALF_UP, trailing zeros
    stripped."""
    if b == 0:
        raise ArithmeticError("Division undefined" if a == 0 else "Division by zero")

    def precision(d: Decimal) -> int:
        digits = d.as_tuple().digits
        return len(digits) if any(digits) else 1

    def scale(d: Decimal) -> int:
        return -int(d.as_tuple().exponent)

    first_digit = (precision(a) - scale(a)) - (precision(b) - scale(b))
    sc = max(32 - first_digit, scale(a), scale(b), 32)
    sc = min(sc, 1000)
    with localcontext(_big_context()):
        q = (a / b).quantize(Decimal(1).scaleb(-sc), rounding=ROUND_HALF_UP)
        return _strip_zeros(q)


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


# ==============================================================================================
# Argument descriptions and assignability

@dataclass(frozen=True)
class LiteralArg:
    """What the planner knows about a literal argument (see the module docstring).

    `text` is the constant's text (strings unquoted) and is only used for overload preference
    (integer/float size) and messages. For collection literals `elements` may carry the element
    descriptions (LiteralArg or CQLType; for maps, (key, value) pairs)."""

    kind: str
    text: str = ""
    elements: tuple = ()

    def __str__(self) -> str:
        if self.kind == "string":
            return "'" + self.text + "'"
        if self.kind == "null":
            return "NULL"
        if self.kind == "marker":
            return self.text or "?"
        if self.text:
            return self.text
        if self.kind == "list":
            return "[" + ", ".join(map(str, self.elements)) + "]"
        if self.kind == "set":
            return "{" + ", ".join(map(str, self.elements)) + "}"
        if self.kind == "map":
            return "{" + ", ".join(f"{k}: {v}" for k, v in self.elements) + "}"
        if self.kind == "tuple":
            return "(" + ", ".join(map(str, self.elements)) + ")"
        return self.kind


ArgDesc = CQLType | LiteralArg | None

EXACT, WEAK, NOT = 2, 1, 0


def _is_marker(a: ArgDesc) -> bool:
    return a is None or (isinstance(a, LiteralArg) and a.kind == "marker")


def preferred_type(lit: LiteralArg) -> CQLType | None:
    """Constants.Type.getPreferedTypeFor: the type a constant is an exact match for."""
    k = lit.kind
    if k == "string":
        return TEXT
    if k == "integer":
        try:
            v = int(lit.text)
        except ValueError:
            return INT
        if -(2**31) <= v < 2**31:
            return INT
        return BIGINT if -(2**63) <= v < 2**63 else VARINT
    if k == "float":
        t = lit.text
        if t in ("NaN", "-NaN", "Infinity", "-Infinity", "+Infinity") or not t:
            return DOUBLE
        try:
            d = Decimal(t)
            return DOUBLE if Decimal(repr(float(t))) == d else DECIMAL
        except (_DecInvalid, ValueError, OverflowError):
            return DOUBLE
    return {"boolean": BOOLEAN, "uuid": UUID, "hex": BLOB, "duration": DURATION}.get(k)


def _collection_kind(t: CQLType) -> str | None:
    """'list', 'set', 'map', 'tuple', 'udt', 'vector' or None for a native type."""
    if t.is_vector:
        return "vector"
    if t.is_udt:
        return "udt"
    if t.is_tuple:
        return "tuple"
    if t.is_collection:
        return getattr(t, "kind", None) or None
    return None


def _frozen(t: CQLType) -> CQLType:
    try:
        return t.freeze()
    except Exception:  # noqa: BLE001 - types still being written may not freeze
        return t


def value_compatible(receiver: CQLType, provided: CQLType) -> bool:
    """AbstractType.isValueCompatibleWith: can `receiver` read `provided`'s bytes?"""
    if receiver == provided or _frozen(receiver) == _frozen(provided):
        return True
    if receiver is BLOB:
        return True
    if receiver is TEXT:
        return provided is ASCII
    if receiver is BIGINT:
        return provided in (TIMESTAMP, COUNTER)
    if receiver is TIMESTAMP:
        return provided is BIGINT
    if receiver is VARINT:
        return provided in (INT, BIGINT, TIMESTAMP, COUNTER)
    if receiver is UUID:
        return provided is TIMEUUID
    return False


def _type_assign(provided: CQLType, expected: CQLType) -> int:
    """AbstractType.testAssignment(expected)."""
    if provided == expected or _frozen(provided) == _frozen(expected):
        return EXACT
    if value_compatible(expected, provided):
        return WEAK
    return NOT


def _literal_assign(lit: LiteralArg, expected: CQLType) -> int:
    k = lit.kind
    if k == "marker":
        return WEAK
    if k == "null":
        return NOT if expected.is_counter else WEAK
    ckind = _collection_kind(expected)
    if k == "collection":  # some collection/tuple/UDT literal the planner did not describe
        return NOT if ckind is None else WEAK
    if k in ("list", "set", "map", "tuple", "udt"):
        if ckind is None:
            return NOT
        ok = {"list": ("list", "set", "vector"), "set": ("set",), "map": ("map", "set", "udt"),
              "tuple": ("tuple",), "udt": ("udt", "map")}[k]
        # `{}` parses as a map literal but is assignable to a set; `[..]` to a vector
        if ckind not in ok and not (k == "set" and ckind == "map" and not lit.elements):
            return NOT
        return _elements_assign(lit, expected, ckind)
    if ckind is not None:
        return NOT
    if preferred_type(lit) == expected:
        return EXACT
    return WEAK if expected.accepts_constant(k) else NOT


def _elements_assign(lit: LiteralArg, expected: CQLType, ckind: str) -> int:
    if not lit.elements:
        return WEAK
    res = WEAK
    if ckind in ("list", "set", "vector"):
        elem = _elem_type(expected)
        pairs = [(e, elem) for e in lit.elements]
    elif ckind == "map" and lit.kind == "map":
        kt, vt = _map_types(expected)
        pairs = [(k, kt) for k, _ in lit.elements] + [(v, vt) for _, v in lit.elements]
    else:
        return WEAK
    for a, t in pairs:
        if assignment(a, t) == NOT:
            return NOT
    return res


def assignment(arg: ArgDesc, expected: CQLType) -> int:
    """EXACT, WEAK or NOT: how `arg` can be passed where `expected` is wanted."""
    if arg is None:
        return WEAK
    if isinstance(arg, LiteralArg):
        return _literal_assign(arg, expected)
    return _type_assign(arg, expected)


def _elem_type(t: CQLType) -> CQLType:
    elem = getattr(t, "elem", None)
    if elem is None:
        elem = t.subtypes[0]
    return elem


def _map_types(t: CQLType) -> tuple[CQLType, CQLType]:
    k, v = getattr(t, "key", None), getattr(t, "value", None)
    if k is None or v is None:
        k, v = t.subtypes[0], t.subtypes[1]
    return k, v


def _type_name(t: CQLType) -> str:
    return t.name


# ==============================================================================================
# Function objects

class Function:
    """A native scalar function. `execute(args)` takes and returns Python values."""

    keyspace: str = SYSTEM
    is_aggregate = False
    is_operation = False  # + - * / % and unary minus (column names like "a + b")
    is_cast = False

    def __init__(self, name: str, arg_types: Sequence[CQLType], return_type: CQLType,
                 impl: Callable[..., Any] | None = None, *, deterministic: bool = True,
                 monotonic: bool = False, called_on_null: bool = False) -> None:
        self.name = name
        self.arg_types = tuple(arg_types)
        self.return_type = return_type
        self._impl = impl
        self.is_deterministic = deterministic
        # GROUP BY needs monotonic functions: for floor() it holds in its first argument with
        # the others constant, which is the only way GROUP BY can use it.
        self.is_monotonic = monotonic
        self.called_on_null = called_on_null

    @property
    def qualified_name(self) -> str:
        return f"{self.keyspace}.{self.name}"

    def execute(self, args: Sequence[Any]) -> Any:
        """Result for these argument values. Null in gives null out unless the function is
        declared to handle nulls."""
        if not self.called_on_null and any(a is None for a in args):
            return None
        assert self._impl is not None, self.name
        return self._impl(*args)

    def column_name(self, arg_names: Sequence[str]) -> str:
        """Result column name Cassandra gives a selector calling this function."""
        return f"{self.qualified_name}({', '.join(arg_names)})"

    def signature(self) -> str:
        """`system.max : (int) -> int`, as in resolution error messages."""
        args = ", ".join(_type_name(t) for t in self.arg_types)
        return f"{self.qualified_name} : ({args}) -> {_type_name(self.return_type)}"

    def __repr__(self) -> str:
        return f"<Function {self.signature()}>"


class AggregateFunction(Function):
    """A native aggregate: state = new_state(); state = add(state, args); result(state)."""

    is_aggregate = True

    def __init__(self, name: str, arg_types: Sequence[CQLType], return_type: CQLType,
                 init: Callable[[], Any], step: Callable[[Any, Sequence[Any]], Any],
                 final: Callable[[Any], Any], *, skip_nulls: bool = True) -> None:
        super().__init__(name, arg_types, return_type)
        self._init = init
        self._step = step
        self._final = final
        self._skip_nulls = skip_nulls

    def new_state(self) -> Any:
        return self._init()

    def add(self, state: Any, args: Sequence[Any]) -> Any:
        if self._skip_nulls and args and args[0] is None:
            return state
        return self._step(state, args)

    def result(self, state: Any) -> Any:
        return self._final(state)

    def execute(self, args: Sequence[Any]) -> Any:
        raise InvalidRequest(f"Aggregate function {self.qualified_name} cannot be executed as "
                             "a scalar function")


class _OperationFunction(Function):
    is_operation = True

    def __init__(self, name: str, symbol: str, left: CQLType, right: CQLType, ret: CQLType,
                 impl: Callable[[Any, Any], Any]) -> None:
        super().__init__(name, (left, right), ret, impl)
        self.symbol = symbol

    def execute(self, args: Sequence[Any]) -> Any:
        if any(a is None for a in args):
            return None
        try:
            return self._impl(*args)  # type: ignore[misc]
        except (ArithmeticError, ValueError, MarshalError) as e:
            msg = str(e) or type(e).__name__
            raise FunctionFailure(f"the operation '{self.arg_types[0].name} {self.symbol} "
                                  f"{self.arg_types[1].name}' failed: {msg}") from None

    def column_name(self, arg_names: Sequence[str]) -> str:
        return f"{arg_names[0]} {self.symbol} {arg_names[1]}"


class _NegationFunction(Function):
    is_operation = True
    symbol = "-"

    def column_name(self, arg_names: Sequence[str]) -> str:
        return f"-{arg_names[0]}"


class _CastFunction(Function):
    is_cast = True

    def column_name(self, arg_names: Sequence[str]) -> str:
        return f"cast({arg_names[0]} as {self.return_type.name})"


class _IdentityCast(_CastFunction):
    """CAST(x AS <x's own type>): Cassandra drops the cast, so the column keeps x's name."""

    def column_name(self, arg_names: Sequence[str]) -> str:
        return arg_names[0]


class _CountRows(AggregateFunction):
    def column_name(self, arg_names: Sequence[str]) -> str:
        return "count"


# ==============================================================================================
# Factories: functions built per call for open-ended overload sets (FunctionFactory)

@dataclass
class _Param:
    """FunctionParameter: how to infer and check one argument of a factory-built function."""

    label: str  # shown in "system.max(any)"
    check: Callable[[CQLType], bool] = lambda t: True
    requirement: str = ""  # "a map", "a set or list", ...: for the validation message
    infer_from_receiver: bool = False
    default: CQLType | None = None  # type used when the argument's own type is unknown
    same_as: int | None = None  # the argument whose inferred type this one shares
    prefer_other: bool = True  # same_as: the other's type wins over this argument's own
    infer: Callable[[ArgDesc], CQLType | None] | None = None  # own inference, else known type
    optional: bool = False
    message: str | None = None  # full custom message format (name, arg, type)

    def __str__(self) -> str:
        return f"[{self.label}]" if self.optional else self.label


@dataclass
class _Factory:
    name: str
    params: list[_Param]
    build: Callable[[list[CQLType], CQLType | None, list[ArgDesc]], Function]
    aliases: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{SYSTEM}.{self.name}({', '.join(map(str, self.params))})"

    def create(self, name: str, args: Sequence[ArgDesc], receiver: CQLType | None,
               texts: Sequence[str]) -> Function:
        n_mandatory = sum(1 for p in self.params if not p.optional)
        if not n_mandatory <= len(args) <= len(self.params):
            raise InvalidRequest(f"Invalid number of arguments for function {self}")
        first: list[CQLType | None] = []
        for a, p in zip(args, self.params):
            first.append(_infer(a, p, receiver, None))
        types: list[CQLType] = []
        for i, (a, p) in enumerate(zip(args, self.params)):
            t = _infer(a, p, receiver, first)
            if t is None:
                raise InvalidRequest(f"Cannot infer type of argument {texts[i]} in call to "
                                     f"function {self}: use type casts to disambiguate")
            if not p.check(t):
                fmt = p.message or ("Function {name} requires {req} argument, but found "
                                    "argument {arg} of type {type}")
                raise InvalidRequest(fmt.format(name=f"{SYSTEM}.{name}", req=p.requirement,
                                                arg=texts[i], type=t.name))
            types.append(t)
        fn = self.build(types, receiver, list(args))
        fn.name = name
        return fn


def _known_type(a: ArgDesc) -> CQLType | None:
    """AssignmentTestable.getCompatibleTypeIfKnown."""
    if isinstance(a, CQLType):
        return a
    if isinstance(a, LiteralArg):
        if a.kind in ("list", "set") and a.elements:
            elems = [_known_type(e) for e in a.elements]
            if any(e is None for e in elems) or len(set(elems)) != 1:
                return None
            return _make_collection(a.kind, elems[0])
        if a.kind == "map" and a.elements:
            ks = {_known_type(k) for k, _ in a.elements}
            vs = {_known_type(v) for _, v in a.elements}
            if None in ks or None in vs or len(ks) != 1 or len(vs) != 1:
                return None
            return _make_collection("map", ks.pop(), vs.pop())
        return preferred_type(a)
    return None


def _infer(a: ArgDesc, p: _Param, receiver: CQLType | None,
           inferred: list[CQLType | None] | None) -> CQLType | None:
    other = None
    if p.same_as is not None and inferred is not None:
        other = inferred[p.same_as]
    if other is not None and p.prefer_other:
        return other
    t = p.infer(a) if p.infer is not None else _known_type(a)
    if t is None:
        t = other
    if t is None and p.infer_from_receiver:
        t = receiver
    if t is None:
        t = p.default
    return t


def _make_collection(kind: str, *subtypes: CQLType, frozen: bool = True) -> CQLType:
    """A (frozen, like Cassandra's getInstance(..., false)) collection type."""
    from cql.types.collections import ListType, MapType, SetType

    if kind == "list":
        return ListType(subtypes[0], frozen)
    if kind == "set":
        return SetType(subtypes[0], frozen)
    if kind == "map":
        return MapType(subtypes[0], subtypes[1], frozen)
    raise AssertionError(kind)


# ==============================================================================================
# The registry

_FUNCTIONS: dict[str, list[Function]] = {}
_FACTORIES: dict[str, list[_Factory]] = {}
_BUILD_LOCK = threading.Lock()
_BUILT = False


def _add(fn: Function, *aliases: str) -> Function:
    _FUNCTIONS.setdefault(fn.name, []).append(fn)
    for alias in aliases:
        copy = _clone(fn, alias)
        _FUNCTIONS.setdefault(alias, []).append(copy)
    return fn


def _clone(fn: Function, name: str) -> Function:
    import copy

    c = copy.copy(fn)
    c.name = name
    return c


def _add_factory(f: _Factory) -> None:
    for n in (f.name, *f.aliases):
        _FACTORIES.setdefault(n, []).append(f)


def _ensure_built() -> None:
    global _BUILT
    if _BUILT:
        return
    with _BUILD_LOCK:
        if _BUILT:
            return
        _register_time_functions()
        _register_uuid_functions()
        _register_blob_functions()
        _register_cast_functions()
        _register_operations()
        _register_aggregates()
        _register_math()
        _register_collection_functions()
        _register_masking_functions()
        _register_vector_functions()
        _register_json_functions()
        _BUILT = True


def function_exists(name: str) -> bool:
    """Whether any native function (or factory) has this name."""
    _ensure_built()
    n = name.split(".", 1)[1] if name.startswith(SYSTEM + ".") else name
    return n in _FUNCTIONS or n in _FACTORIES


def is_aggregate_name(name: str) -> bool:
    """Whether a native function of this name is an aggregate (count, min, max, sum, avg,
    count_rows)."""
    n = name.split(".", 1)[1] if name.startswith(SYSTEM + ".") else name
    return n in ("count", "count_rows", "countrows", "min", "max", "sum", "avg")


def _split_name(name: str) -> tuple[str | None, str]:
    if "." in name:
        ks, _, fname = name.partition(".")
        return ks, fname
    return None, name


def resolve(name: str, args: Sequence[ArgDesc], receiver: CQLType | None = None,
            keyspace: str | None = None, *, arg_texts: Sequence[str] | None = None,
            context: str = "term",
            partition_key: Sequence[CQLType] | None = None) -> Function:
    """The function a call `name(args)` refers to (Cassandra's FunctionResolver).

    `name` is the function name as written (already lower-cased when unquoted), `ks.name` when
    qualified; `keyspace` is the current keyspace (where user functions would be looked up for an
    unqualified name; native functions are always candidates then). `args` describe
    the arguments (CQLType / LiteralArg / None, see the module docstring). `receiver` is the
    type the result is assigned to, when known (INSERT values, WHERE terms); it picks among
    overloads and is required by from_json(). `arg_texts` are the arguments' CQL texts for
    messages (defaults: literal text, '?', type name). `context` is "term" or "selector":
    only the "Unknown function" wording differs.

    `token(...)` depends on the table: pass `partition_key` (the partition key column types)
    to get Cassandra's argument checks; without it the argument types are used as they are
    (checking that they are the partition key columns, in order, is the planner's job).
    """
    _ensure_built()
    ks, fname = _split_name(name)
    texts = list(arg_texts) if arg_texts is not None else [_default_text(a) for a in args]
    shown = f"{ks}.{fname}" if ks is not None else fname
    if fname == "token" and (ks is None or ks == SYSTEM):
        fn = _token_for(args, partition_key, texts)
        _validate_types(fn, args, texts)
        return fn
    candidates: list[Function] = []
    if ks is None or ks == SYSTEM:
        candidates.extend(_FUNCTIONS.get(fname, ()))
        for fac in _FACTORIES.get(fname, ()):
            candidates.append(fac.create(fname, args, _udf_type(receiver), texts))
    if not candidates:
        if context == "selector":
            raise InvalidRequest(f"Unknown function '{shown}'")
        raise InvalidRequest(f"Unknown function {shown} called")
    if len(candidates) == 1:
        fn = candidates[0]
        _validate_types(fn, args, texts)
        return fn
    return _pick_best(shown, fname, candidates, args, receiver, texts)


class _TokenFunction(Function):
    """token(pk...) -> bigint: the Murmur3 token of the serialized partition key."""

    def __init__(self, pk_types: Sequence[CQLType]) -> None:
        super().__init__("token", pk_types, BIGINT, self._token)

    def _token(self, *values: Any) -> int:
        from cql.types.comparable import serialize_partition_key
        from cassalite.storage.murmur3 import token

        return token(serialize_partition_key(self.arg_types, values))


def token_function(partition_key: Sequence[CQLType]) -> Function:
    """The token() function of a table whose partition key has these column types."""
    return _TokenFunction(partition_key)


def _token_for(args: Sequence[ArgDesc], partition_key: Sequence[CQLType] | None,
               texts: Sequence[str]) -> Function:
    if partition_key is not None:
        return _TokenFunction(partition_key)
    types: list[CQLType] = []
    for a, text in zip(args, texts):
        if not isinstance(a, CQLType):
            raise InvalidRequest(f"Cannot infer type of argument {text} in call to function "
                                 f"{SYSTEM}.token: use type casts to disambiguate")
        types.append(a)
    return _TokenFunction(types)


def _default_text(a: ArgDesc) -> str:
    if a is None:
        return "?"
    if isinstance(a, LiteralArg):
        return str(a)
    return a.name


def _validate_types(fn: Function, args: Sequence[ArgDesc], texts: Sequence[str]) -> None:
    if len(args) != len(fn.arg_types):
        raise InvalidRequest(f"Invalid number of arguments in call to function "
                             f"{fn.qualified_name}: {len(fn.arg_types)} required but "
                             f"{len(args)} provided")
    for i, (a, t) in enumerate(zip(args, fn.arg_types)):
        if a is None:
            continue
        if assignment(a, t) == NOT:
            raise InvalidRequest(f"Type error: {texts[i]} cannot be passed as argument {i} of "
                                 f"function {fn.qualified_name} of type {t.name}")


def _match_args(fn: Function, args: Sequence[ArgDesc]) -> int:
    if len(args) != len(fn.arg_types):
        return NOT
    res = EXACT
    for a, t in zip(args, fn.arg_types):
        if a is None:
            res = WEAK
            continue
        r = assignment(a, t)
        if r == NOT:
            return NOT
        res = min(res, r)
    return res


def _pick_best(shown: str, fname: str, candidates: list[Function], args: Sequence[ArgDesc],
               receiver: CQLType | None, texts: Sequence[str]) -> Function:
    compatibles: list[Function] = []
    for fn in candidates:
        if receiver is not None and _type_assign(fn.return_type, _udf_type(receiver)) == NOT:
            continue
        r = _match_args(fn, args)
        if r == EXACT:
            return fn
        if r == WEAK:
            compatibles.append(fn)
    symbol = _OPERATION_SYMBOLS.get(fname)
    if not compatibles:
        if symbol is not None:
            raise InvalidRequest(f"the '{symbol}' operation is not supported between "
                                 f"{texts[0]} and {texts[1]}")
        sigs = ", ".join(f.signature() for f in candidates)
        raise InvalidRequest(f"Invalid call to function {shown}, none of its type signatures "
                             f"match (known type signatures: {sigs})")
    if len(compatibles) > 1:
        if symbol is not None:
            if receiver is not None and not any(_is_marker(a) for a in args):
                for fn in compatibles:
                    if fn.arg_types[0] == receiver and fn.arg_types[1] == receiver:
                        return fn
            raise InvalidRequest(f"Ambiguous '{symbol}' operation with args {texts[0]} and "
                                 f"{texts[1]}: use type hint to disambiguate, example '(int) ?'")
        if fname == "_negate":
            raise InvalidRequest("Ambiguous negation: use type casts to disambiguate")
        sigs = ", ".join(f.signature() for f in compatibles)
        raise InvalidRequest(f"Ambiguous call to function {shown} (can be matched by following "
                             f"signatures: {sigs}): use type casts to disambiguate")
    return compatibles[0]


def column_name(fn: Function, arg_texts: Sequence[str]) -> str:
    """Result column name of a selector applying `fn` to arguments named `arg_texts`:
    `system.max(b)`, `count` for count(*), `a + b`, `-a`, `cast(v as int)`."""
    return fn.column_name(list(arg_texts))


# ==============================================================================================
# Time functions

_UUID_EPOCH_MS = -12219292800000  # 1582-10-15T00:00:00Z
_MIN_CLOCK_SEQ_AND_NODE = 0x8080808080808080
_MAX_CLOCK_SEQ_AND_NODE = 0x7F7F7F7F7F7F7F7F


def timeuuid_ms(u: _uuid.UUID) -> int:
    """Unix milliseconds of a version-1 uuid (UUIDGen.unixTimestamp)."""
    return u.time // 10000 + _UUID_EPOCH_MS


def _timeuuid_from(raw_ts: int, lsb: int) -> _uuid.UUID:
    raw_ts &= (1 << 60) - 1
    msb = ((raw_ts & 0xFFFFFFFF) << 32) | (((raw_ts >> 32) & 0xFFFF) << 16) | 0x1000 \
        | ((raw_ts >> 48) & 0x0FFF)
    return _uuid.UUID(int=(msb << 64) | lsb)


def min_timeuuid(ms: int) -> _uuid.UUID:
    """The smallest timeuuid of a millisecond (TimeUUID.minAtUnixMillis)."""
    return _timeuuid_from((ms - _UUID_EPOCH_MS) * 10000, _MIN_CLOCK_SEQ_AND_NODE)


def max_timeuuid(ms: int) -> _uuid.UUID:
    """The largest timeuuid of a millisecond (TimeUUID.maxAtUnixMillis)."""
    return _timeuuid_from((ms - _UUID_EPOCH_MS) * 10000 + 9999, _MAX_CLOCK_SEQ_AND_NODE)


class _TimeUUIDGenerator:
    """Unique, increasing v1 uuids: 100ns ticks that never repeat, random clock seq + node."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        seq = random.getrandbits(14)
        node = int.from_bytes(os.urandom(6), "big") | 0x010000000000  # multicast bit: not a MAC
        self._lsb = (0x8000 | seq) << 48 | node

    def next(self) -> _uuid.UUID:
        with self._lock:
            ticks = (_time.time_ns() // 100) - _UUID_EPOCH_MS * 10000
            if ticks <= self._last:
                ticks = self._last + 1
            self._last = ticks
        return _timeuuid_from(ticks, self._lsb)


_TIMEUUIDS = _TimeUUIDGenerator()


def now_timeuuid() -> _uuid.UUID:
    return _TIMEUUIDS.next()


def _now_ms() -> int:
    return _time.time_ns() // 1_000_000


def _ms_to_days(ms: int) -> int:
    """SimpleDateType.fromTimeInMillis: java.time Duration.ofMillis(ms).toDays(), i.e. floor to
    whole seconds then truncate toward zero to days (so -1ms is still 1970-01-01)."""
    secs = ms // 1000
    days = abs(secs) // 86400
    days = days if secs >= 0 else -days
    if not -(2**31) <= days < 2**31:
        raise InvalidRequest(f"Unable to convert timestamp {ms} to a date: out of range")
    return days


def _temporal_ms(t: CQLType, v: Any) -> int:
    """TemporalType.toTimeInMillis of a timestamp, date or timeuuid value."""
    if t is TIMESTAMP:
        return timestamp_to_ms(v)
    if t is DATE:
        return days_of(v) * 86_400_000
    if t is TIMEUUID:
        return timeuuid_ms(v)
    raise AssertionError(t)


def _register_time_functions() -> None:
    _add(Function("now", (), TIMEUUID, now_timeuuid, deterministic=False))
    _add(Function("current_timeuuid", (), TIMEUUID, now_timeuuid, deterministic=False),
         "currenttimeuuid")
    _add(Function("current_timestamp", (), TIMESTAMP, lambda: ms_to_timestamp(_now_ms()),
                  deterministic=False), "currenttimestamp")
    _add(Function("current_date", (), DATE,
                  lambda: date_from_days(_ms_to_days(_now_ms())), deterministic=False),
         "currentdate")
    _add(Function("current_time", (), TIME, lambda: Time(_time.time_ns() % NANOS_PER_DAY),
                  deterministic=False), "currenttime")
    _add(Function("min_timeuuid", (TIMESTAMP,), TIMEUUID,
                  lambda v: min_timeuuid(timestamp_to_ms(v)), monotonic=True), "mintimeuuid")
    _add(Function("max_timeuuid", (TIMESTAMP,), TIMEUUID,
                  lambda v: max_timeuuid(timestamp_to_ms(v)), monotonic=True), "maxtimeuuid")
    for t in (TIMEUUID, TIMESTAMP):
        _add(Function("to_date", (t,), DATE,
                      lambda v, t=t: date_from_days(_ms_to_days(_temporal_ms(t, v))),
                      monotonic=True), "todate")
    for t in (TIMEUUID, DATE):
        _add(Function("to_timestamp", (t,), TIMESTAMP,
                      lambda v, t=t: ms_to_timestamp(_temporal_ms(t, v)), monotonic=True),
             "totimestamp")
    for t in (TIMEUUID, TIMESTAMP, DATE):
        _add(Function("to_unix_timestamp", (t,), BIGINT, lambda v, t=t: _temporal_ms(t, v),
                      monotonic=True), "tounixtimestamp")
    # floor(time, duration[, start]) -- monotonic in its first argument (GROUP BY)
    for t, ret, start in ((TIMESTAMP, TIMESTAMP, TIMESTAMP), (TIMEUUID, TIMESTAMP, TIMESTAMP),
                          (DATE, DATE, DATE)):
        _add(Function("floor", (t, DURATION), ret,
                      lambda v, d, t=t, ret=ret: _floor_temporal(t, ret, v, d, None),
                      monotonic=True))
        _add(Function("floor", (t, DURATION, start), ret,
                      lambda v, d, s, t=t, ret=ret, st=start: _floor_temporal(
                          t, ret, v, d, _temporal_ms(st, s)),
                      monotonic=True))
    _add(Function("floor", (TIME, DURATION), TIME, _floor_time, monotonic=True))


def add_duration_ms(ms: int, months: int, days: int, nanos: int) -> int:
    """Duration.addTo on a UTC calendar: months (day clamped to month end), days, then whole
    milliseconds of the nanoseconds."""
    millis = _java_int_div(nanos, NANOS_PER_MILLI)
    if months == 0 and days == 0:
        return ms + millis
    day, rem = divmod(ms, 86_400_000)
    y, m, d = civil_from_days(day)
    total = y * 12 + (m - 1) + months
    y2, m0 = divmod(total, 12)
    m2 = m0 + 1
    d2 = min(d, days_in_month(y2, m2))
    return (days_from_civil(y2, m2, d2) + days) * 86_400_000 + rem + millis


def _floor_ms(time_ms: int, dur: Duration, start_ms: int) -> int:
    """Duration.floorTimestamp: the latest start + k*dur (k >= 0) not after time_ms."""
    if start_ms > time_ms:
        raise InvalidRequest("The floor function starting time is greater than the provided time")
    if dur.months < 0 or dur.days < 0 or dur.nanoseconds < 0:
        raise InvalidRequest("Negative durations are not supported by the floor function")
    if dur.months == 0:
        step = dur.days * 86_400_000 + dur.nanoseconds // NANOS_PER_MILLI
        if step == 0:
            return time_ms
        return time_ms - (time_ms - start_ms) % step

    def at(k: int) -> int:
        return add_duration_ms(start_ms, dur.months * k, dur.days * k, dur.nanoseconds * k)

    # estimate with 31-day months (an underestimate of k), then walk forward
    approx_ms = dur.months * 31 * 86_400_000 + dur.days * 86_400_000 \
        + dur.nanoseconds // NANOS_PER_MILLI
    k = max(0, (time_ms - start_ms) // approx_ms - 1)
    while at(k) > time_ms and k > 0:
        k -= 1
    while at(k + 1) <= time_ms:
        k += 1
    return at(k)


def _floor_temporal(t: CQLType, ret: CQLType, v: Any, d: Duration, start: int | None) -> Any:
    if ret is DATE:
        if d.nanoseconds != 0:
            raise InvalidRequest(f"The floor on date values cannot be computed for the {d} "
                                 "duration as precision is below 1 day")
    elif d.nanoseconds % NANOS_PER_MILLI != 0:
        raise InvalidRequest(f"The floor cannot be computed for the {d} duration as precision "
                             "is below 1 millisecond")
    ms = _floor_ms(_temporal_ms(t, v), d, 0 if start is None else start)
    if ret is DATE:
        return date_from_days(_ms_to_days(ms))
    return ms_to_timestamp(ms)


def _floor_time(v: Time, d: Duration) -> Time:
    if d.months < 0 or d.days < 0 or d.nanoseconds < 0:
        raise InvalidRequest("Negative durations are not supported by the floor function")
    if d.months != 0 or d.days != 0 or d.nanoseconds > NANOS_PER_DAY:
        raise InvalidRequest("For time values, the floor can only be computed for durations "
                             "smaller that a day")
    if d.nanoseconds == 0:
        return Time(int(v))
    return Time(int(v) - int(v) % d.nanoseconds)


def _register_uuid_functions() -> None:
    _add(Function("uuid", (), UUID, _uuid.uuid4, deterministic=False))


# ==============================================================================================
# Blob conversions

# CQL3Type.Native order; `varchar` gets its own pair of functions like in Cassandra
_BLOB_TYPE_NAMES = ("ascii", "bigint", "boolean", "counter", "date", "decimal", "double",
                    "duration", "float", "inet", "int", "smallint", "text", "timestamp",
                    "tinyint", "uuid", "varchar", "varint", "timeuuid", "time")


def _udf_type(t: CQLType | None) -> CQLType | None:
    """AbstractType.udfType(): counters are seen as bigint by functions."""
    return BIGINT if t is COUNTER else t


def _register_blob_functions() -> None:
    for tname in _BLOB_TYPE_NAMES:
        t = _udf_type(NATIVE_TYPES[tname])
        _add(Function(f"{tname}_as_blob", (t,), BLOB, lambda v, t=t: t.serialize(v)),
             f"{tname}asblob")
        _add(Function(f"blob_as_{tname}", (BLOB,), t, None), f"blobas{tname}")
    for fn in _FUNCTIONS.values():
        for f in fn:
            if f.name.startswith("blob_as_") or f.name.startswith("blobas"):
                tname = f.name[8:] if f.name.startswith("blob_as_") else f.name[6:]
                f._impl = _from_blob_impl(f, tname)


def _from_blob_impl(fn: Function, tname: str) -> Callable[[bytes], Any]:
    t = fn.return_type

    def impl(b: bytes) -> Any:
        try:
            return t.deserialize(b)
        except MarshalError:
            raise InvalidRequest(f"In call to function {fn.qualified_name}, value 0x{b.hex()} "
                                 f"is not a valid binary representation for type "
                                 f"{tname}") from None
    return impl


# ==============================================================================================
# CAST

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


# ==============================================================================================
# Arithmetic operators

_OPERATION_NAMES = {"+": "_add", "-": "_substract", "*": "_multiply", "/": "_divide",
                    "%": "_modulo"}
_OPERATION_SYMBOLS = {v: k for k, v in _OPERATION_NAMES.items()}


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


# ==============================================================================================
# Aggregates

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
                             lambda s: None if s is None else s[1])


def _count(t: CQLType) -> AggregateFunction:
    return AggregateFunction("count", (t,), BIGINT, lambda: 0, lambda s, a: s + 1, lambda s: s)


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


# ==============================================================================================
# Math (5.0): abs, exp, log, log10, round

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


# ==============================================================================================
# Collection functions (5.0)

def _map_param() -> _Param:
    return _Param("map", check=lambda t: _collection_kind(t) == "map",
                  message="Function {name} requires a map argument, but found argument {arg} "
                          "of type {type}")


def _set_or_list_param() -> _Param:
    return _Param("numeric_set_or_list", check=lambda t: _collection_kind(t) in ("list", "set"),
                  message="Function {name} requires a set or list argument, but found argument "
                          "{arg} of type {type}")


def _numeric_set_or_list_param() -> _Param:
    return _Param("numeric_set_or_list",
                  check=lambda t: _collection_kind(t) in ("list", "set")
                  and _elem_type(t) in _NUMERIC,
                  message="Function {name} requires a numeric set/list argument, but found "
                          "argument {arg} of type {type}")


def _aggregate_elements(agg: AggregateFunction, values: Iterable[Any]) -> Any:
    s = agg.new_state()
    for v in values:
        s = agg.add(s, [v])
    return agg.result(s)


def _register_collection_functions() -> None:
    def map_keys(ts: list[CQLType], r: Any, a: Any) -> Function:
        kt, _ = _map_types(ts[0])
        ret = _make_collection("set", kt)
        return Function("map_keys", ts, ret, lambda m: ret.validate(list(m.keys())))

    def map_values(ts: list[CQLType], r: Any, a: Any) -> Function:
        _, vt = _map_types(ts[0])
        ret = _make_collection("list", vt)
        return Function("map_values", ts, ret, lambda m: ret.validate(list(m.values())))

    _add_factory(_Factory("map_keys", [_map_param()], map_keys))
    _add_factory(_Factory("map_values", [_map_param()], map_values))
    _add_factory(_Factory("collection_count",
                          [_Param("collection", check=lambda t: t.is_collection,
                                  message="Function {name} requires a collection argument, but "
                                          "found argument {arg} of type {type}")],
                          lambda ts, r, a: Function("collection_count", ts, INT, len)))

    def element_aggregate(name: str, agg_name: str) -> Callable[..., Function]:
        def build(ts: list[CQLType], r: Any, a: Any) -> Function:
            et = _elem_type(ts[0])
            agg = (_min_max(agg_name, et) if agg_name in ("min", "max")
                   else _resolve_native_aggregate(agg_name, et))
            return Function(name, ts, agg.return_type,
                            lambda c: _aggregate_elements(agg, c))
        return build

    _add_factory(_Factory("collection_min", [_set_or_list_param()],
                          element_aggregate("collection_min", "min")))
    _add_factory(_Factory("collection_max", [_set_or_list_param()],
                          element_aggregate("collection_max", "max")))
    _add_factory(_Factory("collection_sum", [_numeric_set_or_list_param()],
                          element_aggregate("collection_sum", "sum")))
    _add_factory(_Factory("collection_avg", [_numeric_set_or_list_param()],
                          element_aggregate("collection_avg", "avg")))


def _resolve_native_aggregate(name: str, t: CQLType) -> AggregateFunction:
    for fn in _FUNCTIONS.get(name, ()):
        if fn.arg_types[0] == t:
            assert isinstance(fn, AggregateFunction)
            return fn
    raise InvalidRequest(f"No {name} function for {t.name}")


# ==============================================================================================
# Masking functions (5.0)

def masked_value(t: CQLType) -> Any:
    """AbstractType.getMaskedValue: what mask_default() shows for a type."""
    kind = _collection_kind(t)
    if kind == "vector":
        return [masked_value(_elem_type(t))] * int(getattr(t, "dimension", 0))
    if kind in ("list", "set", "map"):
        return t.validate([])
    if kind in ("tuple", "udt"):
        subs = getattr(t, "types", None) or t.subtypes
        return t.validate(tuple(masked_value(s) for s in subs))
    return {
        ASCII: "****", TEXT: "****", BIGINT: 0, COUNTER: 0, BLOB: b"", BOOLEAN: False,
        DATE: date_from_days(0), DECIMAL: Decimal(0), DOUBLE: 0.0, FLOAT: 0.0, INET: "0.0.0.0",
        INT: 0, SMALLINT: 0, TINYINT: 0, VARINT: 0, TIMESTAMP: ms_to_timestamp(0),
        TIME: Time(0), DURATION: Duration(0, 0, 0), UUID: _uuid.UUID(int=0),
        TIMEUUID: min_timeuuid(0),
    }.get(t)


def mask_partial(value: str, begin: int, end: int, padding: str, inner: bool) -> str:
    """mask_inner masks all but the first `begin` and last `end` characters; mask_outer masks
    only those."""
    size = len(value)
    last = size - 1 - end
    out = []
    for i, ch in enumerate(value):
        inside = begin <= i <= last
        out.append(padding if inside == inner else ch)
    return "".join(out)


_STRING_LABEL = "[text|varchar|ascii]"


def _register_masking_functions() -> None:
    _add_factory(_Factory("mask_null", [_Param("any")],
                          lambda ts, r, a: Function("mask_null", ts, ts[0], lambda v: None,
                                                    called_on_null=True)))

    def default(ts: list[CQLType], r: Any, a: Any) -> Function:
        masked = masked_value(ts[0])
        return Function("mask_default", ts, ts[0], lambda v: masked, called_on_null=True)
    _add_factory(_Factory("mask_default", [_Param("any")], default))
    _add_factory(_Factory("mask_replace", [_Param("any", infer_from_receiver=True),
                                           _Param("any", infer_from_receiver=True, same_as=0)],
                          lambda ts, r, a: Function("mask_replace", ts, ts[0],
                                                    lambda v, x: x, called_on_null=True)))

    def fixed(label: str, accepted: tuple[CQLType, ...], optional: bool = False) -> _Param:
        return _Param(label, check=lambda t: t in accepted, default=accepted[0],
                      optional=optional,
                      message="Function {name} requires an argument of type " + label
                              + ", but found argument {arg} of type {type}")

    def partial(name: str, inner: bool) -> Callable[..., Function]:
        def build(ts: list[CQLType], r: Any, a: Any) -> Function:
            def run(v: str | None, b: int | None, e: int | None, c: str | None = None) -> Any:
                if v is None:
                    return None
                if c is not None and len(c) != 1:
                    raise InvalidRequest(f"The padding argument for function {SYSTEM}.{name} "
                                         f"should be single-character, but '{c}' has {len(c)} "
                                         "characters.")
                return mask_partial(v, b or 0, e or 0, "*" if c is None else c, inner)
            return Function(name, ts, ts[0], run, called_on_null=True)
        return build

    for name, inner in (("mask_inner", True), ("mask_outer", False)):
        _add_factory(_Factory(name, [fixed(_STRING_LABEL, (TEXT, ASCII)), fixed("int", (INT,)),
                                     fixed("int", (INT,)), fixed("text", (TEXT,), optional=True)],
                              partial(name, inner)))

    def hash_fn(ts: list[CQLType], r: Any, a: Any) -> Function:
        src = ts[0]

        def run(v: Any, algorithm: str | None = None) -> Any:
            if v is None:
                return None
            algo = algorithm if algorithm is not None else "SHA-256"
            try:
                h = hashlib.new(algo.replace("-", "").lower())
            except ValueError:
                raise InvalidRequest(f"Hash algorithm not found: {algo}") from None
            h.update(src.serialize(v) or b"")
            return h.digest()
        return Function("mask_hash", ts, BLOB, run, called_on_null=True)
    _add_factory(_Factory("mask_hash", [_Param("any"), fixed("text", (TEXT,), optional=True)],
                          hash_fn))


# ==============================================================================================
# Vector similarity (5.0)

def _vector_param(other: int) -> _Param:
    def infer(a: ArgDesc) -> CQLType | None:
        from cql.types.collections import VectorType

        if isinstance(a, LiteralArg) and a.kind == "list" and a.elements:
            return VectorType(FLOAT, len(a.elements))
        return _known_type(a)

    def check(t: CQLType) -> bool:
        return _collection_kind(t) in ("vector", "list") and _elem_type(t) is FLOAT

    return _Param("vector<float, n>", check=check, same_as=other, prefer_other=False, infer=infer,
                  message="Function {name} requires a float vector argument, but found "
                          "argument {arg} of type {type}")


def _similarity(name: str, f: Callable[[list, list], float],
                zero_ok: bool) -> Callable[..., Function]:
    def build(ts: list[CQLType], r: Any, a: Any) -> Function:
        d0 = getattr(ts[0], "dimension", None)
        d1 = getattr(ts[1], "dimension", None)
        if d0 is not None and d1 is not None and d0 != d1:
            raise InvalidRequest(f"All arguments must have the same vector dimensions, but found "
                                 f"{ts[0].name} and {ts[1].name}")

        def run(x: list, y: list) -> float:
            if len(x) != len(y):
                raise InvalidRequest("All arguments must have the same vector dimensions, but "
                                     f"found vector<float, {len(x)}> and "
                                     f"vector<float, {len(y)}>")
            xs = [float(v) for v in x]
            ys = [float(v) for v in y]
            if not zero_ok and (not any(xs) or not any(ys)):
                raise InvalidRequest(f"Function {name} doesn't support all-zero vectors.")
            return to_float32(f(xs, ys))
        return Function(name, (ts[0], ts[0]), FLOAT, run)
    return build


def _cosine(x: list, y: list) -> float:
    dot = sum(a * b for a, b in zip(x, y))
    norm = math.sqrt(sum(a * a for a in x) * sum(b * b for b in y))
    return (1 + dot / norm) / 2


def _euclidean(x: list, y: list) -> float:
    return 1 / (1 + sum((a - b) ** 2 for a, b in zip(x, y)))


def _dot(x: list, y: list) -> float:
    return (1 + sum(a * b for a, b in zip(x, y))) / 2


def _register_vector_functions() -> None:
    for name, f, zero_ok in (("similarity_cosine", _cosine, False),
                             ("similarity_euclidean", _euclidean, True),
                             ("similarity_dot_product", _dot, True)):
        _add_factory(_Factory(name, [_vector_param(1), _vector_param(0)],
                              _similarity(name, f, zero_ok)))


# ==============================================================================================
# JSON

def _register_json_functions() -> None:
    def to_json(ts: list[CQLType], r: Any, a: Any) -> Function:
        t = ts[0]
        return Function("to_json", ts, TEXT, t.to_json_text, called_on_null=True)
    _add_factory(_Factory("to_json", [_Param("any")], to_json, aliases=("tojson",)))

    def from_json(ts: list[CQLType], r: CQLType | None, a: Any) -> Function:
        if r is None:
            raise InvalidRequest("from_json() cannot be used in the selection clause of a "
                                 "SELECT statement")
        fn = Function("from_json", (TEXT,), r, None)
        fn._impl = _from_json_impl(fn, r)
        return fn
    _add_factory(_Factory("from_json",
                          [_Param("text", check=lambda t: t in (TEXT, ASCII), default=TEXT,
                                  message="Function {name} requires an argument of type text, "
                                          "but found argument {arg} of type {type}")],
                          from_json, aliases=("fromjson",)))


def _from_json_impl(fn: Function, t: CQLType) -> Callable[[str], Any]:
    def impl(text: str) -> Any:
        prefix = f"execution of '{fn.qualified_name}[text]' failed: "
        try:
            obj = json.loads(text, parse_float=Decimal)
        except ValueError as e:
            raise FunctionFailure(f"{prefix}Could not decode JSON string '{text}': {e}") from None
        if obj is None:
            return None
        try:
            return t.from_json(obj)
        except MarshalError as e:
            raise FunctionFailure(prefix + str(e)) from None
    return impl
