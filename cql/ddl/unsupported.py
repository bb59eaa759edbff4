"""Statements cassalite accepts but does not implement, and LIST ROLES / LIST USERS.

Features cassalite does not have (user-defined functions and aggregates, triggers, roles,
users, permissions) fail with the messages in :data:`UNSUPPORTED`, so that the README can
list them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.syntax import ast
from cql.types import BOOLEAN, TEXT, MapType

if TYPE_CHECKING:
    from cql.database import Database

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

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        raise InvalidRequest(self.message)


class ListRolesPlan(Plan):
    """LIST ROLES / LIST USERS: the only role there is, the default superuser."""

    def __init__(self, users: bool):
        if users:
            self.result_names = ["name", "super", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, TEXT]
            self.row = (DEFAULT_SUPERUSER, True, "ALL")
        else:
            self.result_names = ["role", "super", "login", "options", "datacenters"]
            self.result_types = [TEXT, BOOLEAN, BOOLEAN, MapType(TEXT, TEXT, True), TEXT]
            self.row = (DEFAULT_SUPERUSER, True, True, {}, "ALL")

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        return Result("rows", list(self.result_names), list(self.result_types), [self.row])


def plan_list_roles(statement: ast.ListRoles | ast.ListUsers, keyspace: str | None,
                    ) -> ListRolesPlan:
    return ListRolesPlan(users=isinstance(statement, ast.ListUsers))


def plan_unsupported(statement: ast.Statement, keyspace: str | None) -> UnsupportedPlan:
    return UnsupportedPlan(UNSUPPORTED[type(statement)])
