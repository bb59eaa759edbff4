"""Terms: values in VALUES, SET, WHERE, IF and USING, compiled against the type they feed.

A literal's meaning depends on its receiver (``'2024-01-01'`` is a timestamp for a timestamp
column and text for a text one), so terms are compiled once per statement with the
receiver's type, checked with Cassandra's messages, and evaluated per execution against the
bound values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cql.errors import InvalidRequest
from cql.syntax import ast, unparse
from cql.types import (
    CQLType,
    MapType,
    SetType,
    TupleType,
    UserType,
    is_list,
    native_type,
    parse_type,
)
from cql.types.values import MarshalError

# cql.functions is imported where it is used: the function library takes ~20 ms to
# import, which `import cql` (and a process that never calls a function) does not pay.


class _Unset:
    """The protocol's 'unset' value: leaves a column untouched (DataStax: UNSET_VALUE)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET_VALUE"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset()


@dataclass
class MarkerSpec:
    """What a bind marker receives: its name (None for ``?``), type and receiver name."""

    index: int
    name: str | None
    type: CQLType
    receiver: str
    keyspace: str = ""
    table: str = ""


class Markers:
    """The bind markers of one statement, filled in as terms are compiled."""

    def __init__(self, names: tuple = ()):
        self.names = list(names)
        self.specs: dict[int, MarkerSpec] = {}

    def add(self, marker: ast.BindMarker, ctype: CQLType, receiver: str, keyspace: str = "",
            table: str = "") -> None:
        self.specs[marker.index] = MarkerSpec(marker.index, marker.name, ctype, receiver,
                                              keyspace, table)

    def partition_key_indexes(self, names: list[str]) -> list[int]:
        """Marker index feeding each partition key column (drivers route with it); [] if any
        component is not bound by a marker."""
        out = []
        for name in names:
            found = [spec.index for spec in self.specs.values() if spec.receiver == name]
            if not found:
                return []
            out.append(found[0])
        return out

    def ordered(self) -> list[MarkerSpec]:
        out = []
        for i in range(len(self.names)):
            spec = self.specs.get(i)
            if spec is None:  # a marker in a place whose type is open: bind as blob-less raw

                spec = MarkerSpec(i, self.names[i], native_type("blob"), f"[bind{i}]")
            out.append(spec)
        return out


class Term:
    """A compiled value; ``bind`` evaluates it for one execution."""

    is_constant = False

    def bind(self, values: list) -> Any:
        raise NotImplementedError


class Value(Term):
    is_constant = True

    def __init__(self, value: Any):
        self.value = value

    def bind(self, values: list) -> Any:
        return self.value


class Marker(Term):
    def __init__(self, index: int):
        self.index = index

    def bind(self, values: list) -> Any:
        return values[self.index]


class Composite(Term):
    """A collection/tuple/UDT literal with at least one non-constant part."""

    def __init__(self, build: Callable[[list], Any], parts: list[Term]):
        self.build = build
        self.parts = parts

    def bind(self, values: list) -> Any:
        return self.build([p.bind(values) for p in self.parts])


class Call(Term):
    def __init__(self, function, args: list[Term]):
        self.function = function
        self.args = args

    def bind(self, values: list) -> Any:
        args = [a.bind(values) for a in self.args]
        for a in args:
            if a is UNSET:
                raise InvalidRequest(
                    f"Invalid unset value for argument in call to function {self.function.name}"
                )
        return self.function.execute(args)


@dataclass
class TermContext:
    markers: Markers
    keyspace: str | None
    udt_lookup: Callable[[str | None, str], CQLType] | None = None
    #: the partition key column types of the statement's table: what token() takes
    partition_key: tuple | None = None


def compile_term(node: Any, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    """Compile ``node`` for a receiver named ``receiver`` of type ``ctype``."""
    if isinstance(node, ast.Constant):
        if not ctype.accepts_constant(node.kind):
            raise InvalidRequest(
                f"Invalid {node.kind.upper()} constant ({node.text}) for \"{receiver}\" "
                f"of type {_type_text(ctype)}"
            )
        return Value(ctype.validate(ctype.from_constant(node.kind, node.text)))
    if isinstance(node, ast.Null):
        if ctype.is_counter:  # Constants.NULL_LITERAL: not assignable to a counter
            raise InvalidRequest("Invalid null value for counter increment/decrement")
        return Value(None)
    if isinstance(node, ast.BindMarker):
        ctx.markers.add(node, ctype, receiver)
        return Marker(node.index)
    if isinstance(node, ast.ListLiteral):
        return _list_literal(node, ctype, receiver, ctx)
    if isinstance(node, ast.SetLiteral):
        return _set_literal(node.items, ctype, receiver, ctx)
    if isinstance(node, ast.MapLiteral):
        return _map_literal(node, ctype, receiver, ctx)
    if isinstance(node, ast.TupleLiteral):
        return _tuple_literal(node, ctype, receiver, ctx)
    if isinstance(node, ast.UDTLiteral):
        return _udt_literal(node, ctype, receiver, ctx)
    if isinstance(node, ast.TypeHint):
        hinted = resolve_type(node.type, ctx)
        if not _assignable(hinted, ctype):
            raise InvalidRequest(
                f"Cannot assign value of type {_type_text(hinted)} to {receiver} of type "
                f"{_type_text(ctype)}"
            )
        return compile_term(node.expr, hinted, receiver, ctx)
    if isinstance(node, (ast.FunctionCall, ast.BinaryOp, ast.Negate, ast.Cast)):
        return _function_term(node, ctype, receiver, ctx)
    raise InvalidRequest(f"Invalid value for {receiver} of type {_type_text(ctype)}")


def _type_text(ctype: CQLType) -> str:
    return ctype.name


def _assignable(source: CQLType, target: CQLType) -> bool:
    if source == target:
        return True
    names = {source.name, target.name}
    return names <= {"text", "varchar", "ascii"} and target.name != "ascii"


def _element_check(value: Any) -> Any:
    if value is None:
        raise InvalidRequest("null is not supported inside collections")
    if value is UNSET:
        raise InvalidRequest("Invalid unset value in collection")
    return value


def _finish(parts: list[Term], build: Callable[[list], Any], ctype: CQLType) -> Term:
    def typed(values: list) -> Any:
        return ctype.validate(build(values))

    if all(p.is_constant for p in parts):
        return Value(typed([p.bind([]) for p in parts]))
    return Composite(typed, parts)


def _check_vector_element(item: Any, elem: CQLType, receiver: str, ctx: TermContext) -> None:
    """A vector literal tests each element's assignability before preparing it (Cassandra's
    Vectors.Literal), so a mistyped constant or type hint gets the vector's message."""
    if isinstance(item, ast.Constant):
        ok = elem.accepts_constant(item.kind)
    elif isinstance(item, ast.TypeHint):
        ok = _assignable(resolve_type(item.type, ctx), elem)
    else:
        return
    if not ok:
        shown = unparse.where_term(item) if isinstance(
            getattr(item, "expr", item), ast.Constant) else unparse.term(item)
        raise InvalidRequest(f"Invalid vector literal for {receiver}: value {shown} is not of "
                             f"type {_type_text(elem)}")


def _list_literal(node: ast.ListLiteral, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    if isinstance(ctype, SetType):
        raise InvalidRequest(f"Invalid list literal for {receiver} of type {_type_text(ctype)}")
    if getattr(ctype, "is_vector", False):
        elem = ctype.element_type
        if len(node.items) != ctype.dimension:
            raise InvalidRequest(
                f"Invalid vector literal for {receiver} of type {_type_text(ctype)}; "
                f"expected {ctype.dimension} elements, but given {len(node.items)}"
            )
        for item in node.items:
            _check_vector_element(item, elem, receiver, ctx)
        parts = [compile_term(i, elem, f"value({receiver})", ctx) for i in node.items]
        return _finish(parts, lambda vs: [_element_check(v) for v in vs], ctype)
    if not is_list(ctype):
        raise InvalidRequest(f"Invalid list literal for {receiver} of type {_type_text(ctype)}")
    elem = ctype.element_type
    parts = [compile_term(i, elem, f"value({receiver})", ctx) for i in node.items]
    return _finish(parts, lambda vs: [_element_check(v) for v in vs], ctype)


def _set_literal(items: tuple, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    if not isinstance(ctype, SetType):
        if isinstance(ctype, MapType) and not items:
            return Value(ctype.validate({}))
        raise InvalidRequest(f"Invalid set literal for {receiver} of type {_type_text(ctype)}")
    elem = ctype.element_type
    parts = [compile_term(i, elem, f"value({receiver})", ctx) for i in items]
    return _finish(parts, lambda vs: [_element_check(v) for v in vs], ctype)


def _map_literal(node: ast.MapLiteral, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    if not node.pairs:
        if isinstance(ctype, SetType):
            return Value(ctype.validate([]))
        if isinstance(ctype, UserType):
            return Value(ctype.validate(tuple([None] * len(ctype.field_types))))
    if isinstance(ctype, UserType) and all(isinstance(k, ast.ColumnRef) for k, _ in node.pairs):
        return _udt_literal(
            ast.UDTLiteral(tuple((k.name, v) for k, v in node.pairs)), ctype, receiver, ctx
        )
    if not isinstance(ctype, MapType):
        raise InvalidRequest(f"Invalid map literal for {receiver} of type {_type_text(ctype)}")
    kt, vt = ctype.key_type, ctype.value_type
    parts: list[Term] = []
    for k, v in node.pairs:
        parts.append(compile_term(k, kt, f"key({receiver})", ctx))
        parts.append(compile_term(v, vt, f"value({receiver})", ctx))

    def build(vs: list) -> list:
        # pairs, not a dict: a key may be a collection, hashable only once validated
        return [(_element_check(vs[i]), _element_check(vs[i + 1])) for i in range(0, len(vs), 2)]

    return _finish(parts, build, ctype)


def _tuple_literal(node: ast.TupleLiteral, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    if not isinstance(ctype, TupleType):
        raise InvalidRequest(
            f"Invalid tuple type literal for {receiver} of type {_type_text(ctype)}"
        )
    types = ctype.field_types if hasattr(ctype, "field_types") else ctype.types
    if len(node.items) > len(types):
        raise InvalidRequest(
            f"Invalid tuple literal for {receiver}: too many elements. Type "
            f"{_type_text(ctype)} expects {len(types)} but got {len(node.items)}"
        )
    parts = [
        compile_term(item, types[i], f"{receiver}[{i}]", ctx) for i, item in enumerate(node.items)
    ]
    width = len(types)

    def build(vs: list) -> tuple:
        for i, v in enumerate(vs):
            if v is UNSET:
                raise InvalidRequest(f"Invalid unset value for tuple field number {i}")
        return tuple(list(vs) + [None] * (width - len(vs)))

    return _finish(parts, build, ctype)


def _udt_literal(node: ast.UDTLiteral, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    if not isinstance(ctype, UserType):
        raise InvalidRequest(
            f"Invalid user type literal for {receiver} of type {_type_text(ctype)}"
        )
    names = list(ctype.field_names)
    given = dict(node.fields)
    for fname in given:
        if fname not in names:
            raise InvalidRequest(
                f"Unknown field '{fname}' in value of user defined type {ctype.type_name}"
            )
    parts = []
    positions = []
    for i, fname in enumerate(names):
        if fname in given:
            parts.append(compile_term(given[fname], ctype.field_types[i], f"{receiver}.{fname}", ctx))
            positions.append(i)
    width = len(names)

    def build(vs: list) -> tuple:
        out: list = [None] * width
        for pos, v in zip(positions, vs):
            if v is UNSET:
                raise InvalidRequest(
                    f"Invalid unset value for field '{names[pos]}' of user defined type "
                    f"{ctype.type_name}"
                )
            out[pos] = v
        return tuple(out)

    return _finish(parts, build, ctype)


def resolve_type(texpr: ast.TypeExpr, ctx: TermContext | None) -> CQLType:
    """A TypeExpr from the parser as a CQLType (UDTs through the schema)."""
    lookup = None
    if ctx is not None and ctx.udt_lookup is not None:
        ks = ctx.keyspace

        def lookup(name: str) -> CQLType:
            return ctx.udt_lookup(texpr.keyspace or ks, name)

    return parse_type(unparse.type_expr(texpr), lookup)


def _function_term(node: Any, ctype: CQLType, receiver: str, ctx: TermContext) -> Term:
    from cql import functions

    if isinstance(node, ast.BinaryOp):
        fn = literal_operation(node, ctype, ctx)
        if fn is not None:
            args = [compile_term(_grouped(n), t, receiver, ctx)
                    for n, t in zip((node.left, node.right), fn.arg_types)]
            return _call(fn, args, ctype, receiver)
        left = _infer(_grouped(node.left), ctype, receiver, ctx)
        right = _infer(_grouped(node.right), ctype, receiver, ctx)
        fn = functions.arithmetic(node.op, left[1], right[1])
        return _call(fn, [left[0], right[0]], ctype, receiver)
    if isinstance(node, ast.Negate):
        inner, itype = _infer(node.expr, ctype, receiver, ctx)
        return _call(functions.negate(itype), [inner], ctype, receiver)
    if isinstance(node, ast.Cast):
        target = resolve_type(node.type, ctx)
        itype = _static_type(node.expr, ctx)
        if isinstance(itype, functions.LiteralArg):
            # a literal or marker: resolved among the system.cast_as_<type> overloads
            fn = functions.resolve(f"system.cast_as_{target.name}", [itype], receiver=None,
                                   keyspace=ctx.keyspace)
            itype = fn.arg_types[0]
        else:
            fn = functions.cast_function(itype, target)
        inner = compile_term(node.expr, itype, receiver, ctx)
        return _call(fn, [inner], ctype, receiver)
    # A function call: resolve on argument types we know, literals by their kind.
    arg_types = [_static_type(a, ctx) for a in node.args]
    name = f"{node.name.keyspace}.{node.name.name}" if node.name.keyspace else node.name.name
    fn = functions.resolve(name, arg_types, receiver=ctype, keyspace=ctx.keyspace,
                           partition_key=ctx.partition_key)
    if fn.is_aggregate:  # Cassandra says "where clause" for any term (VALUES, SET too)
        raise InvalidRequest("Aggregation function are not supported in the where clause")
    args = [
        compile_term(a, fn.arg_types[i], f"{fn.name}.arg{i}", ctx) for i, a in enumerate(node.args)
    ]
    return _call(fn, args, ctype, receiver)


def literal_operation(node: ast.BinaryOp, ctype: CQLType | None, ctx: TermContext):
    """The operation between two untyped operands (literals, markers) at least one of which is
    a bind marker, resolved among the overloads as Cassandra does: by the receiver's type, so
    ``? + 1`` into an int is ambiguous (tinyint, smallint or int). None for other operands."""
    from cql import functions

    operands = [_grouped(node.left), _grouped(node.right)]
    if not all(isinstance(n, (ast.Constant, ast.BindMarker)) for n in operands):
        return None
    if not any(isinstance(n, ast.BindMarker) for n in operands):
        return None
    texts = [unparse.term(n) for n in operands]
    return functions.arithmetic(node.op, *(_static_type(n, ctx) for n in operands), ctype,
                                arg_texts=texts)


def _grouped(node: Any) -> Any:
    """An operator's operand written in parentheses, ``1 * (1 + 1)``, parses as a one-element
    tuple: it is the expression inside."""
    if isinstance(node, ast.TupleLiteral) and len(node.items) == 1:
        return node.items[0]
    return node


def _call(fn, args: list[Term], ctype: CQLType, receiver: str) -> Term:
    from cql.functions.arguments import value_compatible

    term: Term = Call(fn, args)
    if ctype is not None and not _assignable(fn.return_type, ctype):
        if not value_compatible(ctype, fn.return_type):
            raise InvalidRequest(
                f"Type error: cannot assign result of function {fn.keyspace}.{fn.name} "
                f"(type {_type_text(fn.return_type)}) to {receiver} (type {_type_text(ctype)})"
            )
        # the receiver reads the result's bytes (now() into a uuid, a bigint into a timestamp)
        rtype = fn.return_type
        term = Composite(lambda vs: vs[0] if vs[0] is None else
                         ctype.deserialize(rtype.serialize(vs[0])), [term])
    if all(a.is_constant for a in args) and getattr(fn, "is_deterministic", False):
        try:
            return Value(term.bind([]))
        except MarshalError:
            return term
    return term


def _static_type(node: Any, ctx: TermContext):
    """The type of an argument when it can be known without a receiver, else a literal hint."""
    from cql import functions

    if isinstance(node, ast.Constant):
        return functions.LiteralArg(node.kind, node.text)
    if isinstance(node, ast.Null):
        return functions.LiteralArg("null")
    if isinstance(node, ast.BindMarker):
        return functions.LiteralArg("marker")
    if isinstance(node, ast.TypeHint):
        return resolve_type(node.type, ctx)
    if isinstance(node, ast.FunctionCall):
        arg_types = [_static_type(a, ctx) for a in node.args]
        name = f"{node.name.keyspace}.{node.name.name}" if node.name.keyspace else node.name.name
        return functions.resolve(name, arg_types, None, ctx.keyspace,
                                 partition_key=ctx.partition_key).return_type
    if isinstance(node, ast.Cast):
        return resolve_type(node.type, ctx)
    return functions.LiteralArg("collection")


def _infer(node: Any, fallback: CQLType | None, receiver: str, ctx: TermContext):
    """Compile an operand of an operator: its own type if knowable, else the receiver's."""
    from cql import functions

    st = _static_type(node, ctx)
    if isinstance(st, functions.LiteralArg):
        if fallback is None:
            raise InvalidRequest(f"Cannot infer type of {receiver}")
        ctype = fallback
        if isinstance(node, ast.Constant) and not ctype.accepts_constant(node.kind):
            ctype = functions.literal_type(node.kind)
    else:
        ctype = st
    return compile_term(node, ctype, receiver, ctx), ctype
