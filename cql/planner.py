"""Statement -> plan dispatch. Each statement family compiles in its own module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .errors import InvalidRequest
from .terms import Markers

if TYPE_CHECKING:
    from .executor import Executor, Plan


def plan_statement(db: Executor, statement: ast.Statement, keyspace: str | None,
                   markers: Markers) -> Plan:
    from . import ddl, modify, select

    if isinstance(statement, ast.Select):
        return select.plan_select(db, statement, keyspace, markers)
    if isinstance(statement, (ast.Insert, ast.Update, ast.Delete)):
        return modify.plan_modification(db, statement, keyspace, markers)
    if isinstance(statement, ast.Batch):
        return modify.plan_batch(db, statement, keyspace, markers)
    plan = ddl.plan_ddl(db, statement, keyspace, markers)
    if plan is None:
        raise InvalidRequest(f"{type(statement).__name__} statements are not supported")
    return plan
