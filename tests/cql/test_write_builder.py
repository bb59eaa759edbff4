"""The prepare-time row writer (cql.dml.write_builder) builds exactly the mutations of the
general ModificationPlan path, and raises the same errors in the same order."""

from __future__ import annotations

import pytest

import cql
from cassalite.storage.lsm.encoding import encode_partition
from cassalite.storage.model import CachedRow, Partition, Row
from cql import UNSET_VALUE
from cql.plan.base import ExecutionContext

SCHEMA = [
    "CREATE TABLE t (k int, c bigint, v int, s text, PRIMARY KEY (k, c)) "
    "WITH CLUSTERING ORDER BY (c DESC)",
    "CREATE TABLE t2 (a text, b int, c text, d int, v blob, f frozen<list<int>>, "
    "PRIMARY KEY ((a, b), c, d))",
    "CREATE TABLE t3 (k int PRIMARY KEY, v int)",
    "CREATE TABLE t4 (k int PRIMARY KEY, v int) WITH default_time_to_live = 50",
    "CREATE TABLE withlist (k int PRIMARY KEY, l list<int>)",
    "CREATE TABLE withstatic (k int, c int, s int static, v int, PRIMARY KEY (k, c))",
]

CASES = [
    ("INSERT INTO t (k, c, v, s) VALUES (?, ?, ?, ?)", [
        (1, 2, 3, "x"), (1, -2, None, "y"), (1, 5, UNSET_VALUE, None), (None, 1, 1, "x"),
        (1, None, 1, "x"), (UNSET_VALUE, 1, 1, "x"), (1, UNSET_VALUE, 1, "x")]),
    ("INSERT INTO t (c, v, k) VALUES (?, ?, ?)", [(1, 2, 3), (None, 1, None), (1, 1, None)]),
    ("INSERT INTO t (k, c, v) VALUES (?, ?, ?) USING TTL ?", [(1, 2, 3, 100), (1, 2, 3, 0),
                                                              (1, 2, 3, -1)]),
    ("INSERT INTO t (k, c, v) VALUES (?, ?, ?) USING TIMESTAMP ?", [(1, 2, 3, 12345)]),
    ("INSERT INTO t (k, c, v) VALUES (1, ?, 7) USING TTL 20 AND TIMESTAMP 99", [(4,)]),
    ("INSERT INTO t (k, c) VALUES (?, ?)", [(1, 9)]),
    ("INSERT INTO t2 (a, b, c, d, v, f) VALUES (?, ?, ?, ?, ?, ?)", [
        ("p", 1, "x", 2, b"\x00\x01", [1, 2]), ("", 0, "", 0, b"", None),
        ("p" * 70000, 1, "c", 2, None, None), ("p", 1, "c" * 70000, 2, None, None),
        ("p", None, None, 1, None, None)]),
    ("INSERT INTO t3 (k, v) VALUES (?, ?)", [(1, 2), (None, 2)]),
    ("INSERT INTO t4 (k, v) VALUES (?, ?)", [(1, 2)]),
    ("UPDATE t SET v = ?, s = ? WHERE k = ? AND c = ?", [
        (1, "a", 2, 3), (None, UNSET_VALUE, 2, 3), (UNSET_VALUE, UNSET_VALUE, 2, 3),
        (1, "a", None, None), (1, "a", 1, None), (1, "a", UNSET_VALUE, 1)]),
    ("UPDATE t USING TTL ? SET v = ? WHERE c = ? AND k = ?", [(10, 1, 2, 3), (0, 1, 2, 3)]),
    ("UPDATE t2 SET v = ? WHERE a = ? AND b = ? AND c = ? AND d = ?", [
        (b"x", "a", 1, "c", 2), (b"x", "a" * 70000, 1, None, 2), (b"x", "", 0, "", 0)]),
    ("UPDATE t3 SET v = ? WHERE k = ?", [(1, 2), (None, 2)]),
]

GENERAL_ONLY = [
    "INSERT INTO t (k, c, v) VALUES (?, ?, ?) IF NOT EXISTS",
    "INSERT INTO withlist (k, l) VALUES (?, ?)",
    "INSERT INTO withstatic (k, c, s, v) VALUES (?, ?, ?, ?)",
    "INSERT INTO withstatic (k, s) VALUES (?, ?)",
    "INSERT INTO t JSON ?",
    "UPDATE t SET v = ? WHERE k = ? AND c IN (1, 2)",
    "UPDATE t SET v = ? WHERE k IN (1, 2) AND c = ?",
    "UPDATE t SET v = ? WHERE k = ? AND c = ? IF v = 1",
    "UPDATE withlist SET l = l + ? WHERE k = ?",
    "UPDATE withstatic SET s = ? WHERE k = ?",
    "DELETE FROM t WHERE k = ? AND c = ?",
]


@pytest.fixture(scope="module")
def session():
    s = cql.connect(":memory:write_builder")
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")
    for stmt in SCHEMA:
        s.execute(stmt)
    return s


def _outcome(plan, db, values, writer):
    saved = plan.writer
    plan.writer = writer
    try:
        ctx = ExecutionContext(values=values, timestamp=1000, keyspace="ks", now=500)
        return [(m.table_id, m.pk, m.update) for m in plan.mutations(db, ctx)]
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return (type(exc).__name__, str(exc))
    finally:
        plan.writer = saved


@pytest.mark.parametrize("text,rows", CASES, ids=[c[0] for c in CASES])
def test_writer_builds_the_general_paths_mutations(session, text, rows):
    db = session.database
    prepared = db.prepare(text, "ks")
    assert prepared.plan.writer is not None
    for values in rows:
        bound = prepared.bind(list(values))
        fast = _outcome(prepared.plan, db, bound, prepared.plan.writer)
        general = _outcome(prepared.plan, db, bound, None)
        assert fast == general, values


@pytest.mark.parametrize("text", GENERAL_ONLY)
def test_other_writes_take_the_general_path(session, text):
    assert session.database.prepare(text, "ks").plan.writer is None


def test_rows_written_through_the_writer(session):
    ins = session.prepare("INSERT INTO t (k, c, v, s) VALUES (?, ?, ?, ?)")
    upd = session.prepare("UPDATE t SET v = ? WHERE k = ? AND c = ?")
    session.execute(ins, (50, 1, 10, "a"))
    session.execute(ins, (50, 2, 20, None))
    session.execute(upd, (21, 50, 2))
    session.execute(upd, (30, 50, 3))
    assert [tuple(r) for r in session.execute("SELECT * FROM t WHERE k = 50")] == [
        (50, 3, None, 30), (50, 2, None, 21), (50, 1, "a", 10)]


def test_writer_rows_in_a_batch_and_through_the_lsm_engine(tmp_path):
    """The writer's updates hold their row in a plain dict; a batch merges several into one
    (unsorted) and the engines sort it. Read back from the memtable, after replaying the
    commit log, and from an SSTable (whose rows reuse the encoding the commit log made)."""
    def rows(s):
        return [tuple(r) for r in s.execute("SELECT * FROM t WHERE k = 1")]

    def connect():
        s = cql.connect(str(tmp_path / "db"))
        s.execute("USE ks")
        return s

    s = cql.connect(str(tmp_path / "db"))
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")
    s.execute(SCHEMA[0])
    ins = s.prepare("INSERT INTO t (k, c, v, s) VALUES (?, ?, ?, ?)")
    batch = cql.BatchStatement()
    for c in (5, 1, 9, 3):
        batch.add(ins, (1, c, c * 10, f"s{c}"))
    s.execute(batch)
    s.execute(ins, (1, 4, 40, None))
    s.execute(ins, (1, 9, 90, "again"))  # overwrites a row of the batch
    expect = [(1, 9, "again", 90), (1, 5, "s5", 50), (1, 4, None, 40), (1, 3, "s3", 30),
              (1, 1, "s1", 10)]
    assert rows(s) == expect
    s.database.engine.commitlog.sync()
    s.database.engine.flush_on_close = False
    s.database.engine.close()  # leaves the commit log to replay
    s = connect()
    assert rows(s) == expect
    s.admin.flush()
    assert rows(s) == expect
    s.close()
    s = connect()
    assert rows(s) == expect
    s.close()


@pytest.mark.parametrize("text,rows", CASES, ids=[c[0] for c in CASES])
def test_rows_the_writer_encodes_encode_as_the_lsm_engine_would(session, text, rows):
    """For an engine that stores encoded rows, the writer encodes an INSERT's plain row as
    it builds it (``CachedRow.tail``): the bytes must be the LSM encoder's."""
    prepared = session.database.prepare(text, "ks")
    for values in rows:
        bound = prepared.bind(list(values))
        for ttl in (0, 100):
            try:
                muts = prepared.plan.writer.mutations(bound, 1000, ttl, 500, True)
            except cql.InvalidRequest:
                continue
            for m in muts:
                for row in m.update.rows.values():
                    if isinstance(row, CachedRow) and row.tail is not None:
                        plain = Row(row.liveness, row.deletion, row.cells)
                        assert encode_partition(Partition(rows={b"c": row})) == \
                            encode_partition(Partition(rows={b"c": plain}))
