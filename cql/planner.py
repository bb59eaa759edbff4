"""Statement -> plan: one table, ``PLANNERS``, from AST class to the planner of that statement.

A planner is called as ``planner(db, statement, keyspace, markers)`` and returns a
:class:`~cql.plan.base.Plan`. SELECT/INSERT/UPDATE/DELETE/BATCH are planned against the
schema now (``dml/``); schema statements (``ddl/``) only check what Cassandra checks while
preparing (a keyspace to work in, the statement's shape) and validate when they execute,
because a prepared DDL statement may run long after it was prepared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cql.ddl import (
    describe,
    descriptions,
    indexes,
    keyspaces,
    permissions,
    roles,
    table_like,
    tables,
    udts,
    unsupported,
    views,
)
from cql.ddl.common import keyspace_of
from cql.dml import batch, modify, select
from cql.plan.base import Plan
from cql.plan.terms import Markers
from cql.syntax import ast

from .errors import InvalidRequest

if TYPE_CHECKING:
    from .database import Database

Planner = Callable[["Database", Any, "str | None", Markers], Plan]


def _schema(plan: Callable[[Any, str | None], Plan]) -> Planner:
    """A schema statement's planner: ``plan(statement, keyspace)``, no database needed."""
    return lambda db, statement, keyspace, markers: plan(statement, keyspace)


def _named(plan: Callable[[Any, str | None], Plan]) -> Planner:
    """For a statement on a ``[keyspace.]name``: a keyspace must be known when preparing."""
    def planner(db: Database, statement: Any, keyspace: str | None, markers: Markers) -> Plan:
        keyspace_of(statement.name, keyspace)
        return plan(statement, keyspace)

    return planner


def _select(db: Database, statement: ast.Select, keyspace: str | None,
            markers: Markers) -> Plan:
    """SELECT; on a virtual table ALLOW FILTERING is implied (VirtualTable's
    allowFilteringImplicitly, true for every virtual table here)."""
    if not statement.allow_filtering:
        ks = db.schema.keyspace(getattr(statement.table, "keyspace", None) or keyspace or "")
        if ks is not None and ks.virtual:
            statement = dataclasses.replace(statement, allow_filtering=True)
    return select.plan_select(db, statement, keyspace, markers)


#: AST statement class -> its planner.
PLANNERS: dict[type[ast.Statement], Planner] = {
    # dml/
    ast.Select: _select,
    ast.Insert: modify.plan_modification,
    ast.Update: modify.plan_modification,
    ast.Delete: modify.plan_modification,
    ast.Batch: batch.plan_batch,
    # ddl/keyspaces.py
    ast.Use: _schema(keyspaces.UsePlan),
    ast.CreateKeyspace: _schema(keyspaces.CreateKeyspacePlan),
    ast.AlterKeyspace: _schema(keyspaces.AlterKeyspacePlan),
    ast.DropKeyspace: _schema(keyspaces.DropKeyspacePlan),
    # ddl/tables.py
    ast.CreateTable: _schema(tables.plan_create_table),
    ast.AlterTable: _named(tables.AlterTablePlan),
    ast.DropTable: _named(tables.DropTablePlan),
    ast.Truncate: _schema(tables.TruncatePlan),
    ast.CreateTableLike: _schema(table_like.CreateTableLikePlan),
    # ddl/udts.py
    ast.CreateType: _schema(udts.plan_create_type),
    ast.AlterType: _named(udts.AlterTypePlan),
    ast.DropType: _named(udts.DropTypePlan),
    # ddl/indexes.py
    ast.CreateIndex: _schema(indexes.plan_create_index),
    ast.DropIndex: _named(indexes.DropIndexPlan),
    # ddl/views.py
    ast.CreateView: _schema(views.plan_create_view),
    ast.AlterView: _named(views.AlterViewPlan),
    ast.DropView: _named(views.DropViewPlan),
    # ddl/describe.py
    ast.Describe: _schema(describe.DescribePlan),
    # ddl/descriptions.py: COMMENT ON / SECURITY LABEL ON
    ast.SchemaDescription: _schema(descriptions.SchemaDescriptionPlan),
    # ddl/roles.py
    ast.CreateRole: _schema(roles.CreateRolePlan),
    ast.CreateUser: _schema(roles.CreateRolePlan),
    ast.AlterRole: _schema(roles.AlterRolePlan),
    ast.AlterUser: _schema(roles.AlterRolePlan),
    ast.DropRole: _schema(roles.DropRolePlan),
    ast.DropUser: _schema(roles.DropRolePlan),
    ast.GrantRole: _schema(roles.RoleGrantPlan),
    ast.RevokeRole: _schema(roles.RoleGrantPlan),
    ast.ListRoles: _schema(roles.ListRolesPlan),
    ast.ListUsers: _schema(roles.ListRolesPlan),
    ast.ListSuperUsers: _schema(roles.ListSuperUsersPlan),
    # ddl/permissions.py
    ast.GrantPermissions: _schema(permissions.PermissionsPlan),
    ast.RevokePermissions: _schema(permissions.PermissionsPlan),
    ast.ListPermissions: _schema(permissions.ListPermissionsPlan),
    # ddl/unsupported.py: UDFs, UDAs, triggers, identities
    **{cls: _schema(unsupported.plan_unsupported) for cls in unsupported.UNSUPPORTED},
}


def plan_statement(db: Database, statement: ast.Statement, keyspace: str | None,
                   markers: Markers) -> Plan:
    planner = PLANNERS.get(type(statement))
    if planner is None:
        raise InvalidRequest(f"{type(statement).__name__} statements are not supported")
    return planner(db, statement, keyspace, markers)
