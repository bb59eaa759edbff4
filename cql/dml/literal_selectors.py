"""Collection, tuple and UDT literals in a selection (``[min(ck), max(ck)]``, ``(pk, ck)``,
``(typ1){a: pk}``): Cassandra's Selectable.WithList / WithSet / WithMapOrUdt /
BetweenParenthesesOrWithTuple.

A literal's type is its exact type when its elements tell it (a list or set: its first
element whose type is known; a tuple of two or more: all of them), else the type its context
expects (a cast, the enclosing literal's element type); neither is "Cannot infer type for
term". Maps and UDTs are written alike, so they always need the context's type. The value is
built from the elements' values (aggregates inside fold as function arguments do).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cql.errors import InvalidRequest
from cql.plan.terms import compile_term, resolve_type
from cql.syntax import ast, unparse
from cql.types import CQLType, ListType, MapType, SetType, UserType
from cql.types.collections import TupleType, VectorType

if TYPE_CHECKING:
    from .selection import SelectionCompiler, Selector

LITERALS = (ast.ListLiteral, ast.SetLiteral, ast.MapLiteral, ast.TupleLiteral, ast.UDTLiteral)
_TERMS = (ast.Constant, ast.Null, ast.BindMarker)


def has_selectors(node: Any) -> bool:
    """Does a literal hold an element that reads the row (a column, a function...)?"""
    if isinstance(node, (ast.ListLiteral, ast.SetLiteral, ast.TupleLiteral)):
        return any(has_selectors(i) for i in node.items)
    if isinstance(node, ast.MapLiteral):
        return any(has_selectors(k) or has_selectors(v) for k, v in node.pairs)
    if isinstance(node, ast.UDTLiteral):
        return any(has_selectors(v) for _, v in node.fields)
    if isinstance(node, ast.TypeHint):
        return has_selectors(node.expr)
    return not isinstance(node, _TERMS)


class _Construct:
    """The 'function' of a literal selector: builds its value from the elements' values."""

    is_aggregate = False
    is_deterministic = True

    def __init__(self, ctype: CQLType, build):
        self.return_type = ctype
        self._build = build
        self.name = self.qualified_name = "literal"

    def execute(self, values: list) -> Any:
        return self.return_type.validate(self._build(values))


class LiteralCompiler:
    """Compiles literal selectors for one SelectionCompiler; element selectors are compiled
    once (a function's markers are counted once) even when their type is asked first."""

    def __init__(self, comp: SelectionCompiler, in_aggregate: bool):
        self.comp, self.in_aggregate = comp, in_aggregate
        self._compiled: dict[int, Selector] = {}

    def _selector(self, node: Any) -> Selector:
        sel = self._compiled.get(id(node))
        if sel is None:
            sel = self._compiled[id(node)] = self.comp.compile(node, self.in_aggregate)
        return sel

    def exact_type(self, node: Any) -> CQLType | None:
        """Selectable.getExactTypeIfKnown."""
        if isinstance(node, ast.ListLiteral):
            t = next((t for t in map(self.exact_type, node.items) if t is not None), None)
            return None if t is None else ListType(t, frozen=True)
        if isinstance(node, ast.SetLiteral):
            t = next((t for t in map(self.exact_type, node.items) if t is not None), None)
            return None if t is None else SetType(t, frozen=True)
        if isinstance(node, (ast.MapLiteral, ast.UDTLiteral)):
            return None
        if isinstance(node, ast.TupleLiteral):
            types = [self.exact_type(i) for i in node.items]
            return None if len(types) < 2 or None in types else TupleType(types)
        if isinstance(node, ast.TypeHint):
            return resolve_type(node.type, self.comp.ctx).freeze()
        if isinstance(node, _TERMS):
            return None
        return self._selector(node).type

    def typed(self, node: Any, expected: CQLType | None) -> Selector:
        """An element of a literal, compiled for the type the literal gives it."""
        if isinstance(node, LITERALS) and has_selectors(node):
            return self.literal(node, expected)
        if isinstance(node, ast.TypeHint) and isinstance(node.expr, LITERALS) \
                and has_selectors(node.expr):
            hint = resolve_type(node.type, self.comp.ctx)
            check_durations(hint)
            return self.literal(node.expr, hint.freeze(), unparse.selector(node))
        if isinstance(node, _TERMS + LITERALS):
            name = unparse.selector(node)
            if expected is None:
                raise _cannot_infer(name)
            return self.comp._term_selector(compile_term(node, expected, name, self.comp.ctx),
                                            expected, name)
        return self._selector(node)

    def literal(self, node: Any, expected: CQLType | None, name: str | None = None) -> Selector:
        from .selection import FunctionSelector

        name = name or unparse.selector(node)
        if isinstance(node, ast.ListLiteral) and isinstance(expected, VectorType):
            if len(node.items) != expected.dimension:  # WithVector
                raise InvalidRequest(f"Unable to create a vector selector of type "
                                     f"{expected.name} from {len(node.items)} elements")
            args = [self.typed(i, expected.elem) for i in node.items]
            return FunctionSelector(_Construct(expected, list), args, name)
        t = self.exact_type(node) or expected
        if t is None:
            raise _cannot_infer(name)
        if isinstance(node, ast.TupleLiteral) and len(node.items) == 1 \
                and not isinstance(t, TupleType):
            return self.typed(node.items[0], expected)  # between parentheses
        if isinstance(node, (ast.ListLiteral, ast.SetLiteral)):
            if isinstance(node, ast.SetLiteral) and isinstance(t, MapType) and not node.items:
                return FunctionSelector(_Construct(t, lambda vs: []), [], name)
            if isinstance(t, SetType):
                check_durations(t)
                args = [self.typed(i, t.element_type) for i in node.items]
                return FunctionSelector(_Construct(t, lambda vs: [v for v in vs]), args, name)
            if not isinstance(t, ListType):
                raise _cannot_infer(name)
            args = [self.typed(i, t.element_type) for i in node.items]
            return FunctionSelector(_Construct(t, list), args, name)
        if isinstance(node, ast.TupleLiteral):
            if not isinstance(t, TupleType):
                raise _cannot_infer(name)
            types = t.field_types
            args = [self.typed(i, types[n] if n < len(types) else None)
                    for n, i in enumerate(node.items)]
            return FunctionSelector(_Construct(t, tuple), args, name)
        pairs = node.pairs if isinstance(node, ast.MapLiteral) else \
            tuple((ast.ColumnRef(f), v) for f, v in node.fields)
        if isinstance(t, UserType):
            return self._udt(pairs, t, name)
        if not isinstance(t, MapType):
            raise _cannot_infer(name)
        check_durations(t)
        args = []
        for k, v in pairs:
            args.append(self.typed(k, t.key_type))
            args.append(self.typed(v, t.value_type))
        return FunctionSelector(
            _Construct(t, lambda vs: [(vs[i], vs[i + 1]) for i in range(0, len(vs), 2)]),
            args, name)

    def _udt(self, pairs: tuple, t: UserType, name: str) -> Selector:
        from .selection import FunctionSelector

        positions = []
        args = []
        for k, v in pairs:
            if not isinstance(k, ast.ColumnRef):
                raise InvalidRequest(f"{unparse.selector(k)} is not a valid field identifier of "
                                     f"type {t.type_name} ")
            if k.name not in t.field_names:
                raise InvalidRequest(f"Unknown field '{k.name}' in value of user defined type "
                                     f"{t.type_name}")
            pos = t.field_names.index(k.name)
            positions.append(pos)
            args.append(self.typed(v, t.field_types[pos]))

        def build(values: list) -> dict:
            out = dict.fromkeys(t.field_names)
            for pos, value in zip(positions, values):
                out[t.field_names[pos]] = value
            return out
        return FunctionSelector(_Construct(t, build), args, name)


def check_durations(t: CQLType) -> None:
    """A set of durations or a map keyed by them cannot be built (CQL3Type.Raw.prepare)."""
    if isinstance(t, SetType) and t.element_type.name == "duration":
        raise InvalidRequest(f"Durations are not allowed inside sets: {t.name}")
    if isinstance(t, MapType) and t.key_type.name == "duration":
        raise InvalidRequest(f"Durations are not allowed as map keys: {t.name}")


def _cannot_infer(text: str) -> InvalidRequest:
    return InvalidRequest(f"Cannot infer type for term {text} in selection clause (try using a "
                          "cast to force a type)")
