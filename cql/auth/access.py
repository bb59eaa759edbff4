"""What a statement needs: the permission checks of each statement's ``authorize`` in
Cassandra, for statements on data and schema.

Role and permission statements check access themselves when they run (what they need
depends on the roles they name); this module covers everything else. Called only for
sessions that logged in: trusted embedded sessions never get here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import Unauthorized
from cql.syntax import ast

from . import resources as res
from .authorizer import Authorizer

if TYPE_CHECKING:
    from cql.schema.metadata import Schema


def _ks(name: ast.QualifiedName, keyspace: str | None) -> str | None:
    return name.keyspace or keyspace


def _table(schema: Schema, name: ast.QualifiedName, keyspace: str | None) -> res.Resource:
    ks = _ks(name, keyspace)
    return res.table(ks, name.name)  # type: ignore[arg-type]


def _base_table(schema: Schema, name: ast.QualifiedName, keyspace: str | None) -> res.Resource:
    """A view's reads and schema changes are checked on its base table."""
    ks = _ks(name, keyspace)
    table = schema.table(ks, name.name) if ks else None
    if table is not None and table.view_of:
        return res.table(ks, table.view_of)  # type: ignore[arg-type]
    return res.table(ks, name.name)  # type: ignore[arg-type]


def _index_table(schema: Schema, name: ast.QualifiedName, keyspace: str | None
                 ) -> res.Resource | None:
    ks = _ks(name, keyspace)
    ksm = schema.keyspace(ks) if ks else None
    if ksm is None:
        return None
    for table in ksm.tables.values():
        if name.name in table.indexes:
            return res.table(ks, table.name)  # type: ignore[arg-type]
    return None


def _views_of(schema: Schema, table: res.Resource) -> list[res.Resource]:
    ksm = schema.keyspace(table.keyspace)  # type: ignore[arg-type]
    if ksm is None:
        return []
    return [res.table(ksm.name, v.name) for v in ksm.tables.values() if v.view_of == table.name]


def _restricted_columns(where: tuple) -> set[str]:
    names: set[str] = set()
    for rel in where:
        lhs = getattr(rel, "lhs", None)
        while isinstance(lhs, ast.ElementAccess):
            lhs = lhs.expr
        if isinstance(lhs, ast.ColumnRef):
            names.add(lhs.name)
        elif isinstance(lhs, ast.ColumnTuple):
            names.update(lhs.names)
        elif isinstance(lhs, ast.TokenOf):
            names.update(lhs.columns)
    return names


def _check_masked_restrictions(auth: Authorizer, user: str, schema: Schema,
                               statement: ast.Select, keyspace: str | None) -> None:
    """SelectStatement.authorize (CEP-20): without UNMASK nor SELECT_MASKED on the table, a
    query may not restrict masked columns."""
    ks = _ks(statement.table, keyspace)
    table = schema.table(ks, statement.table.name) if ks else None
    ann = getattr(statement, "ann", None)
    if table is None or not table.masks or not (statement.where or ann) \
            or not auth.store.db.settings.dynamic_data_masking_enabled:
        return
    restricted = _restricted_columns(statement.where)
    if ann is not None:  # ANN ordering is a restriction of its column (addOrderingRestrictions)
        restricted.add(ann.column)
    queried = [c.name for c in table.select_star if c.name in table.masks and c.name in restricted]
    if not queried:
        return
    resource = res.table(ks, table.name)  # type: ignore[arg-type]
    if auth.has(user, "UNMASK", resource) or auth.has(user, "SELECT_MASKED", resource):
        return
    raise Unauthorized(f"User {user} has no UNMASK nor SELECT_MASKED permission on table "
                       f"{ks}.{table.name}, cannot query masked columns [{', '.join(queried)}]")


def authorize(auth: Authorizer, user: str, schema: Schema, statement: ast.Statement,
              keyspace: str | None) -> None:
    """Raise Unauthorized unless ``user`` may run ``statement`` (a superuser passes every
    check but the system keyspaces' own rules)."""
    data = auth.ensure_data
    kind = type(statement)
    if kind is ast.Select:
        data(user, "SELECT", _base_table(schema, statement.table, keyspace))
        _check_masked_restrictions(auth, user, schema, statement, keyspace)
    elif kind in (ast.Insert, ast.Update, ast.Delete):
        table = _table(schema, statement.table, keyspace)
        data(user, "MODIFY", table)
        if getattr(statement, "conditions", None) or getattr(statement, "if_exists", False) \
                or getattr(statement, "if_not_exists", False):
            data(user, "SELECT", table)
        views = _views_of(schema, table)
        if views:  # view updates read the base row and write every view
            data(user, "SELECT", table)
            for view in views:
                data(user, "MODIFY", view)
    elif kind is ast.Batch:
        for inner in statement.statements:
            authorize(auth, user, schema, inner, keyspace)
    elif kind is ast.Truncate:
        data(user, "MODIFY", _table(schema, statement.table, keyspace))
    elif kind is ast.CreateKeyspace:
        auth.ensure(user, "CREATE", res.DATA)
    elif kind is ast.AlterKeyspace:
        data(user, "ALTER", res.keyspace(statement.name))
    elif kind is ast.DropKeyspace:
        data(user, "DROP", res.keyspace(statement.name))
    elif kind is ast.CreateTable:
        data(user, "CREATE", res.all_tables(_ks(statement.name, keyspace)))  # type: ignore
    elif kind is ast.CreateTableLike:  # CopyTableStatement: read the source, create the copy
        data(user, "SELECT", _table(schema, statement.source, keyspace))
        data(user, "CREATE", res.all_tables(_ks(statement.name, keyspace)))  # type: ignore
    elif kind is ast.AlterTable:
        data(user, "ALTER", _table(schema, statement.name, keyspace))
    elif kind is ast.DropTable:
        data(user, "DROP", _table(schema, statement.name, keyspace))
    elif kind in (ast.CreateType, ast.AlterType, ast.DropType):
        permission = {ast.CreateType: "CREATE", ast.AlterType: "ALTER", ast.DropType: "DROP"}
        data(user, permission[kind], res.all_tables(_ks(statement.name, keyspace)))  # type: ignore
    elif kind is ast.SchemaDescription:  # COMMENT ON / SECURITY LABEL ON
        if statement.target == "KEYSPACE":
            data(user, "ALTER", res.keyspace(statement.name.name))
        elif statement.target in ("TABLE", "COLUMN"):
            data(user, "ALTER", _table(schema, statement.name, keyspace))
        else:
            data(user, "ALTER", res.all_tables(_ks(statement.name, keyspace)))  # type: ignore
    elif kind is ast.CreateIndex:
        data(user, "ALTER", _table(schema, statement.table, keyspace))
    elif kind is ast.DropIndex:
        table = _index_table(schema, statement.name, keyspace)
        if table is not None:
            data(user, "ALTER", table)
    elif kind is ast.CreateView:
        data(user, "ALTER", _table(schema, statement.base, keyspace))
    elif kind in (ast.AlterView, ast.DropView):
        data(user, "ALTER", _base_table(schema, statement.name, keyspace))
    elif kind in (ast.CreateTrigger, ast.DropTrigger) and not auth.is_superuser(user):
        verb = "CREATE" if kind is ast.CreateTrigger else "DROP"
        raise Unauthorized(f"Only superusers are allowed to perform {verb} TRIGGER queries")
