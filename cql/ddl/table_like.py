"""CREATE TABLE ... LIKE (trunk's CopyTableStatement, CEP-43).

The copy has the source's columns (types, clustering order, static columns, constraints) and
table parameters, with the statement's ``WITH`` options applied over them; with
``WITH INDEXES`` it also gets the source's indexes. Data, dropped columns, triggers and views
are not copied. Into another keyspace, every user type the source uses must exist there with
the same fields.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import uuid
from typing import TYPE_CHECKING

from cql.errors import AlreadyExists, ConfigurationException, InvalidRequest, Unauthorized
from cql.plan.base import ExecutionContext, Result
from cql.schema.metadata import KeyspaceMetadata, TableMetadata
from cql.schema.options import table_options
from cql.syntax import ast
from cql.types import CQLType, UserType

from .common import (
    LOCAL_SYSTEM_KEYSPACES,
    REPLICATED_SYSTEM_KEYSPACES,
    VIRTUAL_KEYSPACES,
    SchemaPlan,
    keyspace_of,
    persist_table,
    refresh_type,
    schema_result,
    void_result,
)
from .indexes import find_index
from .tables import check_table_name

if TYPE_CHECKING:
    from cql.database import Database

_SYSTEM_KEYSPACES = LOCAL_SYSTEM_KEYSPACES | VIRTUAL_KEYSPACES | REPLICATED_SYSTEM_KEYSPACES


class CreateTableLikePlan(SchemaPlan):
    statement: ast.CreateTableLike

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        source_ks_name = keyspace_of(st.source, self.current_keyspace)
        target_ks_name = keyspace_of(st.name, self.current_keyspace)
        if target_ks_name in _SYSTEM_KEYSPACES:
            # ClientState.ensureAllTablesPermission(target, CREATE)
            raise Unauthorized(f"{target_ks_name} keyspace is not user-modifiable")
        source_ks = db.schema.keyspace(source_ks_name)
        if source_ks is None:
            raise InvalidRequest(f"Source Keyspace '{source_ks_name}' doesn't exist")
        source = source_ks.tables.get(st.source.name)
        if source is None:
            raise InvalidRequest(
                f"Source Table '{source_ks_name}.{st.source.name}' doesn't exist")
        if source.is_view:
            raise InvalidRequest(
                "Cannot use CREATE TABLE LIKE on a materialized view "
                f"'{source_ks_name}.{st.source.name}'.")
        target_ks = db.schema.keyspace(target_ks_name)
        if target_ks is None:
            raise InvalidRequest(f"Target Keyspace '{target_ks_name}' doesn't exist")
        if st.name.name in target_ks.tables:
            if st.if_not_exists:
                return void_result()
            raise AlreadyExists(target_ks_name, st.name.name)
        if source_ks.name != target_ks.name:
            _check_user_types(source, source_ks, target_ks)
        if any(name == "id" for name, _ in st.options):
            raise ConfigurationException("Cannot alter table id.")
        options, _ = table_options(st.options, copy.deepcopy(source.options))
        table = _copy(source, source_ks, target_ks, st.name.name, options, st)
        check_table_name(table.name)
        target_ks.tables[table.name] = table
        persist_table(db, table, created=True)
        return schema_result("CREATED", "TABLE", target_ks.name, table.name)


def _copy(source: TableMetadata, source_ks: KeyspaceMetadata, target_ks: KeyspaceMetadata,
          name: str, options: dict, st: ast.CreateTableLike) -> TableMetadata:
    """The new table; the columns' comments come along WITH COMMENTS, the table's and the
    columns' security labels WITH SECURITY LABELS (the ``comment`` option always does)."""
    columns = {
        n: dataclasses.replace(
            c, type=refresh_type(c.type, target_ks, source_ks.name),
            comment=c.comment if st.with_comments else "",
            security_label=c.security_label if st.with_security_labels else "")
        for n, c in source.columns.items()
    }
    # the copy is parsed from the source's CQL, WITH COMPACT STORAGE included
    table = TableMetadata(target_ks.name, name, uuid.uuid4(), columns, options,
                          compact=source.compact)
    if st.with_security_labels:
        table.security_label = source.security_label
    if st.with_indexes:
        for index in sorted(source.indexes.values(), key=lambda i: i.name):
            copied = dataclasses.replace(index, name=_index_name(target_ks, table, index.name),
                                         options=dict(index.options))
            table.indexes[copied.name] = copied
    return table


def _index_name(ks: KeyspaceMetadata, table: TableMetadata, name: str) -> str:
    """The source index's name if the target keyspace has none such, else the first free
    ``base_N`` (``base`` being the name without its ``_N`` suffix)."""
    def taken(candidate: str) -> bool:
        return find_index(ks, candidate) is not None or candidate in table.indexes

    if not taken(name):
        return name
    m = re.match(r"^(.*)_[0-9]+$", name)
    base = m.group(1) if m else name
    i = 1
    while taken(f"{base}_{i}"):
        i += 1
    return f"{base}_{i}"


def _check_user_types(source: TableMetadata, source_ks: KeyspaceMetadata,
                      target_ks: KeyspaceMetadata) -> None:
    used: dict[str, None] = {}
    for column in source.columns.values():
        _walk_user_types(column.type, source_ks.name, used)
    missing = []
    for name in used:
        theirs, ours = target_ks.types.get(name), source_ks.types.get(name)
        if theirs is None or ours is None:
            missing.append(name)
        elif list(theirs.field_names) != list(ours.field_names) or \
                [t.name for t in theirs.field_types] != [t.name for t in ours.field_types]:
            raise InvalidRequest(
                f"Target keyspace '{target_ks.name}' has same UDT name '{name}' as source "
                f"keyspace '{source_ks.name}' but with different structure.")
    if missing:
        raise InvalidRequest(
            f"UDTs {', '.join(sorted(missing))} do not exist in target keyspace "
            f"'{target_ks.name}'.")


def _walk_user_types(ctype: CQLType, keyspace: str, into: dict[str, None]) -> None:
    """TableMetadata.getReferencedUserTypes: every UDT a type mentions, nested ones too."""
    if isinstance(ctype, UserType) and ctype.keyspace == keyspace:
        into[ctype.type_name] = None
    for sub in ctype.subtypes:
        _walk_user_types(sub, keyspace, into)
