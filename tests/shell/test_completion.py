"""The pure completion function against a hand-made schema snapshot."""

from __future__ import annotations

import pytest

from shell.completion import SchemaSnapshot, complete, grammar_keywords

SCHEMA = SchemaSnapshot(
    current_keyspace="ks",
    tables={"ks": {"users": ["id", "name"], "Mixed": ["x"]}, "other": {"events": ["e"]}},
    types={"ks": ["address"]},
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
    ("SELECT * FROM users WHERE ", ["id", "name"]),
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
