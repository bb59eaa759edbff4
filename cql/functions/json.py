"""to_json / from_json (Cassandra's ToJsonFct, FromJsonFct)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cql.errors import FunctionFailure, InvalidRequest
from cql.types.base import CQLType
from cql.types.native import (
    ASCII,
    TEXT,
)
from cql.types.values import (
    MarshalError,
)

from .base import Function
from .factories import _Factory, _Param
from .registry import _add_factory


def _register_json_functions() -> None:
    # One factory per name, as Cassandra registers the pre-5.0 names (tojson, fromjson)
    # beside the new ones: messages name the function as it was called.
    for name in ("to_json", "tojson"):
        _add_factory(_Factory(name, [_Param("any")], _to_json))
    for name in ("from_json", "fromjson"):
        _add_factory(_Factory(
            name,
            [_Param("text", check=lambda t: t in (TEXT, ASCII), default=TEXT,
                    message="Function {name} requires an argument of type text, "
                            "but found argument {arg} of type {type}")],
            _from_json_builder(name)))


def _to_json(ts: list[CQLType], r: Any, a: Any) -> Function:
    return Function("to_json", ts, TEXT, ts[0].to_json_text, called_on_null=True,
                    takes_empty=True)


def _from_json_builder(name: str) -> Callable[[list[CQLType], CQLType | None, Any], Function]:
    def from_json(ts: list[CQLType], r: CQLType | None, a: Any) -> Function:
        if r is None:
            raise InvalidRequest(f"{name}() cannot be used in the selection clause of a "
                                 "SELECT statement")
        fn = Function("from_json", (TEXT,), r, None)
        fn._impl = _from_json_impl(fn, r)
        return fn
    return from_json


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
