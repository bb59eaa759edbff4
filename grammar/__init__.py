"""CQL grammar (cql.lark) and its parsers.

This package knows Lark and nothing else (callers bring their own transformer).

* ``load_parser(transformer)`` is what the engine uses: a :class:`grammar.runtime.Parser`
  running precomputed LALR tables. The tables ship beside the grammar as plain JSON
  (``cql_tables.json``, written by ``python -m cassalite.grammar``) together with the
  SHA-256 digest of the grammar they were built from. Loading checks the digest; when the
  grammar has changed since, the tables are rebuilt in memory with Lark (and, to spare the
  next process the two seconds, kept as JSON in the user's private cache directory).
  Nothing is ever loaded with pickle or from a shared temporary directory.
* ``load_lark()`` gives a regular Lark parser producing parse trees, for tooling and tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
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
    tables_from_data,
    tables_to_data,
)

__all__ = [
    "CQL_GRAMMAR", "CQL_TABLES", "GrammarSyntaxError", "Parser", "Token",
    "UnexpectedCharacter", "UnexpectedToken", "build_tables", "grammar_digest", "load_lark",
    "load_parser", "load_tables", "private_cache_dir", "write_tables",
]

GRAMMAR_DIR = Path(__file__).resolve().parent
CQL_GRAMMAR = GRAMMAR_DIR / "cql.lark"
CQL_TABLES = GRAMMAR_DIR / "cql_tables.json"


def _log():
    """The package's logger; ``logging`` is imported only when there is something to say
    (it is not needed by ``import cql``)."""
    import logging

    return logging.getLogger("cassalite.grammar")


_LARK_OPTIONS = {"parser": "lalr", "maybe_placeholders": True, "start": "start"}


def grammar_digest(text: str | None = None) -> str:
    """SHA-256 of the tables format and the grammar text: what a tables file must match."""
    if text is None:
        text = CQL_GRAMMAR.read_text(encoding="utf-8")
    return hashlib.sha256(f"{TABLES_FORMAT}\0{text}".encode()).hexdigest()


def _lark_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lark")
    except PackageNotFoundError:  # pragma: no cover - lark vendored without metadata
        return "unknown"


def load_lark(lexer: str = "contextual", **options: Any):
    """A Lark LALR parser for cql.lark that builds parse trees (slow to build: a couple of
    seconds; nothing is cached on disk)."""
    from lark import Lark

    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    return Lark(text, **{**_LARK_OPTIONS, "lexer": lexer, **options})


def build_tables() -> dict:
    """Run Lark's LALR analysis on cql.lark and return the runtime tables (canonical
    numbering: the same grammar always gives equal tables)."""
    from lark import Lark

    from cassalite.grammar.runtime import tables_from_lark

    text = CQL_GRAMMAR.read_text(encoding="utf-8")
    return tables_from_lark(Lark(text, lexer="basic", **_LARK_OPTIONS))


def _document(tables: dict, digest: str) -> str:
    """JSON, one state or rule per line (reviewable diffs when the grammar changes)."""
    doc = {"grammar_sha256": digest, "lark_version": _lark_version(),
           **tables_to_data(tables)}

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    lines = []
    for key in sorted(doc):
        value = doc[key]
        if key in ("states", "rules"):
            items = ",\n".join(f"  {dump(v)}" for v in value)
            lines.append(f"{dump(key)}: [\n{items}\n ]")
        else:
            lines.append(f"{dump(key)}: {dump(value)}")
    return "{\n " + ",\n ".join(lines) + "\n}\n"


def write_tables(path: Path = CQL_TABLES) -> Path:
    """Build the tables and write them as JSON (what ``python -m cassalite.grammar`` and
    packaging run). Atomic: readers never see a partial file."""
    text = _document(build_tables(), grammar_digest())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _read_tables(raw: bytes, digest: str) -> dict | None:
    """Tables from a JSON document if it was built from the grammar with ``digest``."""
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("grammar_sha256") != digest:
            return None
        return tables_from_data(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


# ---------------------------------------------------------------------- private cache


def private_cache_dir(create: bool = False) -> Path | None:
    """cassalite's directory in the user's cache directory ($XDG_CACHE_HOME or ~/.cache),
    or None when it cannot be trusted: it must be a real directory (not a symlink) owned
    by the current user and writable by no one else. Created 0700 when ``create``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    path = Path(base) / "cassalite"
    if create:
        try:
            os.makedirs(base, mode=0o700, exist_ok=True)
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
    return path if _trusted(path, directory=True) else None


def _trusted(path: Path, *, directory: bool) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    kind_ok = stat.S_ISDIR(st.st_mode) if directory else stat.S_ISREG(st.st_mode)
    uid = os.getuid() if hasattr(os, "getuid") else st.st_uid
    return kind_ok and st.st_uid == uid and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_private(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file owned by us and writable by no one else
    (checked on the open descriptor, so a swapped-in symlink or file is refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        uid = os.getuid() if hasattr(os, "getuid") else st.st_uid
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != uid
                or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
            _log().warning("Ignoring %s: not a private file of the current user", path)
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def _cache_file(directory: Path, digest: str) -> Path:
    return directory / f"cql_tables_{digest[:32]}.json"


def _load_cached(digest: str) -> dict | None:
    directory = private_cache_dir()
    if directory is None:
        return None
    raw = _read_private(_cache_file(directory, digest))
    return None if raw is None else _read_tables(raw, digest)


def _store_cached(tables: dict, digest: str) -> None:
    directory = private_cache_dir(create=True)
    if directory is None:
        return
    path = _cache_file(directory, digest)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_document(tables, digest))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


@cache
def load_tables() -> dict:
    """The runtime tables: the shipped JSON when it matches the grammar's digest, else the
    user's private cache, else built in memory (then cached privately)."""
    digest = grammar_digest()
    try:
        tables = _read_tables(CQL_TABLES.read_bytes(), digest)
    except OSError:
        tables = None
    if tables is not None:
        return tables
    tables = _load_cached(digest)
    if tables is not None:
        return tables
    _log().info("cql_tables.json does not match cql.lark; building the parser tables "
                "(regenerate them with: python -m cassalite.grammar)")
    tables = tables_from_data(json.loads(json.dumps(tables_to_data(build_tables()))))
    _store_cached(tables, digest)
    return tables


@cache
def load_parser(transformer: Any, start: str = "start") -> Parser:
    """The CQL parser whose result is built by ``transformer`` (one method per rule or
    alias of cql.lark, each called with the list of the rule's children)."""
    return Parser(load_tables(), transformer, start)
