"""SELECT: selection, key selection, filtering, ordering, aggregation and paging."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any, Iterator

from cassalite.storage.engine import KeyRange
from cassalite.storage.model import ComplexColumn
from cassalite.storage.murmur3 import decorate
from cassalite.storage.tracing import current as current_trace
from cassalite.storage.tracing import trace

from . import ast, indexes
from .errors import InvalidRequest
from .executor import ExecutionContext, Plan, Result
from .restrictions import REQUIRES_ALLOW_FILTERING, WhereClause, clustering_slices
from .rows import clustering_values, decode_cell_value, partition_key_values
from .schema import CLUSTERING, PARTITION_KEY, ColumnMetadata, TableMetadata, quote_name
from .terms import UNSET, Markers, Term, TermContext, compile_term
from .types import CQLType, ListType, MapType, SetType, UserType, is_list, native_type

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
    def __init__(self, column: ColumnMetadata, kind: str):
        self.column = column
        self.kind = kind
        self.name = f"{kind}({column.name})"
        self.columns = (column.name,)
        multicell = column.type.is_multicell
        if kind == "ttl":
            self.type = ListType(INT, True) if multicell else INT
        elif kind == "writetime":
            self.type = ListType(BIGINT, True) if multicell else BIGINT
        else:
            self.type = BIGINT

    def value(self, row: RowData, now: int) -> Any:
        data = row.cells.get(self.column.name)
        if data is None:
            return None
        cells = list(data.cells.values()) if isinstance(data, ComplexColumn) else [data]
        if not cells:
            return None
        if self.kind == "maxwritetime":
            return max(c.timestamp for c in cells)
        if self.kind == "writetime":
            stamps = [c.timestamp for c in cells]
            return stamps if isinstance(data, ComplexColumn) else stamps[0]
        ttls = [c.remaining_ttl(now) for c in cells]
        return ttls if isinstance(data, ComplexColumn) else ttls[0]


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

    def value(self, row: RowData, now: int) -> Any:
        v = self.inner.value(row, now)
        if v is None:
            return None
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

        if isinstance(ctype, MapType):
            out = {k: val for k, val in v.items() if inside(k)}
        else:
            out = [k for k in v if inside(k)]
        return ctype.validate(out) if out else None


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


def expr_text(node: Any) -> str:
    """The result column name Cassandra derives from a selector expression."""
    from .restrictions import _text

    if isinstance(node, ast.ColumnRef):
        return node.name
    if isinstance(node, ast.WritetimeOf):
        return f"{node.kind}({expr_text(node.expr)})"
    if isinstance(node, ast.CountAll):
        return "count"
    if isinstance(node, ast.FunctionCall):
        ks = node.name.keyspace or "system"
        return f"{ks}.{node.name.name}({', '.join(expr_text(a) for a in node.args)})"
    if isinstance(node, ast.Cast):
        from .terms import type_expr_text

        return f"cast({expr_text(node.expr)} as {type_expr_text(node.type)})"
    if isinstance(node, ast.FieldAccess):
        return f"{expr_text(node.expr)}.{node.field}"
    if isinstance(node, ast.ElementAccess):
        return f"{expr_text(node.expr)}[{expr_text(node.key)}]"
    if isinstance(node, ast.SliceAccess):
        start = expr_text(node.start) if node.start is not None else ""
        end = expr_text(node.end) if node.end is not None else ""
        return f"{expr_text(node.expr)}[{start}..{end}]"
    if isinstance(node, ast.BinaryOp):
        return f"{expr_text(node.left)} {node.op} {expr_text(node.right)}"
    if isinstance(node, ast.Negate):
        return f"-{expr_text(node.expr)}"
    if isinstance(node, ast.TypeHint):
        from .terms import type_expr_text

        return f"({type_expr_text(node.type)}){expr_text(node.expr)}"
    return _text(node)


class SelectionCompiler:
    def __init__(self, db, table: TableMetadata, ctx: TermContext, bound_ref: list):
        self.db, self.table, self.ctx, self.bound_ref = db, table, ctx, bound_ref

    def column(self, name: str) -> ColumnMetadata:
        column = self.table.columns.get(name)
        if column is None:
            raise _undefined(self.table, name)
        return column

    def compile(self, node: Any, in_aggregate: bool = False) -> Selector:
        from . import functions

        if isinstance(node, ast.ColumnRef):
            return ColumnSelector(self.column(node.name))
        if isinstance(node, ast.WritetimeOf):
            target = node.expr
            if not isinstance(target, ast.ColumnRef):
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on a field or an element"
                )
            column = self.column(target.name)
            if column.is_primary_key:
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on PRIMARY KEY part {column.name}"
                )
            if column.type.is_counter:
                raise InvalidRequest(
                    f"Cannot use selection function {node.kind} on counter column {column.name}"
                )
            return WritetimeSelector(column, node.kind)
        if isinstance(node, ast.CountAll):
            return AggregateSelector(functions.count_rows(), [], "count")
        if isinstance(node, ast.FieldAccess):
            inner = self.compile(node.expr, in_aggregate)
            utype = inner.type
            if not isinstance(utype, UserType):
                raise InvalidRequest(
                    f"Invalid field selection: {expr_text(node.expr)} of type {utype.name} is not a "
                    "user type"
                )
            if node.field not in utype.field_names:
                raise InvalidRequest(f"{utype.name} has no field {node.field}")
            idx = list(utype.field_names).index(node.field)
            return FieldSelector(inner, idx, utype.field_types[idx], expr_text(node))
        if isinstance(node, (ast.ElementAccess, ast.SliceAccess)):
            inner = self.compile(node.expr, in_aggregate)
            ctype = inner.type
            if is_list(ctype):
                raise InvalidRequest(
                    f"Element selection is only allowed on sets and maps, but "
                    f"{expr_text(node.expr)} is a list"
                )
            if not isinstance(ctype, (MapType, SetType)):
                raise InvalidRequest(
                    f"Element selection is only allowed on sets and maps, but "
                    f"{expr_text(node.expr)} is a {ctype.name}"
                )
            keytype = ctype.key_type if isinstance(ctype, MapType) else ctype.element_type
            if isinstance(node, ast.ElementAccess):
                key = compile_term(node.key, keytype, f"key({expr_text(node.expr)})", self.ctx)
                etype = ctype.value_type if isinstance(ctype, MapType) else keytype
                return ElementSelector(inner, key, etype, expr_text(node), self.bound_ref)
            start = compile_term(node.start, keytype, "slice start", self.ctx) if node.start is not None else None
            end = compile_term(node.end, keytype, "slice end", self.ctx) if node.end is not None else None
            return SliceSelector(inner, start, end, expr_text(node), self.bound_ref)
        if isinstance(node, ast.FunctionCall):
            return self._function(node, in_aggregate)
        if isinstance(node, ast.Cast):
            inner = self.compile(node.expr, in_aggregate)
            from .terms import resolve_type

            target = resolve_type(node.type, self.ctx)
            fn = functions.cast_function(inner.type, target, inner.name)
            return FunctionSelector(fn, [inner], fn.column_name([inner.name]))
        if isinstance(node, ast.BinaryOp):
            left = self.compile_operand(node.left, node.right, in_aggregate)
            right = self.compile_operand(node.right, node.left, in_aggregate)
            fn = functions.arithmetic(node.op, left.type, right.type,
                                      arg_texts=[left.name, right.name])
            return FunctionSelector(fn, [left, right], fn.column_name([left.name, right.name]))
        if isinstance(node, ast.Negate):
            inner = self.compile(node.expr, in_aggregate)
            fn = functions.negate(inner.type, arg_texts=[inner.name])
            return FunctionSelector(fn, [inner], fn.column_name([inner.name]))
        if isinstance(node, ast.TypeHint):
            from .terms import resolve_type

            ctype = resolve_type(node.type, self.ctx)
            term = compile_term(node.expr, ctype, expr_text(node), self.ctx)
            return self._term_selector(term, ctype, expr_text(node))
        if isinstance(node, ast.Constant):
            ctype = functions.literal_type(node.kind)
            term = compile_term(node, ctype, expr_text(node), self.ctx)
            return self._term_selector(term, ctype, expr_text(node))
        if isinstance(node, ast.Null):
            raise InvalidRequest("Cannot infer type for term null in selection clause (try using a cast to force a type)")
        if isinstance(node, ast.BindMarker):
            raise InvalidRequest(
                f"Cannot infer type for term {expr_text(node)} in selection clause (try using a "
                "cast to force a type)"
            )
        raise InvalidRequest(
            f"Cannot infer type for term {expr_text(node)} in selection clause (try using a cast "
            "to force a type)"
        )

    def compile_operand(self, node: Any, other: Any, in_aggregate: bool) -> Selector:
        from . import functions

        if isinstance(node, ast.Constant):
            try:
                other_sel = self.compile(other, in_aggregate)
                ctype = other_sel.type if other_sel.type.accepts_constant(node.kind) else None
            except InvalidRequest:
                ctype = None
            ctype = ctype or functions.literal_type(node.kind)
            term = compile_term(node, ctype, expr_text(node), self.ctx)
            return self._term_selector(term, ctype, expr_text(node))
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
        from . import functions

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
            if isinstance(a, (ast.Constant, ast.Null, ast.BindMarker)):
                args.append(None)  # type: ignore[arg-type]
                arg_types.append(_literal_arg(a))
            else:
                sel = self.compile(a, in_aggregate or functions.is_aggregate_name(fname))
                args.append(sel)
                arg_types.append(sel.type)
        texts = [expr_text(a) for a in node.args]
        fn = functions.resolve(fname, arg_types, None, self.table.keyspace, arg_texts=texts,
                               context="selector")
        for i, a in enumerate(node.args):
            if args[i] is None:
                term = compile_term(a, fn.arg_types[i], f"{fn.name}.arg{i}", self.ctx)
                args[i] = self._term_selector(term, fn.arg_types[i], expr_text(a))
        name = fn.column_name(texts)
        if fn.is_aggregate:
            if in_aggregate or any(a.is_aggregate for a in args):
                raise InvalidRequest(
                    "aggregate functions cannot be used as arguments of aggregate functions"
                )
            return AggregateSelector(fn, args, name)
        return FunctionSelector(fn, args, name)


# --------------------------------------------------------------------------------------
# Paging state
# --------------------------------------------------------------------------------------


def _encode_state(pk: bytes, ck: bytes | None, in_partition: int, remaining: int) -> bytes:
    flag = 0 if ck is None else 1
    ck = ck or b""
    return struct.pack(">I", len(pk)) + pk + struct.pack(">BI", flag, len(ck)) + ck + struct.pack(
        ">qq", in_partition, remaining
    )


def _decode_state(state: bytes) -> tuple[bytes, bytes | None, int, int]:
    try:
        (n,) = struct.unpack_from(">I", state, 0)
        pk = state[4:4 + n]
        flag, m = struct.unpack_from(">BI", state, 4 + n)
        pos = 9 + n
        ck = state[pos:pos + m] if flag else None
        in_partition, remaining = struct.unpack_from(">qq", state, pos + m)
        return pk, ck, in_partition, remaining
    except struct.error:
        raise InvalidRequest("Invalid value for the paging state") from None


def _describe_range(key_range: KeyRange) -> str:
    """A key range in token terms, Cassandra-style: ``(min(...), max(...)]``."""
    def token(dk: bytes | None, edge: str) -> str:
        if dk is None:
            return f"{edge}({-(1 << 63) if edge == 'min' else (1 << 63) - 1})"
        return str(int.from_bytes(dk[:8], "big") - (1 << 63))

    lo = ("[" if key_range.start_inclusive else "(") + token(key_range.start, "min")
    hi = token(key_range.end, "max") + ("]" if key_range.end_inclusive else ")")
    return f"{lo}, {hi}"


def _after(slices, ck: bytes, reverse: bool):
    """Clip slices to the rows strictly after ``ck`` in iteration order."""
    if slices is None:
        slices = [(b"", None)]
    out = []
    for lo, hi in slices:
        if reverse:
            hi = ck if hi is None or ck < hi else hi
        else:
            nxt = ck + b"\x00"
            lo = nxt if nxt > lo else lo
        if hi is None or lo < hi:
            out.append((lo, hi))
    return out


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


class SelectPlan(Plan):
    def __init__(self, db, stmt: ast.Select, table: TableMetadata, markers: Markers,
                 keyspace: str | None):
        self.table = table.name
        self.keyspace = table.keyspace
        self.meta = table
        self.stmt = stmt
        self.bound_ref: list = [[]]
        ctx = db.term_context(markers, table.keyspace)
        self.where = WhereClause(table, stmt.where, ctx, "SELECT")
        self._compile_selection(db, stmt, table, ctx)
        self._compile_limits(stmt, ctx)
        self._plan_keys(stmt, table)
        self._plan_order(stmt, table)
        self._plan_grouping(stmt, table)
        self.aggregate_warning = self._aggregate_warning(stmt)
        self.pk_indexes = markers.partition_key_indexes([c.name for c in table.partition_key])

    def _aggregate_warning(self, stmt: ast.Select) -> str | None:
        """Cassandra's client warning for aggregating over many partitions."""
        if not (self.aggregate or stmt.group_by):
            return None
        if self.key_mode != "token" and not self.where.has_partition_restriction():
            return "Aggregation query used without partition key"
        if any(r is not None and r.is_in for r in self.where.partition_restrictions()):
            return "Aggregation query used on multiple partition keys (IN restriction)"
        return None

    # ---- compile ------------------------------------------------------------------------

    def _compile_selection(self, db, stmt: ast.Select, table: TableMetadata, ctx: TermContext):
        comp = SelectionCompiler(db, table, ctx, self.bound_ref)
        if stmt.selectors is None:
            self.selectors: list[Selector] = [ColumnSelector(c) for c in table.select_star]
            self.star = True
        else:
            self.star = False
            self.selectors = []
            for s in stmt.selectors:
                sel = comp.compile(s.expr)
                if s.alias:
                    sel.name = s.alias
                self.selectors.append(sel)
        self.aggregate = any(s.is_aggregate for s in self.selectors)
        self.needs_cells = any(
            isinstance(s, WritetimeSelector) or _contains_writetime(s) for s in self.selectors
        )
        if stmt.distinct:
            self._check_distinct(stmt, table)
        if stmt.json:
            self.result_names = ["[json]"]
            self.result_types = [native_type("text")]
        else:
            self.result_names = [s.name for s in self.selectors]
            self.result_types = [s.type for s in self.selectors]
        selected = {c for s in self.selectors for c in s.columns}
        self.static_only = bool(selected) and all(
            table.columns[c].kind in ("static", PARTITION_KEY) for c in selected
        ) and any(table.columns[c].kind == "static" for c in selected)

    def _check_distinct(self, stmt: ast.Select, table: TableMetadata) -> None:
        for s in self.selectors:
            for cname in s.columns:
                col = table.columns[cname]
                if col.kind not in (PARTITION_KEY, "static"):
                    raise InvalidRequest(
                        "SELECT DISTINCT queries must only request partition key columns and/or "
                        f"static columns (not {cname})"
                    )
        if not self.where.has_full_partition_key():
            selected = {c for s in self.selectors for c in s.columns}
            for c in table.partition_key:
                if c.name not in selected:
                    raise InvalidRequest(
                        "SELECT DISTINCT queries must request all the partition key columns "
                        f"(missing {c.name})"
                    )
        for r in self.where.columns.values():
            if r.column.kind not in (PARTITION_KEY, "static"):
                raise InvalidRequest(
                    "SELECT DISTINCT with WHERE clause only supports restriction by partition "
                    "key and/or static columns."
                )
        if stmt.per_partition_limit is not None:
            raise InvalidRequest("PER PARTITION LIMIT is not allowed with SELECT DISTINCT queries")

    def _compile_limits(self, stmt: ast.Select, ctx: TermContext) -> None:
        self.limit = (
            compile_term(stmt.limit, INT, "[limit]", ctx) if stmt.limit is not None else None
        )
        self.ppl = (
            compile_term(stmt.per_partition_limit, INT, "[per_partition_limit]", ctx)
            if stmt.per_partition_limit is not None else None
        )
        if self.ppl is not None and self.aggregate and not stmt.group_by:
            raise InvalidRequest("PER PARTITION LIMIT is not allowed with aggregate queries.")

    def _plan_keys(self, stmt: ast.Select, table: TableMetadata) -> None:
        where = self.where
        allow = stmt.allow_filtering
        filtering = False
        # Partition key
        prs = where.partition_restrictions()
        if where.token is not None:
            self.key_mode = "token"
            if any(r is not None for r in prs):
                if not all(r is not None and r.is_eq for r in prs):
                    filtering = True
        elif where.has_full_partition_key():
            self.key_mode = "keys"
        else:
            self.key_mode = "scan"
            if any(r is not None for r in prs):
                filtering = True
        # Clustering prefix
        crs = where.clustering_restrictions()
        usable = 0
        blocked_by: tuple[str, ColumnMetadata] | None = None
        multi = where.multi
        if multi is not None:
            first = multi.columns[0].position
            for r in crs[:first]:
                if r is None or not r.is_eq_or_in:
                    filtering = True
            if multi.op != "SLICE":
                usable = len(multi.columns) + first
        for i, r in enumerate(crs):
            if multi is not None:
                break
            if r is None:
                if blocked_by is None:
                    blocked_by = ("missing", table.clustering[i])
                continue
            if blocked_by is not None:
                if not allow:
                    kind, prev = blocked_by
                    if kind == "missing":
                        raise InvalidRequest(
                            f'PRIMARY KEY column "{r.name}" cannot be restricted as preceding '
                            f'column "{prev.name}" is not restricted'
                        )
                    raise InvalidRequest(
                        f'Clustering column "{r.name}" cannot be restricted (preceding column '
                        f'"{prev.name}" is restricted by a non-EQ relation)'
                    )
                filtering = True
                continue
            if r.is_contains:
                filtering = True
                blocked_by = ("slice", r.column)
                continue
            if r.is_eq_or_in:
                usable = i + 1
                continue
            # a slice: usable as the last element of the prefix
            blocked_by = ("slice", r.column)
        self.usable_clustering = usable if multi is None else usable
        has_ck_restriction = any(r is not None for r in crs) or multi is not None
        if has_ck_restriction and self.key_mode != "keys":
            filtering = True
        if has_ck_restriction and self.static_only and not stmt.distinct:
            raise InvalidRequest(
                "Cannot restrict clustering columns when selecting only static columns"
            )
        self.has_ck_restriction = has_ck_restriction
        # Everything else is a filter
        non_key = where.non_key_restrictions()
        if non_key:
            filtering = True
        self.index = None
        if filtering:
            self.index = self._choose_index(table)
            if self.index is not None:
                filtering = self._needs_filtering_besides(self.index[1], table)
                self.key_mode = "index"
        if filtering and not allow:
            raise InvalidRequest(REQUIRES_ALLOW_FILTERING)
        self.row_filtering = filtering or self.key_mode == "index" or (
            multi is not None and multi.op == "SLICE"
        )
        self.filters = [r for r in where.columns.values()]
        self.filter_multi = multi

    def _choose_index(self, table: TableMetadata):
        """(index, restriction, operation) of the first restriction an index answers."""
        for r in self.where.columns.values():
            for index in table.indexes.values():
                if index.target_column != r.name:
                    continue
                op = indexes.supports(table, index, r)
                if op is not None:
                    return index, r, op
        return None

    def _needs_filtering_besides(self, used, table: TableMetadata) -> bool:
        """Whether restrictions other than the indexed one still need ALLOW FILTERING."""
        where = self.where
        for r in where.columns.values():
            if r is used:
                continue
            if r.column.kind == PARTITION_KEY:
                if not where.has_full_partition_key():
                    return True
                continue
            if r.column.kind == CLUSTERING and where.has_full_partition_key():
                continue
            return True
        return where.multi is not None and not where.has_full_partition_key()

    def _index_partitions(self, db, bound: list, slices, state, now: int) -> Iterator:
        """Base partitions (one row each) found through the chosen index."""
        index, r, op = self.index
        table = self.meta
        if op == "=":
            key = indexes.lookup_key(table, index, op, r.eq.bind(bound))
        elif op == "CONTAINS":
            key = indexes.lookup_key(table, index, op, r.contains[0].bind(bound))
        elif op == "CONTAINS KEY":
            key = indexes.lookup_key(table, index, op, r.contains_key[0].bind(bound))
        else:
            k, v = r.entries[0]
            key = indexes.lookup_key(table, index, op, v.bind(bound), k.bind(bound))
        wanted = None
        if self.where.has_full_partition_key():
            wanted = set(self.where.partition_keys(bound))
        resume = (decorate(state[0]), state[1] or b"") if state else None
        seen: set = set()
        table_id = str(table.id)
        for dk, ck in indexes.lookup(db.engine, table, index, key, now):
            pk = dk[8:]
            if wanted is not None and pk not in wanted:
                continue
            if resume is not None and (dk, ck) <= resume:
                continue
            if (dk, ck) in seen:
                continue
            seen.add((dk, ck))
            s = [(ck, ck + b"\x00")] if ck else slices
            view = db.engine.read_partition(table_id, pk, s, False, now)
            if view is not None:
                yield view

    def _plan_order(self, stmt: ast.Select, table: TableMetadata) -> None:
        self.reverse = False
        self.post_sort = False
        if not stmt.order_by:
            return
        for name, _ in stmt.order_by:
            if name not in table.columns:
                raise _undefined(table, name)
            if table.columns[name].kind != CLUSTERING:
                raise InvalidRequest(
                    "Order by is currently only supported on the clustered columns of the "
                    f"PRIMARY KEY, got {name}"
                )
        if self.key_mode == "index":
            raise InvalidRequest(
                "ORDER BY with 2ndary indexes is not supported, except for ANN queries."
            )
        if self.key_mode != "keys":
            raise InvalidRequest(
                "ORDER BY is only supported when the partition key is restricted by an EQ or an IN."
            )
        crs = self.where.clustering_restrictions()
        expected = 0
        reversed_flags = set()
        for name, direction in stmt.order_by:
            col = table.columns[name]
            while expected < col.position:
                r = crs[expected]
                if r is None or not r.is_eq:
                    raise InvalidRequest(
                        "Order by currently only supports the ordering of columns following "
                        "their declared order in the PRIMARY KEY"
                    )
                expected += 1
            if col.position != expected:
                raise InvalidRequest(
                    "Order by currently only supports the ordering of columns following their "
                    "declared order in the PRIMARY KEY"
                )
            expected += 1
            reversed_flags.add((direction == "DESC") != col.reversed)
        if len(reversed_flags) > 1:
            raise InvalidRequest("Unsupported order by relation")
        self.reverse = reversed_flags.pop()
        prs = self.where.partition_restrictions()
        self.post_sort = any(r.is_in for r in prs if r is not None)

    def _plan_grouping(self, stmt: ast.Select, table: TableMetadata) -> None:
        self.group_size = 0
        if not stmt.group_by:
            return
        pk_order = table.primary_key
        position = 0
        crs = {c.name: self.where.columns.get(c.name) for c in table.clustering}
        for i, g in enumerate(stmt.group_by):
            if not isinstance(g, ast.ColumnRef):
                raise InvalidRequest(
                    "Functions are only supported on the last element of the GROUP BY clause"
                    if i < len(stmt.group_by) - 1
                    else "Only monotonic functions are supported in the GROUP BY clause."
                )
            name = g.name
            if name not in table.columns:
                raise _undefined(table, name)
            col = table.columns[name]
            if not col.is_primary_key:
                raise InvalidRequest(
                    "Group by is currently only supported on the columns of the PRIMARY KEY, "
                    f"got {name}"
                )
            while position < len(pk_order) and pk_order[position].name != name:
                skipped = pk_order[position]
                r = crs.get(skipped.name)
                if skipped.kind == CLUSTERING and r is not None and r.is_eq:
                    position += 1
                    continue
                raise InvalidRequest(
                    "Group by currently only support groups of columns following their declared "
                    "order in the PRIMARY KEY"
                )
            position += 1
        if position < len(table.partition_key):
            raise InvalidRequest("Group by is not supported on only a part of the partition key")
        if stmt.distinct and position > len(table.partition_key):
            raise InvalidRequest(
                "Grouping on clustering columns is not allowed for SELECT DISTINCT queries"
            )
        self.group_size = position

    # ---- execute ------------------------------------------------------------------------

    def _int_option(self, term: Term | None, bound: list, what: str) -> int | None:
        if term is None:
            return None
        v = term.bind(bound)
        if v is None:
            raise InvalidRequest(f"Invalid null value of {what}")
        if v is UNSET:
            return None
        if v <= 0:
            raise InvalidRequest("LIMIT must be strictly positive")
        return v

    def execute(self, db, ctx: ExecutionContext) -> Result:
        bound = ctx.values
        self.bound_ref[0] = bound
        limit = self._int_option(self.limit, bound, "limit")
        ppl = self._int_option(self.ppl, bound, "per partition limit")
        state = _decode_state(ctx.paging_state) if ctx.paging_state else None
        page_size = ctx.fetch_size
        if self.aggregate or self.post_sort:
            page_size = None
        if state is not None and state[3] >= 0:
            limit = state[3]
        rows_out: list[tuple] = []
        next_state = None
        now = ctx.now
        if self.aggregate:
            rows_out = self._aggregate(db, ctx, bound, ppl, now, limit)
        else:
            produced = 0
            cap = None  # rows any one partition read can contribute (pushed down to storage)
            if not self.row_filtering and not self.post_sort:
                wanted = [n for n in (limit, page_size + 1 if page_size else None, ppl) if n]
                cap = min(wanted) if wanted else None
            rows = self._rows(db, bound, ppl, state, now, cap)
            for pk, ck, row, in_partition in rows:
                rows_out.append(self._project(row, now))
                produced += 1
                if limit is not None and produced >= limit:
                    break
                if page_size is not None and produced >= page_size and not self.post_sort:
                    if next(rows, None) is not None:  # only promise a page that has rows
                        remaining = -1 if limit is None else limit - produced
                        next_state = _encode_state(pk, ck, in_partition, remaining)
                        trace("Page full at {} rows: returning a paging state", page_size)
                    break
        tr = current_trace()
        if tr is not None:
            live, tombstones = tr.take_read_counts()
            tr.add(f"Read {live} live rows and {tombstones} tombstone cells")
            if self.row_filtering and not self.aggregate:
                tr.add(f"Filtering kept {len(rows_out)} rows")
        if self.stmt.json:
            rows_out = [(self._json_row(r),) for r in rows_out]
        result = Result("rows", list(self.result_names), list(self.result_types), rows_out,
                        next_state, keyspace=self.keyspace, table=self.table)
        if self.aggregate_warning:
            result.warnings.append(self.aggregate_warning)
        return result

    def _json_row(self, row: tuple) -> str:
        parts = []
        for sel, value in zip(self.selectors, row):
            key = sel.name if sel.name == sel.name.lower() else f'"{sel.name}"'
            parts.append(f"{json.dumps(key)}: {sel.type.to_json_text(value)}")
        return "{" + ", ".join(parts) + "}"

    def _project(self, row: RowData, now: int) -> tuple:
        return tuple(s.value(row, now) for s in self.selectors)

    # ---- partitions and rows --------------------------------------------------------------

    def _partitions(self, db, bound: list, slices, state, now: int,
                    cap: int | None = None) -> Iterator:
        table_id = str(self.meta.id)
        engine = db.engine
        reverse = self.reverse
        distinct = self.stmt.distinct
        start_pk = state[0] if state else None
        resume_ck = state[1] if state else None
        if self.key_mode == "index":
            trace("Executing read on {}.{} using index {}", self.meta.keyspace, self.meta.name,
                  self.index[0].name)
            yield from self._index_partitions(db, bound, slices, state, now)
            return
        if self.key_mode == "keys":
            pks = self.where.partition_keys(bound)
            if start_pk is not None:
                if start_pk in pks:
                    pks = pks[pks.index(start_pk):]
                else:
                    pks = []
            for pk in pks:
                trace("Executing single-partition query on {}", self.meta.name)
                s = slices
                if pk == start_pk:
                    if resume_ck is None:
                        continue
                    s = _after(slices, resume_ck, reverse)
                view = engine.read_partition(table_id, pk, s, reverse, now, 1 if distinct else cap)
                if view is not None:
                    yield view
            return
        key_range = self.where.token_range(bound) if self.key_mode == "token" else KeyRange()
        if key_range is None:
            return
        if start_pk is not None:
            dk = decorate(start_pk)
            if key_range.start is None or dk > key_range.start:
                key_range = KeyRange(dk, True, key_range.end, key_range.end_inclusive)
        if current_trace() is not None:
            trace(f"Executing seq scan on {self.meta.name} for {_describe_range(key_range)}")
        for view in engine.scan(table_id, key_range, slices, now):
            if view.pk == start_pk:
                if resume_ck is None:
                    continue
                view = engine.read_partition(
                    table_id, view.pk, _after(slices, resume_ck, False), False, now, cap
                )
                if view is None:
                    continue
            if distinct:
                view = type(view)(view.pk, view.static_row, view.rows[:1])
            yield view

    def _rows(self, db, bound: list, ppl: int | None, state, now: int,
              cap: int | None = None) -> Iterator:
        table = self.meta
        slices = clustering_slices(table, self.where, self.usable_clustering, bound) \
            if self.has_ck_restriction else None
        if slices is not None and not slices:
            return
        filters = self.filters
        multi = self.filter_multi
        need_cells = self.needs_cells
        distinct = self.stmt.distinct
        pk_names = [c.name for c in table.partition_key]
        ck_names = [c.name for c in table.clustering]
        columns = table.columns
        dropped = table.dropped_columns
        start_in_partition = state[2] if state else 0
        start_pk = state[0] if state else None
        post = self.post_sort
        gathered = []
        for view in self._partitions(db, bound, slices, state, now, cap):
            base = dict(zip(pk_names, partition_key_values(table, view.pk)))
            base_cells: dict = {}
            if view.static_row is not None:
                _decode_into(view.static_row, columns, dropped, base, base_cells)
            resumed = view.pk == start_pk
            count = start_in_partition if resumed else 0
            if ppl is not None and count >= ppl:
                continue
            if distinct or (not view.rows and not self.has_ck_restriction and not resumed):
                if distinct or view.static_row is not None:
                    row = RowData(base, base_cells, view.pk, None)
                    if self._keep(row, filters, multi, bound, static_row=True):
                        yield view.pk, None, row, count + 1
                continue
            for ck, srow in view.rows:
                values = dict(base)
                values.update(zip(ck_names, clustering_values(table, ck)))
                cells = dict(base_cells) if need_cells else base_cells
                _decode_into(srow, columns, dropped, values, cells if need_cells else None)
                row = RowData(values, cells, view.pk, ck)
                if not self._keep(row, filters, multi, bound):
                    continue
                count += 1
                if post:
                    gathered.append((ck, view.pk, row, count))
                else:
                    yield view.pk, ck, row, count
                if ppl is not None and count >= ppl:
                    break
        if post:
            gathered.sort(key=lambda g: g[0], reverse=self.reverse)
            for ck, pk, row, count in gathered:
                yield pk, ck, row, count

    def _keep(self, row: RowData, filters, multi, bound, static_row: bool = False) -> bool:
        values = row.values
        for r in filters:
            col = r.column
            if static_row and col.kind in (CLUSTERING, "regular"):
                return False
            if not r.matches(values.get(col.name), bound):
                return False
        if multi is not None and not static_row and not multi.matches_row(values, bound):
            return False
        return True

    # ---- aggregation ----------------------------------------------------------------------

    def _aggregate(self, db, ctx, bound, ppl, now, limit) -> list[tuple]:
        table = self.meta
        group_cols = [c.name for c in table.primary_key[: self.group_size]]
        out: list[tuple] = []
        current_key = object()
        states = None
        first_row = None

        def finish():
            vals = []
            for s, st in zip(self.selectors, states):
                vals.append(_finish_selector(s, st, first_row, now))
            out.append(tuple(vals))

        for pk, ck, row, _ in self._rows(db, bound, ppl, None, now):
            key = tuple(row.values.get(c) for c in group_cols) if group_cols else None
            if states is None or (group_cols and key != current_key):
                if states is not None:
                    finish()
                    if limit is not None and len(out) >= limit:
                        return out
                states = [_new_state(s) for s in self.selectors]
                first_row = row
                current_key = key
            for s, st in zip(self.selectors, states):
                _add_state(s, st, row, now)
        if states is not None:
            finish()
        elif not group_cols:
            states = [_new_state(s) for s in self.selectors]
            first_row = None
            finish()
        return out[:limit] if limit is not None else out


def _contains_writetime(sel: Selector) -> bool:
    if isinstance(sel, WritetimeSelector):
        return True
    for attr in ("args",):
        for a in getattr(sel, attr, []) or []:
            if a is not None and _contains_writetime(a):
                return True
    inner = getattr(sel, "inner", None)
    return inner is not None and _contains_writetime(inner)


class _AggState:
    __slots__ = ("state", "children")

    def __init__(self, state, children):
        self.state = state
        self.children = children


def _new_state(sel: Selector):
    if isinstance(sel, AggregateSelector):
        return _AggState(sel.function.new_state(), None)
    children = [_new_state(a) for a in getattr(sel, "args", []) or []]
    inner = getattr(sel, "inner", None)
    if inner is not None:
        children = [_new_state(inner)]
    return _AggState(None, children)


def _add_state(sel: Selector, st: _AggState, row: RowData, now: int) -> None:
    if isinstance(sel, AggregateSelector):
        args = [a.value(row, now) for a in sel.args]
        st.state = sel.function.add(st.state, args)
        return
    if not sel.is_aggregate:
        return
    subs = getattr(sel, "args", None) or ([sel.inner] if getattr(sel, "inner", None) else [])
    for child, cst in zip(subs, st.children):
        _add_state(child, cst, row, now)


def _finish_selector(sel: Selector, st: _AggState, first_row: RowData | None, now: int):
    if isinstance(sel, AggregateSelector):
        return sel.function.result(st.state)
    if not sel.is_aggregate:
        return sel.value(first_row, now) if first_row is not None else None
    if isinstance(sel, FunctionSelector):
        args = [_finish_selector(a, c, first_row, now) for a, c in zip(sel.args, st.children)]
        return sel.function.execute(args)
    if isinstance(sel, FieldSelector):
        v = _finish_selector(sel.inner, st.children[0], first_row, now)
        return None if v is None else v[sel.index]
    return None


def _decode_into(row, columns, dropped, values: dict, cells: dict | None) -> None:
    for name, data in row.cells.items():
        column = columns.get(name)
        if column is None:
            continue
        d = dropped.get(name)
        if d is not None:
            from .rows import _without_dropped

            data = _without_dropped(data, d.dropped_time)
            if data is None:
                continue
        values[name] = decode_cell_value(column, data)
        if cells is not None:
            cells[name] = data


def _literal_arg(node: Any):
    from . import functions

    if isinstance(node, ast.Constant):
        return functions.LiteralArg(node.kind, node.text)
    return functions.LiteralArg("null" if isinstance(node, ast.Null) else "marker")


def plan_select(db, stmt: ast.Select, keyspace: str | None, markers: Markers) -> SelectPlan:
    table = db.table(stmt.table, keyspace)
    return SelectPlan(db, stmt, table, markers, keyspace)


