"""Shell remote mode (shell/remote.py): the same results, types, errors and shell output
through cassalite-server as from an embedded session."""

from __future__ import annotations

import io

import pytest

import cql

pytest.importorskip("cassandra.cluster")

from shell.core import Shell, ShellSettings
from shell.remote import RemoteConnectionError, connect_remote

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
