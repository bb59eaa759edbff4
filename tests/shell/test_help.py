"""HELP through the real entry point, and every CQL help example run against cassalite."""

from __future__ import annotations

import io
import re

import pytest

import cql
from cassalite.shell.cli import main
from cassalite.shell.help import CQL_HELP, DOC_URL, SHELL_HELP
from cassalite.shell.help_topics import Topic
from cassalite.shell.splitter import split_statements

from .shellio import FakeTTY


def run(*commands: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = main(["--memory", "-e", "; ".join(commands)], stdout=out, stderr=err,
              stdin=FakeTTY(""))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _home(isolated_home):
    return isolated_home


HELP_SELECT = f"""
        SELECT

        SELECT [JSON] [DISTINCT] * | <selector> [AS <alias>], ...
          FROM [<keyspace>.]<table>
          [WHERE <relation> [AND <relation> ...]]
          [GROUP BY <primary key columns>]
          [ORDER BY <clustering column> [ASC | DESC], ...]
          [PER PARTITION LIMIT <n>]
          [LIMIT <n>]
          [ALLOW FILTERING];

        Efficient queries name their partitions: restrict every partition key
        column with = or IN. Clustering columns may then be restricted in key
        order, with equality on the leading ones and a range (<, <=, >, >=)
        only on the last one restricted. Other conditions, such as on regular
        columns or on clustering columns without the preceding ones, are
        refused unless an index covers them or you add ALLOW FILTERING, which
        scans and can be very slow on large tables. ORDER BY accepts only
        clustering columns, needs the partition key restricted, and can only
        keep or exactly reverse the table's clustering order. LIMIT caps the
        whole result, PER PARTITION LIMIT the rows taken from each partition.

        Example (after the CREATE_TABLE example):
          SELECT order_id, status, total FROM shop.orders
            WHERE customer_id = 1 AND order_id > 100
            ORDER BY order_id ASC LIMIT 10;

        Reference: {DOC_URL}#selectStmt

"""


def test_help_select_exact_output():
    assert run("HELP SELECT") == (0, HELP_SELECT, "")


def test_topics_are_case_insensitive_and_several_can_be_given():
    rc, out, err = run("help select")
    assert (rc, out, err) == (0, HELP_SELECT, "")
    rc, out, err = run("HELP Select paging sElEcT")
    assert rc == 0 and err == ""
    assert out == HELP_SELECT + SHELL_HELP["paging"].rstrip() + "\n\n" + HELP_SELECT


def test_unknown_topic_like_cqlsh():
    assert run("HELP nosuchtopic") == (2, "", "<stdin>:1:*** No help on nosuchtopic\n")
    rc, out, err = run("HELP SELECT Bogus")
    assert (rc, out, err) == (2, HELP_SELECT, "<stdin>:1:*** No help on Bogus\n")


def test_words_that_are_no_topic_are_joined_into_a_cql_topic():
    _, create_table, _ = run("HELP CREATE_TABLE")
    assert run("HELP create table") == (0, create_table, "")
    _, view, _ = run("HELP CREATE_MATERIALIZED_VIEW")
    assert run("HELP CREATE MATERIALIZED VIEW") == (0, view, "")
    # Words that are topics keep cqlsh's meaning: SELECT and JSON, not SELECT_JSON.
    _, select_json, _ = run("HELP SELECT_JSON")
    rc, out, _ = run("HELP SELECT JSON")
    assert rc == 0 and out != select_json and out.startswith(HELP_SELECT)
    assert run("HELP DROP") == (2, "", "<stdin>:1:*** No help on DROP\n")


def _listed_topics() -> list[str]:
    rc, out, err = run("HELP")
    assert rc == 0 and err == ""
    words = []
    for line in out.splitlines():
        if line and not line.startswith(("=", "Documented", "CQL help")):
            words += line.split()
    return words


def test_every_listed_topic_has_help():
    topics = _listed_topics()
    assert len(topics) == len(set(topics)) == len(SHELL_HELP) - 1 + len(CQL_HELP)  # not QUIT
    rc, out, err = run("HELP " + " ".join(topics))
    assert (rc, err) == (0, "")
    assert "No help" not in out
    for name in CQL_HELP:
        assert f"\n        {name.upper()}\n\n" in out


@pytest.mark.parametrize("name", sorted(CQL_HELP))
def test_cql_topic_layout(name: str):
    rc, out, err = run(f"HELP {name}")
    assert (rc, err) == (0, "")
    lines = out.split("\n")
    assert lines[:3] == ["", "        " + name.upper(), ""]
    assert lines[-3:] == [f"        Reference: {DOC_URL}#{CQL_HELP[name].anchor}", "", ""]
    for line in lines[:-3]:
        assert len(line) <= 79, line
        assert line == "" or line.startswith("        "), line
        assert line == line.rstrip(), line
    assert any(line.startswith("        Example") for line in lines)


# ------------------------------------------------------------------------ the examples run


def _statements(topic: Topic) -> list[str]:
    statements, rest = split_statements(topic.example + "\n")
    assert rest == ""
    return [st.text for st in statements]


def _prerequisites(name: str) -> list[str]:
    """Topics whose examples must run before this one's, dependencies first."""
    order: list[str] = []

    def visit(topic: str) -> None:
        for dep in CQL_HELP[topic].after:
            if dep not in order:
                visit(dep)
                order.append(dep)

    visit(name)
    return order


def test_examples_share_one_schema():
    for name, topic in CQL_HELP.items():
        for dep in topic.after:
            assert dep in CQL_HELP and not CQL_HELP[dep].unsupported, name
        if "shop." in topic.example and not topic.unsupported:
            assert name == "create_keyspace" or _prerequisites(name), name
    assert _prerequisites("select") == ["create_keyspace", "create_table"]


@pytest.mark.parametrize("name", sorted(CQL_HELP))
def test_example_runs(name: str):
    topic = CQL_HELP[name]
    session = cql.connect(":memory:")
    try:
        for dep in _prerequisites(name):
            for statement in _statements(CQL_HELP[dep]):
                session.execute(statement)
        statements = _statements(topic)
        assert statements
        for statement in statements:
            if topic.unsupported:
                # Cassandra syntax that cassalite parses and then refuses by design.
                with pytest.raises(cql.InvalidRequest, match="not supported by cassalite"):
                    session.execute(statement)
            else:
                session.execute(statement)
    finally:
        session.shutdown()


def test_examples_do_what_they_show():
    """A few examples checked for their effect, not just for running."""
    session = cql.connect(":memory:")
    try:
        for name in ("create_keyspace", "create_table", "insert", "select"):
            rows = [session.execute(s) for s in _statements(CQL_HELP[name])][-1]
        assert [tuple(r) for r in rows] == [(101, "new", pytest.approx(24.5))]
        for statement in _statements(CQL_HELP["update"]):
            assert session.execute(statement).one()[0] is True  # [applied]
        rows = session.execute(_statements(CQL_HELP["aggregates"])[0]).all()
        assert [(r.customer_id, r.orders) for r in rows] == [(1, 1)]
    finally:
        session.shutdown()


def test_no_topic_is_left_a_one_liner():
    for name, topic in CQL_HELP.items():
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(topic.paragraphs))
        assert len(sentences) >= 2, name
        assert topic.synopsis and topic.example.rstrip().endswith(";"), name


def test_help_copy_gives_the_stdin_terminator_that_works():
    # the one COPY FROM STDIN stops at (test_copy.py: test_stdin_ends_at_a_lone_dot)
    rc, out, _ = run("HELP COPY")
    assert rc == 0
    assert "On STDIN, end the data with a line holding only '.' (or with Ctrl-D).\n" in out
    assert "\\." not in out
