"""INSERT, UPDATE, DELETE and BATCH: from statements to mutations, including LWT.

Writes are blind upserts turned into :class:`storage.model.Mutation` objects. Operations
that must see the current value (list index set/delete, list removal, counters) read the
row first under the database lock, as do lightweight transactions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    LivenessInfo,
    Mutation,
    Partition,
    RangeTombstone,
    Row,
    live_cell,
    merge_partition_into,
    tombstone,
)
from cassalite.storage.tracing import trace

from . import ast
from .errors import InvalidRequest
from .executor import ExecutionContext, Plan, Result
from .restrictions import WhereClause, clustering_slices
from .rows import (
    clustering_bytes,
    clustering_values,
    decode_row_values,
    element_cells,
    list_paths,
    partition_key_bytes,
    partition_key_values,
    udt_path,
)
from .schema import ColumnMetadata, TableMetadata, quote_name
from .terms import UNSET, Markers, Term, TermContext, compile_term
from .types import ListType, MapType, SetType, UserType, is_list, native_type

MAX_TTL = 630720000
COUNTER_TOMBSTONE_TIMESTAMP = (1 << 63) - 1
INT = native_type("int")
BIGINT = native_type("bigint")
BOOLEAN = native_type("boolean")


def _undefined(table: TableMetadata, name: str) -> InvalidRequest:
    return InvalidRequest(
        f"Undefined column name {quote_name(name)} in table "
        f"{quote_name(table.keyspace)}.{quote_name(table.name)}"
    )


# --------------------------------------------------------------------------------------
# Operations on one column
# --------------------------------------------------------------------------------------


@dataclass
class WriteContext:
    """What operations need while building a row update."""

    bound: list
    timestamp: int
    ttl: int
    now: int
    current: dict | None  # decoded current values (read-before-write), when needed
    current_cells: dict | None

    def cell(self, value: bytes) -> Cell:
        return live_cell(value, self.timestamp, self.ttl, self.now)


class Operation:
    requires_read = False

    def __init__(self, column: ColumnMetadata, term: Term | None = None, key: Term | None = None):
        self.column = column
        self.term = term
        self.key = key

    def apply(self, row: Row, wc: WriteContext) -> None:
        raise NotImplementedError


def _complex(row: Row, name: str) -> ComplexColumn:
    data = row.cells.get(name)
    if not isinstance(data, ComplexColumn):
        data = row.cells[name] = ComplexColumn()
    return data


class SetColumn(Operation):
    """``c = v`` (and INSERT values): overwrite; collections get a complex deletion first."""

    def apply(self, row: Row, wc: WriteContext) -> None:
        value = self.term.bind(wc.bound)
        if value is UNSET:
            return
        col = self.column
        if col.type.is_multicell:
            cc = ComplexColumn(DeletionTime(wc.timestamp - 1, wc.now))
            if value:
                cc.cells.update(element_cells(col, value, wc.timestamp, wc.ttl, wc.now))
            row.cells[col.name] = cc
        elif value is None:
            row.cells[col.name] = tombstone(wc.timestamp, wc.now)
        else:
            row.cells[col.name] = wc.cell(col.type.serialize(value))


class CounterAdd(Operation):
    requires_read = True

    def __init__(self, column: ColumnMetadata, term: Term, sign: int):
        super().__init__(column, term)
        self.sign = sign

    def apply(self, row: Row, wc: WriteContext) -> None:
        delta = self.term.bind(wc.bound)
        if delta is UNSET:
            return
        if delta is None:
            raise InvalidRequest("Invalid null value for counter increment/decrement")
        current = (wc.current or {}).get(self.column.name) or 0
        total = current + self.sign * delta
        total = ((total + (1 << 63)) % (1 << 64)) - (1 << 63)
        row.cells[self.column.name] = Cell(BIGINT.serialize(total), wc.timestamp)


class CollectionAdd(Operation):
    """Append to a list, add to a set, put into a map (no read needed)."""

    def __init__(self, column: ColumnMetadata, term: Term, prepend: bool = False):
        super().__init__(column, term)
        self.prepend = prepend

    def apply(self, row: Row, wc: WriteContext) -> None:
        value = self.term.bind(wc.bound)
        if value is UNSET or value is None:
            return
        col = self.column
        ctype = col.type
        cc = _complex(row, col.name)
        if is_list(ctype):
            items = list(value)
            paths = list_paths(len(items), self.prepend)
            for path, v in zip(paths, items):
                cc.cells[path] = wc.cell(ctype.element_type.serialize(v))
        else:
            cc.cells.update(element_cells(col, value, wc.timestamp, wc.ttl, wc.now))


class CollectionRemove(Operation):
    """``l = l - [..]`` (read needed), ``s = s - {..}``, ``m = m - {keys}``."""

    def __init__(self, column: ColumnMetadata, term: Term):
        super().__init__(column, term)
        self.requires_read = is_list(column.type)

    def apply(self, row: Row, wc: WriteContext) -> None:
        value = self.term.bind(wc.bound)
        if value is UNSET or value is None:
            return
        col = self.column
        ctype = col.type
        cc = _complex(row, col.name)
        dead = tombstone(wc.timestamp, wc.now)
        if is_list(ctype):
            data = (wc.current_cells or {}).get(col.name)
            if not isinstance(data, ComplexColumn):
                return
            remove = {ctype.element_type.serialize(v) for v in value}
            for path, cell in data.cells.items():
                if cell.value in remove:
                    cc.cells[path] = dead
        elif isinstance(ctype, SetType):
            for v in value:
                cc.cells[ctype.element_type.to_comparable(v)] = dead
        else:
            for k in value:
                cc.cells[ctype.key_type.to_comparable(k)] = dead


class SetElement(Operation):
    """``m[k] = v`` / ``l[i] = v`` (list: read needed)."""

    def __init__(self, column: ColumnMetadata, key: Term, term: Term | None):
        super().__init__(column, term, key)
        self.requires_read = is_list(column.type)

    def apply(self, row: Row, wc: WriteContext) -> None:
        key = self.key.bind(wc.bound)
        value = self.term.bind(wc.bound) if self.term is not None else None
        if value is UNSET:
            return
        col = self.column
        ctype = col.type
        cc = _complex(row, col.name)
        if is_list(ctype):
            if key is None:
                raise InvalidRequest("Invalid null value for list index")
            path = _list_path_at(col, wc, key)
            cc.cells[path] = (
                tombstone(wc.timestamp, wc.now) if value is None
                else wc.cell(ctype.element_type.serialize(value))
            )
        else:
            if key is None:
                raise InvalidRequest("Invalid null map key")
            path = ctype.key_type.to_comparable(key)
            cc.cells[path] = (
                tombstone(wc.timestamp, wc.now) if value is None
                else wc.cell(ctype.value_type.serialize(value))
            )


def _list_path_at(col: ColumnMetadata, wc: WriteContext, index: int) -> bytes:
    data = (wc.current_cells or {}).get(col.name)
    paths = list(data.cells.keys()) if isinstance(data, ComplexColumn) else []
    if index < 0 or index >= len(paths):
        raise InvalidRequest(f"List index {index} out of bound, list has size {len(paths)}")
    return paths[index]


class SetFieldOp(Operation):
    def __init__(self, column: ColumnMetadata, index: int, term: Term | None):
        super().__init__(column, term)
        self.index = index

    def apply(self, row: Row, wc: WriteContext) -> None:
        value = self.term.bind(wc.bound) if self.term is not None else None
        if value is UNSET:
            return
        ftype = self.column.type.field_types[self.index]
        cc = _complex(row, self.column.name)
        cc.cells[udt_path(self.index)] = (
            tombstone(wc.timestamp, wc.now) if value is None else wc.cell(ftype.serialize(value))
        )


class DeleteColumn(Operation):
    def apply(self, row: Row, wc: WriteContext) -> None:
        col = self.column
        if col.type.is_multicell:
            row.cells[col.name] = ComplexColumn(DeletionTime(wc.timestamp, wc.now))
        else:
            row.cells[col.name] = tombstone(wc.timestamp, wc.now)


class DeleteElement(Operation):
    def __init__(self, column: ColumnMetadata, key: Term):
        super().__init__(column, None, key)
        self.requires_read = is_list(column.type)

    def apply(self, row: Row, wc: WriteContext) -> None:
        key = self.key.bind(wc.bound)
        if key is UNSET:
            return
        col = self.column
        ctype = col.type
        cc = _complex(row, col.name)
        dead = tombstone(wc.timestamp, wc.now)
        if is_list(ctype):
            data = (wc.current_cells or {}).get(col.name)
            if not isinstance(data, ComplexColumn) or not data.cells:
                raise InvalidRequest("Attempted to delete an element from a list which is null")
            cc.cells[_list_path_at(col, wc, key)] = dead
        elif isinstance(ctype, SetType):
            cc.cells[ctype.element_type.to_comparable(key)] = dead
        else:
            if key is None:
                raise InvalidRequest("Invalid null map key")
            cc.cells[ctype.key_type.to_comparable(key)] = dead


# --------------------------------------------------------------------------------------
# Compiling statements
# --------------------------------------------------------------------------------------


def _op_text(a: Any) -> str:
    from .restrictions import _text

    if isinstance(a, ast.AddTo):
        return f"{a.column} = {a.column} + {_text(a.value)}"
    if isinstance(a, ast.SubtractFrom):
        return f"{a.column} = {a.column} - {_text(a.value)}"
    if isinstance(a, ast.Prepend):
        return f"{a.column} = {_text(a.value)} + {a.column}"
    if isinstance(a, ast.SetElement):
        return f"{a.column}[{_text(a.key)}] = {_text(a.value)}"
    if isinstance(a, ast.SetField):
        return f"{a.column}.{a.field} = {_text(a.value)}"
    return f"{a.column} = {_text(a.value)}"


def compile_assignment(table: TableMetadata, a: Any, ctx: TermContext) -> Operation:
    column = table.columns.get(a.column)
    if column is None:
        raise _undefined(table, a.column)
    if column.is_primary_key:
        raise InvalidRequest(f"PRIMARY KEY part {column.name} found in SET part")
    ctype = column.type
    name = column.name
    if isinstance(a, ast.SetValue):
        if ctype.is_counter:
            raise InvalidRequest(
                f"Cannot set the value of counter column {name} (counters can only be "
                "incremented/decremented, not set)"
            )
        return SetColumn(column, compile_term(a.value, ctype, name, ctx))
    if isinstance(a, (ast.AddTo, ast.SubtractFrom)):
        sign = 1 if isinstance(a, ast.AddTo) else -1
        if ctype.is_counter:
            return CounterAdd(column, compile_term(a.value, BIGINT, name, ctx), sign)
        if not ctype.is_collection:
            what = "tuple" if getattr(ctype, "is_tuple", False) else "non counter"
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for {what} column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Invalid operation ({_op_text(a)}) for frozen collection column {name}"
            )
        if sign > 0:
            if isinstance(ctype, MapType) and not isinstance(
                a.value, (ast.MapLiteral, ast.BindMarker)
            ):
                from .restrictions import _text

                raise InvalidRequest(
                    f"Value for a map addition has to be a map, but was: '{_text(a.value)}'"
                )
            return CollectionAdd(column, compile_term(a.value, ctype, name, ctx))
        if isinstance(ctype, MapType):
            keyset = SetType(ctype.key_type, True)
            if not isinstance(a.value, (ast.SetLiteral, ast.BindMarker, ast.MapLiteral)):
                from .restrictions import _text

                raise InvalidRequest(
                    f"Value for a map substraction has to be a set, but was: '{_text(a.value)}'"
                )
            return CollectionRemove(column, compile_term(a.value, keyset, name, ctx))
        return CollectionRemove(column, compile_term(a.value, ctype, name, ctx))
    if isinstance(a, ast.Prepend):
        if not is_list(ctype):
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for non list column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for frozen list column {name}")
        return CollectionAdd(column, compile_term(a.value, ctype, name, ctx), prepend=True)
    if isinstance(a, ast.SetElement):
        if not ctype.is_collection:
            raise InvalidRequest(
                f"Invalid operation ({_op_text(a)}) for non collection column {name}"
            )
        if isinstance(ctype, SetType):
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for set column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Invalid operation ({_op_text(a)}) for frozen collection column {name}"
            )
        if is_list(ctype):
            key = compile_term(a.key, INT, f"idx({name})", ctx)
            value = compile_term(a.value, ctype.element_type, f"value({name})", ctx)
        else:
            key = compile_term(a.key, ctype.key_type, f"key({name})", ctx)
            value = compile_term(a.value, ctype.value_type, f"value({name})", ctx)
        return SetElement(column, key, value)
    if isinstance(a, ast.SetField):
        if not isinstance(ctype, UserType):
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for non-UDT column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(f"Invalid operation ({_op_text(a)}) for frozen UDT column {name}")
        if a.field not in ctype.field_names:
            raise InvalidRequest(f"UDT column {name} does not have a field named {a.field}")
        idx = list(ctype.field_names).index(a.field)
        return SetFieldOp(column, idx, compile_term(a.value, ctype.field_types[idx], f"{name}.{a.field}", ctx))
    raise InvalidRequest(f"Unsupported assignment {a!r}")


def compile_deletion(table: TableMetadata, target: Any, ctx: TermContext) -> Operation:
    base = target
    while isinstance(base, (ast.ElementAccess, ast.FieldAccess)):
        base = base.expr
    column = table.columns.get(base.name)
    if column is None:
        raise _undefined(table, base.name)
    if column.is_primary_key:
        raise InvalidRequest(
            f"Invalid identifier {column.name} for deletion (should not be a PRIMARY KEY part)"
        )
    ctype = column.type
    if isinstance(target, ast.ColumnRef):
        return DeleteColumn(column)
    if isinstance(target, ast.ElementAccess):
        if not ctype.is_collection:
            raise InvalidRequest(
                f"Invalid deletion operation for non collection column {column.name}"
            )
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Invalid deletion operation for frozen collection column {column.name}"
            )
        if is_list(ctype):
            key = compile_term(target.key, INT, f"idx({column.name})", ctx)
        elif isinstance(ctype, SetType):
            key = compile_term(target.key, ctype.element_type, f"value({column.name})", ctx)
        else:
            key = compile_term(target.key, ctype.key_type, f"key({column.name})", ctx)
        return DeleteElement(column, key)
    if not isinstance(ctype, UserType):
        raise InvalidRequest(f"Invalid field deletion operation for non-UDT column {column.name}")
    if not ctype.is_multicell:
        raise InvalidRequest(f"Frozen UDT column {column.name} does not support field deletions")
    if target.field not in ctype.field_names:
        raise InvalidRequest(f"UDT column {column.name} does not have a field named {target.field}")
    return SetFieldOp(column, list(ctype.field_names).index(target.field), None)


# --------------------------------------------------------------------------------------
# Conditions (LWT)
# --------------------------------------------------------------------------------------


class Condition:
    def __init__(self, column: ColumnMetadata, op: str, terms: list[Term] | Term,
                 element: Term | None = None, field_index: int | None = None,
                 value_type=None):
        self.column, self.op, self.terms = column, op, terms
        self.element, self.field_index = element, field_index
        self.value_type = value_type or column.type

    def current(self, values: dict, bound: list) -> Any:
        v = values.get(self.column.name)
        if v is None:
            return None
        if self.field_index is not None:
            return v[self.field_index]
        if self.element is not None:
            k = self.element.bind(bound)
            if is_list(self.column.type):
                return v[k] if isinstance(k, int) and 0 <= k < len(v) else None
            return v.get(k)
        return v

    def check_values(self, bound: list) -> None:
        """Reject unset and (for ordering operators) null values, row or no row."""
        if self.op in ("IN", "CONTAINS", "CONTAINS KEY"):
            return
        value = self.terms.bind(bound)
        if value is UNSET:
            raise InvalidRequest("Invalid 'unset' value in condition")
        if value is None and self.op not in ("=", "!="):
            raise InvalidRequest(f'Invalid comparison with null for operator "{self.op}"')

    def holds(self, values: dict, bound: list) -> bool:
        current = self.current(values, bound)
        ctype = self.value_type
        op = self.op
        if op == "IN":
            items = self.terms.bind(bound) if isinstance(self.terms, Term) else [
                t.bind(bound) for t in self.terms
            ]
            items = items or []
            return any(_equal(ctype, current, v) for v in items)
        value = self.terms.bind(bound)
        if value is UNSET:
            raise InvalidRequest("Invalid 'unset' value in condition")
        if op == "=":
            return _equal(ctype, current, value)
        if op == "!=":
            return not _equal(ctype, current, value)
        if op in ("CONTAINS", "CONTAINS KEY"):
            if current is None:
                return False
            if op == "CONTAINS KEY":
                return value in current
            return value in (current.values() if isinstance(current, dict) else current)
        if value is None:
            raise InvalidRequest(f'Invalid comparison with null for operator "{op}"')
        if current is None:
            return False
        a, b = ctype.to_comparable(current), ctype.to_comparable(value)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _equal(ctype, a, b) -> bool:
    if a is None or b is None:
        if ctype.is_collection and not a and not b:
            return True
        return a is None and b is None
    return ctype.to_comparable(a) == ctype.to_comparable(b)


def compile_condition(table: TableMetadata, cond: Any, ctx: TermContext) -> Condition:
    lhs = cond.lhs
    base = lhs.expr if isinstance(lhs, (ast.ElementAccess, ast.FieldAccess)) else lhs
    column = table.columns.get(base.name)
    if column is None:
        raise _undefined(table, base.name)
    if column.is_primary_key:
        raise InvalidRequest(f"PRIMARY KEY column '{column.name}' cannot have IF conditions")
    if column.type.is_counter:
        raise InvalidRequest("Conditions on counters are not supported")
    ctype = column.type
    element = None
    field_index = None
    vtype = ctype
    if isinstance(lhs, ast.ElementAccess):
        if isinstance(ctype, SetType):
            raise InvalidRequest(f"Invalid element access syntax for set column {column.name}")
        if is_list(ctype):
            element = compile_term(lhs.key, INT, f"idx({column.name})", ctx)
            vtype = ctype.element_type
        elif isinstance(ctype, MapType):
            element = compile_term(lhs.key, ctype.key_type, f"key({column.name})", ctx)
            vtype = ctype.value_type
        else:
            raise InvalidRequest(f"Invalid element access syntax for non-collection column {column.name}")
    elif isinstance(lhs, ast.FieldAccess):
        if not isinstance(ctype, UserType) or lhs.field not in ctype.field_names:
            raise InvalidRequest(f"Unknown field {lhs.field} for column {column.name}")
        field_index = list(ctype.field_names).index(lhs.field)
        vtype = ctype.field_types[field_index]
    op = cond.op
    if op in ("<", "<=", ">", ">=") and not vtype.comparable:
        raise InvalidRequest(f"Slice conditions ( {op} ) are not supported on durations")
    if op == "IN":
        if isinstance(cond.rhs, ast.BindMarker):
            terms: Any = compile_term(cond.rhs, ListType(vtype, True), f"in({column.name})", ctx)
        else:
            terms = [compile_term(t, vtype, column.name, ctx) for t in cond.rhs]
    elif op == "CONTAINS":
        elem = vtype.value_type if isinstance(vtype, MapType) else vtype.element_type
        terms = compile_term(cond.rhs, elem, column.name, ctx)
    elif op == "CONTAINS KEY":
        terms = compile_term(cond.rhs, vtype.key_type, column.name, ctx)
    else:
        terms = compile_term(cond.rhs, vtype, column.name, ctx)
    return Condition(column, op, terms, element, field_index, vtype)


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


class ModificationPlan(Plan):
    def __init__(self, db, stmt: Any, table: TableMetadata, markers: Markers):
        self.meta = table
        self.keyspace, self.table = table.keyspace, table.name
        self.kind = {ast.Insert: "INSERT", ast.Update: "UPDATE", ast.Delete: "DELETE"}[type(stmt)]
        ctx = db.term_context(markers, table.keyspace)
        self.ctx = ctx
        self.operations: list[Operation] = []
        self.key_terms: dict[str, Term] | None = None
        self.where: WhereClause | None = None
        self.row_marker = self.kind == "INSERT"
        self.if_not_exists = getattr(stmt, "if_not_exists", False)
        self.if_exists = getattr(stmt, "if_exists", False)
        self.conditions: list[Condition] = []
        self.ttl = compile_term(stmt.ttl, INT, "[ttl]", ctx) if getattr(stmt, "ttl", None) is not None else None
        self.timestamp = (
            compile_term(stmt.timestamp, BIGINT, "[timestamp]", ctx)
            if stmt.timestamp is not None else None
        )
        if self.kind == "INSERT":
            self._compile_insert(stmt, table, ctx)
        else:
            self._compile_where(stmt, table, ctx)
        for cond in getattr(stmt, "conditions", ()) or ():
            self.conditions.append(compile_condition(table, cond, ctx))
        self.conditional = self.if_not_exists or self.if_exists or bool(self.conditions)
        if self.conditional:
            self._check_conditional()
        self.is_counter = table.is_counter
        if self.is_counter and self.timestamp is not None:
            raise InvalidRequest("Cannot provide custom timestamp for counter updates")
        if self.is_counter and self.ttl is not None:
            raise InvalidRequest("Cannot provide custom TTL for counter updates")
        self.requires_read = any(op.requires_read for op in self.operations)
        self.pk_indexes = markers.partition_key_indexes([c.name for c in table.partition_key])
        if self.conditional:
            self.result_names = ["[applied]"]
            self.result_types = [BOOLEAN]

    # ---- compile ------------------------------------------------------------------------

    def _compile_insert(self, stmt: ast.Insert, table: TableMetadata, ctx: TermContext) -> None:
        if table.is_counter:
            raise InvalidRequest(
                "INSERT statements are not allowed on counter tables, use UPDATE instead"
            )
        if stmt.json is not None:
            from .json_insert import compile_insert_json

            names, terms = compile_insert_json(table, stmt, ctx)
        else:
            names = list(stmt.columns)
            if len(set(names)) != len(names):
                raise InvalidRequest("The column names contains duplicates")
            if len(names) != len(stmt.values):
                raise InvalidRequest("Unmatched column names/values")
            terms = []
            for name, node in zip(names, stmt.values):
                column = table.columns.get(name)
                if column is None:
                    raise _undefined(table, name)
                if column.type.is_counter:
                    raise InvalidRequest(
                        "INSERT statements are not allowed on counter tables, use UPDATE instead"
                    )
                terms.append(compile_term(node, column.type, name, ctx))
        self.key_terms = {}
        for name, term in zip(names, terms):
            column = table.columns[name]
            if column.is_primary_key:
                self.key_terms[name] = term
            else:
                self.operations.append(SetColumn(column, term))
        missing = [c.name for c in table.partition_key if c.name not in self.key_terms]
        if missing:
            raise InvalidRequest(f"Some partition key parts are missing: {', '.join(missing)}")
        missing = [c.name for c in table.clustering if c.name not in self.key_terms]
        self.static_only = bool(self.operations) and all(
            op.column.is_static for op in self.operations
        )
        if missing and not self.static_only:
            raise InvalidRequest(f"Some clustering keys are missing: {', '.join(missing)}")
        if missing:
            self.row_marker = False

    def _compile_where(self, stmt: Any, table: TableMetadata, ctx: TermContext) -> None:
        kind = self.kind
        if kind == "UPDATE":
            for a in stmt.assignments:
                self.operations.append(compile_assignment(table, a, ctx))
        else:
            for t in stmt.targets:
                self.operations.append(compile_deletion(table, t, ctx))
        where = self.where = WhereClause(table, stmt.where, ctx, kind)
        for r in where.columns.values():
            if not r.column.is_primary_key:
                raise InvalidRequest(
                    f"Non PRIMARY KEY columns found in where clause: {r.name} "
                )
            if r.is_contains:
                op = "CONTAINS KEY" if r.contains_key else "CONTAINS"
                raise InvalidRequest(f"Cannot use {kind} with {op}")
        prs = where.partition_restrictions()
        for r in prs:
            if r is not None and r.is_slice:
                raise InvalidRequest(
                    "Only EQ and IN relation are supported on the partition key (unless you use "
                    f"the token() function) for {kind} statements"
                )
        missing = [c.name for c, r in zip(table.partition_key, prs) if r is None]
        if missing:
            raise InvalidRequest(f"Some partition key parts are missing: {', '.join(missing)}")
        self.static_only = bool(self.operations) and all(
            op.column.is_static for op in self.operations
        )
        crs = where.clustering_restrictions()
        has_ck = any(r is not None for r in crs) or where.multi is not None
        if self.static_only and has_ck and kind == "UPDATE":
            raise InvalidRequest(
                f"Invalid restrictions on clustering columns since the {kind} statement modifies "
                "only static columns"
            )
        full = all(r is not None and r.is_eq_or_in for r in crs) and where.multi is None
        if where.multi is not None and where.multi.op in ("=", "IN") and \
                len(where.multi.columns) == len(table.clustering) and all(
                    r is None for r in crs):
            full = True
        self.full_key = full
        if kind == "UPDATE":
            if any(r is not None and r.is_slice for r in crs) or (
                where.multi is not None and where.multi.op == "SLICE"
            ):
                raise InvalidRequest(
                    "Slice restrictions are not supported on the clustering columns in UPDATE statements"
                )
            if not full and not self.static_only:
                missing = [c.name for c, r in zip(table.clustering, crs) if r is None]
                raise InvalidRequest(f"Some clustering keys are missing: {', '.join(missing)}")
        else:
            if self.operations and not full and not self.static_only:
                raise InvalidRequest("Range deletions are not supported for specific columns")
            if not full:
                # prefix / slice checks for range deletions
                seen_gap = False
                for c, r in zip(table.clustering, crs):
                    if r is None:
                        seen_gap = True
                    elif seen_gap:
                        raise InvalidRequest(
                            f'PRIMARY KEY column "{c.name}" cannot be restricted as preceding '
                            "column is not restricted"
                        )

    def _check_conditional(self) -> None:
        kind = "updates" if self.kind != "DELETE" else "deletions"
        if self.timestamp is not None:
            raise InvalidRequest("Cannot provide custom timestamp for conditional updates")
        if self.meta.is_counter:
            raise InvalidRequest("Conditional updates are not supported on counter tables")
        if self.where is not None:
            for r in self.where.partition_restrictions():
                if r is not None and r.is_in:
                    raise InvalidRequest(
                        f"IN on the partition key is not supported with conditional {kind}"
                    )
            for r in self.where.clustering_restrictions():
                if r is not None and r.is_in:
                    raise InvalidRequest(
                        f"IN on the clustering key columns is not supported with conditional {kind}"
                    )
            if self.kind == "DELETE" and not self.full_key and not self.static_only:
                what = "use IF condition on non static columns" if self.conditions else \
                    "delete non static columns"
                raise InvalidRequest(
                    "DELETE statements must restrict all PRIMARY KEY columns with equality "
                    f"relations in order to {what}"
                )

    # ---- execution ----------------------------------------------------------------------

    def write_attributes(self, db, ctx: ExecutionContext, batch_ts: int | None = None):
        bound = ctx.values
        if self.timestamp is not None:
            ts = self.timestamp.bind(bound)
            if ts is None:
                raise InvalidRequest("Invalid null value of timestamp")
            if ts is UNSET:
                ts = batch_ts if batch_ts is not None else db.write_timestamp(ctx)
            elif ts == -(1 << 63):
                raise InvalidRequest(f"Invalid timestamp value: {ts}")
        else:
            ts = batch_ts if batch_ts is not None else db.write_timestamp(ctx)
        if self.meta.is_counter and self.kind == "DELETE":
            # A counter tombstone always wins, whatever the timestamps: increments after a
            # delete do not bring the counter back (Cassandra's counter semantics).
            ts = COUNTER_TOMBSTONE_TIMESTAMP
        ttl = self.meta.default_ttl
        if self.ttl is not None:
            v = self.ttl.bind(bound)
            if v is None or v is UNSET:
                v = ttl if v is UNSET else 0
            if v < 0:
                raise InvalidRequest(f"A TTL must be greater or equal to 0, but was {v}")
            if v > MAX_TTL:
                raise InvalidRequest(f"ttl is too large. requested ({v}) maximum ({MAX_TTL})")
            ttl = v
        return ts, ttl

    def keys(self, bound: list) -> list[tuple[bytes, list[bytes | tuple] | None]]:
        """(pk, row keys) pairs; row keys are ck bytes, or (lo, hi) ranges, or None for
        a partition-level write."""
        table = self.meta
        if self.key_terms is not None:
            vals = {}
            for name, term in self.key_terms.items():
                v = term.bind(bound)
                if v is None:
                    raise InvalidRequest(f"Invalid null value in condition for column {name}")
                if v is UNSET:
                    raise InvalidRequest(f"Invalid unset value for column {name}")
                vals[name] = v
            pk = partition_key_bytes(table, [vals[c.name] for c in table.partition_key])
            _check_key_size(pk)
            if self.static_only and any(c.name not in vals for c in table.clustering):
                return [(pk, [])]
            ck = clustering_bytes(table, [vals[c.name] for c in table.clustering])
            return [(pk, [ck])]
        where = self.where
        pks = where.partition_keys(bound)
        for pk in pks:
            _check_key_size(pk)
        if self.static_only and not self.full_key:
            return [(pk, []) for pk in pks]
        if self.full_key:
            if where.multi is not None:
                cks = [clustering_bytes(table, list(t)) for t in where.multi.tuples(bound)]
            else:
                per = [r.values(bound) for r in where.clustering_restrictions()]
                cks = [clustering_bytes(table, list(c)) for c in itertools.product(*per)]
            return [(pk, cks) for pk in pks]
        # DELETE of a partition or a clustering range
        has_ck = any(r is not None for r in where.clustering_restrictions()) or where.multi is not None
        if not has_ck:
            return [(pk, None) for pk in pks]
        usable = 0
        for r in where.clustering_restrictions():
            if r is not None and r.is_eq_or_in:
                usable += 1
            else:
                break
        slices = clustering_slices(table, where, usable, bound) or []
        return [(pk, [tuple(s) for s in slices]) for pk in pks]

    def mutations(self, db, ctx: ExecutionContext, batch_ts: int | None = None) -> list[Mutation]:
        ts, ttl = self.write_attributes(db, ctx, batch_ts)
        bound = ctx.values
        now = ctx.now
        table_id = str(self.meta.id)
        out = []
        for pk, cks in self.keys(bound):
            update = Partition()
            if cks is None:
                update.deletion = DeletionTime(ts, now)
                out.append(Mutation(table_id, pk, update))
                continue
            for ck in cks:
                if isinstance(ck, tuple):
                    update.range_tombstones.append(RangeTombstone(ck[0], ck[1], DeletionTime(ts, now)))
            row_keys = [ck for ck in cks if not isinstance(ck, tuple)]
            if self.kind == "DELETE" and not self.operations:
                for ck in row_keys:
                    update.rows[ck] = Row(deletion=DeletionTime(ts, now))
                out.append(Mutation(table_id, pk, update))
                continue
            current = self._read_current(db, pk, row_keys, now) if self.requires_read else {}
            static_ops = [op for op in self.operations if op.column.is_static]
            regular_ops = [op for op in self.operations if not op.column.is_static]
            if static_ops:
                srow = Row()
                wc = WriteContext(bound, ts, ttl, now, *current.get(None, ({}, {})))
                for op in static_ops:
                    op.apply(srow, wc)
                update.static_row = srow
            for ck in row_keys:
                if not regular_ops and not self.row_marker:
                    continue
                row = Row()
                if self.row_marker:
                    row.liveness = LivenessInfo(ts, ttl, now + ttl) if ttl else LivenessInfo(ts)
                wc = WriteContext(bound, ts, ttl, now, *current.get(ck, ({}, {})))
                for op in regular_ops:
                    op.apply(row, wc)
                update.rows[ck] = row
            out.append(Mutation(table_id, pk, update))
        return out

    def _read_current(self, db, pk: bytes, cks: list[bytes], now: int) -> dict:
        """Decoded values and raw cells of the rows an operation must read first."""
        table = self.meta
        slices = [(ck, ck + b"\x00") for ck in sorted(cks)] if cks else [(b"", b"")]
        view = db.engine.read_partition(str(table.id), pk, slices, False, now)
        out: dict = {}
        if view is None:
            return out
        if view.static_row is not None:
            out[None] = (decode_row_values(table, view.static_row, {}), dict(view.static_row.cells))
        for ck, row in view.rows:
            out[ck] = (decode_row_values(table, row, {}), dict(row.cells))
        return out

    def execute(self, db, ctx: ExecutionContext) -> Result:
        if self.conditional:
            return self._execute_conditional(db, ctx)
        if self.requires_read or self.is_counter:
            with db.lock:
                db.apply(self.mutations(db, ctx))
        else:
            db.apply(self.mutations(db, ctx))
        return Result("void", keyspace=self.keyspace, table=self.table)

    # ---- LWT ------------------------------------------------------------------------------

    def current_row(self, db, ctx: ExecutionContext) -> tuple[bytes, bytes | None, dict | None]:
        keys = self.keys(ctx.values)
        pk, cks = keys[0]
        ck = cks[0] if cks else None
        table = self.meta
        slices = [(ck, ck + b"\x00")] if ck is not None else [(b"", b"")]
        view = db.engine.read_partition(str(table.id), pk, slices, False, ctx.now)
        if view is None:
            return pk, ck, None
        values = dict(zip((c.name for c in table.partition_key), partition_key_values(table, pk)))
        decode_row_values(table, view.static_row, values)
        if ck is not None:
            if not view.rows:
                return pk, ck, None
            values.update(zip((c.name for c in table.clustering), clustering_values(table, ck)))
            decode_row_values(table, view.rows[0][1], values)
        elif view.static_row is None:
            return pk, ck, None
        return pk, ck, values

    def check(self, values: dict | None, bound: list) -> bool:
        if self.if_not_exists:
            return values is None
        if self.if_exists:
            return values is not None
        for c in self.conditions:
            c.check_values(bound)
        return all(c.holds(values or {}, bound) for c in self.conditions)

    def cas_columns(self) -> list[ColumnMetadata]:
        if self.if_not_exists or self.if_exists:
            return list(self.meta.select_star)
        seen, out = set(), []
        for c in self.conditions:
            if c.column.name not in seen:
                seen.add(c.column.name)
                out.append(c.column)
        return out

    def _execute_conditional(self, db, ctx: ExecutionContext) -> Result:
        with db.lock:
            trace("Reading existing values for CAS precondition")
            _, _, values = self.current_row(db, ctx)
            applied = self.check(values, ctx.values)
            trace_cas(applied)
            if applied:
                db.apply(self.mutations(db, ctx))
        names, types, row = ["[applied]"], [BOOLEAN], [applied]
        if not applied and values is not None:
            for c in self.cas_columns():
                names.append(c.name)
                types.append(c.type)
                row.append(values.get(c.name))
        return Result("rows", names, types, [tuple(row)], keyspace=self.keyspace, table=self.table)


UNLOGGED_BATCH_WARN_PARTITIONS = 10  # Cassandra's unlogged_batch_across_partitions_warn_threshold


def _unlogged_batch_warning(db, mutations: list[Mutation]) -> list[str]:
    """Cassandra's client warning for an unlogged batch spread over many partitions."""
    if len(mutations) < 2:
        return []
    partitions = {(m.table_id, m.pk) for m in mutations}
    if len(partitions) <= UNLOGGED_BATCH_WARN_PARTITIONS:
        return []
    tables = sorted({f"{t.keyspace}.{t.name}" for t in (db.table_by_id(m.table_id)
                                                         for m in mutations)})
    return [f"Unlogged batch covering {len(partitions)} partitions detected against "
            f"table{'' if len(tables) == 1 else 's'} [{', '.join(tables)}]. You should use a "
            "logged batch for atomicity, or asynchronous writes for performance."]


def trace_cas(applied: bool) -> None:
    trace("CAS precondition is met; applying the update" if applied
          else "CAS precondition does not match current values")


def _check_key_size(pk: bytes) -> None:
    if len(pk) > 65535:
        raise InvalidRequest(f"Key length of {len(pk)} is longer than maximum of 65535")
    if not pk:
        raise InvalidRequest("Key may not be empty")


def plan_modification(db, stmt: Any, keyspace: str | None, markers: Markers) -> ModificationPlan:
    table = db.table(stmt.table, keyspace)
    if table.is_view:
        raise InvalidRequest(
            "Cannot directly modify a materialized view"
        )
    return ModificationPlan(db, stmt, table, markers)


# --------------------------------------------------------------------------------------
# BATCH
# --------------------------------------------------------------------------------------


class BatchPlan(Plan):
    def __init__(self, db, stmt: ast.Batch, keyspace: str | None, markers: Markers):
        if stmt.ttl is not None:
            raise InvalidRequest("Global TTL on the BATCH statement is not supported.")
        ctx = db.term_context(markers, keyspace)
        self.kind = stmt.kind
        self.timestamp = (
            compile_term(stmt.timestamp, BIGINT, "[timestamp]", ctx)
            if stmt.timestamp is not None else None
        )
        self.plans = [plan_modification(db, s, keyspace, markers) for s in stmt.statements]
        has_counter = any(p.is_counter for p in self.plans)
        has_regular = any(not p.is_counter for p in self.plans)
        if self.kind == "COUNTER" and has_regular:
            raise InvalidRequest("Cannot include non-counter statement in a counter batch")
        if self.kind == "LOGGED" and has_counter:
            raise InvalidRequest("Cannot include a counter statement in a logged batch")
        if has_counter and has_regular:
            raise InvalidRequest("Counter and non-counter mutations cannot exist in the same batch")
        if self.timestamp is not None and any(p.timestamp is not None for p in self.plans):
            raise InvalidRequest("Timestamp must be set either on BATCH or individual statements")
        if has_counter and (self.timestamp is not None or any(p.timestamp is not None for p in self.plans)):
            raise InvalidRequest("Cannot provide custom timestamp for counter BATCH")
        self.conditional = any(p.conditional for p in self.plans)
        if self.conditional:
            if self.timestamp is not None:
                raise InvalidRequest("Cannot provide custom timestamp for conditional BATCH")
            tables = {(p.keyspace, p.table) for p in self.plans}
            if len(tables) > 1:
                raise InvalidRequest("Batch with conditions cannot span multiple tables")
        self.result_names = ["[applied]"] if self.conditional else []
        self.result_types = [BOOLEAN] if self.conditional else []

    def execute(self, db, ctx: ExecutionContext) -> Result:
        if self.timestamp is not None:
            ts = self.timestamp.bind(ctx.values)
            if ts is None:
                raise InvalidRequest("Invalid null value of timestamp")
        else:
            ts = db.write_timestamp(ctx)
        trace("Executing {} batch of {} statements", self.kind.lower(), len(self.plans))
        with db.lock:
            if self.conditional:
                return self._conditional(db, ctx, ts)
            if any(p.requires_read for p in self.plans):
                # Counters and list index operations read the current value: each statement
                # must see the ones before it (two increments of one counter add up).
                applied = []
                for p in self.plans:
                    muts = p.mutations(db, ctx, ts)
                    db.apply(muts)
                    applied.extend(muts)
            else:
                applied = _merge(m for p in self.plans for m in p.mutations(db, ctx, ts))
                db.apply(applied)
        result = Result("void")
        if self.kind != "LOGGED":
            result.warnings.extend(_unlogged_batch_warning(db, applied))
        return result

    def _conditional(self, db, ctx: ExecutionContext, ts: int) -> Result:
        pks = {p.keys(ctx.values)[0][0] for p in self.plans}
        if len(pks) > 1:
            raise InvalidRequest("Batch with conditions cannot span multiple partitions")
        checked = []
        applied = True
        trace("Reading existing values for CAS precondition")
        for p in self.plans:
            if not p.conditional:
                continue
            _, _, values = p.current_row(db, ctx)
            checked.append((p, values))
            if not p.check(values, ctx.values):
                applied = False
        trace_cas(applied)
        if applied:
            db.apply(_merge(m for p in self.plans for m in p.mutations(db, ctx, ts)))
            return Result("rows", ["[applied]"], [BOOLEAN], [(True,)])
        table = self.plans[0].meta
        columns = list(table.primary_key)
        for p, _ in checked:
            for c in p.cas_columns():
                if c not in columns:
                    columns.append(c)
        rows = []
        for p, values in checked:
            if values is not None:
                rows.append(tuple([False] + [values.get(c.name) for c in columns]))
        if not rows:
            return Result("rows", ["[applied]"], [BOOLEAN], [(False,)])
        return Result("rows", ["[applied]"] + [c.name for c in columns],
                      [BOOLEAN] + [c.type for c in columns], rows)


def _merge(mutations) -> list[Mutation]:
    """Statements of a batch on the same partition become one mutation."""
    merged: dict[tuple[str, bytes], Mutation] = {}
    for m in mutations:
        key = (m.table_id, m.pk)
        existing = merged.get(key)
        if existing is None:
            merged[key] = m
        else:
            merge_partition_into(existing.update, m.update)
    return list(merged.values())


def plan_batch(db, stmt: ast.Batch, keyspace: str | None, markers: Markers) -> BatchPlan:
    return BatchPlan(db, stmt, keyspace, markers)
