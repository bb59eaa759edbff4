"""Statements cassalite accepts but does not implement.

Features cassalite does not have (user-defined functions and aggregates, triggers, mTLS
identities) fail with the messages in :data:`UNSUPPORTED`, so that the README can list them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.syntax import ast

if TYPE_CHECKING:
    from cql.database import Database

UDF_MESSAGE = "User-defined functions are not supported by cassalite"
UDA_MESSAGE = "User-defined aggregates are not supported by cassalite"
TRIGGER_MESSAGE = "Triggers are not supported by cassalite"
IDENTITY_MESSAGE = (
    "Identities are not supported by cassalite: there is no mutual TLS authenticator "
    "(Cassandra's MutualTlsAuthenticator)"
)

#: Statement class -> the InvalidRequest message it fails with.
UNSUPPORTED: dict[type, str] = {
    ast.CreateFunction: UDF_MESSAGE,
    ast.DropFunction: UDF_MESSAGE,
    ast.CreateAggregate: UDA_MESSAGE,
    ast.DropAggregate: UDA_MESSAGE,
    ast.CreateTrigger: TRIGGER_MESSAGE,
    ast.DropTrigger: TRIGGER_MESSAGE,
    ast.AddIdentity: IDENTITY_MESSAGE,
    ast.DropIdentity: IDENTITY_MESSAGE,
}


class UnsupportedPlan(Plan):
    """Fails when executed, so that preparing such a statement still works like Cassandra."""

    def __init__(self, message: str):
        self.message = message

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        raise InvalidRequest(self.message)


def plan_unsupported(statement: ast.Statement, keyspace: str | None) -> UnsupportedPlan:
    return UnsupportedPlan(UNSUPPORTED[type(statement)])
