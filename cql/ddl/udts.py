"""CREATE / ALTER / DROP TYPE (user-defined types)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cql.errors import InvalidRequest, SyntaxException
from cql.plan.base import ExecutionContext, Result
from cql.schema.metadata import KeyspaceMetadata, UserTypeMetadata
from cql.syntax import ast, unparse
from cql.types import CQLType
from cql.vocabulary import RESERVED_TYPE_NAMES, quote_name

from .common import (
    SchemaPlan,
    TypeResolver,
    check_user_modifiable,
    existing_keyspace,
    keyspace_of,
    persist_table,
    refresh_type,
    schema_result,
    void_result,
)

if TYPE_CHECKING:
    from cql.database import Database

def check_type_name(name: str) -> None:
    if name.lower() in RESERVED_TYPE_NAMES:
        raise SyntaxException(f"Invalid (reserved) user type name {name}")


def _check_raw_field(texpr: ast.TypeExpr) -> None:
    """The two checks CreateTypeStatement makes on the field types as written."""
    if texpr.is_native and texpr.name == "counter":
        raise InvalidRequest("A user type cannot contain counters")
    if texpr.is_udt and not texpr.frozen:
        raise InvalidRequest("A user type cannot contain non-frozen UDTs")


def user_types_using(ks: KeyspaceMetadata, name: str) -> list[str]:
    return [t.name for t in ks.types.values()
            if t.name != name and any(f.references_udt(ks.name, name) for f in t.field_types)]


def tables_using(ks: KeyspaceMetadata, name: str) -> list[str]:
    return [t.name for t in ks.tables.values()
            if any(c.type.references_udt(ks.name, name) for c in t.columns.values())]


class CreateTypePlan(SchemaPlan):
    statement: ast.CreateType

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        ks = existing_keyspace(db, ks_name)
        name = st.name.name
        if name in ks.types:
            if st.if_not_exists:
                return void_result()
            raise InvalidRequest(f"A user type with name '{name}' already exists")
        seen: set[str] = set()
        for field, _ in st.fields:
            if field in seen:
                raise InvalidRequest(f"Duplicate field name '{field}' in type '{name}'")
            seen.add(field)
        for _, texpr in st.fields:
            _check_raw_field(texpr)
        resolver = TypeResolver(db, ks_name)
        types = [resolver.resolve(texpr) for _, texpr in st.fields]
        ut = UserTypeMetadata(ks_name, name, [f for f, _ in st.fields], types)
        ks.types[name] = ut
        db.store.save_type(ut)
        return schema_result("CREATED", "TYPE", ks_name, name)


class AlterTypePlan(SchemaPlan):
    statement: ast.AlterType

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        ks = db.schema.keyspace(ks_name)
        ut = None if ks is None else ks.types.get(st.name.name)
        if ut is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Type {ks_name}.{st.name.name} doesn't exist")
        action = st.action
        if isinstance(action, ast.AlterFieldType):
            raise InvalidRequest("Altering field types is no longer supported")
        if isinstance(action, ast.AddField):
            altered = _add_field(db, ks, ut, action)
        else:
            altered = _rename_fields(ks, ut, action)
        if altered is not None:
            ks.types[ut.name] = altered
            propagate_type_change(db, ks)
        return schema_result("UPDATED", "TYPE", ks_name, ut.name)


def _cql_name(ut: UserTypeMetadata) -> str:
    return f"{quote_name(ut.keyspace)}.{quote_name(ut.name)}"


def _add_field(db: Database, ks: KeyspaceMetadata, ut: UserTypeMetadata,
               action: ast.AddField) -> UserTypeMetadata | None:
    """AlterTypeStatement.AddField."""
    _check_raw_field(action.type)
    if action.field in ut.field_names:
        if action.if_not_exists:
            return None
        raise InvalidRequest(
            f"Cannot add field {action.field} to type {_cql_name(ut)}: a field with name "
            f"{action.field} already exists"
        )
    ftype: CQLType = TypeResolver(db, ks.name).resolve(action.type)

    if ftype.references_udt(ks.name, ut.name):
        raise InvalidRequest(
            f"Cannot add new field {action.field} of type {unparse.raw_type(action.type)} to user "
            f"type {_cql_name(ut)} as it would create a circular reference"
        )
    keyed = [t.full_name for t in ks.tables.values()
             if any(c.type.references_udt(ks.name, ut.name) for c in t.partition_key)]
    if keyed:
        raise InvalidRequest(
            f"Cannot add new field {action.field} of type {unparse.raw_type(action.type)} to user "
            f"type {_cql_name(ut)} as the type is being used in partition key by the following "
            f"tables: {', '.join(keyed)}"
        )
    return dataclasses.replace(ut, field_names=[*ut.field_names, action.field],
                               field_types=[*ut.field_types, ftype])


def _rename_fields(ks: KeyspaceMetadata, ut: UserTypeMetadata,
                   action: ast.RenameFields) -> UserTypeMetadata:
    """AlterTypeStatement.RenameFields (its messages, typos included)."""
    names = list(ut.field_names)
    for old, new in action.renames:
        if old not in ut.field_names:
            if action.if_exists:
                continue
            raise InvalidRequest(f"Unkown field {old} in user type {_cql_name(ut)}")
        names[ut.field_names.index(old)] = new
    for name in names:
        if names.count(name) > 1:
            # Cassandra formats this one with the keyspace where the type name should be
            raise InvalidRequest(f"Duplicate field name {name} in type {ks.name}")
    renamed = dict(zip(ut.field_names, names))
    return dataclasses.replace(
        ut, field_names=names, field_types=list(ut.field_types),
        field_comments={renamed[f]: v for f, v in ut.field_comments.items()},
        field_security_labels={renamed[f]: v for f, v in ut.field_security_labels.items()})


def propagate_type_change(db: Database, ks: KeyspaceMetadata) -> None:
    """Rebuild every type and column of the keyspace over the new UDT definitions."""
    for name in dependency_order(ks):
        ut = ks.types[name]
        ut.field_types = [refresh_type(t, ks) for t in ut.field_types]
        db.store.save_type(ut)
    for table in ks.tables.values():
        changed = False
        for column in table.columns.values():
            fresh = refresh_type(column.type, ks)
            if fresh != column.type:
                column.type = fresh
                changed = True
        if changed:
            persist_table(db, table)


def dependency_order(ks: KeyspaceMetadata) -> list[str]:
    """Type names so that every type comes after the types its fields use (by name otherwise)."""
    out: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name not in ks.types:
            return
        done.add(name)
        for ftype in ks.types[name].field_types:
            for other in sorted(ks.types):
                if other != name and ftype.references_udt(ks.name, other):
                    visit(other)
        out.append(name)

    for name in sorted(ks.types):
        visit(name)
    return out


class DropTypePlan(SchemaPlan):
    statement: ast.DropType

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        ks = db.schema.keyspace(ks_name)
        name = st.name.name
        if ks is None or name not in ks.types:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Type '{ks_name}.{name}' doesn't exist")
        types = user_types_using(ks, name)
        if types:
            raise InvalidRequest(
                f"Cannot drop user type '{ks_name}.{name}' as it is still used by user types "
                f"{', '.join(types)}"
            )
        tables = tables_using(ks, name)
        if tables:
            raise InvalidRequest(
                f"Cannot drop user type '{ks_name}.{name}' as it is still used by tables "
                f"{', '.join(tables)}"
            )
        del ks.types[name]
        db.store.drop_type(ks_name, name)
        return schema_result("DROPPED", "TYPE", ks_name, name)


def plan_create_type(statement: ast.CreateType, keyspace: str | None) -> CreateTypePlan:
    check_type_name(statement.name.name)
    keyspace_of(statement.name, keyspace)
    return CreateTypePlan(statement, keyspace)
