"""A fast, ANTLR-like lexer for cql.lark, plugged into Lark's LALR parser.

Why not Lark's own lexers: profiling showed lexing was about half of the parse time, and
Lark's contextual lexer costs ~0.25 s to rebuild its 380 per-state scanners on every
process start. This lexer compiles one regular expression from the grammar's own terminal
definitions and resolves keywords with a dict lookup, which is also exactly what
Cassandra's (non-contextual) ANTLR lexer does: a keyword is always a keyword token, and
the grammar accepts unreserved keywords where identifiers are allowed.

Order of alternatives follows Lark's rules (priority, then longest pattern), so the
terminals behave as declared in cql.lark; string terminals made of letters are keywords,
the other string terminals are punctuation, matched longest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, LexerState, Token

_new_token = Token._future_new  # Token() minus its keyword-argument shim


class CqlLexer(Lexer):
    """Lexer for Lark's ``lexer=`` option (future interface 2: gets state objects)."""

    __future_interface__ = 2

    #: terminal whose matches are looked up in the keyword table
    IDENT = "IDENT"

    def __init__(self, lexer_conf: Any, *_: Any) -> None:
        keywords: dict[str, str] = {}
        punctuation: dict[str, str] = {}
        regexps = []
        for term in lexer_conf.terminals:
            pattern = term.pattern
            if pattern.type == "str":
                if pattern.value[:1].isalpha():
                    keywords[pattern.value.lower()] = term.name
                else:
                    punctuation[pattern.value] = term.name
            else:
                regexps.append(term)
        regexps.sort(key=lambda t: (-t.priority, -t.pattern.max_width,
                                    -len(t.pattern.value), t.name))
        parts = [f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in regexps]
        if punctuation:
            ops = sorted(punctuation, key=len, reverse=True)
            parts.append("(?P<_PUNCT>" + "|".join(re.escape(o) for o in ops) + ")")
        self.keywords = keywords
        self.punctuation = punctuation
        self.ignore = frozenset(lexer_conf.ignore)
        self.terminals_by_name = lexer_conf.terminals_by_name
        self.regex = re.compile("|".join(parts), lexer_conf.g_regex_flags)

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        text_slice = lexer_state.text
        text = text_slice.text
        pos, end = text_slice.start, text_slice.end
        match = self.regex.match
        keywords, punctuation, ignore = self.keywords, self.punctuation, self.ignore
        ident = self.IDENT
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                line = text.count("\n", 0, pos) + 1
                column = pos - text.rfind("\n", 0, pos)
                raise UnexpectedCharacters(text, pos, line, column, state=parser_state,
                                           terminals_by_name=self.terminals_by_name)
            kind = m.lastgroup
            new_pos = m.end()
            if kind in ignore:
                pos = new_pos
                continue
            value = m.group()
            if kind == ident:
                kind = keywords.get(value.lower(), ident)
            elif kind == "_PUNCT":
                kind = punctuation[value]
            token = _new_token(kind, value, pos, None, None, None, None, new_pos)
            lexer_state.last_token = token
            yield token
            pos = new_pos
