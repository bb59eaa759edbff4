"""Incremental statement splitting with cqlsh's rules.

A statement ends at ``;`` outside strings, quoted identifiers, ``$$`` bodies and comments;
shell commands (``EXPAND ON``, ``DESCRIBE ...``) also end at a newline; ``BEGIN BATCH ...
APPLY BATCH;`` stays one statement across inner ``;``. Text is fed line by line and scanned
once (cqlsh re-lexes the whole buffer on every line, which is quadratic on big input).
"""

from __future__ import annotations

from dataclasses import dataclass

# First words of commands that end at a newline as well as at ';' (cqlsh's list).
NEWLINE_TERMINATED = frozenset(
    ["help", "?", "consistency", "serial", "describe", "desc", "show", "source", "capture", "login", "debug", "tracing", "expand", "paging", "exit", "quit", "clear", "cls", "history"]
)

_WORD_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WORD_CHARS = _WORD_START | set("0123456789_")
# Characters that start no token of cqlsh's lexer outside strings, names and comments: these
# punctuation marks, control characters other than the blanks " \t\n\r\f\v", anything
# beyond ASCII (non-ASCII blanks included), a '$' not followed by '$', and a '_' that does not
# continue a word.
_BAD_CHARS = set("#&@\\^`|~\x7f") | ({chr(c) for c in range(32)} - set("\t\n\r\x0b\x0c"))


class LexingError(Exception):
    """A character that starts no CQL token (cqlsh: 'Invalid syntax at char N')."""

    def __init__(self, line: int, char: int, text: str):
        super().__init__(f"Invalid syntax at line {line}, char {char}")
        self.line = line  # 1-based, within the pending buffer
        self.char = char  # 1-based column, cqlsh's charnum
        self.text = text  # the offending line


@dataclass
class Statement:
    """One complete statement: source text (comments removed, ';' kept) and its first word."""

    text: str
    first_word: str

    @property
    def is_shell_command(self) -> bool:
        return self.first_word in NEWLINE_TERMINATED


class Splitter:
    """Feed text; collect finished statements from :meth:`take`."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._done: list[Statement] = []
        self._buf: list[str] = []
        self._state = "normal"
        self._word: list[str] = []
        self._first = ""
        self._saw_apply = False
        self._has_content = False
        self._raw_lines: list[str] = [""]
        self._dollar_at = (1, 1)

    # -- public ------------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        """Scan more input; raises LexingError on a character that starts no token."""
        for i, ch in enumerate(text):
            if ch == "\n":
                self._raw_lines.append("")
            else:
                self._raw_lines[-1] += ch
            try:
                self._step(ch)
            except LexingError as err:
                if err.line == len(self._raw_lines):  # the rest of the line is still unread
                    end = text.find("\n", i + 1)
                    err.text = self._raw_lines[-1] + text[i + 1:end if end >= 0 else len(text)]
                else:  # a '$' that ended the previous line
                    err.text = self._raw_lines[err.line - 1]
                raise

    def clear_lines(self) -> None:
        """Start counting lines afresh (after the shell ran what it had)."""
        self._raw_lines = [""]

    def take(self) -> list[Statement]:
        """Finished statements so far (and forget them)."""
        done, self._done = self._done, []
        return done

    @property
    def pending(self) -> bool:
        """True while a statement, string or comment is open (a continuation line is needed)."""
        return self._has_content or self._state not in ("normal", "linecomment")

    @property
    def ready(self) -> list[Statement]:
        return list(self._done)

    def partial_text(self) -> str:
        return "".join(self._buf)

    def end_of_input(self) -> bool:
        """At EOF: whether input is left that does not end a statement (cqlsh then says
        'Incomplete statement at end of file'; nothing of it is run, not even the statements
        finished before it on its lines). Raises LexingError for a final lone '$'."""
        if self._state == "dollar_start":
            raise self._dollar_error()
        incomplete = self.pending or bool(self._done)
        self.reset()
        return incomplete

    def _dollar_error(self) -> LexingError:
        line, char = self._dollar_at
        return LexingError(line, char, self._raw_lines[line - 1])

    # -- scanner -----------------------------------------------------------------------------

    def _append(self, ch: str) -> None:
        if not self._has_content:
            if ch.isspace():
                return
            self._has_content = True
        self._buf.append(ch)

    def _end_word(self) -> None:
        if self._word:
            word = "".join(self._word).lower()
            self._word = []
            if not self._first:
                self._first = word
            elif word == "apply":
                self._saw_apply = True

    def _finish(self) -> None:
        self._end_word()
        text = "".join(self._buf).strip()
        if text:
            self._done.append(Statement(text, self._first))
        self._buf = []
        self._first = ""
        self._saw_apply = False
        self._has_content = False

    def _step(self, ch: str) -> None:
        state = self._state
        if state == "normal":
            self._normal(ch)
        elif state == "squote":
            self._buf.append(ch)
            if ch == "'":
                self._state = "squote_end"
        elif state == "squote_end":
            if ch == "'":
                self._buf.append(ch)
                self._state = "squote"
            else:
                self._state = "normal"
                self._normal(ch)
        elif state == "dquote":
            self._buf.append(ch)
            if ch == '"':
                self._state = "dquote_end"
        elif state == "dquote_end":
            if ch == '"':
                self._buf.append(ch)
                self._state = "dquote"
            else:
                self._state = "normal"
                self._normal(ch)
        elif state == "dollar":
            self._buf.append(ch)
            if ch == "$":
                self._state = "dollar_end"
        elif state == "dollar_end":
            self._buf.append(ch)
            self._state = "normal" if ch == "$" else "dollar"
        elif state == "linecomment":
            # cqlsh's comment token takes its line end along: a shell command goes on
            if ch in "\n\r":
                self._state = "normal"
                if self._has_content:
                    self._buf.append("\n")
        elif state == "blockcomment":
            if ch == "*":
                self._state = "blockcomment_end"
        elif state == "blockcomment_end":
            if ch == "/":
                self._state = "normal"
                if self._has_content:
                    self._buf.append(" ")
            elif ch != "*":
                self._state = "blockcomment"
        elif state in ("dash", "slash", "dollar_start"):
            prev = {"dash": "-", "slash": "/", "dollar_start": "$"}[state]
            self._state = "normal"
            if state == "dash" and ch == "-" or state == "slash" and ch == "/":
                self._state = "linecomment"
            elif state == "slash" and ch == "*":
                self._state = "blockcomment"
            elif state == "dollar_start" and ch == "$":
                self._append("$")
                self._append("$")
                self._state = "dollar"
            elif state == "dollar_start":
                raise self._dollar_error()
            else:
                self._append(prev)
                self._normal(ch)

    def _normal(self, ch: str) -> None:
        if ch in _WORD_CHARS and (self._word or ch in _WORD_START):
            self._word.append(ch)
            self._append(ch)
            return
        self._end_word()
        if ch == "'":
            self._append(ch)
            self._state = "squote"
        elif ch == '"':
            self._append(ch)
            self._state = "dquote"
        elif ch == "$":
            self._state = "dollar_start"
            self._dollar_at = (len(self._raw_lines), len(self._raw_lines[-1]))
        elif ch == "-":
            self._state = "dash"
        elif ch == "/":
            self._state = "slash"
        elif ch == ";":
            if self._first == "begin" and not self._saw_apply:
                self._append(ch)
                return
            self._append(ch)
            self._finish()
        elif ch == "\n":
            if self._first in NEWLINE_TERMINATED:
                self._finish()
            else:
                self._append(ch)
        elif ch == "?" and not self._first and not self._has_content:
            self._first = "?"
            self._append(ch)
        elif ch in _BAD_CHARS or ch == "_" or ord(ch) > 127:
            line = len(self._raw_lines)
            text = self._raw_lines[-1]
            raise LexingError(line, len(text), text)
        else:
            if not self._first and not ch.isspace() and not ch.isdigit():
                self._first = ch
            self._append(ch)


def split_statements(text: str) -> tuple[list[Statement], str]:
    """Split a whole text; returns the complete statements and any unterminated remainder."""
    sp = Splitter()
    sp.feed(text)
    rest = sp.partial_text().strip()
    return sp.take(), rest
