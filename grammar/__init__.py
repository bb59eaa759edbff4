"""CQL grammar (cql.lark) and its parsers.

This package knows Lark and nothing else (callers bring their own transformer).

* ``load_parser(transformer)`` is what the engine uses: a :class:`grammar.runtime.Parser`
  running precomputed LALR tables. The tables are computed by Lark from cql.lark on first
  use and cached on disk as plain data (keyed by a hash of the grammar and the Lark
  version), so later processes load them in a few milliseconds without importing Lark.
* ``load_lark()`` gives a regular Lark parser producing parse trees, for tooling and tests.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from cassalite.grammar.runtime import (
    TABLES_FORMAT,
    GrammarSyntaxError,
    Parser,
    Token,
    UnexpectedCharacter,
    UnexpectedToken,
)

__all__ = [
    "CQL_GRAMMAR", "GrammarSyntaxError", "Parser", "Token", "UnexpectedCharacter",
    "UnexpectedToken", "build_tables", "load_lark", "load_parser", "load_tables",
]

GRAMMAR_DIR = Path(__file__).resolve().parent
CQL_GRAMMAR = GRAMMAR_DIR / "cql.lark"

_LARK_OPTIONS = {"parser": "lalr", "maybe_placeholders": True, "start": "start"}


def _cache_dir() -> str | None:
    directory = os.environ.get("CASSALITE_GRAMMAR_CACHE") or tempfile.gettempdir()
    return directory if os.access(directory, os.W_OK) else None


def _lark_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lark")
    except PackageNotFoundError:  # pragma: no cover - lark vendored without metadata
        return "unknown"


def _tables_path(text: str) -> str | None:
    directory = _cache_dir()
    if directory is None:
        return None
    key = f"{TABLES_FORMAT}\0{_lark_version()}\0{text}".encode()
    digest = hashlib.sha256(key).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return os.path.join(directory, f".cassalite_cql_tables_{uid}_{digest}.pickle")


def load_lark(lexer: str = "contextual", **options: Any):
    """A Lark LALR parser for cql.lark that builds parse trees (slow to build; not cached
    in-process, Lark's own on-disk cache is used when a writable temp dir exists)."""
    from lark import Lark

    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    kwargs = {**_LARK_OPTIONS, "lexer": lexer, **options}
    directory = _cache_dir()
    if directory is not None and "transformer" not in options:
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        kwargs["cache"] = os.path.join(directory, f".cassalite_cql_lark_{lexer}_{digest}")
    return Lark(text, **kwargs)


def build_tables() -> dict:
    """Run Lark's LALR analysis on cql.lark and return the runtime tables."""
    from lark import Lark

    from cassalite.grammar.runtime import tables_from_lark

    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    return tables_from_lark(Lark(text, lexer="basic", **_LARK_OPTIONS))


@cache
def load_tables() -> dict:
    """The runtime tables, from the on-disk cache when it matches the grammar."""
    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    path = _tables_path(text)
    if path is not None:
        try:
            with open(path, "rb") as f:
                tables = pickle.load(f)
            if tables.get("format") == TABLES_FORMAT:
                return tables
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            pass
    tables = build_tables()
    if path is not None:
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: concurrent readers never see a partial file
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return tables


@cache
def load_parser(transformer: Any, start: str = "start") -> Parser:
    """The CQL parser whose result is built by ``transformer`` (one method per rule or
    alias of cql.lark, each called with the list of the rule's children)."""
    return Parser(load_tables(), transformer, start)
