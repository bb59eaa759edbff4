"""The real cqlsh (PyPI) against the server: SELECT output, DESCRIBE, COPY, errors, login."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("cqlshlib")
pytest.importorskip("cassandra")


def _cqlsh_command() -> list[str]:
    exe = shutil.which("cqlsh")
    if exe is None:
        pytest.skip("cqlsh is not installed")
    return [exe]


def cqlsh(port: int, home, statements: str, *args: str) -> subprocess.CompletedProcess:
    # cqlsh appends ';' to -e text not ending in one: trailing blanks would become a
    # statement of its own (an error, as with Cassandra)
    statements = " ".join(statements.split())
    env = dict(os.environ, HOME=str(home), PYTHONIOENCODING="utf-8")
    cmd = [*_cqlsh_command(), "127.0.0.1", str(port), "--protocol-version", "4",
           "--connect-timeout", "10", *args, "-e", statements]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("cqlsh-home")


def test_statements_select_and_describe(server, home):
    setup = cqlsh(server.port, home, """
        CREATE KEYSPACE shell_ks WITH replication = {'class': 'SimpleStrategy',
            'replication_factor': 1};
        CREATE TYPE shell_ks.pt (x int, y int);
        CREATE TABLE shell_ks.t (k int, c text, v double, tags set<text>, p frozen<pt>,
            PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC);
        INSERT INTO shell_ks.t (k, c, v, tags, p) VALUES (1, 'a', 1.5, {'x', 'y'}, {x: 1, y: 2});
        INSERT INTO shell_ks.t (k, c, v) VALUES (1, 'b', -2);
        """)
    assert setup.returncode == 0, setup.stderr
    out = cqlsh(server.port, home, "SELECT * FROM shell_ks.t; DESCRIBE KEYSPACES; "
                                   "DESCRIBE TABLE shell_ks.t; DESCRIBE TYPE shell_ks.pt")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    lines = [line.rstrip() for line in text.splitlines()]
    header = next(line for line in lines if line.lstrip().startswith("k |"))
    assert [h.strip() for h in header.split("|")] == ["k", "c", "p", "tags", "v"]
    assert " 1 | b |" in text and "{x: 1, y: 2}" in text and "{'x', 'y'}" in text
    assert "(2 rows)" in text
    assert "shell_ks" in text and "system_schema" in text
    assert "CREATE TABLE shell_ks.t (" in text
    assert "WITH CLUSTERING ORDER BY (c DESC)" in text
    assert "CREATE TYPE shell_ks.pt (" in text
    assert "WARNING" not in text  # release_version matches cqlsh's build


def test_copy_round_trip(server, home, tmp_path):
    csv = tmp_path / "rows.csv"
    setup = cqlsh(server.port, home, """
        CREATE KEYSPACE IF NOT EXISTS copy_ks WITH replication = {'class': 'SimpleStrategy',
            'replication_factor': 1};
        CREATE TABLE copy_ks.src (id int PRIMARY KEY, name text, score double, m map<text, int>);
        CREATE TABLE copy_ks.dst (id int PRIMARY KEY, name text, score double, m map<text, int>);
        """ + "\n".join(
        f"INSERT INTO copy_ks.src (id, name, score, m) VALUES ({i}, 'n{i}', {i}.5, {{'k': {i}}});"
        for i in range(50)))
    assert setup.returncode == 0, setup.stderr
    out = cqlsh(server.port, home, f"COPY copy_ks.src TO '{csv}' WITH HEADER = true")
    assert out.returncode == 0, out.stderr
    assert "50 rows exported" in out.stdout
    assert len(csv.read_text().splitlines()) == 51
    back = cqlsh(server.port, home,
                 f"COPY copy_ks.dst FROM '{csv}' WITH HEADER = true; "
                 "SELECT count(*) FROM copy_ks.dst; SELECT * FROM copy_ks.dst WHERE id = 7")
    assert back.returncode == 0, back.stderr
    assert "50 rows imported" in back.stdout
    assert "\n    50\n" in back.stdout
    assert "n7" in back.stdout and "{'k': 7}" in back.stdout


def test_errors_exit_2(server, home):
    out = cqlsh(server.port, home, "SELECT * FROM no_such_ks.t")
    assert out.returncode == 2
    assert "InvalidRequest" in out.stderr and "code=2200" in out.stderr


def test_login_with_auth(auth_server, home):
    ok = cqlsh(auth_server.port, home,
               "CREATE KEYSPACE IF NOT EXISTS auth_ks WITH replication = {'class': "
               "'SimpleStrategy', 'replication_factor': 1}; "
               "CREATE TABLE IF NOT EXISTS auth_ks.t (k int PRIMARY KEY); "
               "INSERT INTO auth_ks.t (k) VALUES (42); SELECT * FROM auth_ks.t",
               "-u", "cassandra", "-p", "cassandra")
    assert ok.returncode == 0, ok.stderr
    assert "42" in ok.stdout
    bad = cqlsh(auth_server.port, home, "SELECT * FROM auth_ks.t",
                "-u", "cassandra", "-p", "wrong")
    assert bad.returncode != 0
    assert "incorrect" in bad.stderr


def test_tracing(server, home):
    out = cqlsh(server.port, home, """
        CREATE KEYSPACE IF NOT EXISTS trace_ks WITH replication = {'class': 'SimpleStrategy',
            'replication_factor': 1};
        CREATE TABLE IF NOT EXISTS trace_ks.t (k int PRIMARY KEY, v text);
        INSERT INTO trace_ks.t (k, v) VALUES (1, 'a');
        TRACING ON;
        SELECT * FROM trace_ks.t WHERE k = 1;""")
    assert out.returncode == 0, out.stderr
    assert "Tracing session: " in out.stdout
    for activity in ("Parsing SELECT * FROM trace_ks.t WHERE k = 1; [Native-Transport-Requests]",
                     "Executing single-partition query on t [Native-Transport-Requests]",
                     "Read 1 live rows and 0 tombstone cells [Native-Transport-Requests]",
                     "Request complete"):
        assert f" {activity} | " in out.stdout


# ---- cassalite in remote mode next to cqlsh: the same bytes ----------------------------------

def _run(cmd: list[str], home, stdin: str, cwd=None) -> tuple[int, str, str]:
    env = dict(os.environ, HOME=str(home), PYTHONIOENCODING="utf-8",
               CASSALITE_CONFIG=str(home / "none"))
    env.pop("CQLSH_PORT", None)
    res = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=60,
                         cwd=cwd, check=False)
    return res.returncode, res.stdout, res.stderr


def _cassalite_command() -> list[str]:
    code = "import sys; from cassalite.shell.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code]


def both(port: int, home, *args: str, stdin: str = "", cwd=None):
    """(cqlsh's, cassalite's) (status, stdout, stderr), 'cqlsh' renamed in usage lines."""
    theirs = _run([*_cqlsh_command(), "127.0.0.1", str(port), *args], home, stdin, cwd)
    ours = _run([*_cassalite_command(), "127.0.0.1", str(port), *args], home, stdin, cwd)
    return _as_ours(theirs), ours


def _as_ours(result):
    """cqlsh's output with its name replaced, and its doubled "usage: Usage:" (argparse's
    prefix before cqlsh's own) said once, as cassalite says it."""
    status, out, err = result
    return status, out, err.replace("cqlsh", "cassalite").replace("usage: Usage: ", "usage: ")


@pytest.fixture(scope="module")
def cmp_table(server, home):
    setup = cqlsh(server.port, home, """
        CREATE KEYSPACE IF NOT EXISTS cmp_ks WITH replication = {'class': 'SimpleStrategy',
            'replication_factor': 1};
        CREATE TABLE IF NOT EXISTS cmp_ks.t (k int PRIMARY KEY, ts timestamp,
            l list<timestamp>, d date);
        INSERT INTO cmp_ks.t (k, ts, l, d) VALUES (1, 253402300800000, [-62135596800001, 0],
            '-5877641-06-23');
        INSERT INTO cmp_ks.t (k, ts) VALUES (2, 0);""")
    assert setup.returncode == 0, setup.stderr


def test_same_output_for_out_of_range_timestamps(server, home, cmp_table):
    theirs, ours = both(server.port, home, "-e", "SELECT * FROM cmp_ks.t; "
                        "SELECT k FROM cmp_ks.t WHERE k = 2; COPY cmp_ks.t (k, ts) TO STDOUT")
    assert ours[:2] == theirs[:2] == (0, theirs[1])
    assert "253402300800000" in ours[1] and "(1 rows)" in ours[1]
    # cqlsh also warns on stderr, naming its own source file: ours prints nothing there
    assert "DateOverFlowWarning: Some timestamps are larger" in theirs[2] and ours[2] == ""


@pytest.mark.parametrize("args", [
    ("-k", "nope", "-e", "SHOW HOST"),
    ("-e", "SELECT 'abc FROM x"),
    ("-e", "SHOW HOST; SELECT key FROM system.local -- no end"),
    ("-e", "SHOW HOST; "),
    ("--connect-timeout", "x", "-e", "SHOW HOST"),
    ("--cqlversion", "2", "-e", "SHOW HOST"),
    ("--cqlversion", "3.4.5", "-e", "SHOW HOST"),
    ("--protocol-version", "3", "-e", "SHOW HOST"),
    ("--encoding", "latin-1", "-e", "SELECT (text)'héllo 日本' AS x FROM system.local"),
    ("--cqlshrc", "/nonexistent/cqlshrc", "-e", "HELP QUIT"),
    # unknown options and arguments after the port are ignored; --tty is ignored with -e
    ("extra", "--foo=1", "-Z", "-e", "SHOW HOST"),
    ("--tty", "-e", "SELECT a|b FROM system.local; SHOW HOST"),
])
def test_same_output_as_cqlsh(server, home, args):
    theirs, ours = both(server.port, home, *args)
    assert ours == theirs


def test_same_output_for_a_bad_port(home):
    theirs = _run([*_cqlsh_command(), "127.0.0.1", "abc"], home, "")
    ours = _run([*_cassalite_command(), "127.0.0.1", "abc"], home, "")
    usage = ("usage: cassalite [options] [host [port]]\n"
             "cassalite: error: 'abc' is not a valid port number.\n")
    assert ours == _as_ours(theirs) == (2, "", usage)


@pytest.mark.parametrize("stdin", [
    "SHOW HOST;\nSHOW HOST",
    "SHOW HOST;\nSELECT key FROM system.local",
    "SHOW HOST;\nCLS now\nHELP QUIT\n",
    "EXPAND ON -- c\nSELECT key FROM system.local;\nSHOW HOST // c\r\nSHOW HOST\n",
    "SHOW HOST;\nSELECT key\nFROM system.local WHERE key = $a;\nSELECT _k, 1_a FROM t;\n",
    "SHOW HOST;\n/* open\n",
    "SHOW HOST; /* open\n",
    ("USE;\nUSE 'system';\nUSE system x;\nUNICODE;\nDEBUG foo\nDESC TABLE;\nDESC a b;\n"
     "DESC 'x';\nDESC KEYSPACES x;\nDESC TABLE t WITH;\nDESC MATERIALIZED VIEW\nDESC a.b.c\n"
     "DESC key;\nDESC FUNCTION;\nCAPTURE \"dq.txt\";\n"),
    "TRACING ON\nUSE system;\nTRACING OFF\nSELECT key FROM local;\n",
])
def test_same_output_for_piped_input(server, home, stdin):
    theirs, ours = both(server.port, home, stdin=stdin)
    assert ours == theirs


def test_same_output_for_unknown_option_before_the_host(home):
    theirs = _run([*_cqlsh_command(), "--foo", "127.0.0.1", "9042"], home, "")
    ours = _run([*_cassalite_command(), "--foo", "127.0.0.1", "9042"], home, "")
    assert ours == _as_ours(theirs) == (
        2, "", ("usage: cassalite [options] [host [port]]\n"
                "cassalite: error: '127.0.0.1' is not a valid port number.\n"))


def test_tty_is_ignored_with_a_file(server, home, tmp_path):
    (tmp_path / "in.cql").write_text(
        "PAGING 2\nSELECT column_name FROM system_schema.columns WHERE keyspace_name = 'system' "
        "AND table_name = 'local' LIMIT 5;\nSELECT a|b FROM x;\n/* open\n")
    theirs, ours = both(server.port, home, "-f", "in.cql", "--tty", cwd=tmp_path)
    assert ours == theirs
    assert theirs[0] == 2 and "in.cql:5:Incomplete statement at end of file" in theirs[2]


def test_same_output_for_source(server, home, cmp_table, tmp_path):
    (tmp_path / "inner.cql").write_text(
        "CONSISTENCY\nEXPAND\nPAGING\nTRACING\nUSE system;\nSELECT k FROM cmp_ks.t WHERE "
        "k = 2;\nSELECT * FROM nope;\nCONSISTENCY QUORUM\nTRACING ON\nEXIT\nSELECT 1 FROM x;\n")
    (tmp_path / "outer.cql").write_text(
        "USE cmp_ks;\nCONSISTENCY TWO\nEXPAND ON\nPAGING 50\nSOURCE 'inner.cql'\n"
        "CONSISTENCY\nEXPAND\nPAGING\nTRACING\nSELECT k FROM t WHERE k = 2;\n")
    theirs, ours = both(server.port, home, "-f", "outer.cql", cwd=tmp_path)
    assert ours == theirs
    assert theirs[0] == 0 and "inner.cql:8:InvalidRequest" in theirs[2]
