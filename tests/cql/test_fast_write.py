"""The prepared-write fast path (Session._run -> ModificationPlan.write_fast) returns what
the general path returns and writes what it writes."""
import pytest

import cql
from cql.errors import InvalidRequest
from cql.session import dict_factory, tuple_factory


@pytest.fixture
def s():
    s = cql.connect()
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")
    s.execute("CREATE TABLE t (k int, c int, v text, PRIMARY KEY (k, c))")
    return s


def _public(rs):
    return {k: v for k, v in vars(rs).items() if not k.startswith("_")}


def test_fast_and_general_results_match(s):
    fast = s.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    general = s.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?) USING TTL 0")
    assert fast._prepared.plan.fast_write and not general._prepared.plan.fast_write
    for factory in (None, tuple_factory, dict_factory, lambda names, rows: ("custom", rows)):
        if factory is not None:
            s.row_factory = factory
        a, b = s.execute(fast, (1, 1, "a")), s.execute(general, (1, 2, "b"))
        assert type(a) is type(b)
        assert _public(a) == _public(b)
        assert a.schema_change is None and not a.has_more_pages
        a.fetch_next_page()
        assert a.current_rows == []
        assert a.column_names is not b.column_names


def test_fast_write_keeps_timestamps_errors_and_tracing(s):
    ins = s.prepare("INSERT INTO t (k, c, v) VALUES (?, ?, ?)")
    upd = s.prepare("UPDATE t SET v = ? WHERE k = ? AND c = ?")
    s.execute(ins, (1, 1, "a"), timestamp=1234)
    s.execute(upd, ("b", 1, 2), timestamp=99)
    rows = s.execute("SELECT c, v, WRITETIME(v) AS w FROM t WHERE k = 1").all()
    assert [(r.c, r.v, r.w) for r in rows] == [(1, "a", 1234), (2, "b", 99)]
    with pytest.raises(InvalidRequest, match="Invalid null value for column k"):
        s.execute(ins, (None, 1, "a"))
    with pytest.raises(InvalidRequest):
        s.execute(ins, (1, 2))  # wrong number of values: refused by bind, as before
    traced = s.execute(ins, (2, 1, "t"), trace=True)
    assert traced.get_query_trace() is not None
    assert s.execute(ins, (2, 2, "u")).get_query_trace() is None
    assert s.execute("SELECT v FROM t WHERE k = 2 AND c = 1").one().v == "t"
