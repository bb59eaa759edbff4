"""Masking functions (5.0; Cassandra's masking package)."""

from __future__ import annotations

import hashlib
import uuid as _uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType
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
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMEUUID,
    TINYINT,
    UUID,
    VARINT,
    ms_to_timestamp,
)
from cql.types.values import (
    Duration,
    Time,
    date_from_days,
)

from .arguments import _collection_kind, _elem_type
from .base import SYSTEM, Function
from .factories import _Factory, _Param
from .registry import _add_factory
from .time import min_timeuuid


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
                # the padding is checked first: a bad one fails even on null values
                if c is not None and len(c) != 1:
                    raise InvalidRequest(f"The padding argument for function {SYSTEM}.{name} "
                                         f"should be single-character, but '{c}' has {len(c)} "
                                         "characters.")
                if v is None:
                    return None
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
            # the digest is looked up first: an unknown algorithm fails even on null values
            algo = algorithm if algorithm is not None else "SHA-256"
            try:
                h = hashlib.new(algo.replace("-", "").lower())
            except ValueError:
                raise InvalidRequest(f"Hash algorithm not found: {algo}") from None
            if v is None:
                return None
            h.update(src.serialize(v) or b"")
            return h.digest()
        return Function("mask_hash", ts, BLOB, run, called_on_null=True)
    _add_factory(_Factory("mask_hash", [_Param("any"), fixed("text", (TEXT,), optional=True)],
                          hash_fn))


#: The native masking functions (MaskingFunction's subclasses): the only functions a column
#: may be masked with.
MASKING_FUNCTIONS = frozenset({"mask_null", "mask_default", "mask_replace", "mask_inner",
                               "mask_outer", "mask_hash"})


def column_masker(mask: Any, column_type: CQLType) -> Callable[[Any], Any]:
    """A column's mask (``cql.schema.masks.ColumnMask``) as a function of the column's value
    (ColumnMask.Masker): its function resolved for the column's type, the partial arguments
    bound once."""
    from .registry import resolve

    fn = resolve(mask.qualified_name, [column_type, *mask.argument_types], receiver=column_type)
    rest = list(mask.argument_values)
    return lambda value: fn.execute([value, *rest])
