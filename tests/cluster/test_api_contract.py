"""One API contract for both sessions: the same test bodies run on an embedded session and
on a cluster session (cql.connect("cassandra://...")) pointed at a cassalite-server."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator

import pytest

import cql


@pytest.fixture(scope="module")
def sessions(cluster_url: str) -> Iterator[dict]:
    embedded = cql.connect(":memory:")
    cluster = cql.connect(cluster_url)
    yield {"embedded": embedded, "cluster": cluster}
    cluster.close()
    embedded.close()


@pytest.fixture(params=["embedded", "cluster"])
def session(request: pytest.FixtureRequest, sessions: dict) -> Iterator:
    s = sessions[request.param]
    name = "api_" + request.node.originalname.removeprefix("test_")[:40]
    s.execute(f"CREATE KEYSPACE {name} WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.set_keyspace(name)
    s.execute("CREATE TABLE t (k int, c int, v text, PRIMARY KEY (k, c))")
    s.row_factory = cql.named_tuple_factory
    yield s
    s.row_factory = cql.named_tuple_factory
    s.execute(f"DROP KEYSPACE {name}")


def test_the_kinds_of_session(sessions: dict) -> None:
    assert type(sessions["embedded"]) is cql.Session
    assert type(sessions["cluster"]) is cql.ClusterSession


def test_parameters(session) -> None:
    assert session.keyspace == "api_parameters"
    session.execute("INSERT INTO t (k, c, v) VALUES (%s, %s, %s)", (1, 1, "it's"))
    session.execute("INSERT INTO t (k, c, v) VALUES (%(k)s, %(c)s, %(v)s)",
                    {"k": 1, "c": 2, "v": "named"})
    session.execute("INSERT INTO t (k, c, v) VALUES (?, ?, ?)", (1, 3, "marker"))
    rows = session.execute("SELECT c, v FROM t WHERE k = %s", [1]).all()
    assert rows == [(1, "it's"), (2, "named"), (3, "marker")]
    assert rows[0].v == "it's"
    assert session.execute("SELECT v FROM t WHERE k = 9").one() is None


def test_prepare_and_bind(session) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (:k, :c, :v)")
    assert insert.bind_names == ["k", "c", "v"]
    assert [str(t) for t in insert.bind_types] == ["int", "int", "text"]
    assert insert.routing_key_indexes == [0]
    session.execute(insert, (2, 1, "a"))
    session.execute(insert.bind({"k": 2, "c": 2, "v": "b"}))
    session.execute(insert.bind({"k": 2, "c": 3, "v": cql.UNSET_VALUE}))  # v: not written
    with pytest.raises(cql.InvalidRequest, match="^Missing value for bind marker v$"):
        session.execute(insert.bind({"k": 2, "c": 4}))
    select = session.prepare("SELECT c, v FROM t WHERE k = ?")
    assert select.column_names == ["c", "v"]
    assert session.execute(select, [2]).all() == [(1, "a"), (2, "b"), (3, None)]
    with pytest.raises(cql.InvalidRequest, match="Invalid amount of bind variables"):
        session.execute(insert, (1, 2))


def test_paging(session) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (1, ?, 'x')")
    for c in range(10):
        session.execute(insert, [c])
    rs = session.execute("SELECT c FROM t WHERE k = 1", fetch_size=4)
    assert [r.c for r in rs.current_rows] == [0, 1, 2, 3]
    assert rs.has_more_pages and isinstance(rs.paging_state, bytes)
    resumed = session.execute("SELECT c FROM t WHERE k = 1", fetch_size=4,
                              paging_state=rs.paging_state)
    assert [r.c for r in resumed.current_rows] == [4, 5, 6, 7]
    assert [r.c for r in rs] == list(range(10))  # iteration fetches the pages
    stmt = cql.SimpleStatement("SELECT c FROM t WHERE k = 1", fetch_size=3)
    first = session.execute(stmt)
    assert len(first) == 3 and [r.c for r in first.all()] == list(range(10))
    assert not session.execute("SELECT c FROM t WHERE k = 1").has_more_pages


def test_row_factories(session) -> None:
    session.execute("INSERT INTO t (k, c, v) VALUES (1, 2, 'x')")
    query = "SELECT k, c, v AS value, writetime(v) > 0 AS fresh FROM t"
    session.row_factory = cql.tuple_factory
    assert session.execute("SELECT k, c, v FROM t").one() == (1, 2, "x")
    session.row_factory = cql.dict_factory
    assert session.execute("SELECT k, c, v AS value FROM t").one() == \
        {"k": 1, "c": 2, "value": "x"}
    session.row_factory = cql.named_tuple_factory
    row = session.execute("SELECT k, c, v AS value FROM t").one()
    assert (row.k, row.c, row.value) == (1, 2, "x")
    assert query  # (the same factory functions on both sessions)


def test_values_are_the_same_python_values(session) -> None:
    session.execute("CREATE TYPE addr (street text, zip int)")
    session.execute("CREATE TABLE v (k int PRIMARY KEY, s set<int>, m map<text, int>, "
                    "l list<text>, ts timestamp, u uuid, d decimal, tu tuple<int, text>, "
                    "a frozen<addr>, b blob, dt date, du duration)")
    u = uuid.UUID("3f9c3c0e-9a5e-4a8e-8a1e-1f5c2d3e4f50")
    ts = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
    session.execute("INSERT INTO v (k, s, m, l, ts, u, d, tu, a, b, dt, du) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, {street: 'Main', zip: 7}, 0xcafe, "
                    "'2024-05-06', 1h2m)",
                    (1, {3, 1, 2}, {"b": 2, "a": 1}, ["x", "y"], ts, u,
                     decimal.Decimal("1.50"), (1, "t")))
    row = session.execute("SELECT * FROM v WHERE k = 1").one()
    embedded = cql.connect(":memory:")
    try:
        embedded.execute("CREATE KEYSPACE x WITH replication = "
                         "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        embedded.set_keyspace("x")
        embedded.execute("CREATE TYPE addr (street text, zip int)")
        embedded.execute("CREATE TABLE v (k int PRIMARY KEY, s set<int>, m map<text, int>, "
                         "l list<text>, ts timestamp, u uuid, d decimal, tu tuple<int, text>, "
                         "a frozen<addr>, b blob, dt date, du duration)")
        embedded.execute("INSERT INTO v (k, s, m, l, ts, u, d, tu, a, b, dt, du) VALUES "
                         "(%s, %s, %s, %s, %s, %s, %s, %s, {street: 'Main', zip: 7}, 0xcafe, "
                         "'2024-05-06', 1h2m)",
                         (1, {3, 1, 2}, {"b": 2, "a": 1}, ["x", "y"], ts, u,
                          decimal.Decimal("1.50"), (1, "t")))
        expected = embedded.execute("SELECT * FROM v WHERE k = 1").one()
    finally:
        embedded.close()
    assert tuple(row) == tuple(expected)
    assert [type(x).__name__ for x in row] == [type(x).__name__ for x in expected]
    assert row.s == {1, 2, 3} and row.m == {"a": 1, "b": 2} and row.ts == ts


def test_batches(session) -> None:
    insert = session.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    session.execute_batch([(insert, (1, 1, "a")),
                           ("INSERT INTO t (k, c, v) VALUES (%s, %s, %s)", (1, 2, "b")),
                           ("UPDATE t SET v = 'c' WHERE k = 1 AND c = 3", None)])
    batch = cql.BatchStatement(cql.BatchType.UNLOGGED)
    batch.add(insert, (2, 1, "d"))
    batch.add(insert.bind((2, 2, "e")))
    batch.add("DELETE FROM t WHERE k = 1 AND c = 3")
    assert len(batch) == 3
    session.execute(batch)
    assert session.execute("SELECT k, c, v FROM t").all() == \
        [(1, 1, "a"), (1, 2, "b"), (2, 1, "d"), (2, 2, "e")]
    session.execute("CREATE TABLE n (k int PRIMARY KEY, hits counter)")
    counters = cql.BatchStatement(cql.BatchType.COUNTER)
    counters.add_all(["UPDATE n SET hits = hits + 2 WHERE k = 1"] * 3, [None] * 3)
    session.execute(counters)
    session.execute_batch([("UPDATE n SET hits = hits + %s WHERE k = 1", (4,))], "COUNTER")
    assert session.execute("SELECT hits FROM n WHERE k = 1").one().hits == 10
    with pytest.raises(cql.InvalidRequest,
                       match="Cannot include a counter statement in a logged batch"):
        session.execute_batch([("UPDATE n SET hits = hits + 1 WHERE k = 1", None)])


def test_lightweight_transactions(session) -> None:
    insert = "INSERT INTO t (k, c, v) VALUES (1, 1, %s) IF NOT EXISTS"
    assert session.execute(insert, ("first",)).was_applied
    rs = session.execute(insert, ("second",))
    assert not rs.was_applied
    assert rs.one() == (False, 1, 1, "first")
    assert rs.column_names == ["[applied]", "k", "c", "v"]
    assert session.execute("UPDATE t SET v = 'third' WHERE k = 1 AND c = 1 IF v = 'first'"
                           ).was_applied
    with pytest.raises(RuntimeError, match="Cannot determine LWT result"):
        session.execute("SELECT v FROM t").was_applied  # noqa: B018


def test_write_timestamps(session) -> None:
    session.execute("INSERT INTO t (k, c, v) VALUES (1, 1, 'x')", timestamp=1234)
    session.execute_batch([("INSERT INTO t (k, c, v) VALUES (1, 2, 'y')", None)],
                          timestamp=5678)
    assert session.execute("SELECT writetime(v) AS w FROM t").all() == [(1234,), (5678,)]
    session.execute("INSERT INTO t (k, c, v) VALUES (1, 1, 'older')", timestamp=1000)
    assert session.execute("SELECT v FROM t WHERE k = 1 AND c = 1").one().v == "x"


def test_traces(session) -> None:
    rs = session.execute("SELECT * FROM t WHERE k = 1", trace=True)
    trace = rs.get_query_trace()
    assert isinstance(trace.trace_id, uuid.UUID)
    assert trace.request_type == "Execute CQL3 query"
    assert trace.parameters["query"] == "SELECT * FROM t WHERE k = 1"
    assert trace.events and all(e.description for e in trace.events)
    assert isinstance(trace.duration, datetime.timedelta)
    assert rs.get_all_query_traces() == [trace]
    assert session.execute("SELECT * FROM t").get_query_trace() is None


def test_errors_are_cql_exceptions_with_cassandras_messages(session) -> None:
    with pytest.raises(cql.SyntaxException, match="line 1:0 no viable alternative at input "
                                                  "'SELEC'"):
        session.execute("SELEC * FROM t")
    with pytest.raises(cql.InvalidRequest, match="^table nope does not exist$"):
        session.execute("SELECT * FROM nope")
    with pytest.raises(cql.AlreadyExists) as info:
        session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    assert (info.value.keyspace, info.value.table) == (session.keyspace, "t")
    with pytest.raises(cql.InvalidRequest, match="Some partition key parts are missing: k"):
        session.execute("INSERT INTO t (c, v) VALUES (1, 'x')")
    with pytest.raises(cql.InvalidRequest, match="Keyspace 'nowhere' does not exist"):
        session.set_keyspace("nowhere")
    with pytest.raises(cql.InvalidRequest):
        session.prepare("SELECT nothing FROM t")


def test_keyspaces(session) -> None:
    session.execute("CREATE KEYSPACE IF NOT EXISTS api_other WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    try:
        session.execute("CREATE TABLE api_other.o (k int PRIMARY KEY)")
        session.set_keyspace("api_other")
        assert session.keyspace == "api_other"
        session.execute("INSERT INTO o (k) VALUES (1)")
        assert session.execute("SELECT k FROM o").all() == [(1,)]
    finally:
        session.set_keyspace("api_keyspaces")
        session.execute("DROP KEYSPACE api_other")
