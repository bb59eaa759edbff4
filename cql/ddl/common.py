"""Shared pieces of the DDL plans: the plan base class, name checks, type resolution.

Every schema statement is validated when it *executes*, not when it is planned, because a
prepared DDL statement may run long after it was prepared, against a different schema
(Cassandra does the same: validation happens in ``apply()``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cql import system
from cql.derived import indexes, vector_index
from cql.errors import InvalidRequest
from cql.plan.base import NO_KEYSPACE, ExecutionContext, Plan, Result, SchemaChange
from cql.schema.metadata import KeyspaceMetadata, TableMetadata
from cql.syntax import ast, unparse
from cql.types import (
    CQLType,
    ListType,
    MapType,
    SetType,
    TupleType,
    UserType,
    VectorType,
    native_type,
)
from cql.types.native import NATIVE_TYPES

if TYPE_CHECKING:
    from cql.database import Database

NAME_LENGTH = 48
_VALID_NAME = re.compile(rf"^\w{{1,{NAME_LENGTH}}}$", re.ASCII)

# Keyspaces whose schema users can never change; the first two are Cassandra's "local"
# system keyspaces, the last two its virtual ones.
LOCAL_SYSTEM_KEYSPACES = frozenset({"system", "system_schema"})
VIRTUAL_KEYSPACES = frozenset({"system_virtual_schema", "system_views"})
# Replicated system keyspaces: their replication may be altered, nothing else.
REPLICATED_SYSTEM_KEYSPACES = frozenset({"system_auth", "system_traces", "system_distributed"})


def is_valid_name(name: str) -> bool:
    """Cassandra's SchemaConstants.isValidName: 1..48 word characters."""
    return bool(_VALID_NAME.match(name))


class SchemaPlan(Plan):
    """A plan that changes the schema: the database serialises it and bumps the version."""

    is_schema_change = True

    def __init__(self, statement: ast.Statement, keyspace: str | None):
        self.statement = statement
        self.current_keyspace = keyspace

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        raise NotImplementedError


class ReadPlan(Plan):
    """A plan that only reads the schema (USE, DESCRIBE)."""

    def __init__(self, statement: ast.Statement, keyspace: str | None):
        self.statement = statement
        self.current_keyspace = keyspace


def schema_result(change: str, target: str, keyspace: str, name: str = "") -> Result:
    """The SCHEMA_CHANGE result every successful DDL statement returns."""
    return Result(
        kind="schema_change",
        keyspace=keyspace,
        table=name or None,
        schema_change=SchemaChange(change, target, keyspace, name),
    )


def void_result() -> Result:
    """What Cassandra answers when IF [NOT] EXISTS made the statement a no-op."""
    return Result(kind="void")


def keyspace_of(name: ast.QualifiedName, current: str | None) -> str:
    """The keyspace a DDL statement targets; Cassandra's message when there is none."""
    ks = name.keyspace or current
    if ks is None:
        raise InvalidRequest(NO_KEYSPACE)
    return ks


def check_user_modifiable(keyspace: str, allow_replicated_system: bool = False) -> None:
    """Reject schema changes in system keyspaces (AlterSchemaStatement.execute)."""
    if keyspace in LOCAL_SYSTEM_KEYSPACES:
        raise InvalidRequest(f"System keyspace '{keyspace}' is not user-modifiable")
    if keyspace in VIRTUAL_KEYSPACES:
        raise InvalidRequest(f"Virtual keyspace '{keyspace}' is not user-modifiable")
    if keyspace in REPLICATED_SYSTEM_KEYSPACES and not allow_replicated_system:
        # Cassandra only lets a superuser with an authorizer touch these; without
        # authentication we keep them intact, since the engine relies on their tables.
        raise InvalidRequest(f"System keyspace '{keyspace}' is not user-modifiable")


def check_keyspace_name(keyspace: str) -> None:
    if not is_valid_name(keyspace):
        raise InvalidRequest(
            f"Keyspace name must not be empty, more than {NAME_LENGTH} characters long, or "
            f"contain non-alphanumeric-underscore characters (got '{keyspace}')"
        )


def existing_keyspace(db: Database, keyspace: str) -> KeyspaceMetadata:
    """The keyspace, or Cassandra's schema-statement message when it is missing."""
    ksm = db.schema.keyspace(keyspace)
    if ksm is None:
        raise InvalidRequest(f"Keyspace '{keyspace}' doesn't exist")
    return ksm


def persist_table(db: Database, table: TableMetadata, created: bool = False,
                  data: list = ()) -> None:
    """Write the table's schema rows and (re)register it with the engine; ``data``: writes
    that must be atomic with the schema rows (the same engine.apply)."""
    table.refresh()
    db.store.save_table(table, data)
    if created:
        db.engine.create_table(system.table_info(table))
    else:
        db.engine.alter_table(system.table_info(table))
    for index in table.indexes.values():
        db.engine.create_table(indexes.index_info(table, index))


def drop_table_storage(db: Database, table: TableMetadata) -> None:
    """Forget a table: its schema rows, then its data and its indexes' data."""
    db.store.drop_table(table)
    db.engine.drop_table(str(table.id))
    vector_index.registry(db).drop_table(str(table.id))
    for index in table.indexes.values():
        db.engine.drop_table(indexes.index_table_id(table, index))


# --------------------------------------------------------------------------------------
# Types as written in DDL -> CQLType, with CQL3Type.Raw.prepare's rules and messages


def _is_freezable(texpr: ast.TypeExpr) -> bool:
    """Raw.supportsFreezing: collections and UDTs (tuples are born frozen)."""
    return texpr.is_collection or (texpr.is_udt and texpr.name not in ("tuple", "vector"))


class TypeResolver:
    """Resolves DDL types in one keyspace, looking UDTs up in the current schema."""

    def __init__(self, db: Database, keyspace: str, extra_types: dict | None = None):
        self.db = db
        self.keyspace = keyspace
        self.extra_types = extra_types or {}

    def resolve(self, texpr: ast.TypeExpr) -> CQLType:
        return self._prepare(texpr, texpr.frozen)

    def _prepare(self, texpr: ast.TypeExpr, frozen: bool) -> CQLType:
        frozen = frozen or texpr.frozen
        if texpr.custom:
            raise InvalidRequest(f"Custom types are not supported by cassalite: '{texpr.name}'")
        if texpr.name in ("list", "set", "map") and texpr.params:
            return self._collection(texpr, frozen)
        if texpr.name == "tuple" and texpr.params:
            return self._tuple(texpr)
        if texpr.name == "vector" and texpr.params:
            return self._vector(texpr)
        if texpr.is_native and texpr.name in NATIVE_TYPES:
            if texpr.frozen:
                raise InvalidRequest(
                    "frozen<> is only allowed on collections, tuples, and user-defined types "
                    f"(got {texpr.name})"
                )
            return native_type(texpr.name)
        return self._user_type(texpr, frozen)

    def _collection(self, texpr: ast.TypeExpr, frozen: bool) -> CQLType:
        text = unparse.raw_type(texpr)
        params = texpr.params
        values = params[-1]
        keys = params[0] if texpr.name == "map" else None
        if not frozen and _is_freezable(values) and not values.frozen:
            _nested_non_frozen(values, text)
        if values.is_native and values.name == "counter":
            raise InvalidRequest(f"Counters are not allowed inside collections: {text}")
        if texpr.name == "set" and values.is_native and values.name == "duration":
            raise InvalidRequest(f"Durations are not allowed inside sets: {text}")
        if keys is not None:
            if keys.is_native and keys.name == "counter":
                raise InvalidRequest(f"Counters are not allowed inside collections: {text}")
            if keys.is_native and keys.name == "duration":
                raise InvalidRequest(f"Durations are not allowed as map keys: {text}")
            if not frozen and _is_freezable(keys) and not keys.frozen:
                _nested_non_frozen(keys, text)
        inner = [self._prepare(p, frozen) for p in params]
        if texpr.name == "list":
            return ListType(inner[0], frozen)
        if texpr.name == "set":
            return SetType(inner[0], frozen)
        return MapType(inner[0], inner[1], frozen)

    def _tuple(self, texpr: ast.TypeExpr) -> CQLType:
        inner = []
        for p in texpr.params:
            t = self._prepare(p, True)
            if t.is_counter:
                raise InvalidRequest("Counters are not allowed inside tuples")
            inner.append(t.freeze())
        return TupleType(inner)

    def _vector(self, texpr: ast.TypeExpr) -> CQLType:
        elem_expr, dimension = texpr.params
        elem = self._prepare(elem_expr, True)
        if elem.is_counter:
            raise InvalidRequest(f"vectors may not contain counters: {unparse.raw_type(texpr)}")
        try:
            return VectorType(elem.freeze(), int(dimension))
        except ValueError as e:
            raise InvalidRequest(str(e)) from None

    def _user_type(self, texpr: ast.TypeExpr, frozen: bool) -> CQLType:
        if texpr.keyspace is not None and texpr.keyspace != self.keyspace:
            raise InvalidRequest(
                f"Statement on keyspace {self.keyspace} cannot refer to a user type in keyspace "
                f"{texpr.keyspace}; user types can only be used in the keyspace they are defined in"
            )
        ut = self.extra_types.get(texpr.name) or self.db.schema.user_type(self.keyspace, texpr.name)
        if ut is None:
            raise InvalidRequest(f"Unknown type {self.keyspace}.{texpr.name}")
        udt = UserType(self.keyspace, ut.name, list(ut.field_names), list(ut.field_types), False)
        return udt.freeze() if frozen else udt


def _nested_non_frozen(inner: ast.TypeExpr, text: str) -> None:
    if inner.is_collection:
        raise InvalidRequest(f"Non-frozen collections are not allowed inside collections: {text}")
    raise InvalidRequest(f"Non-frozen UDTs are not allowed inside collections: {text}")


def refresh_type(ctype: CQLType, ks: KeyspaceMetadata, source: str | None = None) -> CQLType:
    """``ctype`` rebuilt with the keyspace's current UDT definitions (after ALTER TYPE); with
    ``source``, the UDTs of that keyspace are replaced by ``ks``'s same-named ones (CREATE
    TABLE LIKE into another keyspace)."""
    if isinstance(ctype, UserType):
        own = ctype.keyspace == (source or ks.name)
        ut = ks.types.get(ctype.type_name) if own else None
        if ut is None:
            return ctype
        fresh = UserType(ks.name, ut.name, list(ut.field_names),
                         [refresh_type(t, ks, source) for t in ut.field_types], False)
        return fresh.freeze() if ctype.frozen else fresh
    if isinstance(ctype, SetType):
        return SetType(refresh_type(ctype.elem, ks, source), ctype.frozen)
    if isinstance(ctype, ListType):
        return ListType(refresh_type(ctype.elem, ks, source), ctype.frozen)
    if isinstance(ctype, MapType):
        return MapType(refresh_type(ctype.key, ks, source), refresh_type(ctype.value, ks, source),
                       ctype.frozen)
    if isinstance(ctype, TupleType):
        return TupleType([refresh_type(t, ks, source) for t in ctype.types])
    if isinstance(ctype, VectorType):
        return VectorType(refresh_type(ctype.elem, ks, source), ctype.dimension)
    return ctype


def expand_user_types(ctype: CQLType) -> CQLType:
    """UDTs replaced by tuples of their fields (AbstractType.expandUserTypes).

    A dropped column keeps its type this way, so that it stays readable after the UDT
    itself is altered or dropped.
    """
    if isinstance(ctype, UserType):
        return TupleType([expand_user_types(t).freeze() for t in ctype.field_types])
    if isinstance(ctype, SetType):
        return SetType(expand_user_types(ctype.elem), ctype.frozen)
    if isinstance(ctype, ListType):
        return ListType(expand_user_types(ctype.elem), ctype.frozen)
    if isinstance(ctype, MapType):
        return MapType(expand_user_types(ctype.key), expand_user_types(ctype.value), ctype.frozen)
    if isinstance(ctype, TupleType):
        return TupleType([expand_user_types(t) for t in ctype.types])
    if isinstance(ctype, VectorType):
        return VectorType(expand_user_types(ctype.elem), ctype.dimension)
    return ctype
