"""End-to-end: the real prompt_toolkit application driven through a pipe input.

Covers a multi-line statement, Tab completion against the live schema, ---MORE--- paging,
Ctrl-C cancelling input, history redaction and Ctrl-D exiting.
"""

from __future__ import annotations

import io
import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import cql
from cassalite.shell.core import Shell, ShellSettings
from cassalite.shell.repl import RedactingMemoryHistory, is_complete, redact, run_repl


def _wait_for(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the REPL")


@pytest.fixture
def session():
    s = cql.connect(":memory:")
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("CREATE TABLE ks.users (id int PRIMARY KEY, name text)")
    for i in range(5):
        s.execute(f"INSERT INTO ks.users (id, name) VALUES ({i}, 'u{i}')")
    yield s
    s.close()


def test_repl_multiline_completion_paging(session):
    out = io.StringIO()
    shell = Shell(session, ShellSettings(tty=True, page_size=2), out=out, err=out)
    history = RedactingMemoryHistory()
    with create_pipe_input() as inp:
        thread = threading.Thread(target=run_repl, args=(shell,), daemon=True,
                                  kwargs={"input": inp, "output": DummyOutput(),
                                          "history": history, "banner": False})
        thread.start()
        inp.send_text("USE ks;\r")
        _wait_for(lambda: shell.keyspace == "ks")
        inp.send_text("SELECT id, name\r")        # incomplete: Enter inserts a newline
        inp.send_text("FROM us")
        inp.send_text("\t")                        # completes to 'users'
        time.sleep(0.3)
        inp.send_text(";\r")
        _wait_for(lambda: out.getvalue().count(" id | name") == 1)
        inp.send_text("\r")                        # ---MORE---
        _wait_for(lambda: out.getvalue().count(" id | name") == 2)
        inp.send_text("\r")
        _wait_for(lambda: "(5 rows)" in out.getvalue())
        inp.send_text("SELECT nothing\x03")        # Ctrl-C discards the input
        inp.send_text("CREATE ROLE r WITH PASSWORD = 'hunter2';\r")
        time.sleep(0.3)
        inp.send_text("\x04")                      # Ctrl-D exits
        thread.join(10)
    assert not thread.is_alive()
    text = out.getvalue()
    assert text.count(" id | name\n----+------\n") == 3  # a header on each of the 3 pages
    assert "nothing" not in text
    entries = list(history.load_history_strings())
    assert "SELECT id, name\nFROM users;" in entries
    assert not any("hunter2" in e for e in entries)


def test_is_complete_and_redact():
    assert is_complete("select 1;")
    assert not is_complete("select 1")
    assert is_complete("expand on")
    assert not is_complete("select 'abc;")
    assert is_complete("")
    assert redact("LOGIN bob 'pw'") == "LOGIN bob '********'"
    assert redact("ALTER ROLE r WITH PASSWORD 'x''y'") == "ALTER ROLE r WITH PASSWORD '********'"


def test_repl_copy_from_stdin_keeps_empty_lines_as_rows(session, tmp_path, monkeypatch):
    """An empty line typed at '[copy] ' is a data row (an error for this table, as in cqlsh);
    only '.' ends the data, and the data lines stay out of the statement history."""
    monkeypatch.chdir(tmp_path)  # the failed row goes to import_ks_users.err
    history = RedactingMemoryHistory()
    out = io.StringIO()
    shell = Shell(session, ShellSettings(tty=True), out=out, err=out)
    with create_pipe_input() as inp:
        thread = threading.Thread(target=run_repl, args=(shell,), daemon=True,
                                  kwargs={"input": inp, "output": DummyOutput(),
                                          "history": history, "banner": False})
        thread.start()
        inp.send_text("COPY ks.users FROM STDIN WITH NUMPROCESSES = 1;\r")
        _wait_for(lambda: "[Use . on a line by itself to end input]" in out.getvalue())
        for line in ("7,seven", "", "8,eight", "."):
            inp.send_text(line + "\r")
            time.sleep(0.1)
        _wait_for(lambda: "rows imported" in out.getvalue())
        inp.send_text("\x04")
        thread.join(10)
    text = out.getvalue()
    assert "Invalid row length 0 should be 2" in text
    assert "2 rows imported from 1 files" in text
    assert session.execute("SELECT name FROM ks.users WHERE id = 8").one() is not None
    assert list(history.load_history_strings()) == [
        "COPY ks.users FROM STDIN WITH NUMPROCESSES = 1;"]


def test_ctrl_r_search_then_enter_runs_the_match(session):
    out = io.StringIO()
    shell = Shell(session, ShellSettings(tty=True), out=out, err=out)
    history = RedactingMemoryHistory()
    history.append_string("SELECT name FROM ks.users WHERE id = 3;")
    history.append_string("SELECT id FROM ks.users WHERE id = 1;")
    with create_pipe_input() as inp:
        thread = threading.Thread(target=run_repl, args=(shell,), daemon=True,
                                  kwargs={"input": inp, "output": DummyOutput(),
                                          "history": history, "banner": False})
        thread.start()
        time.sleep(0.3)
        inp.send_text("\x12")                      # Ctrl-R: reverse search
        inp.send_text("name FROM")
        time.sleep(0.3)
        inp.send_text("\r")                        # Enter runs the match at once
        _wait_for(lambda: "(1 rows)" in out.getvalue())
        inp.send_text("\x04")
        thread.join(10)
    assert not thread.is_alive()
    assert " name\n------\n   u3\n" in out.getvalue()


def test_soft_wrapped_lines_get_no_continuation_prompt(session):
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.layout.containers import Window
    from prompt_toolkit.layout.controls import BufferControl

    from cassalite.shell.repl import build_session

    shell = Shell(session, ShellSettings(tty=True), out=io.StringIO())
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        prompt_session = build_session(shell, RedactingMemoryHistory(), input=inp,
                                       output=DummyOutput(), highlight=False)
        prompt_session.message = "cqlsh> "
        window = next(w for w in prompt_session.layout.find_all_windows()
                      if isinstance(w, Window) and isinstance(w.content, BufferControl)
                      and w.content.buffer is prompt_session.default_buffer)
        margin = window.get_line_prefix
        assert "".join(t for _, t in margin(1, 0)) == shell.continuation_prompt() == "       ... "
        assert "".join(t for _, t in margin(0, 1)) == ""  # a soft-wrapped piece of line 1
