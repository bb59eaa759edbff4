"""The ``cassalite`` command line: cqlsh's flags, modes and exit statuses."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from . import NAME, __version__
from .config import Config, format_settings, load_config, user_data_dir
from .core import ConnectionInfo, Shell, ShellSettings
from .errors import error_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's usage + message, status 2
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _timeout(kind: str):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'"{text}" is not a valid {kind} timeout.') from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=NAME,
        usage=f"Usage: {NAME} [options] [host [port]]",
        description="CQL shell for cassalite, the embedded Cassandra-compatible database "
                    "(a drop-in for cqlsh).",
        epilog="Without host, opens the embedded database in --data-dir (default "
               "$CASSALITE_DATA_DIR or the user data directory) or in memory with --memory. "
               "A host selects remote mode, which needs cassandra-driver.",
    )
    p.add_argument("host", nargs="?", help="remote Cassandra host (remote mode)")
    p.add_argument("port", nargs="?", help="remote port (default 9042)")
    p.add_argument("-v", "--version", action="store_true", help="print the version and exit")
    p.add_argument("-C", "--color", dest="color", action="store_true", default=None,
                   help="always use color output")
    p.add_argument("--no-color", dest="color", action="store_false",
                   help="never use color output")
    p.add_argument("--browser", help="accepted for cqlsh compatibility (HELP is shown in the "
                                      "terminal)")
    p.add_argument("--ssl", action="store_true", help="use SSL (remote mode only)")
    p.add_argument("-u", "--username", help="user name (shown in the prompt)")
    p.add_argument("-p", "--password", help="password (ignored by the embedded database)")
    p.add_argument("--insecure-password-without-warning", action="store_true",
                   help=argparse.SUPPRESS)
    p.add_argument("-k", "--keyspace", help="use this keyspace on start-up")
    p.add_argument("-f", "--file", help="execute the statements of FILE, then exit")
    p.add_argument("-e", "--execute", help="execute STATEMENT(s), then exit")
    p.add_argument("--debug", action="store_true", help="show extra information and tracebacks")
    p.add_argument("--coverage", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--encoding", help="output encoding (default utf-8)")
    p.add_argument("--cqlshrc", help="cqlshrc file to read instead of ~/.cassandra/cqlshrc")
    p.add_argument("--credentials", help="credentials file (remote mode only)")
    p.add_argument("--cqlversion", help="CQL version (accepted for compatibility)")
    p.add_argument("--protocol-version", type=int, help="protocol version (remote mode only)")
    p.add_argument("--connect-timeout", type=_timeout("connect"), help="seconds (default 5)")
    p.add_argument("--request-timeout", type=_timeout("request"), help="seconds (default 10)")
    p.add_argument("-t", "--tty", action="store_true", help="force tty mode (prompts, ---MORE---)")
    p.add_argument("--disable-history", action="store_true", help="do not save history")
    p.add_argument("--data-dir", help="database directory (default $CASSALITE_DATA_DIR or the "
                                      "user data directory)")
    p.add_argument("--memory", action="store_true", help="use a fresh in-memory database")
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


def _remote(args: argparse.Namespace, cfg: Config):
    """(session, target) for ``cassalite HOST [PORT]``: a real cluster through the driver."""
    try:
        import cassandra  # noqa: F401
    except ImportError:
        raise RuntimeError(f"Remote mode ({args.host}) requires cassandra-driver "
                           "(pip install cassalite[remote])") from None
    from .remote import connect_remote

    port = int(args.port or 9042)
    username = args.username or cfg.get("authentication", "username")
    password = args.password or cfg.get("authentication", "password")
    timeout = float(args.connect_timeout or 5)
    session = connect_remote(args.host, port, username, password, connect_timeout=timeout)
    session.max_trace_wait = cfg.getfloat("tracing", "max_trace_wait", 10.0)
    return session, f"{args.host}:{port}"


def _settings(args: argparse.Namespace, cfg: Config, stdout: IO[str]) -> ShellSettings:
    tty = sys.stdin.isatty()
    rc_tty = cfg.getbool("ui", "tty")
    if rc_tty is not None:
        tty = rc_tty
    if args.file or args.execute:
        tty = False
    if args.tty:
        tty = True
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
        max_trace_wait=cfg.getfloat("tracing", "max_trace_wait", 10.0),
        copy_defaults=cfg.copy_options(),
        browser=args.browser or cfg.get("ui", "browser"),
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
    engine = cfg.get("cassalite", "engine")
    if engine:
        options["engine"] = engine
    return cql.connect(str(data_dir), **options), str(data_dir), data_dir


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None, stdin: IO[str] | None = None) -> int:
    """Run the shell; returns the exit status (2 if a batch-mode statement failed)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin or sys.stdin
    args = build_parser().parse_args(argv)
    if args.version:
        stdout.write(f"{NAME} {__version__}\n")
        return 0
    if args.port is not None and not args.port.isdigit():
        stderr.write(f"'{args.port}' is not a valid port number.\n")
        return 1
    if args.encoding and hasattr(stdout, "reconfigure"):
        try:
            stdout.reconfigure(encoding=args.encoding)  # type: ignore[union-attr]
        except (LookupError, ValueError):
            stderr.write(f"Unknown encoding: {args.encoding}\n")
            return 1
    cfg = load_config(args.cqlshrc)
    for w in cfg.warnings:
        stderr.write(w + "\n")
    if args.password and not args.insecure_password_without_warning:
        stderr.write("\nWarning: Using a password on the command line interface can be insecure."
                     "\nRecommendation: use the credentials file to securely provide the "
                     "password.\n\n")
    settings = _settings(args, cfg, stdout)
    if args.debug:
        import cql

        stderr.write(f"Using CQL driver: {cql!r}\n")
        stderr.write(f"Using connect timeout: {args.connect_timeout or 5} seconds\n")
        stderr.write(f"Using '{args.encoding or 'utf-8'}' encoding\n")
        stderr.write(f"Using ssl: {bool(args.ssl)}\n")

    source: IO[str] | None = None
    if args.file:
        try:
            source = open(os.path.expanduser(args.file), encoding="utf-8-sig")  # noqa: SIM115
        except OSError as e:
            stderr.write(f"Can't open {args.file!r}: {e}\n")
            return 1
    try:
        if args.host:
            session, target = _remote(args, cfg)
            data_dir = None
        else:
            session, target, data_dir = open_session(args, cfg)
    except Exception as e:  # noqa: BLE001
        stderr.write(f"Connection error: {e}\n")
        return 1
    keyspace = args.keyspace or cfg.get("authentication", "keyspace")
    if keyspace:
        try:
            session.set_keyspace(keyspace)
        except Exception as e:  # noqa: BLE001
            stderr.write(f"Connection error: {error_line(e)}\n")
            session.close()
            return 1

    shell = Shell(session, settings, out=stdout, err=stderr,
                  stdin_name=args.file if args.file else "<stdin>",
                  conn=ConnectionInfo(target=target,
                                      username=args.username or cfg.get("authentication",
                                                                        "username")))
    batch = bool(args.file or args.execute or not settings.tty)
    try:
        if args.execute is not None:
            shell.run_single(args.execute)
        elif source is not None:
            with source:
                shell.run_stream(source)
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
    shell.read_more = lambda prompt: (shell.out.write(prompt), shell.out.flush(),
                                      stdin.readline())[2]
    banner(shell)
    while not shell.stop:
        if shell.in_statement:
            prompt = ("Statements are terminated with a ';'.  You can press CTRL-C to cancel an "
                      "incomplete statement." if shell.hint_termination
                      else shell.continuation_prompt())
        else:
            prompt = shell.prompt()
        shell.out.write(prompt)
        shell.out.flush()
        line = stdin.readline()
        if not line:
            shell.out.write("\n")
            shell.handle_eof()
            return
        shell.feed_line(line)


def banner(shell: Shell) -> None:
    shell.print(shell.host_line())
    shell.print(shell.version_line())
    shell.print("Use HELP for help.")
