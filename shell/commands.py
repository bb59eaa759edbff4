"""cqlsh's special commands: syntax checks, messages and effects (one function per command)."""

from __future__ import annotations

import getpass
import os
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cql.vocabulary import RESERVED_KEYWORDS

from .lexer_tokens import Token, tokenize

if TYPE_CHECKING:
    from .core import Shell
    from .splitter import Statement

CONSISTENCY_LEVELS = ("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM",
                      "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE", "NODE_LOCAL")
SERIAL_LEVELS = ("SERIAL", "LOCAL_SERIAL")
class Improper(Exception):
    """The command did not parse: cqlsh prints 'Improper <WORD> command.'"""


def _args(st: Statement) -> tuple[str, list[Token]]:
    """The command word as typed and the remaining tokens (a final ';' dropped)."""
    tokens = tokenize(st.text)
    if tokens and tokens[-1].value == ";" and tokens[-1].kind == "op":
        tokens = tokens[:-1]
    return (tokens[0].raw if tokens else ""), tokens[1:]


def _improper(shell: Shell, word: str) -> None:
    shell.printerr(f"Improper {word} command.")


def _switch(shell: Shell, name: str, current: bool, tokens: list[Token]) -> bool:
    """ON/OFF toggles with PyPI cqlsh 6.2's messages."""
    if not tokens:
        shell.print(f"{name} is {'ON' if current else 'OFF'}")
        return current
    if len(tokens) != 1 or tokens[0].value.upper() not in ("ON", "OFF"):
        raise Improper
    new = tokens[0].value.upper() == "ON"
    if new == current:
        shell.print(f"{name} is already {'ON' if current else 'OFF'}")
        return current
    shell.print(f"{name} set to {'ON' if new else 'OFF'}")
    return new


def _is_name(tok: Token) -> bool:
    """cqlsh's <cfOrKsName>: a quoted name or a word its lexer does not take as reserved."""
    if tok.kind == "qident":
        return tok.closed
    return (tok.kind == "word" and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", tok.raw) is not None
            and tok.raw.lower() not in RESERVED_KEYWORDS)


def _qualified(toks: list[Token]) -> bool:
    """``name`` or ``name.name``."""
    if len(toks) == 1:
        return _is_name(toks[0])
    return len(toks) == 3 and _is_name(toks[0]) and toks[1].raw == "." and _is_name(toks[2])


_DESCRIBE_ALONE = frozenset(["FUNCTIONS", "AGGREGATES", "KEYSPACES", "COLUMNFAMILIES", "TABLES",
                             "CLUSTER", "TYPES", "SCHEMA", "KEYSPACE"])
_DESCRIBE_NAMED = frozenset(["FUNCTION", "AGGREGATE", "COLUMNFAMILY", "TABLE", "INDEX", "TYPE"])


def describe_parses(toks: list[Token]) -> bool:
    """Whether cqlsh's grammar for DESCRIBE accepts these arguments. Only those are sent
    (the engine then judges them): cqlsh refuses the rest itself with 'Improper ...'."""
    words = [t.raw.upper() if t.kind == "word" else "" for t in toks]
    if words[-2:] == ["WITH", "INTERNALS"]:
        toks, words = toks[:-2], words[:-2]
    if not toks:
        return False
    if len(toks) == 1 and words[0] in _DESCRIBE_ALONE or words == ["FULL", "SCHEMA"]:
        return True
    if words[:2] == ["ONLY", "KEYSPACE"]:
        toks, words = toks[1:], words[1:]
    if words[0] == "KEYSPACE" and (len(toks) == 1 or len(toks) == 2 and _is_name(toks[1])):
        return True
    if words[0] in _DESCRIBE_NAMED and _qualified(toks[1:]):
        return True
    if words[:2] == ["MATERIALIZED", "VIEW"] and _qualified(toks[2:]):
        return True
    return _qualified(toks)


def _guard(fn: Callable[[Shell, Statement], None]) -> Callable[[Shell, Statement], None]:
    def run(shell: Shell, st: Statement) -> None:
        try:
            fn(shell, st)
        except Improper:
            _improper(shell, _args(st)[0])

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


@_guard
def do_consistency(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    if not toks:
        shell.print(f"Current consistency level is {shell.settings.consistency}.")
        return
    if len(toks) != 1 or toks[0].value.upper() not in CONSISTENCY_LEVELS:
        raise Improper
    shell.settings.consistency = toks[0].value.upper()
    shell.print(f"Consistency level set to {shell.settings.consistency}.")


@_guard
def do_serial(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    if not toks or toks[0].value.upper() != "CONSISTENCY":
        raise Improper
    toks = toks[1:]
    if not toks:
        shell.print(f"Current serial consistency level is {shell.settings.serial_consistency}.")
        return
    if len(toks) != 1 or toks[0].value.upper() not in SERIAL_LEVELS:
        raise Improper
    shell.settings.serial_consistency = toks[0].value.upper()
    shell.print(f"Serial consistency level set to {shell.settings.serial_consistency}.")


@_guard
def do_tracing(shell: Shell, st: Statement) -> None:
    shell.settings.tracing = _switch(shell, "TRACING", shell.settings.tracing, _args(st)[1])


@_guard
def do_expand(shell: Shell, st: Statement) -> None:
    shell.settings.expand = _switch(shell, "EXPAND", shell.settings.expand, _args(st)[1])


@_guard
def do_paging(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    s = shell.settings
    if toks and len(toks) == 1 and toks[0].kind == "number" and toks[0].value.isdigit():
        s.paging, s.page_size = True, int(toks[0].value)
    else:
        s.paging = _switch(shell, "PAGING", s.paging, toks)
    if s.paging:
        shell.print(f"Page size: {s.page_size}")
    else:
        s.page_size = 100


def do_describe(shell: Shell, st: Statement) -> None:
    word, toks = _args(st)
    if not describe_parses(toks):
        _improper(shell, word)
        return
    shell.describe(st)


def do_use(shell: Shell, st: Statement) -> None:
    """``USE <name>``; other arguments are refused before reaching the server. A trace is
    recorded when TRACING is on, but cqlsh does not print it for USE."""
    word, toks = _args(st)
    if len(toks) != 1 or not _is_name(toks[0]):
        _improper(shell, word)
        return
    shell.perform_statement(st.text, show_trace=False)


def do_unicode(shell: Shell, st: Statement) -> None:
    """cqlsh has a handler (a help topic) for UNICODE but no grammar rule: always improper."""
    _improper(shell, _args(st)[0])


@_guard
def do_show(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    if not toks:
        raise Improper
    what = toks[0].value.lower()
    if what == "version" and len(toks) == 1:
        shell.print(shell.version_line())
    elif what == "host" and len(toks) == 1:
        shell.print(shell.host_line())
    elif what == "session" and len(toks) == 2:
        try:
            session_id = uuid.UUID(toks[1].value)
        except ValueError:
            raise Improper from None
        from .tracing import show_session

        show_session(shell, session_id)
    elif what == "replicas" and len(toks) in (2, 3):
        shell.print("['127.0.0.1']")
    else:
        raise Improper


def _string_arg(toks: list[Token]) -> str:
    """cqlsh's <stringLiteral>: a quoted string (unquoted) or a $$ string (kept whole)."""
    if len(toks) != 1 or toks[0].kind not in ("string", "dollar") or not toks[0].closed:
        raise Improper
    return toks[0].value if toks[0].kind == "string" else toks[0].raw


@_guard
def do_source(shell: Shell, st: Statement) -> None:
    """Run a file in a sub-shell, as cqlsh does: it starts in the current keyspace with the
    current TRACING, colour and display settings, but with EXPAND off, default PAGING and
    consistency levels, and no CAPTURE; its own session means USE stays inside it; nothing
    it changes comes back, and its errors do not count for the exit status (they are still
    printed, as '<file>:<line>:...')."""
    from dataclasses import replace

    from .core import Shell as ShellClass
    from .core import ShellSettings

    _, toks = _args(st)
    fname = os.path.expanduser(_string_arg(toks))
    try:
        f = open(fname, encoding="utf-8-sig", newline="")  # noqa: SIM115 - ends as written
    except OSError as e:
        shell.printerr(f"Could not open {fname!r}: {e}")
        return
    with f:
        fresh = ShellSettings()
        settings = replace(shell.settings, tty=False, expand=fresh.expand, paging=fresh.paging,
                           page_size=fresh.page_size, consistency=fresh.consistency,
                           serial_consistency=fresh.serial_consistency, debug=False,
                           display=replace(shell.settings.display),
                           copy_defaults=dict(shell.settings.copy_defaults))
        session, done = sub_session(shell.session)
        sub = ShellClass(session, settings, out=shell.out, err=shell.err, stdin_name=fname,
                         show_line_nums=True, conn=replace(shell.conn))
        try:
            sub.run_stream(f)
        finally:
            sub.flush()
            sub.close()
            done()


def sub_session(session: Any) -> tuple[Any, Callable[[], None]]:
    """A second session on the same database (embedded) or connection pool (remote), in the
    same keyspace, for SOURCE; and what to call when it is no longer needed."""
    import cql

    if hasattr(session, "sibling"):  # remote
        other = session.sibling()
        return other, other.close
    if isinstance(session, cql.Session):
        # shares the open database; closing it would close the database, so it is dropped
        other = cql.Session(session.database)
        other.client_address = session.client_address
        if session.keyspace:
            other.set_keyspace(session.keyspace)
        return other, lambda: None
    keyspace = session.keyspace  # anything else: share it and restore the keyspace

    def restore() -> None:
        if keyspace and session.keyspace != keyspace:
            session.set_keyspace(keyspace)

    return session, restore


@_guard
def do_capture(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    if not toks:
        if shell.capture_file is not None:
            shell.print(f"Currently capturing query output to {shell.capture_file.name!r}.")
        else:
            shell.print("Currently not capturing query output.")
        return
    if len(toks) == 1 and toks[0].kind == "word" and toks[0].value.upper() == "OFF":
        if shell.capture_file is None:
            shell.printerr("Not currently capturing output.")
            return
        shell.capture_file.close()
        shell.capture_file = None
        shell.query_out = shell.out
        if shell._shunted_color is not None:
            shell.settings.color = shell._shunted_color
            shell._shunted_color = None
        return
    if shell.capture_file is not None:
        shell.printerr(f"Already capturing output to {shell.capture_file.name}. "
                       "Use CAPTURE OFF to disable.")
        return
    fname = os.path.expanduser(_string_arg(toks))
    try:
        f = open(fname, "a", encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        shell.printerr(f"Could not open {fname!r} for append: {e}")
        return
    shell.capture_file = f
    shell.query_out = f
    shell._shunted_color = shell.settings.color
    shell.settings.color = False
    shell.print(f"Now capturing query output to {fname!r}.")


@_guard
def do_login(shell: Shell, st: Statement) -> None:
    """Embedded databases have no authentication: LOGIN only changes the prompt's user."""
    _, toks = _args(st)
    if not toks or toks[0].kind not in ("word", "qident") or len(toks) > 2:
        raise Improper
    if len(toks) == 2 and toks[1].kind != "string":
        raise Improper
    if len(toks) == 1 and shell.settings.tty:
        getpass.getpass()
    shell.conn.username = toks[0].value


def do_exit(shell: Shell, st: Statement) -> None:
    word, toks = _args(st)
    if toks:
        _improper(shell, word)
        return
    shell.stop = True


def do_clear(shell: Shell, st: Statement) -> None:
    word, toks = _args(st)
    if toks:
        _improper(shell, word)
        return
    shell.clear_screen()


def do_debug(shell: Shell, st: Statement) -> None:
    """cqlsh drops into pdb; we do nothing (the command is undocumented)."""
    word, toks = _args(st)
    if toks and (len(toks) > 1 or toks[0].raw.upper() != "THINGS"):
        _improper(shell, word)


@_guard
def do_history(shell: Shell, st: Statement) -> None:
    _, toks = _args(st)
    if toks:
        if len(toks) != 1 or not toks[0].value.isdigit():
            raise Improper
        shell.settings.history_shown = int(toks[0].value)
    entries = shell.history[:-1]  # the HISTORY command itself is the last entry
    for line in entries[-shell.settings.history_shown:]:
        shell.print(line)


def do_help(shell: Shell, st: Statement) -> None:
    from .help import show_help

    _, toks = _args(st)
    show_help(shell, [t.value for t in toks if t.kind in ("word", "qident", "string")])


def do_copy(shell: Shell, st: Statement) -> None:
    from .copy import run_copy

    run_copy(shell, st)


HANDLERS: dict[str, Callable[[Shell, Statement], None]] = {
    "consistency": do_consistency,
    "serial": do_serial,
    "tracing": do_tracing,
    "expand": do_expand,
    "paging": do_paging,
    "describe": do_describe,
    "desc": do_describe,
    "show": do_show,
    "source": do_source,
    "capture": do_capture,
    "login": do_login,
    "exit": do_exit,
    "quit": do_exit,
    "clear": do_clear,
    "cls": do_clear,
    "debug": do_debug,
    "use": do_use,
    "unicode": do_unicode,
    "history": do_history,
    "help": do_help,
    "copy": do_copy,
}
