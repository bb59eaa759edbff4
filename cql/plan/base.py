"""The plan contract every statement planner builds on: a leaf under the database.

A statement compiles into a :class:`Plan` (with the result metadata known before it runs);
:class:`Prepared` pairs it with its bind markers; :meth:`Plan.execute` gets an
:class:`ExecutionContext` and returns a :class:`Result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import time as _time
from typing import TYPE_CHECKING, Any, Callable, Sequence

from cql.errors import InvalidRequest
from cql.syntax import ast
from cql.types import ASCII, BIGINT, INT, SMALLINT, TEXT, TINYINT, CQLType
from cql.types.values import MarshalError

from .terms import UNSET, MarkerSpec

if TYPE_CHECKING:
    from cql.database import Database


NO_KEYSPACE = (
    "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename"
)


class ExecutionContext:
    """Per-execution settings: bound values, paging, client timestamp, tracing.

    ``now`` (seconds, what TTLs and expiry are judged against) defaults to the current
    time; ``user`` is the logged-in role running the statement, None for a trusted
    (embedded) session; ``row_type``: the tuple subclass (the session's named tuple) a plan
    may make its result rows of, so they need no second conversion (None: plain tuples).
    A plain slotted class: one is made per statement."""

    __slots__ = ("values", "fetch_size", "paging_state", "timestamp", "trace", "keyspace",
                 "now", "user", "row_type")

    def __init__(self, values: list, fetch_size: int | None = None,
                 paging_state: bytes | None = None, timestamp: int | None = None,
                 trace: bool = False, keyspace: str | None = None, now: int | None = None,
                 user: str | None = None, row_type: type | None = None):
        self.values = values
        self.fetch_size = fetch_size
        self.paging_state = paging_state
        self.timestamp = timestamp
        self.trace = trace
        self.keyspace = keyspace
        self.now = int(_time()) if now is None else now
        self.user = user
        self.row_type = row_type


@dataclass
class SchemaChange:
    change_type: str  # CREATED / UPDATED / DROPPED
    target: str  # KEYSPACE / TABLE / TYPE / FUNCTION / AGGREGATE
    keyspace: str
    name: str = ""
    arg_types: tuple = ()


class Result:
    """What a statement returns: ``kind`` (void, rows, set_keyspace, schema_change), the
    rows with their column names and types, the paging state after them, warnings, the
    table read or written, a new keyspace (USE), a schema change. A plain slotted class:
    one is made per statement."""

    __slots__ = ("kind", "column_names", "column_types", "rows", "paging_state", "warnings",
                 "keyspace", "table", "new_keyspace", "schema_change", "trace")

    def __init__(self, kind: str = "void", column_names: list[str] | None = None,
                 column_types: list[CQLType] | None = None, rows: list[tuple] | None = None,
                 paging_state: bytes | None = None, warnings: list[str] | None = None,
                 keyspace: str | None = None, table: str | None = None,
                 new_keyspace: str | None = None, schema_change: SchemaChange | None = None,
                 trace: Any = None):
        self.kind = kind
        self.column_names = [] if column_names is None else column_names
        self.column_types = [] if column_types is None else column_types
        self.rows = [] if rows is None else rows
        self.paging_state = paging_state
        self.warnings = [] if warnings is None else warnings
        self.keyspace = keyspace
        self.table = table
        self.new_keyspace = new_keyspace
        self.schema_change = schema_change
        self.trace = trace

    def __repr__(self) -> str:
        return (f"Result({self.kind!r}, {self.column_names!r}, rows={len(self.rows)}, "
                f"paging_state={self.paging_state!r}, warnings={self.warnings!r})")


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
    """A plan plus its bind markers: turns driver-style parameters into bound values.

    ``bind(parameters)`` is compiled per statement (:func:`compile_binder`): a tuple or
    list of plain values takes one call; everything else ``bind_general``."""

    def __init__(self, plan: Plan, markers: list[MarkerSpec], statement: ast.Statement,
                 text: str = ""):
        self.plan = plan
        self.text = text
        self.markers = markers
        self.statement = statement
        self.result_names = plan.result_names
        self.pk_indexes = plan.pk_indexes
        self.bind = compile_binder(markers, self.bind_general)

    def bind_general(self, parameters: Sequence | dict | None) -> list:
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


def compile_binder(markers: list[MarkerSpec], general: Callable[[Any], list]
                   ) -> Callable[[Any], list]:
    """``general`` (Prepared.bind_general) compiled for these markers: a tuple or list of
    the right length is validated in one call, a value the usual way for its type (an
    in-range int for an integer marker, an ASCII str for a text one is already its own
    canonical value) and any other through the type's ``validate``. Anything else
    (a dict, a wrong count, a value validation refuses) goes to ``general``, which gives
    the same values and its errors."""
    if not markers:
        return general
    env: dict = {"_general": general, "_UNSET": UNSET}
    items = []
    for i, spec in enumerate(markers):
        a = f"a{i}"
        env[f"_v{i}"] = spec.type.validate
        slow = f"({a} if {a} is None or {a} is _UNSET else _v{i}({a}))"
        ctype = spec.type
        if any(ctype is t for t in _INTEGERS):
            items.append(f"({a} if type({a}) is int and {ctype.lo} <= {a} <= {ctype.hi}"
                         f" else {slow})")
        elif ctype is TEXT or ctype is ASCII:
            items.append(f"({a} if type({a}) is str and {a}.isascii() else {slow})")
        else:
            items.append(slow)
    targets = "".join(f"a{i}, " for i in range(len(markers)))
    src = ("def bind(parameters):\n"
           "    if (type(parameters) is tuple or type(parameters) is list)"
           f" and len(parameters) == {len(markers)}:\n"
           "        try:\n"
           f"            {targets}= parameters\n"
           f"            return [{', '.join(items)}]\n"
           "        except Exception:  # noqa: BLE001 - general gives the error\n"
           "            pass\n"
           "    return _general(parameters)\n")
    exec(src, env)  # noqa: S102 - the source names positions and type bounds only
    return env["bind"]


_INTEGERS = (BIGINT, INT, SMALLINT, TINYINT)
