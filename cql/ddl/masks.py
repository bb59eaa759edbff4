"""``MASKED WITH f(args)`` in CREATE TABLE / ALTER TABLE: the switch, and the mask a column
definition asks for (Cassandra's ``ColumnMask.Raw.prepare``), with Cassandra's messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cql.errors import InvalidRequest
from cql.plan.terms import Markers, TermContext, compile_term
from cql.schema.masks import ColumnMask
from cql.syntax import ast, unparse
from cql.types import CQLType

if TYPE_CHECKING:
    from cql.database import Database

MASKING_DISABLED = (
    "Cannot mask columns because dynamic data masking is not enabled. You can enable it with "
    "the dynamic_data_masking_enabled property on cassandra.yaml"
)


def ensure_enabled(db: Database) -> None:
    """ColumnMask.ensureEnabled."""
    if not db.settings.dynamic_data_masking_enabled:
        raise InvalidRequest(MASKING_DISABLED)


def _raw_text(mask: ast.ColumnMask) -> str:
    """ColumnMask.Raw.toString: the name and arguments as written."""
    name = mask.function.name
    if mask.function.keyspace:
        name = f"{mask.function.keyspace}.{name}"
    return f"{name}({', '.join(unparse.term(a) for a in mask.args)})"


def prepare_mask(db: Database, keyspace: str, column: str, ctype: CQLType,
                 mask: ast.ColumnMask) -> ColumnMask:
    """The mask of ``column`` (of type ``ctype``): the masking function resolved with the
    column's type as first argument, the other arguments as constant values."""
    from cql import functions
    from cql.functions.masking import MASKING_FUNCTIONS
    from cql.plan.terms import _static_type

    ctx = TermContext(Markers(), keyspace)
    name = mask.function.name
    if mask.function.keyspace:
        name = f"{mask.function.keyspace}.{name}"
    raw = _raw_text(mask)
    if not functions.function_exists(name) or mask.function.keyspace not in (None, "system"):
        raise InvalidRequest(f"Unable to find masking function for {column}, no declared "
                             f"function matches the signature {raw}")
    arg_types = [ctype, *(_static_type(a, ctx) for a in mask.args)]
    fn = functions.resolve(name, arg_types, receiver=ctype, keyspace=keyspace)
    if fn.is_aggregate:
        raise InvalidRequest(f"Aggregate function {raw} cannot be used for masking table columns")
    if fn.name not in MASKING_FUNCTIONS:
        raise InvalidRequest(f"Not-masking function {raw} cannot be used for masking table "
                             "columns")
    if fn.return_type != ctype:
        raise InvalidRequest(
            f"Masking function {raw} return type is {fn.return_type.name}. This is different to "
            f"the type of the masked column {column} of type {ctype.name}. Masking functions can "
            "only be attached to table columns if they return the same data type as the masked "
            "column.")
    partial_types = tuple(fn.arg_types[1:len(mask.args) + 1])
    values = []
    for i, (arg, atype) in enumerate(zip(mask.args, partial_types), 1):
        term = compile_term(arg, atype, f"{fn.name}.arg{i}", ctx)
        if ctx.markers.specs:
            raise InvalidRequest(f"Bind variables cannot be used in masking function {raw}")
        values.append(term.bind([]))
    return ColumnMask(fn.keyspace, fn.name, partial_types, tuple(values))

