"""A Pygments lexer for CQL, used for REPL highlighting and registered as the ``cql`` lexer.

Pygments is optional at run time: without it the REPL simply does not highlight.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from .completion import BUILTIN_FUNCTIONS, NATIVE_TYPES, SHELL_COMMANDS, grammar_keywords

_TYPES = tuple(t for t in NATIVE_TYPES)
_SHELL = tuple(c.upper() for c in SHELL_COMMANDS) + ("QUIT", "EXIT", "HISTORY", "SERIAL")


class CqlLexer(RegexLexer):
    """Cassandra Query Language, plus cqlsh's shell commands."""

    name = "CQL"
    aliases = ("cql", "cqlsh")  # type: ignore[assignment]
    filenames = ("*.cql",)  # type: ignore[assignment]
    mimetypes = ("text/x-cql",)  # type: ignore[assignment]
    flags = re.IGNORECASE | re.MULTILINE

    tokens = {  # noqa: RUF012 - Pygments reads the class attribute
        "root": [
            (r"\s+", Whitespace),
            (r"(--|//).*?$", Comment.Single),
            (r"/\*", Comment.Multiline, "comment"),
            (r"\$\$", String.Heredoc, "dollar"),
            (r"'", String.Single, "string"),
            (r'"', Name.Quoted, "qident"),
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", Number.Hex),
            (r"0x[0-9a-f]*", Number.Hex),
            (r"-?\d+(\.\d+)?(e[+-]?\d+)?(?![a-z_])", Number),
            (r"-?\d+(y|mo|w|d|h|m|s|ms|us|µs|ns)+", Number),
            (words(("true", "false", "null", "nan", "infinity"), suffix=r"\b"), Keyword.Constant),
            (words(_TYPES, suffix=r"\b"), Keyword.Type),
            (r"(" + "|".join(BUILTIN_FUNCTIONS) + r")(\s*)(\()", bygroups(Name.Function, Text,
                                                                  Punctuation)),
            (words(_SHELL, prefix=r"^", suffix=r"\b"), Keyword.Pseudo),
            (words(grammar_keywords(), suffix=r"\b"), Keyword),
            (r"[a-z_][a-z0-9_]*", Name),
            (r"[-+*/%=<>!]=?|\?", Operator),
            (r"[;,.()\[\]{}:]", Punctuation),
            (r".", Text),
        ],
        "comment": [
            (r"[^*]+", Comment.Multiline),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"\*", Comment.Multiline),
        ],
        "dollar": [
            (r"\$\$", String.Heredoc, "#pop"),
            (r"[^$]+", String.Heredoc),
            (r"\$", String.Heredoc),
        ],
        "string": [
            (r"''", String.Escape),
            (r"'", String.Single, "#pop"),
            (r"[^']+", String.Single),
        ],
        "qident": [
            (r'""', Name.Quoted),
            (r'"', Name.Quoted, "#pop"),
            (r'[^"]+', Name.Quoted),
        ],
    }
