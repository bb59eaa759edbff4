"""TRACING and SHOW SESSION in the embedded shell: the engine's trace in cqlsh's layout."""

from __future__ import annotations

import io
import re
import uuid

import cql
from cassalite.shell.core import Shell, ShellSettings


def _shell() -> tuple[Shell, io.StringIO, io.StringIO]:
    session = cql.connect(":memory:")
    out, err = io.StringIO(), io.StringIO()
    shell = Shell(session, ShellSettings(), out=out, err=err)
    shell.feed_text(
        "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1};\nUSE ks;\nCREATE TABLE t (k int PRIMARY KEY, v text);\n"
        "INSERT INTO t (k, v) VALUES (1, 'a');\n")
    return shell, out, err


def _table(output: str) -> list[list[str]]:
    """The cells of the trace table rows in ``output``."""
    return [[c.strip() for c in line.split(" | ")] for line in output.splitlines()
            if line.endswith(" | 127.0.0.1") and not line.startswith(" activity")]


def test_show_session_reprints_a_recorded_trace():
    shell, out, err = _shell()
    shell.feed_text("TRACING ON;\nSELECT * FROM t WHERE k = 1;\nTRACING OFF;\n")
    traced = out.getvalue()
    session_id = re.search(r"Tracing session: ([0-9a-f-]{36})", traced).group(1)
    out.seek(0)
    out.truncate()
    shell.feed_text(f"SHOW SESSION {session_id};\n")
    shown = out.getvalue()
    assert shown.startswith(f"\nTracing session: {session_id}\n\n activity ")
    live, stored = _table(traced), _table(shown)
    assert [r[0] for r in stored] == [r[0] for r in live] == [
        "Execute CQL3 query",
        "Parsing SELECT * FROM t WHERE k = 1; [Native-Transport-Requests]",
        "Preparing statement [Native-Transport-Requests]",
        "Executing single-partition query on t [Native-Transport-Requests]",
        "Reading the partition from memory [ReadStage]",
        "Read 1 live rows and 0 tombstone cells [Native-Transport-Requests]",
        "Request complete",
    ]
    # the stored events keep their times and elapsed microseconds exactly
    assert [r[1:] for r in stored[1:-1]] == [r[1:] for r in live[1:-1]]
    assert stored[-1][3] == live[-1][3]
    assert err.getvalue() == ""


def test_show_session_of_an_unknown_id():
    shell, out, err = _shell()
    missing = uuid.UUID(int=7)
    shell.feed_text(f"SHOW SESSION {missing};\n")
    assert err.getvalue().endswith(f"Session {missing} wasn't found.\n")
