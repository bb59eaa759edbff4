"""Tab completion as a pure function of (text before the cursor, schema snapshot).

CQL is completed from the grammar (see :mod:`shell.grammar_completion`): the text before
the cursor is fed to the LALR tables of grammar/cql.lark, the keywords offered are exactly
those the parser can take next, and where a name can come next the parser state says which
kind (keyspace, table, column of the statement's table, type, function, table option) and
the live schema says which names. Shell commands (CONSISTENCY, PAGING, COPY, DESCRIBE...)
keep their own small rules. Names come from :func:`snapshot`, the only part that touches a
session. A prefix that does not parse falls back to a few rules keyed on the previous word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cql.vocabulary import (
    KEYSPACE_PROPERTIES,
    NATIVE_TYPE_NAMES,
    TABLE_PROPERTIES,
    TYPE_CONSTRUCTORS,
    quote_name,
)

from .commands import CONSISTENCY_LEVELS, SERIAL_LEVELS
from .grammar_completion import (
    COLUMN,
    FUNCTION,
    KEYSPACE,
    OPTION,
    TABLE,
    TYPE,
    UDT,
    Context,
    analyse,
)
from .help import CQL_HELP, SHELL_HELP
from .lexer_tokens import Token, qualified_name_at, tokenize, unquote_name

SHELL_COMMANDS = ["CAPTURE", "CLEAR", "CLS", "CONSISTENCY", "COPY", "DESC", "DESCRIBE",
                  "EXPAND", "HELP", "LOGIN", "PAGING", "SERIAL", "SHOW", "SOURCE", "TRACING",
                  "exit", "quit", "history"]
STATEMENT_STARTERS = ["ALTER", "APPLY", "BEGIN", "CREATE", "DELETE", "DROP", "GRANT", "INSERT",
                      "LIST", "REVOKE", "SELECT", "TRUNCATE", "UPDATE", "USE"]
NATIVE_TYPES = sorted(NATIVE_TYPE_NAMES | TYPE_CONSTRUCTORS)
# Native functions as Cassandra 5 names them, plus the camelCase spellings of the older
# names (toJson, blobAsText...), which are the same functions (identifiers fold to lower
# case). TOKEN, TTL, WRITETIME, MAXWRITETIME and CAST have their own syntax and come from
# the grammar as keywords. tests/shell/test_completion.py checks this against cql.functions.
_CONVERTIBLE = ("ascii", "bigint", "boolean", "counter", "date", "decimal", "double",
                "duration", "float", "inet", "int", "smallint", "text", "time", "timestamp",
                "timeuuid", "tinyint", "uuid", "varchar", "varint")
_CASTABLE = ("ascii", "bigint", "date", "decimal", "double", "float", "int", "smallint", "text",
             "timestamp", "tinyint", "varint")
_WITH_LEGACY_NAME = (
    "count_rows", "current_date", "current_time", "current_timestamp", "current_timeuuid",
    "from_json", "max_timeuuid", "min_timeuuid", "to_date", "to_json", "to_timestamp",
    "to_unix_timestamp", *(f"blob_as_{t}" for t in _CONVERTIBLE),
    *(f"{t}_as_blob" for t in _CONVERTIBLE), *(f"cast_as_{t}" for t in _CASTABLE))
_ONLY_NAME = ("abs", "avg", "collection_avg", "collection_count", "collection_max",
              "collection_min", "collection_sum", "count", "exp", "floor", "format_bytes",
              "format_time", "length", "log", "log10", "map_keys", "map_values",
              "mask_default", "mask_hash", "mask_inner", "mask_null",
              "mask_outer", "mask_replace", "max", "min", "now", "octet_length", "round",
              "similarity_cosine", "similarity_dot_product", "similarity_euclidean", "sum",
              "uuid")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


BUILTIN_FUNCTIONS = sorted([*_ONLY_NAME, *_WITH_LEGACY_NAME,
                            *(_camel(n) for n in _WITH_LEGACY_NAME)])
TABLE_OPTIONS = sorted(TABLE_PROPERTIES - {"extensions", "id"})  # as cqlsh completes them
KEYSPACE_OPTIONS = sorted(KEYSPACE_PROPERTIES)
DESCRIBE_TARGETS = ["AGGREGATE", "AGGREGATES", "CLUSTER", "COLUMNFAMILIES", "COLUMNFAMILY",
                    "FULL", "FUNCTION", "FUNCTIONS", "INDEX", "KEYSPACE", "KEYSPACES",
                    "MATERIALIZED", "ONLY", "SCHEMA", "TABLE", "TABLES", "TYPE", "TYPES"]
COPY_OPTIONS = ["DELIMITER", "QUOTE", "ESCAPE", "HEADER", "NULL", "DATETIMEFORMAT",
                "MAXATTEMPTS", "REPORTFREQUENCY", "DECIMALSEP", "THOUSANDSSEP", "BOOLSTYLE",
                "NUMPROCESSES", "CONFIGFILE", "RATEFILE", "CHUNKSIZE", "INGESTRATE",
                "MINBATCHSIZE", "MAXBATCHSIZE", "MAXROWS", "SKIPROWS", "SKIPCOLS",
                "MAXPARSEERRORS", "MAXINSERTERRORS", "ERRFILE", "PREPAREDSTATEMENTS", "TTL",
                "ENCODING", "PAGESIZE", "PAGETIMEOUT", "BEGINTOKEN", "ENDTOKEN", "MAXREQUESTS",
                "MAXOUTPUTSIZE", "FLOATPRECISION", "DOUBLEPRECISION"]


@dataclass
class SchemaSnapshot:
    """What completion needs to know about the schema, captured once per prompt."""

    current_keyspace: str | None = None
    tables: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # ks -> t -> cols
    types: dict[str, list[str]] = field(default_factory=dict)  # ks -> UDT names
    functions: dict[str, list[str]] = field(default_factory=dict)  # ks -> UDFs, UDAs
    indexes: dict[str, list[str]] = field(default_factory=dict)  # ks -> secondary indexes

    @property
    def keyspaces(self) -> list[str]:
        return sorted(set(self.tables) | set(self.types))


@lru_cache(maxsize=1)
def grammar_keywords() -> tuple[str, ...]:
    """Upper-cased keyword terminals of the CQL grammar."""
    try:
        from cassalite import grammar
        text = (Path(grammar.__file__).parent / "cql.lark").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return tuple(sorted(set(STATEMENT_STARTERS)))
    words = set(re.findall(r'"([a-z_][a-z0-9_]*)"i', text))
    return tuple(sorted(w.upper() for w in words))


def snapshot(session: Any) -> SchemaSnapshot:
    """Read keyspaces, tables, columns, types and functions from system_schema."""
    snap = SchemaSnapshot(current_keyspace=session.keyspace)

    def rows(q: str) -> list:
        try:
            return list(session.execute(q, fetch_size=0).current_rows)
        except Exception:  # noqa: BLE001 - completion must never break the prompt
            return []

    for (ks,) in rows("SELECT keyspace_name FROM system_schema.keyspaces"):
        snap.tables.setdefault(ks, {})
    for ks, table in rows("SELECT keyspace_name, table_name FROM system_schema.tables"):
        snap.tables.setdefault(ks, {}).setdefault(table, [])
    # the virtual keyspaces too, as in the driver's metadata that cqlsh completes from
    for ks, table, col in rows("SELECT keyspace_name, table_name, column_name FROM "
                               "system_virtual_schema.columns"):
        snap.tables.setdefault(ks, {}).setdefault(table, []).append(col)
    for ks, table, col, kind, pos in rows(
            "SELECT keyspace_name, table_name, column_name, kind, position FROM "
            "system_schema.columns"):
        snap.tables.setdefault(ks, {}).setdefault(table, []).append(col)
    for ks, name in rows("SELECT keyspace_name, type_name FROM system_schema.types"):
        snap.types.setdefault(ks, []).append(name)
    for ks, name in rows("SELECT keyspace_name, function_name FROM system_schema.functions"):
        snap.functions.setdefault(ks, []).append(name)
    for ks, name in rows("SELECT keyspace_name, aggregate_name FROM system_schema.aggregates"):
        snap.functions.setdefault(ks, []).append(name)
    for ks, name in rows("SELECT keyspace_name, index_name FROM system_schema.indexes"):
        snap.indexes.setdefault(ks, []).append(name)
    return snap


def _last_statement(tokens: list[Token]) -> list[Token]:
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind == "op" and tokens[i].value == ";":
            return tokens[i + 1:]
    return tokens


def _filter(candidates: list[str], prefix: str) -> list[str]:
    """Those starting with ``prefix`` (case-insensitively), the first spelling of each word
    kept (names are listed before keywords, so ``list`` beats ``LIST``), sorted."""
    low = prefix.lower()
    seen: dict[str, str] = {}
    for c in candidates:
        key = c.lower()
        if key.startswith(low) and key not in seen:
            seen[key] = c
    return sorted(seen.values(), key=lambda s: (s.lower(), s))


def _table_names(schema: SchemaSnapshot, qualifier: str | None) -> list[str]:
    if qualifier is not None:
        return [quote_name(t) for t in schema.tables.get(qualifier, {})]
    out = []
    if schema.current_keyspace:
        out += [quote_name(t) for t in schema.tables.get(schema.current_keyspace, {})]
    out += [quote_name(ks) + "." for ks in schema.keyspaces]
    return out


def _index_names(schema: SchemaSnapshot, qualifier: str | None = None) -> list[str]:
    """A keyspace's indexes, by default the current one's (cqlsh's <indexName> completer)."""
    ks = qualifier if qualifier is not None else schema.current_keyspace or ""
    return [quote_name(i) for i in sorted(schema.indexes.get(ks, []))]


def _table_columns(schema: SchemaSnapshot, table: tuple[str | None, str] | None
                   ) -> list[str]:
    if table is None:
        return []
    ks = table[0] or schema.current_keyspace
    return [quote_name(c) for c in schema.tables.get(ks or "", {}).get(table[1], [])]


def complete(text_before_cursor: str, schema: SchemaSnapshot) -> list[str]:
    """Candidates for the word being typed (whole words; the caller replaces the prefix).
    Never raises: a completion bug must not break the prompt."""
    try:
        return _complete(text_before_cursor, schema)
    except Exception:  # noqa: BLE001
        return []


def _complete(text: str, schema: SchemaSnapshot) -> list[str]:
    tokens = _last_statement(tokenize(text))
    prefix, cut = "", len(text)
    if tokens and text and not text[-1].isspace():
        last = tokens[-1]
        if last.kind in ("string", "dollar") and not last.closed:
            return []  # inside a string literal: nothing sensible to offer
        if last.kind in ("word", "number") or (last.kind == "qident" and not last.closed):
            prefix, cut = last.raw, last.start
            tokens = tokens[:-1]
    first = tokens[0].value.lower() if tokens else ""
    if first in _SHELL_FIRST:
        return _filter(_shell_candidates(tokens, schema), prefix)
    ctx = analyse(text[:cut])
    if ctx is None:
        return _filter(_fallback(tokens, schema) if tokens else
                       STATEMENT_STARTERS + SHELL_COMMANDS, prefix)
    if ctx.fresh:
        return _filter(ctx.keywords + SHELL_COMMANDS, prefix)
    names = _names(ctx, schema)
    if prefix.startswith('"'):  # a quoted name is being typed: names only, all quoted
        return _filter([n if n.startswith('"') else '"' + n.rstrip(".") + '"' +
                        ("." if n.endswith(".") else "") for n in names], prefix)
    if ctx.star:
        names.insert(0, "*")
    return _filter(names + ctx.keywords, prefix)


def _names(ctx: Context, schema: SchemaSnapshot) -> list[str]:
    """The names of the kinds the grammar allows at the cursor."""
    out: list[str] = []
    q, cur = ctx.qualifier, schema.current_keyspace or ""
    kinds = ctx.kinds
    if KEYSPACE in kinds and not ctx.creating:
        out += [quote_name(k) for k in schema.keyspaces]
    if TABLE in kinds:
        if q is not None:
            out += [] if ctx.creating else _table_names(schema, q)
        elif ctx.creating:
            out += [quote_name(ks) + "." for ks in schema.keyspaces]
        else:
            out += _table_names(schema, None)
    if COLUMN in kinds and q is None:
        cols = _table_columns(schema, ctx.table) + \
            [quote_name(c) for c in ctx.defined_columns]
        if not cols and ctx.table is None and not ctx.defined_columns:
            cols = _all_columns(schema)  # the table comes later (SELECT a, b FROM t)
        out += cols
    if TYPE in kinds or (UDT in kinds and not ctx.creating):
        ks = q or (ctx.table[0] if ctx.table and ctx.table[0] else cur)
        if TYPE in kinds and q is None:
            out += NATIVE_TYPES
        out += [quote_name(t) for t in schema.types.get(ks, [])]
    if FUNCTION in kinds and not ctx.creating:
        if q is None:
            out += BUILTIN_FUNCTIONS
        out += [quote_name(f) for f in schema.functions.get(cur if q is None else q, [])]
    if OPTION in kinds:
        stmt = ctx.statement
        if stmt[1:2] == ("keyspace_kw",):
            out += KEYSPACE_OPTIONS
        elif stmt[1:2] in (("table_kw",), ("MATERIALIZED",)):
            out += TABLE_OPTIONS
    return out


def _fallback(tokens: list[Token], schema: SchemaSnapshot) -> list[str]:
    """The prefix does not parse: offer names by the previous word, no keywords."""
    prev = tokens[-1]
    pv = prev.value.lower() if prev.kind == "word" else prev.value
    if pv == "." and len(tokens) >= 2 and tokens[-2].kind in ("word", "qident"):
        return _table_names(schema, unquote_name(tokens[-2]))
    if pv in ("use", "keyspace"):
        return [quote_name(k) for k in schema.keyspaces]
    if pv in ("from", "into", "update", "table", "columnfamily", "truncate"):
        return _table_names(schema, None)
    if pv in ("where", "and", "set", "by"):
        words = [t.value.lower() for t in tokens]
        for anchor in ("from", "into", "update", "table"):
            if anchor in words[:-1]:
                target = qualified_name_at(tokens, words.index(anchor) + 1)
                if target:
                    return _table_columns(schema, target)
        return []
    return []


_SHELL_FIRST = frozenset(c.lower() for c in SHELL_COMMANDS) | {"?"}


def _shell_candidates(tokens: list[Token], schema: SchemaSnapshot) -> list[str]:
    first = tokens[0].value.lower()
    prev = tokens[-1]
    pv = prev.value.lower() if prev.kind == "word" else prev.value
    if first == "consistency":
        return list(CONSISTENCY_LEVELS) if len(tokens) == 1 else []
    if first == "serial":
        return ["CONSISTENCY"] if len(tokens) == 1 else \
            list(SERIAL_LEVELS) if len(tokens) == 2 else []
    if first in ("paging", "expand", "tracing"):
        return ["ON", "OFF"] if len(tokens) == 1 else []
    if first == "capture":
        return ["OFF"] if len(tokens) == 1 else []
    if first == "show":
        return ["VERSION", "HOST", "SESSION", "REPLICAS"] if len(tokens) == 1 else []
    if first in ("help", "?"):
        return [t.upper() for t in SHELL_HELP] + [t.upper() for t in CQL_HELP]
    if first in ("describe", "desc"):
        if len(tokens) == 1:
            return DESCRIBE_TARGETS + [quote_name(k) for k in schema.keyspaces] + \
                _table_names(schema, None) + _index_names(schema)
        if pv == "." and len(tokens) >= 2 and tokens[-2].kind in ("word", "qident"):
            if len(tokens) >= 4 and tokens[-3].value.lower() == "index":
                return _index_names(schema, unquote_name(tokens[-2]))
            return _table_names(schema, unquote_name(tokens[-2]))
        if pv in ("keyspace",):
            return [quote_name(k) for k in schema.keyspaces]
        if pv == "index":
            return _index_names(schema) + [quote_name(ks) + "." for ks in schema.keyspaces]
        if pv in ("table", "columnfamily", "view"):
            return _table_names(schema, None)
        if pv == "type":
            return [quote_name(t) for t in schema.types.get(schema.current_keyspace or "", [])]
        if pv in ("function", "aggregate"):
            return [quote_name(f) for f in
                    schema.functions.get(schema.current_keyspace or "", [])]
        if pv == "materialized":
            return ["VIEW"]
        if pv in ("full", "only"):
            return ["SCHEMA"] if pv == "full" else ["KEYSPACE"]
        return []
    if first == "copy":
        if len(tokens) == 1:
            return _table_names(schema, None)
        if pv == "." and tokens[-2].kind in ("word", "qident"):
            return _table_names(schema, unquote_name(tokens[-2]))
        if pv in ("with", "and"):
            return COPY_OPTIONS
        if prev.kind in ("word", "qident") and len(tokens) <= 4 and pv not in ("from", "to"):
            return ["FROM", "TO"]
        if pv in ("from",):
            return ["STDIN"]
        if pv == "to":
            return ["STDOUT"]
        if pv == "=" and len(tokens) >= 2 and tokens[-2].value.lower() == "header":
            return ["true", "false"]
        values = [t.value for t in tokens if t.kind == "op"]
        if pv in ("(", ",") and "(" in values and ")" not in values:  # COPY t (a, b, ...
            return _table_columns(schema, qualified_name_at(tokens, 1))
        return []
    return []  # SOURCE, LOGIN, CLEAR, EXIT...: file names and passwords are not completed


def _all_columns(schema: SchemaSnapshot) -> list[str]:
    ks = schema.current_keyspace
    if not ks:
        return []
    return sorted({quote_name(c) for cols in schema.tables.get(ks, {}).values()
                   for c in cols})
