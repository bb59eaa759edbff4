"""Property tests: collection operations against a Python model; views equal their query."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql

from .conftest import ks_session

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _session():
    return ks_session(row_factory=cql.tuple_factory)


small = st.integers(0, 5)
list_ops = st.lists(st.one_of(
    st.tuples(st.just("set"), st.lists(small, max_size=3)),
    st.tuples(st.just("append"), st.lists(small, max_size=3)),
    st.tuples(st.just("prepend"), st.lists(small, max_size=3)),
    st.tuples(st.just("remove"), st.lists(small, max_size=2)),
    st.tuples(st.just("setidx"), st.tuples(st.integers(0, 4), small)),
    st.tuples(st.just("delidx"), st.integers(0, 4)),
), max_size=8)


@SETTINGS
@given(list_ops)
def test_list_operations_match_a_python_list(ops):
    s = _session()
    s.execute("CREATE TABLE t (k int PRIMARY KEY, l list<int>)")
    s.execute("INSERT INTO t (k) VALUES (0)")
    model: list = []
    for op, arg in ops:
        try:
            if op == "set":
                s.execute("UPDATE t SET l = %s WHERE k = 0", (arg,))
                model = list(arg)
            elif op == "append":
                s.execute("UPDATE t SET l = l + %s WHERE k = 0", (arg,))
                model = model + list(arg)
            elif op == "prepend":
                s.execute("UPDATE t SET l = %s + l WHERE k = 0", (arg,))
                model = list(arg) + model
            elif op == "remove":
                s.execute("UPDATE t SET l = l - %s WHERE k = 0", (arg,))
                model = [v for v in model if v not in arg]
            elif op == "setidx":
                idx, value = arg
                s.execute("UPDATE t SET l[%s] = %s WHERE k = 0", (idx, value))
                model[idx] = value
            else:
                s.execute("DELETE l[%s] FROM t WHERE k = 0", (arg,))
                del model[arg]
        except cql.InvalidRequest:
            assert op in ("setidx", "delidx")
            idx = arg[0] if op == "setidx" else arg
            assert idx >= len(model)
        got = s.execute("SELECT l FROM t WHERE k = 0").one()[0]
        assert (got or []) == model


set_map_ops = st.lists(st.one_of(
    st.tuples(st.just("sadd"), st.sets(small, max_size=3)),
    st.tuples(st.just("sremove"), st.sets(small, max_size=3)),
    st.tuples(st.just("put"), st.dictionaries(small, small, max_size=3)),
    st.tuples(st.just("mremove"), st.sets(small, max_size=2)),
    st.tuples(st.just("mset"), st.tuples(small, small)),
    st.tuples(st.just("mdel"), small),
), max_size=8)


@SETTINGS
@given(set_map_ops)
def test_set_and_map_operations_match_python(ops):
    s = _session()
    s.execute("CREATE TABLE t (k int PRIMARY KEY, s set<int>, m map<int, int>)")
    sm: set = set()
    mm: dict = {}
    for op, arg in ops:
        if op == "sadd":
            s.execute("UPDATE t SET s = s + %s WHERE k = 0", (arg,))
            sm |= arg
        elif op == "sremove":
            s.execute("UPDATE t SET s = s - %s WHERE k = 0", (arg,))
            sm -= arg
        elif op == "put":
            s.execute("UPDATE t SET m = m + %s WHERE k = 0", (arg,))
            mm.update(arg)
        elif op == "mremove":
            s.execute("UPDATE t SET m = m - %s WHERE k = 0", (arg,))
            for key in arg:
                mm.pop(key, None)
        elif op == "mset":
            s.execute("UPDATE t SET m[%s] = %s WHERE k = 0", arg)
            mm[arg[0]] = arg[1]
        else:
            s.execute("DELETE m[%s] FROM t WHERE k = 0", (arg,))
            mm.pop(arg, None)
        row = s.execute("SELECT s, m FROM t WHERE k = 0").one()
        got_s, got_m = row if row else (None, None)
        assert set(got_s or ()) == sm and list(got_s or ()) == sorted(sm)
        assert dict(got_m or {}) == mm and list((got_m or {}).keys()) == sorted(mm)


writes = st.lists(st.one_of(
    st.tuples(st.just("upsert"), small, small, st.one_of(st.none(), small)),
    st.tuples(st.just("delete_row"), small, small),
    st.tuples(st.just("delete_partition"), small),
    st.tuples(st.just("null_v"), small, small),
), max_size=12)


@SETTINGS
@given(writes)
def test_view_equals_the_query_it_materializes(ops):
    s = _session()
    s.execute("CREATE TABLE base (k int, c int, v int, PRIMARY KEY (k, c))")
    s.execute("CREATE MATERIALIZED VIEW by_v AS SELECT * FROM base WHERE v IS NOT NULL AND "
              "k IS NOT NULL AND c IS NOT NULL PRIMARY KEY (v, k, c)")
    for op in ops:
        if op[0] == "upsert":
            s.execute("INSERT INTO base (k, c, v) VALUES (%s, %s, %s)", op[1:])
        elif op[0] == "delete_row":
            s.execute("DELETE FROM base WHERE k = %s AND c = %s", op[1:])
        elif op[0] == "delete_partition":
            s.execute("DELETE FROM base WHERE k = %s", op[1:])
        else:
            s.execute("UPDATE base SET v = null WHERE k = %s AND c = %s", op[1:])
    expected = sorted((v, k, c) for k, c, v in s.execute("SELECT k, c, v FROM base")
                      if v is not None)
    assert sorted(s.execute("SELECT v, k, c FROM by_v")) == expected
