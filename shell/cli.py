"""The ``cassalite`` command line: cqlsh's flags, modes and exit statuses."""

from __future__ import annotations

import argparse
import codecs
import configparser
import csv
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cassalite.storage import ENGINE_NAMES

from . import NAME, __version__
from .config import Config, format_settings, load_config, timezone_setup, user_data_dir
from .core import ConnectionInfo, Shell, ShellSettings
from .errors import error_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage + message, status 2
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """cqlsh's way: whatever is not a known option, unknown options included, is a
        positional argument; the first two are host and port, the rest is ignored."""
        ns, rest = super().parse_known_args(args, namespace)
        ns.host = rest[0] if rest else None
        ns.port = rest[1] if len(rest) > 1 else None
        return ns, []


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=NAME,
        usage=f"{NAME} [options] [host [port]]",  # argparse says "usage: " itself
        description="CQL shell for cassalite, the embedded Cassandra-compatible database "
                    "(a drop-in for cqlsh).",
        epilog="Without host, opens the embedded database in --data-dir (default "
               "$CASSALITE_DATA_DIR or the user data directory) or in memory with --memory. "
               "A host (and port, default 9042) selects remote mode, which needs "
               "cassandra-driver. As with cqlsh, unknown options and further arguments are "
               "ignored, but count as host and port when they come first.",
    )
    p.add_argument("-v", "--version", action="store_true", help="print the version and exit")
    p.add_argument("-C", "--color", dest="color", action="store_true", default=None,
                   help="always use color output")
    p.add_argument("--no-color", dest="color", action="store_false",
                   help="never use color output")
    p.add_argument("--browser", help="accepted for cqlsh compatibility (HELP is shown in the "
                                      "terminal)")
    p.add_argument("--ssl", action="store_true", default=None,
                   help="use SSL/TLS, set up from cqlshrc's [ssl] (remote mode only)")
    p.add_argument("-u", "--username", help="user name (remote: log in; embedded: shown in "
                                             "the prompt)")
    p.add_argument("-p", "--password", help="password (remote mode; the embedded database has "
                                             "no authentication)")
    p.add_argument("--insecure-password-without-warning", action="store_true",
                   help=argparse.SUPPRESS)
    p.add_argument("-k", "--keyspace", help="use this keyspace on start-up")
    p.add_argument("-f", "--file", help="execute the statements of FILE, then exit")
    p.add_argument("-e", "--execute", help="execute STATEMENT(s), then exit")
    p.add_argument("--debug", action="store_true", help="show extra information and tracebacks")
    p.add_argument("--coverage", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--encoding", help="accepted for compatibility: must name a known codec; "
                                       "output uses the terminal's encoding")
    p.add_argument("--cqlshrc", help="cqlshrc file to read instead of ~/.cassandra/cqlshrc")
    p.add_argument("--credentials", help="credentials file with [plain_text_auth] username "
                                          "and password (default: 'credentials' next to "
                                          "the cqlshrc)")
    p.add_argument("--cqlversion", help="CQL version to ask the server for (remote mode)")
    p.add_argument("--protocol-version", type=int,
                   help="native protocol version (remote mode; default: negotiated)")
    p.add_argument("--connect-timeout", help="seconds to wait for a connection (remote mode; "
                                             "default 5)")
    p.add_argument("--request-timeout", help="seconds a request may take (remote mode; "
                                             "default 10)")
    p.add_argument("-t", "--tty", action="store_true", help="force tty mode (prompts, ---MORE---)")
    p.add_argument("--disable-history", action="store_true", help="do not save history")
    p.add_argument("--data-dir", help="database directory (default $CASSALITE_DATA_DIR or the "
                                      "user data directory)")
    p.add_argument("--memory", action="store_true", help="use a fresh in-memory database")
    p.add_argument("--engine", choices=ENGINE_NAMES,
                   help="storage engine of --data-dir (default lsm, or cqlshrc's [cassalite] "
                        "engine; rocks needs the cassalite[rocks] extra)")
    return p


def should_use_color(stdout: IO[str]) -> bool:
    if not stdout.isatty():
        return False
    if os.environ.get("TERM", "") in ("", "dumb"):
        return False
    try:
        res = subprocess.run(["tput", "colors"], capture_output=True, text=True, timeout=2)  # noqa: PLW1510
        if int(res.stdout.strip()) < 8:
            return False
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return True


DEFAULT_CONNECT_TIMEOUT = 5
DEFAULT_REQUEST_TIMEOUT = 10
DEFAULT_PORT = 9042


@dataclass
class Options:
    """The flags merged with cqlshrc, as cqlsh merges them (flags win)."""

    keyspace: str | None = None
    username: str | None = None
    password: str | None = None
    port: int = DEFAULT_PORT
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT
    request_timeout: int = DEFAULT_REQUEST_TIMEOUT
    protocol_version: int | None = None
    cql_version: str | None = None
    ssl: bool = False
    encoding: str = "utf-8"


def full_cql_version(text: str) -> tuple[str, tuple[int, ...]]:
    """'3' -> '3.0.0' (cqlsh pads to three parts; a '-suffix' is kept)."""
    version = text
    while version.count(".") < 2:
        version += ".0"
    numbers = tuple(int(part) for part in version.split("-", 1)[0].split("."))
    return version, numbers


def is_file_secure(path: str) -> bool:
    """cqlsh's rule for files holding passwords: owned by us (or we are root) and not
    readable by group or others. A missing file is fine (it is not used)."""
    try:
        st = os.stat(path)
        uid = os.getuid()
    except (OSError, AttributeError):  # missing, unreadable, or no getuid (Windows)
        return True
    private = stat.S_IMODE(st.st_mode) & (stat.S_IRGRP | stat.S_IROTH) == 0
    return (uid == 0 or st.st_uid == uid) and private


def _credentials(args: argparse.Namespace, cfg: Config, stderr: IO[str]) -> \
        tuple[str | None, str | None]:
    """User and password: flags, else the credentials file's [plain_text_auth], else the
    cqlshrc's [authentication] (deprecated there), with cqlsh's warnings."""
    rc_user = cfg.get("authentication", "username")
    rc_password = cfg.get("authentication", "password")
    if rc_user or rc_password:
        if rc_password and not is_file_secure(str(cfg.cqlshrc)):
            stderr.write("\nWarning: Password is found in an insecure cqlshrc file. The file "
                         "is owned or readable by other users on the system.")
        stderr.write("\nNotice: Credentials in the cqlshrc file is deprecated and will be "
                     "ignored in the future.\nPlease use a credentials file to specify the "
                     "username and password.\n\n")
    path = args.credentials or cfg.get("authentication", "credentials") or \
        str(cfg.cqlshrc.parent / "credentials")
    path = os.path.expanduser(path)
    if not is_file_secure(path):
        stderr.write(f"\nWarning: Credentials file '{path}' exists but is not used, because:"
                     "\n  a. the file owner is not the current user; or"
                     "\n  b. the file is readable by group or other."
                     "\nPlease ensure the file is owned by the current user and is not "
                     "readable by group or other."
                     "\nOn a Linux or UNIX-like system, you often can do this by using the "
                     "`chown` and `chmod` commands:"
                     "\n  chown YOUR_USERNAME credentials"
                     "\n  chmod 600 credentials\n\n")
        path = ""
    creds = configparser.RawConfigParser()
    if path:
        try:
            creds.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass

    def from_file(option: str, fallback: str | None) -> str | None:
        try:
            return creds.get("plain_text_auth", option)
        except configparser.Error:
            return fallback

    username = args.username or from_file("username", rc_user)
    password = args.password
    if not password:
        password = from_file("password", rc_password)
    elif not args.insecure_password_without_warning:
        stderr.write("\nWarning: Using a password on the command line interface can be "
                     "insecure.\nRecommendation: use the credentials file to securely provide "
                     "the password.\n\n")
    return username, password


def read_options(parser: argparse.ArgumentParser, args: argparse.Namespace, cfg: Config,
                 stderr: IO[str]) -> Options:
    """cqlsh's read_options: cqlshrc values under the flags, validated in its order (usage
    errors exit with status 2)."""
    o = Options()
    o.keyspace = args.keyspace or cfg.get("authentication", "keyspace")
    o.username, o.password = _credentials(args, cfg, stderr)
    connect = args.connect_timeout
    if connect is None:
        connect = cfg.getint("connection", "timeout", DEFAULT_CONNECT_TIMEOUT)
    request = args.request_timeout
    if request is None:
        request = cfg.getint("connection", "request_timeout", DEFAULT_REQUEST_TIMEOUT)
    try:
        o.connect_timeout = int(connect)
    except ValueError:
        parser.error(f'"{connect}" is not a valid connect timeout.')
    try:
        o.request_timeout = int(request)
    except ValueError:
        parser.error(f'"{request}" is not a valid request timeout.')
    o.protocol_version = args.protocol_version or cfg.getint("protocol", "version", None)
    o.ssl = bool(args.ssl if args.ssl is not None else cfg.getbool("connection", "ssl", False))
    o.encoding = args.encoding or cfg.get("ui", "encoding") or "utf-8"
    cql_version = args.cqlversion or cfg.get("cql", "version")
    if cql_version:
        try:
            o.cql_version, numbers = full_cql_version(cql_version)
        except ValueError:
            parser.error(f"{cql_version!r} is not a valid CQL version.")
        if numbers[0] < 3:
            parser.error(f"{o.cql_version!r} is not a supported CQL version.")
    if args.host:
        port = args.port or os.environ.get("CQLSH_PORT") or cfg.get("connection", "port") or \
            str(DEFAULT_PORT)
        try:
            o.port = int(port)
        except ValueError:
            parser.error(f"{port!r} is not a valid port number.")
    return o


def _remote(args: argparse.Namespace, cfg: Config, opts: Options):
    """(session, target) for ``cassalite HOST [PORT]``: a real cluster through the driver."""
    try:
        import cassandra  # noqa: F401
    except ImportError:
        raise RuntimeError(f"Remote mode ({args.host}) requires cassandra-driver "
                           "(pip install cassalite[remote])") from None
    from .remote import connect_remote, ssl_context

    password = opts.password
    if opts.username and not password:  # cqlsh asks, as the driver would send none
        import getpass

        password = getpass.getpass()
    context = ssl_context(args.host, cfg) if opts.ssl else None
    session = connect_remote(args.host, opts.port, opts.username, password,
                             keyspace=opts.keyspace, protocol_version=opts.protocol_version,
                             connect_timeout=float(opts.connect_timeout),
                             request_timeout=float(opts.request_timeout),
                             cql_version=opts.cql_version, ssl_context=context)
    session.max_trace_wait = cfg.getfloat("tracing", "max_trace_wait", 10.0)
    return session, f"{args.host}:{opts.port}"


def cqlsh_mode() -> bool:
    """Run as ``cqlsh`` (a link or copy named so): cqlsh's own prompt, ``cqlsh> ``, and its
    plain readline loop instead of the prompt_toolkit editor, so that tools driving cqlsh
    through a terminal see what cqlsh prints. ``CASSALITE_CQLSH_MODE=1`` does the same."""
    if os.environ.get("CASSALITE_CQLSH_MODE", "") not in ("", "0"):
        return True
    return Path(sys.argv[0] if sys.argv else "").name in ("cqlsh", "cqlsh.py")


def empty_values_as_cqlsh() -> None:
    """As cqlsh does for its process: the driver reads a zero-length int, uuid... (such as
    blobAsInt(0x)) as its EMPTY, which prints as nothing, rather than as None (null)."""
    import cassandra.cqltypes

    cassandra.cqltypes.CassandraType.support_empty_values = True


def _settings(args: argparse.Namespace, cfg: Config, stdout: IO[str]) -> ShellSettings:
    tty = sys.stdin.isatty()
    rc_tty = cfg.getbool("ui", "tty")
    if rc_tty is not None:
        tty = rc_tty
    if args.tty:
        tty = True
    if args.file or args.execute:  # cqlsh ignores --tty then
        tty = False
    color = args.color
    if color is None:
        color = cfg.getbool("ui", "color")
    if color is None:
        color = False if args.file else should_use_color(stdout)
    return ShellSettings(
        color=color,
        tty=tty,
        debug=args.debug,
        display=format_settings(cfg),
        copy_defaults=cfg.copy_options(),
        cqlshrc_path=str(cfg.cqlshrc),
        browser=args.browser or cfg.get("ui", "browser"),
        name="cqlsh" if cqlsh_mode() else NAME,
    )


def open_session(args: argparse.Namespace, cfg: Config):
    import cql

    memory = args.memory or bool(cfg.getbool("cassalite", "memory", False))
    if memory:
        return cql.connect(":memory:"), ":memory:", None
    data_dir = Path(args.data_dir or cfg.get("cassalite", "data_dir") or user_data_dir())
    data_dir = data_dir.expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    options = {}
    engine = args.engine or cfg.get("cassalite", "engine")
    if engine:
        options["engine"] = engine
    return cql.connect(str(data_dir), **options), str(data_dir), data_dir


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None, stdin: IO[str] | None = None) -> int:
    """Run the shell; returns the exit status (2 if a batch-mode statement failed)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin or sys.stdin
    parser = build_parser()
    args = parser.parse_args(argv)  # host and port: see _Parser.parse_known_args
    if args.version:
        stdout.write(f"{NAME} {__version__}\n")
        return 0
    cfg = load_config(args.cqlshrc)
    for notice in cfg.notices:
        stdout.write(notice + "\n")
    for w in cfg.warnings:
        stderr.write(w + "\n")
    opts = read_options(parser, args, cfg, stderr)
    try:
        codecs.lookup(opts.encoding)  # cqlsh only checks the name; output is not re-encoded
    except LookupError:
        stderr.write(f"Unknown encoding: {opts.encoding}\n")
        return 1
    field_size_limit = cfg.getint("csv", "field_size_limit", None)
    if field_size_limit is not None:
        csv.field_size_limit(field_size_limit)
    settings = _settings(args, cfg, stdout)
    source: IO[str] | None = None
    if args.file:
        try:
            # line ends kept as written (cqlsh reads the file through codecs): a comment
            # before "\r\n" ends at the "\r" and leaves the newline to end a shell command
            source = open(os.path.expanduser(args.file), encoding="utf-8-sig",  # noqa: SIM115
                          newline="")
        except OSError as e:
            stderr.write(f"Can't open {args.file!r}: {e}\n")
            return 1
    if args.debug:
        if args.host:
            import cassandra as driver
        else:
            import cql as driver

        stderr.write(f"Using CQL driver: {driver!r}\n")
        stderr.write(f"Using connect timeout: {opts.connect_timeout} seconds\n")
        stderr.write(f"Using '{opts.encoding}' encoding\n")
        stderr.write(f"Using ssl: {opts.ssl}\n")

    for warning in timezone_setup(cfg)[1]:  # cqlsh's order: file, debug lines, time zone
        stderr.write(warning + "\n")

    try:
        if args.host:
            empty_values_as_cqlsh()
            session, target = _remote(args, cfg, opts)
            data_dir = None
        else:
            session, target, data_dir = open_session(args, cfg)
    except Exception as e:  # noqa: BLE001
        from .remote import SSLConfigError

        if isinstance(e, SSLConfigError):  # cqlsh exits with the bare message
            stderr.write(f"{e}\n")
        else:
            stderr.write(f"Connection error: {e}\n")
        return 1
    if opts.keyspace and not args.host:
        try:
            session.set_keyspace(opts.keyspace)
        except Exception as e:  # noqa: BLE001
            stderr.write(f"Connection error: {error_line(e)}\n")
            session.close()
            return 1

    shell = Shell(session, settings, out=stdout, err=stderr,
                  stdin_name=args.file if args.file else "<stdin>",
                  conn=ConnectionInfo(target=target, username=opts.username))
    batch = bool(args.file or args.execute or not settings.tty)
    try:
        if args.execute:  # cqlsh ignores an empty -e and reads stdin
            shell.run_single(args.execute)
        elif source is not None:
            with source:
                shell.run_stream(source)
        elif settings.tty and stdin.isatty() and stdout.isatty() and settings.name == "cqlsh":
            run_readline(shell, readline_history_file(data_dir), save_history=not (
                args.disable_history or cfg.getbool("history", "disabled", False)))
        elif settings.tty and stdin.isatty() and stdout.isatty():
            from .repl import run_repl

            run_repl(shell, data_dir=data_dir, save_history=not args.disable_history and not
                     cfg.getbool("history", "disabled", False))
        elif settings.tty:
            run_tty_lines(shell, stdin)
        else:
            shell.run_stream(stdin)
    except KeyboardInterrupt:
        stdout.write("\n")
    finally:
        shell.flush()
        shell.close()
        session.close()
    return 2 if batch and shell.statement_error else 0


def run_tty_lines(shell: Shell, stdin: IO[str]) -> None:
    """``--tty`` on a non-terminal: cqlsh's plain line loop with prompts and the banner."""
    def read(prompt: str) -> str:
        shell.out.write(prompt)
        shell.out.flush()
        return stdin.readline()

    _line_loop(shell, read)


def readline_history_file(data_dir: Path | None) -> Path:
    """cqlsh mode's history, in readline's format: next to the editor's own history file
    (whose format differs), or $CQL_HISTORY as is."""
    from .config import history_file

    path = history_file(data_dir)
    if os.environ.get("CASSALITE_HISTORY") or os.environ.get("CQL_HISTORY"):
        return path
    return path.with_name(path.name + "_cqlsh")


def run_readline(shell: Shell, history: Path | None = None, *, save_history: bool = True
                 ) -> None:
    """cqlsh mode on a terminal: cqlsh's loop, lines read by ``input()`` with readline.
    As cqlsh, the history file is read in any case, and written (announced by cqlsh's
    notice) only when saving is not disabled."""
    try:
        import readline  # line editing, history and Tab completion for input()
    except ImportError:
        readline = None
    if readline is not None:
        _readline_completion(shell, readline)
        if history is not None and save_history:
            shell.print("")
            shell.print(f"ATTENTION: All commands will be saved to history file: {history}")
            shell.print("This may include sensitive information such as passwords.")
            shell.print("To disable history, use --disable-history or set 'disabled = true' "
                        "in the [history] section of cqlshrc.")
            shell.print("See https://cassandra.apache.org/doc/latest/tools/cqlsh.html for "
                        "more information.")
            shell.print("")
        if history is not None:
            try:
                if history.exists():
                    readline.read_history_file(str(history))
            except OSError:
                pass
            shell.history[:0] = [  # HISTORY lists them too, as cqlsh lists readline's
                readline.get_history_item(i)
                for i in range(1, readline.get_current_history_length() + 1)]

    def read(prompt: str) -> str:
        shell.out.flush()
        try:
            return input(prompt) + "\n"
        except EOFError:
            return ""

    try:
        _line_loop(shell, read)
    finally:
        if readline is not None and history is not None and save_history:
            try:
                history.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(str(history))
            except OSError:
                pass


def _readline_completion(shell: Shell, readline) -> None:
    """Tab completes from the same candidates as the prompt_toolkit editor; a word with a
    single completion gets a space after it, as cqlsh's completer does ("sel" Tab:
    "SELECT ")."""
    from .completion import complete, snapshot

    found: list[str] = []

    def completer(text: str, state: int) -> str | None:
        if state == 0:
            line = readline.get_line_buffer()[:readline.get_endidx()]
            try:
                cands = complete(shell.splitter.partial_text() + line,
                                 snapshot(shell.session))
            except Exception:  # noqa: BLE001 - no completion rather than a traceback
                cands = []
            # a keyword typed in lower case is rewritten in upper case, as cqlsh does
            found[:] = [c for c in cands if c.startswith(text)
                        or (c.isupper() and c.startswith(text.upper()))]
            if len(found) == 1:
                found[0] = _greedy(shell.splitter.partial_text() + line[:len(line) - len(text)],
                                   found[0], complete, snapshot(shell.session))
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" \t\n;,()=<>.{}[]'+-*/")
    readline.set_completer(completer)
    readline.parse_and_bind("tab: complete")


def _greedy(before: str, word: str, complete, schema) -> str:
    """A single completion, then each keyword that can only come next, each followed by a
    space, as cqlsh's completer does ('I' Tab: 'INSERT INTO ')."""
    text = word + " "
    for _ in range(8):
        try:
            nxt = complete(before + text, schema)
        except Exception:  # noqa: BLE001
            break
        if len(nxt) != 1 or not nxt[0].isupper():
            break
        text += nxt[0] + " "
    return text


def _line_loop(shell: Shell, read) -> None:
    shell.read_more = read
    banner(shell)
    while not shell.stop:
        if shell.in_statement:
            prompt = ("Statements are terminated with a ';'.  You can press CTRL-C to cancel an "
                      "incomplete statement." if shell.hint_termination
                      else shell.continuation_prompt())
        else:
            prompt = shell.prompt()
        try:
            line = read(prompt)
            if not line:
                shell.out.write("\n")
                shell.handle_eof()
                return
            if not line.endswith("\n"):  # cqlsh reads with input(), which ends every line
                line += "\n"
            shell.feed_line(line)
        except KeyboardInterrupt:  # cqlsh: cancel the statement (or the paging), new prompt
            shell.cancel_statement()
            shell.print("")


def banner(shell: Shell) -> None:
    shell.print(shell.host_line())
    shell.print(shell.version_line())
    shell.print("Use HELP for help.")
