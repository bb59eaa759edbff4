"""The prepared-write fast path (Session._run -> ModificationPlan.write_fast) returns what
the general path returns and writes what it writes."""
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
from cql import UNSET_VALUE
from cql.dml import write_builder
from cql.errors import InvalidRequest
from cql.plan import base as plan_base
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


WRITES = {
    "ins": "INSERT INTO t (k, c, v, n) VALUES (?, ?, ?, ?)",
    "ins_kv": "INSERT INTO t (k, c, v) VALUES (?, ?, ?)",
    "upd": "UPDATE t SET v = ?, n = ? WHERE k = ? AND c = ?",
}
_values = st.one_of(st.none(), st.just(UNSET_VALUE), st.text(max_size=150))
_ints = st.one_of(st.integers(-3, 3), st.none())
_write_ops = st.lists(st.tuples(
    st.sampled_from(sorted(WRITES)), st.integers(0, 2), _ints, _values,
    st.one_of(st.none(), st.just(UNSET_VALUE), st.integers(-(1 << 31), (1 << 31) - 1)),
    st.one_of(st.none(), st.integers(-(1 << 40), 1 << 40))), max_size=15)


def _tmpdir(tmp_path_factory) -> str:
    """A directory on tmpfs when there is one (an LSM database per example)."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return tempfile.mkdtemp(prefix="cassalite-test-", dir="/dev/shm")
    return str(tmp_path_factory.mktemp("db"))


def _stored(s) -> tuple:
    """What the engine holds for the table: partitions (memory engine) or the memtable's
    partitions and size estimate (LSM), keyed independently of the table's id."""
    engine, tid = s.database.engine, str(s.database.schema.table("ks", "t").id)
    if hasattr(engine, "commitlog"):
        memtable = engine._tables[tid].memtable
        return dict(memtable.partitions.items()), memtable.size
    return dict(engine._tables[tid].items()), None


@pytest.mark.parametrize("engine", ["memory", "lsm"])
@pytest.mark.parametrize("ttl", [0, 40])
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_write_ops)
def test_fast_writes_store_what_the_general_path_stores(tmp_path_factory, monkeypatch, engine,
                                                         ttl, ops):
    """The fast path (write_fast -> RowWriter.write -> Database.write_row -> the engine's
    write_row), the general one (Database.run -> mutations -> apply) and the general one
    without the compiled writer (the plan's operations) leave the same partitions and
    errors, with and without the table's default TTL; the first two the same memtable size
    (the third keeps no row encodings, so its estimate is smaller)."""
    for module in (write_builder, plan_base):  # the same `now` for all paths
        monkeypatch.setattr(module, "_time", lambda: 1_700_000_000.0)
    sessions = []
    try:
        for path in ("fast", "general", "operations"):
            if engine == "memory":
                s = cql.connect(":memory:")
            else:
                s = cql.connect(_tmpdir(tmp_path_factory), flush_on_close=False,
                                compaction_in_background=False)
            sessions.append(s)
            s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                      "'replication_factor': 1}")
            s.execute("USE ks")
            s.execute("CREATE TABLE t (k int, c int, v text, n int, PRIMARY KEY (k, c)) "
                      f"WITH default_time_to_live = {ttl}")
            prepared = {name: s.prepare(text) for name, text in WRITES.items()}
            for p in prepared.values():
                plan = p._prepared.plan
                assert plan.fast_write
                plan.fast_write = path == "fast"
                if path == "operations":
                    plan.writer = None
            s.outcome = []
            for i, (name, k, c, v, n, ts) in enumerate(ops):
                values = {"ins": (k, c, v, n), "ins_kv": (k, c, v), "upd": (v, n, k, c)}[name]
                try:
                    s.execute(prepared[name], values, timestamp=ts if ts is not None else i + 1)
                    s.outcome.append(None)
                except cql.InvalidRequest as exc:
                    s.outcome.append(str(exc))
        (fast, fast_size), (general, general_size), (ops_, _) = map(_stored, sessions)
        assert sessions[0].outcome == sessions[1].outcome == sessions[2].outcome
        assert fast == general == ops_
        assert fast_size == general_size
    finally:
        for s in sessions:
            s.close()
            if engine == "lsm":
                shutil.rmtree(s.database.engine.path, ignore_errors=True)
