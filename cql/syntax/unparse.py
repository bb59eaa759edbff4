"""AST -> CQL text, for messages, result column names and stored view clauses.

One place renders any node to text (Cassandra's ``toCQLString()``/``getText()``): terms and
relations in error messages, the result column name of a selector, types as written or in
their canonical form, SET operations, and a materialized view's WHERE clause and selectors
as stored in the schema. DESCRIBE's CREATE statements are ``cql.schema.describe``.
"""

from __future__ import annotations

from typing import Any

from cql.errors import InvalidRequest
from cql.vocabulary import quote_name

from . import ast


def term(node: Any) -> str:
    """Source-like text of a term for error messages."""
    if isinstance(node, ast.Constant):
        if node.kind == "string":
            return "'" + node.text.replace("'", "''") + "'"
        return node.text
    if isinstance(node, ast.BindMarker):
        return "?" if node.name is None else f":{node.name}"
    if isinstance(node, ast.Null):
        return "null"
    if isinstance(node, ast.TupleLiteral):
        return "(" + ", ".join(term(i) for i in node.items) + ")"
    if isinstance(node, ast.ListLiteral):
        return "[" + ", ".join(term(i) for i in node.items) + "]"
    if isinstance(node, ast.SetLiteral):
        return "{" + ", ".join(term(i) for i in node.items) + "}"
    if isinstance(node, ast.MapLiteral):
        return "{" + ", ".join(f"{term(k)}: {term(v)}" for k, v in node.pairs) + "}"
    if isinstance(node, ast.UDTLiteral):
        return "{" + ", ".join(f"{quote_name(f)}: {term(v)}" for f, v in node.fields) + "}"
    if isinstance(node, tuple):
        return "(" + ", ".join(term(i) for i in node) + ")"
    return str(node)


def tuple_relation(rel: Any) -> str:
    return f"({', '.join(rel.lhs.names)}) {rel.op} {term(rel.rhs)}"


def type_expr(texpr: ast.TypeExpr) -> str:
    if texpr.custom:
        return f"'{texpr.name}'"
    if texpr.params:
        inner = ", ".join(
            type_expr(p) if isinstance(p, ast.TypeExpr) else str(p) for p in texpr.params
        )
        text = f"{texpr.name}<{inner}>"
    else:
        text = texpr.name
        if texpr.is_udt:
            text = quote_name(texpr.name)
    return f"frozen<{text}>" if texpr.frozen else text


def raw_type(texpr: ast.TypeExpr) -> str:
    """A type as Cassandra's CQL3Type.Raw prints it in messages (what the user wrote)."""
    if texpr.custom:
        text = f"'{texpr.name}'"
    elif texpr.name == "vector" and texpr.params:
        text = f"vector<{raw_type(texpr.params[0])}, {texpr.params[1]}>"
    elif texpr.params:
        text = f"{texpr.name}<" + ", ".join(raw_type(p) for p in texpr.params) + ">"
    elif texpr.keyspace is not None:
        text = f"{texpr.keyspace}.{texpr.name}"
    else:
        text = texpr.name
    return f"frozen<{text}>" if texpr.frozen else text


def selector(node: Any) -> str:
    """The result column name Cassandra derives from a selector expression."""

    if isinstance(node, ast.ColumnRef):
        return node.name
    if isinstance(node, ast.WritetimeOf):
        return f"{node.kind}({selector(node.expr)})"
    if isinstance(node, ast.CountAll):
        return "count"
    if isinstance(node, ast.FunctionCall):
        ks = node.name.keyspace or "system"
        return f"{ks}.{node.name.name}({', '.join(selector(a) for a in node.args)})"
    if isinstance(node, ast.Cast):
        return f"cast({selector(node.expr)} as {type_expr(node.type)})"
    if isinstance(node, ast.FieldAccess):
        return f"{selector(node.expr)}.{node.field}"
    if isinstance(node, ast.ElementAccess):
        return f"{selector(node.expr)}[{selector(node.key)}]"
    if isinstance(node, ast.SliceAccess):
        start = selector(node.start) if node.start is not None else ""
        end = selector(node.end) if node.end is not None else ""
        return f"{selector(node.expr)}[{start}..{end}]"
    if isinstance(node, ast.BinaryOp):
        level = _PRECEDENCE[node.op]
        return (f"{_operand(node.left, level, False)} {node.op} "
                f"{_operand(node.right, level, True)}")
    if isinstance(node, ast.Negate):
        return f"-{_operand(node.expr, 3, False)}"
    if isinstance(node, ast.TypeHint):
        return f"({type_expr(node.type)}){_operand(node.expr, 3, False)}"
    if isinstance(node, ast.Null):
        return "NULL"
    if isinstance(node, ast.BindMarker):
        return "?"  # AbstractMarker.Raw prints a named marker as "?" too
    if isinstance(node, ast.ListLiteral):
        return "[" + ", ".join(selector(i) for i in node.items) + "]"
    if isinstance(node, ast.SetLiteral):
        return "{" + ", ".join(selector(i) for i in node.items) + "}"
    if isinstance(node, ast.TupleLiteral):
        return "(" + ", ".join(selector(i) for i in node.items) + ")"
    if isinstance(node, ast.MapLiteral):
        return "{" + ", ".join(f"{selector(k)}: {selector(v)}" for k, v in node.pairs) + "}"
    if isinstance(node, ast.UDTLiteral):
        return "{" + ", ".join(f"{quote_name(f)}: {selector(v)}" for f, v in node.fields) + "}"
    return term(node)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2}


def _operand(node: Any, level: int, right: bool) -> str:
    """An operand in a selector's name, parenthesised where precedence (and left
    associativity) needs it, as the user must have written it."""
    text = selector(node)
    if isinstance(node, ast.BinaryOp):
        own = _PRECEDENCE[node.op]
        if own < level or (right and own == level):
            return f"({text})"
    return text


def operation(a: Any) -> str:
    if isinstance(a, ast.AddTo):
        return f"{a.column} = {a.column} + {term(a.value)}"
    if isinstance(a, ast.SubtractFrom):
        return f"{a.column} = {a.column} - {term(a.value)}"
    if isinstance(a, ast.Prepend):
        return f"{a.column} = {term(a.value)} + {a.column}"
    if isinstance(a, ast.SetElement):
        return f"{a.column}[{term(a.key)}] = {term(a.value)}"
    if isinstance(a, ast.SetField):
        return f"{a.column}.{a.field} = {term(a.value)}"
    return f"{a.column} = {term(a.value)}"


def where_term(term: object) -> str:
    """A WHERE-clause term as CQL text (what Cassandra's Term.Raw.getText prints)."""
    if isinstance(term, ast.Constant):
        if term.kind == "string":
            return "'" + term.text.replace("'", "''") + "'"
        return term.text
    if isinstance(term, ast.Null):
        return "NULL"
    if isinstance(term, tuple):
        return "(" + ", ".join(where_term(t) for t in term) + ")"
    if isinstance(term, (ast.ListLiteral, ast.SetLiteral, ast.TupleLiteral)):
        left, right = {"ListLiteral": "[]", "SetLiteral": "{}", "TupleLiteral": "()"}[
            type(term).__name__]
        return left + ", ".join(where_term(t) for t in term.items) + right
    if isinstance(term, ast.MapLiteral):
        return "{" + ", ".join(f"{where_term(k)}: {where_term(v)}" for k, v in term.pairs) + "}"
    if isinstance(term, ast.UDTLiteral):
        return "{" + ", ".join(f"{quote_name(f)}: {where_term(v)}" for f, v in term.fields) + "}"
    if isinstance(term, ast.FunctionCall):
        name = term.name
        if name.name == "token" and name.keyspace in (None, "system"):
            text = "token"  # FunctionName.appendCqlTo: the native token() unquoted
        else:
            text = quote_name(name.name)
            if name.keyspace is not None:
                text = f"{quote_name(name.keyspace)}.{text}"
        return f"{text}(" + ", ".join(where_term(a) for a in term.args) + ")"
    if isinstance(term, ast.Cast):
        return f"CAST({where_term(term.expr)} AS {type_expr(term.type)})"
    if isinstance(term, ast.TypeHint):
        return f"({type_expr(term.type)}){where_term(term.expr)}"
    if isinstance(term, ast.Negate):
        return f"-{_where_operand(term.expr)}"
    if isinstance(term, ast.BinaryOp):
        return f"{_where_operand(term.left)} {term.op} {_where_operand(term.right)}"
    raise InvalidRequest("Bind variables are not allowed in CREATE MATERIALIZED VIEW statements")


def _where_operand(term: object) -> str:
    text = where_term(term)
    return f"({text})" if isinstance(term, ast.BinaryOp) else text


def where_relation(relation: ast.Relation) -> str:
    lhs = relation.lhs
    if isinstance(lhs, ast.ColumnRef):
        left = quote_name(lhs.name)
    elif isinstance(lhs, ast.ColumnTuple):
        left = "(" + ", ".join(quote_name(n) for n in lhs.names) + ")"
    else:
        left = str(lhs)
    return f"{left} {relation.op} {where_term(relation.rhs)}"


def view_selector(expr: object) -> str:
    if isinstance(expr, ast.ColumnRef):
        return quote_name(expr.name)
    if isinstance(expr, ast.FunctionCall):
        return f"{expr.name}(" + ", ".join(view_selector(a) for a in expr.args) + ")"
    if isinstance(expr, ast.ElementAccess):
        return f"{view_selector(expr.expr)}[{where_term(expr.key)}]"
    if isinstance(expr, ast.SliceAccess):
        start = "" if expr.start is None else where_term(expr.start)
        end = "" if expr.end is None else where_term(expr.end)
        return f"{view_selector(expr.expr)}[{start}..{end}]"
    if isinstance(expr, ast.FieldAccess):
        return f"{view_selector(expr.expr)}.{quote_name(expr.field)}"
    return where_term(expr) if not hasattr(expr, "expr") else type(expr).__name__.lower()
