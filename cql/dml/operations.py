"""Operations on one column (SET, counter and collection updates, element and field
writes, deletions) and their compilation from UPDATE/INSERT/DELETE clauses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cassalite.storage.model import (
    Cell,
    ComplexColumn,
    DeletionTime,
    Row,
    live_cell,
    tombstone,
)
from cql.cells import (
    element_cells,
    list_paths,
    udt_path,
)
from cql.errors import InvalidRequest
from cql.plan.terms import UNSET, Term, TermContext, compile_term
from cql.schema.metadata import ColumnMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.types import MapType, SetType, UserType, is_list, native_type
from cql.vocabulary import quote_name

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
        name = self.column.name
        pending = row.cells.get(name)
        if pending is not None:  # an earlier operation of this statement on this counter
            current, ts = BIGINT.deserialize(pending.value), pending.timestamp
        else:
            current = (wc.current or {}).get(name) or 0
            # A counter cell holds its total, so it must win over the one it was read from
            # even when both carry one timestamp (two statements of a batch).
            cell = (wc.current_cells or {}).get(name)
            ts = wc.timestamp if cell is None else max(wc.timestamp, cell.timestamp + 1)
        total = current + self.sign * delta
        total = ((total + (1 << 63)) % (1 << 64)) - (1 << 63)
        row.cells[name] = Cell(BIGINT.serialize(total), ts)


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
        col = self.column
        ctype = col.type
        if is_list(ctype):
            if key is None:
                raise InvalidRequest("Invalid null value for list index")
            if key is UNSET:
                raise InvalidRequest("Invalid unset value for list index")
            data = (wc.current_cells or {}).get(col.name)
            if not isinstance(data, ComplexColumn) or not data.cells:
                raise InvalidRequest("Attempted to set an element on a list which is null")
            path = _list_path_at(col, wc, key)
            if value is UNSET:
                return
            _complex(row, col.name).cells[path] = (
                tombstone(wc.timestamp, wc.now) if value is None
                else wc.cell(ctype.element_type.serialize(value))
            )
        else:
            if key is None:
                raise InvalidRequest("Invalid null map key")
            if key is UNSET:
                raise InvalidRequest("Invalid unset map key")
            if value is UNSET:
                return
            cc = _complex(row, col.name)
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
        col = self.column
        ctype = col.type
        dead = tombstone(wc.timestamp, wc.now)
        if is_list(ctype):
            if key is None:
                raise InvalidRequest("Invalid null value for list index")
            if key is UNSET:
                return
            data = (wc.current_cells or {}).get(col.name)
            if not isinstance(data, ComplexColumn) or not data.cells:
                raise InvalidRequest("Attempted to delete an element from a list which is null")
            _complex(row, col.name).cells[_list_path_at(col, wc, key)] = dead
        elif isinstance(ctype, SetType):
            if key is None:
                raise InvalidRequest("Invalid null set element")
            if key is UNSET:
                return
            _complex(row, col.name).cells[ctype.element_type.to_comparable(key)] = dead
        else:
            if key is None:
                raise InvalidRequest("Invalid null map key")
            if key is UNSET:
                raise InvalidRequest("Invalid unset map key")
            _complex(row, col.name).cells[ctype.key_type.to_comparable(key)] = dead


# --------------------------------------------------------------------------------------
# Compiling statements
# --------------------------------------------------------------------------------------


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
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for {what} column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Invalid operation ({unparse.operation(a)}) for frozen collection column {name}"
            )
        if sign > 0:
            if isinstance(ctype, MapType) and not isinstance(
                a.value, (ast.MapLiteral, ast.BindMarker)
            ):
                raise InvalidRequest(
                    f"Value for a map addition has to be a map, but was: '{unparse.term(a.value)}'"
                )
            return CollectionAdd(column, compile_term(a.value, ctype, name, ctx))
        if isinstance(ctype, MapType):
            keyset = SetType(ctype.key_type, True)
            if not isinstance(a.value, (ast.SetLiteral, ast.BindMarker, ast.MapLiteral)):
                raise InvalidRequest(
                    f"Value for a map substraction has to be a set, but was: '{unparse.term(a.value)}'"
                )
            return CollectionRemove(column, compile_term(a.value, keyset, name, ctx))
        return CollectionRemove(column, compile_term(a.value, ctype, name, ctx))
    if isinstance(a, ast.Prepend):
        if not is_list(ctype):
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for non list column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for frozen list column {name}")
        return CollectionAdd(column, compile_term(a.value, ctype, name, ctx), prepend=True)
    if isinstance(a, ast.SetElement):
        if not ctype.is_collection:
            raise InvalidRequest(
                f"Invalid operation ({unparse.operation(a)}) for non collection column {name}"
            )
        if isinstance(ctype, SetType):
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for set column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(
                f"Invalid operation ({unparse.operation(a)}) for frozen collection column {name}"
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
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for non-UDT column {name}")
        if not ctype.is_multicell:
            raise InvalidRequest(f"Invalid operation ({unparse.operation(a)}) for frozen UDT column {name}")
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
