"""Vector similarity functions (5.0; Cassandra's VectorFcts)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType, to_float32
from cql.types.collections import VectorType
from cql.types.native import (
    FLOAT,
)

from .arguments import ArgDesc, LiteralArg, _collection_kind, _elem_type
from .base import Function
from .factories import _Factory, _known_type, _Param
from .registry import _add_factory


def _vector_param(other: int) -> _Param:
    def infer(a: ArgDesc) -> CQLType | None:
        if isinstance(a, LiteralArg) and a.kind == "list" and a.elements:
            return VectorType(FLOAT, len(a.elements))
        return _known_type(a)

    def check(t: CQLType) -> bool:
        return _collection_kind(t) == "vector" and _elem_type(t) is FLOAT

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
                raise InvalidRequest(f"Function system.{name} doesn't support all-zero vectors.")
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
