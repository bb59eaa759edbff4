"""Semantics of writes and reads through the public API, with exact rows and messages."""

import pytest

import cql
from cql import InvalidRequest

ALLOW_FILTERING = (
    "Cannot execute this query as it might involve data filtering and thus may have "
    "unpredictable performance. If you want to execute this query despite the performance "
    "unpredictability, use ALLOW FILTERING"
)


def rows(s, query, params=None):
    return list(s.execute(query, params))


def test_insert_select_and_token_order(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    for k in range(5):
        s.execute("INSERT INTO t (k, v) VALUES (%s, %s)", (k, f"v{k}"))
    # Murmur3 token order: 1, 0, 2, 4, 3 for int keys 0..4
    assert rows(s, "SELECT k, v FROM t") == [
        (1, "v1"), (0, "v0"), (2, "v2"), (4, "v4"), (3, "v3")
    ]
    assert rows(s, "SELECT token(k), k FROM t WHERE k = 1") == [(-4069959284402364209, 1)]


def test_clustering_order_slices_and_limits(s):
    s.execute("CREATE TABLE m (ch int, id int, body text, PRIMARY KEY (ch, id)) "
              "WITH CLUSTERING ORDER BY (id DESC)")
    insert = s.prepare("INSERT INTO m (ch, id, body) VALUES (?, ?, ?)")
    for ch in (1, 2):
        for i in range(10):
            s.execute(insert, (ch, i, f"m{ch}-{i}"))
    assert [r[0] for r in rows(s, "SELECT id FROM m WHERE ch = 1 LIMIT 3")] == [9, 8, 7]
    assert [r[0] for r in rows(s, "SELECT id FROM m WHERE ch = 1 AND id > 3 AND id <= 6")] == [6, 5, 4]
    assert [r[0] for r in rows(s, "SELECT id FROM m WHERE ch = 1 AND id < 3 ORDER BY id ASC")] == [0, 1, 2]
    assert [r[0] for r in rows(s, "SELECT id FROM m WHERE ch = 1 AND id IN (5, 1, 5, 7)")] == [7, 5, 1]
    assert rows(s, "SELECT ch, id FROM m WHERE ch IN (2, 1) PER PARTITION LIMIT 1") == [(1, 9), (2, 9)]
    assert rows(s, "SELECT count(*) FROM m WHERE ch = 2") == [(10,)]


def test_row_marker_semantics(s):
    s.execute("CREATE TABLE r (k int, c int, v int, PRIMARY KEY (k, c))")
    s.execute("INSERT INTO r (k, c) VALUES (1, 1)")
    s.execute("UPDATE r SET v = 5 WHERE k = 2 AND c = 2")
    assert rows(s, "SELECT * FROM r WHERE k = 1") == [(1, 1, None)]
    s.execute("DELETE v FROM r WHERE k = 2 AND c = 2")
    assert rows(s, "SELECT * FROM r WHERE k = 2") == []
    s.execute("INSERT INTO r (k, c, v) VALUES (3, 3, 3)")
    s.execute("DELETE v FROM r WHERE k = 3 AND c = 3")
    assert rows(s, "SELECT * FROM r WHERE k = 3") == [(3, 3, None)]


def test_timestamps_and_ties(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    s.execute("INSERT INTO t (k, v) VALUES (1, 2) USING TIMESTAMP 10")
    s.execute("INSERT INTO t (k, v) VALUES (1, 1) USING TIMESTAMP 10")
    assert rows(s, "SELECT v, writetime(v) FROM t WHERE k = 1") == [(2, 10)]
    s.execute("INSERT INTO t (k, v) VALUES (1, 7) USING TIMESTAMP 9")
    assert rows(s, "SELECT v FROM t WHERE k = 1") == [(2,)]
    s.execute("DELETE FROM t USING TIMESTAMP 10 WHERE k = 1")
    assert rows(s, "SELECT v FROM t WHERE k = 1") == []
    s.execute("INSERT INTO t (k, v) VALUES (1, 3) USING TIMESTAMP 11")
    assert rows(s, "SELECT v FROM t WHERE k = 1") == [(3,)]


def test_ttl(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v int) WITH default_time_to_live = 100")
    s.execute("INSERT INTO t (k, v) VALUES (1, 1)")
    s.execute("INSERT INTO t (k, v) VALUES (2, 2) USING TTL 0")
    ttl1, = rows(s, "SELECT ttl(v) FROM t WHERE k = 1")[0]
    assert 98 <= ttl1 <= 100
    assert rows(s, "SELECT ttl(v) FROM t WHERE k = 2") == [(None,)]
    with pytest.raises(InvalidRequest) as e:
        s.execute("INSERT INTO t (k, v) VALUES (3, 3) USING TTL -5")
    assert str(e.value) == "A TTL must be greater or equal to 0, but was -5"
    with pytest.raises(InvalidRequest) as e:
        s.execute("INSERT INTO t (k, v) VALUES (3, 3) USING TTL 630720001")
    assert str(e.value) == "ttl is too large. requested (630720001) maximum (630720000)"


def test_range_and_partition_deletes(s):
    s.execute("CREATE TABLE t (k int, c int, v int, PRIMARY KEY (k, c))")
    for c in range(6):
        s.execute("INSERT INTO t (k, c, v) VALUES (1, %s, %s)", (c, c))
    s.execute("DELETE FROM t WHERE k = 1 AND c > 1 AND c <= 3")
    assert [r[0] for r in rows(s, "SELECT c FROM t WHERE k = 1")] == [0, 1, 4, 5]
    s.execute("DELETE FROM t WHERE k = 1 AND c = 4")
    assert [r[0] for r in rows(s, "SELECT c FROM t WHERE k = 1")] == [0, 1, 5]
    s.execute("DELETE FROM t WHERE k = 1")
    assert rows(s, "SELECT c FROM t WHERE k = 1") == []


def test_static_columns(s):
    s.execute("CREATE TABLE t (k int, c int, s int static, v int, PRIMARY KEY (k, c))")
    s.execute("INSERT INTO t (k, s) VALUES (0, 42)")
    assert rows(s, "SELECT * FROM t") == [(0, None, 42, None)]
    s.execute("INSERT INTO t (k, c, v) VALUES (0, 1, 1)")
    s.execute("INSERT INTO t (k, c, v) VALUES (0, 2, 2)")
    assert rows(s, "SELECT k, c, s, v FROM t WHERE k = 0") == [(0, 1, 42, 1), (0, 2, 42, 2)]
    assert rows(s, "SELECT DISTINCT k, s FROM t") == [(0, 42)]


def test_filtering_rules(s):
    s.execute("CREATE TABLE t (k int, c int, v int, PRIMARY KEY (k, c))")
    for k in range(3):
        for c in range(3):
            s.execute("INSERT INTO t (k, c, v) VALUES (%s, %s, %s)", (k, c, k * 10 + c))
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT * FROM t WHERE v = 11")
    assert str(e.value) == ALLOW_FILTERING
    assert rows(s, "SELECT k, c FROM t WHERE v = 11 ALLOW FILTERING") == [(1, 1)]
    assert rows(s, "SELECT k, c FROM t WHERE c = 2 AND v > 15 ALLOW FILTERING") == [(2, 2)]


def test_unknown_names(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT x FROM t")
    assert str(e.value) == "Undefined column name x in table ks.t"
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT * FROM nope")
    assert str(e.value) == "table nope does not exist"
    with pytest.raises(InvalidRequest) as e:
        s.execute("SELECT * FROM nope.t")
    assert str(e.value) == "keyspace nope does not exist"
    with pytest.raises(InvalidRequest) as e:
        s.execute("INSERT INTO t (k, v) VALUES ('a', 1)")
    assert str(e.value) == "Invalid STRING constant (a) for \"k\" of type int"


def test_key_completeness_messages(s):
    s.execute("CREATE TABLE t (a int, b int, c int, v int, PRIMARY KEY ((a, b), c))")
    cases = {
        "INSERT INTO t (a, c, v) VALUES (1, 1, 1)": "Some partition key parts are missing: b",
        "INSERT INTO t (a, b, v) VALUES (1, 1, 1)": "Some clustering keys are missing: c",
        "UPDATE t SET v = 1 WHERE a = 1 AND b = 1": "Some clustering keys are missing: c",
        "UPDATE t SET a = 1 WHERE a = 1 AND b = 1 AND c = 1": "PRIMARY KEY part a found in SET part",
        "UPDATE t SET v = 1 WHERE a = 1 AND b = 1 AND c = 1 AND v = 1":
            "Non PRIMARY KEY columns found in where clause: v ",
        "DELETE v FROM t WHERE a = 1 AND b = 1": "Range deletions are not supported for specific columns",
        "DELETE a FROM t WHERE a = 1 AND b = 1 AND c = 1":
            "Invalid identifier a for deletion (should not be a PRIMARY KEY part)",
        "SELECT * FROM t WHERE token(b, a) > 0":
            "The token function arguments must be in the partition key order: a, b",
    }
    for query, message in cases.items():
        with pytest.raises(InvalidRequest) as e:
            s.execute(query)
        assert str(e.value) == message, query


def test_paging(s):
    s.execute("CREATE TABLE t (k int, c int, PRIMARY KEY (k, c))")
    for k in range(4):
        for c in range(25):
            s.execute("INSERT INTO t (k, c) VALUES (%s, %s)", (k, c))
    first = s.execute("SELECT k, c FROM t", fetch_size=30)
    assert len(first.current_rows) == 30 and first.has_more_pages
    everything = list(s.execute("SELECT k, c FROM t", fetch_size=30))
    assert len(everything) == 100
    assert everything == list(s.execute("SELECT k, c FROM t", fetch_size=1000))
    # A page boundary exactly at the end yields no empty extra page.
    r = s.execute("SELECT k, c FROM t", fetch_size=100)
    assert r.paging_state is None
    limited = list(s.execute("SELECT k, c FROM t LIMIT 42", fetch_size=10))
    assert limited == everything[:42]


def test_collections_whole_values(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, l list<int>, st set<text>, m map<text, int>)")
    s.execute("INSERT INTO t (k, l, st, m) VALUES (1, [3, 1, 2], {'b', 'a'}, {'z': 1, 'y': 2})")
    (l, st, m), = rows(s, "SELECT l, st, m FROM t WHERE k = 1")
    assert l == [3, 1, 2] and list(st) == ["a", "b"] and list(m.items()) == [("y", 2), ("z", 1)]
    s.execute("UPDATE t SET l = l + [4], st = st + {'c'}, m['x'] = 3 WHERE k = 1")
    s.execute("UPDATE t SET l = [0] + l WHERE k = 1")
    (l, st, m), = rows(s, "SELECT l, st, m FROM t WHERE k = 1")
    assert l == [0, 3, 1, 2, 4] and list(st) == ["a", "b", "c"] and m == {"x": 3, "y": 2, "z": 1}
    s.execute("UPDATE t SET l = l - [1], st = st - {'a'}, m = m - {'z'} WHERE k = 1")
    s.execute("UPDATE t SET l[0] = 9 WHERE k = 1")
    (l, st, m), = rows(s, "SELECT l, st, m FROM t WHERE k = 1")
    assert l == [9, 3, 2, 4] and list(st) == ["b", "c"] and m == {"x": 3, "y": 2}
    with pytest.raises(InvalidRequest) as e:
        s.execute("UPDATE t SET l[10] = 1 WHERE k = 1")
    assert str(e.value) == "List index 10 out of bound, list has size 4"
    s.execute("UPDATE t SET l = [] WHERE k = 1")
    assert rows(s, "SELECT l FROM t WHERE k = 1") == [(None,)]


def test_counters(s):
    s.execute("CREATE TABLE c (k int PRIMARY KEY, n counter)")
    for _ in range(3):
        s.execute("UPDATE c SET n = n + 2 WHERE k = 1")
    s.execute("UPDATE c SET n = n - 1 WHERE k = 1")
    assert rows(s, "SELECT n FROM c WHERE k = 1") == [(5,)]
    with pytest.raises(InvalidRequest) as e:
        s.execute("INSERT INTO c (k, n) VALUES (1, 1)")
    assert str(e.value) == "INSERT statements are not allowed on counter tables, use UPDATE instead"
    for using, message in (("TIMESTAMP 5", "Cannot provide custom timestamp for counter updates"),
                           ("TTL 5", "Cannot provide custom TTL for counter updates")):
        for stmt in (f"UPDATE c USING {using} SET n = n + 1 WHERE k = 1",
                     f"DELETE FROM c USING {using} WHERE k = 1"):
            if using.startswith("TTL") and stmt.startswith("DELETE"):
                continue  # DELETE takes no TTL at all (a syntax error)
            with pytest.raises(InvalidRequest) as e:
                s.execute(stmt)
            assert str(e.value) == message
    assert rows(s, "SELECT n FROM c WHERE k = 1") == [(5,)]


def test_lwt(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v int, w text)")
    r = s.execute("INSERT INTO t (k, v, w) VALUES (1, 1, 'a') IF NOT EXISTS")
    assert r.column_names == ["[applied]"] and r.one() == (True,)
    r = s.execute("INSERT INTO t (k, v, w) VALUES (1, 2, 'b') IF NOT EXISTS")
    assert r.column_names == ["[applied]", "k", "v", "w"] and r.one() == (False, 1, 1, "a")
    r = s.execute("UPDATE t SET v = 3 WHERE k = 1 IF v = 5")
    assert r.column_names == ["[applied]", "v"] and r.one() == (False, 1)
    assert s.execute("UPDATE t SET v = 3 WHERE k = 1 IF v = 1").one() == (True,)
    assert s.execute("DELETE FROM t WHERE k = 2 IF EXISTS").one() == (False,)
    assert rows(s, "SELECT v FROM t WHERE k = 1") == [(3,)]


def test_batch_shares_timestamp(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    s.execute("BEGIN BATCH INSERT INTO t (k, v) VALUES (1, 1); DELETE FROM t WHERE k = 1; "
              "INSERT INTO t (k, v) VALUES (2, 2) APPLY BATCH")
    assert rows(s, "SELECT k, v FROM t") == [(2, 2)]
    with pytest.raises(InvalidRequest) as e:
        s.execute("BEGIN BATCH USING TIMESTAMP 1 INSERT INTO t (k, v) VALUES (1, 1) "
                  "USING TIMESTAMP 2; APPLY BATCH")
    assert str(e.value) == "Timestamp must be set either on BATCH or individual statements"


def test_session_stays_usable_after_errors(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY)")
    for bad in ["SELEC * FROM t", "SELECT * FROM t WHERE", "INSERT INTO t (k) VALUES (1, 2)"]:
        with pytest.raises((cql.SyntaxException, InvalidRequest)):
            s.execute(bad)
    s.execute("INSERT INTO t (k) VALUES (1)")
    assert rows(s, "SELECT * FROM t") == [(1,)]


def test_prepared_and_named_markers(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    p = s.prepare("INSERT INTO t (k, v) VALUES (:k, :v)")
    assert p.bind_names == ["k", "v"]
    s.execute(p, {"k": 1, "v": "one"})
    s.execute("INSERT INTO t (k, v) VALUES (?, ?)", (2, "two"))
    q = s.prepare("SELECT v FROM t WHERE k IN ?")
    assert sorted(r[0] for r in s.execute(q, ([1, 2],))) == ["one", "two"]
    s.execute(p, {"k": 1, "v": cql.UNSET_VALUE})
    assert rows(s, "SELECT v FROM t WHERE k = 1") == [("one",)]


def test_insert_json_and_select_json(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text, l list<int>)")
    s.execute("""INSERT INTO t JSON '{"k": 1, "v": "x", "l": [1, 2]}'""")
    assert rows(s, "SELECT JSON k, v, l FROM t") == [('{"k": 1, "v": "x", "l": [1, 2]}',)]


def test_dict_and_named_tuple_factories(s):
    s.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    s.execute("INSERT INTO t (k, v) VALUES (1, 'a')")
    s.row_factory = cql.named_tuple_factory
    row = s.execute("SELECT k, v, writetime(v) FROM t").one()
    assert (row.k, row.v) == (1, "a") and row[2] > 0
    s.row_factory = cql.dict_factory
    assert s.execute("SELECT k, v FROM t").one() == {"k": 1, "v": "a"}


def test_paging_with_static_rows_never_repeats_the_static_row(s):
    s.execute("CREATE TABLE t (k int, c int, s int static, v int, PRIMARY KEY (k, c))")
    for k in range(3):
        s.execute("INSERT INTO t (k, s) VALUES (%s, 5)", (k,))
        for c in range(3):
            s.execute("INSERT INTO t (k, c, v) VALUES (%s, %s, 1)", (k, c))
    s.execute("INSERT INTO t (k, s) VALUES (7, 5)")
    full = rows(s, "SELECT * FROM t")
    assert len(full) == 10
    for fetch_size in range(1, 11):
        assert list(s.execute("SELECT * FROM t", fetch_size=fetch_size)) == full


def test_counter_batch_increments_add_up(s):
    s.execute("CREATE TABLE c (w text PRIMARY KEY, n counter)")
    s.execute("BEGIN COUNTER BATCH UPDATE c SET n = n + 1 WHERE w = 'x'; "
              "UPDATE c SET n = n + 2 WHERE w = 'x'; APPLY BATCH")
    assert rows(s, "SELECT n FROM c WHERE w = 'x'") == [(3,)]
    with pytest.raises(InvalidRequest) as e:
        s.execute("BEGIN BATCH UPDATE c SET n = n + 1 WHERE w = 'x'; APPLY BATCH")
    assert str(e.value) == "Cannot include a counter statement in a logged batch"


def test_deleted_counters_stay_deleted(s):
    s.execute("CREATE TABLE c (k int PRIMARY KEY, n counter)")
    s.execute("UPDATE c SET n = n + 5 WHERE k = 1")
    s.execute("DELETE n FROM c WHERE k = 1")
    s.execute("UPDATE c SET n = n + 1 WHERE k = 1")
    assert rows(s, "SELECT n FROM c WHERE k = 1") == []
    s.execute("UPDATE c SET n = n + 2 WHERE k = 2")
    s.execute("DELETE FROM c WHERE k = 2")
    s.execute("UPDATE c SET n = n + 2 WHERE k = 2")
    assert rows(s, "SELECT * FROM c") == []
    s.execute("TRUNCATE c")
    s.execute("UPDATE c SET n = n + 3 WHERE k = 2")
    assert rows(s, "SELECT * FROM c") == [(2, 3)]


def test_collections_read_back_in_cql_order_and_print_plainly(s):
    import copy
    import pickle

    s.execute("CREATE TABLE coll (k int PRIMARY KEY, m map<text, int>, st set<int>)")
    s.execute("INSERT INTO coll (k, m, st) VALUES (1, {'b': 2, 'a': 1}, {3, 1, 2})")
    s.row_factory = cql.named_tuple_factory
    row = s.execute("SELECT m, st FROM coll WHERE k = 1").one()
    assert list(row.m.items()) == [("a", 1), ("b", 2)] and list(row.st) == [1, 2, 3]
    assert repr(row) == "Row(m={'a': 1, 'b': 2}, st={1, 2, 3})"
    assert row.m == {"a": 1, "b": 2} and row.st == {1, 2, 3}
    assert pickle.loads(pickle.dumps(row.m)) == {"a": 1, "b": 2}
    assert copy.deepcopy(row.st) == {1, 2, 3}


def test_client_warnings_for_wide_aggregates_and_unlogged_batches(s):
    s.execute("CREATE TABLE w (k int, c int, PRIMARY KEY (k, c))")
    warnings = {q: s.execute(q).warnings for q in (
        "SELECT count(*) FROM w", "SELECT count(*) FROM w WHERE k = 1",
        "SELECT count(*) FROM w WHERE k IN (1, 2)", "SELECT k, count(*) FROM w GROUP BY k",
        "SELECT * FROM w")}
    assert warnings == {
        "SELECT count(*) FROM w": ["Aggregation query used without partition key"],
        "SELECT count(*) FROM w WHERE k = 1": [],
        "SELECT count(*) FROM w WHERE k IN (1, 2)": [
            "Aggregation query used on multiple partition keys (IN restriction)"],
        "SELECT k, count(*) FROM w GROUP BY k": ["Aggregation query used without partition key"],
        "SELECT * FROM w": []}
    inserts = " ".join(f"INSERT INTO w (k, c) VALUES ({k}, 0);" for k in range(11))
    assert s.execute(f"BEGIN UNLOGGED BATCH {inserts} APPLY BATCH").warnings == [
        "Unlogged batch covering 11 partitions detected against table [ks.w]. You should use "
        "a logged batch for atomicity, or asynchronous writes for performance."]
    assert s.execute(f"BEGIN BATCH {inserts} APPLY BATCH").warnings == []
    ten = " ".join(f"INSERT INTO w (k, c) VALUES ({k}, 0);" for k in range(10))
    assert s.execute(f"BEGIN UNLOGGED BATCH {ten} APPLY BATCH").warnings == []
