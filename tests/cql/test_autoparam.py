"""Unprepared INSERTs, UPDATEs, DELETEs and SELECTs with literals run as their cached
prepared shape (Database.auto_prepare): the same rows and the same errors as the full parse,
and a fall back on any doubt."""

import itertools

import pytest

import cql

_NAMES = itertools.count()

STATEMENTS = [
    "INSERT INTO t (k, c, v, a, s) VALUES (1, 2, 3, 'x', 'hello')",
    "insert into t (k, c, v, a, s) values (-1, 0, -7, 'y', 'été');",
    "INSERT INTO ks.t (k, c, v) VALUES (2, 3, 99999999999999999999)",
    "INSERT INTO t (k, c, v) VALUES (3, 4, 2147483648)",
    "INSERT INTO t (k, c, b) VALUES (3, 5, 40000)",
    "INSERT INTO t (k, c, b) VALUES (3, 6, 300)",
    "INSERT INTO t (k, c, a) VALUES (4, 1, 'non-ascii é')",
    "INSERT INTO t (k, c, s) VALUES (5, 1, 12)",
    "INSERT INTO t (k, c, v) VALUES (5, 2, 'twelve')",
    "INSERT INTO t (k, c, s) VALUES (5, 3, 'it''s')",
    "INSERT INTO t (k, c, v) VALUES (6, 1, 1.5)",
    "INSERT INTO t (k, c, v) VALUES (6, 2, 0x01)",
    "INSERT INTO t (k, c, v) VALUES (6, 3, 1e3)",
    "INSERT INTO t (k, c, v) VALUES (6, 4)",
    "INSERT INTO t (k, c) VALUES (6, 5, 1)",
    "INSERT INTO t (k, c, v) VALUES (6, 6, 1,)",
    "INSERT INTO t (k, c, c) VALUES (6, 7, 1)",
    "INSERT INTO t (k, c, v) VALUES (7, 1, 1) USING TTL 100",
    "INSERT INTO t (k, c, v) VALUES (7, 2, 1) IF NOT EXISTS",
    "INSERT INTO t (k, c, v) VALUES (7, 3, 1) -- comment",
    "INSERT INTO t (k, c, v) VALUES (7, 4, null)",
    "INSERT INTO t (k, v) VALUES (8, 1)",
    "INSERT INTO t (c, v) VALUES (8, 1)",
    "INSERT INTO missing (k) VALUES (1)",
    "INSERT INTO t (k, c, nope) VALUES (9, 1, 1)",
    "INSERT INTO cnt (k, n) VALUES (1, 1)",
    "INSERT INTO t (k, c, v) VALUES (10, 1, 1); INSERT INTO t (k, c, v) VALUES (10, 2, 2)",
    "INSERT INTO t (k, c, v) VALUES (11, 1, 1)) ",
    "INSERT INTO t (K, C, V) VALUES (12, 1, 1)",
    "UPDATE t SET v = 5, s = 'new' WHERE k = 1 AND c = 1",
    "update t set v = -5 where k = 2 and c = 2;",
    "UPDATE ks.t SET a = 'x, v = 1' WHERE k = 3 AND c = 3",
    "UPDATE t SET s = 'a' WHERE k = 1 AND c = 1 AND s = 'b'",
    "UPDATE t SET v = 5 WHERE k = 1",
    "UPDATE t SET k = 5 WHERE k = 1 AND c = 1",
    "UPDATE t SET v = 'x' WHERE k = 1 AND c = 1",
    "UPDATE t SET v = 2147483648 WHERE k = 1 AND c = 1",
    "UPDATE t SET b = 40000 WHERE k = 1 AND c = 1",
    "UPDATE t SET a = 'é' WHERE k = 1 AND c = 1",
    "UPDATE t SET s = 'a' WHERE k = 1 AND c = 'x'",
    "UPDATE t SET nope = 1 WHERE k = 1 AND c = 1",
    "UPDATE cnt SET n = 1 WHERE k = 1",
    "UPDATE t SET v = 1 WHERE k = 1 AND c = 1 AND v = 2",
    "UPDATE t SET v = 1, v = 2 WHERE k = 1 AND c = 1",
    "UPDATE t SET v = 1 WHERE k = 1 AND k = 2 AND c = 1",
    "UPDATE missing SET v = 1 WHERE k = 1",
    "UPDATE t SET v = 1 WHERE k = 1 AND c = 1 IF EXISTS",
    "DELETE FROM t WHERE k = 1 AND c = 1",
    "DELETE FROM t WHERE k = 2",
    "DELETE FROM t WHERE c = 2",
    "DELETE FROM t WHERE k = 1 AND v = 1",
    "DELETE FROM t WHERE k = 1 AND c = 'x'",
    "DELETE FROM cnt WHERE k = 1",
    "SELECT * FROM t WHERE k = 1",
    "SELECT k, v FROM t WHERE k = 1 AND c = 1",
    "select s, a from t where k = 2 and c = 2;",
    "SELECT K, V FROM t WHERE K = 1",
    "SELECT * FROM t WHERE c = 1",
    "SELECT * FROM t WHERE k = 1 AND v = 1",
    "SELECT * FROM t WHERE k = 'x'",
    "SELECT * FROM t WHERE k = 1 AND k = 2",
    "SELECT * FROM t WHERE k = 1 AND c = -1",
    "SELECT nope FROM t WHERE k = 1",
    "SELECT k, k FROM t WHERE k = 1",
    "SELECT * FROM missing WHERE k = 1",
    "SELECT * FROM t WHERE k = 99999999999",
    "SELECT * FROM t WHERE k = 1 LIMIT 1",
    "SELECT * FROM cnt WHERE k = 1",
]


def _session(auto: bool) -> cql.Session:
    s = cql.connect(f":memory:autoparam-{next(_NAMES)}")
    s.row_factory = cql.tuple_factory
    s.execute("CREATE KEYSPACE ks WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    s.set_keyspace("ks")
    s.execute("CREATE TABLE t (k int, c bigint, v int, b smallint, a ascii, s text, "
              "PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (c DESC)")
    s.execute("CREATE TABLE cnt (k int PRIMARY KEY, n counter)")
    for k in (1, 2, 3):
        s.execute(f"INSERT INTO t (k, c, v, b, a, s) VALUES ({k}, {k}, {k}, {k}, 'a{k}', 's{k}')")
    s.execute("UPDATE cnt SET n = n + 1 WHERE k = 1")
    if not auto:
        s.database.auto_prepare = lambda text, keyspace: None
    return s


def _outcome(s: cql.Session, text: str):
    try:
        rs = s.execute(text)
        return "ok", list(rs)
    except Exception as exc:  # noqa: BLE001 - the point is comparing them
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("text", STATEMENTS)
def test_auto_parameterised_insert_behaves_as_the_full_parse(text):
    auto, full = _session(True), _session(False)
    assert _outcome(auto, text) == _outcome(full, text)
    got = [r[:6] for r in auto.execute("SELECT k, c, v, b, a, s FROM t")]
    want = [r[:6] for r in full.execute("SELECT k, c, v, b, a, s FROM t")]
    assert got == want


def test_plain_update_delete_select_take_the_prepared_shape():
    s = _session(True)
    db = s.database
    for text, shape, values in [
            ("UPDATE t SET v = 3, s = 'x' WHERE k = 1 AND c = 2",
             "UPDATE t SET v = ?, s = ? WHERE k = ? AND c = ?", [3, "x", 1, 2]),
            ("DELETE FROM t WHERE k = 1 AND c = 2", "DELETE FROM t WHERE k = ? AND c = ?",
             [1, 2]),
            ("SELECT k, v FROM t WHERE k = 1 AND c = 2",
             "SELECT k, v FROM t WHERE k = ? AND c = ?", [1, 2])]:
        prepared, bound = db.auto_prepare(text, "ks")
        assert (prepared.text, bound) == (shape, values)
    for text in ["UPDATE t SET v = v + 1 WHERE k = 1 AND c = 1",
                 "SELECT * FROM t WHERE k = 1 LIMIT 1", "SELECT * FROM t WHERE k IN (1, 2)",
                 "DELETE v FROM t WHERE k = 1", "SELECT * FROM t WHERE k = 1 -- comment",
                 "SELECT * FROM t WHERE c = 1"]:
        assert db.auto_prepare(text, "ks") is None, text


def test_simple_insert_takes_the_prepared_shape():
    s = _session(True)
    found = s.database.auto_prepare("INSERT INTO t (k, c, v, s) VALUES (1, -2, 3, 'x')", "ks")
    assert found is not None
    prepared, values = found
    assert values == [1, -2, 3, "x"]
    assert prepared.text == "INSERT INTO t (k, c, v, s) VALUES (?, ?, ?, ?)"
    # the same shape is planned once
    again, _ = s.database.auto_prepare("INSERT INTO t (k, c, v, s) VALUES (5, 6, 7, 'y')", "ks")
    assert again is prepared
