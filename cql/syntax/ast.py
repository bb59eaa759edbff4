"""The CQL abstract syntax tree: what `cql.syntax` produces and the planner consumes.

Every node is a frozen, slotted value class (:func:`cql.syntax.node.node`), so parsed
statements can be cached and shared between sessions and threads. Conventions:

* Identifiers are plain ``str``, already normalised: unquoted names lower-cased, quoted
  names (``"Foo"``) kept exactly, with ``""`` unescaped.
* Sequences are tuples. Optional parts are ``None``.
* Terms (values in WHERE, VALUES, SET, IF, USING...) never reference columns. Selector
  expressions (SELECT list, GROUP BY) may, through :class:`ColumnRef`.
* Literals keep their source text (:class:`Constant`); turning text into a typed value
  needs the receiver's type and is the planner's job. A leading minus sign on a numeric or
  duration literal is folded into the constant (``-1`` is ``Constant('integer', '-1')``).
* ``{}`` is an empty :class:`MapLiteral`; the planner accepts it for set receivers too.
* In terms, ``{name: value, ...}`` with identifier keys is a :class:`UDTLiteral` and
  ``{'k': v}`` (term keys) is a :class:`MapLiteral`. In selectors, ``{a: 1}`` is always a
  :class:`MapLiteral` whose keys are selector expressions (``ColumnRef('a')``); the planner
  turns it into a UDT value when the receiver is a UDT.
* Bind markers are numbered 0, 1, 2... in source order across the whole top-level statement
  (a BATCH numbers its inner statements' markers globally). Top-level statements carry
  ``bind_names`` (one entry per marker: its name, or None for ``?``) and ``bind_count``.
"""

from __future__ import annotations

from dataclasses import field

from cql.syntax.node import node
from cql.vocabulary import NATIVE_TYPE_NAMES

# ---------------------------------------------------------------------------------------
# Names and types


@node
class QualifiedName:
    """``[keyspace.]name`` for tables, views, types, functions, indexes."""

    keyspace: str | None
    name: str

    def __str__(self) -> str:
        return self.name if self.keyspace is None else f"{self.keyspace}.{self.name}"


@node
class TypeExpr:
    """A CQL type as written.

    ``name`` is a native type name as written (lower-cased; ``varchar`` is not folded into
    ``text``), one of ``list set map tuple vector``, a user type name, or, when ``custom``
    is true, the class name of a quoted custom type (``'org.apache...BytesType'``).
    ``params`` holds the element types; for ``vector`` it is ``(element_type, dimension)``
    with the dimension an ``int``. ``frozen`` is true for ``frozen<...>``.
    """

    name: str
    params: tuple = ()
    frozen: bool = False
    keyspace: str | None = None
    custom: bool = False

    @property
    def is_native(self) -> bool:
        return not self.custom and self.keyspace is None and not self.params and (
            self.name in NATIVE_TYPE_NAMES
        )

    @property
    def is_collection(self) -> bool:
        return not self.custom and self.name in ("list", "set", "map") and bool(self.params)

    @property
    def is_udt(self) -> bool:
        return not self.custom and not self.params and (
            self.keyspace is not None or self.name not in NATIVE_TYPE_NAMES
        )


# ---------------------------------------------------------------------------------------
# Terms


@node
class Constant:
    """A literal. ``kind`` is one of string, integer, float, boolean, uuid, hex, duration.

    ``text`` is the source text: strings unescaped (no quotes), booleans lower-cased,
    ``NaN`` / ``Infinity`` / ``-Infinity`` as kind float (``-NaN`` is ``NaN``).
    """

    kind: str
    text: str


@node
class Null:
    """The ``null`` literal."""


@node
class BindMarker:
    """``?`` (name None) or ``:name``; ``index`` is its 0-based position in the statement."""

    index: int
    name: str | None = None


@node
class ListLiteral:
    items: tuple


@node
class SetLiteral:
    items: tuple


@node
class MapLiteral:
    """``{k: v, ...}``; ``pairs`` is a tuple of (key, value). ``{}`` is ``MapLiteral(())``."""

    pairs: tuple


@node
class TupleLiteral:
    items: tuple


@node
class UDTLiteral:
    """``{field: value, ...}``; ``fields`` is a tuple of (field name, term)."""

    fields: tuple


@node
class FunctionCall:
    """``[ks.]f(args)``; unquoted function names are lower-cased. In selectors, args are
    selector expressions; in terms, terms."""

    name: QualifiedName
    args: tuple


@node
class Cast:
    """``CAST(expr AS type)``; the grammar only allows native types here."""

    expr: object
    type: TypeExpr


@node
class TypeHint:
    """``(type) expr``."""

    type: TypeExpr
    expr: object


@node
class BinaryOp:
    """Arithmetic: ``op`` is one of ``+ - * / %``."""

    op: str
    left: object
    right: object


@node
class Negate:
    """Unary minus on something that is not a numeric literal (those are folded)."""

    expr: object


Term = (Constant | Null | BindMarker | ListLiteral | SetLiteral | MapLiteral | TupleLiteral
        | UDTLiteral | FunctionCall | Cast | TypeHint | BinaryOp | Negate)

# ---------------------------------------------------------------------------------------
# Selector expressions (also used for relation / condition / deletion left-hand sides)


@node
class ColumnRef:
    name: str


@node
class FieldAccess:
    """``expr.field`` (UDT field)."""

    expr: object
    field: str


@node
class ElementAccess:
    """``expr[key]``; ``key`` is a term."""

    expr: object
    key: object


@node
class SliceAccess:
    """``expr[start..end]``; either bound may be None (``m[..'c']``)."""

    expr: object
    start: object | None
    end: object | None


@node
class WritetimeOf:
    """``writetime(c)`` / ``maxwritetime(c)`` / ``ttl(c)``; ``kind`` is that word.

    ``expr`` is a ColumnRef, possibly wrapped in FieldAccess / ElementAccess / SliceAccess.
    """

    kind: str
    expr: object


@node
class CountAll:
    """``count(*)`` or ``count(1)``."""


@node
class Selector:
    """One item of a SELECT list (or of a view's SELECT)."""

    expr: object
    alias: str | None = None


# ---------------------------------------------------------------------------------------
# WHERE clause


@node
class TokenOf:
    """``token(a, b)`` on the left of a relation."""

    columns: tuple[str, ...]


@node
class ColumnTuple:
    """``(a, b)`` on the left of a multi-column relation."""

    names: tuple[str, ...]


RELATION_OPS = frozenset(
    ["=", "<", "<=", ">", ">=", "!=", "IN", "NOT IN", "BETWEEN", "CONTAINS", "CONTAINS KEY",
     "NOT CONTAINS", "NOT CONTAINS KEY", "LIKE", "IS NOT"]
)


@node
class Relation:
    """``lhs op rhs``.

    lhs: ColumnRef, ElementAccess(ColumnRef, key) for ``m[k] op t``, TokenOf, ColumnTuple.
    rhs: a term; for IN with a list, a tuple of terms (``IN ()`` is the empty tuple; for
    a ColumnTuple lhs the items are TupleLiterals or BindMarkers); for ``IN ?`` a
    BindMarker (``NOT IN`` likewise); for ``BETWEEN`` the pair (lower, upper); for
    ``IS NOT NULL`` Null().
    """

    lhs: object
    op: str
    rhs: object


@node
class CustomIndexExpression:
    """``expr(index_name, term)`` in a WHERE clause."""

    index: QualifiedName
    value: object


# ---------------------------------------------------------------------------------------
# Modification statements' parts


@node
class SetValue:
    """``c = t``."""

    column: str
    value: object


@node
class SetElement:
    """``c[k] = t``."""

    column: str
    key: object
    value: object


@node
class SetField:
    """``c.f = t``."""

    column: str
    field: str
    value: object


@node
class AddTo:
    """``c = c + t`` or ``c += t`` (counter increment, append, set/map add)."""

    column: str
    value: object


@node
class Prepend:
    """``c = t + c`` (list prepend)."""

    column: str
    value: object


@node
class SubtractFrom:
    """``c = c - t`` or ``c -= t``."""

    column: str
    value: object


Assignment = SetValue | SetElement | SetField | AddTo | Prepend | SubtractFrom


@node
class Condition:
    """An IF condition: lhs is ColumnRef, ElementAccess(ColumnRef, key) or
    FieldAccess(ColumnRef, field); op is one of = < <= > >= != IN CONTAINS 'CONTAINS KEY';
    rhs as in :class:`Relation`."""

    lhs: object
    op: str
    rhs: object


# ---------------------------------------------------------------------------------------
# Statements


@node
class Statement:
    """Base of all statements. ``bind_names`` is only filled on the top-level statement."""

    bind_names: tuple = field(default=(), kw_only=True, compare=False, repr=False)

    @property
    def bind_count(self) -> int:
        return len(self.bind_names)


@node
class AnnOrdering:
    """``ORDER BY column ANN OF vector``."""

    column: str
    vector: object
    direction: str = "ASC"


@node
class Select(Statement):
    """``selectors`` is None for ``*``. ``where`` holds Relations and
    CustomIndexExpressions in source order. ``group_by`` holds selector expressions.
    ``order_by`` holds (column, 'ASC'|'DESC') pairs for plain orderings; an ``ANN OF``
    ordering goes to ``ann`` instead. ``limit`` and ``per_partition_limit`` are integer
    Constants (possibly negative, for the planner to reject) or BindMarkers."""

    table: QualifiedName
    selectors: tuple[Selector, ...] | None
    where: tuple = ()
    distinct: bool = False
    json: bool = False
    group_by: tuple = ()
    order_by: tuple[tuple[str, str], ...] = ()
    ann: AnnOrdering | None = None
    per_partition_limit: object | None = None
    limit: object | None = None
    allow_filtering: bool = False


@node
class Insert(Statement):
    """Either ``columns`` + ``values`` or ``json`` (a string Constant or BindMarker).
    ``json_default`` is 'NULL' or 'UNSET'. ttl / timestamp are terms or None."""

    table: QualifiedName
    columns: tuple[str, ...] = ()
    values: tuple = ()
    json: object | None = None
    json_default: str = "NULL"
    if_not_exists: bool = False
    ttl: object | None = None
    timestamp: object | None = None


@node
class Update(Statement):
    table: QualifiedName
    assignments: tuple
    where: tuple
    conditions: tuple[Condition, ...] = ()
    if_exists: bool = False
    ttl: object | None = None
    timestamp: object | None = None


@node
class Delete(Statement):
    """``targets``: ColumnRef, ElementAccess(ColumnRef, key), FieldAccess(ColumnRef, f);
    empty for a whole-row/partition/range delete."""

    table: QualifiedName
    targets: tuple
    where: tuple
    conditions: tuple[Condition, ...] = ()
    if_exists: bool = False
    timestamp: object | None = None


@node
class Batch(Statement):
    """``kind`` is LOGGED, UNLOGGED or COUNTER. ``ttl`` is only kept so the planner can
    reject it ("Global TTL on the BATCH statement is not supported.")."""

    kind: str
    statements: tuple
    timestamp: object | None = None
    ttl: object | None = None


@node
class Use(Statement):
    keyspace: str


@node
class Truncate(Statement):
    table: QualifiedName


# Options of CREATE/ALTER KEYSPACE / TABLE / VIEW and index OPTIONS are a tuple of
# (name, value) pairs in source order, names normalised like identifiers. A value is the raw
# text of a constant (Cassandra's getRawText: strings unescaped, numbers and booleans as
# written) or of an unreserved keyword, or, for map-valued options, a tuple of
# (key, value) raw-text pairs. Unknown and repeated names are rejected by the parser.
Options = tuple


def options_dict(options: Options) -> dict:
    """Options as a dict; map-valued options become dicts too."""
    return {k: (dict(v) if isinstance(v, tuple) else v) for k, v in options}


@node
class CreateKeyspace(Statement):
    name: str
    options: Options = ()
    if_not_exists: bool = False


@node
class AlterKeyspace(Statement):
    name: str
    options: Options = ()
    if_exists: bool = False


@node
class DropKeyspace(Statement):
    name: str
    if_exists: bool = False


@node
class ColumnMask:
    """``MASKED WITH f(args)``; ``MASKED WITH DEFAULT`` is ``mask_default()``."""

    function: QualifiedName
    args: tuple = ()


@node
class ColumnConstraint:
    """One CEP-42 constraint of a column, as written after CHECK (or ``NOT NULL``).

    ``kind`` is ``scalar`` (``c < 4``: ``column`` names c), ``function`` (``LENGTH() < 4``)
    or ``unary`` (``NOT NULL``, ``JSON()``); ``function`` is the upper-cased function name
    (``NOT_NULL`` for NOT NULL); ``term`` is the value's source text (quotes included)."""

    kind: str
    function: str | None = None
    column: str | None = None
    op: str | None = None
    term: str | None = None


@node
class ColumnDef:
    name: str
    type: TypeExpr
    static: bool = False
    mask: ColumnMask | None = None
    constraints: tuple[ColumnConstraint, ...] = ()


@node
class CreateTable(Statement):
    """``partition_key`` is empty when no PRIMARY KEY was declared (the planner reports
    it); duplicate columns and several PRIMARY KEY declarations are rejected by the parser
    (InvalidRequest, as Cassandra's parser does). ``clustering_order`` lists
    (column, 'ASC'|'DESC') as written."""

    name: QualifiedName
    columns: tuple[ColumnDef, ...]
    partition_key: tuple[str, ...] = ()
    clustering: tuple[str, ...] = ()
    options: Options = ()
    clustering_order: tuple[tuple[str, str], ...] = ()
    compact_storage: bool = False
    if_not_exists: bool = False


@node
class CreateTableLike(Statement):
    """``CREATE TABLE [IF NOT EXISTS] name LIKE source [WITH INDEXES AND COMMENTS AND SECURITY
    LABELS AND options]`` (trunk)."""

    name: QualifiedName
    source: QualifiedName
    options: Options = ()
    with_indexes: bool = False
    if_not_exists: bool = False
    with_comments: bool = False
    with_security_labels: bool = False


# ALTER TABLE actions


@node
class AlterColumnType:
    """``ALTER c TYPE t`` (no longer supported; the planner rejects it)."""

    column: str
    type: TypeExpr


@node
class AlterColumnMask:
    """``ALTER [IF EXISTS] c MASKED WITH ...`` or, with mask None, ``ALTER c DROP MASKED``."""

    column: str
    mask: ColumnMask | None
    if_exists: bool = False


@node
class AlterColumnConstraints:
    """``ALTER [IF EXISTS] c CHECK ...`` or, with constraints None, ``ALTER c DROP CHECK``."""

    column: str
    constraints: tuple[ColumnConstraint, ...] | None
    if_exists: bool = False


@node
class AddColumns:
    columns: tuple[ColumnDef, ...]
    if_not_exists: bool = False


@node
class DropColumns:
    columns: tuple[str, ...]
    if_exists: bool = False
    timestamp: int | None = None


@node
class RenameColumns:
    renames: tuple[tuple[str, str], ...]
    if_exists: bool = False


@node
class DropCompactStorage:
    pass


@node
class AlterOptions:
    options: Options


@node
class AlterTable(Statement):
    name: QualifiedName
    action: object
    if_exists: bool = False


@node
class DropTable(Statement):
    name: QualifiedName
    if_exists: bool = False


@node
class CreateType(Statement):
    name: QualifiedName
    fields: tuple[tuple[str, TypeExpr], ...]
    if_not_exists: bool = False


@node
class AddField:
    field: str
    type: TypeExpr
    if_not_exists: bool = False


@node
class RenameFields:
    renames: tuple[tuple[str, str], ...]
    if_exists: bool = False


@node
class AlterFieldType:
    """``ALTER f TYPE t`` (no longer supported)."""

    field: str
    type: TypeExpr


@node
class AlterType(Statement):
    name: QualifiedName
    action: object
    if_exists: bool = False


@node
class DropType(Statement):
    name: QualifiedName
    if_exists: bool = False


@node
class IndexTarget:
    """``kind`` is SIMPLE (plain column), KEYS, VALUES, ENTRIES or FULL."""

    column: str
    kind: str = "SIMPLE"


@node
class CreateIndex(Statement):
    """``options`` is the map given by ``WITH OPTIONS = {...}`` as (key, value) pairs."""

    name: str | None
    table: QualifiedName
    targets: tuple[IndexTarget, ...]
    custom: bool = False
    using: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    if_not_exists: bool = False


@node
class DropIndex(Statement):
    name: QualifiedName
    if_exists: bool = False


@node
class CreateView(Statement):
    """``selectors`` is None for ``*``."""

    name: QualifiedName
    base: QualifiedName
    selectors: tuple[Selector, ...] | None
    where: tuple
    partition_key: tuple[str, ...]
    clustering: tuple[str, ...] = ()
    options: Options = ()
    clustering_order: tuple[tuple[str, str], ...] = ()
    if_not_exists: bool = False


@node
class AlterView(Statement):
    name: QualifiedName
    options: Options
    if_exists: bool = False


@node
class DropView(Statement):
    name: QualifiedName
    if_exists: bool = False


@node
class CreateFunction(Statement):
    """``args`` holds (name, type) pairs; ``language`` is lower-cased; ``body`` unescaped."""

    name: QualifiedName
    args: tuple[tuple[str, TypeExpr], ...]
    return_type: TypeExpr
    called_on_null_input: bool
    language: str
    body: str
    or_replace: bool = False
    if_not_exists: bool = False


@node
class DropFunction(Statement):
    """``arg_types`` is None when no argument list was given."""

    name: QualifiedName
    arg_types: tuple[TypeExpr, ...] | None = None
    if_exists: bool = False


@node
class CreateAggregate(Statement):
    name: QualifiedName
    arg_types: tuple[TypeExpr, ...]
    sfunc: str
    stype: TypeExpr
    finalfunc: str | None = None
    initcond: object | None = None
    or_replace: bool = False
    if_not_exists: bool = False


@node
class DropAggregate(Statement):
    name: QualifiedName
    arg_types: tuple[TypeExpr, ...] | None = None
    if_exists: bool = False


@node
class CreateTrigger(Statement):
    name: str
    table: QualifiedName
    using: str
    if_not_exists: bool = False


@node
class DropTrigger(Statement):
    name: str
    table: QualifiedName
    if_exists: bool = False


# Security


@node
class RoleOptions:
    """Options of CREATE/ALTER ROLE (and of CREATE/ALTER USER). Unset options are None.

    ``datacenters`` / ``cidrs``: None when not given, ``'ALL'`` for ``ACCESS TO ALL
    DATACENTERS`` / ``ACCESS FROM ALL CIDRS``, otherwise a tuple of names.
    """

    password: str | None = None
    hashed_password: str | None = None
    login: bool | None = None
    superuser: bool | None = None
    options: tuple[tuple[str, str], ...] | None = None
    datacenters: object | None = None
    cidrs: object | None = None


@node
class CreateRole(Statement):
    name: str
    options: RoleOptions = RoleOptions()
    if_not_exists: bool = False


@node
class AlterRole(Statement):
    name: str
    options: RoleOptions = RoleOptions()
    if_exists: bool = False


@node
class DropRole(Statement):
    name: str
    if_exists: bool = False


@node
class ListRoles(Statement):
    of: str | None = None
    recursive: bool = True


@node
class GrantRole(Statement):
    role: str
    grantee: str


@node
class RevokeRole(Statement):
    role: str
    revokee: str


@node
class CreateUser(Statement):
    """``superuser`` is False unless SUPERUSER was given (Cassandra's default)."""

    name: str
    password: str | None = None
    hashed_password: str | None = None
    superuser: bool = False
    if_not_exists: bool = False


@node
class AlterUser(Statement):
    """``superuser`` is None when neither SUPERUSER nor NOSUPERUSER was given."""

    name: str
    password: str | None = None
    hashed_password: str | None = None
    superuser: bool | None = None
    if_exists: bool = False


@node
class DropUser(Statement):
    name: str
    if_exists: bool = False


@node
class ListUsers(Statement):
    pass


@node
class ListSuperUsers(Statement):
    pass


@node
class Resource:
    """A permission target. ``kind`` is one of: ALL KEYSPACES, KEYSPACE, TABLE, ALL TABLES
    (in ``keyspace``), ALL ROLES, ROLE, ALL FUNCTIONS (``keyspace`` set for ``IN KEYSPACE``),
    FUNCTION (``keyspace``/``name``/``arg_types``), ALL MBEANS, MBEAN, MBEANS (``name`` is
    the pattern)."""

    kind: str
    keyspace: str | None = None
    name: str | None = None
    arg_types: tuple[TypeExpr, ...] = ()


@node
class GrantPermissions(Statement):
    """``permissions`` are upper-case names; ``('ALL',)`` for ALL [PERMISSIONS]."""

    permissions: tuple[str, ...]
    resource: Resource
    grantee: str


@node
class RevokePermissions(Statement):
    permissions: tuple[str, ...]
    resource: Resource
    revokee: str


@node
class ListPermissions(Statement):
    permissions: tuple[str, ...]
    resource: Resource | None = None
    of: str | None = None
    recursive: bool = True


@node
class AddIdentity(Statement):
    identity: str
    role: str
    if_not_exists: bool = False


@node
class DropIdentity(Statement):
    identity: str
    if_exists: bool = False


@node
class SchemaDescription(Statement):
    """Trunk's ``COMMENT ON ...`` / ``SECURITY LABEL [FOR provider] ON ... IS 'text' | NULL``.

    ``what`` is ``comment`` or ``security label``; ``target`` is KEYSPACE, TABLE, COLUMN,
    TYPE or FIELD. ``name`` is the keyspace (KEYSPACE) or the table or type, and ``member``
    the column or field; ``text`` None is ``IS NULL`` (removes it).
    """

    what: str
    target: str
    name: QualifiedName
    member: str | None = None
    text: str | None = None
    provider: str | None = None


DESCRIBE_KINDS = frozenset(
    ["CLUSTER", "SCHEMA", "KEYSPACES", "KEYSPACE", "TABLES", "TABLE", "TYPES", "TYPE",
     "FUNCTIONS", "FUNCTION", "AGGREGATES", "AGGREGATE", "INDEX", "MATERIALIZED VIEW",
     "GENERIC"]
)


@node
class Describe(Statement):
    """Server-side DESCRIBE. ``kind`` is in DESCRIBE_KINDS (GENERIC for ``DESCRIBE name``).

    ``name``: None when absent; for KEYSPACE it is ``QualifiedName(None, ks)``.
    ``full`` is FULL SCHEMA, ``only`` is ONLY KEYSPACE, ``internals`` is WITH INTERNALS.
    """

    kind: str
    name: QualifiedName | None = None
    only: bool = False
    full: bool = False
    internals: bool = False
