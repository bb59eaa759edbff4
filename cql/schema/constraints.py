"""CEP-42 column constraints (Cassandra trunk): ``CHECK`` conditions checked on every write.

A column holds a tuple of :class:`Constraint` (empty for almost every column, so a write to a
table without constraints pays nothing: :class:`~cql.schema.metadata.TableMetadata` lists the
constrained columns once). Each constraint is one of trunk's kinds:

- scalar ``c < 4`` (ScalarColumnConstraint): numbers, dates, times, timestamps;
- function ``LENGTH() <= 4`` / ``OCTET_LENGTH() = 4`` / ``REGEXP() = 'a.*'``
  (FunctionColumnConstraint);
- unary ``NOT NULL`` / ``JSON()`` (UnaryFunctionColumnConstraint).

:func:`validate_constraints` is what CREATE/ALTER TABLE check (ColumnConstraints.validate and
the satisfiability checkers); :func:`check_value` is the write-time evaluation, with trunk's
messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cql.errors import InvalidRequest
from cql.types import CQLType
from cql.types.native import (
    ASCII,
    BIGINT,
    BLOB,
    COUNTER,
    DATE,
    DECIMAL,
    DOUBLE,
    FLOAT,
    INT,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    TINYINT,
    VARINT,
)

SCALAR, FUNCTION, UNARY = "scalar", "function", "unary"
NOT_NULL = "NOT_NULL"

_ALL_OPERATORS = ("=", "!=", ">=", ">", "<=", "<")
_SCALAR_TYPES = (TINYINT, COUNTER, DECIMAL, DOUBLE, FLOAT, INT, VARINT, BIGINT, SMALLINT, TIME,
                 DATE, TIMESTAMP)
_STRING_TYPES = (BLOB, TEXT, ASCII)
_TEXT_TYPES = (TEXT, ASCII)

# function name -> (kind, supported types, supported operators)
_FUNCTIONS: dict[str, tuple[str, tuple[CQLType, ...] | None, tuple[str, ...]]] = {
    "LENGTH": (FUNCTION, _STRING_TYPES, _ALL_OPERATORS),
    "OCTET_LENGTH": (FUNCTION, _STRING_TYPES, _ALL_OPERATORS),
    "REGEXP": (FUNCTION, _TEXT_TYPES, ("=", "!=")),
    NOT_NULL: (UNARY, None, ()),
    "JSON": (UNARY, _TEXT_TYPES, ()),
}

_INTEGER = re.compile(r"^-?[0-9]+$")
_FLOAT = re.compile(r"^-?(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)$")


class ConstraintViolation(InvalidRequest):
    """ConstraintViolationException: a written value breaks a column's constraint."""


@dataclass(frozen=True)
class Constraint:
    """One constraint of a column. ``column`` is the constrained column (for a scalar, the
    column the condition names); ``term`` keeps the value's source text, quotes included."""

    kind: str
    column: str
    function: str | None = None
    op: str | None = None
    term: str | None = None

    def cql(self) -> str:
        """How DESCRIBE prints it (appendCqlTo)."""
        if self.kind == SCALAR:
            return f"{self.column} {self.op} {self.term}"
        if self.function == NOT_NULL:
            return "NOT NULL"
        if self.kind == UNARY:
            return f"{self.function}()"
        return f"{self.function}() {self.op} {self.term}"

    @property
    def name(self) -> str:
        """AbstractFunctionConstraint.name(): what type errors call the constraint."""
        if self.kind == SCALAR:
            return f"{self.column} {self.op}"
        return self.function or ""


def constraint_from_ast(node: Any, column: str) -> Constraint:
    """The schema form of an ``ast.ColumnConstraint`` declared on ``column``."""
    if node.kind == SCALAR:
        return Constraint(SCALAR, node.column, None, node.op, node.term)
    return Constraint(node.kind, column, node.function, node.op, node.term)


# ---------------------------------------------------------------------------------------
# definition


def validate_constraints(constraints: tuple[Constraint, ...], column: Any,
                         table: str, keyspace: str) -> None:
    """ColumnConstraints.validate for ``column`` (a ColumnMetadata): every constraint fits
    the column and the set can be satisfied."""
    if not constraints:
        return
    ctype = column.type
    for c in constraints:
        if c.kind == SCALAR and c.column != column.name:
            raise InvalidRequest(
                f"Constraint {c.cql()} was not specified on a column it operates on: "
                f"{column.name} but on: {c.column}")
    if ctype.is_multicell:
        raise InvalidRequest(
            f"Constraint cannot be defined on the column {column.name} of type {ctype.name} "
            f"for the table {keyspace}.{table}")
    for c in constraints:
        _validate_one(c, column)
    _check_duplicates(constraints, column.name)
    _check_satisfiable([c for c in constraints if c.kind == SCALAR], "scalar", column)
    for function in ("LENGTH", "OCTET_LENGTH"):
        _check_satisfiable([c for c in constraints if c.function == function], function, column)


def _validate_one(c: Constraint, column: Any) -> None:
    ctype = column.type
    if c.kind == SCALAR:
        _check_type(c, ctype, _SCALAR_TYPES)
        scalar_value(c, ctype)
        return
    spec = _FUNCTIONS.get(c.function or "")
    if spec is None or spec[0] != c.kind:
        raise InvalidRequest(f"Unrecognized constraint function: {c.function}")
    _, types, operators = spec
    if types is not None:
        _check_type(c, ctype, types)
    if c.kind == FUNCTION and c.op not in operators:
        raise InvalidRequest(
            f"{c.function} constraint of relation '{c.op}' is not supported. Only these are: "
            f"[{', '.join(operators)}]")
    if c.function == NOT_NULL and column.is_primary_key:
        where = "partition" if column.kind == "partition_key" else "clustering"
        raise InvalidRequest(
            f"NOT_NULL constraint can not be specified on a {where} key column '{column.name}'")
    if c.function in ("LENGTH", "OCTET_LENGTH"):
        _length_bound(c)
    elif c.function == "REGEXP":
        _pattern(c)


def _check_type(c: Constraint, ctype: CQLType, supported: tuple[CQLType, ...]) -> None:
    if ctype not in supported:
        names = ", ".join(t.marshal_class for t in supported)
        raise InvalidRequest(
            f"Constraint '{c.name}' can be used only for columns of type [{names}] but it was "
            f"class {ctype.marshal_class or ctype.name}")


def _check_duplicates(constraints: tuple[Constraint, ...], column: str) -> None:
    seen: set[Constraint] = set()
    for c in constraints:
        if c in seen:
            if c.function == NOT_NULL:
                raise InvalidRequest("Duplicate definition of NOT NULL constraint")
            raise InvalidRequest(
                f"There are duplicate constraint definitions on column '{column}': {c.cql()}")
        seen.add(c)


def _check_satisfiable(group: list[Constraint], name: str, column: Any) -> None:
    """AbstractFunctionSatisfiabilityChecker: at most one lower and one upper bound (any
    number of distinct ``!=``), and the two bounds must leave room for a value."""
    if not group:
        return
    bounds = [c for c in group if c.op != "!="]
    if len(bounds) > 2:
        raise InvalidRequest(
            f"There can not be more than 2 constraints (not including non-equal relations) on "
            f"a column '{column.name}' but you have specified {len(group)}")
    terms: set[str] = set()
    for c in group:
        if c.op == "!=":
            if c.term in terms:
                raise InvalidRequest(
                    f"There are duplicate constraint definitions on column '{column.name}': "
                    f"{c.cql()}")
            terms.add(c.term or "")
    if len(group) != 2:
        return
    first, second = group
    ops = (first.op, second.op)
    pair = (f"{column.name} {first.op} {first.term}, {column.name} {second.op} {second.term}")
    if ops in ((">", ">="), (">=", ">"), ("<", "<="), ("<=", "<")) or "=" in ops:
        raise InvalidRequest(f"Constraints combination of {name} is not supported: {pair}")
    if ops == ("!=", "!="):
        return
    if name == "scalar":
        a, b = scalar_value(first, column.type), scalar_value(second, column.type)
        key = column.type.sort_key
        a, b = key(a), key(b)
    else:
        a, b = _length_bound(first), _length_bound(second)
    if not (_compare(first.op, b, a) and _compare(second.op, a, b)):
        raise InvalidRequest(f"Constraints of {name} are not satisfiable: {pair}")


# ---------------------------------------------------------------------------------------
# terms


def _unquote(term: str) -> str:
    if len(term) >= 2 and term[0] == "'" and term[-1] == "'":
        return term[1:-1].replace("''", "'")
    return term


def scalar_value(c: Constraint, ctype: CQLType) -> Any:
    """The scalar's term as a value of the column's type (AbstractType.fromString)."""
    text = _unquote(c.term or "")
    if _INTEGER.match(text):
        kinds = ("integer", "string")
    elif _FLOAT.match(text):
        kinds = ("float", "string")
    else:
        kinds = ("string",)
    for kind in kinds:
        if ctype.accepts_constant(kind):
            try:
                return ctype.from_constant(kind, text)
            except (InvalidRequest, ValueError, ArithmeticError):
                break
    raise InvalidRequest(
        f"Cannot parse constraint value from {c.term} for column '{c.column}'")


def _length_bound(c: Constraint) -> int:
    try:
        return int(c.term or "")
    except ValueError:
        raise InvalidRequest(
            f"{c.function} constraint term {c.term} is not an integer") from None


def _pattern(c: Constraint) -> re.Pattern:
    text = _unquote(c.term or "")
    try:
        return re.compile(text)
    except re.error:
        raise InvalidRequest(f"String '{text}' is not a valid regular expression") from None


def _compare(op: str | None, left: Any, right: Any) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


# ---------------------------------------------------------------------------------------
# evaluation


class CompiledConstraints:
    """A column's constraints ready to evaluate values (terms parsed once)."""

    __slots__ = ("column", "ctype", "checks")

    def __init__(self, column: Any):
        self.column = column.name
        self.ctype = column.type
        self.checks = [self._compile(c) for c in column.constraints]

    def _compile(self, c: Constraint):
        if c.kind == SCALAR:
            bound = self.ctype.sort_key(scalar_value(c, self.ctype))
            return (c, bound)
        if c.function in ("LENGTH", "OCTET_LENGTH"):
            return (c, _length_bound(c))
        if c.function == "REGEXP":
            return (c, _pattern(c))
        return (c, None)

    def check(self, value: Any) -> None:
        """ColumnConstraint.evaluate for each constraint, in declaration order."""
        for c, bound in self.checks:
            if value is None:
                raise ConstraintViolation(
                    "Column value does not satisfy value constraint for column "
                    f"'{c.column}' as it is null.")
            if c.kind == SCALAR:
                if not _compare(c.op, self.ctype.sort_key(value), bound):
                    raise ConstraintViolation(
                        "Column value does not satisfy value constraint for column "
                        f"'{c.column}'. It should be {c.column} {c.op} {c.term}")
            elif c.function == "LENGTH" or c.function == "OCTET_LENGTH":
                length = _octet_length(self.ctype, value) if c.function == "OCTET_LENGTH" \
                    else _length(value)
                if not _compare(c.op, length, bound):
                    should = "should be should be" if c.function == "OCTET_LENGTH" \
                        else "should be"
                    raise ConstraintViolation(
                        "Column value does not satisfy value constraint for column "
                        f"'{c.column}'. It has a length of {length} and it {should} "
                        f"{c.op} {c.term}")
            elif c.function == "REGEXP":
                matches = bound.fullmatch(value) is not None
                if c.op == "=" and not matches:
                    raise ConstraintViolation(f"Value does not match regular expression {c.term}")
                if c.op == "!=" and matches:
                    raise ConstraintViolation(f"Value does match regular expression {c.term}")
            elif c.function == "JSON":
                try:
                    json.loads(value)
                except ValueError:
                    raise ConstraintViolation(
                        f"Value for column '{c.column}' violated JSON constraint as it is not a "
                        "valid JSON.") from None


def _length(value: Any) -> int:
    """LengthConstraint: bytes of a blob, UTF-16 units of a string (Java's String.length)."""
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    return len(value.encode("utf-16-le")) // 2


def _octet_length(ctype: CQLType, value: Any) -> int:
    return len(ctype.serialize(value))
