"""Schema statements: every statement that is not SELECT/INSERT/UPDATE/DELETE/BATCH.

``plan_ddl`` picks the plan for a statement. The plans live in the ``ddl_*`` modules:

* ``ddl_keyspaces`` -- USE, CREATE/ALTER/DROP KEYSPACE
* ``ddl_tables``    -- CREATE/ALTER/DROP TABLE, TRUNCATE
* ``ddl_udts``      -- CREATE/ALTER/DROP TYPE
* ``ddl_indexes``   -- CREATE/DROP INDEX
* ``ddl_views``     -- CREATE/ALTER/DROP MATERIALIZED VIEW
* ``ddl_describe``  -- DESCRIBE (the CQL text itself comes from :mod:`cql.describe`)

Features cassalite does not have (user-defined functions and aggregates, triggers, roles,
users, permissions) fail with the messages in :data:`UNSUPPORTED`, so that the README can
list them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .errors import InvalidRequest
from .executor import ExecutionContext, Plan, Result
from .terms import Markers
from .types import TEXT

if TYPE_CHECKING:
    from .executor import Executor

UDF_MESSAGE = "User-defined functions are not supported by cassalite"
UDA_MESSAGE = "User-defined aggregates are not supported by cassalite"
TRIGGER_MESSAGE = "Triggers are not supported by cassalite"
AUTH_MESSAGE = (
    "{what} are not supported by cassalite: there is no authentication "
    "(Cassandra's AllowAllAuthenticator)"
)

#: Statement class -> the InvalidRequest message it fails with.
UNSUPPORTED: dict[type, str] = {
    ast.CreateFunction: UDF_MESSAGE,
    ast.DropFunction: UDF_MESSAGE,
    ast.CreateAggregate: UDA_MESSAGE,
    ast.DropAggregate: UDA_MESSAGE,
    ast.CreateTrigger: TRIGGER_MESSAGE,
    ast.DropTrigger: TRIGGER_MESSAGE,
    ast.CreateRole: AUTH_MESSAGE.format(what="Roles"),
    ast.AlterRole: AUTH_MESSAGE.format(what="Roles"),
    ast.DropRole: AUTH_MESSAGE.format(what="Roles"),
    ast.GrantRole: AUTH_MESSAGE.format(what="Roles"),
    ast.RevokeRole: AUTH_MESSAGE.format(what="Roles"),
    ast.CreateUser: AUTH_MESSAGE.format(what="Users"),
    ast.AlterUser: AUTH_MESSAGE.format(what="Users"),
    ast.DropUser: AUTH_MESSAGE.format(what="Users"),
    ast.GrantPermissions: AUTH_MESSAGE.format(what="Permissions"),
    ast.RevokePermissions: AUTH_MESSAGE.format(what="Permissions"),
    ast.ListPermissions: AUTH_MESSAGE.format(what="Permissions"),
    ast.AddIdentity: AUTH_MESSAGE.format(what="Identities"),
    ast.DropIdentity: AUTH_MESSAGE.format(what="Identities"),
}

DEFAULT_SUPERUSER = "cassandra"


class UnsupportedPlan(Plan):
    """Fails when executed, so that preparing such a statement still works like Cassandra."""

    def __init__(self, message: str):
        self.message = message

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        raise InvalidRequest(self.message)


class ListRolesPlan(Plan):
    """LIST ROLES / LIST USERS: the only role there is, the default superuser."""

    def __init__(self, users: bool):
        from .types import BOOLEAN, MapType

        if users:
            self.result_names = ["name", "super", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, TEXT]
            self.row = (DEFAULT_SUPERUSER, True, "ALL")
        else:
            self.result_names = ["role", "super", "login", "options", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, BOOLEAN, MapType(TEXT, TEXT, True), TEXT]
            self.row = (DEFAULT_SUPERUSER, True, True, {}, "ALL")

    def execute(self, db: Executor, ctx: ExecutionContext) -> Result:
        return Result("rows", list(self.result_names), list(self.result_types), [self.row])


def plan_ddl(db: Executor, statement: ast.Statement, keyspace: str | None,
             markers: Markers) -> Plan | None:
    """The plan for a schema (or other non-DML) statement; None if it is not one.

    Plans validate against the schema when they execute; here only what Cassandra checks
    while preparing (a keyspace to work in, the shape of the statement) is checked.
    """
    message = UNSUPPORTED.get(type(statement))
    if message is not None:
        return UnsupportedPlan(message)
    if isinstance(statement, ast.ListRoles):
        return ListRolesPlan(users=False)
    if isinstance(statement, ast.ListUsers):
        return ListRolesPlan(users=True)
    for planner in _planners():
        plan = planner(statement, keyspace)
        if plan is not None:
            return plan
    return None


def _planners() -> list:
    """Each ddl_* module's planner, imported late (they import the executor)."""
    from . import ddl_describe, ddl_indexes, ddl_keyspaces, ddl_tables, ddl_udts, ddl_views

    return [
        ddl_keyspaces.plan_keyspace_statement,
        ddl_tables.plan_table_statement,
        ddl_udts.plan,
        ddl_indexes.plan,
        ddl_views.plan,
        ddl_describe.plan,
    ]
