"""A SELECT of one full primary key runs as an exact-key read (cql.dml.point_read): the
same rows and the same errors as the general read path, in memory and in SSTables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cql
from cql import UNSET_VALUE
from cql.plan.base import ExecutionContext

SETUP = [
    "CREATE TABLE t (k int, c bigint, v int, s text, PRIMARY KEY (k, c)) "
    "WITH CLUSTERING ORDER BY (c DESC)",
    "CREATE TABLE t2 (a text, b int, c text, d decimal, v blob, l list<int>, "
    "PRIMARY KEY ((a, b), c, d))",
    "CREATE TABLE t3 (k int PRIMARY KEY, v int, m map<int, text>)",
    "INSERT INTO t (k, c, v, s) VALUES (1, 1, 10, 'a')",
    "INSERT INTO t (k, c, v, s) VALUES (1, 2, 20, 'b')",
    "INSERT INTO t (k, c, v) VALUES (1, 3, 30) USING TTL 1000",
    "INSERT INTO t (k, c) VALUES (2, 1)",
    "UPDATE t SET v = 5 WHERE k = 3 AND c = 1",
    "DELETE FROM t WHERE k = 1 AND c = 2",
    "DELETE FROM t WHERE k = 4 AND c > 1",
    "INSERT INTO t (k, c, v) VALUES (4, 1, 1)",
    "INSERT INTO t (k, c, v) VALUES (4, 2, 2)",
    "INSERT INTO t2 (a, b, c, d, v, l) VALUES ('x', 1, 'y', 1.50, 0x01, [1, 2])",
    "INSERT INTO t2 (a, b, c, d) VALUES ('x', 1, 'z', -3)",
    "INSERT INTO t3 (k, v, m) VALUES (1, 2, {1: 'one'})",
    "INSERT INTO t3 (k) VALUES (2)",
    "DELETE FROM t3 WHERE k = 1",
    "INSERT INTO t3 (k, v) VALUES (1, 3) USING TIMESTAMP 1",
]

CASES = [
    ("SELECT * FROM t WHERE k = ? AND c = ?", [
        (1, 1), (1, 2), (1, 3), (2, 1), (3, 1), (4, 1), (4, 2), (9, 9), (None, 1),
        (1, None), (None, None), (UNSET_VALUE, 1), (1, UNSET_VALUE)]),
    ("SELECT s, c, k FROM t WHERE c = ? AND k = ?", [(1, 1), (2, 1), (1, 2)]),
    ("SELECT v FROM t WHERE k = 1 AND c = ?", [(1,), (3,)]),
    ("SELECT * FROM t2 WHERE a = ? AND b = ? AND c = ? AND d = ?", [
        ("x", 1, "y", "1.5"), ("x", 1, "y", "1.50"), ("x", 1, "z", "-3"), ("x", 2, "y", "1.5"),
        ("x" * 70000, 1, "y", "1"), ("", 0, "", "0")]),
    ("SELECT * FROM t3 WHERE k = ?", [(1,), (2,), (3,)]),
    ("SELECT m, v FROM t3 WHERE k = ?", [(1,), (2,)]),
]

GENERAL_ONLY = [
    "SELECT * FROM t WHERE k = ? AND c = ? LIMIT 1",
    "SELECT * FROM t WHERE k = ? AND c IN (1, 2)",
    "SELECT * FROM t WHERE k = ? AND c >= ?",
    "SELECT * FROM t WHERE k = ?",
    "SELECT count(*) FROM t WHERE k = ? AND c = ?",
    "SELECT JSON * FROM t WHERE k = ? AND c = ?",
    "SELECT writetime(v) FROM t WHERE k = ? AND c = ?",
    "SELECT * FROM t WHERE k = ? AND c = ? AND v = 1 ALLOW FILTERING",
    "SELECT * FROM t WHERE k = ? AND (c) = (?)",
    "SELECT * FROM t WHERE token(k) = token(?) AND k = ? AND c = ?",
]


@pytest.fixture(scope="module", params=["memory", "lsm", "rocks"])
def session(request, tmp_path_factory):
    path = ":memory:point_read" if request.param == "memory" else \
        tmp_path_factory.mktemp("point") / "db"
    if request.param == "rocks":
        pytest.importorskip("rocksdict")
        s = cql.connect(path, engine="rocks")  # its own exact-key read: two gets
    else:
        s = cql.connect(path)
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")
    for i, stmt in enumerate(SETUP):
        s.execute(stmt)
        if request.param == "lsm" and i % 4 == 3:
            s.admin.flush()  # versions spread over SSTables and the memtable
    yield s
    s.close()


def _outcome(plan, db, values, point):
    saved = plan._point
    plan._point = point
    try:
        return plan.execute(db, ExecutionContext(values=values, keyspace="ks")).rows
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return (type(exc).__name__, str(exc))
    finally:
        plan._point = saved


@pytest.mark.parametrize("text,rows", CASES, ids=[c[0] for c in CASES])
def test_point_read_returns_the_general_paths_rows(session, text, rows):
    from decimal import Decimal

    db = session.database
    prepared = db.prepare(text, "ks")
    assert prepared.plan._point is not None
    for values in rows:
        values = [Decimal(v) if isinstance(v, str) and v[-1:].isdigit() and
                  prepared.markers[i].type.name == "decimal" else v
                  for i, v in enumerate(values)]
        bound = prepared.bind(values)
        fast = _outcome(prepared.plan, db, bound, prepared.plan._point)
        general = _outcome(prepared.plan, db, bound, None)
        assert fast == general, values


@pytest.mark.parametrize("text", GENERAL_ONLY)
def test_other_selects_take_the_general_path(session, text):
    assert session.database.prepare(text, "ks").plan._point is None


def test_point_read_through_a_session(session):
    point = session.prepare("SELECT * FROM t WHERE k = ? AND c = ?")
    assert session.execute(point, (1, 1)).one() == (1, 1, "a", 10)
    assert session.execute(point, (1, 2)).one() is None


_KEY_TYPES = ["bigint", "int", "smallint", "tinyint", "text", "ascii", "varint", "blob"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_KEY_TYPES), st.data())
def test_a_point_reads_partition_key_is_the_general_paths(key_type, data):
    """The row's partition key value comes from the bound value (an int or a str of the
    key's type) or from the key bytes: as the general path decodes it, same type."""
    from .types.cqltypes_strategies import values as typed_values

    s = _key_session()
    table = f"k_{key_type}"
    ctype = cql.types.native_type(key_type)
    key = data.draw(typed_values(ctype).filter(lambda v: ctype.serialize(v)))
    s.execute(f"INSERT INTO ks.{table} (k, c, v) VALUES (?, 1, 2)", (key,))
    prepared = s.database.prepare(f"SELECT * FROM ks.{table} WHERE k = ? AND c = ?", "ks")
    point = prepared.plan._point
    bound = prepared.bind((key, 1))
    fast = _outcome(prepared.plan, s.database, bound, point)
    general = _outcome(prepared.plan, s.database, bound, None)
    assert fast == general and [type(v) for v in fast[0]] == [type(v) for v in general[0]]


_key_sessions: list = []


def _key_session():
    if not _key_sessions:
        s = cql.connect(":memory:")
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        for key_type in _KEY_TYPES:
            s.execute(f"CREATE TABLE ks.k_{key_type} (k {key_type}, c int, v int, "
                      "PRIMARY KEY (k, c))")
        _key_sessions.append(s)
    return _key_sessions[0]
