"""Run under the name ``cqlsh`` (or CASSALITE_CQLSH_MODE=1): cqlsh's prompt, version line
and plain readline loop, so that tools that drive cqlsh in a terminal (cqlsh's own test
suite's run_cqlsh.py waits for ``\\n(\\S+@)?cqlsh(:\\S+)?> `` and checks each command's echo)
see what cqlsh prints."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cassalite.shell import cli
from cassalite.shell.cli import main

from .shellio import FakeTTY


@pytest.fixture(autouse=True)
def _home(isolated_home):
    return isolated_home


def run(argv, stdin: str = ""):
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, stdout=out, stderr=err, stdin=FakeTTY(stdin))
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv0, expected", [
    ("/usr/bin/cqlsh", True), ("bin/cqlsh.py", True), ("/usr/bin/cassalite", False),
    ("cqlsh-wrapper", False)])
def test_cqlsh_mode_follows_the_program_name(monkeypatch, argv0, expected):
    monkeypatch.delenv("CASSALITE_CQLSH_MODE", raising=False)
    monkeypatch.setattr(sys, "argv", [argv0])
    assert cli.cqlsh_mode() is expected


def test_cqlsh_mode_prompts_and_version_line(monkeypatch):
    monkeypatch.setenv("CASSALITE_CQLSH_MODE", "1")
    rc, out, _err = run(["--memory", "--tty"], "USE system;\nSELECT\n;\nSHOW VERSION\n")
    assert out.startswith("Connected to Test Cluster at :memory:\n[cqlsh 0.1.0 | Cassandra ")
    assert "Use HELP for help.\ncqlsh> cqlsh:system> " + " " * 10 + "... " in out
    assert re.search(r"\n\[cqlsh 0\.1\.0 \| Cassandra \S+ \| CQL spec \S+ \| "
                     r"Native protocol v\d\]\n", out)
    assert rc == 0


def _read_until(fd: int, pattern: str, timeout: float = 30.0) -> str:
    got = ""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, got):
        left = deadline - time.monotonic()
        assert left > 0, f"{pattern!r} not in {got!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096).decode()
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got.replace("\r", "")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_cqlsh_mode_in_a_terminal_echoes_the_command_and_prints_cqlsh_prompts():
    master, slave = pty.openpty()
    env = dict(os.environ, CASSALITE_CQLSH_MODE="1", TERM="dumb")
    proc = subprocess.Popen([sys.executable, "-m", "cassalite.shell", "--memory"],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    try:
        banner = _read_until(master, r"\ncqlsh> $")
        assert banner.startswith(  # cqlsh's notice, naming the file it keeps the history in
            f"\nATTENTION: All commands will be saved to history file: "
            f"{Path.home() / '.cassalite_history_cqlsh'}\nThis may include sensitive "
            "information such as passwords.\nTo disable history, use --disable-history or set "
            "'disabled = true' in the [history] section of cqlshrc.\nSee "
            "https://cassandra.apache.org/doc/latest/tools/cqlsh.html for more information."
            "\n\nConnected to Test Cluster at :memory:\n")
        assert banner.endswith("Use HELP for help.\ncqlsh> ")
        os.write(master, b"use system;\n")
        assert _read_until(master, r"\ncqlsh:system> $") == "use system;\ncqlsh:system> "
        os.write(master, b"use nosuch;\n")
        assert _read_until(master, r"\ncqlsh:system> $") == (
            "use nosuch;\nInvalidRequest: Error from server: code=2200 [Invalid query] "
            "message=\"Keyspace 'nosuch' does not exist\"\ncqlsh:system> ")
        os.write(master, b"\x04")  # Ctrl-D: a newline, then the end
        assert _read_until(master, r"\n$") == "\n"
        assert proc.wait(timeout=30) == 0
        assert (Path.home() / ".cassalite_history_cqlsh").read_text().splitlines()[-2:] == [
            "use system;", "use nosuch;"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_cqlsh_mode_tab_completes_through_readline():
    pytest.importorskip("readline")
    (Path.home() / ".cassalite_history_cqlsh").write_text("previous;\n")
    master, slave = pty.openpty()
    env = dict(os.environ, CASSALITE_CQLSH_MODE="1", TERM="dumb")
    proc = subprocess.Popen([sys.executable, "-m", "cassalite.shell", "--memory",
                             "--disable-history"],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    try:
        assert _read_until(master, r"\ncqlsh> $").startswith("Connected to ")  # no notice
        os.write(master, b"HISTORY\n")  # --disable-history: read, as cqlsh, but not written
        assert _read_until(master, r"\ncqlsh> $") == "HISTORY\nprevious;\ncqlsh> "
        os.write(master, b"sel\t")  # cqlsh 6.2.2: the word is rewritten as the keyword
        assert _read_until(master, r"SELECT $") == "sel\b\b\bSELECT "
        os.write(master, b"\x15I\t")  # Ctrl-U; then the keywords that can only follow too
        assert _read_until(master, r"INSERT INTO $").endswith("INSERT INTO ")
        os.write(master, b"\x15select k\b* FROM system.loc\t")
        assert _read_until(master, r"local $").endswith("system.local ")
        os.write(master, b";\n")
        assert "(1 rows)" in _read_until(master, r"\ncqlsh> $")
        os.write(master, b"exit\n")
        proc.wait(timeout=30)
        assert (Path.home() / ".cassalite_history_cqlsh").read_text() == "previous;\n"
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_cqlsh_mode_ctrl_c_at_more_cancels_the_paging_not_the_shell():
    """cqlsh's loop catches KeyboardInterrupt around reading and running a command: Ctrl-C
    at ---MORE--- ends the paging with a newline and the next prompt."""
    master, slave = pty.openpty()
    env = dict(os.environ, CASSALITE_CQLSH_MODE="1", TERM="dumb")
    proc = subprocess.Popen([sys.executable, "-m", "cassalite.shell", "--memory",
                             "--disable-history"],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    try:
        _read_until(master, r"\ncqlsh> $")
        os.write(master, b"PAGING 1\n")
        _read_until(master, r"\ncqlsh> $")
        os.write(master, b"SELECT keyspace_name FROM system_schema.keyspaces;\n")
        _read_until(master, r"---MORE---$")
        proc.send_signal(signal.SIGINT)
        assert _read_until(master, r"\ncqlsh> $") == "\ncqlsh> "
        os.write(master, b"exit\n")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
