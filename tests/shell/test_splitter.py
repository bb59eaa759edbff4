"""Statement splitting: cqlsh's termination rules, incremental."""

from __future__ import annotations

import pytest

from shell.splitter import LexingError, Splitter, split_statements


def texts(src: str) -> list[str]:
    done, _ = split_statements(src)
    return [s.text for s in done]


def test_semicolons_strings_comments():
    assert texts("select 1; select 'a;b';\n") == ["select 1;", "select 'a;b';"]
    assert texts('select "we;ird" from t; -- c;\n') == ['select "we;ird" from t;']
    assert texts("/* ; */ select 1;\n") == ["select 1;"]
    assert texts("select 'it''s;' from t;\n") == ["select 'it''s;' from t;"]


def test_dollar_bodies_and_batches():
    assert texts("create function f() as $$ a; b $$;\n") == ["create function f() as $$ a; b $$;"]
    src = "BEGIN BATCH\n insert into t (k) values (1);\n insert into t (k) values (2);\nAPPLY BATCH;\n"
    assert len(texts(src)) == 1


def test_shell_commands_end_at_newline():
    done, rest = split_statements("expand on\nselect 1\n")
    assert [s.text for s in done] == ["expand on"]
    assert rest == "select 1"


def test_pending_while_open():
    sp = Splitter()
    sp.feed("select 'abc\n")
    assert sp.pending
    sp.feed("def';\n")
    assert not sp.pending
    assert [s.first_word for s in sp.take()] == ["select"]


def test_comment_only_line_is_not_pending():
    sp = Splitter()
    sp.feed("-- nothing here\n")
    assert not sp.pending and sp.take() == []


def test_lexing_error_position():
    sp = Splitter()
    with pytest.raises(LexingError) as info:
        sp.feed("select ` from t;\n")
    assert (info.value.line, info.value.char, info.value.text) == (1, 8, "select ` from t;")
