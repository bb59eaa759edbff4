"""The registry of built-in functions (name -> overloads, factories), filled on first
use, and overload resolution (Cassandra's FunctionResolver)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cassalite.storage.murmur3 import token
from cql.errors import InvalidRequest
from cql.types.base import CQLType
from cql.types.comparable import serialize_partition_key
from cql.types.native import (
    BIGINT,
)

from .arguments import (
    EXACT,
    NOT,
    WEAK,
    ArgDesc,
    LiteralArg,
    _is_marker,
    _type_assign,
    _udf_type,
    assignment,
)
from .base import _OPERATION_SYMBOLS, SYSTEM, Function
from .factories import _Factory

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
        # The families import this module to register into it: imported here, on first use.
        from . import (
            aggregates,
            blob,
            cast,
            collection,
            format,
            json,
            length,
            masking,
            math,
            operators,
            time,
            vector,
        )

        time._register_time_functions()
        time._register_uuid_functions()
        blob._register_blob_functions()
        cast._register_cast_functions()
        operators._register_operations()
        aggregates._register_aggregates()
        math._register_math()
        collection._register_collection_functions()
        masking._register_masking_functions()
        vector._register_vector_functions()
        json._register_json_functions()
        format._register_format_functions()
        length._register_length_functions()
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
