"""Syntax errors with Cassandra's (ANTLR's) shape.

``line L:C <reason> (<snippet with [offending] token>)``, 1-based line and 0-based column;
an unexpected end of input is reported at ``line 0:-1`` like ANTLR's EOF token.
"""

from __future__ import annotations

import re

from cassalite.grammar import GrammarSyntaxError, Token, UnexpectedCharacter, UnexpectedToken
from cql.errors import SyntaxException

from .transformer import _parser, _unescape_string, _unquote_name

_SNIPPET_TOKEN = re.compile(
    r"""[ \t\r\n]+|--[^\n]*|//[^\n]*|/\*[\s\S]*?\*/|'(?:[^']|'')*'?|\$\$[\s\S]*?(?:\$\$|$)"""
    r"""|"(?:[^"]|"")*"?|-?[0-9][A-Za-z0-9_]*(?:\.[0-9]+)?|[A-Za-z0-9_]+(?:\.[0-9]+)?|\.\.|[<>!+\-]=|.""",
    re.DOTALL,
)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1)


def _display(value: str) -> str:
    return value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _snippet(text: str, start: int, end: int, decision: int | None = None) -> str:
    """ANTLR-style context (Cassandra's ErrorCollector): up to 10 tokens before (whitespace
    counts) and 2 after the offending token, which is put in brackets; '...' marks cut
    ends. Lines are joined without separator, as Cassandra does. ``decision``: where the
    parser's failed lookahead decision started, when before the reported token: ANTLR's
    token stream is still there, and has read no further than the reported token."""
    try:
        return _snippet_unchecked(text, start, decision)
    except (IndexError, ValueError):  # never let the decoration hide the error itself
        return ""


def _snippet_unchecked(text: str, start: int, decision: int | None = None) -> str:
    spans = [(m.start(), m.end()) for m in _SNIPPET_TOKEN.finditer(text)]
    index = next((i for i, (s, _) in enumerate(spans) if s >= start), None)
    if index is None:
        return ""
    read = len(spans)  # the last token read: EOF (no position) unless a decision stopped
    if decision is not None:
        read = index
        index = next(i for i, (s, _) in enumerate(spans) if s >= decision)
    first = max(0, index - 10)
    last = min(read, index + 2)
    if last >= len(spans):  # the snippet would end on EOF: ANTLR prints none
        return ""
    lines = text.split("\n")
    while len(lines) > 1 and lines[-1] == "":  # Java's split drops trailing empties
        lines.pop()
    from_line, from_col = _line_col(text, spans[first][0])
    to_line, to_col = _line_col(text, spans[last][0])
    to_end = to_col + (spans[last][1] - spans[last][0])
    off_line, off_col = _line_col(text, spans[index][0])
    off_end = off_col + (spans[index][1] - spans[index][0])
    include_start = from_line == 1 and from_col == 0
    include_end = to_line == len(lines) and to_end == len(lines[-1])
    if to_end < len(lines[to_line - 1]):
        lines[to_line - 1] = lines[to_line - 1][:to_end]
    ol = lines[off_line - 1]
    off_end = min(off_end, len(ol))
    lines[off_line - 1] = ol[:off_col] + "[" + ol[off_col:off_end] + "]" + ol[off_end:]
    lines[from_line - 1] = lines[from_line - 1][from_col:]
    body = "".join(lines[from_line - 1:to_line])
    return " (" + ("" if include_start else "...") + body + ("" if include_end else "...") + ")"


_TERMINAL_NAMES = {"$END": "EOF", "IDENT": "IDENT", "QUOTED_NAME": "QUOTED_NAME",
                   "EMPTY_QUOTED_NAME": "EMPTY_QUOTED_NAME", "STRING_LITERAL": "STRING_LITERAL",
                   "INTEGER": "INTEGER", "FLOAT_LIT": "FLOAT", "DURATION_LIT": "DURATION",
                   "UUID_LIT": "UUID", "HEXNUMBER": "HEXNUMBER", "TRUE": "BOOLEAN",
                   "FALSE": "BOOLEAN", "QMARK": "QMARK", "STAR": "'*'", "K_SELECT_MASKED":
                   "K_SELECT_MASKED"}


def _terminal_display(name: str) -> str:
    shown = _TERMINAL_NAMES.get(name)
    if shown is not None:
        return shown
    value = _parser().terminal_strings.get(name)
    if value is None:
        return name
    if value[:1].isalpha():
        return "K_" + value.upper()
    return f"'{value}'"


def _error_at(text: str, start: int, end: int, reason: str,
              decision: int | None = None) -> SyntaxException:
    line, col = _line_col(text, start)
    err = SyntaxException(f"line {line}:{col} {reason}{_snippet(text, start, end, decision)}")
    err.position = (line, col)
    return err


def _eof_error(reason: str) -> SyntaxException:
    err = SyntaxException(f"line 0:-1 {reason}")
    err.position = (0, -1)
    return err


def _token_text(tok: Token) -> str:
    if tok.type == "STRING_LITERAL":
        return _unescape_string(tok.value) if len(tok.value) >= 2 else tok.value
    if tok.type == "QUOTED_NAME":
        return _unquote_name(tok.value)
    return tok.value


_LAST_NAME = re.compile(r'(?:[A-Za-z][A-Za-z0-9_]*|"(?:[^"]|"")*")\s*$')


def _function_name_start(text: str, start: int, expected: set[str]) -> int | None:
    """An identifier where a term starts is only a function name: ANTLR decides so looking
    at the token after it, and when that is neither '(' nor '.', reports it with its token
    stream still at the identifier (the snippet's bracketed token)."""
    if expected != {"DOT", "LPAR"}:
        return None
    m = _LAST_NAME.search(text, 0, start)
    return m.start() if m else None


def _convert_unexpected(text: str, exc: GrammarSyntaxError) -> SyntaxException:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.value == "/" and text.startswith("/*", tok.start_pos):  # unclosed comment
            line, col = _line_col(text, len(text))
            err = SyntaxException(f"line {line}:{col} mismatched character '<EOF>' expecting "
                                  "'*'")
            err.position = (line, col)
            return err
        expected = {e for e in exc.expected if not e.startswith("__")} or set(exc.expected)
        if tok.type == "$END":
            if len(expected) == 1:
                shown = _terminal_display(next(iter(expected)))
                return _eof_error(f"mismatched input '<EOF>' expecting {shown}")
            return _eof_error("no viable alternative at input '<EOF>'")
        shown_tok = _display(_token_text(tok))
        if "$END" in expected:
            reason = f"mismatched input '{shown_tok}' expecting EOF"
        elif len(expected) == 1:
            reason = (f"mismatched input '{shown_tok}' expecting "
                      f"{_terminal_display(next(iter(expected)))}")
        else:
            reason = f"no viable alternative at input '{shown_tok}'"
        start = tok.start_pos if tok.start_pos is not None else 0
        return _error_at(text, start, tok.end_pos or start, reason,
                         _function_name_start(text, start, expected))
    if isinstance(exc, UnexpectedCharacter):
        pos = exc.pos
        char = text[pos]
        closing = {"'": "'", '"': '"', "$": "$"}.get(char)
        if char == "/" and text.startswith("/*", pos):
            closing = "*"
        if closing is not None:
            line, col = _line_col(text, len(text))
            err = SyntaxException(f"line {line}:{col} mismatched character '<EOF>' expecting "
                                  f"'{closing}'")
            err.position = (line, col)
            return err
        return _error_at(text, pos, pos + 1, f"no viable alternative at character "
                                             f"'{_display(char)}'")
    return _eof_error("no viable alternative at input '<EOF>'")
