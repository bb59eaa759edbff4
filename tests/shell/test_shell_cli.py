"""The command line: flags, modes, exit statuses, piped stdin, --tty, the real entry point."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cassalite.shell.cli import main

from .shellio import FakeTTY

ROOT = Path(__file__).resolve().parents[2]




def run(argv, stdin: str = ""):
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, stdout=out, stderr=err, stdin=FakeTTY(stdin))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _home(isolated_home):
    return isolated_home


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
    pytest.importorskip("cassandra.cluster")
    rc, out, err = run(["127.0.0.1", "1", "-e", "SELECT * FROM system.local"])
    assert (rc, out) == (1, "")
    assert err == ("Connection error: ('Unable to connect to any servers', {'127.0.0.1:1': "
                   "ConnectionRefusedError(111, \"Tried connecting to [('127.0.0.1', 1)]. "
                   "Last error: Connection refused\")})\n")  # once, as cqlsh prints it


@pytest.mark.parametrize(("argv", "message"), [
    (["somehost", "port"], "'port' is not a valid port number."),
    (["127.0.0.1", "abc", "-e", "SHOW HOST"], "'abc' is not a valid port number."),
    (["--request-timeout", "x"], '"x" is not a valid request timeout.'),
    (["--connect-timeout", "1.5"], '"1.5" is not a valid connect timeout.'),
    (["--cqlversion", "2"], "'2.0.0' is not a supported CQL version."),
    # unknown options are positional arguments to cqlsh: here host "--foo" and port "h"
    (["--foo", "h", "x"], "'h' is not a valid port number."),
])
def test_usage_errors_exit_2_like_cqlsh(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        run(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"usage: cassalite [options] [host [port]]\ncassalite: error: " \
                           f"{message}\n"


def test_help_starts_with_one_usage(capsys):
    with pytest.raises(SystemExit) as info:
        run(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cassalite [options] [host [port]]\n\nCQL shell for cassalite")


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


def test_engine_option_stores_in_that_engine(tmp_path):
    pytest.importorskip("rocksdict")
    import cql

    data = tmp_path / "db"
    ks = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', " \
         "'replication_factor': 1}; CREATE TABLE ks.t (k int PRIMARY KEY); " \
         "INSERT INTO ks.t (k) VALUES (7)"
    assert run(["--data-dir", str(data), "--engine", "rocks", "-e", ks])[0] == 0
    with cql.connect(str(data), engine="rocks") as session:
        assert session.execute("SELECT k FROM ks.t").all() == [(7,)]


def test_cqlshrc_settings(tmp_path):
    rc_file = tmp_path / "rc"
    rc_file.write_text("[ui]\ndouble_precision = 10\ntimezone = America/Sao_Paulo\n")
    q = ("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': 1}; CREATE TABLE ks.t (k int PRIMARY KEY, d double, "
         "ts timestamp); INSERT INTO ks.t (k, d, ts) VALUES (1, 3.14159265358, "
         "'2012-05-14 12:53:20+0000'); SELECT d, ts FROM ks.t")
    _, out, err = run(["--memory", "--cqlshrc", str(rc_file), "-e", q])
    assert "3.1415926536" in out and "2012-05-14 09:53:20.000000-0300" in out, (out, err)
    missing = tmp_path / "missing"
    rc, out, err = run(["--memory", "--cqlshrc", str(missing), "-e", "SHOW HOST"])
    # on stdout, as cqlsh prints it
    assert (rc, err) == (0, "")
    assert out == (f"\nWarning: Specified cqlshrc location `{missing}` does not exist.  Using "
                   f"`{tmp_path}/.cassandra/cqlshrc` instead.\n\nConnected to Test Cluster at "
                   ":memory:\n")


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), CASSALITE_CONFIG=str(tmp_path / "none"))
    res = subprocess.run([sys.executable, "-m", "cassalite.shell", "--memory", "-e",
                          "SELECT cluster_name FROM system.local; SELECT * FROM nope"],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert res.returncode == 2
    assert res.stdout == "\n cluster_name\n--------------\n Test Cluster\n\n(1 rows)\n"
    assert res.stderr.startswith("<stdin>:1:InvalidRequest")


def test_source_runs_in_a_sub_shell(tmp_path, monkeypatch):
    """A sourced file starts with EXPAND off and default PAGING/CONSISTENCY, keeps the
    keyspace and TRACING it was given, changes nothing outside (USE, TRACING ON, EXIT), and
    its errors are printed but do not make the run exit 2 (all as cqlsh 6.2)."""
    (tmp_path / "inner.cql").write_text(
        "CONSISTENCY\nEXPAND\nPAGING\nTRACING\nUSE system;\nSELECT k FROM srcks.t;\n"
        "SELECT * FROM nope;\nCONSISTENCY QUORUM\nTRACING ON\nEXIT\nSELECT 1 FROM never;\n")
    (tmp_path / "outer.cql").write_text(
        "CREATE KEYSPACE srcks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1};\nCREATE TABLE srcks.t (k int PRIMARY KEY);\n"
        "INSERT INTO srcks.t (k) VALUES (1);\nUSE srcks;\nCONSISTENCY TWO\nEXPAND ON\n"
        "PAGING 50\nSOURCE 'inner.cql'\nCONSISTENCY\nEXPAND\nPAGING\nTRACING\n"
        "SELECT k FROM t;\n")
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(["--memory", "-f", "outer.cql"])
    assert out == (
        "Consistency level set to TWO.\nEXPAND set to ON\nPage size: 50\n"
        # inside inner.cql
        "Current consistency level is ONE.\nEXPAND is OFF\nPAGING is ON\nPage size: 100\n"
        "TRACING is OFF\n\n k\n---\n 1\n\n(1 rows)\nConsistency level set to QUORUM.\n"
        "TRACING set to ON\n"
        # back in outer.cql: its settings and keyspace are untouched
        "Current consistency level is TWO.\nEXPAND is ON\nPAGING is ON\nPage size: 50\n"
        "TRACING is OFF\n\n@ Row 1\n---+---\n k | 1\n\n\n(1 rows)\n")
    assert err == ('inner.cql:8:InvalidRequest: Error from server: code=2200 [Invalid query] '
                   'message="table nope does not exist"\n')
    assert rc == 0
    # piped input too; an error of the outer input itself still counts
    (tmp_path / "bad.cql").write_text("SELECT * FROM nope;\n")
    error = ('InvalidRequest: Error from server: code=2200 [Invalid query] '
             'message="No keyspace has been specified. USE a keyspace, or explicitly specify '
             'keyspace.tablename"\n')
    assert run(["--memory"], "SOURCE 'bad.cql'\n") == (0, "", "bad.cql:2:" + error)
    assert run(["--memory"], "SOURCE 'bad.cql'\nSELECT * FROM nope;\n") == (
        2, "", "bad.cql:2:" + error + "<stdin>:3:" + error)


def test_source_does_not_capture(tmp_path, monkeypatch):
    """cqlsh's sub-shell writes query results to the terminal even during CAPTURE."""
    (tmp_path / "inner.cql").write_text("SELECT cluster_name FROM system.local;\n")
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(["--memory"], "CAPTURE 'cap.txt'\nSOURCE 'inner.cql'\n"
                                     "SELECT key FROM system.local;\n")
    assert (rc, err) == (0, "")
    assert out == ("Now capturing query output to 'cap.txt'.\n\n cluster_name\n"
                   "--------------\n Test Cluster\n\n(1 rows)\n")
    assert (tmp_path / "cap.txt").read_text() == "\n key\n-------\n local\n\n(1 rows)\n"


def test_tty_termination_reminder_after_four_empty_lines():
    """cqlsh replaces the prompt by a reminder once 4 empty lines were entered in a row, and
    then counts again; a line of blanks is not empty."""
    stdin = "SELECT\n" + "\n" * 9 + "* FROM system.local WHERE key = 'x';\nSELECT\n \n\n\n\n;\n"
    rc, out, err = run(["--memory", "--tty"], stdin)
    hint = ("Statements are terminated with a ';'.  You can press CTRL-C to cancel an "
            "incomplete statement.")
    more = "       ... "
    first = out.index("Use HELP for help.\n") + len("Use HELP for help.\n")
    assert out[first:].startswith(
        "cassalite> " + more * 4 + hint + more * 3 + hint + more + "\n key | ")
    assert out.endswith("(0 rows)\ncassalite> " + more * 5 + "cassalite> \n")
    assert err == "SyntaxException: line 6:0 no viable alternative at input ';'\n"
    assert rc == 0


def test_tty_last_line_without_newline_still_runs():
    rc, out, err = run(["--memory", "--tty"], "SHOW HOST")
    assert out.endswith("cassalite> Connected to Test Cluster at :memory:\ncassalite> \n")
    assert (rc, err) == (0, "")


@pytest.mark.parametrize(("stdin", "err"), [
    ("SHOW HOST;\nSHOW VERSION", "<stdin>:3:Incomplete statement at end of file\n"),
    ("SHOW HOST;\nSELECT key FROM system.local", "<stdin>:3:Incomplete statement at end of file\n"),
    ("SHOW HOST;\nSELECT 'abc\n", "<stdin>:3:Incomplete statement at end of file\n"),
    ("SHOW HOST;\n-- only a comment", ""),
    ("SHOW HOST;\n/* open\n", "<stdin>:3:Incomplete statement at end of file\n"),
])
def test_end_of_piped_input(stdin, err):
    """A statement still open at the end of the input is not run, not even a shell command
    whose line lacks its newline."""
    assert run(["--memory"], stdin) == (2 if err else 0,
                                        "Connected to Test Cluster at :memory:\n", err)


def test_unclosed_comment_at_end_keeps_the_statements_before_it_on_its_line():
    assert run(["--memory"], "SHOW HOST; /* open\n") == (
        2, "", "<stdin>:2:Incomplete statement at end of file\n")
    rc, out, err = run(["--memory", "--tty"], "/* open\n")
    assert out.endswith("Use HELP for help.\ncassalite>        ... \n")
    assert (rc, err) == (0, "Incomplete statement at end of file\n")


def test_comment_after_a_shell_command_continues_it(tmp_path):
    script = tmp_path / "in.cql"
    script.write_text("EXPAND ON -- c\nSELECT key FROM system.local;\n")
    assert run(["--memory", "-f", str(script)]) == (
        2, "", f"{script}:3:Improper EXPAND command.\n")
    # written with "\r\n", the comment ends at the "\r" and the newline ends the command
    script.write_bytes(b"EXPAND ON -- c\r\nSHOW HOST\r\n")
    assert run(["--memory", "-f", str(script)]) == (
        0, "EXPAND set to ON\nConnected to Test Cluster at :memory:\n", "")


def test_characters_cqlsh_cannot_lex_are_not_sent(tmp_path):
    script = tmp_path / "in.cql"
    script.write_text("SHOW HOST;\nSELECT key\nFROM system.local WHERE k = a|b;\nSHOW HOST;\n")
    assert run(["--memory", "-f", str(script)]) == (
        2, "Connected to Test Cluster at :memory:\n" * 2,
        (f"{script}:4:Invalid syntax at line 2, char 30\n"
         f"{script}:4:  FROM system.local WHERE k = a|b;\n"
         f"{script}:4:                               ^\n"))
    assert run(["--memory", "-e", "SELECT _a FROM t"]) == (
        2, "", ("<stdin>:1:Invalid syntax at line 1, char 8\n<stdin>:1:  SELECT _a FROM t;\n"
                "<stdin>:1:         ^\n"))


def test_tty_is_ignored_with_a_file(tmp_path):
    script = tmp_path / "in.cql"
    script.write_text("PAGING 1\nSELECT key FROM system.local;\nSELECT a|b FROM t;\n/* x\n")
    assert run(["--memory", "--tty", "-f", str(script)]) == (
        2, "Page size: 1\n\n key\n-------\n local\n\n(1 rows)\n",
        (f"{script}:4:Invalid syntax at line 1, char 9\n{script}:4:  SELECT a|b FROM t;\n"
         f"{script}:4:          ^\n{script}:5:Incomplete statement at end of file\n"))


def test_end_of_file_without_newline(tmp_path):
    script = tmp_path / "s.cql"
    script.write_text("SHOW HOST;\nSHOW VERSION")
    rc, out, err = run(["--memory", "-f", str(script)])
    assert (rc, out) == (2, "Connected to Test Cluster at :memory:\n")
    assert err == f"{script}:3:Incomplete statement at end of file\n"
    script.write_text("SHOW HOST;\nSHOW HOST\n")
    assert run(["--memory", "-f", str(script)]) == (
        0, "Connected to Test Cluster at :memory:\n" * 2, "")


@pytest.mark.parametrize(("text", "out", "err"), [
    # unfinished after the added ';': nothing runs, nothing is printed, status 0
    ("SELECT 'abc FROM x", "", ""),
    ("SHOW HOST; SELECT 'abc", "", ""),
    ("SHOW HOST; SELECT key FROM system.local -- c", "", ""),
    ("SHOW HOST; SELECT key /* c", "", ""),
    # ';' is added to text not ending in one, even after blanks: an empty statement
    ("SHOW HOST\n", "Connected to Test Cluster at :memory:\n",
     "<stdin>:1:SyntaxException: line 1:0 no viable alternative at input ';'\n"),
    ("SHOW HOST; ", "Connected to Test Cluster at :memory:\n",
     "<stdin>:1:SyntaxException: line 1:0 no viable alternative at input ';'\n"),
    ("SHOW HOST\nSHOW HOST", "Connected to Test Cluster at :memory:\n" * 2, ""),
])
def test_execute_unfinished_and_trailing_text(text, out, err):
    assert run(["--memory", "-e", text]) == (2 if err else 0, out, err)


def test_encoding_does_not_reencode_output(tmp_path):
    """cqlsh only checks that --encoding names a codec; output keeps stdout's encoding."""
    env = dict(os.environ, HOME=str(tmp_path), CASSALITE_CONFIG=str(tmp_path / "none"),
               PYTHONIOENCODING="utf-8")
    res = subprocess.run([sys.executable, "-m", "cassalite.shell", "--memory", "--encoding", "latin-1",
                          "-e", "SELECT (text)'héllo 日本' AS x FROM system.local"],
                         cwd=ROOT, capture_output=True, env=env, timeout=60, check=False)
    assert (res.returncode, res.stderr) == (0, b"")
    assert res.stdout == "\n x\n------------\n héllo 日本\n\n(1 rows)\n".encode()
    assert run(["--memory", "--encoding", "nope", "-e", "SHOW HOST"]) == (
        1, "", "Unknown encoding: nope\n")


def test_clear_runs_the_clear_program(monkeypatch):
    """CLEAR/CLS run `clear` in every mode (cqlsh does), its output in line with ours."""
    import shutil

    if shutil.which("clear") is None:
        pytest.skip("no clear program")
    monkeypatch.setenv("TERM", "xterm")
    sequence = subprocess.run(["clear"], capture_output=True, check=True).stdout.decode()
    assert sequence.startswith("\x1b[H\x1b[2J")
    rc, out, err = run(["--memory"], "SHOW HOST\nCLEAR\nCLS;\nSHOW HOST\n")
    host = "Connected to Test Cluster at :memory:\n"
    assert (rc, out, err) == (0, host + sequence * 2 + host, "")
    monkeypatch.setenv("TERM", "dumb")
    assert run(["--memory"], "CLEAR\n") == (0, "", "")


def test_timeouts_protocol_and_ssl_flags_embedded(tmp_path):
    """Remote-only settings are accepted (and validated) in embedded mode, without effect."""
    rc_file = tmp_path / "rc"
    rc_file.write_text("[connection]\ntimeout = 3\nrequest_timeout = 7\nssl = true\n"
                       "[protocol]\nversion = 3\n[cql]\nversion = 3.4.7\n")
    rc, out, err = run(["--memory", "--cqlshrc", str(rc_file), "--debug", "--request-timeout",
                        "20", "--protocol-version", "4", "--ssl", "-e", "SHOW VERSION"])
    assert rc == 0 and out.startswith("[cassalite 0.1.0 | Cassandra 5.0.0 | ")
    assert out.endswith(" | Native protocol v4]\n")
    assert err.splitlines()[1:] == ["Using connect timeout: 3 seconds",
                                    "Using 'utf-8' encoding", "Using ssl: True"]


def test_csv_field_size_limit_from_cqlshrc(tmp_path):
    import csv

    before = csv.field_size_limit()
    rc_file = tmp_path / "rc"
    rc_file.write_text("[csv]\nfield_size_limit = 12345\n")
    try:
        assert run(["--memory", "--cqlshrc", str(rc_file), "-e", "SHOW HOST"])[0] == 0
        assert csv.field_size_limit() == 12345
    finally:
        csv.field_size_limit(before)


def test_credentials_file(tmp_path):
    """[plain_text_auth] in the credentials file gives the user (the prompt shows it);
    a file others can read is not used, with cqlsh's warning."""
    creds = tmp_path / "creds"
    creds.write_text("[plain_text_auth]\nusername = carol\npassword = pw\n")
    creds.chmod(0o600)
    rc, out, err = run(["--memory", "--tty", "--credentials", str(creds)], "")
    assert (rc, err) == (0, "") and out.endswith("Use HELP for help.\ncarol@cassalite> \n")
    creds.chmod(0o644)
    rc, out, err = run(["--memory", "--tty", "--credentials", str(creds)], "")
    assert out.endswith("Use HELP for help.\ncassalite> \n")
    assert err == (
        f"\nWarning: Credentials file '{creds}' exists but is not used, because:\n"
        "  a. the file owner is not the current user; or\n"
        "  b. the file is readable by group or other.\n"
        "Please ensure the file is owned by the current user and is not readable by group or "
        "other.\nOn a Linux or UNIX-like system, you often can do this by using the `chown` and "
        "`chmod` commands:\n  chown YOUR_USERNAME credentials\n  chmod 600 credentials\n\n")


def test_prompts_with_a_user(monkeypatch):
    """The user name comes before the prompt and $CQLSH_PROMPT, and does not widen the
    continuation prompt (cqlsh)."""
    _rc, out, _ = run(["--memory", "--tty", "-u", "bob"], "USE system;\nSELECT\n;\n")
    assert out.endswith("Use HELP for help.\nbob@cassalite> bob@cassalite:system> "
                        "              ... bob@cassalite:system> \n")
    monkeypatch.setenv("CQLSH_PROMPT", "~~")
    _rc, out, _ = run(["--memory", "--tty", "-u", "bob"], "")
    assert out.endswith("Use HELP for help.\nbob@~~\ncassalite> \n")


@pytest.mark.parametrize("command", [
    "USE;", "USE 'system';", "USE system extra;", "USE 123;", "USE system.local;", "use;",
    "UNICODE;", "DEBUG foo;", "DEBUG THINGS x;", "DESC;", "DESC TABLE;", "DESC foo bar;",
    "DESC 'x';", "DESC KEYSPACES extra;", "DESC TABLE t WITH;", "DESC MATERIALIZED VIEW;",
    "DESC x.y.z;", "DESC select;", "DESC FULL;", "describe functions x;",
    'CAPTURE "dq.txt";', "CAPTURE x.txt;",
])
def test_arguments_cqlsh_grammar_refuses(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    word = command.split()[0].rstrip(";")
    assert run(["--memory"], command + "\n") == (2, "", f"<stdin>:2:Improper {word} command.\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("command", "err"), [
    # accepted by cqlsh's grammar, so the server judges them
    ("DESC FUNCTION;", "'function' not found in keyspace 'system'"),
    ("DESC key;", "'key' not found in keyspace 'system'"),
    ("DESC ONLY KEYSPACE nope WITH INTERNALS;", "'nope' not found in keyspaces"),
    ('USE "Nope";', ('InvalidRequest: Error from server: code=2200 [Invalid query] '
                     'message="Keyspace \'Nope\' does not exist"')),
])
def test_arguments_cqlsh_grammar_accepts(command, err):
    assert run(["--memory", "-k", "system"], command + "\n") == (2, "", f"<stdin>:2:{err}\n")


def test_use_is_not_traced():
    rc, out, err = run(["--memory"], "TRACING ON\nUSE system;\nSELECT key FROM local;\n")
    assert out.startswith("TRACING set to ON\n\n key\n-------\n local\n\n(1 rows)\n\n"
                          "Tracing session: ")
    assert out.count("Tracing session:") == 1 and (rc, err) == (0, "")


def test_header_colours_after_an_lwt_batch_and_list_roles(tmp_path):
    """cqlsh colours the header with the roles of the columns of the batch's (last) table,
    and of system_auth.roles for LIST ROLES / LIST USERS."""
    script = tmp_path / "in.cql"
    script.write_text(
        "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1};\n"
        "CREATE TABLE ks.t (k int, c int, v int, s int static, PRIMARY KEY (k, c));\n"
        "INSERT INTO ks.t (k, c, v) VALUES (1, 1, 1);\n"
        "BEGIN BATCH UPDATE ks.t SET v = 3 WHERE k = 1 AND c = 1 IF v = 9; APPLY BATCH;\n"
        "LIST ROLES;\n")
    rc, out, err = run(["--memory", "-C", "-f", str(script)])

    def c(code, text):
        return f"\x1b[0;1;{code}m{text}\x1b[0m"

    assert (rc, err) == (0, "")
    assert out == (
        f"\n {c(35, '[applied]')} | {c(31, 'k')} | {c(36, 'c')} | {c(35, 'v')}\n"
        "-----------+---+---+---\n"
        f"     {c(32, 'False')} | {c(32, 1)} | {c(32, 1)} | {c(32, 1)}\n"
        f"\n {c(31, 'role')}      | {c(35, 'super')} | {c(35, 'login')} | {c(35, 'options')} | "
        f"{c(35, 'datacenters')}\n"
        "-----------+-------+-------+---------+-------------\n"
        f" {c(33, 'cassandra')} |  {c(32, 'True')} |  {c(32, 'True')} |        "
        f"{c(34, '{')}{c(34, '}')} |         {c(33, 'ALL')}\n\n(1 rows)\n")


_TS = "SELECT totimestamp(minTimeuuid('2020-06-01 12:00:00+0000')) AS t FROM system.local"
_CUSTOM_FORMAT_WARNING = (
    "Warning: custom timestamp format specified in cqlshrc, but local timezone could not be "
    "detected.\nEither install Python 'tzlocal' module for auto-detection or specify client "
    "timezone in your cqlshrc.\n\n")


@pytest.mark.parametrize(("rc_lines", "tz", "value", "err"), [
    ("timezone = Europe/Paris", None, "2020-06-01 14:00:00.000000+0200", ""),
    # $TZ wins over the cqlshrc
    ("timezone = Europe/Paris", "Asia/Tokyo", "2020-06-01 21:00:00.000000+0900", ""),
    ("timezone = Nope/X", "Asia/Tokyo", "2020-06-01 21:00:00.000000+0900",
     "Warning: could not recognize timezone 'Nope/X' specified in cqlshrc\n\n"),
    ("timezone = Europe/Paris", ":UTC", "2020-06-01 14:00:00.000000+0200",
     "Warning: could not recognize timezone ':UTC' from environment value TZ\n\n"),
    ("timezone = Bad/One\ntime_format = %Y", "", "2020",
     "Warning: could not recognize timezone 'Bad/One' specified in cqlshrc\n\n"
     "Warning: could not recognize timezone '' from environment value TZ\n\n"
     + _CUSTOM_FORMAT_WARNING),
    # no zone: UTC, as cqlsh without tzlocal; a custom format draws its warning
    ("time_format = %Y-%m-%d %H:%M", None, "2020-06-01 12:00", _CUSTOM_FORMAT_WARNING),
    ("time_format = %Y-%m-%d %H:%M:%S.%f%z", None, "2020-06-01 12:00:00.000000+0000", ""),
    ("time_format = %Y", "Europe/Paris", "2020", ""),
])
def test_display_timezone_like_cqlsh(rc_lines, tz, value, err, tmp_path, monkeypatch):
    rc_file = tmp_path / "rc"
    rc_file.write_text(f"[ui]\n{rc_lines}\n")
    if tz is not None:
        monkeypatch.setenv("TZ", tz)
    rc, out, errors = run(["--memory", "--cqlshrc", str(rc_file), "-e", _TS])
    assert (rc, errors) == (0, err)
    assert out.splitlines()[3] == f" {value}"


def test_history_without_a_terminal():
    """cqlsh 6.2.2 fails here (no readline without a terminal); we list the session's
    statements once each, multi-line ones joined, without the HISTORY command itself."""
    rc, out, err = run(["--memory"], "SHOW HOST;\nSHOW VERSION\nSELECT key\nFROM system.local;\n"
                                     "HISTORY\nHISTORY 2\n")
    assert (rc, err) == (0, "")
    assert out.endswith("(1 rows)\nSHOW HOST;\nSHOW VERSION\nSELECT key FROM system.local;\n"
                        "SELECT key FROM system.local;\nHISTORY\n")
