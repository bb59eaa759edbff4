"""Tab completion as a pure function of (text before the cursor, schema snapshot).

Keywords come from the grammar (every ``"word"i`` terminal of grammar/cql.lark) and the
shell commands, so they never drift from the parser; names come from the live schema,
captured by :func:`snapshot` (the only part that touches a session).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .commands import CONSISTENCY_LEVELS, SERIAL_LEVELS
from .help import CQL_HELP, SHELL_HELP
from .lexer_tokens import Token, tokenize

SHELL_COMMANDS = ["CAPTURE", "CLEAR", "CLS", "CONSISTENCY", "COPY", "DESC", "DESCRIBE",
                  "EXPAND", "HELP", "LOGIN", "PAGING", "SERIAL", "SHOW", "SOURCE", "TRACING",
                  "exit", "quit", "history"]
STATEMENT_STARTERS = ["ALTER", "APPLY", "BEGIN", "CREATE", "DELETE", "DROP", "GRANT", "INSERT",
                      "LIST", "REVOKE", "SELECT", "TRUNCATE", "UPDATE", "USE"]
NATIVE_TYPES = ["ascii", "bigint", "blob", "boolean", "counter", "date", "decimal", "double",
                "duration", "float", "frozen", "inet", "int", "list", "map", "set",
                "smallint", "text", "time", "timestamp", "timeuuid", "tinyint", "tuple", "uuid",
                "varchar", "varint", "vector"]
FUNCTIONS = ["abs", "avg", "blob_as_text", "cast", "ceil", "count", "current_date",
             "current_time", "current_timestamp", "current_timeuuid", "exp", "floor",
             "from_json", "log", "log10", "max", "max_timeuuid", "maxwritetime", "min",
             "min_timeuuid", "now", "round", "sum", "text_as_blob", "to_date", "to_json",
             "to_timestamp", "to_unix_timestamp", "token", "ttl", "uuid", "writetime"]
DESCRIBE_TARGETS = ["AGGREGATE", "AGGREGATES", "CLUSTER", "COLUMNFAMILIES", "FULL", "FUNCTION",
                    "FUNCTIONS", "INDEX", "KEYSPACE", "KEYSPACES", "MATERIALIZED", "ONLY",
                    "SCHEMA", "TABLE", "TABLES", "TYPE", "TYPES"]
AFTER_TABLE = {"select": ["WHERE", "LIMIT", "ORDER", "GROUP", "PER", "ALLOW"],
               "delete": ["USING", "WHERE"], "update": ["USING", "SET"],
               "insert": ["(", "JSON"]}
COPY_OPTIONS = ["DELIMITER", "QUOTE", "ESCAPE", "HEADER", "NULL", "DATETIMEFORMAT",
                "MAXATTEMPTS", "REPORTFREQUENCY", "DECIMALSEP", "THOUSANDSSEP", "BOOLSTYLE",
                "NUMPROCESSES", "CONFIGFILE", "RATEFILE", "CHUNKSIZE", "INGESTRATE",
                "MINBATCHSIZE", "MAXBATCHSIZE", "MAXROWS", "SKIPROWS", "SKIPCOLS",
                "MAXPARSEERRORS", "MAXINSERTERRORS", "ERRFILE", "PREPAREDSTATEMENTS", "TTL",
                "ENCODING", "PAGESIZE", "PAGETIMEOUT", "BEGINTOKEN", "ENDTOKEN", "MAXREQUESTS",
                "MAXOUTPUTSIZE", "FLOATPRECISION", "DOUBLEPRECISION"]
_RESERVED = frozenset(
    ["add", "allow", "alter", "and", "apply", "asc", "authorize", "batch", "begin", "by", "columnfamily", "create", "delete", "desc", "describe", "drop", "entries", "execute", "from", "full", "grant", "if", "in", "index", "infinity", "insert", "into", "is", "keyspace", "limit", "materialized", "modify", "nan", "norecursive", "not", "null", "of", "on", "or", "order", "primary", "rename", "revoke", "schema", "select", "set", "table", "to", "token", "truncate", "unlogged", "update", "use", "using", "view", "where", "with"])


@dataclass
class SchemaSnapshot:
    """What completion needs to know about the schema, captured once per prompt."""

    current_keyspace: str | None = None
    tables: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # ks -> t -> cols
    types: dict[str, list[str]] = field(default_factory=dict)  # ks -> UDT names
    functions: dict[str, list[str]] = field(default_factory=dict)  # ks -> UDF names

    @property
    def keyspaces(self) -> list[str]:
        return sorted(set(self.tables) | set(self.types))


@lru_cache(maxsize=1)
def grammar_keywords() -> tuple[str, ...]:
    """Upper-cased keyword terminals of the CQL grammar."""
    try:
        import grammar

        text = (Path(grammar.__file__).parent / "cql.lark").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return tuple(sorted(set(STATEMENT_STARTERS)))
    words = set(re.findall(r'"([a-z_][a-z0-9_]*)"i', text))
    return tuple(sorted(w.upper() for w in words))


def quote_if_needed(name: str) -> str:
    if re.fullmatch(r"[a-z][a-z0-9_]*", name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


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
    for ks, table, col, kind, pos in rows(
            "SELECT keyspace_name, table_name, column_name, kind, position FROM "
            "system_schema.columns"):
        snap.tables.setdefault(ks, {}).setdefault(table, []).append(col)
    for ks, name in rows("SELECT keyspace_name, type_name FROM system_schema.types"):
        snap.types.setdefault(ks, []).append(name)
    for ks, name in rows("SELECT keyspace_name, function_name FROM system_schema.functions"):
        snap.functions.setdefault(ks, []).append(name)
    return snap


def _last_statement(tokens: list[Token]) -> list[Token]:
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind == "op" and tokens[i].value == ";":
            return tokens[i + 1:]
    return tokens


def _filter(candidates: list[str], prefix: str) -> list[str]:
    low = prefix.lower()
    seen: dict[str, None] = {}
    for c in candidates:
        if c.lower().startswith(low) and c not in seen:
            seen[c] = None
    return sorted(seen, key=lambda s: (s.lower(), s))


def _table_names(schema: SchemaSnapshot, qualifier: str | None) -> list[str]:
    if qualifier is not None:
        return [quote_if_needed(t) for t in schema.tables.get(qualifier, {})]
    out = []
    if schema.current_keyspace:
        out += [quote_if_needed(t) for t in schema.tables.get(schema.current_keyspace, {})]
    out += [quote_if_needed(ks) + "." for ks in schema.keyspaces]
    return out


def _statement_table(tokens: list[Token], schema: SchemaSnapshot) -> tuple[str | None, str] | None:
    words = [t.value.lower() if t.kind == "word" else None for t in tokens]
    for anchor in ("from", "into", "update", "table"):
        if anchor in words:
            i = words.index(anchor) + 1
            if i < len(tokens) and tokens[i].kind in ("word", "qident"):
                name = tokens[i].value if tokens[i].kind == "qident" else tokens[i].value.lower()
                if i + 2 < len(tokens) and tokens[i + 1].value == "." and \
                        tokens[i + 2].kind in ("word", "qident"):
                    t2 = tokens[i + 2]
                    return name, t2.value if t2.kind == "qident" else t2.value.lower()
                return schema.current_keyspace, name
    return None


def _columns(tokens: list[Token], schema: SchemaSnapshot) -> list[str]:
    target = _statement_table(tokens, schema)
    if target is None or target[0] is None:
        return []
    return [quote_if_needed(c) for c in schema.tables.get(target[0], {}).get(target[1], [])]


def complete(text_before_cursor: str, schema: SchemaSnapshot) -> list[str]:
    """Candidates for the word being typed (whole words; the caller replaces the prefix)."""
    tokens = _last_statement(tokenize(text_before_cursor))
    prefix = ""
    if tokens and text_before_cursor and not text_before_cursor[-1].isspace():
        last = tokens[-1]
        if last.kind in ("word", "number") or (last.kind in ("qident", "string") and
                                               not last.closed):
            prefix = last.raw
            tokens = tokens[:-1]
        if last.kind == "string" and not last.closed:
            return []  # inside a string literal: nothing sensible to offer
    return _filter(_candidates(tokens, schema, prefix), prefix)


def _candidates(tokens: list[Token], schema: SchemaSnapshot, prefix: str) -> list[str]:
    if not tokens:
        return STATEMENT_STARTERS + SHELL_COMMANDS
    words = [t.value.lower() for t in tokens if t.kind == "word"]
    first = words[0] if words else ""
    prev = tokens[-1]
    pv = prev.value.lower() if prev.kind == "word" else prev.value

    # qualified names: ks.<table>
    if prev.value == "." and len(tokens) >= 2 and tokens[-2].kind in ("word", "qident"):
        ks = tokens[-2].value if tokens[-2].kind == "qident" else tokens[-2].value.lower()
        if len(tokens) >= 3 and tokens[-3].kind == "word" and tokens[-3].value.lower() == "type":
            return [quote_if_needed(t) for t in schema.types.get(ks, [])]
        return _table_names(schema, ks)

    # shell commands
    if first in ("consistency",) and len(tokens) == 1:
        return list(CONSISTENCY_LEVELS)
    if first == "serial":
        return ["CONSISTENCY"] if len(tokens) == 1 else list(SERIAL_LEVELS)
    if first in ("paging", "expand", "tracing") and len(tokens) == 1:
        return ["ON", "OFF"]
    if first == "capture" and len(tokens) == 1:
        return ["OFF"]
    if first == "show" and len(tokens) == 1:
        return ["VERSION", "HOST", "SESSION", "REPLICAS"]
    if first in ("help", "?"):
        return [t.upper() for t in SHELL_HELP] + [t.upper() for t in CQL_HELP]
    if first in ("describe", "desc"):
        if len(tokens) == 1:
            return DESCRIBE_TARGETS + [quote_if_needed(k) for k in schema.keyspaces] + \
                _table_names(schema, None)
        if pv in ("keyspace",):
            return [quote_if_needed(k) for k in schema.keyspaces]
        if pv in ("table", "columnfamily", "index", "view"):
            return _table_names(schema, None)
        if pv == "type":
            return [quote_if_needed(t) for t in schema.types.get(schema.current_keyspace or "", [])]
        if pv == "materialized":
            return ["VIEW"]
        if pv in ("full", "only"):
            return ["SCHEMA"] if pv == "full" else ["KEYSPACE"]
        return []
    if first == "copy":
        if len(tokens) == 1:
            return _table_names(schema, None)
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
        return []

    # CQL
    if pv == "use":
        return [quote_if_needed(k) for k in schema.keyspaces]
    if pv == "keyspace" and first in ("drop", "alter"):
        return [quote_if_needed(k) for k in schema.keyspaces]
    if pv in ("from", "into", "truncate", "columnfamily") or (pv == "update" and len(tokens) == 1) \
            or (pv == "table" and first in ("drop", "alter", "truncate")):
        return _table_names(schema, None)
    if pv == "type" and first in ("drop", "alter"):
        return [quote_if_needed(t) for t in schema.types.get(schema.current_keyspace or "", [])]
    if first in ("create", "alter") and ("table" in words or "type" in words) and \
            prev.kind in ("word", "qident") and len(tokens) >= 2 and \
            tokens[-2].value in ("(", ",") and "primary" not in words[-2:]:
        return NATIVE_TYPES + [quote_if_needed(t) for t in
                               schema.types.get(schema.current_keyspace or "", [])]
    if pv in ("<",) or (pv == "," and _open_angle(tokens)):
        return NATIVE_TYPES + [quote_if_needed(t) for t in
                               schema.types.get(schema.current_keyspace or "", [])]
    cols = _columns(tokens, schema)
    if cols and (pv in ("where", "and", "set", "by", "if") or
                 (first == "insert" and pv in ("(", ",") and "values" not in words)):
        return cols
    if first == "select" and "from" not in words and pv in ("select", ",", "distinct", "json",
                                                              "("):
        return ["*", "DISTINCT", "JSON"] + FUNCTIONS + _all_columns(schema)
    if prev.kind in ("word", "qident") and len(tokens) >= 2:
        before = tokens[-2].value.lower() if tokens[-2].kind == "word" else tokens[-2].value
        if before in ("from", "into", "update", ".") and first in AFTER_TABLE:
            return AFTER_TABLE[first]
    if pv == "with" and first in ("create", "alter") and "table" in words:
        return ["CLUSTERING", "COMPACT", "bloom_filter_fp_chance", "caching", "cdc", "comment",
                "compaction", "compression", "crc_check_chance", "default_time_to_live",
                "gc_grace_seconds", "max_index_interval", "memtable",
                "memtable_flush_period_in_ms", "min_index_interval", "read_repair",
                "speculative_retry"]
    return list(grammar_keywords())


def _open_angle(tokens: list[Token]) -> bool:
    depth = 0
    for t in tokens:
        if t.value == "<":
            depth += 1
        elif t.value == ">":
            depth -= 1
    return depth > 0


def _all_columns(schema: SchemaSnapshot) -> list[str]:
    ks = schema.current_keyspace
    if not ks:
        return []
    return sorted({quote_if_needed(c) for cols in schema.tables.get(ks, {}).values()
                   for c in cols})
