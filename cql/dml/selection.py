"""The selection of a SELECT: selectors (columns, WRITETIME/TTL, fields, elements, slices,
function calls, aggregates) and the compiler from the statement's selection clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cassalite.storage.model import ComplexColumn
from cql.errors import InvalidRequest
from cql.plan.terms import Term, TermContext, compile_term, literal_operation, resolve_type
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.types import CQLType, ListType, MapType, SetType, UserType, is_list, native_type
from cql.types.collections import TupleType
from cql.vocabulary import quote_name

from .literal_selectors import LITERALS, LiteralCompiler, check_durations, has_selectors

# cql.functions is imported where it is used: the function library takes ~20 ms to
# import, which `import cql` (and a process that never calls a function) does not pay.

INT = native_type("int")
BIGINT = native_type("bigint")


# --------------------------------------------------------------------------------------
# Rows as selectors see them
# --------------------------------------------------------------------------------------


@dataclass
class RowData:
    values: dict
    cells: dict
    pk: bytes
    ck: bytes | None


# --------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------


class Selector:
    name: str = ""
    type: CQLType
    is_aggregate = False
    columns: tuple[str, ...] = ()

    def value(self, row: RowData, now: int) -> Any:
        raise NotImplementedError


class ColumnSelector(Selector):
    def __init__(self, column: ColumnMetadata, name: str | None = None):
        self.column = column
        self.name = name or column.name
        self.type = column.type
        self.columns = (column.name,)

    def value(self, row: RowData, now: int) -> Any:
        return row.values.get(self.column.name)


class WritetimeSelector(Selector):
    """WRITETIME / MAXWRITETIME / TTL of a column, or of a field, element or slice of it:
    the cells behind the selected value (see :func:`_cells_of`)."""

    def __init__(self, target: Selector, column: ColumnMetadata, kind: str, name: str):
        self.target = target
        self.column = column
        self.kind = kind
        self.name = f"{kind}({name})"
        self.columns = (column.name,)
        multicell = _selects_many_cells(target)
        if kind == "ttl":
            self.type = ListType(INT, True) if multicell else INT
        elif kind == "writetime":
            self.type = ListType(BIGINT, True) if multicell else BIGINT
        else:
            self.type = BIGINT

    def value(self, row: RowData, now: int) -> Any:
        found = _cells_of(self.target, row, now)
        if found is None:
            return None
        many, cells = found
        if self.kind == "maxwritetime":
            stamps = [c.timestamp for c in cells if c is not None]
            return max(stamps) if stamps else None
        if self.kind == "writetime":
            out = [None if c is None else c.timestamp for c in cells]
        else:
            out = [None if c is None else c.remaining_ttl(now) for c in cells]
        return out if many else out[0]


def _selects_many_cells(sel: Selector) -> bool:
    """Whether a WRITETIME/TTL target is several cells (a non-frozen collection or UDT, or a
    slice of a non-frozen collection): its WRITETIME and TTL are lists."""
    if isinstance(sel, ColumnSelector):
        return sel.type.is_multicell
    if isinstance(sel, SliceSelector):
        return _selects_many_cells(sel.inner)
    return False


def _cells_of(sel: Selector, row: RowData, now: int):
    """The cells behind a WRITETIME/TTL target: ``(many, cells)`` or None without a value.

    A frozen value (or anything inside one) is one cell; a non-frozen collection has a cell
    per element and a non-frozen UDT a cell per field (None where a field has none).
    """
    if isinstance(sel, ColumnSelector):
        data = row.cells.get(sel.column.name)
        if data is None:
            return None
        if not isinstance(data, ComplexColumn):
            return None if data.value is None else (False, [data])
        if not data.cells:
            return None
        ctype = sel.type
        if isinstance(ctype, UserType):
            fields: list = [None] * len(ctype.field_types)
            for path, cell in data.cells.items():
                index = int.from_bytes(path, "big")
                if index < len(fields) and cell.value is not None:
                    fields[index] = cell
            return (True, fields) if any(c is not None for c in fields) else None
        return True, list(data.cells.values())
    if not isinstance(sel, (FieldSelector, ElementSelector, SliceSelector)):
        return None
    found = _cells_of(sel.inner, row, now)
    if found is None:
        return None
    many, cells = found
    if not many:  # inside one cell: that cell, if the selected part has a value
        part = sel.value(row, now)
        if part is None or (isinstance(sel, SliceSelector) and not part):
            return None
        return found
    if isinstance(sel, FieldSelector):
        cell = cells[sel.index]
        return None if cell is None else (False, [cell])
    keys = _element_keys(sel.inner.type, sel.inner.value(row, now))
    if isinstance(sel, ElementSelector):
        key = sel.key.bind(sel.bound_ref[0])
        for k, cell in zip(keys, cells):
            if k == key:
                return False, [cell]
        return None
    inside = sel.bounds()
    kept = [cell for k, cell in zip(keys, cells) if inside(k)]
    return (True, kept) if kept else None


def _element_keys(ctype: CQLType, value: Any) -> list:
    """The keys of a non-frozen set or map value, in cell order."""
    if value is None:
        return []
    return list(value.keys()) if isinstance(ctype, MapType) else list(value)


class FieldSelector(Selector):
    def __init__(self, inner: Selector, index: int, ftype: CQLType, name: str):
        self.inner, self.index, self.type, self.name = inner, index, ftype, name
        self.columns = inner.columns
        self.is_aggregate = inner.is_aggregate

    def value(self, row: RowData, now: int) -> Any:
        v = self.inner.value(row, now)
        return None if v is None else v[self.index]


class ElementSelector(Selector):
    def __init__(self, inner: Selector, key: Term, etype: CQLType, name: str, bound_ref: list):
        self.inner, self.key, self.type, self.name = inner, key, etype, name
        self.columns = inner.columns
        self.bound_ref = bound_ref

    def value(self, row: RowData, now: int) -> Any:
        v = self.inner.value(row, now)
        if v is None:
            return None
        k = self.key.bind(self.bound_ref[0])
        if isinstance(self.inner.type, MapType):
            return v.get(k)
        return k if k in v else None


class SliceSelector(Selector):
    def __init__(self, inner: Selector, start: Term | None, end: Term | None, name: str,
                 bound_ref: list):
        self.inner, self.start, self.end, self.name = inner, start, end, name
        self.type = inner.type
        self.columns = inner.columns
        self.bound_ref = bound_ref

    def bounds(self):
        """A predicate: whether an element key lies in the slice (for this execution)."""
        ctype = self.inner.type
        keytype = ctype.key_type if isinstance(ctype, MapType) else ctype.element_type
        bound = self.bound_ref[0]
        lo = self.start.bind(bound) if self.start is not None else None
        hi = self.end.bind(bound) if self.end is not None else None
        lok = keytype.to_comparable(lo) if lo is not None else None
        hik = keytype.to_comparable(hi) if hi is not None else None

        def inside(k: Any) -> bool:
            kk = keytype.to_comparable(k)
            return (lok is None or kk >= lok) and (hik is None or kk <= hik)

        return inside

    def value(self, row: RowData, now: int) -> Any:
        v = self.inner.value(row, now)
        if v is None:
            return None
        ctype = self.inner.type
        inside = self.bounds()
        if isinstance(ctype, MapType):
            out = {k: val for k, val in v.items() if inside(k)}
        else:
            out = [k for k in v if inside(k)]
        # a frozen value slices to a (maybe empty) value; a non-frozen one's cells to none
        return ctype.validate(out) if out or ctype.frozen else None


class FunctionSelector(Selector):
    def __init__(self, function, args: list[Selector], name: str):
        self.function, self.args, self.name = function, args, name
        self.type = function.return_type
        self.columns = tuple(c for a in args for c in a.columns)
        self.is_aggregate = any(a.is_aggregate for a in args)

    def value(self, row: RowData, now: int) -> Any:
        return self.function.execute([a.value(row, now) for a in self.args])


class ConstantSelector(Selector):
    def __init__(self, value: Any, ctype: CQLType, name: str):
        self.constant, self.type, self.name = value, ctype, name

    def value(self, row: RowData, now: int) -> Any:
        return self.constant


class AggregateSelector(Selector):
    is_aggregate = True

    def __init__(self, function, args: list[Selector], name: str):
        self.function, self.args, self.name = function, args, name
        self.type = function.return_type
        self.columns = tuple(c for a in args for c in a.columns)


# --------------------------------------------------------------------------------------
# Compiling the selection
# --------------------------------------------------------------------------------------


def _undefined(table: TableMetadata, name: str) -> InvalidRequest:
    return InvalidRequest(
        f"Undefined column name {quote_name(name)} in table "
        f"{quote_name(table.keyspace)}.{quote_name(table.name)}"
    )


class SelectionCompiler:
    def __init__(self, db, table: TableMetadata, ctx: TermContext, bound_ref: list):
        self.db, self.table, self.ctx, self.bound_ref = db, table, ctx, bound_ref

    def column(self, name: str) -> ColumnMetadata:
        column = self.table.columns.get(name)
        if column is None:
            raise _undefined(self.table, name)
        return column

    def compile(self, node: Any, in_aggregate: bool = False) -> Selector:
        from cql import functions

        while isinstance(node, ast.TupleLiteral) and len(node.items) == 1 \
                and has_selectors(node):  # "(v).a", "(a + b) * c": between parentheses
            node = node.items[0]
        if isinstance(node, ast.ColumnRef):
            return ColumnSelector(self.column(node.name))
        if isinstance(node, ast.WritetimeOf):
            root = node.expr
            while isinstance(root, (ast.FieldAccess, ast.ElementAccess, ast.SliceAccess)):
                root = root.expr
            if not isinstance(root, ast.ColumnRef):
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on a field or an element"
                )
            column = self.column(root.name)
            if column.is_primary_key:
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on PRIMARY KEY part {column.name}"
                )
            if column.type.is_counter:
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on counter column {column.name}"
                )
            target = self.compile(node.expr, in_aggregate)
            return WritetimeSelector(target, column, node.kind, target.name)
        if isinstance(node, ast.CountAll):
            return AggregateSelector(functions.count_rows(), [], "count")
        if isinstance(node, ast.FieldAccess):
            inner = self.compile(node.expr, in_aggregate)
            utype = inner.type
            if not isinstance(utype, UserType):
                raise InvalidRequest(
                    f"Invalid field selection: {unparse.selector(node.expr)} of type {utype.name} is not a "
                    "user type"
                )
            if node.field not in utype.field_names:
                raise InvalidRequest(f"{utype.name} has no field {node.field}")
            idx = list(utype.field_names).index(node.field)
            return FieldSelector(inner, idx, utype.field_types[idx], unparse.selector(node))
        if isinstance(node, (ast.ElementAccess, ast.SliceAccess)):
            inner = self.compile(node.expr, in_aggregate)
            ctype = inner.type
            what = "Element" if isinstance(node, ast.ElementAccess) else "Slice"
            if is_list(ctype):
                raise InvalidRequest(
                    f"{what} selection is only allowed on sets and maps, but "
                    f"{unparse.selector(node.expr)} is a list"
                )
            if not isinstance(ctype, (MapType, SetType)):
                shown = unparse.selector(node.expr)
                if what == "Element":
                    raise InvalidRequest(
                        f"Invalid element selection: {shown} is of type {ctype.name} is not a collection"
                    )
                raise InvalidRequest(
                    f"Invalid slice selection: {shown} of type {ctype.name} is not a collection"
                )
            keytype = ctype.key_type if isinstance(ctype, MapType) else ctype.element_type
            if isinstance(node, ast.ElementAccess):
                key = compile_term(node.key, keytype, f"key({unparse.selector(node.expr)})", self.ctx)
                etype = ctype.value_type if isinstance(ctype, MapType) else keytype
                return ElementSelector(inner, key, etype, unparse.selector(node), self.bound_ref)
            start = compile_term(node.start, keytype, "slice start", self.ctx) if node.start is not None else None
            end = compile_term(node.end, keytype, "slice end", self.ctx) if node.end is not None else None
            return SliceSelector(inner, start, end, unparse.selector(node), self.bound_ref)
        if isinstance(node, ast.FunctionCall):
            return self._function(node, in_aggregate)
        if isinstance(node, ast.Cast):
            inner = self.compile(node.expr, in_aggregate)

            target = resolve_type(node.type, self.ctx)
            fn = functions.cast_function(inner.type, target, inner.name)
            return FunctionSelector(fn, [inner], fn.column_name([inner.name]))
        if isinstance(node, ast.BinaryOp):
            fn = literal_operation(node, None, self.ctx)  # ``1 + ?``: ambiguous
            if fn is not None:
                operands = []
                for n, t in zip((node.left, node.right), fn.arg_types):
                    name = unparse.selector(n)
                    operands.append(self._term_selector(compile_term(n, t, name, self.ctx), t, name))
                return FunctionSelector(fn, operands, unparse.selector(node))
            sel = self._literal_operand_operation(node, in_aggregate)
            if sel is not None:
                return sel
            left = self.compile_operand(node.left, node.right, in_aggregate)
            right = self.compile_operand(node.right, node.left, in_aggregate)
            fn = functions.arithmetic(node.op, left.type, right.type,
                                      arg_texts=[left.name, right.name])
            return FunctionSelector(fn, [left, right], unparse.selector(node))
        if isinstance(node, ast.Negate):
            inner = self.compile(node.expr, in_aggregate)
            fn = functions.negate(inner.type, arg_texts=[inner.name])
            return FunctionSelector(fn, [inner], unparse.selector(node))
        if isinstance(node, ast.TypeHint):
            hint = resolve_type(node.type, self.ctx)
            check_durations(hint)
            if isinstance(node.expr, ast.TupleLiteral) and len(node.expr.items) == 1 \
                    and not isinstance(hint, TupleType):  # "(typ1)({a: 4})": parentheses
                node = ast.TypeHint(node.type, node.expr.items[0])
            ctype = hint.freeze()  # a value: one frozen cell
            if isinstance(node.expr, _SELECTOR_NODES):  # a hint on an expression of columns
                inner = self.compile(node.expr, in_aggregate)
                # the hint may read the value's bytes as another type (ascii as text)
                from cql.functions.arguments import value_compatible

                if inner.type.freeze() != ctype and not value_compatible(
                        ctype, inner.type.freeze()):
                    raise InvalidRequest(
                        f"Type error: {unparse.selector(node.expr)} of type {inner.type.name} "
                        f"cannot be used as {ctype.name}")
                inner.name = unparse.selector(node)
                return inner
            if isinstance(node.expr, LITERALS) and has_selectors(node.expr):
                return LiteralCompiler(self, in_aggregate).literal(
                    node.expr, ctype, unparse.selector(node))
            term = compile_term(node.expr, ctype, unparse.selector(node), self.ctx)
            return self._term_selector(term, ctype, unparse.selector(node))
        if isinstance(node, LITERALS) and has_selectors(node):
            return LiteralCompiler(self, in_aggregate).literal(node, None)
        if isinstance(node, ast.Null):
            raise InvalidRequest("Cannot infer type for term null in selection clause (try using a cast to force a type)")
        if isinstance(node, ast.BindMarker):
            raise InvalidRequest(
                f"Cannot infer type for term {unparse.selector(node)} in selection clause (try using a "
                "cast to force a type)"
            )
        raise InvalidRequest(
            f"Cannot infer type for term {unparse.selector(node)} in selection clause (try using a cast "
            "to force a type)"
        )

    def _literal_operand_operation(self, node: ast.BinaryOp, in_aggregate: bool):
        """``a + 1``: the operation resolved among its overloads by the literal's kind and
        text, as FunctionResolver does (tinyint + 2147483657 is a bigint addition, decimal +
        NaN a decimal + double one); None unless exactly one operand is a constant."""
        from cql import functions

        nodes = [_unparen(node.left), _unparen(node.right)]
        constant = [isinstance(n, ast.Constant) for n in nodes]
        if constant[0] == constant[1]:
            return None
        idx = constant.index(True)
        other = self.compile(nodes[1 - idx], in_aggregate)
        texts = [unparse.selector(node.left), unparse.selector(node.right)]
        types: list = [None, None]
        types[idx] = functions.LiteralArg(nodes[idx].kind, nodes[idx].text)
        types[1 - idx] = other.type
        fn = functions.arithmetic(node.op, *types, arg_texts=texts)
        ctype = fn.arg_types[idx]
        literal = self._term_selector(compile_term(nodes[idx], ctype, texts[idx], self.ctx),
                                      ctype, texts[idx])
        args = [literal, other] if idx == 0 else [other, literal]
        return FunctionSelector(fn, args, unparse.selector(node))

    def compile_operand(self, node: Any, other: Any, in_aggregate: bool) -> Selector:
        from cql import functions

        if isinstance(node, ast.Constant):
            try:
                other_sel = self.compile(other, in_aggregate)
                ctype = other_sel.type if other_sel.type.accepts_constant(node.kind) else None
            except InvalidRequest:
                ctype = None
            ctype = ctype or functions.literal_type(node.kind)
            term = compile_term(node, ctype, unparse.selector(node), self.ctx)
            return self._term_selector(term, ctype, unparse.selector(node))
        return self.compile(node, in_aggregate)

    def _term_selector(self, term: Term, ctype: CQLType, name: str) -> Selector:
        if term.is_constant:
            return ConstantSelector(term.bind([]), ctype, name)
        bound_ref = self.bound_ref

        class _Bound(Selector):
            def value(self, row: RowData, now: int) -> Any:
                return term.bind(bound_ref[0])

        sel = _Bound()
        sel.name, sel.type = name, ctype
        return sel

    def _function(self, node: ast.FunctionCall, in_aggregate: bool) -> Selector:
        from cql import functions

        fname = node.name.name
        if node.name.keyspace:
            fname = f"{node.name.keyspace}.{fname}"
        if fname in ("count", "system.count") and len(node.args) == 1 and isinstance(
            node.args[0], ast.Constant
        ) and node.args[0].text == "1":
            return AggregateSelector(functions.count_rows(), [], "count")
        args: list[Selector] = []
        arg_types: list = []
        for a in node.args:
            literal = _literal_arg(a)
            if literal is not None:  # typed by the function's signature
                args.append(None)  # type: ignore[arg-type]
                arg_types.append(literal)
            else:
                sel = self.compile(a, in_aggregate or functions.is_aggregate_name(fname))
                args.append(sel)
                arg_types.append(sel.type)
        texts = [unparse.selector(a) for a in node.args]
        fn = functions.resolve(fname, arg_types, None, self.table.keyspace, arg_texts=texts,
                               context="selector", partition_key=self.ctx.partition_key)
        for i, a in enumerate(node.args):
            if args[i] is None:
                term = compile_term(a, fn.arg_types[i], f"{fn.name}.arg{i}", self.ctx)
                args[i] = self._term_selector(term, fn.arg_types[i], unparse.selector(a))
        name = fn.column_name(texts)
        if fn.is_aggregate:
            if in_aggregate or any(a.is_aggregate for a in args):
                raise InvalidRequest(
                    "aggregate functions cannot be used as arguments of aggregate functions"
                )
            return AggregateSelector(fn, args, name)
        return FunctionSelector(fn, args, name)


#: selector expressions that are not terms (they read the row)
_SELECTOR_NODES = (ast.ColumnRef, ast.BinaryOp, ast.Negate, ast.FunctionCall, ast.Cast,
                   ast.FieldAccess, ast.ElementAccess, ast.SliceAccess, ast.WritetimeOf,
                   ast.CountAll)


def _literal_arg(node: Any):
    """What overload resolution knows about a literal argument (constants, null, markers and
    collection/tuple literals made of them), or None when the argument is not a literal."""
    from cql import functions

    if isinstance(node, ast.Constant):
        return functions.LiteralArg(node.kind, node.text)
    if isinstance(node, ast.Null):
        return functions.LiteralArg("null")
    if isinstance(node, ast.BindMarker):
        return functions.LiteralArg("marker")
    kinds = {ast.ListLiteral: "list", ast.SetLiteral: "set", ast.TupleLiteral: "tuple"}
    kind = kinds.get(type(node))
    if kind is not None:
        items = [_literal_arg(i) for i in node.items]
        return None if None in items else functions.LiteralArg(kind, elements=tuple(items))
    if isinstance(node, ast.MapLiteral):
        pairs = [(_literal_arg(k), _literal_arg(v)) for k, v in node.pairs]
        if any(k is None or v is None for k, v in pairs):
            return None
        return functions.LiteralArg("map", elements=tuple(pairs))
    return None


def _unparen(node: Any) -> Any:
    """An operand written between parentheses is the expression inside."""
    while isinstance(node, ast.TupleLiteral) and len(node.items) == 1:
        node = node.items[0]
    return node
