"""HELP: the cqlsh topic lists, plus help text shown in the terminal (no browser needed)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .formatting import columnize
from .help_topics import CQL_HELP, Topic

if TYPE_CHECKING:
    from .core import Shell

DOC_URL = "https://cassandra.apache.org/doc/latest/cassandra/cql/cql_singlefile.html"

SHELL_HELP: dict[str, str] = {
    "capture": """
        CAPTURE '<file>';   append query results (not errors or shell messages) to a file
        CAPTURE OFF;        stop capturing
        CAPTURE;            show where output is being captured

        The path is relative to the current directory; '~' means your home directory.
        Captured output is never coloured.""",
    "clear": """
        CLEAR / CLS         clear the terminal screen""",
    "consistency": """
        CONSISTENCY;            show the consistency level (default ONE)
        CONSISTENCY <level>;    set it for following requests: ANY, ONE, TWO, THREE, QUORUM,
                                ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, SERIAL,
                                LOCAL_SERIAL, NODE_LOCAL

        cassalite is a single node, so every level is satisfied by that node.""",
    "copy": """
        COPY <table> [(<col>, ...)] TO ('<file>' | STDOUT) [WITH <option>=<value> [AND ...]];
        COPY <table> [(<col>, ...)] FROM ('<file>[, <file> ...]' | STDIN) [WITH ...];

        Export a table to CSV or import CSV into a table. File names may be globs.
        On STDIN, end the data with a line holding only '.' (or with Ctrl-D).

        Common options: DELIMITER=',' QUOTE='"' ESCAPE='\\' HEADER=false NULL=''
          DATETIMEFORMAT (cqlshrc time_format) MAXATTEMPTS=5 REPORTFREQUENCY=0.25
          DECIMALSEP='.' THOUSANDSSEP='' BOOLSTYLE='True,False' NUMPROCESSES CONFIGFILE
          RATEFILE
        COPY FROM: CHUNKSIZE=5000 INGESTRATE=100000 MINBATCHSIZE=10 MAXBATCHSIZE=20
          MAXROWS=-1 SKIPROWS=0 SKIPCOLS='' MAXPARSEERRORS=-1 MAXINSERTERRORS=1000
          ERRFILE=import_<ks>_<table>.err PREPAREDSTATEMENTS=True TTL=-1
        COPY TO: ENCODING='utf8' PAGESIZE=1000 PAGETIMEOUT BEGINTOKEN ENDTOKEN
          MAXREQUESTS=6 MAXOUTPUTSIZE=-1 FLOATPRECISION=5 DOUBLEPRECISION=12

        Defaults may also come from the [copy], [copy-to], [copy-from], [copy:<ks>.<table>]
        sections of cqlshrc.""",
    "describe": """
        DESCRIBE (or DESC) prints CQL that recreates schema objects, or lists their names:

        DESCRIBE KEYSPACES | TABLES | TYPES | FUNCTIONS | AGGREGATES;
        DESCRIBE [ONLY] KEYSPACE [<ks>];   DESCRIBE TABLE [<ks>.]<table>;
        DESCRIBE INDEX <name>;  DESCRIBE MATERIALIZED VIEW <name>;
        DESCRIBE TYPE <name>;   DESCRIBE FUNCTION <name>;   DESCRIBE AGGREGATE <name>;
        DESCRIBE [FULL] SCHEMA; DESCRIBE CLUSTER;   DESCRIBE <any name>;

        Add WITH INTERNALS for table ids and dropped columns.""",
    "exit": """
        EXIT / QUIT         leave the shell (Ctrl-D works too)""",
    "expand": """
        EXPAND ON;          print each row vertically, one 'column | value' line per column
        EXPAND OFF;         back to the table layout
        EXPAND;             show the current setting""",
    "help": """
        HELP                list the topics
        HELP <topic> ...    show help on shell commands and CQL statements, in the terminal""",
    "history": """
        HISTORY [<n>]       show the last n (default 50) statements of this session""",
    "login": """
        LOGIN <user> ['<password>']

        An embedded database has no authentication: LOGIN only records the user name,
        which the prompt then shows.""",
    "paging": """
        PAGING ON;          fetch and show results a page at a time (default, 100 rows)
        PAGING <n>;         page size n
        PAGING OFF;         fetch everything at once
        PAGING;             show the current setting

        In a terminal, '---MORE---' waits for Enter between pages.""",
    "serial": """
        SERIAL CONSISTENCY;            show the serial consistency level (default SERIAL)
        SERIAL CONSISTENCY <level>;    SERIAL or LOCAL_SERIAL, for conditional updates""",
    "show": """
        SHOW VERSION        shell, Cassandra-compatibility, CQL and protocol versions
        SHOW HOST           what the shell is connected to
        SHOW SESSION <id>   print a recorded tracing session
        SHOW REPLICAS <token> [<ks>]   the replicas of a token (always this node)""",
    "source": """
        SOURCE '<file>';    run the statements of a file; errors are reported with their
                            '<file>:<line>:' and do not stop the file""",
    "tracing": """
        TRACING ON;         trace every following request and print the trace after its result
        TRACING OFF;        stop tracing
        TRACING;            show the current setting""",
    "unicode": """
        Text output: control characters in text and ascii values are shown as Python
        escapes (\\n, \\x00 ...), and backslashes are doubled so that output is unambiguous.
        Other Unicode characters are printed as they are; wide characters count double
        when columns are aligned. With colour on, escapes are shown in a different colour
        and a backslash is shown single.""",
}
SHELL_HELP["cls"] = SHELL_HELP["clear"]
SHELL_HELP["desc"] = SHELL_HELP["describe"]
SHELL_HELP["quit"] = SHELL_HELP["exit"]
# Commands that are not help topics: cqlsh lists and documents EXIT, but answers
# HELP QUIT with "*** No help on QUIT".
NOT_TOPICS = frozenset({"quit"})

def shell_topics() -> list[str]:
    """cqlsh lists every documented do_* command except QUIT."""
    return sorted(t.upper() for t in SHELL_HELP if t != "quit")


def _print_topics(shell: Shell, header: str, topics: list[str]) -> None:
    shell.print(header)
    shell.print("=" * len(header))
    for line in columnize(topics, 79):
        shell.print(line)
    shell.print("")


INDENT = " " * 8
WIDTH = 79


def render_cql_topic(name: str, topic: Topic) -> str:
    """One CQL topic as terminal text: title, synopsis, explanation, example, reference."""
    lines = ["", INDENT + name.upper(), ""]
    lines += [INDENT + line if line else "" for line in topic.synopsis.splitlines()]
    for para in topic.paragraphs:
        # Keep "HELP <TOPIC>" cross-references on one line (textwrap splits on ASCII space).
        para = para.replace("HELP ", "HELP\u00a0")
        lines.append("")
        lines += [line.replace("\u00a0", " ") for line in textwrap.wrap(
            para, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT,
            break_on_hyphens=False, break_long_words=False)]
    after = " and ".join(t.upper() for t in topic.after)
    lines += ["", INDENT + (f"Example (after the {after} example):" if after else "Example:")]
    lines += [INDENT + "  " + line if line else "" for line in topic.example.splitlines()]
    lines += ["", f"{INDENT}Reference: {DOC_URL}#{topic.anchor}", ""]
    return "\n".join(lines)


def _resolve(words: list[str]) -> list[tuple[str, str | None]]:
    """(as typed, topic key or None) for each requested topic.

    Topics match case-insensitively. A word that is no topic by itself is joined with the
    words after it when that names a CQL topic, so HELP CREATE TABLE means CREATE_TABLE
    (cqlsh would report each word as unknown); words that are topics keep their cqlsh
    meaning (HELP SELECT JSON shows SELECT and JSON).
    """
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        key = words[i].lower()
        if key in NOT_TOPICS:
            out.append((words[i], None))
            i += 1
            continue
        if key in SHELL_HELP or key in CQL_HELP:
            out.append((words[i], key))
            i += 1
            continue
        for n in (3, 2):
            joined = "_".join(w.lower() for w in words[i:i + n])
            if i + n <= len(words) and joined in CQL_HELP:
                out.append((" ".join(words[i:i + n]), joined))
                i += n
                break
        else:
            out.append((words[i], None))
            i += 1
    return out


def show_help(shell: Shell, topics: list[str]) -> None:
    if not topics:
        _print_topics(shell, "\nDocumented shell commands:", shell_topics())
        _print_topics(shell, "CQL help topics:", sorted(t.upper() for t in CQL_HELP))
        return
    for typed, key in _resolve(topics):
        if key is None:
            shell.printerr(f"*** No help on {typed}")
        elif key in SHELL_HELP:
            shell.print(SHELL_HELP[key].rstrip() + "\n")
        else:
            shell.print(render_cql_topic(key, CQL_HELP[key]))
