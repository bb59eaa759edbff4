"""COPY TO / COPY FROM: cqlsh's syntax, options and console messages, run in-process.

cqlsh forks worker processes and splits token ranges; an embedded database needs none of
that: COPY TO pages through one SELECT (``PAGESIZE`` rows per page) and COPY FROM binds
parsed CSV values to one prepared INSERT. The user-visible behaviour (options, CSV dialect,
value formats, progress line, final report, error messages) is cqlsh's.
"""

from __future__ import annotations

import csv
import datetime
import glob
import io
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from .formatting import FormatSettings, format_value
from .lexer_tokens import Token, tokenize, unquote_name

if TYPE_CHECKING:
    from .core import Shell
    from .splitter import Statement

COMMON_OPTIONS = {
    "delimiter": ",", "quote": '"', "escape": "\\", "header": "false", "null": "",
    "datetimeformat": None, "maxattempts": "5", "reportfrequency": "0.25", "decimalsep": ".",
    "thousandssep": "", "boolstyle": "True,False", "numprocesses": "1", "configfile": "",
    "ratefile": "",
}
FROM_OPTIONS = {
    "chunksize": "5000", "ingestrate": "100000", "minbatchsize": "10", "maxbatchsize": "20",
    "maxrows": "-1", "skiprows": "0", "skipcols": "", "maxparseerrors": "-1",
    "maxinserterrors": "1000", "errfile": "", "preparedstatements": "True", "ttl": "-1",
    "maxinflightmessages": "512", "maxbackoffattempts": "12", "maxpendingchunks": "24",
    "requesttimeout": "10", "childtimeout": "10",
}
TO_OPTIONS = {
    "encoding": "utf8", "pagesize": "1000", "pagetimeout": "10", "begintoken": "",
    "endtoken": "", "maxrequests": "6", "maxoutputsize": "-1", "floatprecision": "5",
    "doubleprecision": "12",
}


class CopyError(Exception):
    """A COPY problem reported as one error line."""


@dataclass
class CopyCommand:
    keyspace: str | None
    table: str
    columns: list[str] | None
    direction: str  # FROM / TO
    target: str | None  # file name(s); None for STDIN / STDOUT
    options: dict[str, str]


def parse_copy(text: str) -> CopyCommand:
    toks = tokenize(text)
    if toks and toks[-1].value == ";":
        toks = toks[:-1]
    pos = 1

    def peek() -> Token | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> Token:
        nonlocal pos
        if pos >= len(toks):
            raise CopyError("Improper COPY command.")
        pos += 1
        return toks[pos - 1]

    first = take()
    if first.kind not in ("word", "qident"):
        raise CopyError("Improper COPY command.")
    keyspace, table = None, unquote_name(first)
    if peek() is not None and peek().value == ".":
        take()
        second = take()
        if second.kind not in ("word", "qident"):
            raise CopyError("Improper COPY command.")
        keyspace, table = table, unquote_name(second)
    columns = None
    if peek() is not None and peek().value == "(":
        take()
        columns = []
        while True:
            tok = take()
            if tok.kind not in ("word", "qident"):
                raise CopyError("Improper COPY command.")
            columns.append(unquote_name(tok))
            sep = take()
            if sep.value == ")":
                break
            if sep.value != ",":
                raise CopyError("Improper COPY command.")
    direction = take().value.upper()
    if direction not in ("FROM", "TO"):
        raise CopyError("Improper COPY command.")
    src = take()
    if src.kind == "string":
        target: str | None = src.value
    elif src.kind == "word" and src.value.upper() in ("STDIN", "STDOUT"):
        if (direction == "FROM") != (src.value.upper() == "STDIN"):
            raise CopyError("Improper COPY command.")
        target = None
    else:
        raise CopyError("Improper COPY command.")
    options: dict[str, str] = {}
    if peek() is not None:
        if take().value.upper() != "WITH":
            raise CopyError("Improper COPY command.")
        while True:
            name = take()
            if name.kind != "word" or take().value != "=":
                raise CopyError("Improper COPY command.")
            value = take()
            if value.kind not in ("string", "word", "number", "qident"):
                raise CopyError("Improper COPY command.")
            options[name.value.lower()] = value.value
            if peek() is None:
                break
            if take().value.upper() != "AND":
                raise CopyError("Improper COPY command.")
    return CopyCommand(keyspace, table, columns, direction, target, options)


def describe_interval(seconds: float) -> str:
    """'0.241 seconds', '1 minute and 2.000 seconds', '1 hour, 2 minutes, and 3.000 seconds'."""
    parts = []
    for length, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        num = int(seconds) // length
        if num > 0:
            parts.append(f"{num} {unit}" + ("s" if num > 1 else ""))
        seconds %= length
    words = f"{seconds:.3f} seconds"
    if len(parts) > 1:
        return ", ".join(parts) + ", and " + words
    if parts:
        return parts[0] + " and " + words
    return words


class RateMeter:
    """The 'Processed: N rows; Rate: ...' line, rewritten in place every REPORTFREQUENCY s."""

    def __init__(self, out: IO[str] | None, frequency: float):
        self.out = out
        self.frequency = frequency
        self.start = self.last = time.time()
        self.total = 0
        self.since_last = 0

    def increment(self, n: int = 1) -> None:
        self.total += n
        self.since_last += n
        now = time.time()
        if now - self.last >= self.frequency:
            self._report(now)

    def _report(self, now: float) -> None:
        rate = self.since_last / max(now - self.last, 1e-9)
        avg = self.total / max(now - self.start, 1e-9)
        if self.out is not None:
            self.out.write(f"Processed: {self.total} rows; Rate: {rate:7.0f} rows/s; "
                           f"Avg. rate: {avg:7.0f} rows/s\r")
            self.out.flush()
        self.last = now
        self.since_last = 0

    def done(self) -> None:
        self._report(time.time())

    @property
    def elapsed(self) -> float:
        return time.time() - self.start


# ---------------------------------------------------------------------------------------------


def _options(shell: Shell, cmd: CopyCommand, ks: str) -> dict[str, Any]:
    direction = "from" if cmd.direction == "FROM" else "to"
    allowed = {**COMMON_OPTIONS, **(FROM_OPTIONS if direction == "from" else TO_OPTIONS)}
    opts: dict[str, Any] = dict(allowed)
    sections = shell.settings.copy_defaults
    configfile = cmd.options.get("configfile")
    if configfile:
        import configparser

        parser = configparser.RawConfigParser()
        parser.read(os.path.expanduser(configfile), encoding="utf-8")
        sections = {s: {k.lower(): v for k, v in parser.items(s)} for s in parser.sections()}
    for name in ("copy", f"copy-{direction}", f"copy:{ks}.{cmd.table}",
                 f"copy-{direction}:{ks}.{cmd.table}"):
        for key, value in sections.get(name, {}).items():
            if key in allowed:
                opts[key] = value
    unknown = [k for k in cmd.options if k not in allowed]
    if unknown:
        raise CopyError(f"Unrecognized COPY {cmd.direction} options: {', '.join(unknown)}")
    opts.update(cmd.options)
    if opts["datetimeformat"] is None:
        opts["datetimeformat"] = shell.settings.display.time_format
    styles = [s.strip() for s in str(opts["boolstyle"]).split(",")]
    if len(styles) != 2 or not all(styles) or styles[0].lower() == styles[1].lower():
        raise CopyError(f"Invalid boolean styles {opts['boolstyle']}")
    opts["boolstyles"] = (styles[0], styles[1])
    opts["header"] = str(opts["header"]).lower() in ("true", "1", "yes", "on")
    return opts


def _dialect(opts: dict[str, Any]) -> dict[str, Any]:
    quote, escape = opts["quote"], opts["escape"]
    d = {"delimiter": opts["delimiter"], "quotechar": quote}
    if quote == escape:
        d["doublequote"] = True
    else:
        d["doublequote"] = False
        d["escapechar"] = escape
    return d


def table_columns(shell: Shell, ks: str, table: str) -> list[tuple[str, str, Any]]:
    """(name, kind, type) in Cassandra's column order; CopyError if the table is unknown."""
    q = ("SELECT column_name, kind, position, type FROM system_schema.columns WHERE "
         f"keyspace_name = '{ks.replace(chr(39), chr(39) * 2)}' AND table_name = "
         f"'{table.replace(chr(39), chr(39) * 2)}'")
    rows = list(shell.session.execute(q, fetch_size=0).current_rows)
    if not rows:
        raise CopyError(f"Column family {table} not found")
    order = {"partition_key": 0, "clustering": 1, "static": 2, "regular": 2}
    rows.sort(key=lambda r: (order.get(r[1], 3), r[2] if order.get(r[1]) in (0, 1) else 0,
                             r[0]))
    return [(r[0], r[1], r[3]) for r in rows]


def run_copy(shell: Shell, st: Statement) -> None:
    try:
        cmd = parse_copy(st.text)
        ks = cmd.keyspace or shell.keyspace
        if ks is None:
            raise CopyError("Not in any keyspace.")
        if cmd.direction == "TO":
            export(shell, cmd, ks)
        else:
            import_(shell, cmd, ks)
    except CopyError as e:
        shell.printerr(str(e))


def _qualified(ks: str, table: str) -> str:
    from cql.types import maybe_quote

    return f"{maybe_quote(ks)}.{maybe_quote(table)}"


def _quote_cols(cols: list[str]) -> str:
    from cql.types import maybe_quote

    return ", ".join(maybe_quote(c) for c in cols)


# -- COPY TO -----------------------------------------------------------------------------------


class _Writer:
    """Writes CSV lines to one file, or several when MAXOUTPUTSIZE splits the output."""

    def __init__(self, target: str | None, out: IO[str], encoding: str, max_lines: int):
        self.target = target
        self.out = out
        self.encoding = encoding
        self.max_lines = max_lines
        self.num_files = 0
        self.lines = 0
        self.f: IO[str] | None = None

    def _open(self) -> IO[str]:
        if self.target is None:
            self.num_files = max(self.num_files, 1)
            return self.out
        name = self.target if self.num_files == 0 else f"{self.target}.{self.num_files}"
        self.num_files += 1
        return open(name, "w", encoding=self.encoding, newline="")

    def write(self, text: str, lines: int) -> None:
        if self.f is None or (self.max_lines > 0 and self.lines + lines > self.max_lines
                              and self.target is not None and self.lines > 0):
            self.close()
            self.f = self._open()
            self.lines = 0
        self.f.write(text)
        self.lines += lines

    def close(self) -> None:
        if self.f is not None and self.f is not self.out:
            self.f.close()
        self.f = None


def export(shell: Shell, cmd: CopyCommand, ks: str) -> None:
    opts = _options(shell, cmd, ks)
    all_cols = table_columns(shell, ks, cmd.table)
    by_name = {c[0]: c for c in all_cols}
    columns = cmd.columns or [c[0] for c in all_cols]
    for c in columns:
        if c not in by_name:
            raise CopyError(f"Invalid column name {c}")
    to_stdout = cmd.target is None
    msg_out = None if (to_stdout and not shell.settings.debug) else shell.out
    if msg_out is not None:
        msg_out.write("Using 1 child processes\n")
        msg_out.write(f"\nStarting copy of {ks}.{cmd.table} with columns "
                      f"[{', '.join(columns)}].\n")
    settings = FormatSettings(
        color=False, float_precision=int(opts["floatprecision"]),
        double_precision=int(opts["doubleprecision"]), time_format=opts["datetimeformat"],
        timezone=shell.settings.display.timezone, null=opts["null"], milliseconds_only=True,
        boolean_styles=opts["boolstyles"], decimal_sep=opts["decimalsep"] or None,
        thousands_sep=opts["thousandssep"] or None, csv=True)
    query = f"SELECT {_quote_cols(columns)} FROM {_qualified(ks, cmd.table)}"
    pk = [c[0] for c in all_cols if c[1] == "partition_key"]
    bounds = []
    if opts["begintoken"]:
        bounds.append(f"token({_quote_cols(pk)}) > {int(opts['begintoken'])}")
    if opts["endtoken"]:
        bounds.append(f"token({_quote_cols(pk)}) <= {int(opts['endtoken'])}")
    if bounds:
        query += " WHERE " + " AND ".join(bounds)
    target = os.path.expanduser(cmd.target) if cmd.target else None
    writer = _Writer(target, shell.query_out if to_stdout else shell.out, opts["encoding"],
                     int(opts["maxoutputsize"]))
    meter = RateMeter(msg_out, float(opts["reportfrequency"]))
    try:
        rs = shell.session.execute(query, fetch_size=int(opts["pagesize"]))
        types = rs.column_types
        if opts["header"]:
            buf = io.StringIO()
            csv.writer(buf, **_dialect(opts)).writerow(columns)
            writer.write(buf.getvalue(), 0)
        while True:
            buf = io.StringIO()
            w = csv.writer(buf, **_dialect(opts))
            rows = rs.current_rows
            for row in rows:
                w.writerow([format_value(v, t, settings).plain if v is not None else opts["null"]
                            for v, t in zip(row, types)])
            if rows:
                writer.write(buf.getvalue(), len(rows))
                meter.increment(len(rows))
            if not rs.has_more_pages:
                break
            rs.fetch_next_page()
        if writer.num_files == 0 and target is not None:
            writer.f = writer._open()  # an empty table still creates its (empty) file
    except OSError as e:
        raise CopyError(f"Can't open {cmd.target!r} for writing: {e}") from None
    finally:
        writer.close()
    if msg_out is not None:
        meter.done()
        msg_out.write(f"\n{meter.total} rows exported to {writer.num_files} files in "
                      f"{describe_interval(meter.elapsed)}.\n")
    shell.export_rate = meter.total / max(meter.elapsed, 1e-9)


# -- COPY FROM ---------------------------------------------------------------------------------


def _source_lines(shell: Shell, cmd: CopyCommand) -> Iterator[tuple[str, IO[str] | list[str]]]:
    if cmd.target is None:
        if shell.settings.tty:
            shell.print("[Use . on a line by itself to end input]")
        lines = []
        for line in shell.stdin_lines():
            if line.rstrip("\r\n") == "\\.":
                break
            lines.append(line)
        yield "<stdin>", lines
        return
    for path in _resolve_files(cmd.target):
            try:
                f = open(path, encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as e:
                raise CopyError(f"Can't open {path!r} for reading: {e}") from None
            with f:
                yield path, f


def _resolve_files(target: str) -> list[str]:
    """Comma-separated file names or globs, checked before the copy starts."""
    paths: list[str] = []
    for pattern in target.split(","):
        pattern = os.path.expanduser(pattern.strip())
        found = sorted(glob.glob(pattern))
        if not found:
            raise CopyError(f"Can't open {pattern!r} for reading: no matching file found")
        paths += found
    return paths


def import_(shell: Shell, cmd: CopyCommand, ks: str) -> None:
    opts = _options(shell, cmd, ks)
    all_cols = table_columns(shell, ks, cmd.table)
    by_name = {c[0]: c for c in all_cols}
    columns = cmd.columns or [c[0] for c in all_cols]
    for c in columns:
        if c not in by_name:
            raise CopyError(f"Invalid column name {c}")
    skip = {c.strip() for c in str(opts["skipcols"]).split(",") if c.strip()}
    insert_cols = [c for c in columns if c not in skip]
    for name, kind, _ in all_cols:
        if kind in ("partition_key", "clustering") and name not in insert_cols:
            raise CopyError(f"Primary key column '{name}' missing or skipped")
    if cmd.target is not None:
        _resolve_files(cmd.target)
    shell.print("Using 1 child processes")
    shell.print(f"\nStarting copy of {ks}.{cmd.table} with columns [{', '.join(insert_cols)}].")
    ttl = int(opts["ttl"])
    query = (f"INSERT INTO {_qualified(ks, cmd.table)} ({_quote_cols(insert_cols)}) VALUES "
             f"({', '.join('?' for _ in insert_cols)})" + (f" USING TTL {ttl}" if ttl > 0 else ""))
    prepared = shell.session.prepare(query)
    types = list(prepared.bind_types)
    keep = [i for i, c in enumerate(columns) if c not in skip]
    pk_positions = {insert_cols.index(n) for n, k, _ in all_cols
                    if k in ("partition_key", "clustering")}
    conv = Converter(opts, shell.settings.display.timezone)
    meter = RateMeter(shell.out, float(opts["reportfrequency"]))
    max_rows, skip_rows = int(opts["maxrows"]), int(opts["skiprows"])
    max_parse, max_insert = int(opts["maxparseerrors"]), int(opts["maxinserterrors"])
    errfile = opts["errfile"] or f"import_{ks}_{cmd.table}.err"
    failed: list[list[str]] = []
    parse_errors = insert_errors = skipped = files = 0
    read = 0
    execute = shell.session.execute
    aborted = False
    for _name, source in _source_lines(shell, cmd):
        files += 1
        reader = csv.reader(source, **_dialect(opts))
        if opts["header"]:
            next(reader, None)
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0] and len(columns) > 1):
                continue
            read += 1
            if read <= skip_rows:
                skipped += 1
                continue
            if 0 <= max_rows < read - skip_rows:
                break
            try:
                if len(fields) != len(columns):
                    raise ValueError(f"Invalid row length {len(fields)} should be {len(columns)}")
                values = [conv.convert(fields[i], t, pos in pk_positions)
                          for pos, (i, t) in enumerate(zip(keep, types))]
            except (ValueError, ArithmeticError, TypeError) as e:
                parse_errors += 1
                failed.append(fields)
                shell.printerr(f"Failed to import 1 rows: ParseError - {e},  given up without "
                               "retries")
                if 0 <= max_parse < parse_errors:
                    shell.printerr(f"Exceeded maximum number of parse errors {max_parse}")
                    aborted = True
                    break
                continue
            try:
                execute(prepared, values)
            except Exception as e:  # noqa: BLE001 - any engine error fails this row only
                insert_errors += 1
                failed.append(fields)
                shell.printerr(f"Failed to import 1 rows: {type(e).__name__} - {e},  given up "
                               f"after {opts['maxattempts']} attempts")
                if 0 <= max_insert < insert_errors:
                    shell.printerr(f"Exceeded maximum number of insert errors {max_insert}")
                    aborted = True
                    break
                continue
            meter.increment()
        if aborted:
            break
    meter.done()
    if failed:
        try:
            with open(errfile, "a", encoding="utf-8", newline="") as f:
                w = csv.writer(f, **_dialect(opts))
                for row in failed:
                    w.writerow(row)
            shell.printerr(f"Failed to process {len(failed)} rows; failed rows written to "
                           f"{errfile}")
        except OSError as e:
            shell.printerr(f"Failed to process {len(failed)} rows; could not write {errfile}: "
                           f"{e}")
    shell.print(f"\n{meter.total} rows imported from {files} files in "
                f"{describe_interval(meter.elapsed)} ({skipped} skipped).")
    shell.import_rate = meter.total / max(meter.elapsed, 1e-9)


class Converter:
    """CSV text -> Python values the prepared INSERT accepts, per CQL type (cqlsh's rules)."""

    def __init__(self, opts: dict[str, Any], tz: datetime.tzinfo):
        self.null = opts["null"]
        self.true, self.false = (s.lower() for s in opts["boolstyles"])
        self.decimal_sep = opts["decimalsep"] or "."
        self.thousands_sep = opts["thousandssep"] or ""
        self.time_format = opts["datetimeformat"]
        self.tz = tz

    def convert(self, text: str, cqltype: Any, is_key: bool = False) -> Any:
        if text == self.null and not (is_key and text):
            if is_key:
                raise ValueError("Cannot insert null value for primary key column")
            kind = _kind(cqltype)
            if kind != "text" or self.null:
                return None
            if text == "":
                return None
        return self.scalar_or_literal(text, cqltype, top=True)

    def scalar_or_literal(self, text: str, cqltype: Any, top: bool = False) -> Any:
        kind = _kind(cqltype)
        if kind in ("list", "set", "vector", "map", "tuple", "udt"):
            return parse_literal(text.strip(), cqltype, self)
        return self.scalar(text, cqltype, kind)

    def _number(self, text: str) -> str:
        if self.thousands_sep:
            text = text.replace(self.thousands_sep, "")
        if self.decimal_sep != ".":
            text = text.replace(self.decimal_sep, ".")
        return text.strip()

    def scalar(self, text: str, cqltype: Any, kind: str) -> Any:
        if kind == "text":
            return text
        if kind in ("int", "bigint", "smallint", "tinyint", "varint", "counter"):
            return int(self._number(text))
        if kind in ("float", "double"):
            return float(self._number(text))
        if kind == "decimal":
            return Decimal(self._number(text))
        if kind == "boolean":
            low = text.strip().lower()
            if low == self.true:
                return True
            if low == self.false:
                return False
            raise ValueError(f"Invalid boolean value {text}")
        if kind in ("uuid", "timeuuid"):
            return uuid.UUID(text.strip())
        if kind == "blob":
            t = text.strip()
            return bytes.fromhex(t[2:] if t[:2].lower() == "0x" else t)
        if kind == "timestamp":
            t = text.strip()
            try:
                dt = datetime.datetime.strptime(t, self.time_format)
            except ValueError:
                return cqltype.validate(t)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=self.tz)
            return dt
        if cqltype is not None and hasattr(cqltype, "validate"):
            return cqltype.validate(text.strip())
        return text


def _kind(cqltype: Any) -> str:
    from .formatting import kind_of

    return kind_of(cqltype)


def _split_top(body: str, seps: str = ",") -> list[str]:
    """Split at separators outside quotes and brackets."""
    parts, depth, cur, quote = [], 0, [], ""
    i = 0
    while i < len(body):
        ch = body[i]
        if quote:
            cur.append(ch)
            if ch == quote:
                if i + 1 < len(body) and body[i + 1] == quote:
                    cur.append(body[i + 1])
                    i += 1
                else:
                    quote = ""
        elif ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch in "[{(":
            depth += 1
            cur.append(ch)
        elif ch in "]})":
            depth -= 1
            cur.append(ch)
        elif ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    if cur or parts:
        parts.append("".join(cur))
    return [p.strip() for p in parts]


def _element(text: str, cqltype: Any, conv: Converter) -> Any:
    if text.lower() == "null" or not text or text == conv.null:
        return None
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return conv.scalar_or_literal(text[1:-1].replace("''", "'"), cqltype)
    return conv.scalar_or_literal(text, cqltype)


def parse_literal(text: str, cqltype: Any, conv: Converter) -> Any:
    """A collection / tuple / UDT literal as cqlsh prints it -> Python value."""
    kind = _kind(cqltype)
    subtypes = tuple(getattr(cqltype, "subtypes", ()) or ())
    if len(text) < 2 or text[0] not in "[{(" or text[-1] not in "]})":
        raise ValueError(f"Invalid {kind} literal {text!r}")
    body = text[1:-1].strip()
    items = _split_top(body) if body else []
    if kind in ("list", "vector"):
        return [_element(x, subtypes[0], conv) for x in items]
    if kind == "set":
        return {_hashable(_element(x, subtypes[0], conv)) for x in items}
    if kind == "tuple":
        return tuple(_element(x, t, conv) for x, t in zip(items, subtypes))
    if kind == "map":
        out = {}
        for item in items:
            kv = _split_top(item, ":")
            if len(kv) != 2:
                raise ValueError(f"Invalid map entry {item!r}")
            out[_hashable(_element(kv[0], subtypes[0], conv))] = _element(kv[1], subtypes[1], conv)
        return out
    if kind == "udt":
        names = list(getattr(cqltype, "field_names", ()))
        values: dict[str, Any] = {}
        for item in items:
            kv = _split_top(item, ":")
            if len(kv) != 2:
                raise ValueError(f"Invalid user type field {item!r}")
            name = kv[0].strip('"')
            if name not in names:
                raise ValueError(f"Unknown field {name} in value of user defined type")
            values[name] = _element(kv[1], subtypes[names.index(name)], conv)
        return tuple(values.get(n) for n in names)
    raise ValueError(f"Cannot parse {text!r}")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, set):
        return frozenset(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


__all__ = ["CopyCommand", "describe_interval", "parse_copy", "run_copy"]
