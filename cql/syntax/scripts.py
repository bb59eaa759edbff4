"""Scripts: splitting text into statements at top-level ``;`` and parsing each one,
with error positions relative to the whole script."""

from __future__ import annotations

import re
from typing import NamedTuple

from cql.errors import SyntaxException

from . import ast
from .errors import _SNIPPET_TOKEN, _error_at, _line_col
from .parser import parse


class StatementSource(NamedTuple):
    """One statement of a script: its text (without the ``;``), offset, 1-based line and
    0-based column of its first character."""

    text: str
    offset: int
    line: int
    column: int


class ScriptStatement(NamedTuple):
    statement: ast.Statement
    text: str
    line: int
    offset: int


_SPLIT_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]+)|(?P<comment>--[^\n]*|//[^\n]*|/\*[\s\S]*?(?:\*/|$))"""
    r"""|(?P<str>'(?:[^']|'')*(?:'|$)|\$\$[\s\S]*?(?:\$\$|$)|"(?:[^"]|"")*(?:"|$))"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<semi>;)|(?P<other>[0-9]+|.)""",
    re.DOTALL,
)


def split_statements(text: str) -> list[StatementSource]:
    """Split a script at top-level ``;`` (not inside strings, comments, quoted names or a
    BEGIN ... APPLY BATCH block). Empty statements are dropped."""
    out: list[StatementSource] = []
    start = -1            # offset of the current statement's first token
    end = -1              # end offset of its last token
    first_word = None
    in_batch = False
    prev_word = ""
    for m in _SPLIT_TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "semi" and not in_batch:
            if start >= 0:
                out.append(_source(text, start, end))
            start, first_word, prev_word = -1, None, ""
            continue
        if start < 0:
            start = m.start()
        end = m.end()
        if kind == "word":
            word = m.group().lower()
            if first_word is None:
                first_word = word
                in_batch = word == "begin"
            elif in_batch and word == "batch" and prev_word == "apply":
                in_batch = False
            prev_word = word
        else:
            if first_word is None:
                first_word = ""
            prev_word = ""
    if start >= 0:
        out.append(_source(text, start, end))
    return out


def _source(text: str, start: int, end: int) -> StatementSource:
    line, col = _line_col(text, start)
    return StatementSource(text[start:end], start, line, col)


def parse_statements(text: str) -> list[ScriptStatement]:
    """Parse a script of ``;``-separated statements.

    A syntax error is raised for the first bad statement, with line/column relative to the
    whole script.
    """
    result = []
    for src in split_statements(text):
        try:
            stmt = parse(src.text)
        except SyntaxException as exc:
            raise _relocate(exc, text, src) from None
        result.append(ScriptStatement(stmt, src.text, src.line, src.offset))
    return result


_POSITION = re.compile(r"^line (\d+):(-?\d+) ")


def _relocate(exc: SyntaxException, text: str, src: StatementSource) -> SyntaxException:
    """Re-express a statement-relative error position relative to the whole script."""
    message = str(exc)
    m = _POSITION.match(message)
    if not m or m.group(1) == "0":
        return exc
    line, col = int(m.group(1)), int(m.group(2))
    rel = _offset_of(src.text, line, col)
    rest = message[m.end():]
    reason = rest.split(" (", 1)[0] if rest.endswith(")") and " (" in rest else rest
    abs_pos = src.offset + rel
    tok = _SNIPPET_TOKEN.match(text, abs_pos)
    new = _error_at(text, abs_pos, tok.end() if tok else abs_pos + 1, reason)
    if type(new) is not type(exc):
        return exc
    return new


def _offset_of(text: str, line: int, col: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos + col
