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
    def to_json(ts: list[CQLType], r: Any, a: Any) -> Function:
        t = ts[0]
        return Function("to_json", ts, TEXT, t.to_json_text, called_on_null=True,
                        takes_empty=True)
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
