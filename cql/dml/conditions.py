"""Lightweight-transaction conditions (``IF ...``) and their compilation."""

from __future__ import annotations

from typing import Any

from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Term, TermContext, compile_term
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast
from cql.types import ListType, MapType, SetType, UserType, is_list

from .operations import INT, _undefined


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
