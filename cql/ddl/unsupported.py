"""Statements cassalite accepts but does not implement.

Features cassalite does not have (user-defined functions and aggregates, triggers, mTLS
identities) fail with the messages in :data:`UNSUPPORTED`, so that the README can list them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import InvalidRequest
from cql.plan.base import ExecutionContext, Plan, Result
from cql.syntax import ast, unparse

from .common import keyspace_of, void_result

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


class DropAbsentAggregatePlan(Plan):
    """DROP AGGREGATE: no user-defined aggregate can exist, so the statement is a no-op with
    IF EXISTS and otherwise fails with DropAggregateStatement's "doesn't exist"."""

    def __init__(self, statement: ast.DropAggregate, keyspace: str | None):
        self.statement = statement
        self.current_keyspace = keyspace

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        st = self.statement
        name = f"{keyspace_of(st.name, self.current_keyspace)}.{st.name.name}"
        if st.if_exists:
            return void_result()
        if st.arg_types is not None:
            name += "(" + ", ".join(unparse.raw_type(t) for t in st.arg_types) + ")"
        raise InvalidRequest(f"Aggregate '{name}' doesn't exist")


def plan_unsupported(statement: ast.Statement, keyspace: str | None) -> Plan:
    if isinstance(statement, ast.DropAggregate):
        return DropAbsentAggregatePlan(statement, keyspace)
    return UnsupportedPlan(UNSUPPORTED[type(statement)])
