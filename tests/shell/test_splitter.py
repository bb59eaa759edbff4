"""Statement splitting: cqlsh's termination rules, incremental."""

from __future__ import annotations

import pytest

from cassalite.shell.splitter import LexingError, Splitter, split_statements


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


def test_line_comment_takes_its_newline_along():
    # cqlsh's comment token ends with the line end, so a shell command goes on
    sp = Splitter()
    sp.feed("EXPAND ON -- c\n")
    assert sp.pending and sp.take() == []
    sp.feed("SELECT key FROM system.local;\n")
    [st] = sp.take()
    assert st.first_word == "expand"
    assert st.text == "EXPAND ON \nSELECT key FROM system.local;"
    # words either side of a comment stay apart
    assert texts("select a--c\nfrom t;\n") == ["select a\nfrom t;"]
    # a comment ending at "\r" leaves the "\n" to end the command
    assert texts("expand on // c\r\nselect 1;\n") == ["expand on", "select 1;"]


@pytest.mark.parametrize(
    ("src", "line", "char", "text"),
    [
        ("select a|b from t;\n", 1, 9, "select a|b from t;"),
        ("select #, &, @ from t;\n", 1, 8, "select #, &, @ from t;"),
        ("select\n\\ from t;\n", 2, 1, "\\ from t;"),
        ("select ^ ~ from t;\n", 1, 8, "select ^ ~ from t;"),
        ("select _a from t;\n", 1, 8, "select _a from t;"),
        ("select 1_a from t;\n", 1, 9, "select 1_a from t;"),
        ("select a from t where k = $a;\n", 1, 27, "select a from t where k = $a;"),
        ("select a from t where k = $\nx;\n", 1, 27, "select a from t where k = $"),
        ("select \u00e9 from t;\n", 1, 8, "select \u00e9 from t;"),
        ("select \xa0a from t;\n", 1, 8, "select \xa0a from t;"),
        ("select \x01 from t;\n", 1, 8, "select \x01 from t;"),
        ("select 1;\nselect a|b;\n", 2, 9, "select a|b;"),
    ],
)
def test_characters_cqlsh_cannot_lex(src, line, char, text):
    sp = Splitter()
    with pytest.raises(LexingError) as info:
        sp.feed(src)
    assert (info.value.line, info.value.char, info.value.text) == (line, char, text)


def test_what_cqlsh_lexes_is_accepted():
    assert texts("select a_b, x1_ from t where k = ? and v = $$a|b$$;\n") == [
        "select a_b, x1_ from t where k = ? and v = $$a|b$$;"]
    assert texts("select '#|~' from t; -- @#$\n") == ["select '#|~' from t;"]
    assert texts('select "@a" from t /* ^ */;\n') == ['select "@a" from t  ;']


def test_end_of_input():
    sp = Splitter()
    sp.feed("-- only a comment")
    assert not sp.end_of_input()
    for src in ("/* open\n", "select 1", "select 1; /* open\n", "select 'x\n", "show version"):
        sp = Splitter()
        sp.feed(src)
        assert sp.end_of_input(), src
    sp = Splitter()
    sp.feed("select $")
    with pytest.raises(LexingError) as info:
        sp.end_of_input()
    assert (info.value.line, info.value.char) == (1, 8)
