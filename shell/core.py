"""The shell proper: reads lines, splits statements, runs them and prints like cqlsh.

Independent of any terminal library: the prompt_toolkit REPL (repl.py), ``-e``, ``-f`` and
piped stdin all drive a :class:`Shell` through :meth:`Shell.feed_line` / :meth:`run_stream`.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

import cql
from cql.params import cql_literal

from . import NAME, __version__
from .errors import error_line, server_message
from .formatting import (
    MAGENTA,
    RED,
    Cell,
    FormatSettings,
    columnize,
    format_column_name,
    format_rows,
    format_value,
    table_lines,
    vertical_lines,
)
from .lexer_tokens import Token, qualified_name_at, tokenize
from .splitter import LexingError, Splitter, Statement

CQL_ERRORS = (cql.DriverException,)
DEFAULT_PAGE_SIZE = 100


@dataclass
class ShellSettings:
    """Everything the user can toggle during a session (and cqlshrc sets at start-up)."""

    color: bool = False
    tty: bool = False
    expand: bool = False
    paging: bool = True
    page_size: int = DEFAULT_PAGE_SIZE
    tracing: bool = False
    consistency: str = "ONE"
    serial_consistency: str = "SERIAL"
    debug: bool = False
    display: FormatSettings = field(default_factory=FormatSettings)
    history_shown: int = 50
    copy_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    cqlshrc_path: str | None = None  # the cqlshrc read (COPY names it when using its options)
    browser: str | None = None
    name: str = NAME  # "cqlsh" when run under that name: prompt and SHOW VERSION say so


@dataclass
class ConnectionInfo:
    """Where the session points, for SHOW HOST / the banner."""

    target: str = ":memory:"
    username: str | None = None


class Shell:
    """One interactive or batch session over a ``cql`` Session."""

    def __init__(
        self,
        session: Any,
        settings: ShellSettings | None = None,
        *,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        stdin_name: str = "<stdin>",
        show_line_nums: bool | None = None,
        conn: ConnectionInfo | None = None,
        read_more: Callable[[str], str] | None = None,
    ):
        self.session = session
        session.row_factory = cql.tuple_factory
        self.settings = settings or ShellSettings()
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.query_out: IO[str] = self.out
        self.capture_file: IO[str] | None = None
        self._shunted_color: bool | None = None
        self.stdin_name = stdin_name
        self.show_line_nums = (not self.settings.tty) if show_line_nums is None else show_line_nums
        self.conn = conn or ConnectionInfo()
        self.read_more = read_more or self._read_more_default
        self.lineno = 1
        self.statement_error = False
        self.stop = False
        self.history: list[str] = []
        self.splitter = Splitter()
        self._empty_lines = 0
        self._hint = False
        self._input: Iterator[str] | None = None
        self.export_rate = self.import_rate = 0.0
        self.format_errors: list[str] = []  # values of the result being printed that failed
        self.clear_screen: Callable[[], None] = self._clear_screen

    # -- state --------------------------------------------------------------------------------

    @property
    def keyspace(self) -> str | None:
        return self.session.keyspace

    @property
    def color(self) -> bool:
        return self.settings.color

    def display(self) -> FormatSettings:
        return replace(self.settings.display, color=self.settings.color)

    def _base_prompt(self) -> str:
        name = self.settings.name
        return f"{name}:{self.keyspace}> " if self.keyspace else f"{name}> "

    def prompt(self) -> str:
        """``[user@][$CQLSH_PROMPT + newline]cassalite[:ks]> `` (cqlsh's order)."""
        user = f"{self.conn.username}@" if self.conn.username else ""
        env = os.environ.get("CQLSH_PROMPT") or os.environ.get("CASSALITE_PROMPT")
        return f"{user}{env}\n{self._base_prompt()}" if env else user + self._base_prompt()

    def continuation_prompt(self) -> str:
        """As wide as ``cassalite[:ks]> `` (the user name is not counted, as in cqlsh),
        ending in '... '."""
        return " " * (len(self._base_prompt()) - 4) + "... "

    # -- output --------------------------------------------------------------------------------

    def apply_color(self, text: str, color: str | None) -> str:
        if not color or not self.settings.color:
            return text
        return color + text + "\033[0m"

    def writeresult(self, text: str = "", color: str | None = None, newline: bool = True,
                    out: IO[str] | None = None) -> None:
        """Query output (goes to the CAPTURE file when capturing)."""
        target = out or self.query_out
        target.write(self.apply_color(str(text), color) + ("\n" if newline else ""))

    def print(self, text: str = "") -> None:
        """Shell-command output: always the terminal, never captured."""
        self.out.write(str(text) + "\n")

    def printerr(self, text: str, color: str | None = RED, shownum: bool | None = None) -> None:
        self.statement_error = True
        if shownum is None:
            shownum = self.show_line_nums
        if shownum:
            text = f"{self.stdin_name}:{self.lineno}:{text}"
        self.writeresult(text, color, out=self.err)

    def flush(self) -> None:
        for stream in (self.query_out, self.out, self.err):
            try:
                stream.flush()
            except (ValueError, OSError):
                pass

    # -- input ---------------------------------------------------------------------------------

    def feed_line(self, line: str) -> None:
        """One input line (with its newline), as cqlsh's cmdloop reads it."""
        self.lineno += 1
        self.feed_text(line)

    def feed_text(self, text: str) -> None:
        try:
            self.splitter.feed(text)
        except LexingError as e:
            self._lexing_error(e)
            return
        if self.splitter.pending:
            self._count_empty_line(text)
            return
        self._empty_lines = 0
        self._hint = False
        statements = self.splitter.take()
        self.splitter.clear_lines()
        for st in statements:
            if self.stop:
                break
            self.run_statement(st)

    def _lexing_error(self, e: LexingError) -> None:
        if self.show_line_nums:
            self.printerr(f"Invalid syntax at line {e.line}, char {e.char}")
        else:
            self.printerr(f"Invalid syntax at char {e.char}")
        self.printerr(f"  {e.text}")
        self.printerr(f" {' ' * e.char}^")
        self.splitter.reset()

    @property
    def in_statement(self) -> bool:
        return self.splitter.pending

    def _count_empty_line(self, text: str) -> None:
        """cqlsh's reminder: once 4 empty lines in a row have been entered in an unfinished
        statement, the next prompt is replaced by a hint about ';' and the count restarts
        (a line of blanks is not empty)."""
        if self._empty_lines >= 3:
            self._hint = True
            self._empty_lines = 0
            return
        self._hint = False
        self._empty_lines = self._empty_lines + 1 if text in ("", "\n", "\r\n") else 0

    @property
    def hint_termination(self) -> bool:
        """Whether the next prompt is the ';' reminder instead of the continuation prompt."""
        return self._hint

    def cancel_statement(self) -> None:
        self.splitter.reset()
        self._empty_lines = 0
        self._hint = False

    def run_stream(self, stream: Iterable[str]) -> None:
        self._input = iter(stream)
        for line in self._input:
            self.feed_line(line)
            if self.stop:
                return
        self.handle_eof()

    def stdin_lines(self) -> Iterator[str]:
        """Further input lines (COPY FROM STDIN reads its data from the shell's input)."""
        source = self._input if self._input is not None else sys.stdin
        for line in source:
            self.lineno += 1
            yield line

    def handle_eof(self) -> None:
        """End of input with a statement still open (or an unclosed comment): nothing of it
        is run, even a shell command whose line had no newline (``SHOW VERSION`` as the file's
        last bytes), as in cqlsh."""
        if self.stop:
            return
        try:
            incomplete = self.splitter.end_of_input()
        except LexingError as e:
            self._lexing_error(e)
            return
        if incomplete:
            self.printerr("Incomplete statement at end of file")

    def run_single(self, text: str) -> None:
        """``-e``: ';' is added unless the text ends with one (so trailing blanks become an
        empty statement, which the server rejects, as with cqlsh). If the last statement is
        still unfinished after that (an open string or comment), nothing at all is run and
        nothing is printed, as in cqlsh. Errors are numbered line 1."""
        if not text.endswith(";"):
            text += ";"
        try:
            self.splitter.feed(text)
        except LexingError as e:
            self._lexing_error(e)
            return
        if self.splitter.pending:
            self.splitter.reset()
            return
        for st in self.splitter.take():
            if self.stop:
                break
            self.run_statement(st)

    # -- statements ----------------------------------------------------------------------------

    def run_statement(self, st: Statement) -> None:
        from . import commands

        self.history.append(st.text.replace("\n", " ").rstrip())
        try:
            word = "help" if st.first_word == "?" else st.first_word
            handler = commands.HANDLERS.get(word)
            if handler is not None:
                handler(self, st)
            else:
                self.perform_statement(st.text)
        except CQL_ERRORS as e:
            self.printerr(error_line(e))
        except KeyboardInterrupt:
            raise
        except Exception as e:  # a shell bug or an engine crash: report and carry on  # noqa: BLE001
            if self.settings.debug:
                self.printerr(traceback.format_exc().rstrip())
            else:
                self.printerr(str(e) or type(e).__name__)
        self.flush()

    def execute(self, text: str, *, paged: bool = True, trace: bool = False) -> Any:
        size = self.settings.page_size if (paged and self.settings.paging) else 0
        return self.session.execute(text, fetch_size=size, trace=trace)

    def perform_statement(self, text: str, *, show_trace: bool = True) -> bool:
        tokens = tokenize(text)
        trace = self.settings.tracing and not _targets_system_traces(tokens, self.keyspace)
        try:
            rs = self.execute(text, trace=trace)
        except CQL_ERRORS as e:
            self.printerr(error_line(e))
            return False
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001
            if self.settings.debug:
                self.printerr(traceback.format_exc().rstrip())
            else:
                self.printerr(f"{type(e).__name__}: {e}")
            return False
        head = text[:6].lower()
        if head == "select" or text[:4].lower() == "list":
            self.print_result(rs, self.column_kinds(tokens, text))
        elif rs.column_names and rs.current_rows:
            # conditional (LWT) statements answer with an [applied] row
            self.writeresult("")
            self.print_page(rs, self.column_kinds(tokens, text), with_header=True)
        if rs.warnings:
            self.print_warnings(rs.warnings)
        if trace and show_trace:
            from .tracing import print_trace

            print_trace(self, rs)
        return True

    # -- result printing -----------------------------------------------------------------------

    def column_kinds(self, tokens: list[Token], text: str = "") -> dict[str, str]:
        """Partition/clustering/static roles of the columns of the statement's table (colour)."""
        if not self.settings.color:
            return {}
        target = _statement_table(tokens, text)
        if target is None:
            return {}
        ks, table = target
        ks = ks or self.keyspace
        if not ks:
            return {}
        q = ("SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = "
             f"{cql_literal(ks)} AND table_name = {cql_literal(table)}")
        try:
            rows = self.session.execute(q, fetch_size=0).current_rows
        except Exception:  # noqa: BLE001
            return {}
        return {row[0]: row[1] for row in rows}

    def print_result(self, rs: Any, kinds: dict[str, str] | None = None) -> None:
        self.format_errors = []
        self.writeresult("")
        tty = self.settings.tty
        num_rows = 0
        first = True
        while True:
            if rs.current_rows or first:
                self.print_page(rs, kinds, with_header=first or tty, offset=num_rows)
                num_rows += len(rs.current_rows)
            if rs.has_more_pages:
                if self.capture_file is None and tty:
                    self.flush()
                    self.read_more("---MORE---")
                rs.fetch_next_page()
            else:
                if not tty:
                    self.writeresult("")
                break
            first = False
        self.writeresult(f"({num_rows} rows)")
        errors = self.format_errors
        for message in errors[:2]:  # values cqlsh fails to format, reported as it does
            self.writeresult(message, color=RED)
        if len(errors) > 2:
            self.writeresult(f"{len(errors) - 2} more decoding errors suppressed.", color=RED)

    def header_cells(self, names: list[str], kinds: dict[str, str] | None) -> list[Cell]:
        kinds = kinds or {}
        return [format_column_name(n, kinds.get(n, "regular"), self.display()) for n in names]

    def print_page(self, rs: Any, kinds: dict[str, str] | None, *, with_header: bool,
                   offset: int = 0) -> None:
        names = list(rs.column_names)
        if not names:
            return
        header = self.header_cells(names, kinds)
        color = self.settings.color
        if not rs.current_rows:
            for line in table_lines(header, None, color=color, tty=self.settings.tty):
                self.writeresult(line)
            return
        cells = format_rows(rs.column_types, rs.current_rows, self.display(), self.format_errors)
        if self.settings.expand:
            lines = vertical_lines(header, cells, color=color, offset=offset)
        else:
            lines = table_lines(header, cells, color=color, with_header=with_header,
                                tty=self.settings.tty)
        for line in lines:
            self.writeresult(line)

    def print_warnings(self, warnings: list[str]) -> None:
        self.writeresult("")
        self.writeresult("Warnings :")
        for w in warnings:
            self.writeresult(w)
            self.writeresult("")

    def print_table(self, names: list[str], rows: list[list[Any]]) -> None:
        """A table of Python values without CQL types (tracing): types inferred per value."""
        display = self.display()
        header = self.header_cells(names, None)
        cells = [[format_value(v, None, display) for v in row] for row in rows]
        for line in table_lines(header, cells, color=self.settings.color, tty=self.settings.tty):
            self.writeresult(line)

    # -- DESCRIBE --------------------------------------------------------------------------------

    def describe(self, st: Statement) -> None:
        tokens = tokenize(st.text)
        words = [t.value.lower() for t in tokens if t.kind == "word"]
        what = words[1] if len(words) > 1 else ""
        try:
            rs = self.execute(st.text)
            rows = [dict(zip(rs.column_names, r)) for r in rs]
        except CQL_ERRORS as e:
            self.printerr(server_message(e))
            return
        if what in ("columnfamilies", "tables", "types", "functions", "aggregates"):
            self._describe_list(rows)
        elif what == "keyspaces":
            self.print("")
            for line in columnize([str(r["name"]) for r in rows]):
                self.print(line)
            self.print("")
        elif what == "cluster":
            self._describe_cluster(rows)
        else:
            for row in rows:
                self.print("")
                self.query_out.write(str(row.get("create_statement", "")))
                self.print("")
        if getattr(rs, "warnings", None):
            self.print_warnings(rs.warnings)

    def _describe_list(self, rows: list[dict]) -> None:
        keyspace = None
        names: list[str] = []
        for row in rows:
            if row["keyspace_name"] != keyspace:
                if keyspace is not None:
                    self._keyspace_names(keyspace, names)
                keyspace = row["keyspace_name"]
                names = []
            names.append(str(row["name"]))
        if keyspace is not None:
            self._keyspace_names(keyspace, names)
            self.print("")

    def _keyspace_names(self, keyspace: str, names: list[str]) -> None:
        self.print("")
        if self.keyspace is None:
            self.print(f"Keyspace {keyspace}")
            self.print("---------" + "-" * len(keyspace))
        for line in columnize(names):
            self.print(line)

    def _describe_cluster(self, rows: list[dict]) -> None:
        for row in rows:
            self.print(f"\nCluster: {row.get('cluster')}")
            self.print(f"Partitioner: {row.get('partitioner')}")
            self.print(f"Snitch: {row.get('snitch')}\n")
            ownership = row.get("range_ownership")
            if ownership is not None:
                self.print("Range ownership:")
                for token, hosts in ownership.items():
                    self.print(" %39s  [%s]" % (token, ", ".join(hosts)))  # noqa: UP031
                self.print("")

    # -- misc ------------------------------------------------------------------------------------

    def _read_more_default(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        return sys.stdin.readline()

    def _clear_screen(self) -> None:
        """CLEAR runs the system's ``clear`` whatever the mode, as cqlsh does; its output
        (the terminal's clear sequence for $TERM) is written to our stdout in order."""
        import subprocess

        self.flush()
        try:
            res = subprocess.run(["clear"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            if self.settings.tty:  # no clear program (Windows): the ANSI sequence
                self.out.write("\033[H\033[2J")
            return
        self.out.write(res.stdout.decode("utf-8", "replace"))
        if res.stderr:
            self.err.write(res.stderr.decode("utf-8", "replace"))
        self.flush()

    def versions(self) -> dict[str, str]:
        try:
            rs = self.session.execute(
                "SELECT release_version, cql_version, cluster_name FROM system.local", fetch_size=0)
            row = rs.current_rows[0]
            return {"build": str(row[0]), "cql": str(row[1]), "cluster": str(row[2])}
        except Exception:  # noqa: BLE001
            from cql import system

            return {"build": system.RELEASE_VERSION, "cql": system.CQL_VERSION,
                    "cluster": system.CLUSTER_NAME}

    def version_line(self) -> str:
        v = self.versions()
        protocol = getattr(self.session, "protocol_version", 4)
        return (f"[{self.settings.name} {__version__} | Cassandra {v['build']} | CQL spec {v['cql']} | "
                f"Native protocol v{protocol}]")

    def host_line(self) -> str:
        cluster = self.apply_color(self.versions()["cluster"], "\033[0;1;34m")
        return f"Connected to {cluster} at {self.conn.target}"

    def close(self) -> None:
        if self.capture_file is not None:
            self.capture_file.close()
            self.capture_file = None


def _statement_table(tokens: list[Token], text: str = "") -> tuple[str | None, str] | None:
    """The [keyspace.]table whose column roles colour a result's header, as cqlsh picks it:
    the table a SELECT / INSERT / UPDATE / DELETE targets; for a batch, the last table its
    statements name (with the last keyspace named); for LIST USERS / LIST ROLES (cqlsh
    matches the text's start) system_auth.roles, for other LIST statements
    system_auth.role_permissions."""
    words = [t.value.lower() if t.kind == "word" else None for t in tokens]
    if not words:
        return None
    first = words[0]
    if first == "list":
        low = text.lower()
        return "system_auth", ("roles" if low.startswith(("list users", "list roles"))
                               else "role_permissions")
    if first == "begin":
        ks: str | None = None
        table: str | None = None
        for i, w in enumerate(words):
            if w in ("into", "from", "update"):
                target = qualified_name_at(tokens, i + 1)
                if target is not None:
                    ks = target[0] or ks
                    table = target[1]
        return (ks, table) if table is not None else None
    anchors = {"select": "from", "delete": "from", "insert": "into", "update": "update"}
    anchor = anchors.get(first or "")
    if anchor is None:
        return None
    for i, w in enumerate(words):
        if w == anchor and i + 1 < len(tokens) and (first != "update" or i == 0):
            return qualified_name_at(tokens, i + 1)
    return None


def _targets_system_traces(tokens: list[Token], keyspace: str | None) -> bool:
    target = _statement_table(tokens)
    if target is None or not tokens or tokens[0].value.lower() != "select":
        return False
    ks = target[0] or keyspace
    return ks == "system_traces"


__all__ = ["MAGENTA", "ConnectionInfo", "Shell", "ShellSettings"]
