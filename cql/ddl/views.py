"""CREATE / ALTER / DROP MATERIALIZED VIEW: the schema side (CreateViewStatement...).

A view is a TableMetadata with ``view_of`` (its base table), ``view_where`` (the WHERE
clause as CQL text, as system_schema.views.where_clause holds it) and ``view_include_all``
(``SELECT *``). Keeping its rows in step with the base table is the write path's business.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from cql.derived import views
from cql.errors import AlreadyExists, ConfigurationException, InvalidRequest
from cql.plan.base import ExecutionContext, Result
from cql.schema.metadata import (
    CLUSTERING,
    PARTITION_KEY,
    REGULAR,
    ColumnMetadata,
    TableMetadata,
)
from cql.schema.options import table_options
from cql.syntax import ast, unparse

from .common import (
    SchemaPlan,
    check_user_modifiable,
    drop_table_storage,
    existing_keyspace,
    keyspace_of,
    persist_table,
    schema_result,
    void_result,
)
from .tables import check_key_column_type, check_table_name, clone_table

if TYPE_CHECKING:
    from cql.database import Database

USAGE_WARNING = "Materialized views are experimental and are not recommended for production use."
GC_GRACE_ZERO = (
    "Cannot alter gc_grace_seconds of a materialized view to 0, since this value is used to TTL "
    "undelivered updates. Setting gc_grace_seconds too low might cause undelivered updates to "
    "expire before being replayed."
)
VIEW_TTL = (
    "Forbidden default_time_to_live detected for a materialized view. Data in a materialized "
    "view always expire at the same time than the corresponding data in the parent table. "
    "default_time_to_live must be set to zero, see CASSANDRA-12868 for more information"
)


class CreateViewPlan(SchemaPlan):
    statement: ast.CreateView

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        ks = existing_keyspace(db, ks_name)
        base = ks.tables.get(st.base.name)
        if base is None or base.is_view:
            if base is not None:
                raise InvalidRequest(
                    "Materialized views cannot be created against other materialized views")
            raise InvalidRequest(f"Base table '{st.base.name}' doesn't exist")
        existing = ks.tables.get(st.name.name)
        if existing is not None and not existing.is_view:
            raise InvalidRequest(
                f"Cannot create materialized view '{st.name.name}' - a table with the same name "
                "already exists"
            )
        if existing is not None:
            if st.if_not_exists:
                return void_result()
            raise AlreadyExists(ks_name, st.name.name)
        view = build_view(st, base, db.settings.mv_allow_filtering_nonkey_columns_unsafe)
        check_table_name(view.name)
        ks.tables[view.name] = view
        persist_table(db, view, created=True)
        views.build(db.engine, base, view, ctx.now)
        db.store.view_built(view, db.host_id)
        result = schema_result("CREATED", "TABLE", ks_name, view.name)
        result.warnings.append(USAGE_WARNING)
        return result


def _selected_columns(st: ast.CreateView, base: TableMetadata) -> list[str]:
    if st.selectors is None:
        return list(base.columns)
    out = []
    for selector in st.selectors:
        if selector.alias is not None:
            raise InvalidRequest(
                "Cannot use aliases when defining a materialized view (got "
                f"{unparse.view_selector(selector.expr)} AS {selector.alias})"
            )
        if not isinstance(selector.expr, ast.ColumnRef):
            raise InvalidRequest(
                "Can only select columns by name when defining a materialized view (got "
                f"{unparse.view_selector(selector.expr)})"
            )
        if base.column(selector.expr.name) is None:
            raise InvalidRequest(
                f"Undefined column name {selector.expr.name} in table {base.full_name}")
        out.append(selector.expr.name)
    return out


def build_view(st: ast.CreateView, base: TableMetadata,
               filter_nonkey: bool = False) -> TableMetadata:
    """CreateViewStatement.apply's checks, then the view's TableMetadata."""
    name = st.name.name
    if base.is_counter:
        raise InvalidRequest("Materialized views are not supported on counter tables")
    if base.options["gc_grace_seconds"] == 0:
        raise InvalidRequest(
            f"Cannot create materialized view '{name}' for base table '{base.name}' with "
            "gc_grace_seconds of 0, since this value is used to TTL undelivered updates. Setting "
            "gc_grace_seconds too low might cause undelivered updates to expire before being "
            "replayed."
        )
    selected = _selected_columns(st, base)
    # a static compact table's declared columns are static ones (fixupCompactTable)
    statics = [c for c in selected if base.columns[c].is_static
               or (base.compact == "static" and not base.columns[c].is_primary_key)]
    if statics:
        raise InvalidRequest(
            f"Cannot include static column '{statics[0]}' in materialized view '{name}'")
    if not st.partition_key:
        raise InvalidRequest(
            f"Must provide at least one partition key column for materialized view '{name}'")
    key = _check_view_key(st, base, selected)
    base_key = [c.name for c in base.primary_key]
    base_key += [h[0] for h in base.compact_hidden_columns() if h[2] == "clustering"]
    missing = [c for c in base_key if c not in key]
    if missing:
        raise InvalidRequest(
            f"Cannot create materialized view '{name}' without primary key columns "
            f"{', '.join(missing)} from base table '{base.name}'"
        )
    extra = [c for c in key if c not in base_key]
    if len(extra) > 1:
        raise InvalidRequest(
            "Cannot include more than one non-primary key column in materialized view primary "
            f"key (got {', '.join(extra)})"
        )
    where = _check_where(st, base, key, filter_nonkey)
    options, table_id = table_options(st.options)
    if options["default_time_to_live"] != 0:
        raise InvalidRequest(
            "Cannot set default_time_to_live for a materialized view. Data in a materialized "
            "view always expire at the same time than the corresponding data in the parent "
            "table."
        )
    return _view_metadata(st, base, selected, options, table_id, where)


def _check_view_key(st: ast.CreateView, base: TableMetadata, selected: list[str]) -> list[str]:
    name = st.name.name
    key: list[str] = []
    for column in (*st.partition_key, *st.clustering):
        meta = base.column(column)
        if meta is None or column not in selected:
            raise InvalidRequest(
                f"Unknown column '{column}' referenced in PRIMARY KEY for materialized view "
                f"'{name}'"
            )
        if column in key:
            raise InvalidRequest(
                f"Duplicate column '{column}' in PRIMARY KEY clause for materialized view "
                f"'{name}'"
            )
        if meta.type.is_multicell:
            what = "collection type" if meta.type.is_collection else "user-defined type"
            raise InvalidRequest(
                f"Invalid non-frozen {what} '{meta.type.name}' for PRIMARY KEY column '{column}'")
        check_key_column_type(column, meta.type)
        key.append(column)
    ordered = [c for c, _ in st.clustering_order]
    if ordered and ordered != list(st.clustering):
        raise InvalidRequest(
            "Clustering key columns must exactly match columns in CLUSTERING ORDER BY directive")
    return key


def _check_where(st: ast.CreateView, base: TableMetadata, key: list[str],
                 filter_nonkey: bool) -> str:
    """The WHERE clause: every view key column restricted, others only by IS NOT NULL
    (unless ``filter_nonkey``: mv_allow_filtering_nonkey_columns_unsafe)."""
    restricted: set[str] = set()
    illegal: list[str] = []
    for relation in st.where:
        if isinstance(relation, ast.CustomIndexExpression):
            raise InvalidRequest(
                f"WHERE clause for materialized view '{st.name.name}' cannot contain custom "
                "index expressions"
            )
        if isinstance(relation.lhs, ast.TokenOf):
            raise InvalidRequest("Cannot use token relation when defining a materialized view")
        names = (relation.lhs.names if isinstance(relation.lhs, ast.ColumnTuple)
                 else [relation.lhs.name] if isinstance(relation.lhs, ast.ColumnRef) else [])
        for column in names:
            if base.column(column) is None:
                raise InvalidRequest(f"Undefined column name {column} in table {base.full_name}")
            restricted.add(column)
            if column not in key and relation.op != "IS NOT" and not base.columns[
                    column].is_primary_key:
                illegal.append(column)
    unrestricted = [c for c in key if c not in restricted]
    if unrestricted:
        raise InvalidRequest(
            f"Primary key columns {', '.join(unrestricted)} must be restricted with 'IS NOT "
            "NULL' or otherwise"
        )
    if illegal and not filter_nonkey:
        raise InvalidRequest(
            "Non-primary key columns can only be restricted with 'IS NOT NULL' (got: "
            f"{','.join(illegal)} restricted illegally)"
        )
    return " AND ".join(unparse.where_relation(r) for r in st.where)


def _view_metadata(st: ast.CreateView, base: TableMetadata, selected: list[str], options: dict,
                   table_id: uuid.UUID | None, where: str) -> TableMetadata:
    order = dict(st.clustering_order)
    columns: dict[str, ColumnMetadata] = {}
    for i, name in enumerate(st.partition_key):
        columns[name] = ColumnMetadata(name, base.columns[name].type, PARTITION_KEY, i,
                                       mask=base.columns[name].mask)
    for i, name in enumerate(st.clustering):
        reversed_ = (order[name] == "DESC") if name in order else base.columns[name].reversed
        columns[name] = ColumnMetadata(name, base.columns[name].type, CLUSTERING, i, reversed_,
                                       mask=base.columns[name].mask)
    for name in selected:
        if name not in columns:
            columns[name] = ColumnMetadata(name, base.columns[name].type, REGULAR,
                                           mask=base.columns[name].mask)
    options = dict(options)
    return TableMetadata(
        base.keyspace, st.name.name, table_id or uuid.uuid4(), columns, options,
        view_of=base.name, view_where=where, view_include_all=st.selectors is None,
    )


def _existing_view(db: Database, ks_name: str, name: str) -> TableMetadata | None:
    ks = db.schema.keyspace(ks_name)
    table = None if ks is None else ks.tables.get(name)
    return table if table is not None and table.is_view else None


class AlterViewPlan(SchemaPlan):
    statement: ast.AlterView

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        view = _existing_view(db, ks_name, st.name.name)
        if view is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Materialized view '{ks_name}.{st.name.name}' doesn't exist")
        options, table_id = table_options(st.options, view.options)
        if table_id is not None:
            raise ConfigurationException("Cannot alter table id.")
        if options["gc_grace_seconds"] == 0:
            raise InvalidRequest(GC_GRACE_ZERO)
        if options["default_time_to_live"] > 0:
            raise InvalidRequest(VIEW_TTL)
        altered = clone_table(view)
        altered.options = options
        db.schema.keyspaces[ks_name].tables[view.name] = altered
        persist_table(db, altered)
        return schema_result("UPDATED", "TABLE", ks_name, view.name)


class DropViewPlan(SchemaPlan):
    statement: ast.DropView

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        ks_name = keyspace_of(st.name, self.current_keyspace)
        check_user_modifiable(ks_name)
        view = _existing_view(db, ks_name, st.name.name)
        if view is None:
            if st.if_exists:
                return void_result()
            raise InvalidRequest(f"Materialized view '{ks_name}.{st.name.name}' doesn't exist")
        drop_table_storage(db, view)
        del db.schema.keyspaces[ks_name].tables[view.name]
        return schema_result("DROPPED", "TABLE", ks_name, view.name)


def plan_create_view(statement: ast.CreateView, keyspace: str | None) -> CreateViewPlan:
    ks = keyspace_of(statement.name, keyspace)
    if statement.base.keyspace is not None and statement.base.keyspace != ks:
        raise InvalidRequest(
            "Cannot create a materialized view on a table in a different keyspace")
    if statement.bind_count:
        raise InvalidRequest(
            "Bind variables are not allowed in CREATE MATERIALIZED VIEW statements")
    if not statement.partition_key:
        raise InvalidRequest(
            f"No PRIMARY KEY specifed for view '{statement.name}' (exactly one required)")
    _check_duplicate_order(statement)
    return CreateViewPlan(statement, keyspace)


def _check_duplicate_order(st: ast.CreateView) -> None:
    seen: set[str] = set()
    for column, _ in st.clustering_order:
        if column in seen:
            raise InvalidRequest(
                f"Duplicate column '{column}' in CLUSTERING ORDER BY clause for view '{st.name}'")
        seen.add(column)
