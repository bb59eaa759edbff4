"""Hypothesis strategies for CQL types and their values, plus a Python-level CQL order key."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import uuid
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

import cql.types as T
from cql.types.native import timestamp_to_ms
from cql.types.values import NANOS_PER_DAY, Duration, Time, date_from_days, days_of

ORDERED_NATIVES = [T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.VARINT, T.FLOAT, T.DOUBLE,
                   T.DECIMAL, T.TEXT, T.ASCII, T.BLOB, T.BOOLEAN, T.UUID, T.TIMEUUID, T.INET,
                   T.TIMESTAMP, T.DATE, T.TIME]
ALL_NATIVES = [*ORDERED_NATIVES, T.COUNTER, T.DURATION]

UDT_REGISTRY: dict[str, T.UserType] = {}


def make_udt(types: list[T.CQLType], frozen: bool = True) -> T.UserType:
    digest = hashlib.md5(",".join(t.name for t in types).encode()).hexdigest()[:8]
    # every third UDT gets a name and fields that need quoting
    weird = int(digest, 16) % 3 == 0
    name = f"U {digest}" if weird else f"u{digest}"
    fields = [f"F{i}" if weird else f"f{i}" for i in range(len(types))]
    base = T.UserType("ks", name, fields, [t.freeze() for t in types], False)
    UDT_REGISTRY[name] = base
    return base.freeze() if frozen else base


def udt_lookup(name: str) -> T.UserType | None:
    return UDT_REGISTRY.get(name)


def _extend(children: st.SearchStrategy[T.CQLType]) -> st.SearchStrategy[T.CQLType]:
    return st.one_of(
        children.map(lambda t: T.ListType(t.freeze(), True)),
        children.map(lambda t: T.SetType(t.freeze(), True)),
        st.tuples(children, children).map(lambda kv: T.MapType(kv[0].freeze(), kv[1].freeze(),
                                                               True)),
        st.lists(children, min_size=1, max_size=3).map(
            lambda ts: T.TupleType([t.freeze() for t in ts])),
        st.lists(children, min_size=1, max_size=3).map(make_udt),
        st.tuples(children, st.integers(1, 3)).map(lambda x: T.VectorType(x[0], x[1])),
    )


ordered_types = st.recursive(st.sampled_from(ORDERED_NATIVES), _extend, max_leaves=4)


def _decimal() -> st.SearchStrategy[Decimal]:
    def build(n: int, exp: int) -> Decimal:
        return Decimal((1 if n < 0 else 0, tuple(map(int, str(abs(n)))), exp))
    return st.builds(build, st.one_of(st.integers(-1000, 1000), st.integers(-10**40, 10**40)),
                     st.integers(-40, 40))


_blob = st.one_of(st.binary(max_size=12),
                  st.lists(st.sampled_from([0, 0, 0, 1, 0x22, 0xFE, 0xFF]), max_size=8).map(bytes))


def _timeuuid(n: int) -> uuid.UUID:
    n &= ~(0xF << 76)
    n |= 1 << 76
    return uuid.UUID(int=n)


def _native_values(t: T.CQLType, allow_nan: bool, allow_inf: bool = True
                   ) -> st.SearchStrategy[Any]:
    if t in (T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.COUNTER):
        return st.integers(t.lo, t.hi)  # type: ignore[attr-defined]
    if t is T.VARINT:
        return st.one_of(st.integers(-300, 300), st.integers(-2**70, 2**70),
                         st.integers(-2**1100, 2**1100))
    if t is T.FLOAT:
        return st.floats(width=32, allow_nan=allow_nan, allow_infinity=allow_inf)
    if t is T.DOUBLE:
        return st.floats(allow_nan=allow_nan, allow_infinity=allow_inf)
    if t is T.DECIMAL:
        return _decimal()
    if t is T.TEXT:
        return st.text(max_size=8)
    if t is T.ASCII:
        return st.text(alphabet=st.characters(max_codepoint=127), max_size=8)
    if t is T.BLOB:
        return _blob
    if t is T.BOOLEAN:
        return st.booleans()
    if t is T.UUID:
        return st.one_of(st.uuids(), st.integers(0, 2**128 - 1).map(lambda n: uuid.UUID(int=n)),
                         st.integers(0, 2**128 - 1).map(_timeuuid))
    if t is T.TIMEUUID:
        return st.integers(0, 2**128 - 1).map(_timeuuid)
    if t is T.INET:
        return st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
    if t is T.TIMESTAMP:
        return st.one_of(st.integers(-2**63, 2**63 - 1), st.integers(-10**13, 10**13))
    if t is T.DATE:
        return st.one_of(st.integers(-2**31, 2**31 - 1), st.integers(-800_000, 3_000_000)).map(
            date_from_days)
    if t is T.TIME:
        return st.integers(0, NANOS_PER_DAY - 1).map(Time)
    if t is T.DURATION:
        return st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1),
                         st.integers(0, 2**63 - 1), st.booleans()).map(
            lambda x: Duration(-x[0], -x[1], -x[2]) if x[3] else Duration(x[0], x[1], x[2]))
    raise AssertionError(t)


def raw_values(t: T.CQLType, allow_nan: bool = False, allow_inf: bool = True
               ) -> st.SearchStrategy[Any]:
    """Values t.validate() accepts (not yet canonical)."""
    if isinstance(t, T.SetType):
        return st.lists(raw_values(t.elem, allow_nan, allow_inf), max_size=4)
    if isinstance(t, T.ListType):
        return st.lists(raw_values(t.elem, allow_nan, allow_inf), max_size=4)
    if isinstance(t, T.MapType):
        return st.lists(st.tuples(raw_values(t.key, allow_nan, allow_inf),
                                  raw_values(t.value, allow_nan, allow_inf)), max_size=3)
    if isinstance(t, (T.TupleType, T.UserType)):
        return st.tuples(*[st.one_of(st.none(), raw_values(s, allow_nan, allow_inf))
                           for s in t.types])
    if isinstance(t, T.VectorType):
        return st.lists(raw_values(t.elem, allow_nan, allow_inf), min_size=t.dimension,
                        max_size=t.dimension)
    return _native_values(t, allow_nan, allow_inf)


def values(t: T.CQLType, allow_nan: bool = False, allow_inf: bool = True
           ) -> st.SearchStrategy[Any]:
    return raw_values(t, allow_nan, allow_inf).map(t.validate)


# -- the Python-level CQL order, written independently of the byte encodings ------------------

def _uuid_time(msb: int) -> int:
    return ((msb & 0xFFF) << 48) | (((msb >> 16) & 0xFFFF) << 32) | (msb >> 32)


def order_key(t: T.CQLType, v: Any) -> Any:
    if v is None:
        return (0,)
    return (1, _key(t, v))


def _key(t: T.CQLType, v: Any) -> Any:
    if isinstance(t, T.SetType):
        return sorted(_key(t.elem, x) for x in v)
    if isinstance(t, (T.ListType, T.VectorType)):
        return [_key(t.elem, x) for x in v]
    if isinstance(t, T.MapType):
        return sorted((_key(t.key, k), _key(t.value, x)) for k, x in v.items())
    if isinstance(t, (T.TupleType, T.UserType)):
        return [order_key(s, x) for s, x in zip(t.types, v)]
    if t in (T.FLOAT, T.DOUBLE):
        if math.isnan(v):
            return (1, 0.0, True)
        return (0, v, math.copysign(1.0, v) > 0)  # -0.0 < 0.0 like Float.compare
    if t in (T.TEXT, T.ASCII):
        return v.encode("utf-8")
    if t is T.INET:
        return ipaddress.ip_address(v).packed
    if t is T.UUID:
        msb, lsb = v.int >> 64, v.int & (2**64 - 1)
        version = (msb >> 12) & 0xF
        return (version, _uuid_time(msb) if version == 1 else msb, lsb)
    if t is T.TIMEUUID:
        msb, lsb = v.int >> 64, v.int & (2**64 - 1)
        return (_uuid_time(msb), tuple(b - 256 if b > 127 else b for b in lsb.to_bytes(8, "big")))
    if t is T.TIMESTAMP:
        return timestamp_to_ms(v)
    if t is T.DATE:
        return days_of(v)
    return v  # integers, varint, decimal, blob, boolean, time


def cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)
