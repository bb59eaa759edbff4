"""The pure completion function against a hand-made schema snapshot (no terminal)."""

from __future__ import annotations

import time

import pytest

from cassalite.shell.completion import (
    BUILTIN_FUNCTIONS,
    KEYSPACE_OPTIONS,
    NATIVE_TYPES,
    TABLE_OPTIONS,
    SchemaSnapshot,
    complete,
    grammar_keywords,
    snapshot,
)

SCHEMA = SchemaSnapshot(
    current_keyspace="ks",
    tables={"ks": {"users": ["id", "name"], "Mixed": ["x"]}, "other": {"events": ["e"]}},
    types={"ks": ["address"], "other": ["point"]},
    functions={"ks": ["my_fn", "my_agg"], "other": ["other_fn"]},
)


@pytest.mark.parametrize(("text", "expected"), [
    ("sel", ["SELECT"]),
    ("SELECT * FROM ", ['"Mixed"', "ks.", "other.", "users"]),
    ("SELECT * FROM us", ["users"]),
    ("select * from other.", ["events"]),
    ("USE ", ["ks", "other"]),
    ("CONSISTENCY lo", ["LOCAL_ONE", "LOCAL_QUORUM", "LOCAL_SERIAL"]),
    ("SERIAL CONSISTENCY ", ["LOCAL_SERIAL", "SERIAL"]),
    ("PAGING ", ["OFF", "ON"]),
    ("SELECT * FROM users WHERE ", ["id", "name", "TOKEN"]),  # WHERE token(id) > ...
    ("UPDATE users SET n", ["name"]),
    ("INSERT INTO users (id, ", ["id", "name"]),
    ("select * from users ", ["ALLOW", "GROUP", "LIMIT", "ORDER", "PER", "WHERE"]),
    ("COPY users TO 'f.csv' WITH HEA", ["HEADER"]),
    ("COPY users TO 'f.csv' WITH HEADER = ", ["false", "true"]),
    ("SHOW ", ["HOST", "REPLICAS", "SESSION", "VERSION"]),
    ("select 1; use o", ["other"]),
    ("SELECT 'unterminated", []),
])
def test_complete(text, expected):
    assert complete(text, SCHEMA) == expected


def test_types_in_create_table():
    out = complete("CREATE TABLE t (a ", SCHEMA)
    assert "int" in out and "address" in out and "frozen" in out


def test_keywords_come_from_grammar():
    kws = grammar_keywords()
    assert "SELECT" in kws and "MATERIALIZED" in kws and "ALLOW" in kws
    assert "MATERIALIZED" in complete("CREATE MAT", SCHEMA) or \
        complete("CREATE MAT", SCHEMA) == ["MATERIALIZED"]


def test_statement_start_offers_shell_commands():
    out = complete("", SCHEMA)
    assert "SELECT" in out and "EXPAND" in out and "exit" in out


def _sorted(words):
    return sorted(words, key=lambda s: (s.lower(), s))


# ---------------------------------------------------------------- keywords: the grammar's
@pytest.mark.parametrize(("text", "expected"), [
    # only what may follow CREATE, not every keyword
    ("CREATE ", ["AGGREGATE", "COLUMNFAMILY", "CUSTOM", "FUNCTION", "INDEX", "KEYSPACE",
                 "MATERIALIZED", "OR", "ROLE", "SCHEMA", "TABLE", "TRIGGER", "TYPE", "USER"]),
    ("ALTER TABLE users ", ["ADD", "ALTER", "DROP", "RENAME", "WITH"]),
    ("INSERT INTO users ", ["JSON"]),
    ("INSERT INTO users (id, name) VALUES ", []),  # only "(" may follow
    ("SELECT * FROM users WHERE id = 1 ", ["ALLOW", "AND", "GROUP", "LIMIT", "ORDER", "PER"]),
    ("SELECT * FROM users WHERE id = 1 GROUP BY id ", ["ALLOW", "LIMIT", "ORDER", "PER"]),
    ("SELECT * FROM users LIMIT 1 ", ["ALLOW"]),
    ("SELECT * FROM users WHERE id = 1 ALLOW ", ["FILTERING"]),
    ("UPDATE users USING ", ["TIMESTAMP", "TTL"]),
    ("INSERT INTO users (id) VALUES (1) ", ["IF", "USING"]),
    ("DELETE FROM users WHERE id = 1 IF ", ["EXISTS", "id", "name"]),
    ("BEGIN BATCH INSERT INTO users (id) VALUES (1); ", ["APPLY", "DELETE", "INSERT", "UPDATE"]),
    ("BEGIN ", ["BATCH", "COUNTER", "UNLOGGED"]),
    ("CREATE TABLE x (a int) WITH CLUSTERING ", ["ORDER"]),
    ("SELECT * FROM users WHERE id = 1 AND tok", ["TOKEN"]),
    ("cre", ["CREATE"]),
])
def test_keywords_are_what_the_grammar_accepts(text, expected):
    assert complete(text, SCHEMA) == expected


def test_unreserved_keywords_are_not_offered_where_they_would_be_identifiers():
    out = complete("SELECT * FROM users WHERE ", SCHEMA)
    for word in ("KEY", "TTL", "TYPE", "COUNT", "INT", "FILTERING", "ALL"):
        assert word not in out
    out = complete("CREATE TABLE x (a int) WITH ", SCHEMA)
    assert "CLUSTERING" in out and "COMPACT" in out and "KEY" not in out


# ---------------------------------------------------------------- names: parser context + schema
@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * FROM ks.", ['"Mixed"', "users"]),
    ("SELECT * FROM other.ev", ["events"]),
    ("INSERT INTO ", ['"Mixed"', "ks.", "other.", "users"]),
    ("INSERT INTO users (", ["id", "name"]),
    ("INSERT INTO other.events (", ["e"]),
    ("UPDATE users SET ", ["id", "name"]),
    ("UPDATE users SET name = 'a' WHERE ", ["id", "name", "TOKEN"]),
    ("DELETE FROM users WHERE ", ["id", "name", "TOKEN"]),
    ("DELETE ", ["FROM", "id", "name", "x"]),  # the table comes later: every column of ks
    ("SELECT * FROM users ORDER BY ", ["id", "name"]),
    ("SELECT * FROM users WHERE token(", ["id", "name"]),
    ("SELECT * FROM \"Mixed\" WHERE ", ["TOKEN", "x"]),
    ("ALTER TABLE users DROP ", ["COMPACT", "id", "IF", "name"]),
    ("ALTER TABLE users DROP (id, ", ["id", "name"]),
    ("ALTER TABLE users ALTER ", ["id", "IF", "name"]),
    ("ALTER TABLE users RENAME ", ["id", "IF", "name"]),
    ("ALTER TABLE users RENAME id TO ", []),  # a new name
    ("ALTER TABLE users ADD ", ["IF"]),  # a new name
    ("CREATE INDEX ON users (", ["ENTRIES", "FULL", "id", "KEYS", "name", "VALUES"]),
    ("CREATE INDEX i ON users (na", ["name"]),
    ("CREATE INDEX i ON users (KEYS(", ["id", "name"]),
    ("CREATE TABLE x (a int, b text, PRIMARY KEY (", ["a", "b"]),
    ("CREATE TABLE x (a int, b text, PRIMARY KEY ((a, ", ["a", "b"]),
    ("CREATE TABLE x (a int, b int, PRIMARY KEY (a, b)) WITH CLUSTERING ORDER BY (", ["a", "b"]),
    ("CREATE TABLE ", ["IF", "ks.", "other."]),  # a new table: only its keyspace
    ("CREATE TABLE x (", ["PRIMARY"]),  # a new column name, or the PRIMARY KEY clause
    ("CREATE KEYSPACE k WITH ", KEYSPACE_OPTIONS),
    ("DROP KEYSPACE ", ["IF", "ks", "other"]),
    ("DROP TABLE ", ['"Mixed"', "IF", "ks.", "other.", "users"]),
    ("TRUNCATE ", ['"Mixed"', "COLUMNFAMILY", "ks.", "other.", "TABLE", "users"]),
    ("DROP TYPE ", ["address", "IF"]),
    ("DROP TYPE other.", ["point"]),
    ("CREATE TYPE ", ["IF"]),
    ("SELECT writetime(", ["id", "name", "x"]),
    ("SELECT * FROM users WHERE \"n", ['"name"']),
    ("USE \"", ['"ks"', '"other"']),
])
def test_names_come_from_parser_context_and_schema(text, expected):
    assert complete(text, SCHEMA) == expected


def test_types_after_a_new_column_name():
    expected = _sorted(NATIVE_TYPES + ["address"])
    assert complete("CREATE TABLE x (a ", SCHEMA) == expected
    assert complete("CREATE TABLE x (a int, b map<text, ", SCHEMA) == expected
    assert complete("ALTER TABLE users ADD c ", SCHEMA) == expected
    assert complete("CREATE TYPE t (f ", SCHEMA) == expected
    # a table of another keyspace uses that keyspace's types
    assert complete("CREATE TABLE other.x (a ", SCHEMA) == _sorted(NATIVE_TYPES + ["point"])
    assert complete("CREATE TABLE x (a other.", SCHEMA) == ["point"]
    assert complete("CREATE TABLE x (a int ", SCHEMA) == ["CHECK", "MASKED", "NOT", "PRIMARY",
                                                          "STATIC"]


def test_table_options_after_with():
    expected = _sorted(TABLE_OPTIONS + ["CLUSTERING", "COMPACT"])
    assert complete("CREATE TABLE x (a int PRIMARY KEY) WITH ", SCHEMA) == expected
    assert complete("CREATE TABLE x (a int PRIMARY KEY) WITH comment = 'c' AND ",
                    SCHEMA) == expected
    assert complete("ALTER TABLE users WITH ", SCHEMA) == _sorted(TABLE_OPTIONS)
    assert complete("CREATE TABLE x (a int PRIMARY KEY) WITH gc", SCHEMA) == \
        ["gc_grace_seconds"]


def test_functions_include_camel_case_aliases_and_schema_functions():
    assert complete("SELECT toj", SCHEMA) == ["toJson"]
    assert complete("SELECT to_j", SCHEMA) == ["to_json"]
    assert complete("SELECT id, blobAsT", SCHEMA) == ["blobAsText", "blobAsTime",
                                                      "blobAsTimestamp", "blobAsTimeuuid",
                                                      "blobAsTinyint"]
    assert complete("SELECT my", SCHEMA) == ["my_agg", "my_fn"]  # UDF and UDA of ks
    assert complete("SELECT other.", SCHEMA) == ["other_fn", "TOKEN"]
    assert complete("INSERT INTO users (id, name) VALUES (1, toTim", SCHEMA) == \
        ["toTimestamp"]
    out = complete("SELECT ", SCHEMA)
    assert {"*", "id", "name", "count", "now", "toJson", "WRITETIME", "TTL", "CAST", "TOKEN",
            "DISTINCT", "JSON", "my_fn"} <= set(out)
    assert "events" not in out and "SELECT" not in out


def test_builtin_function_names_match_the_engine():
    from cql import functions
    from cql.functions import registry

    assert all(functions.function_exists(name.lower()) for name in BUILTIN_FUNCTIONS)
    registry._ensure_built()
    registered = {n for n in [*registry._FUNCTIONS, *registry._FACTORIES]
                  if not n.startswith("_")}
    assert registered == {name.lower() for name in BUILTIN_FUNCTIONS}


def test_shell_commands_still_complete():
    assert complete("EXPAND ", SCHEMA) == ["OFF", "ON"]
    assert complete("TRACING o", SCHEMA) == ["OFF", "ON"]
    assert complete("CAPTURE ", SCHEMA) == ["OFF"]
    assert complete("DESCRIBE KEYSPACE ", SCHEMA) == ["ks", "other"]
    assert complete("DESC TABLE ", SCHEMA) == ['"Mixed"', "ks.", "other.", "users"]
    assert complete("DESCRIBE TYPE ", SCHEMA) == ["address"]
    assert complete("describe materialized ", SCHEMA) == ["VIEW"]
    assert "KEYSPACES" in complete("DESCRIBE ", SCHEMA)
    assert "COLUMNFAMILY" in complete("DESC ", SCHEMA)  # cqlsh: ( "COLUMNFAMILY" | "TABLE" ) cf
    assert complete("COPY ", SCHEMA) == ['"Mixed"', "ks.", "other.", "users"]
    assert complete("COPY users ", SCHEMA) == ["FROM", "TO"]
    assert complete("COPY users (", SCHEMA) == ["id", "name"]
    assert complete("COPY users FROM ", SCHEMA) == ["STDIN"]
    assert complete("COPY users TO 'f.csv' WITH ", SCHEMA)[:2] == ["BEGINTOKEN", "BOOLSTYLE"]
    assert "SELECT" in complete("HELP ", SCHEMA)
    assert complete("SOURCE ", SCHEMA) == []


def test_a_prefix_that_does_not_parse_falls_back_on_the_previous_word():
    assert complete("SELEC * FROM ", SCHEMA) == ['"Mixed"', "ks.", "other.", "users"]
    assert complete("SELECT * FROM users WHERE id = = ", SCHEMA) == []
    assert complete("SELECT * FROM users garbage (( WHERE ", SCHEMA) == ["id", "name"]
    assert complete("select 1 from users; use o", SCHEMA) == ["other"]
    assert "SELECT" in complete("nonsense here; ", SCHEMA)


@pytest.mark.parametrize("text", [
    "SELECT \u00e4", "SELECT $$abc", "SELECT * FROM users WHERE id = 'x", "/* open",
    "SELECT * FROM users WHERE id IN ((1, 2), ", ";;;", "SELECT * FROM ks.\"", "-- c\n",
    "CREATE TABLE x (a int, PRIMARY KEY ((", "SELECT ? FROM ? WHERE ? = ",
])
def test_never_raises(text):
    assert isinstance(complete(text, SCHEMA), list)


def test_every_prefix_of_a_long_statement_completes_without_error():
    text = ("CREATE TABLE IF NOT EXISTS ks.t (id int, c text, m map<text, frozen<list<int>>>, "
            "PRIMARY KEY ((id), c)) WITH CLUSTERING ORDER BY (c DESC) AND comment = 'x'; "
            "SELECT id, toJson(m), writetime(c) FROM users WHERE id IN (1, 2) AND c > 'a' "
            "ORDER BY c DESC PER PARTITION LIMIT 2 LIMIT 10 ALLOW FILTERING;")
    for i in range(len(text) + 1):
        assert isinstance(complete(text[:i], SCHEMA), list)


def test_completion_is_fast_on_a_long_statement():
    cols = [f"c{i}" for i in range(60)]
    schema = SchemaSnapshot(current_keyspace="ks", tables={"ks": {"t": ["id", *cols]}})
    text = ("SELECT id, toJson(c1), count(*) FROM t WHERE " +
            " AND ".join(f"c{i} = {i}" for i in range(60)) + " AND ")
    assert complete(text, schema)[:2] == ["c0", "c1"]  # warm the cached tables
    n = 50
    start = time.perf_counter()
    for _ in range(n):
        complete(text, schema)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 0.02  # ~1 ms here; generous for slow CI machines


def test_snapshot_reads_the_live_schema():
    import cql

    session = cql.connect(":memory:")
    try:
        session.execute("CREATE KEYSPACE ks WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("USE ks")
        session.execute("CREATE TYPE address (street text)")
        session.execute("CREATE TABLE users (id int PRIMARY KEY, name text)")
        snap = snapshot(session)
        assert snap.current_keyspace == "ks"
        assert sorted(snap.tables["ks"]["users"]) == ["id", "name"]
        assert snap.types["ks"] == ["address"]
        assert complete("SELECT * FROM users WHERE ", snap) == ["id", "name", "TOKEN"]
        assert "address" in complete("CREATE TABLE t (a ", snap)
        # virtual keyspaces are completed too, as cqlsh does from the driver's metadata
        assert {"system_views", "system_virtual_schema"} <= set(complete("USE ", snap))
        assert "settings" in complete("SELECT * FROM system_views.", snap)
        assert "name" in complete("SELECT * FROM system_views.settings WHERE ", snap)
        # index names: after DESC INDEX, and among DESC's names (cqlsh's <indexName>)
        session.execute("CREATE INDEX users_name ON users (name)")
        snap = snapshot(session)
        assert {"users_name", "ks."} <= set(complete("DESC INDEX ", snap))
        assert complete("DESC INDEX ks.", snap) == ["users_name"]
        assert "users_name" in complete("DESC ", snap)
    finally:
        session.close()
