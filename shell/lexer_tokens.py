"""A small CQL tokenizer for the shell's own parsing (shell commands, COPY, completion)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^']|'')*(?:'|\Z))
  | (?P<qident>"(?:[^"]|"")*(?:"|\Z))
  | (?P<dollar>\$\$.*?(?:\$\$|\Z))
  | (?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
  | (?P<number>-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # word, qident, string, dollar, uuid, number, op
    value: str  # strings and quoted identifiers unquoted
    raw: str
    start: int
    end: int
    closed: bool = True  # False for an unterminated string / quoted identifier


def tokenize(text: str, *, keep_comments: bool = False) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "op"
        raw = m.group(0)
        if kind == "ws" or (kind == "comment" and not keep_comments):
            continue
        value, closed = raw, True
        if kind == "string":
            closed = _closed(raw, "'")
            value = (raw[1:-1] if closed else raw[1:]).replace("''", "'")
        elif kind == "qident":
            closed = _closed(raw, '"')
            value = (raw[1:-1] if closed else raw[1:]).replace('""', '"')
        out.append(Token(kind, value, raw, m.start(), m.end(), closed))
    return out


def _closed(raw: str, q: str) -> bool:
    """Whether a quoted token's last quote closes it (doubled quotes are escapes)."""
    if len(raw) < 2 or not raw.endswith(q):
        return False
    body = raw[1:-1]
    return body.replace(q + q, "").count(q) == 0


def unquote_name(tok: Token) -> str:
    """Identifier as stored: quoted ones kept, bare ones lower-cased."""
    return tok.value if tok.kind == "qident" else tok.value.lower()


def qualified_name_at(tokens: list[Token], j: int) -> tuple[str | None, str] | None:
    """The ``[keyspace.]name`` starting at token ``j`` (names as stored), if one does."""
    if j >= len(tokens) or tokens[j].kind not in ("word", "qident"):
        return None
    if j + 2 < len(tokens) and tokens[j + 1].value == "." and \
            tokens[j + 2].kind in ("word", "qident"):
        return unquote_name(tokens[j]), unquote_name(tokens[j + 2])
    return None, unquote_name(tokens[j])
