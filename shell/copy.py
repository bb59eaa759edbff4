"""COPY TO / COPY FROM: cqlsh's syntax, options and console messages, run in-process.

cqlsh forks worker processes and splits token ranges; an embedded database needs none of
that: COPY TO pages through one SELECT (``PAGESIZE`` rows per page) and COPY FROM binds
parsed CSV values to one prepared INSERT. The user-visible behaviour is cqlsh 6.2's: option
parsing and its error messages, the ``Reading options from ...`` lines for cqlshrc / CONFIGFILE
sections, ``Using N child processes`` with cqlsh's process count, the CSV dialect, how each CQL
type is read and written (including cqlsh's quirks, e.g. COPY TO writes text with its
backslashes doubled and booleans that are not the true style import as False), how
SKIPROWS / MAXROWS count input lines, CHUNKSIZE-sized groups of rows whose parse errors are
reported together, MAXOUTPUTSIZE splitting, the progress line, RATEFILE and the final report.
Where cqlsh 6.2.2 has a bug, cassalite does the evident right thing instead: a quoted field
spanning lines makes one record (cqlsh counts lines and stalls), duration values import.
"""

from __future__ import annotations

import csv
import datetime
import glob
import io
import multiprocessing
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from cql.params import cql_literal
from cql.vocabulary import quote_name

from .formatting import FormatSettings, format_value, subtypes
from .lexer_tokens import Token, tokenize, unquote_name

if TYPE_CHECKING:
    from .core import Shell
    from .splitter import Statement


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
            if value.kind not in ("string", "word", "number"):  # cqlsh refuses "x"
                raise CopyError("Improper COPY command.")
            options[name.value.lower()] = value.value
            if peek() is None:
                break
            if take().value.upper() != "AND":
                raise CopyError("Improper COPY command.")
    return CopyCommand(keyspace, table, columns, direction, target, options)


def describe_interval(seconds: float) -> str:
    """The duration in cqlsh's words. cqlsh divides with true division here, so from one
    second on every unit is listed even when zero ('0 day, 0 hour, 0 minute, and 5.114
    seconds') and a count above one gets a plural even if it prints as 1 ('1 minutes')."""
    parts = []
    for length, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        num = int(seconds) / length
        if num > 0:
            parts.append("%d %s%s" % (num, unit, "s" if num > 1 else ""))  # noqa: UP031
        seconds %= length
    words = f"{seconds:.3f} seconds"
    if len(parts) > 1:
        return ", ".join(parts) + ", and " + words
    if parts:
        return parts[0] + " and " + words
    return words


class RateMeter:
    """cqlsh's RateMeter: the 'Processed: N rows; Rate: ...' line, rewritten in place every
    REPORTFREQUENCY s and once more at the end. cqlsh ends the line with '\\r' and prints
    it with a '\\r' end-of-line as well, so each one ends in '\\r\\r'. The rate is smoothed
    (averaged with the previous one). With RATEFILE each line is also appended to that file
    (ending '\\r\\n'; an existing file is removed first), even when the console line is
    not shown (COPY TO STDOUT)."""

    def __init__(self, out: IO[str] | None, frequency: float, log_file: str = ""):
        self.out = out
        self.frequency = frequency
        self.log_file = log_file
        self.start = self.last = time.time()
        self.total = 0
        self.current = 0
        self.rate = 0.0
        if log_file and os.path.isfile(log_file):
            os.unlink(log_file)

    def increment(self, n: int = 1) -> None:
        self.current += n
        if self.current == 0:
            return
        now = time.time()
        if now - self.last >= self.frequency:
            self._update(now)
            self._log()

    def _update(self, now: float) -> None:
        elapsed = now - self.last
        if elapsed >= 1e-09:
            rate = self.current / elapsed
            self.rate = rate if self.rate == 0.0 else (self.rate + rate) / 2.0
        self.last = now
        self.total += self.current
        self.current = 0

    def _log(self) -> None:
        elapsed = time.time() - self.start
        avg = self.total / elapsed if elapsed >= 1e-09 else 0
        line = (f"Processed: {self.total} rows; Rate: {self.rate:7.0f} rows/s; "
                f"Avg. rate: {avg:7.0f} rows/s\r")
        if self.out is not None:
            self.out.write(line + "\r")
            self.out.flush()
        if self.log_file:
            with open(self.log_file, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def done(self) -> None:
        self._update(time.time())
        self._log()

    @property
    def elapsed(self) -> float:
        return time.time() - self.start


# -- options -----------------------------------------------------------------------------------


def _num_cores() -> int:
    """The core count cqlsh's NUMPROCESSES default (cores - 1, within 1..16) is based on;
    $CQLSH_COPY_TEST_NUM_CORES stands in for it, as in cqlsh."""
    forced = os.environ.get("CQLSH_COPY_TEST_NUM_CORES", "")
    if forced:
        return int(forced)
    try:
        return multiprocessing.cpu_count()
    except NotImplementedError:
        return 1


def _cqlshrc_path(shell: Shell) -> str:
    """The cqlshrc whose [copy*] sections COPY reads when no CONFIGFILE is given."""
    path = shell.settings.cqlshrc_path
    if path:
        return path
    from .config import default_cqlshrc

    return str(default_cqlshrc())


def _merged_options(shell: Shell, cmd: CopyCommand, ks: str, say: Callable[[str], None],
                    direction: str) -> dict[str, str]:
    """Config-file sections, then the command's own options (which win), announced the way
    cqlsh announces them. Nothing is announced when the config file does not exist."""
    given = dict(cmd.options)
    configfile = given.pop("configfile", "")
    path = configfile or _cqlshrc_path(shell)
    names = ["copy", f"copy-{direction}", f"copy:{ks}.{cmd.table}",
             f"copy-{direction}:{ks}.{cmd.table}"]
    if not os.path.isfile(path):
        if configfile:
            return given
        # cassalite's own config file may still carry [copy] sections: applied silently
        merged: dict[str, str] = {}
        for name in names:
            merged.update(shell.settings.copy_defaults.get(name, {}))
        merged.update(given)
        return merged
    if configfile:
        import configparser

        parser = configparser.RawConfigParser()
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, configparser.Error, UnicodeDecodeError) as e:
            raise CopyError(str(e)) from None
        sections = {s: dict(parser.items(s)) for s in parser.sections()}
    else:
        sections = shell.settings.copy_defaults
    merged = {}
    for name in names:
        if name in sections:
            options = dict(sections[name])
            say(f"Reading options from {path}:[{name}]: {options}")
            merged.update(options)
    if given:
        say(f"Reading options from the command line: {given}")
        merged.update(given)
    if shell.settings.debug:
        say(f"Using options: '{merged}'")
    return merged


def _int(opts: dict[str, str], name: str, default: Any) -> int:
    return int(opts.pop(name, default))


def _parse_options(shell: Shell, merged: dict[str, str], ks: str, table: str,
                   say: Callable[[str], None]) -> tuple[dict[str, Any], list[str]]:
    """Typed options and the names nobody recognised. Every option is understood in both
    directions (cqlsh only rejects names it knows nowhere); conversion errors read like
    cqlsh's ("invalid literal for int() with base 10: 'x'")."""
    o = dict(merged)
    opts: dict[str, Any] = {}
    try:
        quote, escape = o.pop("quote", '"'), o.pop("escape", "\\")
        opts["dialect"] = {"quotechar": quote, "delimiter": o.pop("delimiter", ",")}
        if quote == escape:
            opts["dialect"]["doublequote"] = True
        else:
            opts["dialect"]["doublequote"] = False
            opts["dialect"]["escapechar"] = escape
        opts["nullval"] = o.pop("null", "")
        opts["header"] = o.pop("header", "").lower() == "true"
        opts["encoding"] = o.pop("encoding", "utf8")
        opts["maxrequests"] = _int(o, "maxrequests", 6)
        opts["pagesize"] = _int(o, "pagesize", 1000)
        opts["pagetimeout"] = _int(o, "pagetimeout", max(10, 10 * (opts["pagesize"] / 1000)))
        opts["maxattempts"] = _int(o, "maxattempts", 5)
        opts["datetimeformat"] = o.pop("datetimeformat", shell.settings.display.time_format)
        opts["floatprecision"] = _int(o, "floatprecision", "5")
        opts["doubleprecision"] = _int(o, "doubleprecision", "12")
        opts["chunksize"] = _int(o, "chunksize", 5000)
        opts["ingestrate"] = _int(o, "ingestrate", 100000)
        opts["maxbatchsize"] = _int(o, "maxbatchsize", 20)
        opts["minbatchsize"] = _int(o, "minbatchsize", 10)
        opts["reportfrequency"] = float(o.pop("reportfrequency", 0.25))
        opts["decimalsep"] = o.pop("decimalsep", ".")
        opts["thousandssep"] = o.pop("thousandssep", "")
        opts["boolstyle"] = [s.strip() for s in o.pop("boolstyle", "True, False").split(",")]
        cores = _num_cores()
        if shell.settings.debug:
            say(f"Detected {cores} core(s)")
        opts["numprocesses"] = _int(o, "numprocesses", max(1, min(16, cores - 1)))
        opts["begintoken"] = o.pop("begintoken", "")
        opts["endtoken"] = o.pop("endtoken", "")
        opts["maxrows"] = _int(o, "maxrows", "-1")
        opts["skiprows"] = _int(o, "skiprows", "0")
        opts["skipcols"] = o.pop("skipcols", "")
        opts["maxparseerrors"] = _int(o, "maxparseerrors", "-1")
        opts["maxinserterrors"] = _int(o, "maxinserterrors", "1000")
        errfile = o.pop("errfile", f"import_{ks}_{table}.err")
        opts["errfile"] = os.path.normpath(os.path.expanduser(errfile)) if errfile else errfile
        ratefile = o.pop("ratefile", "")
        opts["ratefile"] = os.path.normpath(os.path.expanduser(ratefile)) if ratefile else ""
        opts["maxoutputsize"] = _int(o, "maxoutputsize", "-1")
        opts["preparedstatements"] = o.pop("preparedstatements", "true").lower() == "true"
        opts["ttl"] = _int(o, "ttl", -1)
        opts["maxinflightmessages"] = _int(o, "maxinflightmessages", "512")
        opts["maxbackoffattempts"] = _int(o, "maxbackoffattempts", "12")
        opts["maxpendingchunks"] = _int(o, "maxpendingchunks", "24")
        opts["requesttimeout"] = _int(o, "requesttimeout", max(60, opts["maxbatchsize"] / 10))
        opts["childtimeout"] = _int(o, "childtimeout", opts["requesttimeout"] + 30)
    except (ValueError, TypeError, OverflowError) as e:
        raise CopyError(str(e)) from None
    styles = opts["boolstyle"]
    if len(styles) != 2 or styles[0] == styles[1] or not styles[0] or not styles[1]:
        raise CopyError(f"Invalid boolean styles {styles}")
    return opts, list(o)


def table_columns(shell: Shell, ks: str, table: str) -> list[tuple[str, str, Any]]:
    """(name, kind, type) in the driver's column order (partition key, clustering, then the
    rest by name); cqlsh's errors for an unknown keyspace or table."""

    found = shell.session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE "
                                  f"keyspace_name = {cql_literal(ks)}", fetch_size=0).current_rows
    if not list(found):
        raise CopyError(f"Keyspace {ks!r} not found.")
    q = ("SELECT column_name, kind, position, type FROM system_schema.columns WHERE "
         f"keyspace_name = {cql_literal(ks)} AND table_name = {cql_literal(table)}")
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
    return f"{quote_name(ks)}.{quote_name(table)}"


def _quote_cols(cols: list[str]) -> str:
    return ", ".join(quote_name(c) for c in cols)


def _check_columns(columns: list[str], by_name: dict[str, Any]) -> None:
    if not columns:
        raise CopyError("No column specified")
    for c in columns:
        if c not in by_name:
            raise CopyError(f"Invalid column name {c}")


def _target_name(target: str | None) -> str | None:
    """cqlsh normalises the whole file argument (~ expanded) before anything else."""
    return os.path.normpath(os.path.expanduser(target)) if target else target


# -- COPY TO -----------------------------------------------------------------------------------


class _Writer:
    """CSV output to STDOUT or a file; with MAXOUTPUTSIZE > 0 a new file (name.1, name.2, ...)
    is started every MAXOUTPUTSIZE rows. The header goes to the first file only and is not
    counted."""

    def __init__(self, shell: Shell, target: str | None, max_lines: int):
        self.shell = shell
        self.target = target
        self.max_lines = max_lines if target is not None else -1
        self.num_files = 0
        self.lines = 0
        self.f: IO[str] | None = None

    def _open(self, name: str) -> bool:
        try:
            self.f = open(name, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as e:
            self.f = None
            self.shell.printerr(f"Can't open {name!r} for writing: {e}")
            return False
        self.num_files += 1
        return True

    def open(self, header: str | None) -> bool:
        if self.target is None:
            self.f = self.shell.out
        elif not self._open(self.target):
            return False
        if header is not None:
            self.f.write(header)
        return True

    def write(self, data: str, num: int) -> None:
        if self.max_lines <= 0 or self.lines + num <= self.max_lines:
            self.f.write(data)
            self.lines += num
            return
        for row in data.split("\n"):
            if not row:
                continue
            if self.lines == self.max_lines:
                self.close()
                if not self._open(f"{self.target}.{self.num_files}"):
                    raise CopyError("")
                self.lines = 0
            self.f.write(row + "\n")
            self.lines += 1

    def close(self) -> None:
        if self.f is not None and self.f is not self.shell.out:
            self.f.close()
        self.f = None


def export(shell: Shell, cmd: CopyCommand, ks: str) -> None:
    all_cols = table_columns(shell, ks, cmd.table)
    by_name = {c[0]: c for c in all_cols}
    columns = cmd.columns or [c[0] for c in all_cols]
    to_stdout = cmd.target is None
    msg_out = None if (to_stdout and not shell.settings.debug) else shell.out

    def say(text: str) -> None:
        if msg_out is not None:
            msg_out.write(text + "\n")

    opts, unknown = _parse_options(shell, _merged_options(shell, cmd, ks, say, "to"), ks,
                                   cmd.table, say)
    say(f"Using {opts['numprocesses']} child processes")
    try:
        begin = int(opts["begintoken"]) if opts["begintoken"] else None
        end = int(opts["endtoken"]) if opts["endtoken"] else None
    except ValueError as e:
        raise CopyError(str(e)) from None
    if to_stdout and opts["maxoutputsize"] > 0:
        shell.printerr(f"WARNING: maxoutputsize {opts['maxoutputsize']} ignored when writing "
                       "to STDOUT")
    if unknown:
        raise CopyError(f"Unrecognized COPY TO options: {', '.join(unknown)}")
    _check_columns(columns, by_name)
    min_token = -(2**63)
    if begin and begin < min_token:
        raise CopyError(f"Begin token {begin} must be bigger or equal to min token {min_token}")
    if begin and end and begin > end:
        raise CopyError(f"Begin token {begin} must be smaller than end token {end}")
    dialect = opts["dialect"]
    header = None
    if opts["header"]:
        buf = io.StringIO()
        csv.writer(buf, **dialect).writerow(columns)
        header = buf.getvalue()
    writer = _Writer(shell, _target_name(cmd.target), opts["maxoutputsize"])
    if not writer.open(header):
        return
    say(f"\nStarting copy of {ks}.{cmd.table} with columns [{', '.join(columns)}].")
    # COPY TO never applies [ui] timezone: timestamps are written in UTC, and text keeps
    # cqlsh's display escaping (a backslash is doubled, control characters spelled out)
    settings = FormatSettings(
        color=False, float_precision=opts["floatprecision"],
        double_precision=opts["doubleprecision"], time_format=opts["datetimeformat"],
        timezone=datetime.UTC, null=opts["nullval"], milliseconds_only=True,
        boolean_styles=(opts["boolstyle"][0], opts["boolstyle"][1]),
        decimal_sep=opts["decimalsep"] or None, thousands_sep=opts["thousandssep"] or None)
    query = f"SELECT {_quote_cols(columns)} FROM {_qualified(ks, cmd.table)}"
    pk = [c[0] for c in all_cols if c[1] == "partition_key"]
    bounds = []
    if begin is not None:
        bounds.append(f"token({_quote_cols(pk)}) > {begin}")
    if end is not None:
        bounds.append(f"token({_quote_cols(pk)}) <= {end}")
    if bounds:
        query += " WHERE " + " AND ".join(bounds)
    meter = RateMeter(msg_out, opts["reportfrequency"], opts["ratefile"])
    null = opts["nullval"]
    try:
        rs = shell.session.execute(query, fetch_size=opts["pagesize"])
        types = rs.column_types
        while True:
            rows = rs.current_rows
            if rows:
                buf = io.StringIO()
                w = csv.writer(buf, **dialect)
                for row in rows:
                    w.writerow([format_value(v, t, settings).plain if v is not None else null
                                for v, t in zip(row, types)])
                writer.write(buf.getvalue(), len(rows))
                meter.increment(len(rows))
            if not rs.has_more_pages:
                break
            rs.fetch_next_page()
    except CopyError:
        return  # the next output file could not be opened (already reported)
    finally:
        writer.close()
    meter.done()  # the rate file gets the last line even when the console does not
    if msg_out is not None:
        msg_out.write(f"\n{meter.total} rows exported to {writer.num_files} files in "
                      f"{describe_interval(meter.elapsed)}.\n")
    shell.export_rate = meter.total / max(meter.elapsed, 1e-9)


# -- COPY FROM ---------------------------------------------------------------------------------


class ParseError(Exception):
    """A row that cannot be converted (reported as 'ParseError - ...', never retried)."""


# error class names cqlsh counts as parse errors (no retry, MAXPARSEERRORS)
_PARSE_ERROR_NAMES = ("ValueError", "TypeError", "ParseError", "IndexError", "ReadError")


def _stdin_lines(shell: Shell) -> list[str]:
    """CSV lines typed after COPY ... FROM STDIN, up to a line holding only '.' or the end of
    the input. A terminal shows cqlsh's '[copy] ' prompt for each line."""
    lines = []
    if shell.settings.tty:
        while True:
            try:
                line = shell.read_more("[copy] ")
            except EOFError:
                break
            if not line:
                break
            if not line.endswith("\n"):
                line += "\n"
            if line == ".\n":
                break
            lines.append(line)
        shell.print("")
        return lines
    for line in shell.stdin_lines():
        if line == ".\n":
            break
        lines.append(line)
    return lines


@dataclass
class _Record:
    """One CSV record: the input lines it spans (several when a quoted field holds a line
    break), its fields, or the csv error reading it raised."""

    lines: list[str]
    fields: list[str] | None = None
    error: Exception | None = None


def _records(lines: Iterator[str], dialect: dict[str, Any]) -> Iterator[_Record]:
    """The records of an input, each with the lines it was read from. An invalid dialect
    (DELIMITER = 'ab' ...) is only found out when a chunk is parsed, as in cqlsh (whose
    workers parse): each line is then a record carrying that TypeError."""
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line

    try:
        reader = csv.reader(feed(), **dialect)
    except TypeError as e:
        for line in lines:
            yield _Record([line], None, e)
        return
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:  # e.g. a field over [csv] field_size_limit
            record = _Record(list(consumed), None, e)
        else:
            record = _Record(list(consumed), fields)
        consumed.clear()
        yield record


class _RecordSource:
    """Input records in CHUNKSIZE groups, counted the way cqlsh counts its input lines (the
    same thing unless a quoted field spans lines; a record is never split, so a multi-line
    record is one row for HEADER, SKIPROWS, MAXROWS, CHUNKSIZE and the row counts): for
    files HEADER drops the first record of every file and MAXROWS / SKIPROWS count the
    records after it, a chunk never spans two files; on STDIN the header is counted too and
    SKIPROWS skips one record less."""

    def __init__(self, opts: dict[str, Any], target: str | None, lines: list[str] | None):
        self.chunk_size = max(opts["chunksize"], 1)
        self.dialect = opts["dialect"]
        self.header = opts["header"]
        self.max_rows = opts["maxrows"]
        self.skip_rows = opts["skiprows"]
        self.target = target
        self.num_read = 0
        self.num_sources = 1 if target is None else 0
        self.exhausted = False
        self._stdin = _records(iter(lines or []), self.dialect)
        self._paths = self._files() if target is not None else None
        self._file: IO[str] | None = None
        self._current: Iterator[_Record] | None = None

    def _files(self) -> Iterator[str]:
        for path in self.target.split(","):
            path = path.strip()
            if os.path.isfile(path):
                yield path
                continue
            found = glob.glob(path)
            if not found:
                raise OSError(f"Can't open {path!r} for reading: no matching file found")
            yield from found

    def start(self) -> None:
        if self._paths is not None:
            self._next_file()

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._current = None

    def _next_file(self) -> None:
        self._close_file()
        self.exhausted = True
        for path in self._paths:
            try:
                self._file = open(path, encoding="utf-8")  # noqa: SIM115
            except OSError as e:
                raise OSError(f"Can't open {path!r} for reading: {e}") from None
            self.num_sources += 1
            self.exhausted = False
            self._current = _records(self._file, self.dialect)
            if self.header:
                next(self._current, None)
            return

    def close(self) -> None:
        self._close_file()
        self.exhausted = True

    def chunk(self) -> list[_Record]:
        return self._file_chunk() if self._paths is not None else self._stdin_chunk()

    def _file_chunk(self) -> list[_Record]:
        rows: list[_Record] = []
        if self._current is None:
            self.exhausted = True
            return rows
        for _ in range(self.chunk_size):
            record = next(self._current, None)
            if record is None:
                self._next_file()
                break
            self.num_read += 1
            if 0 <= self.max_rows < self.num_read:
                self._next_file()
                break
            if self.num_read > self.skip_rows:
                rows.append(record)
        return rows

    def _stdin_chunk(self) -> list[_Record]:
        rows: list[_Record] = []
        for _ in range(self.chunk_size):
            record = next(self._stdin, None)
            if record is None:
                self.exhausted = True
                break
            self.num_read += 1
            if 0 <= self.max_rows < self.num_read:
                self.exhausted = True
                break
            if self.header or self.num_read < self.skip_rows:
                self.header = False
                continue
            rows.append(record)
        return rows


class _Errors:
    """cqlsh's import error accounting: messages, counters, limits and the error file."""

    def __init__(self, shell: Shell, opts: dict[str, Any]):
        self.shell = shell
        self.dialect = opts["dialect"]
        self.max_attempts = opts["maxattempts"]
        self.max_parse = opts["maxparseerrors"]
        self.max_insert = opts["maxinserterrors"]
        self.errfile = opts["errfile"]
        self.parse_errors = self.insert_errors = self.failed = 0
        if os.path.isfile(self.errfile):  # an old error file is kept under a dated name
            stamp = datetime.datetime.now().strftime(".%Y%m%d_%H%M%S")
            os.rename(self.errfile, self.errfile + stamp)

    def touch(self) -> None:
        open(self.errfile, "a", encoding="utf-8").close()

    def _write(self, rows: list[Any]) -> None:
        self.failed += len(rows)
        with open(self.errfile, "a", encoding="utf-8", newline="") as f:
            w = csv.writer(f, **self.dialect)
            for row in rows:
                w.writerow(row)

    def report(self, name: str, msg: str, rows: list[Any], attempt: int = 1,
               final: bool = True) -> None:
        n = len(rows)
        if name.startswith(_PARSE_ERROR_NAMES):
            self.parse_errors += n
            self._write(rows)
            self.shell.printerr(f"Failed to import {n} rows: {name} - {msg},  given up without "
                                "retries")
        elif not final:
            self.shell.printerr(f"Failed to import {n} rows: {name} - {msg},  will retry later, "
                                f"attempt {attempt} of {self.max_attempts}")
        else:
            self.insert_errors += n
            self._write(rows)
            self.shell.printerr(f"Failed to import {n} rows: {name} - {msg},  given up after "
                                f"{attempt} attempts")

    def max_exceeded(self) -> bool:
        if self.insert_errors > self.max_insert >= 0:
            self.shell.printerr(f"Exceeded maximum number of insert errors {self.max_insert}")
            return True
        if self.parse_errors > self.max_parse >= 0:
            self.shell.printerr(f"Exceeded maximum number of parse errors {self.max_parse}")
            return True
        return False


def import_(shell: Shell, cmd: CopyCommand, ks: str) -> None:
    all_cols = table_columns(shell, ks, cmd.table)
    by_name = {c[0]: c for c in all_cols}
    columns = cmd.columns or [c[0] for c in all_cols]

    def say(text: str) -> None:
        shell.out.write(text + "\n")

    opts, unknown = _parse_options(shell, _merged_options(shell, cmd, ks, say, "from"), ks,
                                   cmd.table, say)
    say(f"Using {opts['numprocesses']} child processes")
    skip = [c.strip() for c in opts["skipcols"].split(",")]
    valid = [c for c in columns if c not in skip]
    meter = RateMeter(shell.out, opts["reportfrequency"], opts["ratefile"])
    errors = _Errors(shell, opts)
    if unknown:
        raise CopyError(f"Unrecognized COPY FROM options: {', '.join(unknown)}")
    _check_columns(columns, by_name)
    if not valid:
        raise CopyError("No valid column specified")
    primary_key = [n for n, kind, _ in all_cols if kind in ("partition_key", "clustering")]
    for name in primary_key:
        if name not in valid:
            raise CopyError(f"Primary key column '{name}' missing or skipped")
    say(f"\nStarting copy of {ks}.{cmd.table} with columns [{', '.join(valid)}].")
    target = _target_name(cmd.target)
    lines = None
    if target is None:
        say("[Use . on a line by itself to end input]")
        lines = _stdin_lines(shell)
    ttl = opts["ttl"]
    query = (f"INSERT INTO {_qualified(ks, cmd.table)} ({_quote_cols(valid)}) VALUES "
             f"({', '.join('?' for _ in valid)})" + (f" USING TTL {ttl}" if ttl >= 0 else ""))
    prepared = shell.session.prepare(query)
    types = list(prepared.bind_types)
    skip_idx = {i for i, c in enumerate(columns) if c in skip}
    pk_idx = [valid.index(n) for n in primary_key]
    conv = Converter(opts)
    source = _RecordSource(opts, target, lines)
    execute = shell.session.execute
    aborted = interrupted = False
    handled = 0  # records of the current chunk already handled (for a Ctrl-C mid-chunk)
    try:
        source.start()
    except OSError as e:
        errors.report(type(e).__name__, str(e), [])
    try:  # the input is closed however the import ends
        while not source.exhausted and not aborted:
            try:
                chunk = source.chunk()
            except OSError as e:
                errors.report(type(e).__name__, str(e), [])
                source.close()
                break
            if not chunk:
                continue
            bad = next((r.error for r in chunk if r.error is not None), None)
            if isinstance(bad, TypeError):
                # an invalid dialect: cqlsh's worker reports the chunk, and the error file is
                # opened (left empty) before writing its rows fails with the same error
                errors.touch()
                raise CopyError(str(bad))
            if bad is not None:
                # as in cqlsh, a csv error fails the whole chunk, written line by line
                raw = [line for r in chunk for line in r.lines]
                errors.report(type(bad).__name__, str(bad), raw)
                meter.increment(len(raw))
                aborted = errors.max_exceeded()
                continue
            handled = 0
            by_message: dict[str, list[list[str]]] = {}
            good = []
            for record in (r.fields for r in chunk):
                if skip_idx:
                    record = [v for i, v in enumerate(record) if i not in skip_idx]
                try:
                    good.append(conv.convert_row(record, types, pk_idx, valid))
                except ParseError as e:
                    by_message.setdefault(str(e), []).append(record)
            for msg, rows in by_message.items():
                errors.report("ParseError", msg, rows)
                handled += len(rows)
                if errors.max_exceeded():
                    aborted = True  # cqlsh stops listening at once: later errors go unreported
                    break
            for values in good:
                _insert(execute, prepared, values, types, valid, errors, opts["maxattempts"])
                handled += 1
            if aborted or errors.max_exceeded():
                aborted = True  # cqlsh stops before this chunk is acknowledged
                break
            meter.increment(len(chunk))
            handled = 0
    except KeyboardInterrupt:
        # Ctrl-C: what was written stays written; say so, and how much that was
        interrupted = True
        meter.increment(handled)
    finally:
        source.close()
    if errors.failed:
        shell.printerr(f"Failed to process {errors.failed} rows; failed rows written to "
                       f"{errors.errfile}")
    errors.max_exceeded()
    meter.done()
    say(f"\n{meter.total - errors.failed} rows imported from {source.num_sources} files in "
        f"{describe_interval(meter.elapsed)} ({opts['skiprows']} skipped).")
    if interrupted:
        shell.printerr(f"COPY FROM interrupted (Ctrl-C): partial import, only the "
                       f"{meter.total - errors.failed} rows above were written to "
                       f"{ks}.{cmd.table}; the rest of the input was not imported")
    shell.import_rate = meter.total / max(meter.elapsed, 1e-9)


def _insert(execute: Callable[..., Any], prepared: Any, values: list[Any], types: list[Any],
            names: list[str], errors: _Errors, max_attempts: int) -> None:
    """One row. A value its column type refuses fails at bind time, as the driver's TypeError
    does in cqlsh (a parse error, not retried); an error from the database is retried up to
    MAXATTEMPTS times, each failed attempt reported."""
    for value, cqltype, name in zip(values, types, names):
        try:
            cqltype.validate(value)
        except Exception as e:  # noqa: BLE001
            errors.report("TypeError", f'Received an argument of invalid type for column '
                          f'"{name}": {e}', [values])
            return
    for attempt in range(1, max_attempts + 1):
        try:
            execute(prepared, values)
            return
        except Exception as e:  # noqa: BLE001 - any engine error fails this row only
            name = type(e).__name__
            final = attempt >= max_attempts or name.startswith(_PARSE_ERROR_NAMES)
            errors.report(name, str(e), [values], attempt, final)
            if final:
                return


# CQL timestamp forms cqlsh accepts when DATETIMEFORMAT does not match: a date, optionally a
# time whose seconds are required, optionally an offset (a 'T' separator only in quotes)
_TIMESTAMP_FORM = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})\s?(?:'T')?"
    r"(?:(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?))?"
    r"(?:([+\-])(\d{2}):?(\d{2}))?")

_INTEGER_KINDS = ("int", "bigint", "smallint", "tinyint", "varint", "counter")


def _dequote(text: str) -> str:
    text = text.strip()
    if text and text[0] == "'" and text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    return text


_PAIRS = {"{": "}", "[": "]", "(": ")"}


def _split(text: str, sep: str = ",") -> list[str]:
    """The items of a bracketed literal: separators count only outside single quotes and at
    the first nesting level; items are not trimmed; a trailing empty item is dropped."""
    if len(text) < 2 or _PAIRS.get(text[0]) != text[-1]:
        raise ParseError("Invalid composite string, it should start and end with matching "
                         f"parentheses: {text}")
    items, start, depth, quoted = [], 1, 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        elif ch == sep and depth == 1:
            items.append(text[start:i])
            start = i + 1
    if start < len(text) - 1:
        items.append(text[start:-1])
    return items


def _kind(cqltype: Any) -> str:
    from .formatting import kind_of

    return kind_of(cqltype)


class Converter:
    """CSV fields -> values for the prepared INSERT, the way cqlsh's COPY FROM reads them."""

    def __init__(self, opts: dict[str, Any]):
        self.null = opts["nullval"]
        self.true_style = opts["boolstyle"][0].lower()
        self.decimal_sep = opts["decimalsep"]
        self.thousands_sep = opts["thousandssep"]
        self.time_format = opts["datetimeformat"]

    def convert_row(self, row: list[str], types: list[Any], pk_idx: list[int],
                    names: list[str]) -> list[Any]:
        if len(row) != len(types):
            raise ParseError(f"Invalid row length {len(row)} should be {len(types)}")
        for i in pk_idx:
            if row[i] == self.null:
                msg = f"Cannot insert null value for primary key column '{names[i]}'."
                if self.null == "":
                    msg += (" If you want to insert empty strings, consider using the WITH "
                            "NULL=<marker> option for COPY.")
                raise ParseError(msg)
        return [self.field(v, t) for v, t in zip(row, types)]

    def field(self, text: str, cqltype: Any) -> Any:
        if text == self.null:
            return None
        try:
            return self.value(text, cqltype)
        except Exception as e:  # noqa: BLE001 - any conversion failure is a parse error
            if text == "":
                return None  # NULL was set to a marker: an empty field still means null
            raise ParseError(f"Failed to parse {text} : {e}") from None

    def _nullable(self, text: str, cqltype: Any) -> Any:
        text = _dequote(text)
        return None if text == self.null else self.value(text, cqltype)

    def _mandatory(self, text: str, cqltype: Any) -> Any:
        text = _dequote(text)
        if text == self.null and getattr(cqltype, "name", "") not in ("text", "varchar"):
            raise ParseError("Empty values are not allowed")
        return self.value(text, cqltype)

    def _decimal_text(self, text: str) -> str:
        if self.thousands_sep:
            text = text.replace(self.thousands_sep, "")
        if self.decimal_sep:
            text = text.replace(self.decimal_sep, ".")
        return text

    def value(self, text: str, cqltype: Any) -> Any:
        kind = _kind(cqltype)
        if kind in ("text", "inet"):
            return text
        if kind in _INTEGER_KINDS:
            return int(text.replace(self.thousands_sep, "") if self.thousands_sep else text)
        if kind in ("float", "double"):
            return float(self._decimal_text(text))
        if kind == "decimal":
            return Decimal(self._decimal_text(text))
        if kind in ("uuid", "timeuuid"):
            return uuid.UUID(text)
        if kind == "boolean":
            return text.lower() == self.true_style
        if kind == "blob":
            return bytes.fromhex(text[2:])
        if kind == "timestamp":
            return self._timestamp(text)
        if kind == "date":
            return datetime.datetime.strptime(text[1:] if text[0] == "+" else text,
                                              "%Y-%m-%d").date()
        if kind == "time":
            return _time_nanos(text)
        elements = subtypes(cqltype)
        if kind == "list":
            return [self._mandatory(x, elements[0]) for x in _split(text)]
        if kind == "vector":
            items = _split(text)
            size = getattr(cqltype, "dimension", len(items))
            if len(items) != size:
                raise ParseError(f"The length of given vector value '{len(items)}' is not equal "
                                 f"to the vector size from the type definition '{size}'")
            return [self._mandatory(x, elements[0]) for x in items]
        if kind == "set":
            return {_hashable(self._mandatory(x, elements[0])) for x in _split(text)}
        if kind == "tuple":
            values = [self._mandatory(x, t) for t, x in zip(elements, _split(text))]
            return tuple(values + [None] * (len(elements) - len(values)))
        if kind == "map":
            out = {}
            for item in _split(text):
                kv = _split("{" + item + "}", ":")
                out[_hashable(self._mandatory(kv[0], elements[0]))] = \
                    self._nullable(kv[1], elements[1])
            return out
        if kind == "udt":
            given = {}
            for item in _split(text):
                kv = _split("{" + item + "}", ":")
                given[_dequote(kv[0])] = kv[1]
            names = list(getattr(cqltype, "field_names", ()))
            return tuple(self._nullable(given[n], t) if n in given else None
                         for n, t in zip(names, elements))
        return text  # duration and anything else: the driver parses the text

    def _timestamp(self, text: str) -> Any:
        try:
            return datetime.datetime.strptime(text, self.time_format).timestamp() * 1000
        except ValueError:
            pass
        m = _TIMESTAMP_FORM.match(text)
        if not m:
            try:
                return int(text)  # COPY TO writes out-of-range timestamps as milliseconds
            except ValueError:
                raise ValueError(f"can't interpret {text!r} as a date with format "
                                 f"{self.time_format} or as int") from None
        g = m.groups()
        import calendar

        seconds = calendar.timegm((int(g[0]), int(g[1]), int(g[2]), int(g[3] or 0),
                                   int(g[4] or 0), int(g[5] or 0), 0, 1, -1))
        millis = int(g[6]) * pow(10, 3 - len(g[6])) if g[6] else 0
        if g[7]:
            # cqlsh adds the offset (so '10:00:00+0100' is stored as 11:00 UTC)
            offset = (int(g[8]) * 3600 + int(g[9]) * 60) * (1 if g[7] == "+" else -1)
        else:
            offset = -time.timezone
        return (seconds + offset) * 1000 + millis


def _time_nanos(text: str) -> int:
    try:
        parts = text.split(".")
        t = time.strptime(parts[0], "%H:%M:%S")
        nanos = ((t.tm_hour * 60 + t.tm_min) * 60 + t.tm_sec) * 10**9
        if len(parts) > 1:
            nanos += int(parts[1] + "0" * (9 - len(parts[1])))
        return nanos
    except ValueError:
        raise ValueError(f"can't interpret {text!r} as a time") from None


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, set):
        return frozenset(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


__all__ = ["CopyCommand", "describe_interval", "parse_copy", "run_copy"]
