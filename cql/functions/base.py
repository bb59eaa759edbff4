"""Function objects: scalar and aggregate functions, operators, casts, count(*)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import DecimalException
from typing import Any

from cql.errors import FunctionFailure, InvalidRequest
from cql.types.base import CQLType
from cql.types.values import (
    EMPTY,
    MarshalError,
)

from .arguments import _type_name

SYSTEM = "system"

_OPERATION_NAMES = {"+": "_add", "-": "_substract", "*": "_multiply", "/": "_divide",
                    "%": "_modulo"}
_OPERATION_SYMBOLS = {v: k for k, v in _OPERATION_NAMES.items()}


class Function:
    """A native scalar function. `execute(args)` takes and returns Python values."""

    keyspace: str = SYSTEM
    is_aggregate = False
    is_operation = False  # + - * / % and unary minus (column names like "a + b")
    is_cast = False

    def __init__(self, name: str, arg_types: Sequence[CQLType], return_type: CQLType,
                 impl: Callable[..., Any] | None = None, *, deterministic: bool = True,
                 monotonic: bool = False, partially_monotonic: bool = False,
                 called_on_null: bool = False, takes_empty: bool = False) -> None:
        self.name = name
        self.arg_types = tuple(arg_types)
        self.return_type = return_type
        self._impl = impl
        self.is_deterministic = deterministic
        # GROUP BY needs monotonic functions; floor() is monotonic only in its first argument
        # with the others fixed (Cassandra's isPartialApplicationMonotonic).
        self.is_monotonic = monotonic
        self.is_partially_monotonic = partially_monotonic
        self.called_on_null = called_on_null
        # whether an empty argument (`EMPTY`) reaches the function as such; to the others it
        # is a null (Cassandra's functions compose an empty int, uuid... to null)
        self.takes_empty = takes_empty

    @property
    def qualified_name(self) -> str:
        return f"{self.keyspace}.{self.name}"

    def execute(self, args: Sequence[Any]) -> Any:
        """Result for these argument values. Null in gives null out unless the function is
        declared to handle nulls; an empty value is a null unless it `takes_empty`."""
        if any(a is None or a is EMPTY for a in args):
            if not self.takes_empty:
                args = [None if a is EMPTY else a for a in args]
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
                 final: Callable[[Any], Any], *, skip_nulls: bool = True,
                 takes_empty: bool = False) -> None:
        super().__init__(name, arg_types, return_type, takes_empty=takes_empty)
        self._init = init
        self._step = step
        self._final = final
        self._skip_nulls = skip_nulls

    def new_state(self) -> Any:
        return self._init()

    def add(self, state: Any, args: Sequence[Any]) -> Any:
        if self._skip_nulls and args and (args[0] is None or
                                          (args[0] is EMPTY and not self.takes_empty)):
            return state  # sum and avg skip empty values, count, min and max see them
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
        if any(a is None or a is EMPTY for a in args):
            return None
        try:
            return self._impl(*args)  # type: ignore[misc]
        except (ArithmeticError, ValueError, MarshalError) as e:
            # a decimal signal (Overflow, Underflow...) as Java's BigDecimal words it
            msg = type(e).__name__ if isinstance(e, DecimalException) else str(e) or \
                type(e).__name__
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
