"""CQL parse -> AST: the grammar callbacks (one per rule or alias of ``cql.lark``).

The transformer runs inline while the LALR driver parses (no intermediate tree). Checks
that Cassandra's parser performs (property names, ``X = X + v`` forms, reserved type
names, duplicate columns / PRIMARY KEY...) are done here with Cassandra's messages.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import NamedTuple

from cassalite import grammar
from cassalite.grammar import Token
from cql.errors import InvalidRequest, SyntaxException
from cql.vocabulary import (
    INDEX_PROPERTIES,
    KEYSPACE_PROPERTIES,
    NATIVE_TYPE_NAMES,
    RESERVED_KEYWORDS,
    RESERVED_TYPE_NAMES,
    TABLE_PROPERTIES,
    UNRESERVED_KEYWORDS,
)

from . import ast

# Words an unquoted identifier can never be (reserved keywords and boolean literals).
_NOT_IDENTIFIERS = RESERVED_KEYWORDS | {"true", "false"}
# Words a user / identity name (IDENT token only in Cassandra) can never be.
_KEYWORDS = RESERVED_KEYWORDS | UNRESERVED_KEYWORDS | {"true", "false", "columnfamilies",
                                                       "schema"}
_NULL = ast.Null()
_COMPACT = object()          # marker for WITH COMPACT STORAGE
_NUMERIC_KINDS = frozenset(["integer", "float", "duration"])


class _ParseState(threading.local):
    """Per-thread state of the parse in progress (the transformer itself is shared)."""

    markers: list


_state = _ParseState()


class _TokenError(Exception):
    """Raised inside the transformer; turned into a positioned SyntaxException."""

    def __init__(self, token: Token, reason: str | None = None):
        super().__init__(reason)
        self.token = token
        self.reason = reason


class _ActionError(Exception):
    """A Java runtime exception thrown by one of Cassandra's parser actions (such as
    Integer.parseInt's NumberFormatException); the parser reports it as Cassandra's
    QueryProcessor does: 'Failed parsing statement: [<text>] reason: <class> <message>'."""

    def __init__(self, java_class: str, message: str):
        super().__init__(message)
        self.java_class = java_class
        self.message = message


def _java_int(text: str) -> int:
    """Integer.parseInt: a value outside Java's int range is a NumberFormatException."""
    value = int(text)
    if not -(2**31) <= value < 2**31:
        raise _ActionError("NumberFormatException", f'For input string: "{text}"')
    return value


def _syntax(message: str) -> SyntaxException:
    return SyntaxException(message)


def _unescape_string(value: str) -> str:
    if value[0] == "'":
        return value[1:-1].replace("''", "'")
    return value[2:-2]  # $$...$$


def _unquote_name(value: str) -> str:
    return value[1:-1].replace('""', '"')


def _literal_text(term: object, what: str, key: object = None) -> str:
    """Raw text of a property-map constant (Cassandra's convertPropertyMap rules)."""
    if isinstance(term, ast.Constant):
        return term.text
    shown = _show_term(term)
    if what == "name":
        msg = f"Invalid property name: {shown}"
    else:
        msg = f"Invalid property value: {shown} for property: {_show_term(key)}"
    if isinstance(term, ast.BindMarker):
        msg += " (bind variables are not supported in DDL queries)"
    raise _syntax(msg)


def _show_term(term: object) -> str:
    if isinstance(term, ast.Constant):
        return f"'{term.text}'" if term.kind == "string" else term.text
    if isinstance(term, ast.BindMarker):
        return "?" if term.name is None else f":{term.name}"
    return type(term).__name__


def _negate(term: object) -> object:
    """Fold ``-literal`` into the literal, like Cassandra's signed INTEGER/FLOAT tokens."""
    if isinstance(term, ast.Constant) and term.kind in _NUMERIC_KINDS:
        text = term.text
        if text == "NaN":
            return term
        return ast.Constant(term.kind, text[1:] if text[0] == "-" else "-" + text)
    return ast.Negate(term)


def _freeze(t: ast.TypeExpr) -> ast.TypeExpr:
    """``frozen<t>``: freezes t and, like Cassandra, the collections/UDTs nested in it."""
    if t.custom or t.is_native:
        raise _syntax("frozen<> is only allowed on collections, tuples, and user-defined "
                      f"types (got {t.name})")
    if t.name in ("list", "set", "map", "tuple") and t.params:
        params = tuple(_freeze_nested(p) for p in t.params)
        return replace(t, params=params, frozen=True)
    return replace(t, frozen=True)


def _freeze_nested(t: object) -> object:
    if isinstance(t, ast.TypeExpr) and not t.custom and not t.is_native and t.name != "vector":
        return _freeze(t)
    return t


def _native_type_in_parens(node) -> ast.TypeExpr | None:
    """``(int)`` parsed as a parenthesized column named like a native type."""
    if isinstance(node, ast.TupleLiteral) and len(node.items) == 1 \
            and isinstance(node.items[0], ast.ColumnRef) \
            and node.items[0].name in NATIVE_TYPE_NAMES:
        return ast.TypeExpr(node.items[0].name)
    return None


def _hint_negative(left, right):
    """``left - right`` where ``left`` ends with ``(type)``: the hint on ``-right``."""
    hint = _native_type_in_parens(left)
    if hint is not None:
        return ast.TypeHint(hint, _negate(right))
    if isinstance(left, ast.BinaryOp):
        inner = _hint_negative(left.right, right)
        if inner is not None:
            return ast.BinaryOp(left.op, left.left, inner)
    return None


def _named_type(name: str, keyspace: str | None = None) -> ast.TypeExpr:
    if keyspace is None and name in NATIVE_TYPE_NAMES:
        return ast.TypeExpr(name)
    if name in RESERVED_TYPE_NAMES:
        raise _syntax(f"Invalid (reserved) user type name {name}")
    return ast.TypeExpr(name, keyspace=keyspace)


def _properties(items: list, valid: frozenset | None) -> tuple:
    """Check a WITH property list: repeated names, then unknown names (both SE)."""
    seen = set()
    for name, _ in items:
        if name in seen:
            raise _syntax(f"Multiple definitions for property '{name}'")
        seen.add(name)
    if valid is not None:
        for name, _ in items:
            if name not in valid:
                raise _syntax(f"Unknown property '{name}'")
    return tuple(items)


def _split_table_options(items: list | None, what: str, table: ast.QualifiedName):
    """WITH items of CREATE TABLE / VIEW -> (options, clustering order, compact storage)."""
    props, order, compact = [], [], False
    seen_order = set()
    for item in items or ():
        if item is _COMPACT:
            compact = True
        elif isinstance(item, _ClusteringOrder):
            for col, direction in item.items:
                if col in seen_order:
                    raise InvalidRequest(f"Duplicate column '{col}' in CLUSTERING ORDER BY "
                                         f"clause for {what} '{table}'")
                seen_order.add(col)
                order.append((col, direction))
        else:
            props.append(item)
    return _properties(props, TABLE_PROPERTIES), tuple(order), compact


_LIKE_INDEXES = object()  # WITH INDEXES of CREATE TABLE LIKE
_LIKE_COMMENTS = object()  # WITH COMMENTS
_LIKE_SECURITY_LABELS = object()  # WITH SECURITY LABELS
_LIKE_OPTIONS = (_LIKE_INDEXES, _LIKE_COMMENTS, _LIKE_SECURITY_LABELS)


class _ClusteringOrder(NamedTuple):
    items: tuple


class _ParenIdent(NamedTuple):
    name: str


_NOT_NULL_CONSTRAINT = ast.ColumnConstraint("unary", "NOT_NULL")


def _column_constraints(not_null: object, checks: tuple | None) -> tuple:
    """``NOT NULL`` before CHECK is the NOT_NULL constraint, written once only."""
    constraints = ((_NOT_NULL_CONSTRAINT,) if not_null else ()) + (checks or ())
    if constraints.count(_NOT_NULL_CONSTRAINT) > 1:
        raise InvalidRequest("Duplicate definition of NOT NULL constraint")
    return constraints


def _opt(children: list) -> tuple:
    """Items of an optional list: Lark gives [None] when the list is absent."""
    return tuple(c for c in children if c is not None)


def _using(items: list | None) -> tuple[object | None, object | None]:
    ttl = timestamp = None
    for kind, value in items or ():
        if kind == "ttl":
            ttl = value
        else:
            timestamp = value
    return ttl, timestamp


def _description(value):
    """The IS operand: a string literal's text, or None for NULL."""
    return None if value is None else _unescape_string(value.value)


def _member_reference(c) -> tuple:
    """``table.column`` / ``ks.table.column`` (or a type's field) -> (name, member)."""
    parts = [p for p in c if p is not None]
    if len(parts) == 3:
        return ast.QualifiedName(parts[0], parts[1]), parts[2]
    return ast.QualifiedName(None, parts[0]), parts[1]


class CqlTransformer:
    """Callbacks for every non-inlined grammar rule; each gets the list of its children."""

    # ---------------------------------------------------------------- names
    def ident_plain(self, c):
        tok = c[0]
        low = tok.value.lower()
        if low in _NOT_IDENTIFIERS:
            raise _TokenError(tok)
        return low

    def ident_quoted(self, c):
        return _unquote_name(c[0].value)

    def ident_keyword(self, c):
        return c[0]

    def basic_keyword(self, c):
        return c[0].value.lower()

    native_type = other_keyword = basic_keyword

    def empty_ident(self, c):
        return ""

    def qualified_name(self, c):
        if len(c) == 1:
            return ast.QualifiedName(None, c[0])
        return ast.QualifiedName(c[0], c[1])

    def udt_name(self, c):
        name = c[-1]
        if name in RESERVED_TYPE_NAMES:
            raise _syntax(f"Invalid (reserved) user type name {name}")
        return ast.QualifiedName(c[0] if len(c) == 2 else None, name)

    def function_name(self, c):
        if len(c) == 1:
            return ast.QualifiedName(None, c[0])
        return ast.QualifiedName(c[0], c[1])

    def fn_token(self, c):
        return ast.QualifiedName(None, "token")

    def fn_qualified_token(self, c):
        return ast.QualifiedName(c[0], "token")

    def qmark_table_name(self, c):
        raise _syntax("Bind variables cannot be used for table names")

    def qmark_ks_name(self, c):
        raise _syntax("Bind variables cannot be used for keyspace names")

    def qmark_role_name(self, c):
        raise _syntax("Bind variables cannot be used for role names")

    def role_string(self, c):
        return _unescape_string(c[0].value)

    def table_kw(self, c):
        return True

    def keyspace_kw(self, c):
        return True

    tables_kw = keyspace_kw

    def if_not_exists(self, c):
        return True

    if_exists = if_not_exists

    # ---------------------------------------------------------------- terms
    def c_string(self, c):
        return ast.Constant("string", _unescape_string(c[0].value))

    def c_int(self, c):
        return ast.Constant("integer", c[0].value)

    def c_neg_int(self, c):
        return ast.Constant("integer", "-" + c[0].value)

    def c_float(self, c):
        return ast.Constant("float", c[0].value)

    def c_duration(self, c):
        return ast.Constant("duration", c[0].value)

    def c_uuid(self, c):
        return ast.Constant("uuid", c[0].value)

    def c_hex(self, c):
        return ast.Constant("hex", c[0].value)

    def c_true(self, c):
        return ast.Constant("boolean", "true")

    def c_false(self, c):
        return ast.Constant("boolean", "false")

    def c_nan(self, c):
        return ast.Constant("float", "NaN")

    def c_infinity(self, c):
        return ast.Constant("float", "Infinity")

    def null(self, c):
        return _NULL

    def qmark(self, c):
        markers = _state.markers
        markers.append(None)
        return ast.BindMarker(len(markers) - 1, None)

    def named_marker(self, c):
        markers = _state.markers
        markers.append(c[0])
        return ast.BindMarker(len(markers) - 1, c[0])

    def neg(self, c):
        return _negate(c[0])

    def plus(self, c):
        return ast.BinaryOp("+", c[0], c[1])

    def minus(self, c):
        return ast.BinaryOp("-", c[0], c[1])

    def times(self, c):
        return ast.BinaryOp("*", c[0], c[1])

    def div(self, c):
        return ast.BinaryOp("/", c[0], c[1])

    def mod(self, c):
        return ast.BinaryOp("%", c[0], c[1])

    def type_hint(self, c):
        return ast.TypeHint(c[0], c[1])

    def cast(self, c):
        return ast.Cast(c[0], ast.TypeExpr(c[1]))

    def list_literal(self, c):
        return ast.ListLiteral(_opt(c))

    def empty_braces(self, c):
        return ast.MapLiteral(())

    def set_literal(self, c):
        return ast.SetLiteral(tuple(c))

    def map_literal(self, c):
        return ast.MapLiteral(tuple(c))

    def map_entry(self, c):
        return (c[0], c[1])

    udt_entry = sel_map_entry = prop_entry = map_entry

    def udt_literal(self, c):
        return ast.UDTLiteral(tuple(c))

    def tuple_literal(self, c):
        return ast.TupleLiteral(tuple(c))

    def function_call(self, c):
        return ast.FunctionCall(c[0], _opt(c[1:]))

    # ---------------------------------------------------------------- types
    def named_type(self, c):
        return _named_type(c[0])

    def qualified_type(self, c):
        return _named_type(c[1], c[0])

    def list_type(self, c):
        return ast.TypeExpr("list", (c[0],))

    def set_type(self, c):
        return ast.TypeExpr("set", (c[0],))

    def map_type(self, c):
        return ast.TypeExpr("map", (c[0], c[1]))

    def tuple_type(self, c):
        return ast.TypeExpr("tuple", tuple(c))

    def vector_type(self, c):
        return ast.TypeExpr("vector", (c[0], _java_int(c[1].value)))

    def frozen_type(self, c):
        return _freeze(c[0])

    def custom_type(self, c):
        return ast.TypeExpr(_unescape_string(c[0].value), custom=True)

    # ---------------------------------------------------------------- selectors
    def sel_column(self, c):
        return ast.ColumnRef(c[0])

    def sel_dotted(self, c):
        return ast.FieldAccess(ast.ColumnRef(c[0]), c[1])

    def sel_field(self, c):
        return ast.FieldAccess(c[0], c[1])

    def sel_sub(self, c):
        expr, sub = c
        if sub[0] == "element":
            return ast.ElementAccess(expr, sub[1])
        return ast.SliceAccess(expr, sub[1], sub[2])

    def sub_element(self, c):
        return ("element", c[0])

    def sub_slice(self, c):
        return ("slice", c[0], c[1])

    def sub_slice_from(self, c):
        return ("slice", c[0], None)

    def sub_slice_to(self, c):
        return ("slice", None, c[0])

    def sel_plus(self, c):
        return ast.BinaryOp("+", c[0], c[1])

    def sel_minus(self, c):
        # "(int) -1", "(float) -INFINITY": a hint on a negative number (Cassandra's lexer
        # reads "-1" as one token), not "(int)" minus 1
        hinted = _hint_negative(c[0], c[1])
        return hinted if hinted is not None else ast.BinaryOp("-", c[0], c[1])

    def sel_times(self, c):
        return ast.BinaryOp("*", c[0], c[1])

    def sel_div(self, c):
        return ast.BinaryOp("/", c[0], c[1])

    def sel_mod(self, c):
        return ast.BinaryOp("%", c[0], c[1])

    def sel_neg(self, c):
        return _negate(c[0])

    def paren_ident(self, c):
        return _ParenIdent(c[0])

    def sel_paren(self, c):
        return ast.TupleLiteral((ast.ColumnRef(c[0].name),))  # as sel_tuple: "(c)"

    def sel_hint_ident(self, c):
        return ast.TypeHint(_named_type(c[0].name), c[1])

    def sel_hint(self, c):
        return ast.TypeHint(c[0], c[1])

    def sel_tuple(self, c):
        # "(x)" stays a one-element tuple: parentheses or a tuple, as the type it is given
        # says (Cassandra's BetweenParenthesesOrWithTuple)
        return ast.TupleLiteral(tuple(c))

    def sel_list(self, c):
        return ast.ListLiteral(_opt(c))

    def sel_empty_braces(self, c):
        return ast.MapLiteral(())

    def sel_map(self, c):
        return ast.MapLiteral(tuple(c))

    def sel_set(self, c):
        return ast.SetLiteral(tuple(c))

    def sel_func_star(self, c):
        name = c[0]
        if name.keyspace is None and name.name == "count":
            return ast.CountAll()
        raise _TokenError(c[1])

    def sel_func(self, c):
        name, args = c[0], _opt(c[1:])
        if (name.keyspace is None and name.name == "count" and len(args) == 1
                and args[0] == ast.Constant("integer", "1")):
            return ast.CountAll()
        return ast.FunctionCall(name, args)

    def sel_writetime(self, c):
        return ast.WritetimeOf("writetime", c[0])

    def sel_maxwritetime(self, c):
        return ast.WritetimeOf("maxwritetime", c[0])

    def sel_ttl(self, c):
        return ast.WritetimeOf("ttl", c[0])

    def sel_cast(self, c):
        return ast.Cast(c[0], ast.TypeExpr(c[1]))

    def selector(self, c):
        return ast.Selector(c[0], c[1])

    def selectors(self, c):
        return tuple(c)

    def select_star(self, c):
        return None

    # ---------------------------------------------------------------- WHERE
    def rel_op(self, c):
        return c[0].value

    def rel_simple(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), c[1], c[2])

    def rel_like(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "LIKE", c[1])

    def rel_is_not_null(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "IS NOT", _NULL)

    def rel_in(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "IN", c[1])

    def rel_not_in(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "NOT IN", c[1])

    def rel_between(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "BETWEEN", (c[1], c[2]))

    def rel_not_contains(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "NOT CONTAINS", c[1])

    def rel_not_contains_key(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "NOT CONTAINS KEY", c[1])

    def rel_token_between(self, c):
        return ast.Relation(ast.TokenOf(tuple(c[:-2])), "BETWEEN", (c[-2], c[-1]))

    def rel_multi_not_in(self, c):
        return ast.Relation(ast.ColumnTuple(c[0]), "NOT IN", c[1])

    def rel_multi_between(self, c):
        return ast.Relation(ast.ColumnTuple(c[0]), "BETWEEN", (c[1], c[2]))

    def rel_contains(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "CONTAINS", c[1])

    def rel_contains_key(self, c):
        return ast.Relation(ast.ColumnRef(c[0]), "CONTAINS KEY", c[1])

    def rel_token(self, c):
        return ast.Relation(ast.TokenOf(tuple(c[:-2])), c[-2], c[-1])

    def rel_element(self, c):
        return ast.Relation(ast.ElementAccess(ast.ColumnRef(c[0]), c[1]), c[2], c[3])

    def rel_multi_in(self, c):
        return ast.Relation(ast.ColumnTuple(c[0]), "IN", c[1])

    def rel_multi(self, c):
        return ast.Relation(ast.ColumnTuple(c[0]), c[1], c[2])

    def ident_tuple(self, c):
        return tuple(c)

    def term_list(self, c):
        return _opt(c)

    def in_values(self, c):
        return c[0]

    multi_in_values = in_values

    def custom_index_expr(self, c):
        tok = c[0]
        if tok.value.lower() != "expr":
            raise _TokenError(tok)
        return ast.CustomIndexExpression(c[1], c[2])

    def where_clause(self, c):
        return tuple(c)

    # ---------------------------------------------------------------- SELECT
    def json_kw(self, c):
        return True

    distinct_kw = allow_filtering = static = inline_pk = custom = json_kw
    norecursive = or_replace = with_internals = superuser = json_kw

    def nosuperuser(self, c):
        return False

    def group_by(self, c):
        return tuple(c)

    def order_by(self, c):
        return c

    def ordering(self, c):
        column, ann, direction = c
        if ann is not None:
            return ast.AnnOrdering(column, ann, direction or "ASC")
        return (column, direction or "ASC")

    def ann_of(self, c):
        return c[0]

    def asc(self, c):
        return "ASC"

    def desc(self, c):
        return "DESC"

    def per_partition_limit(self, c):
        return c[0]

    limit = ann_of

    def select_stmt(self, c):
        (json, distinct, selectors, table, where, group_by, order_by, ppl, limit,
         allow_filtering) = c
        orderings, ann = (), None
        if order_by:
            plain = []
            for o in order_by:
                if isinstance(o, ast.AnnOrdering):
                    if ann is not None:  # StatementRestrictions.addOrderingRestrictions
                        raise InvalidRequest("Cannot specify more than one ANN ordering")
                    ann = o
                else:
                    plain.append(o)
            orderings = tuple(plain)
        return ast.Select(table, selectors, where or (), bool(distinct), bool(json),
                          group_by or (), orderings, ann, ppl, limit, bool(allow_filtering))

    # ---------------------------------------------------------------- INSERT/UPDATE/DELETE
    def insert_columns(self, c):
        return tuple(c)

    insert_value_list = insert_columns

    def insert_values(self, c):
        table, columns, values, if_not_exists, using = c
        ttl, timestamp = _using(using)
        return ast.Insert(table, columns, values, None, "NULL", bool(if_not_exists), ttl,
                          timestamp)

    def insert_json(self, c):
        table, value, default, if_not_exists, using = c
        ttl, timestamp = _using(using)
        return ast.Insert(table, (), (), value, default or "NULL", bool(if_not_exists),
                          ttl, timestamp)

    def default_null(self, c):
        return "NULL"

    def default_unset(self, c):
        return "UNSET"

    def using_clause(self, c):
        return c

    def using_ttl(self, c):
        return ("ttl", c[0])

    def using_timestamp(self, c):
        # Both ``USING TIMESTAMP`` in using_clause and the DELETE-only using_timestamp rule.
        return ("timestamp", c[0])

    def set_value(self, c):
        return ast.SetValue(c[0], c[1])

    def set_prepend(self, c):
        if c[0] != c[2]:
            raise _syntax("Only expressions of the form X = <value> + X are supported.")
        return ast.Prepend(c[0], c[1])

    def set_add(self, c):
        if c[0] != c[1]:
            raise _syntax("Only expressions of the form X = X +<value> are supported.")
        return ast.AddTo(c[0], c[2])

    def set_subtract(self, c):
        if c[0] != c[1]:
            raise _syntax("Only expressions of the form X = X -<value> are supported.")
        return ast.SubtractFrom(c[0], c[2])

    def add_assign(self, c):
        return ast.AddTo(c[0], c[1])

    def subtract_assign(self, c):
        return ast.SubtractFrom(c[0], c[1])

    def set_element(self, c):
        return ast.SetElement(c[0], c[1], c[2])

    def set_field(self, c):
        return ast.SetField(c[0], c[1], c[2])

    def assignments(self, c):
        if len(c) > 1:
            _check_assignments(c)
        return tuple(c)

    def if_exists_clause(self, c):
        return True

    def if_conditions(self, c):
        return tuple(c)

    def cond_simple(self, c):
        return ast.Condition(ast.ColumnRef(c[0]), c[1], c[2])

    def cond_in(self, c):
        return ast.Condition(ast.ColumnRef(c[0]), "IN", c[1])

    def cond_contains(self, c):
        return ast.Condition(ast.ColumnRef(c[0]), "CONTAINS", c[1])

    def cond_contains_key(self, c):
        return ast.Condition(ast.ColumnRef(c[0]), "CONTAINS KEY", c[1])

    def cond_element(self, c):
        return ast.Condition(ast.ElementAccess(ast.ColumnRef(c[0]), c[1]), c[2], c[3])

    def cond_element_in(self, c):
        return ast.Condition(ast.ElementAccess(ast.ColumnRef(c[0]), c[1]), "IN", c[2])

    def cond_field(self, c):
        return ast.Condition(ast.FieldAccess(ast.ColumnRef(c[0]), c[1]), c[2], c[3])

    def cond_field_in(self, c):
        return ast.Condition(ast.FieldAccess(ast.ColumnRef(c[0]), c[1]), "IN", c[2])

    def update_stmt(self, c):
        table, using, assignments, where, if_clause = c
        ttl, timestamp = _using(using)
        if_exists = if_clause is True
        conditions = if_clause if isinstance(if_clause, tuple) else ()
        return ast.Update(table, assignments, where, conditions, if_exists, ttl, timestamp)

    def delete_stmt(self, c):
        targets, table, timestamp, where, if_clause = c
        if_exists = if_clause is True
        conditions = if_clause if isinstance(if_clause, tuple) else ()
        return ast.Delete(table, targets or (), where, conditions, if_exists,
                          timestamp[1] if timestamp else None)

    def delete_selection(self, c):
        return tuple(c)

    def del_column(self, c):
        return ast.ColumnRef(c[0])

    def del_element(self, c):
        return ast.ElementAccess(ast.ColumnRef(c[0]), c[1])

    def del_field(self, c):
        return ast.FieldAccess(ast.ColumnRef(c[0]), c[1])

    def batch_stmt(self, c):
        kind, using = c[0], c[1]
        ttl, timestamp = _using(using)
        return ast.Batch(kind or "LOGGED", tuple(c[2:]), timestamp, ttl)

    def unlogged(self, c):
        return "UNLOGGED"

    def counter(self, c):
        return "COUNTER"

    def use_stmt(self, c):
        return ast.Use(c[0])

    def truncate_stmt(self, c):
        return ast.Truncate(c[1])

    # ---------------------------------------------------------------- properties
    def property(self, c):
        value = c[1]
        return (c[0], value.text if isinstance(value, ast.Constant) else value)

    def properties(self, c):
        return c

    def prop_keyword(self, c):
        return c[0]

    def neg_constant(self, c):
        return _negate(c[0])

    def prop_map(self, c):
        pairs, seen = [], set()
        for entry in _opt(c):
            key = _literal_text(entry[0], "name")
            value = _literal_text(entry[1], "value", entry[0])
            if key in seen:
                raise _syntax(f"Multiple definition for property {key}")
            seen.add(key)
            pairs.append((key, value))
        return tuple(pairs)

    # ---------------------------------------------------------------- keyspace / table DDL
    def create_keyspace(self, c):
        _, if_not_exists, name, props = c
        return ast.CreateKeyspace(name, _keyspace_options(props), bool(if_not_exists))

    def alter_keyspace(self, c):
        _, if_exists, name, props = c
        return ast.AlterKeyspace(name, _keyspace_options(props), bool(if_exists))

    def drop_keyspace(self, c):
        return ast.DropKeyspace(c[2], bool(c[1]))

    def table_body(self, c):
        return _opt(c)

    def column_def(self, c):
        name, type_, static, mask, not_null, checks, inline_pk = c
        return ("column", ast.ColumnDef(name, type_, bool(static), mask,
                                        _column_constraints(not_null, checks)), bool(inline_pk))

    # ---------------------------------------------------------------- column constraints
    def column_not_null(self, c):
        return True

    def column_constraints(self, c):
        return tuple(c)

    def cc_not_null(self, c):
        return _NOT_NULL_CONSTRAINT

    def cc_function(self, c):
        return ast.ColumnConstraint("function", c[0].upper(), None, c[1], c[2])

    def cc_unary(self, c):
        return ast.ColumnConstraint("unary", c[0].upper())

    def cc_scalar(self, c):
        return ast.ColumnConstraint("scalar", None, c[0], c[1], c[2])

    def constraint_term(self, c):
        return c[0].value

    def constraint_neg_term(self, c):
        return "-" + c[0].value

    def pk_clause(self, c):
        return ("pk", c[0], tuple(c[1:]))

    def pk_partition(self, c):
        return tuple(c)

    def table_options(self, c):
        return c

    view_options = table_options

    def compact_storage(self, c):
        return _COMPACT

    def view_compact_storage(self, c):
        raise _syntax("COMPACT STORAGE tables are not allowed starting with version 4.0")

    def clustering_order(self, c):
        return _ClusteringOrder(tuple(c))

    def clustering_item(self, c):
        return (c[0], c[1])

    def column_mask(self, c):
        return ast.ColumnMask(c[0], _opt(c[1:]))

    def mask_default(self, c):
        return ast.ColumnMask(ast.QualifiedName(None, "mask_default"), ())

    def create_table(self, c):
        _, if_not_exists, name, items, with_items = c
        columns, seen = [], set()
        partition_key: tuple = ()
        clustering: tuple = ()
        have_pk = False
        for item in items:
            if item[0] == "column":
                col = item[1]
                if col.name in seen:
                    raise InvalidRequest(f"Duplicate column '{col.name}' declaration for "
                                         f"table '{name}'")
                seen.add(col.name)
                columns.append(col)
                if item[2]:
                    if have_pk:
                        raise _multiple_pk(name)
                    have_pk, partition_key = True, (col.name,)
            else:
                if have_pk:
                    raise _multiple_pk(name)
                have_pk, partition_key = True, item[1]
                clustering = clustering + item[2]
        options, order, compact = _split_table_options(with_items, "table", name)
        return ast.CreateTable(name, tuple(columns), partition_key, clustering, options, order,
                               compact, bool(if_not_exists))

    def create_table_like(self, c):
        _, if_not_exists, name, source, options = c
        given = options or ()
        options = [o for o in given if o not in _LIKE_OPTIONS]
        return ast.CreateTableLike(name, source, _properties(options, TABLE_PROPERTIES),
                                   _LIKE_INDEXES in given, bool(if_not_exists),
                                   _LIKE_COMMENTS in given, _LIKE_SECURITY_LABELS in given)

    def like_options(self, c):
        return c

    def like_indexes(self, c):
        return _LIKE_INDEXES

    def like_comments(self, c):
        return _LIKE_COMMENTS

    def like_security_labels(self, c):
        return _LIKE_SECURITY_LABELS

    def alter_table(self, c):
        _, if_exists, name, action = c
        return ast.AlterTable(name, action, bool(if_exists))

    def at_alter_type(self, c):
        return ast.AlterColumnType(c[0], c[1])

    def at_mask(self, c):
        return ast.AlterColumnMask(c[1], c[2], bool(c[0]))

    def at_drop_mask(self, c):
        return ast.AlterColumnMask(c[1], None, bool(c[0]))

    def add_column(self, c):
        name, type_, static, mask, not_null, checks = c
        return ast.ColumnDef(name, type_, bool(static), mask,
                             _column_constraints(not_null, checks))

    def at_constraints(self, c):
        return ast.AlterColumnConstraints(c[1], c[2], bool(c[0]))

    def at_drop_check(self, c):
        return ast.AlterColumnConstraints(c[1], None, bool(c[0]))

    def at_add(self, c):
        return ast.AddColumns(tuple(c[1:]), bool(c[0]))

    def at_drop(self, c):
        ts = c[-1]
        return ast.DropColumns(tuple(c[1:-1]), bool(c[0]),
                               int(ts.text) if ts is not None else None)

    def rename(self, c):
        return (c[0], c[1])

    def at_rename(self, c):
        return ast.RenameColumns(tuple(c[1:]), bool(c[0]))

    def at_drop_compact(self, c):
        return ast.DropCompactStorage()

    def at_with(self, c):
        return ast.AlterOptions(_properties(c[0], TABLE_PROPERTIES))

    def drop_table(self, c):
        return ast.DropTable(c[2], bool(c[1]))

    def type_body(self, c):
        return _opt(c)

    def type_field(self, c):
        return (c[0], c[1])

    def create_type(self, c):
        return ast.CreateType(c[1], c[2], bool(c[0]))

    def alter_type(self, c):
        return ast.AlterType(c[1], c[2], bool(c[0]))

    def aty_alter(self, c):
        return ast.AlterFieldType(c[0], c[1])

    def aty_add(self, c):
        return ast.AddField(c[1], c[2], bool(c[0]))

    def aty_rename(self, c):
        return ast.RenameFields(tuple(c[1:]), bool(c[0]))

    def drop_type(self, c):
        return ast.DropType(c[1], bool(c[0]))

    # ---------------------------------------------------------------- indexes and views
    def index_targets(self, c):
        return _opt(c)

    def idx_simple(self, c):
        return ast.IndexTarget(c[0], "SIMPLE")

    def idx_keys(self, c):
        return ast.IndexTarget(c[0], "KEYS")

    def idx_values(self, c):
        return ast.IndexTarget(c[0], "VALUES")

    def idx_entries(self, c):
        return ast.IndexTarget(c[0], "ENTRIES")

    def idx_full(self, c):
        return ast.IndexTarget(c[0], "FULL")

    def index_using(self, c):
        return _unescape_string(c[0].value)

    def index_with(self, c):
        props = _properties(c[0], INDEX_PROPERTIES)
        options = dict(props).get("options", ())
        if not isinstance(options, tuple):
            raise _syntax("Invalid value for property 'options'. It should be a map.")
        return options

    def create_index(self, c):
        custom, if_not_exists, name, table, targets, using, options = c
        return ast.CreateIndex(name, table, targets, bool(custom), using, options or (),
                               bool(if_not_exists))

    def drop_index(self, c):
        return ast.DropIndex(c[1], bool(c[0]))

    def view_primary_key(self, c):
        return (c[0], tuple(c[1:]))

    def create_view(self, c):
        if_not_exists, name, selectors, base, where, pk, with_items = c
        options, order, _ = _split_table_options(with_items, "view", name)
        return ast.CreateView(name, base, selectors, where or (), pk[0], pk[1], options, order,
                              bool(if_not_exists))

    def alter_view(self, c):
        return ast.AlterView(c[1], _properties(c[2], TABLE_PROPERTIES), bool(c[0]))

    def drop_view(self, c):
        return ast.DropView(c[1], bool(c[0]))

    # ---------------------------------------------------------------- functions, triggers
    def function_args(self, c):
        return _opt(c)

    def function_arg(self, c):
        return (c[0], c[1])

    def returns_null(self, c):
        return False

    def called_on_null(self, c):
        return True

    def create_function(self, c):
        or_replace, if_not_exists, name, args, called, ret, lang, body = c
        language = lang.value.lower()
        if language in _NOT_IDENTIFIERS:
            raise _TokenError(lang)
        return ast.CreateFunction(name, args, ret, called, language,
                                  _unescape_string(body.value), bool(or_replace),
                                  bool(if_not_exists))

    def arg_types(self, c):
        return _opt(c)

    def drop_function(self, c):
        return ast.DropFunction(c[1], c[2], bool(c[0]))

    def finalfunc(self, c):
        return c[0]

    initcond = finalfunc

    def create_aggregate(self, c):
        or_replace, if_not_exists, name, arg_types, sfunc, stype, final, init = c
        return ast.CreateAggregate(name, arg_types, sfunc, stype, final, init,
                                   bool(or_replace), bool(if_not_exists))

    def drop_aggregate(self, c):
        return ast.DropAggregate(c[1], c[2], bool(c[0]))

    def create_trigger(self, c):
        return ast.CreateTrigger(c[1], c[2], _unescape_string(c[3].value), bool(c[0]))

    def drop_trigger(self, c):
        return ast.DropTrigger(c[1], c[2], bool(c[0]))

    # ---------------------------------------------------------------- security
    def permission(self, c):
        return c[0].value.upper()

    def permissions(self, c):
        return tuple(dict.fromkeys(c))

    def all_permissions(self, c):
        return ("ALL",)

    def grant_permissions(self, c):
        return ast.GrantPermissions(c[0], c[1], c[2])

    def revoke_permissions(self, c):
        return ast.RevokePermissions(c[0], c[1], c[2])

    def list_permissions(self, c):
        return ast.ListPermissions(c[0], c[1], c[2], not c[3])

    def grant_role(self, c):
        return ast.GrantRole(c[0], c[1])

    def revoke_role(self, c):
        return ast.RevokeRole(c[0], c[1])

    def res_all_keyspaces(self, c):
        return ast.Resource("ALL KEYSPACES")

    def res_keyspace(self, c):
        return ast.Resource("KEYSPACE", keyspace=c[1])

    def res_table(self, c):
        name = c[-1]
        return ast.Resource("TABLE", keyspace=name.keyspace, name=name.name)

    def res_all_tables(self, c):
        return ast.Resource("ALL TABLES", keyspace=c[-1])

    def res_all_roles(self, c):
        return ast.Resource("ALL ROLES")

    def res_role(self, c):
        return ast.Resource("ROLE", name=c[0])

    def res_all_functions(self, c):
        return ast.Resource("ALL FUNCTIONS", keyspace=c[1] if c else None)

    def res_function(self, c):
        return ast.Resource("FUNCTION", keyspace=c[0].keyspace, name=c[0].name,
                            arg_types=c[1])

    def res_all_mbeans(self, c):
        return ast.Resource("ALL MBEANS")

    def res_mbean(self, c):
        return ast.Resource("MBEAN", name=_unescape_string(c[0].value))

    def res_mbeans(self, c):
        return ast.Resource("MBEANS", name=_unescape_string(c[0].value))

    def ro_password(self, c):
        return ("password", _unescape_string(c[0].value))

    def ro_hashed_password(self, c):
        return ("hashed_password", _unescape_string(c[0].value))

    def ro_options(self, c):
        return ("options", c[0])

    def ro_superuser(self, c):
        return ("superuser", c[0].text == "true")

    def ro_login(self, c):
        return ("login", c[0].text == "true")

    def ro_all_datacenters(self, c):
        return ("datacenters", "ALL")

    def ro_datacenters(self, c):
        return ("datacenters", tuple(_unescape_string(t.value) for t in c))

    def ro_all_cidrs(self, c):
        return ("cidrs", "ALL")

    def ro_cidrs(self, c):
        return ("cidrs", tuple(_unescape_string(t.value) for t in c))

    def role_options(self, c):
        values: dict = {}
        for key, value in c:
            if key in values and key not in ("datacenters", "cidrs"):
                raise _syntax(f"Multiple definition for property '{key.upper()}'")
            values[key] = value
        if "password" in values and "hashed_password" in values:
            raise _syntax("Options 'password' and 'hashed password' are mutually exclusive")
        return ast.RoleOptions(**values)

    def create_role(self, c):
        return ast.CreateRole(c[1], c[2] or ast.RoleOptions(), bool(c[0]))

    def alter_role(self, c):
        return ast.AlterRole(c[1], c[2] or ast.RoleOptions(), bool(c[0]))

    def drop_role(self, c):
        return ast.DropRole(c[1], bool(c[0]))

    def list_roles(self, c):
        return ast.ListRoles(c[0], not c[1])

    def up_password(self, c):
        return ("password", _unescape_string(c[0].value))

    def up_hashed_password(self, c):
        return ("hashed_password", _unescape_string(c[0].value))

    def user_ident(self, c):
        tok = c[0]
        if tok.value.lower() in _KEYWORDS:
            raise _TokenError(tok)
        return tok.value

    identity_ident = user_ident

    def user_string(self, c):
        return _unescape_string(c[0].value)

    identity_string = user_string

    def user_quoted(self, c):
        raise _syntax("Quoted strings are are not supported for user names and USER is "
                      "deprecated, please use ROLE")

    def identity_quoted(self, c):
        raise _syntax("Quoted strings are are not supported for identity")

    def create_user(self, c):
        if_not_exists, name, password, superuser = c
        kind, secret = password or (None, None)
        return ast.CreateUser(name, secret if kind == "password" else None,
                              secret if kind == "hashed_password" else None,
                              bool(superuser), bool(if_not_exists))

    def alter_user(self, c):
        if_exists, name, password, superuser = c
        kind, secret = password or (None, None)
        return ast.AlterUser(name, secret if kind == "password" else None,
                             secret if kind == "hashed_password" else None,
                             superuser, bool(if_exists))

    def drop_user(self, c):
        return ast.DropUser(c[1], bool(c[0]))

    def list_users(self, c):
        return ast.ListUsers()

    def list_superusers(self, c):
        return ast.ListSuperUsers()

    def add_identity(self, c):
        return ast.AddIdentity(c[1], c[2], bool(c[0]))

    def drop_identity(self, c):
        return ast.DropIdentity(c[1], bool(c[0]))

    # ---------------------------------------------------------------- COMMENT ON / SECURITY LABEL
    def comment_on(self, c):
        target, name, member = c[0]
        return ast.SchemaDescription("comment", target, name, member, _description(c[1]))

    def security_label_on(self, c):
        target, name, member = c[1]
        return ast.SchemaDescription("security label", target, name, member,
                                     _description(c[2]), c[0])

    def label_provider(self, c):
        return c[0]

    def null_description(self, c):
        return None

    def dt_keyspace(self, c):
        return ("KEYSPACE", ast.QualifiedName(None, c[0]), None)

    def dt_table(self, c):
        return ("TABLE", c[-1], None)

    def dt_column(self, c):
        return ("COLUMN", *_member_reference(c))

    def dt_type(self, c):
        return ("TYPE", c[0], None)

    def dt_field(self, c):
        return ("FIELD", *_member_reference(c))

    # ---------------------------------------------------------------- DESCRIBE
    def describe_stmt(self, c):
        kind, name, only, full = c[0]
        return ast.Describe(kind, name, only, full, bool(c[1]))

    def d_cluster(self, c):
        return ("CLUSTER", None, False, False)

    def d_schema(self, c):
        return ("SCHEMA", None, False, False)

    def d_full_schema(self, c):
        return ("SCHEMA", None, False, True)

    def d_keyspaces(self, c):
        return ("KEYSPACES", None, False, False)

    def d_keyspace(self, c):
        ks = c[0]
        return ("KEYSPACE", ast.QualifiedName(None, ks) if ks is not None else None, False,
                False)

    def d_only_keyspace(self, c):
        return ("KEYSPACE", self.d_keyspace(c)[1], True, False)

    def d_tables(self, c):
        return ("TABLES", None, False, False)

    def d_table(self, c):
        return ("TABLE", c[1], False, False)

    def d_index(self, c):
        return ("INDEX", c[0], False, False)

    def d_view(self, c):
        return ("MATERIALIZED VIEW", c[0], False, False)

    def d_types(self, c):
        return ("TYPES", None, False, False)

    def d_type(self, c):
        return ("TYPE", c[0], False, False)

    def d_functions(self, c):
        return ("FUNCTIONS", None, False, False)

    def d_function(self, c):
        return ("FUNCTION", c[0], False, False)

    def d_aggregates(self, c):
        return ("AGGREGATES", None, False, False)

    def d_aggregate(self, c):
        return ("AGGREGATE", c[0], False, False)

    def d_generic(self, c):
        return ("GENERIC", c[0], False, False)

    # ---------------------------------------------------------------- top level
    def start(self, c):
        return c[0]


def _multiple_pk(name: ast.QualifiedName) -> InvalidRequest:
    return InvalidRequest(f"Multiple PRIMARY KEY specified for table '{name}' "
                          "(exactly one required)")


def _keyspace_options(props: list) -> tuple:
    return _properties(props, KEYSPACE_PROPERTIES)


def _check_assignments(ops: list) -> None:
    """Cassandra's addRawUpdate: reject incompatible updates of one column."""
    for i, op in enumerate(ops):
        for prev in ops[:i]:
            if prev.column == op.column and not _compatible(prev, op):
                raise _syntax(f"Multiple incompatible setting of column {op.column}")


def _compatible(prev: object, new: object) -> bool:
    if isinstance(prev, ast.SetValue):
        return False
    if isinstance(prev, ast.SetField) and isinstance(new, ast.SetField):
        return prev.field != new.field
    return not isinstance(new, ast.SetValue)


_TRANSFORMER = CqlTransformer()


def _parser() -> grammar.Parser:
    return grammar.load_parser(_TRANSFORMER)

