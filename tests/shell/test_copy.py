"""COPY: a round trip through CSV for every column type, and cqlsh 6.2's exact console output,
files and value handling (each expectation below was checked against the real cqlsh)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import cql
from cassalite.shell.cli import main
from cassalite.shell.copy import describe_interval
from cassalite.shell.core import Shell, ShellSettings

ROWS = 500


def _shell(session):
    out = io.StringIO()
    return Shell(session, ShellSettings(), out=out, err=out), out


def _setup(session):
    session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                    "'replication_factor': 1}")
    session.execute("USE ks")
    session.execute("CREATE TYPE address (city text, zip int)")
    cols = ("k int, c text, a ascii, bi bigint, b blob, bo boolean, da date, de decimal, "
            "d double, du duration, f float, i inet, si smallint, tm time, ts timestamp, "
            "tu timeuuid, ti tinyint, u uuid, vi varint, l list<text>, s set<int>, "
            "m map<text, double>, tup frozen<tuple<int, text>>, addr frozen<address>, "
            "PRIMARY KEY (k, c)")
    session.execute(f"CREATE TABLE src ({cols})")
    session.execute(f"CREATE TABLE dst ({cols})")
    ins = session.prepare(
        "INSERT INTO src (k, c, a, bi, b, bo, da, de, d, du, f, i, si, tm, ts, tu, ti, u, vi, "
        "l, s, m, tup, addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?)")
    import datetime
    import decimal
    import uuid

    from cql.types import Duration

    for n in range(ROWS):
        session.execute(ins, [
            n % 97, f"c{n}, \"quoted\" 'single' \\ back", "ascii", n * 10**12, bytes([n % 256, 1]),
            n % 2 == 0, datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            decimal.Decimal(f"{n}.{n % 100:02d}"), n / 7, Duration(n % 12 + 1, n % 30, n * 1000),
            float(n) / 3, f"10.0.{n % 256}.1", n % 30000, n * 1_000_000_123,
            datetime.datetime(2012, 5, 14, 12, 53, 20, (n % 1000) * 1000),
            uuid.uuid1(clock_seq=n), n % 100, uuid.UUID(int=n), 10**30 + n,
            [f"x{n}", "it's"], {n, n + 1}, {"k": n / 3}, (n, f"t{n}"),
            {"city": f"city {n}", "zip": n if n % 5 else None}])


def test_round_trip(tmp_path):
    session = cql.connect(":memory:")
    session.row_factory = cql.tuple_factory
    _setup(session)
    shell, out = _shell(session)
    path = tmp_path / "src.csv"
    shell.feed_text(f"COPY src TO '{path}' WITH HEADER = true AND PAGESIZE = 300;\n")
    assert f"{ROWS} rows exported to 1 files" in out.getvalue(), out.getvalue()
    shell.feed_text(f"COPY dst FROM '{path}' WITH HEADER = true AND CHUNKSIZE = 100;\n")
    assert f"{ROWS} rows imported from 1 files" in out.getvalue(), out.getvalue()
    assert not shell.statement_error, out.getvalue()
    src = sorted(session.execute("SELECT * FROM src", fetch_size=0).current_rows, key=repr)
    dst = sorted(session.execute("SELECT * FROM dst", fetch_size=0).current_rows, key=repr)
    assert len(src) == ROWS
    # doubles/floats go through CSV with 12/5 significant digits, as in cqlsh; compare those
    # approximately and everything else exactly
    names = session.execute("SELECT * FROM src LIMIT 1").column_names
    approx = {names.index("d"), names.index("f"), names.index("m")}
    # cqlsh writes text as it displays it, backslashes doubled, and reads it back verbatim,
    # so every backslash in a text column comes back doubled (collections keep theirs)
    doubled = names.index("c")
    for a, b in zip(src, dst):
        for i, (x, y) in enumerate(zip(a, b)):
            if i in approx:
                continue
            if i == doubled:
                x = x.replace("\\", "\\\\")
            assert x == y, (names[i], x, y)
    assert shell.export_rate > 0 and shell.import_rate > 0


# -- cqlsh's exact output ----------------------------------------------------------------------

KS = ("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
      "'replication_factor': 1};\nUSE ks;\n")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A scratch working directory and HOME; the core count cqlsh's default NUMPROCESSES is
    derived from is pinned to 2 (so 'Using 1 child processes')."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASSALITE_CONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("CQLSH_COPY_TEST_NUM_CORES", "2")
    monkeypatch.delenv("TZ", raising=False)
    return tmp_path


def _normalize(text: str) -> str:
    text = re.sub(r"Rate:\s+\d+ rows/s; Avg\. rate:\s+\d+ rows/s", "Rate: N; Avg. rate: N", text)
    return re.sub(r" in \d+\.\d+ seconds", " in N seconds", text)


def run(script: str, *flags: str) -> tuple[str, str]:
    """``cassalite --memory -f script.cql`` in the current directory: (stdout, stderr)."""
    Path("script.cql").write_text(script, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    main(["--memory", *flags, "-f", "script.cql"], stdout=out, stderr=err,
         stdin=io.StringIO(""))
    return _normalize(out.getvalue()), _normalize(err.getvalue())


def test_stdin_ends_at_a_lone_dot(home):
    """Only '.' ends the data ('\\.' is a data row), and the hint is printed without a tty."""
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, b boolean);\n"
                   "COPY t FROM STDIN;\n1,true\n\\.\n2,false\n.\nSELECT * FROM t;\n")
    assert out == (
        "Using 1 child processes\n\nStarting copy of ks.t with columns [k, b].\n"
        "[Use . on a line by itself to end input]\n"
        "Processed: 3 rows; Rate: N; Avg. rate: N\r\r\n"
        "2 rows imported from 1 files in N seconds (0 skipped).\n\n"
        " k | b\n---+-------\n 1 |  True\n 2 | False\n\n(2 rows)\n")
    assert err == (
        "script.cql:9:Failed to import 1 rows: ParseError - Invalid row length 1 should be 2,  "
        "given up without retries\n"
        "script.cql:9:Failed to process 1 rows; failed rows written to import_ks_t.err\n")
    assert Path("import_ks_t.err").read_bytes() == b".\r\n"


def test_stdin_on_a_terminal_prompts_for_each_line():
    session = cql.connect(":memory:")
    session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                    "'replication_factor': 1}")
    session.execute("CREATE TABLE ks.t (k int PRIMARY KEY, b boolean)")
    out = io.StringIO()
    typed = iter(["1,true\n", "2,yes\n", ".\n", "SELECT\n"])

    def read_more(prompt: str) -> str:
        out.write(prompt)
        return next(typed)

    shell = Shell(session, ShellSettings(tty=True), out=out, err=out, read_more=read_more)
    shell.feed_text("COPY ks.t FROM STDIN WITH NUMPROCESSES = 1;\n")
    assert _normalize(out.getvalue()) == (
        "Using 1 child processes\n\nStarting copy of ks.t with columns [k, b].\n"
        "[Use . on a line by itself to end input]\n"
        "[copy] [copy] [copy] \n"
        "Processed: 2 rows; Rate: N; Avg. rate: N\r\r\n"
        "2 rows imported from 1 files in N seconds (0 skipped).\n")
    assert next(typed) == "SELECT\n"  # input after the '.' is left to the shell


def test_value_conversion_and_parse_errors(home):
    """Booleans other than the true style read as False; conversion errors carry cqlsh's
    'Failed to parse <value> : <reason>'; blank lines are rows of length 0; errors with the
    same message in one chunk are reported together."""
    Path("in.csv").write_text("1,1,true\n2,2,yes\n3,x,TRUE\n4,4,\n\n5,y,maybe\n\n6,1.5,True\n"
                              ",7,true\n8,8,False\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, i int, b boolean);\n"
                   "COPY t (k, i, b) FROM 'in.csv';\nSELECT * FROM t;\n")
    assert out == (
        "Using 1 child processes\n\nStarting copy of ks.t with columns [k, i, b].\n"
        "Processed: 10 rows; Rate: N; Avg. rate: N\r\r\n"
        "4 rows imported from 1 files in N seconds (0 skipped).\n\n"
        " k | b     | i\n---+-------+---\n 1 |  True | 1\n 8 | False | 8\n 2 | False | 2\n"
        " 4 |  null | 4\n\n(4 rows)\n")
    prefix = "script.cql:5:Failed to import "
    assert err == (
        f"{prefix}1 rows: ParseError - Failed to parse x : invalid literal for int() with base "
        "10: 'x',  given up without retries\n"
        f"{prefix}2 rows: ParseError - Invalid row length 0 should be 3,  given up without "
        "retries\n"
        f"{prefix}1 rows: ParseError - Failed to parse y : invalid literal for int() with base "
        "10: 'y',  given up without retries\n"
        f"{prefix}1 rows: ParseError - Failed to parse 1.5 : invalid literal for int() with "
        "base 10: '1.5',  given up without retries\n"
        f"{prefix}1 rows: ParseError - Cannot insert null value for primary key column 'k'. If "
        "you want to insert empty strings, consider using the WITH NULL=<marker> option for "
        "COPY.,  given up without retries\n"
        "script.cql:5:Failed to process 6 rows; failed rows written to import_ks_t.err\n")
    assert Path("import_ks_t.err").read_text() == (
        "3,x,TRUE\n\n\n5,y,maybe\n6,1.5,True\n,7,true\n")


def test_composite_and_timestamp_values(home):
    Path("in.csv").write_text(
        "1,\"['a', null, '']\",\"{'x': 1}\",\"(1, 'a')\",2020-01-01 10:00:00+0100\n"
        "2,[],\"{x:}\",,2020-01-01T10:00:00Z\n"
        "3,[ b ],{},\"(1,,3)\",2020-01-01 10:00:00.123456+0000\n"
        "4,x,{},,1600000000123\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, l list<text>, m map<text, int>, "
                   "tu frozen<tuple<int, text, int>>, ts timestamp);\n"
                   "COPY t (k, l, m, tu, ts) FROM 'in.csv';\nSELECT * FROM t;\n")
    # as in cqlsh: a '+hhmm' offset outside DATETIMEFORMAT is added, not subtracted, and an
    # ISO 'T' time is ignored
    assert out.endswith(
        " k | l                 | m        | ts                              | tu\n"
        "---+-------------------+----------+---------------------------------+----------------\n"
        " 1 | ['a', 'null', ''] | {'x': 1} | 2020-01-01 11:00:00.000000+0000 | (1, 'a', None)\n"
        " 3 |             ['b'] |     null | 2020-01-01 10:00:00.123000+0000 |     (1, '', 3)\n"
        "\n(2 rows)\n")
    assert err == (
        "script.cql:5:Failed to import 1 rows: ParseError - Failed to parse {x:} : list index "
        "out of range,  given up without retries\n"
        "script.cql:5:Failed to import 1 rows: ParseError - Failed to parse x : Invalid "
        "composite string, it should start and end with matching parentheses: x,  given up "
        "without retries\n"
        "script.cql:5:Failed to process 2 rows; failed rows written to import_ks_t.err\n")


def test_skiprows_and_maxrows_count_input_lines(home):
    """MAXROWS counts the skipped lines too; a file's HEADER line is not counted, on STDIN it
    is (and SKIPROWS = 1 then skips just the header). '(N skipped)' repeats SKIPROWS."""
    Path("in.csv").write_text("1,a\n2,b\n3,c\n4,d\n5,e\n", encoding="utf-8")
    Path("head.csv").write_text("k,v\n1,a\n2,b\n3,c\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "COPY t FROM 'in.csv' WITH SKIPROWS = 1 AND MAXROWS = 2;\n"
                   "SELECT k FROM t;\nTRUNCATE t;\n"
                   "COPY t FROM 'head.csv' WITH SKIPROWS = 1 AND MAXROWS = 2 AND HEADER = true;\n"
                   "SELECT k FROM t;\nTRUNCATE t;\n"
                   "COPY t FROM 'in.csv' WITH SKIPROWS = 2 AND CHUNKSIZE = 1 AND MAXROWS = 4;\n"
                   "SELECT k FROM t;\nTRUNCATE t;\n"
                   "COPY t FROM STDIN WITH SKIPROWS = 1 AND HEADER = true;\nk,v\n1,a\n2,b\n.\n"
                   "SELECT k FROM t;\n")
    assert err == ""
    finals = [line for line in out.splitlines() if "imported" in line]
    assert finals == ["1 rows imported from 1 files in N seconds (1 skipped).",
                      "1 rows imported from 1 files in N seconds (1 skipped).",
                      "2 rows imported from 1 files in N seconds (2 skipped).",
                      "2 rows imported from 1 files in N seconds (1 skipped)."]
    keys = re.findall(r"(?m)^ (\d)$", out)
    assert keys == ["2", "2", "4", "3", "1", "2"]  # the rows each COPY loaded


def test_maxparseerrors(home):
    Path("in.csv").write_text("1,x\n2,y\n3,z\n4,4\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, i int);\n"
                   "COPY t FROM 'in.csv' WITH MAXPARSEERRORS = 1;\n")
    assert out.endswith("\n-2 rows imported from 1 files in N seconds (0 skipped).\n")
    assert err == (
        "script.cql:5:Failed to import 1 rows: ParseError - Failed to parse x : invalid literal "
        "for int() with base 10: 'x',  given up without retries\n"
        "script.cql:5:Failed to import 1 rows: ParseError - Failed to parse y : invalid literal "
        "for int() with base 10: 'y',  given up without retries\n"
        "script.cql:5:Exceeded maximum number of parse errors 1\n"
        "script.cql:5:Failed to process 2 rows; failed rows written to import_ks_t.err\n"
        "script.cql:5:Exceeded maximum number of parse errors 1\n")


def test_console_messages_and_option_errors(home, monkeypatch):
    """'Using N child processes' (cqlsh's count: NUMPROCESSES, else cores - 1 capped to
    1..16) comes before option and column errors; a missing input file is reported as a
    failed import; errors found before 'Using' stand alone."""
    monkeypatch.setenv("CQLSH_COPY_TEST_NUM_CORES", "5")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "COPY t TO 'x.csv' WITH foo = 1 AND bar = 2;\n"
                   "COPY t FROM 'x.csv' WITH NUMPROCESSES = 7 AND pagesize = 1 AND foo = 1;\n"
                   "COPY t (nope) FROM 'x.csv';\n"
                   "COPY t (v) FROM 'x.csv';\n"
                   "COPY t FROM 'no-such-file.csv';\n"
                   "COPY t TO 'x.csv' WITH BOOLSTYLE = 'same,same';\n"
                   "COPY t TO 'x.csv' WITH MAXOUTPUTSIZE = 'abc';\n"
                   "COPY nope TO 'x.csv';\n"
                   "COPY nok.t TO 'x.csv';\n")
    assert out == (
        "Using 4 child processes\nUsing 7 child processes\nUsing 4 child processes\n"
        "Using 4 child processes\nUsing 4 child processes\n\n"
        "Starting copy of ks.t with columns [k, v].\n"
        "Processed: 0 rows; Rate: N; Avg. rate: N\r\r\n"
        "0 rows imported from 0 files in N seconds (0 skipped).\n")
    assert err == (
        "script.cql:5:Unrecognized COPY TO options: foo, bar\n"
        "script.cql:6:Unrecognized COPY FROM options: foo\n"
        "script.cql:7:Invalid column name nope\n"
        "script.cql:8:Primary key column 'k' missing or skipped\n"
        "script.cql:9:Failed to import 0 rows: OSError - Can't open 'no-such-file.csv' for "
        "reading: no matching file found,  given up after 1 attempts\n"
        "script.cql:10:Invalid boolean styles ['same', 'same']\n"
        "script.cql:11:invalid literal for int() with base 10: 'abc'\n"
        "script.cql:12:Column family nope not found\n"
        "script.cql:13:Keyspace 'nok' not found.\n")


def test_options_from_cqlshrc_and_configfile(home):
    rc = home / ".cassandra" / "cqlshrc"
    rc.parent.mkdir()
    rc.write_text("[copy]\nheader = true\n\n[copy-to]\ndelimiter = |\n", encoding="utf-8")
    Path("my.rc").write_text("[copy-from]\nheader = true\n[copy-to:ks.t]\nnull = -\n",
                             encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "INSERT INTO t (k) VALUES (1);\n"
                   "COPY t TO 'a.csv';\n"
                   "COPY t TO 'b.csv' WITH NUMPROCESSES = 1;\n"
                   "COPY t TO 'c.csv' WITH CONFIGFILE = 'my.rc' AND ESCAPE = '|';\n"
                   "COPY t TO 'x.csv' WITH QUOTE = \"'\";\n"
                   "COPY t TO 'd.csv' WITH CONFIGFILE = 'missing.rc' AND NUMPROCESSES = 1;\n")
    assert err == "script.cql:9:Improper COPY command.\n"
    assert [line for line in out.splitlines() if line.startswith(("Reading", "Using"))] == [
        f"Reading options from {rc}:[copy]: {{'header': 'true'}}",
        f"Reading options from {rc}:[copy-to]: {{'delimiter': '|'}}",
        "Using 1 child processes",
        f"Reading options from {rc}:[copy]: {{'header': 'true'}}",
        f"Reading options from {rc}:[copy-to]: {{'delimiter': '|'}}",
        "Reading options from the command line: {'numprocesses': '1'}",
        "Using 1 child processes",
        "Reading options from my.rc:[copy-to:ks.t]: {'null': '-'}",
        "Reading options from the command line: {'escape': '|'}",
        "Using 1 child processes",
        "Using 1 child processes"]
    assert Path("a.csv").read_bytes() == Path("b.csv").read_bytes() == b"k|v\r\n1|\r\n"
    assert Path("c.csv").read_bytes() == b"1,-\r\n"
    assert Path("d.csv").read_bytes() == b"1,\r\n"


def test_copy_to_writes_utc_and_doubled_backslashes(home):
    """[ui] timezone is for display only: COPY TO files always get +0000. Text is written as
    cqlsh displays it (backslash doubled) and then CSV-escaped, so one becomes four."""
    rc = home / ".cassandra" / "cqlshrc"
    rc.parent.mkdir()
    rc.write_text("[ui]\ntimezone = Europe/Paris\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, c text, ts timestamp);\n"
                   "INSERT INTO t (k, c, ts) VALUES (1, 'a\\b', '2012-05-14 12:53:20.123+0000');\n"
                   "SELECT ts FROM t;\n"
                   "COPY t TO 'f.csv';\n"
                   "COPY t TO STDOUT WITH ESCAPE = '\"';\n")
    assert err == ""
    assert " 2012-05-14 14:53:20.123000+0200\n" in out
    assert out.endswith("1,a\\\\b,2012-05-14 12:53:20.123+0000\r\n")
    assert Path("f.csv").read_bytes() == b"1,a\\\\\\\\b,2012-05-14 12:53:20.123+0000\r\n"


def test_maxoutputsize_splits_within_a_page(home):
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY);\n"
                   "INSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\n"
                   "INSERT INTO t (k) VALUES (3);\n"
                   "COPY t TO 'f.csv' WITH MAXOUTPUTSIZE = 2 AND HEADER = true;\n"
                   "COPY t TO 'g.csv' WITH MAXOUTPUTSIZE = 1 AND PAGESIZE = 2;\n"
                   "COPY t TO STDOUT WITH MAXOUTPUTSIZE = 2;\n")
    assert "\n3 rows exported to 2 files in N seconds.\n" in out
    assert "\n3 rows exported to 3 files in N seconds.\n" in out
    assert out.endswith("1\r\n2\r\n3\r\n")
    assert err == "script.cql:10:WARNING: maxoutputsize 2 ignored when writing to STDOUT\n"
    assert Path("f.csv").read_bytes() == b"k\r\n1\r\n2\r\n"
    assert Path("f.csv.1").read_bytes() == b"3\r\n"
    assert [Path(n).read_bytes() for n in ("g.csv", "g.csv.1", "g.csv.2")] == [
        b"1\r\n", b"2\r\n", b"3\r\n"]


def test_describe_interval_words_like_cqlsh():
    assert describe_interval(0.5) == "0.500 seconds"
    # cqlsh divides with '/', so from one second on every unit shows up, even at zero
    assert describe_interval(5.114) == "0 day, 0 hour, 0 minute, and 5.114 seconds"
    assert describe_interval(3700.5) == "0 day, 1 hours, 1 minutes, and 40.500 seconds"


def test_options_name_the_cqlshrc_given_on_the_command_line(home):
    Path("other.rc").write_text("[copy]\nheader = true\n", encoding="utf-8")
    out, _ = run(KS + "CREATE TABLE t (k int PRIMARY KEY);\nCOPY t TO 'a.csv';\n",
                 "--cqlshrc", "other.rc")
    assert out.splitlines()[0] == "Reading options from other.rc:[copy]: {'header': 'true'}"


def test_progress_line_ends_in_two_carriage_returns_and_ratefile(home):
    """cqlsh writes 'Processed: ...\\r' with a '\\r' end of line; RATEFILE gets each line too,
    ending '\\r\\n', after removing an existing file (also when the COPY then fails, and for
    COPY TO STDOUT, whose console line is not shown). (cqlsh's COPY FROM only counts rows
    at each report, so with REPORTFREQUENCY = 100 it waits out CHILDTIMEOUT, 90 s, before
    finishing: not reproduced.)"""
    Path("r.txt").write_text("old\n", encoding="utf-8")
    Path("gone.txt").write_text("old\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "INSERT INTO t (k, v) VALUES (1, 'a');\nINSERT INTO t (k, v) VALUES (2, 'b');\n"
                   "COPY t TO 'o.csv' WITH RATEFILE = 'r.txt' AND REPORTFREQUENCY = 100;\n"
                   "COPY t TO STDOUT WITH RATEFILE = 'stdout.txt' AND REPORTFREQUENCY = 100;\n"
                   "COPY t FROM 'o.csv' WITH RATEFILE = 'in.txt' AND REPORTFREQUENCY = 100;\n"
                   "COPY t FROM 'o.csv' WITH RATEFILE = 'gone.txt' AND foo = 1;\n")
    assert out == (
        "Using 1 child processes\n\nStarting copy of ks.t with columns [k, v].\n"
        "Processed: 2 rows; Rate: N; Avg. rate: N\r\r\n"
        "2 rows exported to 1 files in N seconds.\n"
        "1,a\r\n2,b\r\n"
        "Using 1 child processes\n\nStarting copy of ks.t with columns [k, v].\n"
        "Processed: 2 rows; Rate: N; Avg. rate: N\r\r\n"
        "2 rows imported from 1 files in N seconds (0 skipped).\n"
        "Using 1 child processes\n")
    assert err == "script.cql:10:Unrecognized COPY FROM options: foo\n"
    for name in ("r.txt", "stdout.txt", "in.txt"):
        text = Path(name).read_bytes().decode()
        assert _normalize(text) == "Processed: 2 rows; Rate: N; Avg. rate: N\r\n", name
    assert not Path("gone.txt").exists()


def test_invalid_dialect_leaves_an_empty_error_file(home):
    """As in cqlsh, an option the CSV reader refuses (DELIMITER = 'ab') fails when the first
    chunk is parsed: the error file is created empty, the message stands alone and there is
    no final report. An input with no rows to parse finishes normally."""
    Path("in.csv").write_text("1,a\n", encoding="utf-8")
    Path("empty.csv").write_text("", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "COPY t FROM 'in.csv' WITH DELIMITER = 'ab';\n"
                   "COPY t FROM 'in.csv' WITH QUOTE = 'ab' AND ERRFILE = 'my.err';\n"
                   "COPY t FROM 'empty.csv' WITH DELIMITER = 'ab' AND ERRFILE = 'no.err';\n")
    start = "Using 1 child processes\n\nStarting copy of ks.t with columns [k, v].\n"
    assert out == (start + start + start + "Processed: 0 rows; Rate: N; Avg. rate: N\r\r\n"
                   "0 rows imported from 1 files in N seconds (0 skipped).\n")
    assert err == ('script.cql:5:"delimiter" must be a 1-character string\n'
                   'script.cql:6:"quotechar" must be a 1-character string\n')
    assert Path("import_ks_t.err").read_bytes() == b""
    assert Path("my.err").read_bytes() == b""
    assert not Path("no.err").exists()


def test_quoted_line_breaks_are_one_record(home):
    """A quoted field may span lines: the record is one row everywhere (the count, HEADER,
    SKIPROWS / MAXROWS, CHUNKSIZE groups, the error file). cqlsh 6.2.2 counts lines here,
    never sees the import finish, waits CHILDTIMEOUT and reports 0 rows: not reproduced."""
    Path("two.csv").write_text('1,"line one\nline two"\n2,plain\n', encoding="utf-8")
    Path("many.csv").write_text('k,"v\n(text)"\n0,zero\n1,"a\nb\nc"\n2,two\n3,"x\ny"\n'
                                '4,"bad\nrow",extra\n5,five\n', encoding="utf-8")
    out, err = run(KS + "CREATE TABLE t (k int PRIMARY KEY, v text);\n"
                   "COPY t FROM 'two.csv';\nSELECT * FROM t;\nTRUNCATE t;\n"
                   "COPY t FROM 'many.csv' WITH HEADER = true AND CHUNKSIZE = 1 AND "
                   "SKIPROWS = 1 AND MAXROWS = 5 AND ERRFILE = 'a.err';\nSELECT * FROM t;\n"
                   "TRUNCATE t;\n"
                   "COPY t FROM 'many.csv' WITH HEADER = true AND CHUNKSIZE = 2 AND "
                   "ERRFILE = 'b.err';\n"
                   "COPY t FROM STDIN;\n7,\"in\nput\"\n.\nSELECT * FROM t WHERE k = 7;\n")
    start = "Using 1 child processes\n\nStarting copy of ks.t with columns [k, v].\n"
    assert out == (
        start + "Processed: 2 rows; Rate: N; Avg. rate: N\r\r\n"
        "2 rows imported from 1 files in N seconds (0 skipped).\n\n"
        " k | v\n---+--------------------\n 1 | line one\\nline two\n 2 |              plain\n"
        "\n(2 rows)\n"
        + start + "Processed: 4 rows; Rate: N; Avg. rate: N\r\r\n"
        "3 rows imported from 1 files in N seconds (1 skipped).\n\n"
        " k | v\n---+---------\n 1 | a\\nb\\nc\n 2 |     two\n 3 |    x\\ny\n\n(3 rows)\n"
        + start + "Processed: 6 rows; Rate: N; Avg. rate: N\r\r\n"
        "5 rows imported from 1 files in N seconds (0 skipped).\n"
        + start + "[Use . on a line by itself to end input]\n"
        "Processed: 1 rows; Rate: N; Avg. rate: N\r\r\n"
        "1 rows imported from 1 files in N seconds (0 skipped).\n\n"
        " k | v\n---+---------\n 7 | in\\nput\n\n(1 rows)\n")
    prefix = "script.cql:{}:Failed to import 1 rows: ParseError - Invalid row length 3 should be 2,"
    assert err == (
        prefix.format(8) + "  given up without retries\n"
        "script.cql:8:Failed to process 1 rows; failed rows written to a.err\n"
        + prefix.format(11) + "  given up without retries\n"
        "script.cql:11:Failed to process 1 rows; failed rows written to b.err\n")
    assert Path("a.err").read_bytes() == Path("b.err").read_bytes() == b'4,"bad\nrow",extra\r\n'


def test_duration_values_import(home):
    """A deliberate difference: cqlsh 6.2.2 hands the text to the driver, which refuses it
    ('TypeError - Received an argument of invalid type for column "du"'); cassalite imports
    the value."""
    Path("in.csv").write_text("1,1d2h\n2,P1Y2M\n", encoding="utf-8")
    out, err = run(KS + "CREATE TABLE d (k int PRIMARY KEY, du duration);\n"
                   "COPY d FROM 'in.csv';\nSELECT * FROM d;\n")
    assert err == ""
    assert out.endswith("2 rows imported from 1 files in N seconds (0 skipped).\n\n"
                        " k | du\n---+-------\n 1 |  1d2h\n 2 | 1y2mo\n\n(2 rows)\n")


def test_ctrl_c_during_copy_from_reports_the_partial_import(tmp_path, monkeypatch):
    from cassalite.shell import copy as copy_module

    session = cql.connect(":memory:")
    session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                    "'replication_factor': 1}")
    session.execute("CREATE TABLE ks.t (k int PRIMARY KEY, v text)")
    path = tmp_path / "in.csv"
    path.write_text("".join(f"{k},v{k}\n" for k in range(20)))
    real_insert, calls = copy_module._insert, []

    def insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 13:
            raise KeyboardInterrupt
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(copy_module, "_insert", insert)
    out = io.StringIO()
    shell = Shell(session, ShellSettings(), out=out, err=out)
    shell.feed_text(f"COPY ks.t FROM '{path}' WITH CHUNKSIZE = 5;\n")
    text = out.getvalue()
    assert "\n12 rows imported from 1 files in " in text
    assert text.endswith("COPY FROM interrupted (Ctrl-C): partial import, only the 12 rows "
                         "above were written to ks.t; the rest of the input was not imported\n")
    assert session.execute("SELECT count(*) FROM ks.t").one()[0] == 12
