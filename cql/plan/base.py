"""The plan contract every statement planner builds on: a leaf under the database.

A statement compiles into a :class:`Plan` (with the result metadata known before it runs);
:class:`Prepared` pairs it with its bind markers; :meth:`Plan.execute` gets an
:class:`ExecutionContext` and returns a :class:`Result`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from cql.errors import InvalidRequest
from cql.syntax import ast
from cql.types import CQLType
from cql.types.values import MarshalError

from .terms import UNSET, MarkerSpec

if TYPE_CHECKING:
    from cql.database import Database


NO_KEYSPACE = (
    "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename"
)


@dataclass
class ExecutionContext:
    """Per-execution settings: bound values, paging, client timestamp, tracing."""

    values: list
    fetch_size: int | None = None
    paging_state: bytes | None = None
    timestamp: int | None = None
    trace: bool = False
    keyspace: str | None = None
    now: int = field(default_factory=lambda: int(time.time()))
    #: the logged-in role running the statement; None for a trusted (embedded) session
    user: str | None = None


@dataclass
class SchemaChange:
    change_type: str  # CREATED / UPDATED / DROPPED
    target: str  # KEYSPACE / TABLE / TYPE / FUNCTION / AGGREGATE
    keyspace: str
    name: str = ""
    arg_types: tuple = ()


@dataclass
class Result:
    kind: str = "void"  # void, rows, set_keyspace, schema_change
    column_names: list[str] = field(default_factory=list)
    column_types: list[CQLType] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    paging_state: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    keyspace: str | None = None
    table: str | None = None
    new_keyspace: str | None = None
    schema_change: SchemaChange | None = None
    trace: Any = None


class Plan:
    """A compiled statement. Subclasses fill the metadata and implement ``execute``."""

    #: result column names/types known before execution (for prepared metadata)
    result_names: list[str] = []
    result_types: list[CQLType] = []
    pk_indexes: list[int] = []
    keyspace: str | None = None
    table: str | None = None
    is_schema_change = False

    def execute(self, db: Database, ctx: ExecutionContext) -> Result:
        raise NotImplementedError


class Prepared:
    """A plan plus its bind markers: turns driver-style parameters into bound values."""

    def __init__(self, plan: Plan, markers: list[MarkerSpec], statement: ast.Statement,
                 text: str = ""):
        self.plan = plan
        self.text = text
        self.markers = markers
        self.statement = statement
        self.result_names = plan.result_names
        self.pk_indexes = plan.pk_indexes

    def bind(self, parameters: Sequence | dict | None) -> list:
        markers = self.markers
        if parameters is None:
            parameters = ()
        if isinstance(parameters, dict):
            values = []
            for spec in markers:
                name = spec.name if spec.name is not None else spec.receiver
                if name in parameters:
                    values.append(parameters[name])
                elif name.lower() in parameters:
                    values.append(parameters[name.lower()])
                else:
                    raise InvalidRequest(f"Missing value for bind marker {name}")
        else:
            values = list(parameters)
            if len(values) != len(markers):
                raise InvalidRequest(
                    f"Invalid amount of bind variables: expected {len(markers)}, got {len(values)}"
                )
        out = []
        for spec, value in zip(markers, values):
            if value is None or value is UNSET:
                out.append(value)
                continue
            try:
                out.append(spec.type.validate(value))
            except (MarshalError, TypeError, ValueError, OverflowError) as e:
                raise InvalidRequest(
                    f"Invalid value for {spec.receiver} of type {spec.type.name}: {e}"
                ) from None
        return out
