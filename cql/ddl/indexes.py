"""CREATE / DROP INDEX: the schema side only (CreateIndexStatement, DropIndexStatement).

An index is stored as IndexMetadata in its table: ``target`` is Cassandra's target text
(``v``, ``keys(m)``, ``values(l)``, ``entries(m)``, ``full(f)``), ``kind`` COMPOSITES for the
built-in index or CUSTOM with the implementing class in ``options['class_name']``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cql.derived import indexes, sai, vector_index
from cql.errors import ConfigurationException, InvalidRequest
from cql.plan.base import NO_KEYSPACE, ExecutionContext, Result
from cql.schema.metadata import IndexMetadata, KeyspaceMetadata, TableMetadata
from cql.syntax import ast
from cql.vocabulary import quote_name

from .common import (
    SchemaPlan,
    check_user_modifiable,
    is_valid_name,
    keyspace_of,
    persist_table,
    schema_result,
    void_result,
)

if TYPE_CHECKING:
    from cql.database import Database

SAI_CLASS = "org.apache.cassandra.index.sai.StorageAttachedIndex"
SASI_CLASS = "org.apache.cassandra.index.sasi.SASIIndex"
LEGACY_INDEX = "legacy_local_table"
# IndexMetadata's aliases for USING '...' (compared case-insensitively).
INDEX_CLASS_ALIASES = {
    "sai": SAI_CLASS,
    "storageattachedindex": SAI_CLASS,
    "sasi": SASI_CLASS,
    "sasiindex": SASI_CLASS,
}
TARGET_WORDS = {"KEYS": "keys", "VALUES": "values", "ENTRIES": "entries", "FULL": "full"}
_NON_WORD = re.compile(r"\W")


def index_target_text(column: str, kind: str) -> str:
    """IndexTarget.asCqlString: the column, or ``kind(column)``."""
    name = quote_name(column)
    return name if kind == "SIMPLE" else f"{TARGET_WORDS[kind]}({name})"


def default_index_name(table: str, column: str | None) -> str:
    """IndexMetadata.generateDefaultIndexName: non-word characters are dropped."""
    base = f"{table}_{column}_idx" if column is not None else f"{table}_idx"
    return _NON_WORD.sub("", base)


def find_index(ks: KeyspaceMetadata, name: str) -> tuple[TableMetadata, IndexMetadata] | None:
    for table in ks.tables.values():
        index = table.indexes.get(name)
        if index is not None:
            return table, index
    return None


def available_index_name(ks: KeyspaceMetadata, base: str) -> str:
    """KeyspaceMetadata.findAvailableIndexName: base, base_1, base_2..."""
    name, i = base, 0
    while find_index(ks, name) is not None:
        i += 1
        name = f"{base}_{i}"
    return name


def _implementation(st: ast.CreateIndex) -> tuple[bool, str | None]:
    """(is custom, class) after the Raw.prepare defaulting: no USING means the legacy index."""
    using = st.using
    if using is None:
        return st.custom, None
    if not st.custom and using.lower() == LEGACY_INDEX:
        return False, None
    return True, INDEX_CLASS_ALIASES.get(using.lower(), using)


def _check_attributes(st: ast.CreateIndex, custom: bool, klass: str | None) -> None:
    """IndexAttributes.validate."""
    if custom and klass is None:
        raise InvalidRequest("CUSTOM index requires specifying the index class")
    if not custom and st.options:
        raise InvalidRequest("Cannot specify options for a non-CUSTOM index")
    for key in ("class_name", "target"):
        if any(k == key for k, _ in st.options):
            raise InvalidRequest(f"Cannot specify {key} as a CUSTOM option")


class CreateIndexPlan(SchemaPlan):
    statement: ast.CreateIndex

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = st.table.keyspace or self.current_keyspace
        check_user_modifiable(ks_name)
        custom, klass = _implementation(st)
        _check_attributes(st, custom, klass)
        if klass == SASI_CLASS:
            raise InvalidRequest("SASI indexes are disabled. Enable in cassandra.yaml to use.")
        ks = db.schema.keyspace(ks_name)
        if ks is None:
            raise InvalidRequest(f"Keyspace '{ks_name}' doesn't exist")
        table = ks.tables.get(st.table.name)
        if table is None:
            raise InvalidRequest(f"Table '{st.table.name}' doesn't exist")
        if st.name is not None and find_index(ks, st.name) is not None:
            if st.if_not_exists:
                return void_result()
            raise InvalidRequest(f"Index '{st.name}' already exists")
        if table.is_counter:
            raise InvalidRequest("Secondary indexes on counter tables aren't supported")
        if table.is_view:
            raise InvalidRequest("Secondary indexes on materialized views aren't supported")
        targets = [_prepare_target(table, t) for t in st.targets]
        if not targets and not custom:
            raise InvalidRequest(
                "Only CUSTOM indexes can be created without specifying a target column")
        if len(targets) > 1:
            if not custom:
                raise InvalidRequest("Only CUSTOM indexes support multiple columns")
            seen: set[str] = set()
            for column, _ in targets:
                if column in seen:
                    raise InvalidRequest(f"Duplicate column '{column}' in index target list")
                seen.add(column)
        for column, kind in targets:
            _validate_target(table, custom, column, kind)
        if custom and klass != SAI_CLASS:  # IndexMetadata.validate: FBUtilities.classForName
            raise ConfigurationException(f"Unable to find custom indexer class '{klass}'")
        if klass == SAI_CLASS:
            sai.validate_create(table, targets, dict(st.options))
        name = st.name or available_index_name(
            ks, default_index_name(table.name, targets[0][0] if len(targets) == 1 else None))
        if not is_valid_name(name):
            raise ConfigurationException(f"Illegal index name {name}")
        index = IndexMetadata(
            name,
            ", ".join(index_target_text(c, k) for c, k in targets),
            "CUSTOM" if custom else "COMPOSITES",
            dict(st.options, class_name=klass) if custom else {},
        )
        for existing in table.indexes.values():
            if (existing.kind, existing.target, existing.options) == (
                    index.kind, index.target, index.options):
                if st.if_not_exists:
                    return void_result()
                raise InvalidRequest(
                    f"Index {index.name} is a duplicate of existing index {existing.name}")
        if klass == SAI_CLASS:
            sai.check_one_per_column(table, targets)
        table.indexes[name] = index
        persist_table(db, table)
        indexes.build(db.engine, table, index, ctx.now)
        return schema_result("UPDATED", "TABLE", ks_name, table.name)


def _prepare_target(table: TableMetadata, target: ast.IndexTarget) -> tuple[str, str]:
    """IndexTarget.Raw.prepare: a plain target on a collection indexes its values."""
    column = table.column(target.column)
    if column is None:  # TableMetadata.getExistingColumn
        raise InvalidRequest(f"Undefined column name {quote_name(target.column)} in table "
                             f"{quote_name(table.keyspace)}.{quote_name(table.name)}")
    kind = target.kind
    if kind == "SIMPLE" and column is not None and column.type.is_collection:
        kind = "VALUES"
    return target.column, kind


def _validate_target(table: TableMetadata, custom: bool, name: str, kind: str) -> None:
    """CreateIndexStatement.validateIndexTarget, check for check."""
    column = table.column(name)
    if column is None:
        raise InvalidRequest(f"Column '{name}' doesn't exist")
    if custom and not is_valid_name(name):
        # trunk's wording (5.0 said "is longer than ... or contains ...")
        raise InvalidRequest(
            f"Column '{name}' is longer than the permissible name length of 48 characters"
            if len(name) > 48 else f"Column '{name}' contains non-alphanumeric-underscore characters"
        )
    ctype = column.type
    if ctype.references_duration:
        if ctype.is_collection:
            raise InvalidRequest(
                "Secondary indexes are not supported on collections containing durations")
        if ctype.is_tuple:
            raise InvalidRequest("Secondary indexes are not supported on tuples containing durations")
        if ctype.is_udt:
            raise InvalidRequest("Secondary indexes are not supported on UDTs containing durations")
        raise InvalidRequest("Secondary indexes are not supported on duration columns")
    if table.compact and column.is_primary_key:
        raise InvalidRequest(
            "Secondary indexes are not supported on PRIMARY KEY columns in COMPACT STORAGE tables")
    if table.compact_value is column:
        raise InvalidRequest(
            "Secondary indexes are not supported on compact value column of COMPACT STORAGE tables")
    if column.kind == "partition_key" and len(table.partition_key) == 1:
        raise InvalidRequest(f"Cannot create secondary index on the only partition key column {name}")
    frozen_collection = ctype.is_collection and not ctype.is_multicell
    word = TARGET_WORDS.get(kind, kind.lower())
    if frozen_collection and kind != "FULL":
        raise InvalidRequest(
            f"Cannot create {word}() index on frozen column {name}. Frozen collections are "
            f"immutable and must be fully indexed by using the 'full({name})' modifier"
        )
    if not frozen_collection and kind == "FULL":
        raise InvalidRequest("full() indexes can only be created on frozen collections")
    if not ctype.is_collection and kind != "SIMPLE":
        raise InvalidRequest(
            f"Cannot create {word}() index on {name}. Non-collection columns only support simple "
            "indexes"
        )
    is_map = ctype.is_collection and ctype.is_multicell and hasattr(ctype, "key")
    if not is_map and kind in ("KEYS", "ENTRIES"):
        raise InvalidRequest(f"Cannot create index on {word} of column {name} with non-map type")
    if ctype.is_udt and ctype.is_multicell:
        raise InvalidRequest(f"Cannot create index on non-frozen UDT column {name}")


class DropIndexPlan(SchemaPlan):
    statement: ast.DropIndex

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        ks = db.schema.keyspace(ks_name)
        found = None if ks is None else find_index(ks, st.name.name)
        if found is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Index '{ks_name}.{st.name.name}' doesn't exist'")
        table, index = found
        del table.indexes[index.name]
        persist_table(db, table)
        db.engine.drop_table(indexes.index_table_id(table, index))
        vector_index.registry(db).drop_index(table, index)
        return schema_result("UPDATED", "TABLE", ks_name, table.name)


def plan_create_index(statement: ast.CreateIndex, keyspace: str | None) -> CreateIndexPlan:
    ks = statement.table.keyspace or keyspace
    if ks is None:
        raise InvalidRequest(NO_KEYSPACE)
    return CreateIndexPlan(statement, keyspace)
