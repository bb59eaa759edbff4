"""Storage-Attached Indexes: the same rows as ALLOW FILTERING on an unindexed table, several
SAI restrictions without ALLOW FILTERING, text analysis, and every SAI message."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
from cql import ConfigurationException, InvalidRequest

_NAMES = itertools.count()
KS = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
COLUMNS = ("(k int, c int, v int, d decimal, t text, ts timestamp, s set<int>, "
           "m map<text, int>, st int static, PRIMARY KEY (k, c))")


def session(*statements: str) -> cql.Session:
    s = cql.connect(f":memory:sai-{next(_NAMES)}")
    s.row_factory = cql.tuple_factory
    s.execute(KS)
    s.set_keyspace("ks")
    for statement in statements:
        s.execute(statement)
    return s


def q(s, query, params=None, **kw):
    return list(s.execute(query, params, **kw))


rows = st.lists(st.tuples(
    st.integers(0, 4), st.integers(0, 4), st.one_of(st.none(), st.integers(-3, 3)),
    st.sampled_from(["1.0", "1.00", "2.5", "-1"]), st.sampled_from(["a", "b", "B", "ab"]),
    st.integers(0, 3), st.sets(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["x", "y"]), st.integers(0, 2), max_size=2),
    st.integers(0, 2)), max_size=25)

CONDITIONS = [
    "v = 1", "v > 0", "v >= -1 AND v < 2", "v BETWEEN -2 AND 1", "t = 'b'", "d = 1",
    "d > 1.0", "ts > 1000", "s CONTAINS 2", "m CONTAINS KEY 'x'", "m CONTAINS 1",
    "m['y'] = 2", "m['x'] > 0", "m['y'] <= 1 AND m['y'] > 0", "m['x'] < 2", "c = 2", "c > 2", "k = 3", "st = 1", "k > 1",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, conds=st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3,
                                  unique=True), fetch=st.sampled_from([None, 2, 5]))
def test_sai_equals_allow_filtering_on_unindexed_table(data, conds, fetch):
    if any(c.startswith("k >") for c in conds):
        conds = [c for c in conds if not c.startswith("k")] + ["token(k) > token(1)"]
    where = " AND ".join(conds)
    s = session(f"CREATE TABLE plain {COLUMNS}", f"CREATE TABLE idx {COLUMNS}")
    for column in ("v", "d", "t", "ts", "s", "keys(m)", "values(m)", "entries(m)", "c", "st"):
        s.execute(f"CREATE INDEX ON idx ({column}) USING 'sai'")
    for k, c, v, d, t, ts, sv, mv, stv in data:
        for table in ("plain", "idx"):
            s.execute(f"INSERT INTO {table} (k, c, v, d, t, ts, s, m, st) VALUES "
                      "(%s, %s, %s, " + d + ", %s, %s, %s, %s, %s)",
                      (k, c, v, t, ts * 1000, sv, mv, stv))
    try:
        expected = q(s, f"SELECT k, c, v FROM plain WHERE {where} ALLOW FILTERING")
    except InvalidRequest as exc:  # e.g. v = 1 AND v > 0: refused the same way
        with pytest.raises(InvalidRequest) as info:
            q(s, f"SELECT k, c, v FROM idx WHERE {where} ALLOW FILTERING")
        assert str(info.value) == str(exc)
        return
    try:
        got = q(s, f"SELECT k, c, v FROM idx WHERE {where}", fetch_size=fetch)
    except InvalidRequest as exc:  # what SAI cannot serve still needs ALLOW FILTERING
        assert "ALLOW FILTERING" in str(exc), exc
        got = q(s, f"SELECT k, c, v FROM idx WHERE {where} ALLOW FILTERING", fetch_size=fetch)
    assert got == expected


def test_several_sai_columns_need_no_allow_filtering_legacy_does():
    s = session("CREATE TABLE t (k int PRIMARY KEY, a int, b text)",
                "CREATE INDEX ON t (a) USING 'sai'", "CREATE INDEX ON t (b) USING 'sai'")
    for i in range(10):
        s.execute("INSERT INTO t (k, a, b) VALUES (%s, %s, %s)", (i, i % 3, "x" if i % 2 else "y"))
    assert sorted(q(s, "SELECT k FROM t WHERE a = 1 AND b = 'x'")) == [(1,), (7,)]
    assert sorted(q(s, "SELECT k FROM t WHERE a > 0 AND a <= 1")) == [(1,), (4,), (7,)]
    legacy = session("CREATE TABLE t (k int PRIMARY KEY, a int, b text)",
                     "CREATE INDEX ON t (a)", "CREATE INDEX ON t (b)")
    with pytest.raises(InvalidRequest, match="ALLOW FILTERING"):
        q(legacy, "SELECT k FROM t WHERE a = 1 AND b = 'x'")
    with pytest.raises(InvalidRequest, match="ALLOW FILTERING"):
        q(legacy, "SELECT k FROM t WHERE a > 0")


def test_map_entry_ranges():
    """Ranges on map entries: served by an SAI entries() index, else ALLOW FILTERING; each
    entry has at most one start and one end bound and no equality beside them."""
    s = session("CREATE TABLE t (k int PRIMARY KEY, m map<text, int>)")
    for k, m in [(1, {"a": 1, "b": 5}), (2, {"a": 3}), (3, {"b": 0})]:
        s.execute("INSERT INTO t (k, m) VALUES (%s, %s)", (k, m))
    with pytest.raises(InvalidRequest, match="use ALLOW FILTERING"):
        q(s, "SELECT k FROM t WHERE m['a'] > 1")
    assert q(s, "SELECT k FROM t WHERE m['a'] > 1 ALLOW FILTERING") == [(2,)]
    assert sorted(q(s, "SELECT k FROM t WHERE m['a'] >= 1 AND m['b'] < 9 ALLOW FILTERING")) == [(1,)]
    s.execute("CREATE INDEX ON t (entries(m)) USING 'sai'")
    assert sorted(q(s, "SELECT k FROM t WHERE m['a'] <= 3 AND m['a'] > 1")) == [(2,)]
    assert q(s, "SELECT k FROM t WHERE m[?] < ?", ["b", 1]) == [(3,)]
    assert q(s, "SELECT k FROM t WHERE m['a'] = 1 AND m['b'] > 4") == [(1,)]
    with pytest.raises(InvalidRequest, match="^More than one restriction was found for the "
                                              "start bound on m$"):
        q(s, "SELECT k FROM t WHERE m['a'] > 1 AND m['a'] >= 2")
    with pytest.raises(InvalidRequest) as info:
        q(s, "SELECT k FROM t WHERE m['a'] = 1 AND m['a'] < 2")
    assert str(info.value) == ('Column "m" cannot be restricted by both an inequality relation '
                               'and "CONTAINS(values=[], keys=[], entryKeys=[61], '
                               'entryValues=[00000001])"')


@pytest.mark.parametrize("options, stored, query, hit", [
    ("{'case_sensitive': false}", "Camel", "camel", True),
    ("{}", "Camel", "camel", False),
    ("{'normalize': true}", "\u00e9", "e\u0301", True),
    ("{'normalize': true, 'case_sensitive': false}", "\u00c9", "e\u0301", True),
    ("{'ascii': true, 'case_sensitive': false}", "\u00c9ppinger", "eppinger", True),
])
def test_text_analysis(options, stored, query, hit):
    s = session("CREATE TABLE t (id text PRIMARY KEY, val text)",
                f"CREATE INDEX ON t (val) USING 'sai' WITH OPTIONS = {options}")
    s.execute("INSERT INTO t (id, val) VALUES ('1', %s)", (stored,))
    assert q(s, "SELECT id FROM t WHERE val = %s", (query,)) == ([("1",)] if hit else [])


SAI_MESSAGES = [
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'mode': 'CONTAINS'}",
     ConfigurationException, None),
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'case-sensitive': 'true'}",
     ConfigurationException, None),
    ("CREATE INDEX ON t (n) USING 'sai' WITH OPTIONS = {'case_sensitive': 'true'}",
     InvalidRequest, None),
    ("CREATE INDEX ON t (c) USING 'sai' WITH OPTIONS = {'normalize': 'true'}",
     InvalidRequest, "Analysis options are not supported on primary key columns, but found "
                     "{'normalize': 'true'}"),
    ("CREATE CUSTOM INDEX ON t (v, n) USING 'sai'", InvalidRequest,
     "storage-attached index cannot be created over multiple columns"),
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'shards': 'x'}", InvalidRequest,
     "Shard count for a storage-attached index must be a valid integer"),
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'shards': '0'}", InvalidRequest,
     "Shard count for a storage-attached index must be a positive integer"),
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'shards': '257'}", InvalidRequest,
     "Shard count for a storage-attached index must not exceed"),
    ("CREATE INDEX ON t (v) USING 'sai' WITH OPTIONS = {'case_sensitive': 'maybe'}",
     InvalidRequest, None),
    ("CREATE INDEX ON t (dur) USING 'sai'", InvalidRequest, None),
    ("CREATE INDEX again ON t (n) USING 'sai' WITH OPTIONS = {'bkd_postings_skip': '5'}",
     InvalidRequest, "Cannot create more than one storage-attached index on the same column: n"),
    ("SELECT * FROM t WHERE v > 'a'", InvalidRequest, "ALLOW FILTERING"),
    ("SELECT * FROM t WHERE n IN (1, 2)", InvalidRequest, "ALLOW FILTERING"),
    ("SELECT * FROM t WHERE n = 1 AND other = 1", InvalidRequest, "ALLOW FILTERING"),
    ("SELECT * FROM t WHERE n = 1 ORDER BY c DESC", InvalidRequest,
     "ORDER BY with 2ndary indexes is not supported, except for ANN queries."),
]


@pytest.mark.parametrize("statement, error, message", SAI_MESSAGES)
def test_sai_message_table(statement, error, message):
    s = session("CREATE TABLE t (k int, c int, v text, n int, other int, dur duration, "
                "PRIMARY KEY (k, c))", "CREATE INDEX ON t (n) USING 'sai'")
    with pytest.raises(error) as info:
        s.execute(statement)
    if message is not None:
        assert message in str(info.value)


def test_legacy_index_keeps_2i_semantics():
    s = session("CREATE TABLE t (k int PRIMARY KEY, a int)", "CREATE INDEX ON t (a)")
    with pytest.raises(InvalidRequest, match="ALLOW FILTERING"):
        q(s, "SELECT k FROM t WHERE a > 1")
    s.execute("INSERT INTO t (k, a) VALUES (1, 2)")
    assert q(s, "SELECT k FROM t WHERE a = 2") == [(1,)]
