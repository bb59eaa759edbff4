"""CQL grammar files and their cached Lark parsers.

This package knows Lark and nothing else: callers pass their own transformer / postlexer.
Building the LALR tables takes a while, so Lark's on-disk cache is used (keyed by the
grammar's hash) and each parser is built once per process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

from lark import Lark

from grammar.fastlalr import FastLALR
from grammar.lexer import CqlLexer

GRAMMAR_DIR = Path(__file__).resolve().parent
CQL_GRAMMAR = GRAMMAR_DIR / "cql.lark"


def _cache_path(name: str, text: str) -> str | bool:
    """Where Lark keeps its pickled tables (one file per grammar version, so checkouts with
    different grammars do not overwrite each other's); False if no writable directory."""
    directory = os.environ.get("CASSALITE_GRAMMAR_CACHE") or tempfile.gettempdir()
    if not os.access(directory, os.W_OK):
        return False
    uid = os.getuid() if hasattr(os, "getuid") else 0
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return os.path.join(directory, f".cassalite_{name}_{uid}_{digest}.lark_cache")


@cache
def load_parser(transformer: object | None = None, postlex: object | None = None,
                start: str = "start", lexer: str = "cql") -> Lark:
    """The LALR parser for cql.lark.

    ``lexer`` is "cql" (grammar.lexer.CqlLexer: fast, keyword-exact like Cassandra's ANTLR
    lexer; the default) or one of Lark's ("contextual", "basic"). With a transformer, it is
    applied inline while parsing, so ``parse`` returns its result instead of a tree.
    """
    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    options = {
        "parser": "lalr",
        "lexer": CqlLexer if lexer == "cql" else lexer,
        "start": start,
        "maybe_placeholders": True,
        "propagate_positions": False,
        "transformer": transformer,
        "postlex": postlex,
    }
    cache_file = _cache_path(f"cql_{lexer}", text)
    if cache_file:
        try:
            return Lark(text, cache=cache_file, **options)
        except OSError:  # e.g. the cache file cannot be written; Lark handles bad reads
            pass
    return Lark(text, **options)


@cache
def load_fast_parser(transformer: object | None = None, start: str = "start") -> FastLALR:
    """A FastLALR driver over ``load_parser(transformer, start=start)``: same grammar,
    tables and callbacks, several times faster per statement."""
    return FastLALR(load_parser(transformer, start=start), start)
