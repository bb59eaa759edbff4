"""Shell remote mode (shell/remote.py): the same results, types, errors and shell output
through cassalite-server as from an embedded session."""

from __future__ import annotations

import io

import pytest

import cql

pytest.importorskip("cassandra.cluster")

from cassalite.shell.core import Shell, ShellSettings
from cassalite.shell.remote import RemoteConnectionError, connect_remote

SETUP = [
    ("CREATE KEYSPACE rm WITH replication = {'class': 'SimpleStrategy', "
    "'replication_factor': 1}"),
    "USE rm",
    "CREATE TYPE pt (x int, y int)",
    ("CREATE TABLE t (k int, c text, ts timestamp, d date, tm time, du duration, "
    "s set<text>, m map<int, frozen<list<int>>>, p frozen<pt>, tu tuple<int, text>, "
    "v vector<float, 2>, dec decimal, vi varint, b blob, i inet, u uuid, PRIMARY KEY (k, c))"),
    ("INSERT INTO t (k, c, ts, d, tm, du, s, m, p, tu, v, dec, vi, b, i, u) VALUES (1, 'a', "
    "'2024-01-02 03:04:05.678', '2024-02-29', '01:02:03.000000004', 1mo2d3ns, {'a', 'b'}, "
    "{1: [1, 2]}, {x: 1, y: 2}, (3, 'z'), [1.5, 2.5], -1.50, 123456789012345678901234567890, "
    "0xcafe, '::1', 12345678-1234-5678-1234-567812345678)"),
    "INSERT INTO t (k, c) VALUES (1, 'b')",
]


@pytest.fixture
def pair(server):
    remote = connect_remote("127.0.0.1", server.port, protocol_version=4)
    local = cql.connect(":memory:")
    for s in (remote, local):
        s.row_factory = cql.tuple_factory
        s.execute("DROP KEYSPACE IF EXISTS rm")
        for stmt in SETUP:
            s.execute(stmt)
    yield remote, local
    remote.execute("DROP KEYSPACE rm")
    remote.close()
    local.close()


def test_rows_and_types_match_embedded(pair):
    remote, local = pair
    assert remote.keyspace == local.keyspace == "rm"
    for q in ["SELECT * FROM t", "SELECT k, c, writetime(ts) AS w FROM t WHERE k = 1",
              "SELECT count(*) FROM t", "SELECT * FROM t WHERE k = 2"]:
        a, b = remote.execute(q), local.execute(q)
        a_rows = [r[:-1] if q.startswith("SELECT k, c, w") else r for r in a.current_rows]
        assert a.column_names == b.column_names
        assert [t.bare_name for t in a.column_types] == [t.bare_name for t in b.column_types]
        if "writetime" not in q:
            assert a_rows == b.current_rows


def test_prepared_paging_and_errors(pair):
    remote, _ = pair
    ins = remote.prepare("INSERT INTO t (k, c, s, p) VALUES (?, ?, ?, ?)")
    assert ins.bind_names == ["k", "c", "s", "p"] and ins.routing_key_indexes == [0]
    for i in range(25):
        remote.execute(ins, [2, f"c{i:02d}", {"x"}, (i, -i)])
    remote.execute(ins, {"k": 3, "c": "only-key"})  # the rest unset
    rs = remote.execute("SELECT c, p FROM t WHERE k = 2", fetch_size=10)
    assert len(rs.current_rows) == 10 and rs.has_more_pages
    rows = list(rs)
    assert len(rows) == 25 and rows[7][1] == (7, -7)
    assert remote.execute("SELECT s FROM t WHERE k = 3").one() == (None,)
    with pytest.raises(cql.SyntaxException):
        remote.execute("SELEC")
    with pytest.raises(cql.InvalidRequest) as info:
        remote.execute("SELECT * FROM nope")
    assert info.value.code == 0x2200 and "nope" in str(info.value)
    with pytest.raises(cql.AlreadyExists) as exists:
        remote.execute("CREATE TABLE t (k int PRIMARY KEY)")
    assert (exists.value.keyspace, exists.value.table) == ("rm", "t")
    assert remote.execute("INSERT INTO t (k, c) VALUES (9, 'x') IF NOT EXISTS").was_applied


def test_shell_output_is_the_same(pair):
    remote, local = pair
    script = ("SELECT * FROM t;\nDESCRIBE TABLE t;\nSELECT k, tu, p FROM t WHERE k = 1 "
              "AND c = 'a';\nSELECT * FROM nope;\nEXPAND ON;\nSELECT k, s FROM t LIMIT 1;\n")
    outputs = []
    for session in (remote, local):
        out = io.StringIO()
        Shell(session, ShellSettings(), out=out, err=out).feed_text(script)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert "(2 rows)" in outputs[0]


def test_unreachable_server():
    with pytest.raises(RemoteConnectionError, match="Unable to connect"):
        connect_remote("127.0.0.1", 1, connect_timeout=1)


def test_bad_credentials(auth_server):
    with pytest.raises(RemoteConnectionError, match="incorrect"):
        connect_remote("127.0.0.1", auth_server.port, "cassandra", "nope", protocol_version=4)
    s = connect_remote("127.0.0.1", auth_server.port, "cassandra", "cassandra",
                       protocol_version=4)
    try:
        assert s.execute("SELECT key FROM system.local").one()[0] == "local"
    finally:
        s.close()


def _trace_activities(output: str) -> list[str]:
    """The activity column of every trace table in shell output."""
    out = []
    for line in output.splitlines():
        if line.endswith(" | 127.0.0.1") and not line.startswith(" activity"):
            out.append(line.split(" | ")[0].strip())
    return out


def test_tracing_shows_the_same_engine_steps(pair):
    script = "TRACING ON;\nSELECT k, c FROM t WHERE k = 1;\n"
    outputs = []
    for session in pair:
        out = io.StringIO()
        Shell(session, ShellSettings(), out=out, err=out).feed_text(script)
        outputs.append(out.getvalue())
    remote, local = (_trace_activities(o) for o in outputs)
    assert remote == local == [
        "Execute CQL3 query",
        "Parsing SELECT k, c FROM t WHERE k = 1; [Native-Transport-Requests]",
        "Preparing statement [Native-Transport-Requests]",
        "Executing single-partition query on t [Native-Transport-Requests]",
        "Reading the partition from memory [ReadStage]",
        # the INSERT of set s and map m wrote a collection deletion each
        "Read 2 live rows and 2 tombstone cells [Native-Transport-Requests]",
        "Request complete",
    ]
    assert all("Tracing session: " in o for o in outputs)


# ---- the cassalite command in remote mode -----------------------------------------------------

class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def shell_home(tmp_path, monkeypatch):
    """No user cqlshrc, credentials or cassalite config may leak into the runs."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CASSALITE_CONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.delenv("CQLSH_PORT", raising=False)
    return tmp_path


def run_shell(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    from cassandra.cqltypes import CassandraType

    from cassalite.shell.cli import main

    out, err = io.StringIO(), io.StringIO()
    empty = CassandraType.support_empty_values  # the shell sets it for its process, as cqlsh
    try:
        rc = main(list(argv), stdout=out, stderr=err, stdin=_Pipe(stdin))
    finally:
        CassandraType.support_empty_values = empty
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def oor(server):
    """A table with timestamps beyond Python's datetime range (year 10000, year 0)."""
    s = connect_remote("127.0.0.1", server.port)
    s.execute("DROP KEYSPACE IF EXISTS oor")
    s.execute("CREATE KEYSPACE oor WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("CREATE TABLE oor.t (k int PRIMARY KEY, ts timestamp, l list<timestamp>, "
              "tu tuple<timestamp, int>, d date)")
    s.execute("INSERT INTO oor.t (k, ts, l, tu, d) VALUES (1, 253402300800000, "
              "[253402300800000, 0], (-62135596800001, 1), '-5877641-06-23')")
    s.execute("INSERT INTO oor.t (k, ts) VALUES (2, 0)")
    yield s
    s.execute("DROP KEYSPACE oor")
    s.close()


OOR_TABLE = (  # what cqlsh 6.2.2 prints for it
    "\n k | d           | l                                                      | ts"
    "                              | tu\n"
    "---+-------------+--------------------------------------------------------+---------"
    "------------------------+------------------------\n"
    " 1 | -2147483648 | ['253402300800000', '1970-01-01 00:00:00.000000+0000'] | "
    "                253402300800000 | ('-62135596800001', 1)\n"
    " 2 |        null |                                                   null | "
    "1970-01-01 00:00:00.000000+0000 |                   null\n\n(2 rows)\n")


def test_out_of_range_timestamps_print_as_milliseconds(oor, server, shell_home):
    """cqlsh prints a timestamp Python cannot represent as its milliseconds since the epoch;
    the connection stays usable for the statements after it."""
    rc, out, err = run_shell("127.0.0.1", str(server.port), "-e",
                             "SELECT * FROM oor.t; SELECT k FROM oor.t WHERE k = 2")
    assert (rc, err) == (0, "")
    assert out == OOR_TABLE + "\n k\n---\n 2\n\n(1 rows)\n"
    # the same values as an embedded session reads
    local = cql.connect(":memory:")
    local.execute("CREATE KEYSPACE oor WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
    local.execute("CREATE TABLE oor.t (k int PRIMARY KEY, ts timestamp, l list<timestamp>, "
                  "tu tuple<timestamp, int>, d date)")
    local.execute("INSERT INTO oor.t (k, ts, l, tu, d) VALUES (1, 253402300800000, "
                  "[253402300800000, 0], (-62135596800001, 1), '-5877641-06-23')")
    q = "SELECT ts, l, tu, d FROM oor.t WHERE k = 1"
    assert oor.execute(q).current_rows == local.execute(q).current_rows
    assert oor.execute("SELECT k FROM oor.t WHERE k = 2").current_rows
    local.close()


def test_copy_to_with_out_of_range_timestamps(oor, server, shell_home):
    rc, out, err = run_shell("127.0.0.1", str(server.port), "-e",
                             "COPY oor.t (k, ts) TO STDOUT")
    assert (rc, err) == (0, "")
    assert out == "1,253402300800000\r\n2,1970-01-01 00:00:00.000+0000\r\n"


def test_connection_errors_as_cqlsh_prints_them(server, shell_home):
    message = ("Connection error: (\"Unable to connect to any servers using keyspace 'nope'\", "
               "['127.0.0.1'])\n")
    assert run_shell("127.0.0.1", str(server.port), "-k", "nope", "-e", "SHOW HOST") == (
        1, "", message)
    rc, out, err = run_shell("127.0.0.1", str(server.port), "--cqlversion", "3.4.5",
                             "-e", "SHOW HOST")
    assert (rc, out) == (1, "")
    assert err == (f"Connection error: ('Unable to connect to any servers', {{'127.0.0.1:"
                   f"{server.port}': ProtocolError(\"cql_version '3.4.5' is not supported by "
                   "remote (w/ native protocol). Supported versions: ['3.4.7']\")})\n")
    rc, out, err = run_shell("127.0.0.1", str(server.port), "--protocol-version", "3",
                             "-e", "SHOW HOST")
    assert err == (f"Connection error: ('Unable to connect to any servers', {{'127.0.0.1:"
                   f"{server.port}': DriverException('ProtocolError returned from server while "
                   "using explicitly set client protocol_version 3')})\n")
    assert run_shell("127.0.0.1", str(server.port), "-k", "system", "-e", "SHOW HOST") == (
        0, f"Connected to Test Cluster at 127.0.0.1:{server.port}\n", "")


def test_timeouts_and_protocol_version_are_applied(server, shell_home):
    from cassalite.shell.cli import _remote, build_parser, read_options
    from cassalite.shell.config import load_config

    rc_file = shell_home / "rc"
    rc_file.write_text("[connection]\nrequest_timeout = 7\ntimeout = 3\n[protocol]\nversion = 4\n")
    parser = build_parser()
    for extra, expected in (([], 7.0), (["--request-timeout", "2"], 2.0)):
        args = parser.parse_args(["127.0.0.1", str(server.port), "--cqlshrc", str(rc_file),
                                  *extra])
        cfg = load_config(args.cqlshrc)
        opts = read_options(parser, args, cfg, io.StringIO())
        assert (opts.connect_timeout, opts.protocol_version) == (3, 4)
        session, target = _remote(args, cfg, opts)
        try:
            assert session.request_timeout == expected
            assert session.cluster.connect_timeout == 3.0
            assert session.protocol_version == 4
            assert target == f"127.0.0.1:{server.port}"
        finally:
            session.close()
    rc, out, _ = run_shell("127.0.0.1", str(server.port), "-e", "SHOW VERSION")
    assert rc == 0 and out.endswith(" | Native protocol v4]\n")


def test_source_uses_its_own_session(server, shell_home, monkeypatch):
    """USE and TRACING ON in a sourced file stay in it (cqlsh's sub-shell has its own driver
    session on the same cluster), and its errors do not set the exit status."""
    (shell_home / "inner.cql").write_text("USE system;\nTRACING ON\nSELECT * FROM nope;\n"
                                          "SELECT key FROM local;\n")
    monkeypatch.chdir(shell_home)
    rc, out, err = run_shell("127.0.0.1", str(server.port), "-k", "system_schema", "-e",
                             "SOURCE 'inner.cql'; TRACING; SELECT keyspace_name FROM "
                             "keyspaces WHERE keyspace_name = 'system'")
    assert rc == 0
    assert err == ('inner.cql:4:InvalidRequest: Error from server: code=2200 [Invalid query] '
                   'message="table nope does not exist"\n')
    assert out.startswith("TRACING set to ON\n\n key\n-------\n local\n\n(1 rows)\n\n"
                          "Tracing session: ")
    assert out.endswith("TRACING is OFF\n\n keyspace_name\n---------------\n        system\n\n"
                        "(1 rows)\n")


def test_credentials_file_logs_in(auth_server, shell_home):
    creds = shell_home / ".cassandra" / "credentials"  # the default place
    creds.parent.mkdir()
    creds.write_text("[plain_text_auth]\nusername = cassandra\npassword = cassandra\n")
    creds.chmod(0o600)
    assert run_shell("127.0.0.1", str(auth_server.port), "-e",
                     "SELECT key FROM system.local") == (
        0, "\n key\n-------\n local\n\n(1 rows)\n", "")
    creds.write_text("[plain_text_auth]\nusername = cassandra\npassword = wrong\n")
    rc, out, err = run_shell("127.0.0.1", str(auth_server.port), "-e", "SHOW HOST")
    assert (rc, out) == (1, "") and err.startswith(
        "Connection error: ('Unable to connect to any servers', {'127.0.0.1:")
    assert "AuthenticationFailed(" in err


def test_ssl_settings(server, shell_home):
    import ssl

    from cassalite.shell.config import load_config
    from cassalite.shell.remote import ssl_context

    rc_file = shell_home / "rc"
    rc_file.write_text("[ssl]\nvalidate = false\n")
    context = ssl_context("127.0.0.1", load_config(str(rc_file)), env={})
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname
    # validation needs a CA file
    rc, out, err = run_shell("127.0.0.1", str(server.port), "--ssl", "-e", "SHOW HOST")
    assert (rc, out) == (1, "")
    assert err == ("Validation is enabled; SSL transport factory requires a valid certfile to "
                   "be specified. Please provide path to the certfile in [ssl] section as "
                   f"'certfile' option in {shell_home}/.cassandra/cqlshrc (or use [certfiles] "
                   "section) or set SSL_CERTFILE environment variable.\n")
    # a server without TLS: the handshake fails like any connection error
    rc, out, err = run_shell("127.0.0.1", str(server.port), "--ssl", "--cqlshrc",
                             str(rc_file), "-e", "SHOW HOST")
    assert (rc, out) == (1, "")
    assert err.startswith("Connection error: ('Unable to connect to any servers', {'127.0.0.1:")


def test_vectors_of_frozen_collections_read_remotely(pair):
    remote, local = pair
    for s in (remote, local):
        s.execute("CREATE TABLE vf (k int PRIMARY KEY, v vector<frozen<list<int>>, 2>)")
        s.execute("INSERT INTO vf (k, v) VALUES (1, [[1], [2, 3]])")
    outputs = []
    for session in (remote, local):
        out = io.StringIO()
        Shell(session, ShellSettings(), out=out, err=out).feed_text("SELECT v FROM vf;\n")
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == "\n v\n---------------\n [[1], [2, 3]]\n\n(1 rows)\n"


def test_driver_side_errors_keep_the_drivers_class_name():
    from cassalite.shell.errors import error_line
    from cassalite.shell.remote import translate_error

    class NoHostAvailable(Exception):
        pass

    err = translate_error(NoHostAvailable("Unable to complete the operation", {}))
    assert error_line(err) == "NoHostAvailable: ('Unable to complete the operation', {})"


def test_empty_values_print_as_nothing_as_in_cqlsh(server, shell_home):
    """A zero-length int or uuid (blobAsInt(0x)) is not null: cqlsh 6.2.2 prints an empty
    cell for it, as the embedded shell does (cqlsh's test_cqlsh_output.test_numeric_output)."""
    script = ("CREATE KEYSPACE ev WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}; CREATE TABLE ev.t (k int PRIMARY KEY, i int, u uuid, "
              "n int); INSERT INTO ev.t (k, i, u) VALUES (1, blobAsInt(0x), blobAsUuid(0x)); "
              "SELECT * FROM ev.t; DROP KEYSPACE ev")
    from cassandra.cqltypes import CassandraType

    before = CassandraType.support_empty_values
    rc, out, err = run_shell("127.0.0.1", str(server.port), "-e", script)
    assert (rc, err) == (0, "")
    assert out == ("\n k | i | n    | u\n---+---+------+---\n 1 |   | null |  \n\n(1 rows)\n")
    assert CassandraType.support_empty_values is before  # restored for the other tests
