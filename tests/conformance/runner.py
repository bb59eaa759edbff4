"""Runner for the conformance corpus (``cases/*.cqlt``; the format is in README.md).

Parsing: ``load_file(path)`` -> ``CorpusFile`` (cases, skips); ``load_corpus(dir)`` loads every
file, collecting ``CorpusError`` (``path:line: message``) per malformed file.

Running: ``run_case(case, mode)`` -> ``Outcome`` for mode ``memory``, ``lsm`` or ``server``
(the server mode starts one ``cassalite-server`` on first use, or uses ``$CQLT_SERVER``; see
``server_connection()``, ``shutdown_server()``), or the optional ``rocks`` (the LSM mode's
reopens on the RocksDB engine; only when asked for, it needs ``rocksdict``); ``run_many`` runs
many in worker processes.
Everything goes through the public ``cql`` API or cassandra-driver, never cassalite internals.
README.md ("Runner") describes the modes and the comparison rules.

Command line::

    python -m tests.conformance.runner [FILE_OR_DIR ...] [--modes memory,lsm,rocks] [-k TEXT]
                                       [--check] [-v] [-j JOBS] [--save FILE]

prints every failure (in full with -v) and the pass rate of each file per mode.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import io
import ipaddress
import math
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time as _time
import tokenize
import types
import uuid as _uuid
import zlib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
SELFTEST_DIR = HERE / "selftest"
KNOWN_FAILURES = HERE / "known_failures.txt"

MODES = ("memory", "lsm", "server")  # what pytest runs
OPTIONAL_MODES = ("rocks",)  # on request (--modes)
DIRECTORY_MODES = ("lsm", "rocks")  # a data directory, reopened before reads that follow writes
SERVER_SAMPLE_MODULO = 20  # about 5% of the cases also run through cassalite-server

KEYSPACE_DDL = ("CREATE KEYSPACE ks WITH replication = "
                "{'class': 'SimpleStrategy', 'replication_factor': 1}")


# =====================================================================================
# Values: what the corpus writes, and what each backend binds
# =====================================================================================

class _CorpusUnset:
    """The corpus' ``UNSET`` (bound as cql.UNSET_VALUE or the driver's UNSET_VALUE)."""

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # one instance, also across processes


UNSET = _CorpusUnset()

_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_DATE = _dt.date(1970, 1, 1)
_MS = _dt.timedelta(milliseconds=1)


class Ts:
    """An expected/bound timestamp: milliseconds since the epoch (UTC)."""

    __slots__ = ("ms",)

    def __init__(self, ms: int):
        self.ms = ms

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ts) and other.ms == self.ms

    def __hash__(self) -> int:
        return hash(("ts", self.ms))

    def __repr__(self) -> str:
        return fmt_ts_ms(self.ms)


class DateV:
    """An expected/bound date: signed days since the epoch."""

    __slots__ = ("days",)

    def __init__(self, days: int):
        self.days = days

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateV) and other.days == self.days

    def __hash__(self) -> int:
        return hash(("date", self.days))

    def __repr__(self) -> str:
        return fmt_date_days(self.days)


class TimeV:
    """An expected/bound time of day: nanoseconds since midnight."""

    __slots__ = ("ns",)

    def __init__(self, ns: int):
        self.ns = ns

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeV) and other.ns == self.ns

    def __hash__(self) -> int:
        return hash(("time", self.ns))

    def __repr__(self) -> str:
        return fmt_time_ns(self.ns)


class Dur:
    """A duration: months, days, nanoseconds (attribute names of the driver's and cql's
    Duration, so both accept it as a bind value)."""

    __slots__ = ("months", "days", "nanoseconds")

    def __init__(self, months: int, days: int, nanoseconds: int):
        self.months, self.days, self.nanoseconds = months, days, nanoseconds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dur) and (other.months, other.days, other.nanoseconds) == (
            self.months, self.days, self.nanoseconds)

    def __hash__(self) -> int:
        return hash(("dur", self.months, self.days, self.nanoseconds))

    def __repr__(self) -> str:
        return f"dur({self.months}, {self.days}, {self.nanoseconds})"


class Inet(str):
    """An expected/bound inet address (a str in the address's canonical form)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"inet({str(self)!r})"


class Tup(tuple):
    """A CQL tuple value (plain parentheses are rows)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "tup(" + ", ".join(fmt(v) for v in self) + ")"


class Udt(Mapping):
    """A UDT value by field name (hashable, so it can sit in a set or be a map key)."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, Any]):
        self._items = dict(items)

    def __getitem__(self, k: str) -> Any:
        return self._items[k]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Udt) and other._items == self._items

    def __repr__(self) -> str:
        return "udt(" + ", ".join(f"{k}={fmt(v)}" if k.isidentifier() else f"**{{{k!r}: {fmt(v)}}}"
                                  for k, v in self._items.items()) + ")"


class ExpSet(list):
    """``set(iterable)``: a set written as a list (so its elements may be unhashable)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "set(" + (("[" + ", ".join(fmt(v) for v in self) + "]") if self else "") + ")"


def _v_dec(text: Any) -> decimal.Decimal:
    if isinstance(text, float):
        return decimal.Decimal(repr(text))
    return decimal.Decimal(text)


def _v_blob(text: Any) -> bytes:
    if isinstance(text, bytes | bytearray):
        return bytes(text)
    s = str(text)
    if s[:2].lower() == "0x":
        s = s[2:]
    return bytes.fromhex(s)


def _v_uuid(text: str) -> _uuid.UUID:
    return _uuid.UUID(str(text))


def _v_inet(text: str) -> Inet:
    return Inet(ipaddress.ip_address(str(text)).compressed)


_TS_RE = re.compile(
    r"^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def _v_ts(value: Any) -> Ts:
    if isinstance(value, bool):
        raise TypeError("ts() takes a string or epoch milliseconds")
    if isinstance(value, int):
        return Ts(value)
    m = _TS_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"cannot parse timestamp {value!r} (write 'YYYY-MM-DD HH:MM:SS.fff')")
    y, mo, d, hh, mm, ss, frac, tz = m.groups()
    days = _days_from_civil(int(y), int(mo), int(d))
    ms = ((days * 24 + int(hh or 0)) * 60 + int(mm or 0)) * 60_000 + int(ss or 0) * 1000
    if frac:
        ms += int((frac + "000")[:3])
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return Ts(ms)


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = y // 400  # floor division: the C form's (y - 399) / 400 adjustment is not needed
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _v_date(value: Any) -> DateV:
    if isinstance(value, int) and not isinstance(value, bool):
        return DateV(value)
    m = re.match(r"^(-?\d{1,})-(\d{1,2})-(\d{1,2})$", str(value).strip())
    if not m:
        raise ValueError(f"cannot parse date {value!r} (write 'YYYY-MM-DD')")
    return DateV(_days_from_civil(int(m.group(1)), int(m.group(2)), int(m.group(3))))


def _v_time(value: Any) -> TimeV:
    if isinstance(value, int) and not isinstance(value, bool):
        return TimeV(value)
    m = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$", str(value).strip())
    if not m:
        raise ValueError(f"cannot parse time {value!r} (write 'HH:MM:SS.fffffffff')")
    hh, mm, ss, frac = m.groups()
    ns = ((int(hh) * 60 + int(mm)) * 60 + int(ss or 0)) * 1_000_000_000
    if frac:
        ns += int((frac + "000000000")[:9])
    return TimeV(ns)


_DUR_UNITS = {"y": (12, 0, 0), "mo": (1, 0, 0), "w": (0, 7, 0), "d": (0, 1, 0),
              "h": (0, 0, 3_600_000_000_000), "m": (0, 0, 60_000_000_000),
              "s": (0, 0, 1_000_000_000), "ms": (0, 0, 1_000_000), "us": (0, 0, 1000),
              "µs": (0, 0, 1000), "ns": (0, 0, 1)}


def _v_dur(*args: Any) -> Dur:
    if len(args) == 3:
        return Dur(*(int(a) for a in args))
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError("dur() takes (months, days, nanos) or a duration string")
    text = args[0].strip()
    neg = text.startswith("-")
    body = text[1:] if neg else text
    months = days = nanos = 0
    if body.upper().startswith("P"):
        m = re.match(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                     r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", body.upper())
        if not m or body.upper() in ("P", "PT"):
            raise ValueError(f"cannot parse duration {text!r}")
        y, mo, w, d, h, mi, s = (int(g or 0) for g in m.groups())
        months, days = y * 12 + mo, w * 7 + d
        nanos = ((h * 60 + mi) * 60 + s) * 1_000_000_000
    else:
        parts = re.findall(r"(\d+)(mo|ms|us|µs|ns|y|w|d|h|m|s)", body.lower())
        if not parts or "".join(n + u for n, u in parts) != body.lower():
            raise ValueError(f"cannot parse duration {text!r} (units y mo w d h m s ms us ns)")
        for n, u in parts:
            a, b, c = _DUR_UNITS[u]
            months += int(n) * a
            days += int(n) * b
            nanos += int(n) * c
    if neg:
        months, days, nanos = -months, -days, -nanos
    return Dur(months, days, nanos)


def _v_tup(*items: Any) -> Tup:
    return Tup(items)


def _v_udt(**fields: Any) -> Udt:
    return Udt(fields)


def _v_set(items: Any = ()) -> ExpSet:
    return ExpSet(items)


VALUE_NAMES: dict[str, Any] = {
    "null": None, "None": None, "true": True, "True": True, "false": False, "False": False,
    "UNSET": UNSET, "nan": math.nan, "inf": math.inf,
    "dec": _v_dec, "blob": _v_blob, "uuid": _v_uuid, "inet": _v_inet, "ts": _v_ts,
    "date": _v_date, "time": _v_time, "dur": _v_dur, "tup": _v_tup, "udt": _v_udt,
    "set": _v_set, "range": range,
}


def _args(*args: Any, **kwargs: Any) -> tuple[tuple, dict]:
    return args, kwargs


class ValueProblem(Exception):
    """A value expression that does not evaluate (becomes a CorpusError with file:line)."""


def evaluate(text: str) -> Any:
    """One value expression, evaluated with no builtins and only VALUE_NAMES."""
    return _eval_expr(text)


_ALLOWED_NAMES = frozenset(VALUE_NAMES) | {"_args"}
_GLOBALS: dict[str, Any] = {"__builtins__": {}, "_args": _args, **VALUE_NAMES}


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def _eval_expr(text: str) -> Any:
    src = text.strip()
    try:
        code = compile(src, "<value>", "eval")
    except SyntaxError as e:
        raise ValueProblem(f"not a valid value expression: {e.msg}: {src!r}") from None
    if not _code_names(code) <= _ALLOWED_NAMES:
        _check_names(src)
    try:
        return eval(code, _GLOBALS)  # noqa: S307 - no builtins, only the corpus' names
    except Exception as e:  # noqa: BLE001 - any evaluation problem is a data error
        raise ValueProblem(f"{type(e).__name__}: {e} in {src!r}") from None


def _check_names(src: str) -> None:
    """Explain which name or attribute is not allowed (slow path, only on a problem)."""
    tree = ast.parse(src, mode="eval")
    bound = {n.id for n in ast.walk(tree)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}  # comprehensions
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            raise ValueProblem(f"attribute access is not allowed in a value: {src!r}")
        if isinstance(node, ast.Name) and node.id not in _ALLOWED_NAMES and node.id not in bound:
            raise ValueProblem(f"unknown name {node.id!r} in a value (allowed: "
                              + ", ".join(sorted(VALUE_NAMES)) + ")")


def _code_part(line: str) -> str:
    """The line without a trailing '# comment' (strings respected)."""
    if "#" not in line:
        return line.rstrip()
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return line.rstrip()
    for t in toks:
        if t.type == tokenize.COMMENT:
            return line[:t.start[1]].rstrip()
    return line.rstrip()


def _join_lines(parts: list[str]) -> str:
    """Continuation lines of a list joined into one comma-separated argument list."""
    out = []
    for p in parts:
        code = _code_part(p).strip()
        if not code:
            continue
        if not code.endswith(","):
            code += ","
        out.append(code)
    return "\n".join(out)


class _NotSimple(Exception):
    pass


_FAST_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?(?![\w.]))|(?P<str>'[^'\\\n]*')(?!\s*')"
    r"|(?P<name>null|true|false|None|True|False)\b(?!\s*[(.=])|(?P<p>[()\[\],]))")
_FAST_NAMES = {"null": None, "None": None, "true": True, "True": True, "false": False,
               "False": False}


def _fast_items(text: str) -> list:
    """Comma-separated ints, plain strings, null/true/false, (...) and [...] without the
    compiler (the corpus has tens of thousands of such lines); _NotSimple otherwise."""
    if _FAST_TOKEN.sub("", text).strip():
        raise _NotSimple
    toks = [(("num", a) if a else ("str", b) if b else ("name", c) if c else ("p", d))
            for a, b, c, d in _FAST_TOKEN.findall(text)]
    i = 0

    def value() -> Any:
        nonlocal i
        if i >= len(toks):
            raise _NotSimple
        kind, t = toks[i]
        i += 1
        if kind == "num":
            return float(t) if "." in t else int(t)
        if kind == "str":
            return t[1:-1]
        if kind == "name":
            return _FAST_NAMES[t]
        if t == "(":
            items, trailing = seq(")")
            return items[0] if len(items) == 1 and not trailing else tuple(items)
        if t == "[":
            return seq("]")[0]
        raise _NotSimple

    def seq(close: str | None) -> tuple[list, bool]:
        nonlocal i
        items, trailing = [], False
        while True:
            if i < len(toks) and toks[i][1] == close or (close is None and i >= len(toks)):
                i += 1
                return items, trailing
            items.append(value())
            trailing = False
            if i < len(toks) and toks[i][1] == ",":
                i += 1
                trailing = True
            elif not (i < len(toks) and toks[i][1] == close or close is None and i >= len(toks)):
                raise _NotSimple

    items, _ = seq(None)
    return items


def evaluate_list(text: str) -> tuple[tuple, dict]:
    """``a, b, k=c`` -> ((a, b), {'k': c})."""
    if not text.strip():
        return (), {}
    try:
        return tuple(_fast_items(text)), {}
    except _NotSimple:
        return _eval_expr(f"_args(\n{text}\n)")


def evaluate_rows(text: str) -> list[tuple]:
    """Rows: each top-level item is a row; a parenthesized tuple gives its columns, anything
    else (``(5)`` included) is a one-column row."""
    if not text.strip():
        return []
    try:
        args, kwargs = tuple(_fast_items(text)), {}
    except _NotSimple:
        args, kwargs = _eval_expr(f"_args(\n{text}\n)")
    if kwargs:
        raise ValueProblem("rows cannot have name=value items")
    return [r if isinstance(r, tuple) and not isinstance(r, Tup) else (r,) for r in args]


# =====================================================================================
# Parsing
# =====================================================================================

class CorpusError(Exception):
    """Malformed corpus data, at ``path:line``."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


ERROR_CLASSES = {
    "InvalidRequest", "SyntaxException", "ConfigurationException", "AlreadyExists",
    "Unauthorized", "FunctionFailure", "ServerError", "ProtocolError", "Unavailable",
    "ReadFailure", "WriteFailure", "ReadTimeout", "WriteTimeout", "TruncateError",
    "RequestValidationException", "RequestExecutionException", "Unprepared", "Overloaded",
    "DriverException",
}
# Java / driver spellings accepted for the same classes.
ERROR_ALIASES = {
    "InvalidRequestException": "InvalidRequest", "InvalidQueryException": "InvalidRequest",
    "SyntaxError": "SyntaxException", "AlreadyExistsException": "AlreadyExists",
    "UnauthorizedException": "Unauthorized", "FunctionExecutionException": "FunctionFailure",
    "ProtocolException": "ProtocolError", "UnavailableException": "Unavailable",
    "ReadFailureException": "ReadFailure", "WriteFailureException": "WriteFailure",
    "InvalidRequestError": "InvalidRequest", "UnauthorizedErrorMessage": "Unauthorized",
}
INVALID_CLASSES = ("InvalidRequest", "SyntaxException", "ConfigurationException", "AlreadyExists")


@dataclass
class Statement:
    """One CQL statement of a case (or a storage step when ``kind`` is flush/compact, a
    session switch when it is login/logout)."""

    kind: str  # 'cql' | 'flush' | 'compact' | 'login' | 'logout'
    text: str
    line: int
    bind: tuple[tuple, dict] | None = None  # None: unprepared
    bind_text: str = ""
    rows: list[tuple] | None = None
    unordered: bool = False
    count: int | None = None
    columns: list[str] | None = None
    error: str | None = None  # class name
    error_message: str | None = None
    invalid: bool = False
    applied: bool | None = None
    paging: int | None = None
    empty: bool = False
    user: str | None = None  # login: the role and its password
    password: str | None = None

    @property
    def expects_error(self) -> bool:
        return self.error is not None or self.invalid

    def describe(self) -> str:
        s = self.text
        if self.bind is not None:
            s += f"\n    bind {self.bind_text.strip()}"
        if self.paging:
            s += f"\n    paging {self.paging}"
        return s


@dataclass
class Case:
    id: str
    name: str
    file: str  # the file stem
    path: str
    line: int
    partitioner: str
    statements: list[Statement] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # the file's '# config:' settings


@dataclass
class Skip:
    id: str
    name: str
    reason: str
    path: str
    line: int


@dataclass
class CorpusFile:
    path: str
    stem: str
    source: str | None = None
    partitioner: str = "murmur3"
    # '# config: name=value' header lines: database settings passed to cql.connect
    config: dict[str, Any] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_CASE_RE = re.compile(r"^case\s+(\S+)\s*$")
_CASE_NAME_RE = re.compile(r"^[A-Za-z_$][\w$]*(?:#\d+)?(?:\[[^\]\s]+\])?(?:#\d+)?$")
_SKIP_RE = re.compile(r"^skip\s+(\S+?)\s*:\s*(.*)$")
_KEYWORDS = ("bind", "rows", "unordered", "empty", "count", "columns", "error", "invalid",
             "applied", "paging")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside brackets and quotes."""
    out, depth, cur, quote = [], 0, [], None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def parse_file(path: str | Path, text: str | None = None) -> CorpusFile:
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    cf = CorpusFile(path=str(path), stem=path.stem)
    lines = text.splitlines()
    header_done = False
    case: Case | None = None
    stmt: Statement | None = None
    ids: dict[str, int] = {}
    i = 0

    def err(lineno: int, msg: str) -> CorpusError:
        return CorpusError(path, lineno, msg)

    def claim(cid: str, lineno: int) -> None:
        if cid in ids:
            raise err(lineno, f"duplicate case {cid!r} (first at line {ids[cid]})")
        ids[cid] = lineno

    while i < len(lines):
        raw = lines[i].rstrip("\r\n")
        lineno = i + 1
        i += 1
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if not header_done:
                c = re.match(r"^#\s*config\s*:\s*(\w+)\s*=\s*(\S+)\s*$", stripped)
                if c:
                    try:
                        cf.config[c.group(1)] = evaluate(c.group(2))
                    except ValueProblem as e:
                        raise err(lineno, f"bad config value: {e}") from None
                    continue
                m = re.match(r"^#\s*(source|partitioner)\s*:\s*(\S+)", stripped)
                if m and m.group(1) == "source":
                    cf.source = m.group(2)
                elif m:
                    p = m.group(2).lower().rstrip(",;")
                    if p not in ("murmur3", "byteordered"):
                        raise err(lineno, f"unknown partitioner {m.group(2)!r} "
                                          "(murmur3 or byteordered)")
                    cf.partitioner = p
            continue
        if not header_done:
            header_done = True
            if cf.source is None:
                cf.warnings.append(f"{path}:1: no '# source:' header")
            if not re.search(r"(?m)^#\s*partitioner\s*:", text):
                cf.warnings.append(f"{path}:1: no '# partitioner:' header (murmur3 assumed)")
        if "\t" in raw[:_indent(raw)]:
            raise err(lineno, "indent with spaces, not tabs")
        if _indent(raw) > 0:
            # An expectation (with its deeper-indented continuation lines).
            if stmt is None or stmt.kind != "cql":
                where = "a storage step" if stmt is not None else (
                    "a case header" if case is not None else "the top level")
                raise err(lineno, f"indented line after {where}: {stripped!r} "
                                  "(expectations go under a statement)")
            base = _indent(raw)
            parts = [stripped]
            while i < len(lines):
                nxt = lines[i]
                if not nxt.strip():
                    i += 1
                    continue
                if nxt.strip().startswith("#"):
                    i += 1
                    continue
                if _indent(nxt) > base:
                    parts.append(nxt.strip())
                    i += 1
                    continue
                break
            try:
                _apply_expectation(stmt, parts, lineno)
            except CorpusError:
                raise
            except ValueProblem as e:
                raise err(lineno, str(e)) from None
            continue
        # Unindented: case header, skip, storage step or statement.
        m = _CASE_RE.match(stripped)
        if m:
            name = m.group(1)
            if not _CASE_NAME_RE.match(name):
                raise err(lineno, f"bad case name {name!r} (methodName, methodName#2 or "
                                  "methodName[variant], no spaces)")
            cid = f"{cf.stem}.{name}"
            claim(cid, lineno)
            case = Case(id=cid, name=name, file=cf.stem, path=str(path), line=lineno,
                        partitioner=cf.partitioner, config=cf.config)
            cf.cases.append(case)
            stmt = None
            continue
        if stripped.startswith("case ") or stripped == "case":
            raise err(lineno, f"bad case line {stripped!r} (case <methodName>)")
        if re.match(r"^skip(\s|$)", stripped):
            m = _SKIP_RE.match(stripped)
            if not m or not m.group(2).strip():
                raise err(lineno, f"bad skip line {stripped!r} (skip <methodName>: <reason>)")
            name, reason = m.group(1), m.group(2).strip()
            if not _CASE_NAME_RE.match(name):
                raise err(lineno, f"bad skipped method name {name!r}")
            sid = f"{cf.stem}.{name}"
            claim(sid, lineno)
            cf.skips.append(Skip(id=sid, name=name, reason=reason, path=str(path), line=lineno))
            continue
        if case is None:
            raise err(lineno, f"statement outside a case: {stripped!r} (start with 'case <name>')")
        if stripped in ("flush", "compact"):
            stmt = Statement(kind=stripped, text=stripped, line=lineno)
            case.statements.append(stmt)
            continue
        if re.match(r"^(flush|compact)\b", stripped):
            raise err(lineno, f"storage steps take no arguments: {stripped!r}")
        if stripped == "logout":
            stmt = Statement(kind="logout", text=stripped, line=lineno)
            case.statements.append(stmt)
            continue
        if re.match(r"^(login|logout)\b", stripped):
            try:
                words = shlex.split(stripped)
            except ValueError as e:
                raise err(lineno, f"bad login line {stripped!r}: {e}") from None
            if words[0] != "login" or len(words) != 3:
                raise err(lineno, f"bad session step {stripped!r} (login <role> <password>, "
                                  "or logout)")
            stmt = Statement(kind="login", text=stripped, line=lineno, user=words[1],
                             password=words[2])
            case.statements.append(stmt)
            continue
        if re.match(r"^(bind|rows|unordered|empty|count|columns|error|invalid|applied|paging)"
                    r"(\s|$)", stripped):
            raise err(lineno, f"expectation {stripped.split()[0]!r} must be indented under its "
                              "statement")
        text_ = stripped
        while text_.endswith(";"):
            text_ = text_[:-1].rstrip()
        stmt = Statement(kind="cql", text=text_, line=lineno)
        case.statements.append(stmt)
    for c in cf.cases:
        if not c.statements:
            cf.warnings.append(f"{path}:{c.line}: case {c.name} has no statements")
    return cf


def _apply_expectation(stmt: Statement, parts: list[str], lineno: int) -> None:
    first = parts[0]
    kw, _, rest = first.partition(" ")
    rest = rest.strip()
    more = parts[1:]

    def no_continuation() -> None:
        if more:
            raise ValueProblem(f"{kw} takes no continuation lines")

    if kw not in _KEYWORDS:
        raise ValueProblem(f"unknown expectation {kw!r} (one of {', '.join(_KEYWORDS)})")
    if kw == "bind":
        if stmt.bind is not None:
            raise ValueProblem("two bind lines for one statement")
        text = _join_lines([rest, *more])
        stmt.bind = evaluate_list(text)
        stmt.bind_text = " ".join(p.strip() for p in [rest, *more])
        if stmt.bind[0] and stmt.bind[1]:
            raise ValueProblem("bind takes positional values or name=value pairs, not both")
        return
    if kw in ("rows", "unordered"):
        if stmt.rows is not None:
            raise ValueProblem("two rows/unordered lines for one statement")
        stmt.rows = evaluate_rows(_join_lines([rest, *more]))
        stmt.unordered = kw == "unordered"
    elif kw == "empty":
        no_continuation()
        if rest:
            raise ValueProblem("empty takes no argument")
        stmt.empty = True
    elif kw == "count":
        no_continuation()
        if not re.fullmatch(r"\d+", rest):
            raise ValueProblem(f"count takes a number, not {rest!r}")
        stmt.count = int(rest)
    elif kw == "paging":
        no_continuation()
        if not re.fullmatch(r"\d+", rest) or int(rest) < 1:
            raise ValueProblem(f"paging takes a page size >= 1, not {rest!r}")
        stmt.paging = int(rest)
    elif kw == "columns":
        names = split_top_level(" ".join([rest, *more]))
        if not names:
            raise ValueProblem("columns needs at least one name")
        stmt.columns = names
    elif kw == "error":
        no_continuation()
        cls, sep, msg = rest.partition(":")
        cls = cls.strip()
        if not cls:
            raise ValueProblem("error needs a class name (error InvalidRequest: message)")
        cls = ERROR_ALIASES.get(cls, cls)
        if cls not in ERROR_CLASSES:
            raise ValueProblem(f"unknown error class {cls!r} (one of "
                              + ", ".join(sorted(ERROR_CLASSES)) + ")")
        if stmt.error is not None or stmt.invalid:
            raise ValueProblem("two error lines for one statement")
        stmt.error = cls
        msg = msg.lstrip(" ") if sep else ""
        # The message is everything after ': ' (trailing spaces stripped).
        stmt.error_message = msg.rstrip() or None
    elif kw == "invalid":
        no_continuation()
        if rest:
            raise ValueProblem("invalid takes no argument (use error <Class>: <message>)")
        if stmt.error is not None:
            raise ValueProblem("invalid and error on one statement")
        stmt.invalid = True
    elif kw == "applied":
        no_continuation()
        if rest.lower() not in ("true", "false"):
            raise ValueProblem(f"applied takes true or false, not {rest!r}")
        stmt.applied = rest.lower() == "true"
    result_checks = (stmt.rows is not None or stmt.empty or stmt.count is not None
                     or stmt.applied is not None or stmt.columns is not None)
    if stmt.expects_error and (result_checks or stmt.paging):
        raise ValueProblem("a statement cannot expect both an error and a result")
    if sum([stmt.rows is not None, stmt.empty, stmt.applied is not None]) > 1:
        raise ValueProblem("rows/unordered, empty and applied exclude each other")


def load_file(path: str | Path) -> CorpusFile:
    return parse_file(path)


def corpus_files(root: str | Path = CASES_DIR) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(root.glob("*.cqlt"))


def load_corpus(root: str | Path = CASES_DIR) -> tuple[list[CorpusFile], list[CorpusError]]:
    files, errors = [], []
    for p in corpus_files(root):
        try:
            files.append(parse_file(p))
        except CorpusError as e:
            errors.append(e)
        except (OSError, UnicodeDecodeError) as e:
            errors.append(CorpusError(p, 0, f"cannot read: {e}"))
    return files, errors


def in_server_sample(case_id: str) -> bool:
    return zlib.crc32(case_id.encode()) % SERVER_SAMPLE_MODULO == 0


# =====================================================================================
# Comparison and display
# =====================================================================================

def _is_float32(x: float) -> bool:
    try:
        return struct.unpack("f", struct.pack("f", x))[0] == x
    except (OverflowError, struct.error):
        return False


def float_match(expected: float, actual: float) -> bool:
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if expected == actual:
        return True
    if math.isinf(expected) or math.isinf(actual):
        return False
    tol = 1e-6 if _is_float32(actual) else 1e-12
    return math.isclose(expected, actual, rel_tol=tol, abs_tol=0.0)


def _is_set_like(v: Any) -> bool:
    return isinstance(v, AbstractSet | ExpSet) or type(v).__name__ in (
        "SortedSet", "FrozenSortedSet", "OrderedSet")


def _is_map_like(v: Any) -> bool:
    return isinstance(v, Mapping) and not isinstance(v, Udt)


def _is_udt_value(v: Any) -> bool:
    return isinstance(v, tuple) and hasattr(v, "_fields")


def _ts_ms(v: Any) -> int | None:
    if isinstance(v, _dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return (v - _EPOCH) // _MS
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return None


def _date_days(v: Any) -> int | None:
    if isinstance(v, _dt.datetime):
        return None
    if isinstance(v, _dt.date):
        return (v - _EPOCH_DATE).days
    for attr in ("days_from_epoch", "days"):
        d = getattr(v, attr, None)
        if isinstance(d, int):
            return d
    return None


def _time_ns(v: Any) -> int | None:
    if isinstance(v, _dt.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000_000 + v.microsecond * 1000
    ns = getattr(v, "nanosecond_time", None)
    if isinstance(ns, int):
        return ns
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    return None


def _match_bag(expected: list, actual: list) -> bool:
    """Every expected item matched to a distinct actual item (and no actual item left)."""
    if len(expected) != len(actual):
        return False
    n = len(actual)
    owner: list[int | None] = [None] * n  # actual index -> expected index
    cache: dict[tuple[int, int], bool] = {}

    def m(i: int, j: int) -> bool:
        key = (i, j)
        if key not in cache:
            cache[key] = match(expected[i], actual[j])
        return cache[key]

    def assign(i: int, seen: set[int]) -> bool:
        # Try the same position first, then the rest (cheap for nearly-ordered data).
        order = [i] + [j for j in range(n) if j != i] if i < n else range(n)
        for j in order:
            if j in seen or not m(i, j):
                continue
            seen.add(j)
            if owner[j] is None or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        if not assign(i, set()):
            return False
    return True


def _is_empty_value(v: Any) -> bool:
    """cql.EMPTY, an empty (zero-length) value: drivers decode it as None, so `null` matches it."""
    return type(v).__module__ == "cql.types.values" and type(v).__name__ == "_Empty"


def match(expected: Any, actual: Any) -> bool:
    """Does an actual (cql or driver) value match an expected corpus value?"""
    if isinstance(expected, _RowBox):
        return isinstance(actual, _RowBox) and row_match(expected.row, actual.row)
    if expected is None:
        return actual is None or _is_empty_value(actual)
    if expected is UNSET:
        return False
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual == expected
    if isinstance(expected, Ts):
        return _ts_ms(actual) == expected.ms
    if isinstance(expected, DateV):
        return _date_days(actual) == expected.days
    if isinstance(expected, TimeV):
        return _time_ns(actual) == expected.ns
    if isinstance(expected, Dur):
        return all(hasattr(actual, a) for a in ("months", "days", "nanoseconds")) and (
            actual.months, actual.days, actual.nanoseconds) == (
            expected.months, expected.days, expected.nanoseconds)
    if isinstance(expected, Inet):
        if not isinstance(actual, str):
            actual = str(actual) if actual is not None else None
        try:
            return actual is not None and ipaddress.ip_address(actual) == ipaddress.ip_address(
                expected)
        except ValueError:
            return False
    if isinstance(expected, int | float):
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        if isinstance(expected, float) or isinstance(actual, float):
            return float_match(float(expected), float(actual))
        return int(actual) == expected
    if isinstance(expected, decimal.Decimal):
        if not isinstance(actual, decimal.Decimal):
            return False
        if expected.is_nan() or actual.is_nan():
            return expected.is_nan() and actual.is_nan()
        return expected == actual
    if isinstance(expected, str):
        return isinstance(actual, str) and actual == expected
    if isinstance(expected, bytes | bytearray):
        return isinstance(actual, bytes | bytearray) and bytes(actual) == bytes(expected)
    if isinstance(expected, _uuid.UUID):
        return isinstance(actual, _uuid.UUID) and actual == expected
    if isinstance(expected, Udt):
        if _is_udt_value(actual):
            fields = list(actual._fields)
            values = dict(zip(fields, actual))
            if not set(expected).issubset(values) and len(expected) == len(fields):
                values = dict(zip(expected, actual))  # field names the class could not keep
        elif isinstance(actual, Mapping):
            values = dict(actual)
        else:
            return False
        for k, v in values.items():
            if k in expected:
                if not match(expected[k], v):
                    return False
            elif v is not None:
                return False
        return all(k in values or expected[k] is None for k in expected)
    if isinstance(expected, Tup):
        if not isinstance(actual, tuple | list) or _is_udt_value(actual):
            return False
        # Missing trailing components are nulls (a tuple value may be shorter than its type).
        n = max(len(expected), len(actual))
        exp = list(expected) + [None] * (n - len(expected))
        act = list(actual) + [None] * (n - len(actual))
        return all(match(e, a) for e, a in zip(exp, act))
    if isinstance(expected, ExpSet) or isinstance(expected, AbstractSet):
        if isinstance(actual, Mapping) and not expected:
            return len(actual) == 0
        if not _is_set_like(actual):
            return False
        return _match_bag(list(expected), list(actual))
    if isinstance(expected, Mapping):
        if not expected and _is_set_like(actual):
            return len(actual) == 0
        if not _is_map_like(actual):
            return False
        return _match_bag(list(expected.items()), [tuple(kv) for kv in actual.items()])
    if isinstance(expected, list | tuple):
        if not isinstance(actual, list | tuple) or _is_udt_value(actual) or _is_set_like(actual):
            return False
        return len(actual) == len(expected) and all(
            match(e, a) for e, a in zip(expected, actual))
    return expected == actual


def rows_match(expected: list[tuple], actual: list[tuple], ordered: bool) -> bool:
    if len(expected) != len(actual):
        return False
    if ordered:
        return all(row_match(e, a) for e, a in zip(expected, actual))
    return _match_bag([_RowBox(r) for r in expected], [_RowBox(r) for r in actual])


class _RowBox:
    """A row inside _match_bag (rows match column by column, not as tuple values)."""

    __slots__ = ("row",)

    def __init__(self, row: tuple):
        self.row = row


def row_match(expected: tuple, actual: tuple) -> bool:
    return len(expected) == len(actual) and all(match(e, a) for e, a in zip(expected, actual))


def fmt_ts_ms(ms: int) -> str:
    try:
        d = _EPOCH + _dt.timedelta(milliseconds=ms)
    except OverflowError:
        return f"ts({ms})"
    s = d.strftime("%Y-%m-%d %H:%M:%S")
    if d.microsecond:
        s += f".{d.microsecond // 1000:03d}"
    return f"ts('{s}')"


def fmt_date_days(days: int) -> str:
    try:
        return f"date('{(_EPOCH_DATE + _dt.timedelta(days=days)).isoformat()}')"
    except OverflowError:
        return f"date({days})"


def fmt_time_ns(ns: int) -> str:
    if not 0 <= ns < 86_400_000_000_000:
        return f"time({ns})"
    s, frac = divmod(ns, 1_000_000_000)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    out = f"{h:02d}:{m:02d}:{s:02d}"
    if frac:
        out += "." + f"{frac:09d}".rstrip("0")
    return f"time('{out}')"


def fmt(v: Any) -> str:
    """A value (expected or actual) in the corpus' value syntax."""
    if v is None:
        return "null"
    if v is UNSET:
        return "UNSET"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Ts | DateV | TimeV | Dur | Inet | Tup | Udt | ExpSet):
        return repr(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if type(v).__name__ == "Time" and isinstance(v, int):
        return fmt_time_ns(int(v))
    if isinstance(v, int):
        return repr(int(v))
    if isinstance(v, decimal.Decimal):
        return f"dec('{v}')"
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, bytes | bytearray):
        return f"blob('0x{bytes(v).hex()}')"
    if isinstance(v, _uuid.UUID):
        return f"uuid('{v}')"
    if isinstance(v, _dt.datetime):
        ms = _ts_ms(v)
        return fmt_ts_ms(ms) if ms is not None else repr(v)
    if isinstance(v, _dt.date):
        return fmt_date_days(_date_days(v) or 0)
    if isinstance(v, _dt.time):
        return fmt_time_ns(_time_ns(v) or 0)
    if all(hasattr(v, a) for a in ("months", "days", "nanoseconds")):
        return f"dur({v.months}, {v.days}, {v.nanoseconds})"
    if hasattr(v, "nanosecond_time"):
        return fmt_time_ns(v.nanosecond_time)
    if hasattr(v, "days_from_epoch"):
        return fmt_date_days(v.days_from_epoch)
    if _is_udt_value(v):
        return "udt(" + ", ".join(f"{k}={fmt(x)}" for k, x in zip(v._fields, v)) + ")"
    if isinstance(v, tuple):
        return "tup(" + ", ".join(fmt(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if _is_set_like(v):
        return "{" + ", ".join(fmt(x) for x in v) + "}" if len(v) else "set()"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{fmt(k)}: {fmt(x)}" for k, x in v.items()) + "}"
    return repr(v)


def fmt_row(row: tuple) -> str:
    return "(" + ", ".join(fmt(v) for v in row) + ("," if len(row) == 1 else "") + ")"


def fmt_rows(rows: list[tuple], limit: int = 25) -> str:
    if not rows:
        return "    (no rows)"
    lines = [f"    {fmt_row(r)}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"    ... {len(rows) - limit} more")
    return "\n".join(lines)


# =====================================================================================
# Backends
# =====================================================================================

class StatementError(Exception):
    """What a statement raised, classified: ``kind`` is 'error' (a CQL error: class names
    and message), 'internal' (anything else: an engine bug) or 'client' (the driver refused
    the bind values before sending anything)."""

    def __init__(self, kind: str, classes: list[str], message: str, original: BaseException):
        self.kind, self.classes, self.message, self.original = kind, classes, message, original
        super().__init__(f"{classes[0] if classes else '?'}: {message}")

    @property
    def name(self) -> str:
        """The class to show: the most specific of the known CQL error classes (with the
        actual class in parentheses when that is a private subclass)."""
        actual = type(self.original).__name__
        for c in self.classes:
            if c in ERROR_CLASSES:
                return c if c == ERROR_ALIASES.get(actual, actual) else f"{c} ({actual})"
        return actual

    def summary(self) -> str:
        prefix = {"internal": "INTERNAL ", "client": "driver-side "}.get(self.kind, "")
        return f"{prefix}{self.name}: {self.message}"


@dataclass
class ResultData:
    rows: list[tuple]
    columns: list[str] | None


def _class_names(exc: BaseException) -> list[str]:
    names = []
    for c in type(exc).__mro__:
        n = ERROR_ALIASES.get(c.__name__, c.__name__)
        if n not in names:
            names.append(n)
    return names


def _is_read(text: str) -> bool:
    """Does the statement read stored data (so the LSM mode reopens before it)?"""
    t = re.sub(r"'(?:[^']|'')*'", "''", text)  # drop string literals
    t = re.sub(r"\$\$.*?\$\$", "", t, flags=re.S)
    head = t.lstrip("( \t").split(None, 1)
    first = head[0].upper() if head else ""
    if first in ("SELECT", "DESCRIBE", "DESC"):
        return True
    if first in ("INSERT", "UPDATE", "DELETE", "BEGIN"):
        if re.search(r"(?i)\bIF\b", t):
            return True  # LWT
        if re.search(r"[\w\"]\s*\[", t) or re.search(r"(?i)=\s*[\w\"]+\s*-\s*\[", t):
            return True  # list element / map key operations, list discards: read-before-write
        return False
    if first == "CREATE" and re.match(r"(?i)^\s*CREATE\s+(CUSTOM\s+INDEX|INDEX|MATERIALIZED)",
                                      t):
        return True  # builds from existing data
    return False


_READ_ONLY_RE = re.compile(r"(?i)^\s*\(?\s*(SELECT|DESCRIBE|DESC|USE|LIST)\b")


class CqlBackend:
    """The embedded engine through the public ``cql`` API (memory, LSM or RocksDB)."""

    def __init__(self, mode: str, tmp_root: str | None = None,
                 config: dict[str, Any] | None = None):
        import cql

        self.cql = cql
        self.mode = mode
        self.config = dict(config or {})
        self.dir: str | None = None
        self.dirty = False
        self.reopens = 0
        if mode in DIRECTORY_MODES:
            self.dir = tempfile.mkdtemp(prefix="cqlt-", dir=tmp_root or fast_tmp_root())
        self.session = self.trusted = self._connect()
        self.login_as: tuple[str, str] | None = None  # the session runs as this role
        self.session.execute(KEYSPACE_DDL)
        self.session.execute("USE ks")

    def _connect(self):
        if self.mode == "memory":
            s = self.cql.connect(":memory:", **self.config)
        elif self.mode == "rocks":
            s = self.cql.connect(self.dir, engine="rocks", **self.config)
        else:
            try:
                s = self.cql.connect(self.dir, **LSM_OPTIONS, **self.config)
            except TypeError:  # the engine no longer takes these options
                s = self.cql.connect(self.dir, **self.config)
        s.row_factory = self.cql.tuple_factory
        return s

    def reopen(self) -> None:
        if not LSM_REOPEN and self.mode == "lsm":
            self.trusted.admin.flush()  # $CQLT_LSM_REOPEN=0: flush only (quicker, weaker)
            self.dirty = False
            self.reopens += 1
            return
        keyspace, trusted_keyspace = self.session.keyspace, self.trusted.keyspace
        self.trusted.close()
        self.session = self.trusted = self._connect()
        if trusted_keyspace:
            self.trusted.set_keyspace(trusted_keyspace)
        if self.login_as is not None:
            self.session = self._login_session(keyspace)
        self.dirty = False
        self.reopens += 1

    def login(self, user: str | None, password: str | None) -> None:
        """Run the next statements as this role (None: as the trusted session again), in
        the keyspace in use."""
        keyspace = self.session.keyspace
        if user is None:
            self.session = self.trusted
        else:
            self.login_as = (user, password or "")
            self.session = self._login_session(keyspace)
            return
        self.login_as = None
        if keyspace and keyspace != self.session.keyspace:
            self.session.set_keyspace(keyspace)

    def _login_session(self, keyspace: str | None):
        user, password = self.login_as  # type: ignore[misc]
        s = self.cql.Session(self.trusted.database)  # never closed: trusted owns the database
        s.login(user, password)
        s.row_factory = self.cql.tuple_factory
        if keyspace:
            s.set_keyspace(keyspace)
        return s

    def storage_step(self, kind: str) -> None:
        if self.mode != "lsm":  # RocksDB flushes and compacts by itself: nothing to ask
            return
        admin = self.trusted.admin
        (admin.flush if kind == "flush" else admin.compact)()

    def bind_value(self, v: Any) -> Any:
        return to_bind(v, "cql", self.cql.UNSET_VALUE)

    def execute(self, st: Statement) -> ResultData:
        read = _is_read(st.text)
        if self.mode in DIRECTORY_MODES and read and self.dirty:
            try:
                self.reopen()
            except Exception as e:  # noqa: BLE001 - the database does not open again
                raise StatementError("internal", [type(e).__name__],
                                     f"reopening the database failed: {_internal_message(e)}",
                                     e) from e
        try:
            if st.bind is None:
                if st.paging:
                    rs = self.session.execute(st.text, fetch_size=st.paging)
                else:
                    rs = self.session.execute(st.text)
            else:
                args, kwargs = st.bind
                values = ({k: self.bind_value(v) for k, v in kwargs.items()} if kwargs
                          else [self.bind_value(v) for v in args])
                ps = self.session.prepare(st.text)
                rs = self.session.execute(ps, values, fetch_size=st.paging)
            rows = [tuple(r) for r in rs]
            columns = list(rs.column_names) if rs.column_names else []
        except Exception as e:  # noqa: BLE001 - classified below
            raise self.classify(e) from e
        if not _READ_ONLY_RE.match(st.text):
            self.dirty = True
        return ResultData(rows, columns)

    def classify(self, e: BaseException) -> StatementError:
        if isinstance(e, self.cql.DriverException) and not isinstance(e, self.cql.ServerError):
            return StatementError("error", _class_names(e), str(e), e)
        return StatementError("internal", [type(e).__name__], _internal_message(e), e)

    def close(self) -> None:
        try:
            self.trusted.close()
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)


LSM_OPTIONS: dict[str, Any] = {"compaction_in_background": False}
LSM_REOPEN = os.environ.get("CQLT_LSM_REOPEN", "1") not in ("0", "no", "false")


def _internal_message(e: BaseException) -> str:
    import traceback

    if isinstance(e, CaseTimeout):
        return str(e)

    tb = traceback.extract_tb(e.__traceback__)
    where = ""
    if tb:
        f = tb[-1]
        where = f" (at {Path(f.filename).name}:{f.lineno} in {f.name})"
    return f"{e}{where}"


def to_bind(v: Any, target: str, unset: Any) -> Any:
    """A corpus value as a bind value for ``target`` ('cql' or 'driver')."""
    if v is UNSET:
        return unset
    if isinstance(v, Ts):
        try:
            return _EPOCH + _dt.timedelta(milliseconds=v.ms)
        except OverflowError:
            return v.ms
    if isinstance(v, DateV):
        try:
            return _EPOCH_DATE + _dt.timedelta(days=v.days)
        except OverflowError:
            return v.days
    if isinstance(v, TimeV):
        return v.ns
    if isinstance(v, Inet):
        return str(v)
    if isinstance(v, Tup):
        return tuple(to_bind(x, target, unset) for x in v)
    if isinstance(v, Udt):
        items = {k: to_bind(x, target, unset) for k, x in v.items()}
        return Udt(items) if target == "cql" else _DriverUdt(items)
    if isinstance(v, ExpSet | AbstractSet):
        items = [to_bind(x, target, unset) for x in v]
        try:
            return set(items)
        except TypeError:  # unhashable elements: a list binds to a set too
            return items
    if isinstance(v, Mapping):
        return {to_bind(k, target, unset): to_bind(x, target, unset) for k, x in v.items()}
    if isinstance(v, list):
        return [to_bind(x, target, unset) for x in v]
    if isinstance(v, tuple):
        return tuple(to_bind(x, target, unset) for x in v)
    return v


class _DriverUdt:
    """A UDT bind value for cassandra-driver: fields as attributes (missing ones null)."""

    def __init__(self, items: dict[str, Any]):
        self.__dict__.update(items)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __getitem__(self, i: Any) -> Any:
        raise TypeError("fields by name")


# ---- the server ---------------------------------------------------------------------

class ServerRunner:
    """A cassalite-server process on a free loopback port, for the whole test session."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None,
                 command: list[str] | None = None, config: dict[str, Any] | None = None):
        self.host = host
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.command = command
        self.log = None
        # database settings ('# config:' headers) as the server's long options
        self.options = [f"--{k.replace('_', '-')}" for k, v in (config or {}).items() if v]

    @staticmethod
    def candidate_commands() -> list[list[str]]:
        cmds = []
        exe = shutil.which("cassalite-server")
        if exe:
            cmds.append([exe])
        for mod in ("cassalite.server", "server"):
            cmds.append([sys.executable, "-m", mod])
        return cmds

    def start(self, timeout: float = 60.0) -> ServerRunner:
        if self.port is not None and self.proc is None and self.command is None:
            return self  # an external server
        problems = []
        for cmd in ([self.command] if self.command else self.candidate_commands()):
            port = _free_port()
            self.log = tempfile.TemporaryFile()
            proc = subprocess.Popen(
                [*cmd, "--memory", "--host", self.host, "--port", str(port),
                 "--log-level", "WARNING", *self.options],
                stdout=self.log, stderr=subprocess.STDOUT, cwd=str(HERE.parent.parent))
            deadline = _time.monotonic() + timeout
            while _time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                if _speaks_cql(self.host, port):
                    self.proc, self.port, self.command = proc, port, cmd
                    return self
                _time.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            self.log.seek(0)
            out = self.log.read().decode(errors="replace")[-2000:]
            problems.append(f"{' '.join(cmd)}: exit {proc.returncode}: {out.strip()}")
        raise RuntimeError("cannot start cassalite-server:\n" + "\n".join(problems))

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def _speaks_cql(host: str, port: int) -> bool:
    """Does the port answer a native protocol v4 OPTIONS with SUPPORTED?"""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"\x04\x00\x00\x00\x05\x00\x00\x00\x00")
            header = b""
            while len(header) < 9:
                chunk = sock.recv(9 - len(header))
                if not chunk:
                    return False
                header += chunk
            return header[0] == 0x84 and header[4] == 0x06
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerConnection:
    """One cassandra-driver session on a server, shared by every server-mode case."""

    def __init__(self, host: str, port: int, auth: bool = False):
        from cassandra.query import UNSET_VALUE, SimpleStatement

        self.SimpleStatement = SimpleStatement
        self.unset = UNSET_VALUE
        self.host, self.port = host, port
        self.cluster, self.session = self.open(("cassandra", "cassandra") if auth else None)

    def open(self, credentials: tuple[str, str] | None):
        """A driver cluster and session, logged in with ``credentials`` when given."""
        from cassandra.auth import PlainTextAuthProvider
        from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
        from cassandra.policies import RoundRobinPolicy
        from cassandra.query import tuple_factory

        profile = ExecutionProfile(load_balancing_policy=RoundRobinPolicy(),
                                   row_factory=tuple_factory, request_timeout=60)
        extra = {"auth_provider": PlainTextAuthProvider(*credentials)} if credentials else {}
        cluster = Cluster([self.host], port=self.port, protocol_version=4, connect_timeout=10,
                          execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                          schema_metadata_enabled=False, token_metadata_enabled=False,
                          max_schema_agreement_wait=0, **extra)
        return cluster, cluster.connect()

    def reset(self) -> None:
        """Drop what cases create: keyspaces outside system*, roles but cassandra."""
        s = self.session
        rows = s.execute("SELECT keyspace_name FROM system_schema.keyspaces")
        for (name,) in rows:
            if not name.startswith("system"):
                s.execute(f'DROP KEYSPACE IF EXISTS "{name}"')
        try:
            roles = list(s.execute("SELECT role FROM system_auth.roles"))
        except Exception:  # noqa: BLE001 - no roles table: nothing to drop
            roles = []
        for (role,) in roles:
            if role != "cassandra":
                try:
                    s.execute(f"DROP ROLE IF EXISTS '{role}'")
                except Exception:  # noqa: BLE001
                    pass

    def close(self) -> None:
        self.cluster.shutdown()


# One server (and driver session) per distinct '# config:' of the cases run through it.
_servers: dict[tuple, tuple[ServerRunner, ServerConnection]] = {}


def server_connection(config: dict[str, Any] | None = None,
                      auth: bool = False) -> ServerConnection:
    """The shared driver session (starting ``cassalite-server`` on first use, or using
    ``$CQLT_SERVER=host:port`` for cases without settings). ``auth``: a server run with
    ``--auth``, the session logged in as the default superuser (cases with ``login``)."""
    config = {**(config or {}), "auth": True} if auth else config
    key = tuple(sorted((config or {}).items()))
    if key not in _servers:
        ext = os.environ.get("CQLT_SERVER")
        if ext and not key:
            host, _, port = ext.rpartition(":")
            server = ServerRunner(host or "127.0.0.1", int(port))
        else:
            server = ServerRunner(config=config)
        server.start()
        _servers[key] = (server, ServerConnection(server.host, server.port, auth))
    return _servers[key][1]


def shutdown_server() -> None:
    while _servers:
        _, (server, conn) = _servers.popitem()
        try:
            conn.close()
        finally:
            server.stop()


class ServerBackend:
    def __init__(self, config: dict[str, Any] | None = None, auth: bool = False):
        self.conn = server_connection(config, auth)
        self.s = self.conn.session
        self.login_cluster = None
        self.conn.reset()
        self.s.execute(KEYSPACE_DDL)
        self.s.execute("USE ks")

    def login(self, user: str | None, password: str | None) -> None:
        """Run the next statements in a connection logged in as this role (None: the
        shared superuser connection again), in the keyspace in use."""
        keyspace = self.s.keyspace
        self._logout()
        if user is None:
            self.s = self.conn.session
        else:
            self.login_cluster, self.s = self.conn.open((user, password or ""))
        if keyspace and self.s.keyspace != keyspace:
            self.s.set_keyspace(keyspace)

    def _logout(self) -> None:
        if self.login_cluster is not None:
            self.login_cluster.shutdown()
            self.login_cluster = None

    def storage_step(self, kind: str) -> None:
        pass  # the server runs a memory database

    def execute(self, st: Statement) -> ResultData:
        unset = self.conn.unset
        try:
            if st.bind is None:
                opts = {"fetch_size": st.paging} if st.paging else {}
                stmt: Any = self.conn.SimpleStatement(st.text, **opts)
            else:
                ps = self.s.prepare(st.text)
                args, kwargs = st.bind
                values = ({k: to_bind(v, "driver", unset) for k, v in kwargs.items()} if kwargs
                          else [to_bind(v, "driver", unset) for v in args])
                try:
                    stmt = ps.bind(values)
                except Exception as e:  # noqa: BLE001 - the driver refused the values
                    if _is_server_error(e):
                        raise
                    raise StatementError("client", [type(e).__name__], str(e), e) from e
                if st.paging:
                    stmt.fetch_size = st.paging
            rs = self.s.execute(stmt)
            rows = [tuple(r) for r in rs]
            columns = list(rs.column_names or [])
        except StatementError:
            raise
        except Exception as e:  # noqa: BLE001
            raise self.classify(e) from e
        return ResultData(rows, columns)

    def classify(self, e: BaseException) -> StatementError:
        names = _class_names(e)
        code = getattr(e, "code", None)
        if _is_server_error(e) and "ServerError" not in names and code not in (0x0000, 0x000A):
            return StatementError("error", names, _driver_message(e), e)
        return StatementError("internal", names, _driver_message(e), e)

    def close(self) -> None:
        self._logout()
        try:
            self.conn.session.execute("USE system")
        except Exception:  # noqa: BLE001
            pass


def _is_server_error(e: BaseException) -> bool:
    import cassandra
    from cassandra.protocol import ErrorMessage

    if isinstance(e, ErrorMessage):
        return True
    return isinstance(e, cassandra.RequestValidationException | cassandra.RequestExecutionException)


def _driver_message(e: BaseException) -> str:
    msg = getattr(e, "message", None)
    if isinstance(msg, str):
        return msg
    text = str(e)
    m = re.search(r'message="(.*)"\s*$', text, re.S)
    return m.group(1) if m else text


def make_backend(mode: str, config: dict[str, Any] | None = None, auth: bool = False):
    """``auth``: the case logs in as other roles (a server run with ``--auth``)."""
    if mode == "server":
        return ServerBackend(config, auth)
    return CqlBackend(mode, config=config)


def fast_tmp_root() -> str | None:
    """A tmpfs for LSM directories when there is one ($CQLT_TMP wins)."""
    env = os.environ.get("CQLT_TMP")
    if env:
        return env
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return shm
    return None


# =====================================================================================
# Running
# =====================================================================================

@dataclass
class Outcome:
    case_id: str
    mode: str
    status: str  # 'pass' | 'fail' | 'internal'
    message: str = ""  # the full report for a failure
    statement: Statement | None = None
    seconds: float = 0.0
    reopens: int = 0

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def first_line(self) -> str:
        """The failure's headline: what differed (or the error) on one line."""
        for line in self.message.splitlines():
            if line.startswith("  ! "):
                return line[4:].strip()
        return self.message.splitlines()[0] if self.message else ""


class _Mismatch(Exception):
    def __init__(self, headline: str, detail: str = "", internal: bool = False):
        super().__init__(headline)
        self.headline, self.detail, self.internal = headline, detail, internal


def _error_matches(st: Statement, err: StatementError) -> bool:
    if err.kind != "error":
        return False
    if st.invalid:
        return any(c in err.classes for c in INVALID_CLASSES)
    if st.error not in err.classes:
        return False
    return st.error_message is None or st.error_message in err.message


def _expected_error_text(st: Statement) -> str:
    if st.invalid:
        return "invalid (" + " / ".join(INVALID_CLASSES) + ")"
    return f"{st.error}" + (f": {st.error_message}" if st.error_message else "")


def _fixes_partition_key(backend: Any, st: Statement) -> bool:
    """For byteordered files: does the SELECT fix every partition key column with '='?"""
    m = re.search(r'(?i)\bFROM\s+((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)', st.text)
    if not m:
        return False
    name = m.group(1)
    ks, _, table = name.rpartition(".")
    ks = (ks or "ks").strip('"') if ks.startswith('"') else (ks or "ks").lower()
    table = table.strip('"') if table.startswith('"') else table.lower()
    if isinstance(backend, CqlBackend):
        cur = backend.session
        rows = cur.execute("SELECT column_name, kind FROM system_schema.columns "
                           "WHERE keyspace_name = %s AND table_name = %s", (ks, table))
    else:
        rows = backend.s.execute("SELECT column_name, kind FROM system_schema.columns "
                                 "WHERE keyspace_name = %s AND table_name = %s", (ks, table))
    pks = [r[0] for r in rows if r[1] == "partition_key"]
    where = re.split(r"(?i)\bWHERE\b", st.text, maxsplit=1)
    if not pks or len(where) < 2:
        return False
    cond = where[1]
    for pk in pks:
        name = re.escape(pk) if pk == pk.lower() and re.fullmatch(r"\w+", pk) else None
        quoted = re.escape('"' + pk.replace('"', '""') + '"')
        pattern = rf'(?<![\w."(]){quoted}\s*=(?!=)'
        if name:
            pattern = rf'(?<![\w."(])(?:(?i:{name})|{quoted})\s*=(?!=)'
        if not re.search(pattern, cond):
            return False
    return True


def check_result(st: Statement, res: ResultData, case: Case | None = None,
                 backend: Any = None) -> None:
    rows = res.rows
    if st.columns is not None and list(res.columns or []) != st.columns:
        raise _Mismatch(f"columns differ: expected {st.columns}, got {res.columns}")
    if st.rows is not None:
        ordered = not st.unordered
        if ordered and case is not None and case.partitioner == "byteordered" and backend:
            ordered = _fixes_partition_key(backend, st)
        if not rows_match(st.rows, rows, ordered):
            raise _Mismatch(_rows_headline(st.rows, rows, ordered),
                            f"  expected {'rows' if ordered else 'rows in any order'} "
                            f"({len(st.rows)}):\n{fmt_rows(st.rows)}\n"
                            f"  actual rows ({len(rows)}):\n{fmt_rows(rows)}")
    if st.empty and rows:
        raise _Mismatch(f"expected no rows, got {len(rows)}: {fmt_row(rows[0])}"
                        + (" ..." if len(rows) > 1 else ""),
                        f"  actual rows ({len(rows)}):\n{fmt_rows(rows)}")
    if st.count is not None and len(rows) != st.count:
        raise _Mismatch(f"expected {st.count} rows, got {len(rows)}")
    if st.applied is not None:
        if len(rows) != 1 or not rows[0]:
            raise _Mismatch(f"expected one [applied] row, got {len(rows)} rows",
                            f"  actual rows:\n{fmt_rows(rows)}")
        if not match(st.applied, rows[0][0]):
            raise _Mismatch(f"expected [applied] = {fmt(st.applied)}, got "
                            f"{fmt(rows[0][0])} (row {fmt_row(rows[0])})")


def _rows_headline(expected: list[tuple], actual: list[tuple], ordered: bool) -> str:
    if len(expected) != len(actual):
        return f"expected {len(expected)} rows, got {len(actual)}" + (
            f"; first actual row {fmt_row(actual[0])}" if actual else "")
    if ordered:
        for i, (e, a) in enumerate(zip(expected, actual)):
            if not row_match(e, a):
                if rows_match(expected, actual, False):
                    return f"rows in a different order; row {i}: expected {fmt_row(e)}, " \
                           f"got {fmt_row(a)}"
                return f"row {i}: expected {fmt_row(e)}, got {fmt_row(a)}"
    missing = [e for e in expected if not any(row_match(e, a) for a in actual)]
    if missing:
        return f"expected row {fmt_row(missing[0])} not found (in any order)"
    return "rows differ (in any order: duplicates differ)"


class CaseTimeout(Exception):
    """Raised (by a timer signal) in a case that runs longer than $CQLT_TIMEOUT seconds."""


def case_timeout() -> float:
    return float(os.environ.get("CQLT_TIMEOUT", "120"))


def run_case(case: Case, mode: str, backend: Any = None, timeout: float | None = None
             ) -> Outcome:
    """Run one case in a fresh database; the outcome says what first went wrong. A case
    still running after ``timeout`` seconds (default $CQLT_TIMEOUT, 120) is stopped and
    reported as INTERNAL CaseTimeout (only where a timer signal can be used)."""
    import signal
    import threading

    timeout = case_timeout() if timeout is None else timeout
    if not timeout or not hasattr(signal, "setitimer") or \
            threading.current_thread() is not threading.main_thread():
        return _run_case(case, mode, backend)

    def on_alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"the case did not finish in {timeout:g}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return _run_case(case, mode, backend)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_case(case: Case, mode: str, backend: Any = None) -> Outcome:
    t0 = _time.perf_counter()
    owns = backend is None
    st: Statement | None = None
    try:
        try:
            if owns:
                backend = make_backend(mode, case.config,
                                       any(s.kind == "login" for s in case.statements))
        except Exception as e:  # noqa: BLE001
            return Outcome(case.id, mode, "internal",
                           f"{case.id} [{mode}]: cannot set up the database\n"
                           f"  ! INTERNAL setup {type(e).__name__}: {e}", None,
                           _time.perf_counter() - t0)
        for n, st in enumerate(case.statements, 1):
            try:
                if st.kind in ("login", "logout"):
                    try:
                        backend.login(st.user, st.password)
                    except Exception as e:  # noqa: BLE001
                        raise _Mismatch(f"INTERNAL {st.text} failed: {type(e).__name__}: {e}",
                                        internal=True) from e
                    continue
                if st.kind != "cql":
                    try:
                        backend.storage_step(st.kind)
                    except Exception as e:  # noqa: BLE001
                        raise _Mismatch(f"INTERNAL {st.kind} failed: {type(e).__name__}: {e}",
                                        internal=True) from e
                    continue
                try:
                    res = backend.execute(st)
                except StatementError as err:
                    if st.expects_error and _error_matches(st, err):
                        continue
                    if st.expects_error and err.kind == "client":
                        continue  # the driver refused the values: the server never saw them
                    if err.kind == "internal":
                        raise _Mismatch(err.summary(), _traceback_tail(err.original),
                                        internal=True) from None
                    if st.expects_error:
                        if err.kind == "error" and (st.error in err.classes or (
                                st.invalid and any(c in err.classes for c in INVALID_CLASSES))):
                            raise _Mismatch(f"wrong error message: expected "
                                            f"{_expected_error_text(st)!r}, got "
                                            f"{err.summary()!r}") from None
                        raise _Mismatch(f"wrong error: expected {_expected_error_text(st)}, "
                                        f"got {err.summary()}") from None
                    raise _Mismatch(f"unexpected error {err.summary()}") from None
                if st.expects_error:
                    raise _Mismatch(f"expected error {_expected_error_text(st)}, but the "
                                    f"statement succeeded ({len(res.rows)} rows)",
                                    f"  actual rows ({len(res.rows)}):\n{fmt_rows(res.rows)}"
                                    if res.rows else "")
                check_result(st, res, case, backend)
            except _Mismatch as m:
                status = "internal" if m.internal else "fail"
                where = f"{case.path}:{st.line}"
                msg = (f"{case.id} [{mode}] statement {n} ({where}):\n"
                       f"  {st.describe()}\n"
                       f"  ! {m.headline}")
                if m.detail:
                    msg += "\n" + m.detail
                return Outcome(case.id, mode, status, msg, st, _time.perf_counter() - t0,
                               getattr(backend, "reopens", 0))
        return Outcome(case.id, mode, "pass", "", None, _time.perf_counter() - t0,
                       getattr(backend, "reopens", 0))
    except Exception as e:  # noqa: BLE001 - a runner/backend failure outside a statement
        return Outcome(case.id, mode, "internal",
                       f"{case.id} [{mode}]" + (f" at {case.path}:{st.line}" if st else "")
                       + f":\n  ! INTERNAL {type(e).__name__}: {e}\n"
                       + _traceback_tail(e), st, _time.perf_counter() - t0)
    finally:
        if owns and backend is not None:
            try:
                backend.close()
            except Exception:  # noqa: BLE001 - a close failure must not hide the outcome
                pass


def _traceback_tail(e: BaseException, limit: int = 6) -> str:
    import traceback

    lines = traceback.format_exception(type(e), e, e.__traceback__, limit=-limit)
    return "  " + "".join(lines).rstrip().replace("\n", "\n  ")


# =====================================================================================
# known_failures.txt
# =====================================================================================

_KF_RE = re.compile(r"^(?P<id>\S+?)(?:\s+\[(?P<modes>[a-z, ]+)\])?\s*:\s*(?P<reason>.*)$")


@dataclass
class KnownFailure:
    case_id: str
    modes: tuple[str, ...] | None  # None: all modes
    reason: str
    line: int

    @property
    def flaky(self) -> bool:
        """A reason starting with 'flaky:' tolerates a pass (e.g. a case near the timeout)."""
        return self.reason.lower().startswith("flaky:")


def parse_known_failures(path: str | Path = KNOWN_FAILURES) -> list[KnownFailure]:
    path = Path(path)
    if not path.exists():
        return []
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _KF_RE.match(line)
        if not m:
            raise CorpusError(path, n, f"expected '<case id> [<mode>]: <reason>', got {line!r}")
        modes = None
        if m.group("modes"):
            modes = tuple(x.strip() for x in m.group("modes").split(",") if x.strip())
            bad = [x for x in modes if x not in MODES]
            if bad:
                raise CorpusError(path, n, f"unknown mode {bad[0]!r} (memory, lsm, server)")
        out.append(KnownFailure(m.group("id"), modes, m.group("reason").strip(), n))
    return out


def known_failure_index(entries: list[KnownFailure]) -> dict[tuple[str, str], KnownFailure]:
    idx: dict[tuple[str, str], KnownFailure] = {}
    for kf in entries:
        for mode in kf.modes or MODES:
            idx[(kf.case_id, mode)] = kf
    return idx


# =====================================================================================
# Corpus runs and reports
# =====================================================================================

def planned_modes(case_id: str, modes: tuple[str, ...]) -> list[str]:
    return [m for m in modes if m != "server" or in_server_sample(case_id)]


def default_jobs() -> int:
    env = os.environ.get("CQLT_JOBS")
    if env:
        return max(1, int(env))
    return max(1, min(os.cpu_count() or 1, 8))


def _run_pair(pair: tuple[Case, str]) -> Outcome:
    return run_case(*pair)


def run_many(pairs: list[tuple[Case, str]], jobs: int | None = None,
             progress: Any = None) -> dict[tuple[str, str], Outcome]:
    """Run (case, mode) pairs; memory/LSM pairs in ``jobs`` worker processes (spawned),
    server pairs here, one after the other, on the shared server."""
    jobs = default_jobs() if jobs is None else jobs
    out: dict[tuple[str, str], Outcome] = {}

    def done(o: Outcome) -> None:
        out[(o.case_id, o.mode)] = o
        if progress:
            progress(o)

    local = [p for p in pairs if p[1] == "server"]
    pooled = [p for p in pairs if p[1] != "server"]
    if jobs > 1 and len(pooled) >= 4 * jobs:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        # Long ones first (LSM, many statements), so the pool ends evenly.
        pooled.sort(key=lambda p: (p[1] != "lsm", -len(p[0].statements)))
        with ctx.Pool(jobs) as pool:
            for o in pool.imap_unordered(_run_pair, pooled, chunksize=2):
                done(o)
    else:
        for p in pooled:
            done(_run_pair(p))
    for p in local:
        done(_run_pair(p))
    return out


def planned_pairs(files: list[CorpusFile], modes: tuple[str, ...],
                  pattern: str | None = None) -> list[tuple[Case, str]]:
    return [(case, mode) for mode in modes for cf in files for case in cf.cases
            if (not pattern or pattern in case.id) and mode in planned_modes(case.id, modes)]


def run_all(files: list[CorpusFile], modes: tuple[str, ...], pattern: str | None = None,
            jobs: int | None = None, progress: Any = None
            ) -> tuple[list[Outcome], dict[str, float]]:
    """Every planned (case, mode) of ``files``; returns the outcomes in corpus order and
    the wall time per mode (modes run one after the other)."""
    outcomes, timing = [], {}
    for mode in modes:
        t0 = _time.perf_counter()
        pairs = planned_pairs(files, (mode,) if mode != "server" else ("server",), pattern)
        if mode == "server":
            pairs = [p for p in pairs if in_server_sample(p[0].id)]
        got = run_many(pairs, jobs, progress)
        outcomes += [got[(c.id, m)] for c, m in pairs]
        timing[mode] = _time.perf_counter() - t0
    return outcomes, timing


def pass_rate_table(files: list[CorpusFile], outcomes: list[Outcome],
                    modes: tuple[str, ...]) -> str:
    by = {}
    for o in outcomes:
        by.setdefault((o.case_id.split(".", 1)[0], o.mode), []).append(o)
    width = max([len(cf.stem) for cf in files] + [5])
    head = f"{'file':<{width}}  {'cases':>5} {'skip':>4}  " + "  ".join(
        f"{m:>17}" for m in modes)
    lines = [head, "-" * len(head)]
    totals = {m: [0, 0] for m in modes}
    shown = [cf for cf in files if any((cf.stem, m) in by for m in modes)] or files
    for cf in shown:
        cells = []
        for m in modes:
            os_ = by.get((cf.stem, m), [])
            p = sum(o.passed for o in os_)
            totals[m][0] += p
            totals[m][1] += len(os_)
            cells.append(_rate(p, len(os_)))
        lines.append(f"{cf.stem:<{width}}  {len(cf.cases):>5} {len(cf.skips):>4}  "
                     + "  ".join(f"{c:>17}" for c in cells))
    lines.append("-" * len(head))
    ncases = sum(len(cf.cases) for cf in files)
    nskips = sum(len(cf.skips) for cf in files)
    lines.append(f"{'TOTAL':<{width}}  {ncases:>5} {nskips:>4}  "
                 + "  ".join(f"{_rate(*totals[m]):>17}" for m in modes))
    return "\n".join(lines)


def pass_rate_markdown(files: list[CorpusFile], outcomes: list[Outcome],
                       modes: tuple[str, ...]) -> str:
    """The pass rates as a markdown table (one row per source class) for docs/compatibility.md."""
    by: dict[tuple[str, str], list[int]] = {}
    for o in outcomes:
        cell = by.setdefault((o.case_id.split(".", 1)[0], o.mode), [0, 0])
        cell[0] += o.passed
        cell[1] += 1
    lines = ["| Source class | Cases | Skipped | " + " | ".join(modes) + " |",
             "|---|---:|---:|" + "---:|" * len(modes)]
    totals = {m: [0, 0] for m in modes}
    for cf in files:
        cells = []
        for m in modes:
            p, n = by.get((cf.stem, m), (0, 0))
            totals[m][0] += p
            totals[m][1] += n
            cells.append(_rate(p, n))
        lines.append(f"| {cf.stem} | {len(cf.cases)} | {len(cf.skips)} | " + " | ".join(cells)
                     + " |")
    ncases = sum(len(cf.cases) for cf in files)
    nskips = sum(len(cf.skips) for cf in files)
    lines.append(f"| **Total** | {ncases} | {nskips} | "
                 + " | ".join(f"**{_rate(*totals[m])}**" for m in modes) + " |")
    return "\n".join(lines)


def _rate(passed: int, total: int) -> str:
    if not total:
        return "-"
    return f"{passed}/{total} {100.0 * passed / total:5.1f}%"


def save_outcomes(outcomes: list[Outcome], path: str) -> None:
    import json

    with open(path, "w", encoding="utf-8") as f:
        for o in outcomes:
            f.write(json.dumps({"id": o.case_id, "mode": o.mode, "status": o.status,
                                "seconds": round(o.seconds, 4), "reopens": o.reopens,
                                "statements": len(CASE_STATEMENTS.get(o.case_id, ())),
                                "headline": o.first_line}) + "\n")


CASE_STATEMENTS: dict[str, list[Statement]] = {}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tests.conformance.runner",
                                 description="Run the conformance corpus outside pytest.")
    ap.add_argument("paths", nargs="*", help=".cqlt files or directories (default: cases/)")
    ap.add_argument("--modes", default="memory,lsm",
                    help="comma-separated: memory, lsm, server (server runs its ~5%% sample), "
                         "rocks (the RocksDB engine)")
    ap.add_argument("-k", dest="pattern", help="only case ids containing this text")
    ap.add_argument("--check", action="store_true", help="only parse, report data problems")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every failure in full")
    ap.add_argument("-j", "--jobs", type=int, default=None,
                    help="worker processes for memory/LSM (default: $CQLT_JOBS or the CPUs)")
    ap.add_argument("--save", metavar="FILE",
                    help="write every outcome as a JSON line (id, mode, status, seconds...)")
    ap.add_argument("--all-server", action="store_true",
                    help="run every case (not only the sample) in server mode")
    args = ap.parse_args(argv)
    paths = args.paths or [str(CASES_DIR)]
    files, errors = [], []
    for p in paths:
        f, e = load_corpus(p)
        files += f
        errors += e
    for e in errors:
        print(f"PARSE ERROR {e}", file=sys.stderr)
    for cf in files:
        for w in cf.warnings:
            print(f"warning: {w}", file=sys.stderr)
    ncases = sum(len(cf.cases) for cf in files)
    CASE_STATEMENTS.update({c.id: c.statements for cf in files for c in cf.cases})
    print(f"{len(files)} files, {ncases} cases, {sum(len(cf.skips) for cf in files)} skipped, "
          f"{len(errors)} files with parse errors", file=sys.stderr)
    if args.check:
        return 1 if errors else 0
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    unknown = [m for m in modes if m not in MODES + OPTIONAL_MODES]
    if unknown:
        ap.error(f"unknown mode {unknown[0]!r} (memory, lsm, server, rocks)")
    global SERVER_SAMPLE_MODULO
    if args.all_server:
        SERVER_SAMPLE_MODULO = 1
    try:
        outcomes, timing = run_all(files, modes, args.pattern, args.jobs)
    finally:
        shutdown_server()
    if args.save:
        save_outcomes(outcomes, args.save)
    failures = [o for o in outcomes if not o.passed]
    for o in failures:
        print(o.message if args.verbose else f"FAIL {o.case_id} [{o.mode}]: {o.first_line}")
        if args.verbose:
            print()
    print(pass_rate_table(files, outcomes, modes))
    for m in modes:
        n = sum(1 for o in outcomes if o.mode == m)
        print(f"{m}: {n} cases in {timing[m]:.1f}s")
    return 1 if failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
