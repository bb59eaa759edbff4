"""Collection functions (5.0; Cassandra's CollectionFcts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cql.errors import InvalidRequest
from cql.types.base import CQLType
from cql.types.native import (
    INT,
)

from .aggregates import _min_max
from .arguments import _collection_kind, _elem_type, _map_types
from .base import AggregateFunction, Function
from .factories import _Factory, _make_collection, _Param
from .javanum import _NUMERIC
from .registry import _FUNCTIONS, _add_factory


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
