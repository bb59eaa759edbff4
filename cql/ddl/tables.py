"""CREATE / ALTER / DROP TABLE and TRUNCATE (CreateTableStatement, AlterTableStatement...)."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from typing import TYPE_CHECKING

from cql.derived import indexes, vector_index
from cql.errors import AlreadyExists, ConfigurationException, InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.schema.constraints import constraint_from_ast, validate_constraints
from cql.schema.metadata import (
    CLUSTERING,
    PARTITION_KEY,
    REGULAR,
    STATIC,
    ColumnMetadata,
    DroppedColumn,
    KeyspaceMetadata,
    TableMetadata,
)
from cql.schema.options import table_options
from cql.syntax import ast
from cql.types import CQLType
from cql.vocabulary import quote_name

from .common import (
    LOCAL_SYSTEM_KEYSPACES,
    NAME_LENGTH,
    SchemaPlan,
    TypeResolver,
    check_keyspace_name,
    check_user_modifiable,
    drop_table_storage,
    existing_keyspace,
    expand_user_types,
    is_valid_name,
    keyspace_of,
    persist_table,
    schema_result,
    void_result,
)
from .compact_drop import drop_compact_storage
from .masks import ensure_enabled, prepare_mask

if TYPE_CHECKING:
    from cql.database import Database

def java_list(names) -> str:
    """Java's List.toString, used verbatim in some of Cassandra's messages."""
    return "[" + ", ".join(names) + "]"


def check_table_name(name: str) -> None:
    if not is_valid_name(name):
        raise ConfigurationException(
            f"Table name must not be empty, more than {NAME_LENGTH} characters long, or contain "
            f'non-alphanumeric-underscore characters (got "{name}")'
        )


def check_no_nested_multicell(ctype: CQLType) -> None:
    """A non-frozen UDT may not hold non-frozen collections (CreateTableStatement)."""
    if ctype.is_udt and ctype.is_multicell and any(t.is_multicell for t in ctype.field_types):
        raise InvalidRequest(
                "Non-frozen UDTs with nested non-frozen collections are not supported")


# --------------------------------------------------------------------------------------
# CREATE TABLE


class CreateTablePlan(SchemaPlan):
    statement: ast.CreateTable

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        check_keyspace_name(ks_name)
        options, table_id = table_options(st.options)
        if any(c.mask is not None for c in st.columns):
            ensure_enabled(db)
        ks = existing_keyspace(db, ks_name)
        if st.name.name in ks.tables:
            if st.if_not_exists:
                return void_result()
            raise AlreadyExists(ks_name, st.name.name)
        table = build_table(db, ks, st, options, table_id or uuid.uuid4())
        check_table_name(table.name)
        ks.tables[table.name] = table
        persist_table(db, table, created=True)
        return schema_result("CREATED", "TABLE", ks_name, table.name)


def check_create_table_shape(st: ast.CreateTable) -> None:
    """The checks Cassandra's CreateTableStatement.Raw makes while parsing."""
    if not st.partition_key:
        raise InvalidRequest(
            f"No PRIMARY KEY specifed for table '{st.name}' (exactly one required)")
    seen: set[str] = set()
    for column in st.columns:
        if column.name in seen:
            raise InvalidRequest(
                f"Duplicate column '{column.name}' declaration for table '{st.name}'")
        seen.add(column.name)
    ordered: set[str] = set()
    for name, _ in st.clustering_order:
        if name in ordered:
            raise InvalidRequest(
                f"Duplicate column '{name}' in CLUSTERING ORDER BY clause for table '{st.name}'")
        ordered.add(name)


def build_table(db: Database, ks: KeyspaceMetadata, st: ast.CreateTable, options: dict,
                table_id: uuid.UUID) -> TableMetadata:
    """CreateTableStatement.builder: every column rule, in Cassandra's order."""
    resolver = TypeResolver(db, ks.name)
    types = {c.name: resolver.resolve(c.type) for c in sorted(st.columns,
                                                              key=lambda c: c.name.encode())}
    for ctype in types.values():
        check_no_nested_multicell(ctype)
    statics = {c.name for c in st.columns if c.static}
    _check_primary_key(st, types, statics)
    _check_clustering_order(st)
    key_columns = set(st.partition_key) | set(st.clustering)
    others = [n for n in types if n not in key_columns]
    if st.compact_storage:
        check_compact_table(st, types, others, statics)
    elif not st.clustering and statics:
        raise InvalidRequest(
            "Static columns are only useful (and thus allowed) if the table has at least one "
            "clustering column"
        )
    if any(t.is_counter for t in types.values()):
        if any(not types[n].is_counter for n in others):
            raise InvalidRequest("Cannot mix counter and non counter columns in the same table")
        if options["default_time_to_live"] > 0:
            raise InvalidRequest("Cannot set default_time_to_live on a table with counters")
    descending = {name for name, order in st.clustering_order if order == "DESC"}
    checks = {c.name: column_constraints(c) for c in st.columns}
    columns: dict[str, ColumnMetadata] = {}
    for i, name in enumerate(st.partition_key):
        columns[name] = ColumnMetadata(name, types[name], PARTITION_KEY, i,
                                       constraints=checks[name])
    for i, name in enumerate(st.clustering):
        columns[name] = ColumnMetadata(name, types[name], CLUSTERING, i, name in descending,
                                       checks[name])
    for column in st.columns:
        if column.name not in key_columns:
            kind = STATIC if column.static else REGULAR
            columns[column.name] = ColumnMetadata(column.name, types[column.name], kind,
                                                  constraints=checks[column.name])
    for column in columns.values():
        validate_constraints(column.constraints, column, st.name.name, ks.name)
    for column in st.columns:
        if column.mask is not None:
            columns[column.name].mask = prepare_mask(db, ks.name, column.name,
                                                     types[column.name], column.mask)
    compact = ("dense" if st.clustering else "static") if st.compact_storage else ""
    return TableMetadata(ks.name, st.name.name, table_id, columns, options, compact=compact)


def check_compact_table(st: ast.CreateTable, types: dict[str, CQLType], others: list[str],
                        statics: set) -> None:
    """What WITH COMPACT STORAGE refuses (CreateTableStatement.validateCompactTable): a
    "static" compact table (no clustering column) needs a regular column, a dense one has at
    most one."""
    if any(types[n].is_multicell for n in others):
        raise InvalidRequest("Non-frozen collections and UDTs are not supported with COMPACT STORAGE")
    if statics:
        raise InvalidRequest("Static columns are not supported in COMPACT STORAGE tables")
    if not st.clustering and not others:
        raise InvalidRequest("No definition found that is not part of the PRIMARY KEY")
    if st.clustering and len(others) > 1:
        declared = [c.name for c in st.columns if c.name in others]
        raise InvalidRequest(
            "COMPACT STORAGE with composite PRIMARY KEY allows no more than one column not part "
            f"of the PRIMARY KEY (got: {', '.join(declared)})")


def column_constraints(column: ast.ColumnDef) -> tuple:
    """The schema form of a column definition's CHECK constraints."""
    return tuple(constraint_from_ast(c, column.name) for c in column.constraints)


def _check_primary_key(st: ast.CreateTable, types: dict[str, CQLType], statics: set) -> None:
    seen: set[str] = set()
    for name in (*st.partition_key, *st.clustering):
        ctype = types.get(name)
        if ctype is None:
            raise InvalidRequest(
                f"Unknown column '{name}' referenced in PRIMARY KEY for table '{st.name.name}'")
        if name in seen:
            raise InvalidRequest(
                f"Duplicate column '{name}' in PRIMARY KEY clause for table '{st.name.name}'")
        seen.add(name)
        check_key_column_type(name, ctype)
        if name in statics:
            raise InvalidRequest(f"Static column '{name}' cannot be part of the PRIMARY KEY")


def check_key_column_type(name: str, ctype: CQLType) -> None:
    """What may not be part of a primary key (also used by views)."""
    if ctype.is_multicell:
        if ctype.is_collection:
            raise InvalidRequest(
                f"Invalid non-frozen collection type {ctype.name} for PRIMARY KEY column '{name}'")
        raise InvalidRequest(
            f"Invalid non-frozen user-defined type {ctype.name} for PRIMARY KEY column '{name}'")
    if ctype.is_counter:
        raise InvalidRequest(f"counter type is not supported for PRIMARY KEY column '{name}'")
    if ctype.references_duration:
        raise InvalidRequest(f"duration type is not supported for PRIMARY KEY column '{name}'")


def _check_clustering_order(st: ast.CreateTable | ast.CreateView) -> None:
    clustering = list(st.clustering)
    named = [name for name, _ in st.clustering_order]
    strangers = [n for n in named if n not in clustering]
    if strangers:
        raise InvalidRequest(
            "Only clustering key columns can be defined in CLUSTERING ORDER directive: "
            f"{java_list(strangers)} are not clustering columns"
        )
    for n, name in enumerate(named):
        expected = clustering[n]
        if name != expected:
            if expected in named:
                raise InvalidRequest(
                    "The order of columns in the CLUSTERING ORDER directive must match that of "
                    f"the clustering columns ({expected} must appear before {name})"
                )
            raise InvalidRequest(f"Missing CLUSTERING ORDER for column {expected}")


# --------------------------------------------------------------------------------------
# DROP TABLE / TRUNCATE


def table_or_view(db: Database, ks_name: str, name: str) -> TableMetadata | None:
    ks = db.schema.keyspace(ks_name)
    return None if ks is None else ks.tables.get(name)


def views_of(ks: KeyspaceMetadata, table: TableMetadata) -> list[TableMetadata]:
    return sorted((v for v in ks.views.values() if v.view_of == table.name),
                  key=lambda v: v.name)


class DropTablePlan(SchemaPlan):
    statement: ast.DropTable

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        table = table_or_view(db, ks_name, st.name.name)
        if table is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Table '{ks_name}.{st.name.name}' doesn't exist")
        if table.is_view:
            raise InvalidRequest(
                "Cannot use DROP TABLE on a materialized view. Please use DROP MATERIALIZED VIEW "
                "instead."
            )
        ks = db.schema.keyspaces[ks_name]
        views = views_of(ks, table)
        if views:
            # Cassandra's format string only uses its first argument, the keyspace
            raise InvalidRequest(
                f"Cannot drop a table when materialized views still depend on it ({ks_name})")
        drop_table_storage(db, table)
        del ks.tables[table.name]
        return schema_result("DROPPED", "TABLE", ks_name, table.name)


class TruncatePlan(Plan):
    """TRUNCATE removes every cell of the table (and of its views), not a timestamped delete."""

    def __init__(self, statement: ast.Truncate, keyspace: str | None):
        self.statement = statement
        self.current_keyspace = keyspace

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        table = db.table(self.statement.table, self.current_keyspace)
        if table.is_view:
            raise InvalidRequest(
                "Cannot TRUNCATE materialized view directly; must truncate base table instead")
        if table.keyspace in LOCAL_SYSTEM_KEYSPACES:
            raise InvalidRequest(f"System keyspace '{table.keyspace}' is not user-modifiable")
        if table.virtual:
            raise InvalidRequest(f"Truncation is not supported by table {table.full_name}")
        db.engine.truncate(str(table.id))
        vector_index.registry(db).drop_table(str(table.id))  # rebuilt (empty) when next used
        for index in table.indexes.values():
            db.engine.truncate(indexes.index_table_id(table, index))
        ks = db.schema.keyspaces[table.keyspace]
        for view in views_of(ks, table):
            db.engine.truncate(str(view.id))
        return Result(kind="void")


# --------------------------------------------------------------------------------------
# ALTER TABLE


class AlterTablePlan(SchemaPlan):
    statement: ast.AlterTable

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        action = st.action
        if isinstance(action, ast.AlterColumnMask) and action.mask is not None:
            ensure_enabled(db)
        if isinstance(action, ast.AddColumns) and any(c.mask for c in action.columns):
            ensure_enabled(db)
        table = table_or_view(db, ks_name, st.name.name)
        if table is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Table '{ks_name}.{st.name.name}' doesn't exist")
        if table.is_view:
            raise InvalidRequest(
                "Cannot use ALTER TABLE on a materialized view; use ALTER MATERIALIZED VIEW "
                "instead"
            )
        ks = db.schema.keyspaces[ks_name]
        handler = _ALTER_HANDLERS.get(type(action))
        if handler is None:
            raise InvalidRequest(f"Unsupported ALTER TABLE action {type(action).__name__}")
        altered = clone_table(table)
        if handler(db, ks, altered, action):
            ks.tables[altered.name] = altered
            persist_table(db, altered)
        return schema_result("UPDATED", "TABLE", ks_name, table.name)


def clone_table(table: TableMetadata) -> TableMetadata:
    """A copy that ALTER can change freely: the schema only sees it once it is valid."""
    return TableMetadata(
        table.keyspace, table.name, table.id,
        {n: dataclasses.replace(c) for n, c in table.columns.items()},
        copy.deepcopy(table.options),
        dict(table.dropped_columns),
        {n: dataclasses.replace(i, options=dict(i.options)) for n, i in table.indexes.items()},
        table.view_of, table.view_where, table.view_include_all, table.virtual,
        table.security_label, table.compact,
    )


def _alter_type(db: Database, ks: KeyspaceMetadata, table: TableMetadata, action) -> bool:
    raise InvalidRequest("Altering column types is no longer supported")


def _alter_mask(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                action: ast.AlterColumnMask) -> bool:
    """``ALTER c MASKED WITH ...`` / ``ALTER c DROP MASKED`` (AlterTableStatement.MaskColumn):
    the views selecting the column get the same mask."""
    column = table.column(action.column)
    if column is None:
        if action.if_exists:
            return False
        raise InvalidRequest(
            f"Column with name '{action.column}' doesn't exist on table '{table.name}'")
    mask = None if action.mask is None else prepare_mask(db, ks.name, column.name, column.type,
                                                         action.mask)
    if mask == column.mask:
        return False
    column.mask = mask
    table.refresh()
    for view in views_of(ks, table):
        if action.column in view.columns:
            view.columns[action.column] = dataclasses.replace(view.columns[action.column],
                                                              mask=mask)
            view.refresh()
            persist_table(db, view)
    return True


def _alter_constraints(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                       action: ast.AlterColumnConstraints) -> bool:
    """``ALTER c CHECK ...`` replaces the column's constraints; ``ALTER c DROP CHECK`` drops
    them (AlterTableStatement.AlterConstraints / DropConstraints)."""
    column = table.column(action.column)
    if column is None:
        if action.if_exists:
            return False
        raise InvalidRequest(f"Column '{action.column}' doesn't exist")
    constraints = tuple(constraint_from_ast(c, column.name) for c in action.constraints or ())
    validate_constraints(constraints, column, table.name, ks.name)
    column.constraints = constraints
    return True


def _drop_compact(db: Database, ks: KeyspaceMetadata, table: TableMetadata, action) -> bool:
    """Persists the table itself: the data it moves is written with the schema rows, in one
    atomic write (so the answer False only means "nothing left to persist")."""
    writes = drop_compact_storage(db, ks.tables[table.name], table)
    ks.tables[table.name] = table
    persist_table(db, table, data=writes)
    return False


def _add_columns(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                 action: ast.AddColumns) -> bool:
    """AlterTableStatement.AddColumns, then TableMetadata.validate's counter rules."""
    resolver = TypeResolver(db, ks.name)
    was_counter = table.is_counter
    added = []
    for column in action.columns:
        ctype = resolver.resolve(column.type)
        check_no_nested_multicell(ctype)
        if column.name in table.columns:
            if not action.if_not_exists:
                raise InvalidRequest(f"Column with name '{column.name}' already exists")
            continue
        if table.compact:
            raise InvalidRequest("Cannot add new column to a COMPACT STORAGE table")
        if column.static and not table.clustering:
            raise InvalidRequest(
                "Static columns are only useful (and thus allowed) if the table has at least "
                "one clustering column"
            )
        _check_readd(table, column, ctype, was_counter)
        kind = STATIC if column.static else REGULAR
        added_column = ColumnMetadata(column.name, ctype, kind,
                                      constraints=column_constraints(column))
        validate_constraints(added_column.constraints, added_column, table.name, ks.name)
        if column.mask is not None:
            added_column.mask = prepare_mask(db, ks.name, column.name, ctype, column.mask)
        table.columns[column.name] = added_column
        added.append(added_column)
    for column in added:
        if was_counter and not column.type.is_counter:
            raise ConfigurationException(
                f'Cannot have a non counter column ("{column.name}") in a counter table')
        if not was_counter and column.type.is_counter:
            raise ConfigurationException(
                f'Cannot have a counter column ("{column.name}") in a non counter table')
    for view in views_of(ks, table):
        if view.view_include_all:
            for column in added:
                if column.kind == REGULAR:
                    view.columns[column.name] = ColumnMetadata(column.name, column.type, REGULAR,
                                                               mask=column.mask)
            persist_table(db, view)
    return bool(added)


def _check_readd(table: TableMetadata, column: ast.ColumnDef, ctype: CQLType,
                 is_counter: bool) -> None:
    dropped = table.dropped_columns.get(column.name)
    if dropped is None:
        return
    if not _serialization_compatible(ctype, dropped.type):
        raise InvalidRequest(
            f"Cannot re-add previously dropped column '{column.name}' of type {ctype.name}, "
            f"incompatible with previous type {dropped.type.name}"
        )
    if (dropped.kind == STATIC) != column.static:
        kind = "STATIC" if column.static else "REGULAR"
        raise InvalidRequest(
            f"Cannot re-add previously dropped column '{column.name}' of kind {kind}, "
            f"incompatible with previous kind {dropped.kind.upper()}"
        )
    if is_counter:
        raise InvalidRequest(f"Cannot re-add previously dropped counter column {column.name}")


_VARINT_COMPATIBLE = frozenset({"tinyint", "smallint", "int", "bigint", "varint"})


def _serialization_compatible(new: CQLType, old: CQLType) -> bool:
    """AbstractType.isSerializationCompatibleWith, for the cases that matter in practice."""
    new = expand_user_types(new)
    if new == old or new.freeze() == old.freeze():
        return True
    if new.name == "blob" and not new.is_multicell and not old.is_multicell:
        return True
    return new.name == "text" and old.name == "ascii"


def _drop_columns(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                  action: ast.DropColumns) -> bool:
    """AlterTableStatement.DropColumns: the drop is recorded so older cells stay invisible."""
    # system_schema.dropped_columns keeps milliseconds: a drop time on a whole millisecond
    # (later than every write so far) hides the same cells after a restart as before it
    timestamp = action.timestamp if action.timestamp is not None else db.clock.next_millisecond()
    dropped = []
    for name in dict.fromkeys(action.columns):
        column = table.column(name)
        if column is None:
            if not action.if_exists:
                raise InvalidRequest(
                    f"Column {name} was not found in table '{table.keyspace}.{table.name}'")
            continue
        if column.is_primary_key:
            raise InvalidRequest(f"Cannot drop PRIMARY KEY column {name}")
        if column.type.is_udt and column.type.is_multicell:
            raise InvalidRequest(
                f"Cannot drop non-frozen column {name} of user type {column.type.name}")
        dependents = sorted(i.name for i in table.indexes.values() if i.target_column == name)
        if dependents:
            raise InvalidRequest(
                f"Cannot drop column {name} because it has dependent secondary indexes "
                f"({', '.join(dependents)})"
            )
        if views_of(ks, table):
            raise InvalidRequest(
                f"Cannot drop column {name} on base table {table.name} with materialized views")
        dropped.append(column)
    for column in dropped:
        del table.columns[column.name]
        table.dropped_columns[column.name] = DroppedColumn(
            column.name, expand_user_types(column.type), column.kind, timestamp)
    return bool(dropped)


def _rename_columns(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                    action: ast.RenameColumns) -> bool:
    """AlterTableStatement.RenameColumns: only primary key columns can be renamed."""
    renames = []
    for old, new in action.renames:
        column = table.column(old)
        if column is None:
            # getExistingColumn throws before IF EXISTS is looked at
            raise InvalidRequest(f"Undefined column name {old} in table {table.full_name}")
        if not column.is_primary_key:
            raise InvalidRequest(f"Cannot rename non PRIMARY KEY column {old}")
        if new in table.columns and new != old:
            raise InvalidRequest(
                f"Cannot rename column {old} to {new} in table '{table.full_name}'; another "
                "column with that name already exists"
            )
        dependents = sorted(i.name for i in table.indexes.values() if i.target_column == old)
        if dependents:
            raise InvalidRequest(
                f"Can't rename column {old} because it has dependent secondary indexes "
                f"({', '.join(dependents)})"
            )
        renames.append((old, new))
    for old, new in renames:
        column = table.columns.pop(old)
        column.name = new
        table.columns[new] = column
        for view in views_of(ks, table):
            _rename_in_view(db, view, old, new)
    return bool(renames)


def _rename_in_view(db: Database, view: TableMetadata, old: str, new: str) -> None:
    column = view.columns.pop(old, None)
    if column is None:
        return
    column.name = new
    view.columns[new] = column
    view.view_where = view.view_where.replace(quote_name(old) + " ", quote_name(new) + " ")
    persist_table(db, view)


def _alter_options(db: Database, ks: KeyspaceMetadata, table: TableMetadata,
                   action: ast.AlterOptions) -> bool:
    """AlterTableStatement.AlterOptions."""
    if any(name == "id" for name, _ in action.options):
        table_options(tuple(o for o in action.options if o[0] != "id"), table.options)
        raise ConfigurationException("Cannot alter table id.")
    options, _ = table_options(action.options, table.options)
    if table.is_counter and options["default_time_to_live"] > 0:
        raise InvalidRequest("Cannot set default_time_to_live on a table with counters")
    if views_of(ks, table) and options["gc_grace_seconds"] == 0:
        raise InvalidRequest(
            "Cannot alter gc_grace_seconds of the base table of a materialized view to 0, since "
            "this value is used to TTL undelivered updates. Setting gc_grace_seconds too low "
            "might cause undelivered updates to expire before being replayed."
        )
    table.options = options
    return True


_ALTER_HANDLERS = {
    ast.AlterColumnType: _alter_type,
    ast.AlterColumnMask: _alter_mask,
    ast.AlterColumnConstraints: _alter_constraints,
    ast.DropCompactStorage: _drop_compact,
    ast.AddColumns: _add_columns,
    ast.DropColumns: _drop_columns,
    ast.RenameColumns: _rename_columns,
    ast.AlterOptions: _alter_options,
}


def plan_create_table(statement: ast.CreateTable, keyspace: str | None) -> CreateTablePlan:
    check_create_table_shape(statement)
    keyspace_of(statement.name, keyspace)
    return CreateTablePlan(statement, keyspace)
