"""The command line: flags, modes, exit statuses, piped stdin, --tty, the real entry point."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shell.cli import main

ROOT = Path(__file__).resolve().parents[2]


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return False


def run(argv, stdin: str = ""):
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, stdout=out, stderr=err, stdin=FakeTTY(stdin))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASSALITE_CONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("CASSALITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TZ", raising=False)


def test_version():
    assert run(["--version"])[:2] == (0, "cassalite 0.1.0\n")


def test_execute_adds_semicolon_and_numbers_errors_line_1():
    rc, out, err = run(["--memory", "-e", "SELECT release_version FROM system.local"])
    assert rc == 0 and "(1 rows)" in out
    rc, out, err = run(["--memory", "-e", "USE nope; SELECT * FROM x"])
    assert rc == 2
    assert err.splitlines()[0] == ('<stdin>:1:InvalidRequest: Error from server: code=2200 '
                                   '[Invalid query] message="Keyspace \'nope\' does not exist"')


def test_piped_stdin_is_batch_mode():
    rc, out, err = run(["--memory"], "CONSISTENCY\nSELECT * FROM nope;\n")
    assert out == "Current consistency level is ONE.\n"
    assert err.startswith("<stdin>:3:InvalidRequest")
    assert rc == 2


def test_keyspace_flag_and_bad_keyspace():
    rc, out, err = run(["--memory", "-k", "system", "-e", "SELECT key FROM local"])
    assert rc == 0 and "local" in out
    rc, out, err = run(["--memory", "-k", "nope", "-e", "SELECT 1"])
    assert rc == 1 and err.startswith("Connection error:")


def test_missing_file():
    rc, _out, err = run(["--memory", "-f", "/nonexistent/x.cql"])
    assert rc == 1 and err.startswith("Can't open '/nonexistent/x.cql': [Errno 2]")


def test_remote_mode_reports_connection_errors():
    rc, _, err = run(["127.0.0.1", "1", "-e", "SELECT * FROM system.local"])
    assert rc == 1 and err.startswith("Connection error: ")
    rc, _out, err = run(["somehost", "port"])
    assert rc == 1 and "'port' is not a valid port number." in err


def test_bad_timeout_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        run(["--request-timeout", "x"])
    assert info.value.code == 2


def test_password_warning():
    _rc, _out, err = run(["--memory", "-u", "bob", "-p", "pw", "-e", "SHOW HOST"])
    assert "Warning: Using a password on the command line interface can be insecure." in err


def test_tty_mode_prompts_banner_and_more(monkeypatch):
    stdin = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', " \
            "'replication_factor': 1};\nUSE ks;\nCREATE TABLE t (k int PRIMARY KEY);\n" \
            "INSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\nPAGING 1\n" \
            "SELECT\n* FROM t;\n\nSELECT * FROM nope;\n"
    rc, out, err = run(["--memory", "--tty"], stdin)
    assert out.startswith("Connected to Test Cluster at :memory:\n[cassalite 0.1.0 | ")
    assert "Use HELP for help.\ncassalite> cassalite> cassalite:ks> " in out
    assert "cassalite:ks>           ... " in out  # continuation prompt, same width
    assert "---MORE---" in out
    assert out.count(" k\n---\n") == 2  # every page has its header in tty mode
    assert err == "InvalidRequest: Error from server: code=2200 [Invalid query] " \
                  "message=\"table nope does not exist\"\n"  # no file:line prefix
    assert rc == 0


def test_data_dir_persists(tmp_path):
    data = tmp_path / "db"
    ks = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', " \
         "'replication_factor': 1}; CREATE TABLE ks.t (k int PRIMARY KEY); " \
         "INSERT INTO ks.t (k) VALUES (7)"
    assert run(["--data-dir", str(data), "-e", ks])[0] == 0
    rc, out, _ = run(["--data-dir", str(data), "-e", "SELECT * FROM ks.t"])
    assert rc == 0 and " 7\n" in out


def test_cqlshrc_settings(tmp_path):
    rc_file = tmp_path / "rc"
    rc_file.write_text("[ui]\ndouble_precision = 10\ntimezone = America/Sao_Paulo\n")
    q = ("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': 1}; CREATE TABLE ks.t (k int PRIMARY KEY, d double, "
         "ts timestamp); INSERT INTO ks.t (k, d, ts) VALUES (1, 3.14159265358, "
         "'2012-05-14 12:53:20+0000'); SELECT d, ts FROM ks.t")
    _, out, err = run(["--memory", "--cqlshrc", str(rc_file), "-e", q])
    assert "3.1415926536" in out and "2012-05-14 09:53:20.000000-0300" in out, (out, err)
    _rc, out, err = run(["--memory", "--cqlshrc", str(tmp_path / "missing"), "-e", "SHOW HOST"])
    assert "Specified cqlshrc location" in err


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), CASSALITE_CONFIG=str(tmp_path / "none"))
    res = subprocess.run([sys.executable, "-m", "shell", "--memory", "-e",
                          "SELECT cluster_name FROM system.local; SELECT * FROM nope"],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert res.returncode == 2
    assert res.stdout == "\n cluster_name\n--------------\n Test Cluster\n\n(1 rows)\n"
    assert res.stderr.startswith("<stdin>:1:InvalidRequest")
