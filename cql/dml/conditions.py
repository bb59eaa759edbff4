"""Lightweight-transaction conditions (``IF ...``) and their compilation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Term, TermContext, compile_term
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast
from cql.types import InValuesType, MapType, SetType, UserType, is_list

from .operations import INT, _undefined


class Condition:
    """One ``IF`` condition, checked as Cassandra's ``ColumnCondition.Bound`` does: a whole
    non-frozen collection compares as a collection (no cells = the empty collection); every
    other value (frozen, simple, UDT, an element or a field) compares as a value, where a
    missing one only satisfies ``!=`` (or ``= null``)."""

    def __init__(self, column: ColumnMetadata, op: str, terms: list[Term] | Term,
                 element: Term | None = None, field_index: int | None = None,
                 value_type=None):
        self.column, self.op, self.terms = column, op, terms
        self.element, self.field_index = element, field_index
        self.value_type = value_type or column.type
        # a condition on a whole non-frozen collection (MultiCellCollectionBound)
        self.multicell = (element is None and field_index is None
                          and column.type.is_collection and column.type.is_multicell)

    def current(self, values: dict, bound: list) -> Any:
        v = values.get(self.column.name)
        if self.element is not None:
            k = self.element.bind(bound)
            if k is None:
                what = "map" if isinstance(self.column.type, MapType) else "list"
                raise InvalidRequest(f"Invalid null value for {what} element access")
            if k is UNSET:
                raise InvalidRequest("Invalid 'unset' value in condition")
            if is_list(self.column.type) and k < 0:
                raise InvalidRequest(f"Invalid negative list index {k}")
            if v is None:
                return None
            if is_list(self.column.type):
                return v[k] if k < len(v) else None
            return v.get(k)
        if v is None:
            return None
        if self.field_index is not None:
            return v[self.field_index]
        return v

    def values(self, bound: list) -> list:
        """The condition's values, unset ones left out of an IN list."""
        if self.op != "IN":
            value = self.terms.bind(bound)
            if value is UNSET:
                if self.multicell and self.op in ("CONTAINS", "CONTAINS KEY"):
                    # Cassandra compares the cells with the unset (empty) bytes: no match
                    return []
                raise InvalidRequest("Invalid 'unset' value in condition")
            return [value]
        if isinstance(self.terms, Term):
            items = self.terms.bind(bound)
            if items is None:
                raise InvalidRequest("Invalid null list in IN condition")
            if items is UNSET:
                raise InvalidRequest("Invalid 'unset' value in condition")
        else:
            items = [t.bind(bound) for t in self.terms]
        return [v for v in items if v is not UNSET]

    def check_values(self, bound: list) -> None:
        """Reject what Cassandra rejects whether or not the row exists."""
        op = "=" if self.op == "IN" else self.op
        for value in self.values(bound):
            if value is None and op not in ("=", "!="):
                raise InvalidRequest(f'Invalid comparison with null for operator "{op}"')
        self.current({}, bound)

    def holds(self, values: dict, bound: list) -> bool:
        current = self.current(values, bound)
        op = "=" if self.op == "IN" else self.op
        satisfied = self._collection_satisfies if self.multicell else self._value_satisfies
        return any(satisfied(op, current, value) for value in self.values(bound))

    def _value_satisfies(self, op: str, current: Any, value: Any) -> bool:
        """Bound.compareWithOperator: ``current op value``."""
        if value is None:
            if op == "=":
                return current is None
            if op == "!=":
                return current is not None
            raise InvalidRequest(f'Invalid comparison with null for operator "{op}"')
        if current is None:
            return op == "!="
        return _compare(self.value_type, op, current, value)

    def _collection_satisfies(self, op: str, current: Any, value: Any) -> bool:
        """MultiCellCollectionBound: no cells is the empty collection."""
        if value is None:
            if op == "=":
                return not current
            if op == "!=":
                return bool(current)
            raise InvalidRequest(f'Invalid comparison with null for operator "{op}"')
        ctype = self.value_type
        if current is None:
            current = ctype.validate({} if isinstance(ctype, MapType) else [])
        return _compare(ctype, op, current, value)


def _compare(ctype, op: str, current: Any, value: Any) -> bool:
    if op == "CONTAINS KEY":
        return value in current
    if op == "CONTAINS":
        return value in (current.values() if isinstance(current, Mapping) else current)
    a, b = ctype.to_comparable(current), ctype.to_comparable(value)
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
            ">=": a >= b}[op]


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
    receiver = column.name
    if isinstance(lhs, ast.ElementAccess):
        if isinstance(ctype, SetType):
            raise InvalidRequest(f"Invalid element access syntax for set column {column.name}")
        if is_list(ctype):
            element = compile_term(lhs.key, INT, f"idx({column.name})", ctx)
            vtype = ctype.element_type
            receiver = f"value({column.name})"
        elif isinstance(ctype, MapType):
            element = compile_term(lhs.key, ctype.key_type, f"key({column.name})", ctx)
            vtype = ctype.value_type
            receiver = f"value({column.name})"
        else:
            raise InvalidRequest(f"Invalid element access syntax for non-collection column {column.name}")
    elif isinstance(lhs, ast.FieldAccess):
        if not isinstance(ctype, UserType) or lhs.field not in ctype.field_names:
            raise InvalidRequest(f"Unknown field {lhs.field} for column {column.name}")
        field_index = list(ctype.field_names).index(lhs.field)
        vtype = ctype.field_types[field_index]
        receiver = f"{column.name}.{lhs.field}"
    op = cond.op
    if op in ("<", "<=", ">", ">=") and not vtype.comparable:
        raise InvalidRequest(f"Slice conditions ( {op} ) are not supported on durations")
    # receivers named as Cassandra's ColumnSpecifications: value(l), key(m), in(v), u.a
    if op == "IN":
        if isinstance(cond.rhs, ast.BindMarker):
            terms: Any = compile_term(cond.rhs, InValuesType(vtype), f"in({receiver})", ctx)
        else:
            terms = [compile_term(t, vtype, receiver, ctx) for t in cond.rhs]
    elif op == "CONTAINS":
        if not vtype.is_collection:
            raise InvalidRequest(f"Cannot use CONTAINS on non-collection column {receiver}")
        elem = vtype.value_type if isinstance(vtype, MapType) else vtype.element_type
        terms = compile_term(cond.rhs, elem, f"value({receiver})", ctx)
    elif op == "CONTAINS KEY":
        if not isinstance(vtype, MapType):
            raise InvalidRequest(f"Cannot use CONTAINS KEY on non-map column {receiver}")
        terms = compile_term(cond.rhs, vtype.key_type, f"key({receiver})", ctx)
    else:
        terms = compile_term(cond.rhs, vtype, receiver, ctx)
    return Condition(column, op, terms, element, field_index, vtype)
