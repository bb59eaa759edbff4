"""The interactive prompt on prompt_toolkit: multi-line editing that submits only complete
statements, persistent (password-redacted) history, Ctrl-R search, history suggestions,
schema-aware completion, CQL highlighting, a status toolbar and open-in-editor (Ctrl-X Ctrl-E).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prompt_toolkit import PromptSession, search
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import is_searching
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings

from .completion import SchemaSnapshot, complete, snapshot
from .core import Shell
from .splitter import LexingError, Splitter

_SECRETS = [
    re.compile(r"(?i)(\bPASSWORD\s*=?\s*)'(?:[^']|'')*'"),
    re.compile(r"(?i)(^\s*LOGIN\s+\S+\s+)'(?:[^']|'')*'"),
]


def redact(text: str) -> str:
    """History never keeps passwords (CREATE ROLE ... PASSWORD, LOGIN user 'pw')."""
    for pattern in _SECRETS:
        text = pattern.sub(r"\1'********'", text)
    return text


class RedactingFileHistory(FileHistory):
    def store_string(self, string: str) -> None:
        super().store_string(redact(string))


class RedactingMemoryHistory(InMemoryHistory):
    def store_string(self, string: str) -> None:
        super().store_string(redact(string))


def is_complete(text: str) -> bool:
    """Whether Enter should run the buffer: every statement in it is terminated."""
    if not text.strip():
        return True
    sp = Splitter()
    try:
        sp.feed(text + "\n")
    except LexingError:
        return True  # let the shell report it
    return not sp.pending


class CqlCompleter(Completer):
    """Adapts the pure :func:`complete` to prompt_toolkit, with a short-lived schema cache."""

    def __init__(self, shell: Shell, ttl: float = 2.0):
        self.shell = shell
        self.ttl = ttl
        self._snap: SchemaSnapshot | None = None
        self._when = 0.0

    def schema(self) -> SchemaSnapshot:
        now = time.monotonic()
        if self._snap is None or now - self._when > self.ttl or \
                self._snap.current_keyspace != self.shell.keyspace:
            self._snap = snapshot(self.shell.session)
            self._when = now
        return self._snap

    def get_completions(self, document: Document, complete_event: CompleteEvent
                        ) -> Iterable[Completion]:
        before = self.shell.splitter.partial_text() + document.text_before_cursor
        word = _current_word(document.text_before_cursor)
        for cand in complete(before, self.schema()):
            yield Completion(cand, start_position=-len(word))


def _current_word(text: str) -> str:
    m = re.search(r'("[^"]*|[A-Za-z0-9_]*)$', text)
    return m.group(1) if m else ""


def toolbar(shell: Shell) -> str:
    s = shell.settings
    paging = f"{s.page_size}" if s.paging else "off"
    return (f" keyspace: {shell.keyspace or '-'} | paging: {paging} | expand: "
            f"{'on' if s.expand else 'off'} | consistency: {s.consistency} | tracing: "
            f"{'on' if s.tracing else 'off'} ")


def continuation(shell: Shell) -> Any:
    """The prompt before each line after the first: the continuation prompt before a new
    line of the statement, nothing before a line that is only a long line soft-wrapped (the
    prompt in the middle of a word would read as part of the statement)."""

    def prompt(width: int, line_number: int, wrap_count: int) -> str:
        return "" if wrap_count else shell.continuation_prompt()

    return prompt


def key_bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    def _(event: Any) -> None:
        if is_searching():
            # Ctrl-R, type, Enter: take the match into the statement buffer, close the
            # search bar, and run it (the binding would otherwise act on the search text)
            search.accept_search()
        buf = event.app.current_buffer
        if buf.complete_state is not None and buf.complete_state.current_completion:
            buf.apply_completion(buf.complete_state.current_completion)
            return
        if is_complete(buf.text):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    return kb


def build_session(shell: Shell, history: History, *, input: Any = None, output: Any = None,
                  highlight: bool = True) -> PromptSession:
    lexer = None
    if highlight:
        try:
            from prompt_toolkit.lexers import PygmentsLexer

            from .lexer import CqlLexer

            lexer = PygmentsLexer(CqlLexer)
        except ImportError:  # pygments missing: no highlighting
            lexer = None
    return PromptSession(
        history=history,
        auto_suggest=AutoSuggestFromHistory(),
        completer=CqlCompleter(shell),
        complete_while_typing=False,
        lexer=lexer,
        multiline=True,
        key_bindings=key_bindings(),
        prompt_continuation=continuation(shell),
        bottom_toolbar=lambda: toolbar(shell),
        enable_open_in_editor=True,
        enable_history_search=False,
        input=input,
        output=output,
    )


def run_repl(shell: Shell, *, data_dir: Path | None = None, save_history: bool = True,
             input: Any = None, output: Any = None, history: History | None = None,
             banner: bool = True) -> None:
    """The interactive loop; returns on EXIT/QUIT or Ctrl-D."""
    from .config import history_file

    if history is None:
        history = RedactingMemoryHistory()
        if save_history:
            path = history_file(data_dir)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                history = RedactingFileHistory(str(path))
            except OSError:
                pass
    session = build_session(shell, history, input=input, output=output,
                            highlight=shell.settings.color)

    # ---MORE--- and COPY FROM STDIN's "[copy] " lines: plain one-line prompts, kept out of
    # the statement history and free of the statement-completeness rule for Enter
    line_session: PromptSession = PromptSession(input=input, output=output)

    def more(prompt: str) -> str:
        """One more line, readline-style: an empty line is "\n", Ctrl-D is "" (the end)."""
        try:
            return line_session.prompt(prompt) + "\n"
        except EOFError:
            return ""

    shell.read_more = more
    if banner:
        from .cli import banner as print_banner

        print_banner(shell)
    while not shell.stop:
        prompt = shell.continuation_prompt() if shell.in_statement else shell.prompt()
        try:
            text = session.prompt(prompt)
        except KeyboardInterrupt:
            shell.cancel_statement()
            shell.print("")
            continue
        except EOFError:
            shell.print("")
            shell.handle_eof()
            break
        try:
            for line in text.split("\n"):
                shell.feed_line(line + "\n")
                if shell.stop:
                    break
        except KeyboardInterrupt:
            shell.cancel_statement()
            shell.print("")
        shell.flush()
