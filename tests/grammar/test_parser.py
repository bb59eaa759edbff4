"""Parser tests: every statement form parses to the documented AST; bad input gives
Cassandra-style SyntaxExceptions and nothing else."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token, Tree

from cql.errors import InvalidRequest, SyntaxException
from cql.syntax import ast, parse, parse_statements, split_statements

from .cql_cases import VALID

Q = ast.QualifiedName
C = ast.Constant
COL = ast.ColumnRef
INT = ast.TypeExpr("int")
TEXT = ast.TypeExpr("text")


def _walk(node):
    yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _walk(getattr(node, f.name))
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _walk(item)


@pytest.mark.parametrize("text", VALID)
def test_valid_statement_parses_to_clean_ast(text):
    stmt = parse(text)
    assert isinstance(stmt, ast.Statement)
    for node in _walk(stmt):
        assert not isinstance(node, (Tree, Token)), (text, node)
        if isinstance(node, str):
            assert type(node) is str


def test_parse_is_cached_and_shared():
    text = "SELECT * FROM cached_table WHERE k = ?"
    assert parse(text) is parse(text)


# ------------------------------------------------------------------------ lexical


def test_identifiers_are_normalised():
    stmt = parse('SELECT Abc, "Abc", "a""b" FROM MyKs."MyTable"')
    assert stmt.table == Q("myks", "MyTable")
    assert [s.expr for s in stmt.selectors] == [COL("abc"), COL("Abc"), COL('a"b')]


def test_keywords_are_case_insensitive_and_unreserved_ones_are_identifiers():
    stmt = parse("sElEcT key, TTL, Type, VALUES, list, Count FROM Keys WHERE int = 1")
    assert [s.expr.name for s in stmt.selectors] == ["key", "ttl", "type", "values", "list",
                                                     "count"]
    assert stmt.table == Q(None, "keys")
    assert stmt.where[0].lhs == COL("int")


@pytest.mark.parametrize("word", ["select", "FROM", "table", "token", "Keyspace", "nan",
                                  "infinity", "true", "null", "order", "allow"])
def test_reserved_keywords_are_not_identifiers(word):
    with pytest.raises(SyntaxException, match=r"^line 1:14 "):
        parse(f"SELECT * FROM {word}")
    parse(f'SELECT * FROM "{word}"')


def test_literals():
    stmt = parse("SELECT * FROM t WHERE a = 'it''s' AND b = $$x 'y' z$$ AND c = 42 AND d = -7 "
                 "AND e = 1.5e-3 AND f = TRUE AND g = 0xCafe AND h = 1h30m AND i = P2W "
                 "AND j = 01234567-89ab-cdef-0123-456789abcdef AND k = NaN AND l = -Infinity "
                 "AND m = -NaN AND n = null AND o = -2d AND p = 3. AND q = PT1H30M")
    values = [r.rhs for r in stmt.where]
    assert values == [
        C("string", "it's"), C("string", "x 'y' z"), C("integer", "42"), C("integer", "-7"),
        C("float", "1.5e-3"), C("boolean", "true"), C("hex", "0xCafe"),
        C("duration", "1h30m"), C("duration", "P2W"),
        C("uuid", "01234567-89ab-cdef-0123-456789abcdef"), C("float", "NaN"),
        C("float", "-Infinity"), C("float", "NaN"), ast.Null(), C("duration", "-2d"),
        C("float", "3."), C("duration", "PT1H30M"),
    ]


def test_comments_are_ignored():
    stmt = parse("-- leading\nSELECT /* inline */ a // trailing\nFROM t -- end")
    assert stmt.selectors == (ast.Selector(COL("a")),)


def test_range_token_after_integer():
    stmt = parse("SELECT m[1..3], m[1..], m[..3] FROM t")
    assert [s.expr for s in stmt.selectors] == [
        ast.SliceAccess(COL("m"), C("integer", "1"), C("integer", "3")),
        ast.SliceAccess(COL("m"), C("integer", "1"), None),
        ast.SliceAccess(COL("m"), None, C("integer", "3")),
    ]


def test_range_token_after_float_without_fraction():
    # "0...3." is FLOAT(0.) RANGE FLOAT(3.), as Cassandra's lexer reads it
    stmt = parse("SELECT m[0...3.], m[0.0..3.0] FROM t")
    assert [s.expr for s in stmt.selectors] == [
        ast.SliceAccess(COL("m"), C("float", "0."), C("float", "3.")),
        ast.SliceAccess(COL("m"), C("float", "0.0"), C("float", "3.0")),
    ]


# ------------------------------------------------------------------------ SELECT


def test_select_full_shape():
    stmt = parse("SELECT JSON DISTINCT k, s AS x FROM ks.t WHERE k IN (1, 2) AND s > ? "
                 "GROUP BY k ORDER BY c DESC PER PARTITION LIMIT 2 LIMIT :lim ALLOW FILTERING")
    assert stmt == ast.Select(
        table=Q("ks", "t"),
        selectors=(ast.Selector(COL("k")), ast.Selector(COL("s"), "x")),
        where=(ast.Relation(COL("k"), "IN", (C("integer", "1"), C("integer", "2"))),
               ast.Relation(COL("s"), ">", ast.BindMarker(0))),
        distinct=True, json=True, group_by=(COL("k"),), order_by=(("c", "DESC"),),
        per_partition_limit=C("integer", "2"), limit=ast.BindMarker(1, "lim"),
        allow_filtering=True,
    )
    assert stmt.bind_names == (None, "lim")
    assert stmt.bind_count == 2


def test_select_star_and_json_as_column():
    assert parse("SELECT * FROM t").selectors is None
    stmt = parse("SELECT json FROM t")
    assert not stmt.json and stmt.selectors == (ast.Selector(COL("json")),)
    stmt = parse("SELECT JSON json FROM t")
    assert stmt.json and stmt.selectors == (ast.Selector(COL("json")),)


def test_selector_expressions():
    stmt = parse("SELECT count(*), count(1), COUNT(v), writetime(v), maxwritetime(m['k']), "
                 "ttl(u.f), system.max(b), token(k), cast(a AS text), (int) ?, a + b * 2, "
                 "-a, [a, 1], {a: 1}, {}, (a, b), (a) FROM t")
    exprs = [s.expr for s in stmt.selectors]
    assert exprs == [
        ast.CountAll(),
        ast.CountAll(),
        ast.FunctionCall(Q(None, "count"), (COL("v"),)),
        ast.WritetimeOf("writetime", COL("v")),
        ast.WritetimeOf("maxwritetime", ast.ElementAccess(COL("m"), C("string", "k"))),
        ast.WritetimeOf("ttl", ast.FieldAccess(COL("u"), "f")),
        ast.FunctionCall(Q("system", "max"), (COL("b"),)),
        ast.FunctionCall(Q(None, "token"), (COL("k"),)),
        ast.Cast(COL("a"), TEXT),
        ast.TypeHint(INT, ast.BindMarker(0)),
        ast.BinaryOp("+", COL("a"), ast.BinaryOp("*", COL("b"), C("integer", "2"))),
        ast.Negate(COL("a")),
        ast.ListLiteral((COL("a"), C("integer", "1"))),
        ast.MapLiteral(((COL("a"), C("integer", "1")),)),
        ast.MapLiteral(()),
        ast.TupleLiteral((COL("a"), COL("b"))),
        ast.TupleLiteral((COL("a"),)),  # parentheses or a tuple: the type it is given says
    ]


def test_field_access_versus_qualified_function():
    stmt = parse("SELECT u.f, u.f.g, ks.fn(u.f), u.\"F\"[0] FROM t")
    assert [s.expr for s in stmt.selectors] == [
        ast.FieldAccess(COL("u"), "f"),
        ast.FieldAccess(ast.FieldAccess(COL("u"), "f"), "g"),
        ast.FunctionCall(Q("ks", "fn"), (ast.FieldAccess(COL("u"), "f"),)),
        ast.ElementAccess(ast.FieldAccess(COL("u"), "F"), C("integer", "0")),
    ]


def test_relations():
    stmt = parse("SELECT * FROM t WHERE a = 1 AND b != 2 AND c IN () AND d IN ? AND "
                 "e CONTAINS 3 AND f CONTAINS KEY 'k' AND g['x'] >= 4 AND h LIKE 'p%' AND "
                 "i IS NOT NULL AND token(a, b) > token(1, 2) AND (c1, c2) <= (5, 6) AND "
                 "(c1, c2) IN ((1, 2), (3, 4)) AND (c1) = ? AND (c1, c2) IN ? AND (j < 7) "
                 "AND expr(idx, 'q')")
    assert stmt.where == (
        ast.Relation(COL("a"), "=", C("integer", "1")),
        ast.Relation(COL("b"), "!=", C("integer", "2")),
        ast.Relation(COL("c"), "IN", ()),
        ast.Relation(COL("d"), "IN", ast.BindMarker(0)),
        ast.Relation(COL("e"), "CONTAINS", C("integer", "3")),
        ast.Relation(COL("f"), "CONTAINS KEY", C("string", "k")),
        ast.Relation(ast.ElementAccess(COL("g"), C("string", "x")), ">=", C("integer", "4")),
        ast.Relation(COL("h"), "LIKE", C("string", "p%")),
        ast.Relation(COL("i"), "IS NOT", ast.Null()),
        ast.Relation(ast.TokenOf(("a", "b")), ">",
                     ast.FunctionCall(Q(None, "token"), (C("integer", "1"),
                                                         C("integer", "2")))),
        ast.Relation(ast.ColumnTuple(("c1", "c2")), "<=",
                     ast.TupleLiteral((C("integer", "5"), C("integer", "6")))),
        ast.Relation(ast.ColumnTuple(("c1", "c2")), "IN",
                     (ast.TupleLiteral((C("integer", "1"), C("integer", "2"))),
                      ast.TupleLiteral((C("integer", "3"), C("integer", "4"))))),
        ast.Relation(ast.ColumnTuple(("c1",)), "=", ast.BindMarker(1)),
        ast.Relation(ast.ColumnTuple(("c1", "c2")), "IN", ast.BindMarker(2)),
        ast.Relation(COL("j"), "<", C("integer", "7")),
        ast.CustomIndexExpression(Q(None, "idx"), C("string", "q")),
    )


def test_terms():
    stmt = parse("SELECT * FROM t WHERE a = [1, 2] AND b = {1, 2} AND c = {'k': 1} AND "
                 "d = {f: 1, \"G\": 'x'} AND e = (1, 'x') AND f = {} AND g = (text) 'x' AND "
                 "h = now() AND i = ks.f(1) AND j = 1 + 2 * 3 AND k = - (1) AND l = "
                 "CAST(1 AS bigint) AND m = (frozen<list<int>>) ? AND n = []")
    values = [r.rhs for r in stmt.where]
    one, two = C("integer", "1"), C("integer", "2")
    assert values == [
        ast.ListLiteral((one, two)),
        ast.SetLiteral((one, two)),
        ast.MapLiteral(((C("string", "k"), one),)),
        ast.UDTLiteral((("f", one), ("G", C("string", "x")))),
        ast.TupleLiteral((one, C("string", "x"))),
        ast.MapLiteral(()),
        ast.TypeHint(TEXT, C("string", "x")),
        ast.FunctionCall(Q(None, "now"), ()),
        ast.FunctionCall(Q("ks", "f"), (one,)),
        ast.BinaryOp("+", one, ast.BinaryOp("*", two, C("integer", "3"))),
        ast.Negate(ast.TupleLiteral((one,))),
        ast.Cast(one, ast.TypeExpr("bigint")),
        ast.TypeHint(ast.TypeExpr("list", (INT,), frozen=True), ast.BindMarker(0)),
        ast.ListLiteral(()),
    ]


def test_order_by_ann():
    stmt = parse("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.5] LIMIT 3")
    assert stmt.order_by == ()
    assert stmt.ann == ast.AnnOrdering("v", ast.ListLiteral((C("float", "1.0"),
                                                            C("float", "2.5"))))


def test_group_by_function():
    stmt = parse("SELECT k, max(v) FROM t GROUP BY k, floor(ts, 1h)")
    assert stmt.group_by == (COL("k"), ast.FunctionCall(Q(None, "floor"), (
        COL("ts"), C("duration", "1h"))))


# ------------------------------------------------------------------------ DML


def test_insert():
    stmt = parse("INSERT INTO ks.t (k, \"V\") VALUES (?, 'x') IF NOT EXISTS "
                 "USING TIMESTAMP 5 AND TTL :ttl")
    assert stmt == ast.Insert(Q("ks", "t"), ("k", "V"), (ast.BindMarker(0), C("string", "x")),
                              if_not_exists=True, ttl=ast.BindMarker(1, "ttl"),
                              timestamp=C("integer", "5"))
    assert stmt.bind_names == (None, "ttl")


def test_insert_json():
    stmt = parse("INSERT INTO t JSON '{\"a\": 1}' DEFAULT UNSET")
    assert stmt.json == C("string", '{"a": 1}') and stmt.json_default == "UNSET"
    stmt = parse("INSERT INTO t JSON ?")
    assert stmt.json == ast.BindMarker(0) and stmt.json_default == "NULL"
    assert stmt.columns == () and stmt.values == ()


def test_update_assignments_and_conditions():
    stmt = parse("UPDATE t USING TTL 3 SET a = 1, b = b + [1], c = [0] + c, d = d - {2}, "
                 "e += 1, f -= 2, g['k'] = 'v', h.x = 3, i = i -1 WHERE k = 1 "
                 "IF a = 1 AND g['k'] IN (1, 2) AND h.x > 2 AND s CONTAINS 1 "
                 "AND m CONTAINS KEY 'a' AND a IN ?")
    one = C("integer", "1")
    assert stmt.assignments == (
        ast.SetValue("a", one),
        ast.AddTo("b", ast.ListLiteral((one,))),
        ast.Prepend("c", ast.ListLiteral((C("integer", "0"),))),
        ast.SubtractFrom("d", ast.SetLiteral((C("integer", "2"),))),
        ast.AddTo("e", one),
        ast.SubtractFrom("f", C("integer", "2")),
        ast.SetElement("g", C("string", "k"), C("string", "v")),
        ast.SetField("h", "x", C("integer", "3")),
        ast.SubtractFrom("i", one),
    )
    assert stmt.conditions == (
        ast.Condition(COL("a"), "=", one),
        ast.Condition(ast.ElementAccess(COL("g"), C("string", "k")), "IN",
                      (one, C("integer", "2"))),
        ast.Condition(ast.FieldAccess(COL("h"), "x"), ">", C("integer", "2")),
        ast.Condition(COL("s"), "CONTAINS", one),
        ast.Condition(COL("m"), "CONTAINS KEY", C("string", "a")),
        ast.Condition(COL("a"), "IN", ast.BindMarker(0)),
    )
    assert stmt.ttl == C("integer", "3") and not stmt.if_exists
    assert parse("UPDATE t SET a = 1 WHERE k = 1 IF EXISTS").if_exists


@pytest.mark.parametrize("text, message", [
    ("UPDATE t SET a = b + 1 WHERE k = 1",
     "Only expressions of the form X = X +<value> are supported."),
    ("UPDATE t SET a = b - 1 WHERE k = 1",
     "Only expressions of the form X = X -<value> are supported."),
    ("UPDATE t SET a = [1] + b WHERE k = 1",
     "Only expressions of the form X = <value> + X are supported."),
    ("UPDATE t SET a = 1, a = 2 WHERE k = 1", "Multiple incompatible setting of column a"),
    ("UPDATE t SET a += 1, a = 2 WHERE k = 1", "Multiple incompatible setting of column a"),
])
def test_update_parser_checks(text, message):
    with pytest.raises(SyntaxException) as info:
        parse(text)
    assert str(info.value) == message


def test_compatible_repeated_updates_are_allowed():
    stmt = parse("UPDATE t SET m['a'] = 1, m['b'] = 2, u.x = 1, u.y = 2 WHERE k = 1")
    assert len(stmt.assignments) == 4


def test_delete():
    stmt = parse("DELETE a, l[0], u.f FROM t USING TIMESTAMP 9 WHERE k = 1 IF v = null")
    assert stmt == ast.Delete(
        Q(None, "t"), (COL("a"), ast.ElementAccess(COL("l"), C("integer", "0")),
                       ast.FieldAccess(COL("u"), "f")),
        (ast.Relation(COL("k"), "=", C("integer", "1")),),
        (ast.Condition(COL("v"), "=", ast.Null()),), False, C("integer", "9"))
    assert parse("DELETE FROM t WHERE k = 1").targets == ()


def test_batch_numbers_markers_globally():
    stmt = parse("BEGIN UNLOGGED BATCH USING TIMESTAMP ? INSERT INTO t (k) VALUES (?); "
                 "UPDATE t SET v = :v WHERE k = ? DELETE FROM t WHERE k = ?; APPLY BATCH;")
    assert stmt.kind == "UNLOGGED"
    assert stmt.timestamp == ast.BindMarker(0)
    assert [type(s) for s in stmt.statements] == [ast.Insert, ast.Update, ast.Delete]
    assert stmt.statements[1].assignments[0].value == ast.BindMarker(2, "v")
    assert stmt.statements[2].where[0].rhs == ast.BindMarker(4)
    assert stmt.bind_names == (None, None, "v", None, None)
    assert parse("BEGIN COUNTER BATCH APPLY BATCH").kind == "COUNTER"
    assert parse("BEGIN BATCH APPLY BATCH").kind == "LOGGED"


def test_use_truncate():
    assert parse('USE "Ks"') == ast.Use("Ks")
    assert parse("TRUNCATE TABLE ks.t") == ast.Truncate(Q("ks", "t"))


# ------------------------------------------------------------------------ DDL


def test_create_keyspace_options():
    stmt = parse("CREATE KEYSPACE IF NOT EXISTS Ks WITH replication = {'class': "
                 "'SimpleStrategy', 'replication_factor': 3} AND durable_writes = false")
    assert stmt == ast.CreateKeyspace(
        "ks", (("replication", (("class", "SimpleStrategy"), ("replication_factor", "3"))),
               ("durable_writes", "false")), True)
    assert ast.options_dict(stmt.options)["replication"]["class"] == "SimpleStrategy"


def test_create_table():
    stmt = parse("CREATE TABLE ks.t (k1 int, k2 text, c int, s set<text> STATIC, "
                 "v frozen<map<text, list<int>>>, w vector<float, 3>, "
                 "PRIMARY KEY ((k1, k2), c),) WITH CLUSTERING ORDER BY (c DESC) "
                 "AND comment = 'hi' AND gc_grace_seconds = -1")
    assert stmt.name == Q("ks", "t")
    assert stmt.partition_key == ("k1", "k2") and stmt.clustering == ("c",)
    assert stmt.clustering_order == (("c", "DESC"),)
    assert stmt.options == (("comment", "hi"), ("gc_grace_seconds", "-1"))
    cols = {c.name: c for c in stmt.columns}
    assert cols["s"].static and cols["s"].type == ast.TypeExpr("set", (TEXT,))
    # frozen<> freezes nested collections too, like Cassandra
    assert cols["v"].type == ast.TypeExpr(
        "map", (TEXT, ast.TypeExpr("list", (INT,), frozen=True)), frozen=True)
    assert cols["w"].type == ast.TypeExpr("vector", (ast.TypeExpr("float"), 3))


def test_create_table_inline_pk_and_types():
    stmt = parse("CREATE TABLE t (k int PRIMARY KEY, a ks.addr, b addr, c 'BytesType', "
                 "d tuple<int, text>, e varchar)")
    assert stmt.partition_key == ("k",) and stmt.clustering == ()
    types = [c.type for c in stmt.columns]
    assert types[1] == ast.TypeExpr("addr", keyspace="ks") and types[1].is_udt
    assert types[2] == ast.TypeExpr("addr") and types[2].is_udt
    assert types[3] == ast.TypeExpr("BytesType", custom=True)
    assert types[4] == ast.TypeExpr("tuple", (INT, TEXT))
    assert types[5] == ast.TypeExpr("varchar") and types[5].is_native
    assert parse("CREATE TABLE t (k int)").partition_key == ()
    assert parse("CREATE TABLE t (k int PRIMARY KEY) WITH COMPACT STORAGE").compact_storage


@pytest.mark.parametrize("text, exc, message", [
    ("CREATE TABLE t (k int PRIMARY KEY, k text)", InvalidRequest,
     "Duplicate column 'k' declaration for table 't'"),
    ("CREATE TABLE ks.t (k int PRIMARY KEY, v int, PRIMARY KEY (v))", InvalidRequest,
     "Multiple PRIMARY KEY specified for table 'ks.t' (exactly one required)"),
    (("CREATE TABLE t (k int, c int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c ASC) "
     "AND CLUSTERING ORDER BY (c DESC)"), InvalidRequest,
     "Duplicate column 'c' in CLUSTERING ORDER BY clause for table 't'"),
    ("CREATE TABLE t (k int PRIMARY KEY) WITH foo = 1", SyntaxException,
     "Unknown property 'foo'"),
    ("CREATE TABLE t (k int PRIMARY KEY) WITH comment = 'a' AND comment = 'b'",
     SyntaxException, "Multiple definitions for property 'comment'"),
    ("CREATE KEYSPACE ks WITH replication = {'class': 'x'} AND durable = true",
     SyntaxException, "Unknown property 'durable'"),
    ("CREATE KEYSPACE ks WITH replication = {'class': 'x', 'class': 'y'}", SyntaxException,
     "Multiple definition for property class"),
    ("CREATE KEYSPACE ks WITH replication = {'class': ?}", SyntaxException,
     ("Invalid property value: ? for property: 'class' (bind variables are not supported "
     "in DDL queries)")),
    ("ALTER TABLE t WITH nope = 1", SyntaxException, "Unknown property 'nope'"),
    ("CREATE INDEX ON t (v) WITH foo = {'a': 'b'}", SyntaxException, "Unknown property 'foo'"),
    ("CREATE TABLE t (k frozen<int> PRIMARY KEY)", SyntaxException,
     "frozen<> is only allowed on collections, tuples, and user-defined types (got int)"),
    ("CREATE TYPE enum (a int)", SyntaxException, "Invalid (reserved) user type name enum"),
    ("CREATE TABLE t (k int PRIMARY KEY, v macaddr)", SyntaxException,
     "Invalid (reserved) user type name macaddr"),
    ("CREATE MATERIALIZED VIEW v AS SELECT * FROM t PRIMARY KEY (k) WITH COMPACT STORAGE",
     SyntaxException, "COMPACT STORAGE tables are not allowed starting with version 4.0"),
    ("CREATE ROLE r WITH PASSWORD = 'a' AND HASHED PASSWORD = 'b'", SyntaxException,
     "Options 'password' and 'hashed password' are mutually exclusive"),
    ("CREATE ROLE r WITH LOGIN = true AND LOGIN = false", SyntaxException,
     "Multiple definition for property 'LOGIN'"),
    ('CREATE USER "Bob"', SyntaxException,
     ("Quoted strings are are not supported for user names and USER is deprecated, please "
     "use ROLE")),
    ("SELECT * FROM ?", SyntaxException, "Bind variables cannot be used for table names"),
    ("USE ?", SyntaxException, "Bind variables cannot be used for keyspace names"),
    ("DROP ROLE ?", SyntaxException, "Bind variables cannot be used for role names"),
])
def test_parser_level_errors(text, exc, message):
    with pytest.raises(exc) as info:
        parse(text)
    assert type(info.value) is exc
    assert str(info.value) == message


def test_alter_table_actions():
    def action(text):
        return parse("ALTER TABLE t " + text).action

    assert action("ADD IF NOT EXISTS v int STATIC") == ast.AddColumns(
        (ast.ColumnDef("v", INT, True),), True)
    assert action("ADD (a int, b text)") == ast.AddColumns(
        (ast.ColumnDef("a", INT), ast.ColumnDef("b", TEXT)))
    assert action("DROP IF EXISTS (a, b) USING TIMESTAMP 12") == ast.DropColumns(
        ("a", "b"), True, 12)
    assert action("DROP a") == ast.DropColumns(("a",))
    assert action("RENAME a TO b AND c TO d") == ast.RenameColumns((("a", "b"), ("c", "d")))
    assert action("ALTER a TYPE text") == ast.AlterColumnType("a", TEXT)
    assert action("ALTER a MASKED WITH DEFAULT") == ast.AlterColumnMask(
        "a", ast.ColumnMask(Q(None, "mask_default")))
    assert action("ALTER IF EXISTS a DROP MASKED") == ast.AlterColumnMask("a", None, True)
    assert action("DROP COMPACT STORAGE") == ast.DropCompactStorage()
    assert action("WITH comment = 'x'") == ast.AlterOptions((("comment", "x"),))
    assert parse("ALTER TABLE IF EXISTS ks.t DROP a").if_exists


def test_types_and_udts():
    stmt = parse("CREATE TYPE IF NOT EXISTS ks.addr (street text, zip int,)")
    assert stmt == ast.CreateType(Q("ks", "addr"), (("street", TEXT), ("zip", INT)), True)
    assert parse("ALTER TYPE addr ADD country text").action == ast.AddField("country", TEXT)
    assert parse("ALTER TYPE addr RENAME a TO b").action == ast.RenameFields((("a", "b"),))
    assert parse("DROP TYPE IF EXISTS ks.addr") == ast.DropType(Q("ks", "addr"), True)


def test_indexes():
    stmt = parse("CREATE CUSTOM INDEX IF NOT EXISTS idx ON ks.t (keys(m), v) USING 'sai' "
                 "WITH OPTIONS = {'case_sensitive': false}")
    assert stmt == ast.CreateIndex(
        "idx", Q("ks", "t"), (ast.IndexTarget("m", "KEYS"), ast.IndexTarget("v")), True,
        "sai", (("case_sensitive", "false"),), True)
    assert parse("CREATE INDEX ON t (full(f))").targets == (ast.IndexTarget("f", "FULL"),)
    assert parse("DROP INDEX ks.idx") == ast.DropIndex(Q("ks", "idx"))


def test_materialized_view():
    stmt = parse("CREATE MATERIALIZED VIEW ks.mv AS SELECT k, c FROM ks.t WHERE k IS NOT NULL "
                 "AND c IS NOT NULL PRIMARY KEY ((c), k) WITH CLUSTERING ORDER BY (k DESC) "
                 "AND comment = 'x'")
    assert stmt.base == Q("ks", "t") and stmt.partition_key == ("c",)
    assert stmt.clustering == ("k",) and stmt.clustering_order == (("k", "DESC"),)
    assert stmt.options == (("comment", "x"),)
    assert stmt.where[0] == ast.Relation(COL("k"), "IS NOT", ast.Null())


def test_functions_and_aggregates():
    stmt = parse("CREATE OR REPLACE FUNCTION ks.f (a int, b list<text>) CALLED ON NULL INPUT "
                 "RETURNS text LANGUAGE Java AS $$ return a; $$")
    assert stmt == ast.CreateFunction(Q("ks", "f"), (("a", INT), ("b", ast.TypeExpr(
        "list", (TEXT,)))), TEXT, True, "java", " return a; ", True, False)
    assert parse("DROP FUNCTION f").arg_types is None
    assert parse("DROP FUNCTION f()").arg_types == ()
    agg = parse("CREATE AGGREGATE a (int) SFUNC s STYPE int FINALFUNC fin INITCOND 0")
    assert agg == ast.CreateAggregate(Q(None, "a"), (INT,), "s", INT, "fin",
                                      C("integer", "0"))


def test_security_statements():
    stmt = parse("CREATE ROLE IF NOT EXISTS r WITH PASSWORD = 'p' AND LOGIN = true AND "
                 "OPTIONS = {'a': 'b'} AND ACCESS TO DATACENTERS {'dc1'} AND "
                 "ACCESS FROM ALL CIDRS")
    assert stmt == ast.CreateRole("r", ast.RoleOptions(
        password="p", login=True, options=(("a", "b"),), datacenters=("dc1",), cidrs="ALL"),
        True)
    assert parse("CREATE USER Bob WITH PASSWORD 'x' SUPERUSER") == ast.CreateUser(
        "Bob", "x", None, True)
    grant = parse("GRANT SELECT, MODIFY ON KEYSPACE ks TO 'Role'")
    assert grant == ast.GrantPermissions(("SELECT", "MODIFY"),
                                         ast.Resource("KEYSPACE", keyspace="ks"), "Role")
    assert parse("GRANT ALL PERMISSIONS ON ks.t TO r").resource == ast.Resource(
        "TABLE", "ks", "t")
    assert parse("REVOKE EXECUTE ON FUNCTION ks.f(int) FROM r").resource == ast.Resource(
        "FUNCTION", "ks", "f", (INT,))
    assert parse("LIST ALL OF r NORECURSIVE") == ast.ListPermissions(("ALL",), None, "r",
                                                                      False)
    assert parse("GRANT r1 TO r2") == ast.GrantRole("r1", "r2")
    assert parse("LIST ROLES") == ast.ListRoles()
    assert parse("ADD IDENTITY 'id@R' TO ROLE r") == ast.AddIdentity("id@R", "r")


@pytest.mark.parametrize("text, expected", [
    ("DESCRIBE CLUSTER", ast.Describe("CLUSTER")),
    ("DESC FULL SCHEMA", ast.Describe("SCHEMA", full=True)),
    ("DESCRIBE KEYSPACES", ast.Describe("KEYSPACES")),
    ("DESCRIBE ONLY KEYSPACE ks WITH INTERNALS",
     ast.Describe("KEYSPACE", Q(None, "ks"), only=True, internals=True)),
    ("DESCRIBE KEYSPACE", ast.Describe("KEYSPACE")),
    ("DESCRIBE TABLES", ast.Describe("TABLES")),
    ("DESCRIBE TABLE ks.t", ast.Describe("TABLE", Q("ks", "t"))),
    ("DESCRIBE TYPE t", ast.Describe("TYPE", Q(None, "t"))),
    ("DESCRIBE FUNCTION ks.f", ast.Describe("FUNCTION", Q("ks", "f"))),
    ("DESCRIBE AGGREGATES", ast.Describe("AGGREGATES")),
    ("DESCRIBE INDEX i", ast.Describe("INDEX", Q(None, "i"))),
    ("DESCRIBE MATERIALIZED VIEW v", ast.Describe("MATERIALIZED VIEW", Q(None, "v"))),
    ("DESCRIBE ks.t", ast.Describe("GENERIC", Q("ks", "t"))),
    ("DESCRIBE type", ast.Describe("GENERIC", Q(None, "type"))),
])
def test_describe(text, expected):
    assert parse(text) == expected


# ------------------------------------------------------------------------ syntax errors

_BAD = [
    ("SELECT * FORM t", "line 1:9 mismatched input 'FORM' expecting K_FROM (SELECT * [FORM] t)"),
    ("SELECT * FROM", "line 0:-1 no viable alternative at input '<EOF>'"),
    ("SELECT * FROM t WHERE", "line 0:-1 "),
    ("SELECT * FROM t garbage", "line 1:16 mismatched input 'garbage' expecting EOF"),
    ("SELECT * FROM t; SELECT * FROM u", "line 1:17 mismatched input 'SELECT' expecting EOF"),
    ("SELECT * FROM t WHERE k = 1 OR c = 2", "line 1:28 mismatched input 'OR' expecting EOF"),
    ("SELECT * FROM t WHERE k = 1 ORDER c", "line 1:34 mismatched input 'c' expecting K_BY"),
    ("SELECT a b FROM t", "line 1:9 no viable alternative at input 'b'"),
    ("SELECT from FROM t", "line 1:7 "),
    ("SELECT * FROM t\n  WHERE k == 1", "line 2:11 "),
    ("INSERT INTO t (a) VALUES (b)", "line 1:27 "),
    ("INSERT INTO t (k) VALUES (1) USING TTL 1 IF NOT EXISTS", "line 1:41 "),
    ("DELETE FROM t USING TTL 5 WHERE k = 1",
     "line 1:20 mismatched input 'TTL' expecting K_TIMESTAMP"),
    ("CREATE TABLE test ()", "line 1:19 "),
    ("CREATE TABLE t (k int PRIMARY KEY", "line 0:-1 "),
    ("SELECT @ FROM t", "line 1:7 no viable alternative at character '@'"),
    ("SELECT * FROM t WHERE a = 'open", "line 1:31 mismatched character '<EOF>' expecting '''"),
    ('SELECT "open FROM t', "line 1:19 mismatched character '<EOF>' expecting '\"'"),
    ("SELECT foo(*) FROM t", "line 1:11 "),
    ("SELECT * FROM t WHERE foo(a, 'b')", "line 1:22 "),
    ("SELECT * FROM t LIMIT 1.5", "line 1:22 "),
    ("UPDATE t SET v = 1", "line 0:-1 "),
    ("BEGIN BATCH SELECT * FROM t APPLY BATCH", "line 1:12 "),
    ("CREATE USER role", "line 1:12 "),
    ("", "line 0:-1 no viable alternative at input '<EOF>'"),
    ("  -- only a comment", "line 0:-1 "),
    (";", "line 1:0 "),
    ("SELECT * FROM t WHERE a = 1\n\nAND", "line 0:-1 "),
    ("\n\n  SELECT *\n  FROM t WHERE a = = 1", "line 4:19 "),
]


@pytest.mark.parametrize("text, prefix", _BAD)
def test_syntax_errors_have_antlr_positions(text, prefix):
    with pytest.raises(SyntaxException) as info:
        parse(text)
    assert type(info.value) is SyntaxException
    assert str(info.value).startswith(prefix), str(info.value)


def test_error_snippet_marks_offending_token():
    with pytest.raises(SyntaxException) as info:
        parse("SELECT a, b, c, d, e, f, g, h FROM t WHERE k = 1 LIMT 5 ALLOW FILTERING")
    assert str(info.value) == ("line 1:49 mismatched input 'LIMT' expecting EOF "
                               "(...t WHERE k = 1 [LIMT] 5...)")


@pytest.mark.parametrize("text, message", [
    # InsertTest.testInsertZeroDuration: ANTLR reads the token after an identifier to tell a
    # function call; its snippet brackets the identifier and stops at the token read
    ("INSERT INTO t (a, b) VALUES (15, P)",
     "line 1:34 no viable alternative at input ')' (... b) VALUES (15, [P]))"),
    ("SELECT * FROM t WHERE a = P AND b = 1",
     "line 1:28 no viable alternative at input 'AND' (...FROM t WHERE a = [P] AND...)"),
    ("INSERT INTO t (a, b) VALUES (15, ks.P)", "line 1:37 mismatched input ')' expecting '('"),
])
def test_error_snippet_of_a_lookahead_decision(text, message):
    with pytest.raises(SyntaxException) as info:
        parse(text)
    assert str(info.value) == message


# ------------------------------------------------------------------------ scripts


def test_split_statements_handles_strings_comments_and_batches():
    script = ("USE ks;\n"
              "-- a comment; with a semicolon\n"
              "INSERT INTO t (k, v) VALUES (1, 'a;b');\n"
              "  BEGIN BATCH INSERT INTO t (k) VALUES (2); UPDATE t SET v = ';' WHERE k = 3;"
              " APPLY BATCH;\n"
              "/* block ; */ SELECT * FROM \"we;ird\"\n"
              ";;\n"
              "SELECT $$;$$ FROM t")
    parts = split_statements(script)
    assert [p.text for p in parts] == [
        "USE ks",
        "INSERT INTO t (k, v) VALUES (1, 'a;b')",
        ("BEGIN BATCH INSERT INTO t (k) VALUES (2); UPDATE t SET v = ';' WHERE k = 3; "
        "APPLY BATCH"),
        'SELECT * FROM "we;ird"',
        "SELECT $$;$$ FROM t",
    ]
    assert [(p.line, p.column) for p in parts] == [(1, 0), (3, 0), (4, 2), (5, 14), (7, 0)]
    assert script[parts[2].offset:].startswith("BEGIN BATCH")


def test_parse_statements():
    script = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'};\n" \
             "USE ks;\n\nSELECT * FROM t WHERE k = ?;"
    result = parse_statements(script)
    assert [type(r.statement) for r in result] == [ast.CreateKeyspace, ast.Use, ast.Select]
    assert [r.line for r in result] == [1, 2, 4]
    assert result[2].text == "SELECT * FROM t WHERE k = ?"
    assert result[2].statement.bind_count == 1


def test_parse_statements_reports_script_positions():
    with pytest.raises(SyntaxException) as info:
        parse_statements("USE ks;\nSELECT * FROM t;\n  SELECT * FORM t;")
    assert str(info.value).startswith(
        "line 3:11 mismatched input 'FORM' expecting K_FROM")


# ------------------------------------------------------------------------ robustness

_CQL_WORDS = ["SELECT", "FROM", "WHERE", "AND", "IN", "(", ")", ",", ";", "*", "=", "<", ">", "<=", ">=", "!=", "+", "-", "/", "%", "[", "]", "{", "}", ":", "?", ".", "..", "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "BEGIN", "BATCH", "APPLY", "CREATE", "TABLE", "KEYSPACE", "TYPE", "INDEX", "ON", "WITH", "PRIMARY", "KEY", "IF", "NOT", "EXISTS", "USING", "TTL", "TIMESTAMP", "a", "b", "k", "t", "ks", "1", "-1", "1.5", "'x'", '"Q"', "true", "null", "NaN", "0x1f", "1h", "P1D", "123e4567-e89b-12d3-a456-426614174000", "list", "map", "frozen", "<", ">", "int", "text", "CONTAINS", "LIKE", "IS", "token", "count", "writetime", "CAST", "AS", "ORDER", "BY", "LIMIT", "GRANT", "ROLE", "DESCRIBE", "ALL", "OF", "JSON", "DISTINCT", "--", "/*", "*/", "$$", '"', "'"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_random_text_only_raises_syntax_exception(text):
    try:
        parse(text)
    except SyntaxException:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_CQL_WORDS), max_size=25), st.sampled_from([" ", "", "\n"]))
def test_token_soup_only_raises_cql_errors(words, sep):
    try:
        parse(sep.join(words))
    except (SyntaxException, InvalidRequest) as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        if message.startswith("line"):
            assert re.match(r"^line (0:-1|\d+:\d+) ", message), message


def test_non_string_input_is_a_syntax_error():
    with pytest.raises(SyntaxException):
        parse(None)


def test_long_statements_are_not_cached():
    text = "INSERT INTO t (k, v) VALUES (1, '" + "x" * 10000 + "')"
    first = parse(text)
    assert first == parse(text) and first is not parse(text)
    assert first.values[1].text == "x" * 10000


def test_deeply_nested_literal_does_not_recurse():
    depth = 5000
    stmt = parse("SELECT * FROM t WHERE k = " + "[" * depth + "1" + "]" * depth)
    node = stmt.where[0].rhs
    for _ in range(depth):
        node = node.items[0]
    assert node == C("integer", "1")


def test_lexer_tokens_api():
    from cql.syntax.transformer import _parser

    toks = _parser().tokens("SELECT \"A\", 'x''y' -- c\nFROM t WHERE k >= -1.5e3;")
    assert [(t.type, t.value) for t in toks] == [
        ("SELECT", "SELECT"), ("QUOTED_NAME", '"A"'), ("COMMA", ","),
        ("STRING_LITERAL", "'x''y'"), ("FROM", "FROM"), ("IDENT", "t"), ("WHERE", "WHERE"),
        ("IDENT", "k"), ("GTE", ">="), ("MINUS", "-"), ("FLOAT_LIT", "1.5e3"),
        ("SEMICOLON", ";"),
    ]
    assert toks[3].start_pos == 12 and toks[3].end_pos == 18
