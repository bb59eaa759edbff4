"""Secondary indexes: correct after updates, deletes, TTL expiry, TRUNCATE; index kinds."""

import time

import pytest

import cql
from cql import InvalidRequest

from .conftest import ks_session


@pytest.fixture
def s():
    with ks_session("CREATE TABLE t (k int, c int, v int, tags set<text>, m map<text, int>, "
                    "l list<int>, PRIMARY KEY (k, c))", row_factory=cql.tuple_factory) as session:
        yield session


def q(s, query, params=None):
    return list(s.execute(query, params))


def test_regular_column_index_tracks_updates_and_deletes(s):
    for k in range(3):
        for c in range(3):
            s.execute("INSERT INTO t (k, c, v) VALUES (%s, %s, %s)", (k, c, (k + c) % 2))
    s.execute("CREATE INDEX ON t (v)")  # built from existing rows
    assert q(s, "SELECT k, c FROM t WHERE v = 1") == [(1, 0), (1, 2), (0, 1), (2, 1)]
    s.execute("UPDATE t SET v = 0 WHERE k = 0 AND c = 1")
    s.execute("DELETE FROM t WHERE k = 2")
    s.execute("INSERT INTO t (k, c, v) VALUES (5, 5, 1)")
    assert q(s, "SELECT k, c FROM t WHERE v = 1") == [(5, 5), (1, 0), (1, 2)]
    assert q(s, "SELECT k, c FROM t WHERE k = 1 AND v = 1") == [(1, 0), (1, 2)]
    assert q(s, "SELECT k, c FROM t WHERE v = 1", ) == list(
        s.execute("SELECT k, c FROM t WHERE v = 1", fetch_size=1))
    s.execute("TRUNCATE t")
    assert q(s, "SELECT k, c FROM t WHERE v = 1") == []


def test_collection_indexes(s):
    s.execute("CREATE INDEX ON t (tags)")
    s.execute("CREATE INDEX ON t (keys(m))")
    s.execute("CREATE INDEX ON t (entries(m))")
    s.execute("CREATE INDEX ON t (values(l))")
    s.execute("INSERT INTO t (k, c, tags, m, l) VALUES (1, 1, {'a', 'b'}, {'x': 1}, [7, 8])")
    s.execute("INSERT INTO t (k, c, tags, m, l) VALUES (2, 2, {'b'}, {'y': 1}, [8])")
    assert q(s, "SELECT k FROM t WHERE tags CONTAINS 'b'") == [(1,), (2,)]
    assert q(s, "SELECT k FROM t WHERE tags CONTAINS 'a'") == [(1,)]
    assert q(s, "SELECT k FROM t WHERE m CONTAINS KEY 'y'") == [(2,)]
    assert q(s, "SELECT k FROM t WHERE m['x'] = 1") == [(1,)]
    assert q(s, "SELECT k FROM t WHERE l CONTAINS 7") == [(1,)]
    s.execute("UPDATE t SET tags = tags - {'a'} WHERE k = 1 AND c = 1")
    assert q(s, "SELECT k FROM t WHERE tags CONTAINS 'a'") == []


def test_index_and_other_restrictions_need_filtering(s):
    s.execute("CREATE INDEX ON t (v)")
    s.execute("INSERT INTO t (k, c, v, m) VALUES (1, 1, 1, {'x': 1})")
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT * FROM t WHERE v = 1 AND m CONTAINS 1")
    assert "ALLOW FILTERING" in str(e.value)
    assert q(s, "SELECT k FROM t WHERE v = 1 AND m CONTAINS 1 ALLOW FILTERING") == [(1,)]
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT * FROM t WHERE v = 1 ORDER BY c DESC")
    assert str(e.value) == "ORDER BY with 2ndary indexes is not supported, except for ANN queries."


def test_index_skips_expired_values(s):
    s.execute("CREATE INDEX ON t (v)")
    s.execute("INSERT INTO t (k, c, v) VALUES (1, 1, 3) USING TTL 1")
    s.execute("INSERT INTO t (k, c, v) VALUES (2, 2, 3)")
    assert q(s, "SELECT k FROM t WHERE v = 3") == [(1,), (2,)]
    time.sleep(2.05)
    assert q(s, "SELECT k FROM t WHERE v = 3") == [(2,)]


def test_drop_index_restores_filtering_requirement(s):
    s.execute("CREATE INDEX vi ON t (v)")
    s.execute("DROP INDEX vi")
    with pytest.raises(InvalidRequest):
        s.execute("SELECT * FROM t WHERE v = 1")


def test_built_indexes_are_listed_in_system_index_info(s):
    s.execute("CREATE INDEX iv ON t (v)")
    s.execute("CREATE INDEX it ON t (tags) USING 'sai'")
    listed = 'SELECT table_name, index_name, value FROM system."IndexInfo"'
    assert q(s, listed) == [("ks", "it", None), ("ks", "iv", None)]
    s.execute("DROP INDEX iv")
    assert q(s, listed) == [("ks", "it", None)]
    s.execute("DROP TABLE t")
    assert q(s, listed) == []
