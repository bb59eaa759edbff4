"""Rows written by the prepared INSERT's writer (plain rows, ``CachedRow.plain``) read as
the rows the general write path makes: values, WRITETIME, TTL, slices, point reads and
scans, after overwrites, deletions and expiring writes, from memory, from an LSM
memtable and after a flush."""

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
from cql.dml import write_builder
from cql.plan import base as plan_base

from .test_fast_write import _tmpdir

NOW = 1_700_000_000.0
WRITES = {
    "ins": "INSERT INTO t (k, c, v, n) VALUES (?, ?, ?, ?)",
    "ins_v": "INSERT INTO t (k, c, v) VALUES (?, ?, ?)",
    "ins_ttl": "INSERT INTO t (k, c, v, n) VALUES (?, ?, ?, ?) USING TTL 100",
    "upd": "UPDATE t SET n = ? WHERE k = ? AND c = ?",
    "del_row": "DELETE FROM t WHERE k = ? AND c = ?",
    "del_v": "DELETE v FROM t WHERE k = ? AND c = ?",
    "del_range": "DELETE FROM t WHERE k = ? AND c < ?",
    "del_part": "DELETE FROM t WHERE k = ?",
}
READS = [
    ("SELECT k, c, v, n, WRITETIME(v) AS wv, TTL(n) AS tn FROM t", ()),
    ("SELECT c, v, n FROM t WHERE k = ? AND c < ? LIMIT 3", ("k", "c")),
    ("SELECT v, n FROM t WHERE k = ? AND c = ?", ("k", "c")),
    ("SELECT n, v FROM t WHERE k = ? AND c = ?", ("k", "c")),
    ("SELECT n, WRITETIME(n) AS wn FROM t WHERE k = ? AND c = ?", ("k", "c")),
    ("SELECT c, v FROM t WHERE k = ? ORDER BY c DESC", ("k",)),
]
_ops = st.lists(st.tuples(st.sampled_from(sorted(WRITES)), st.integers(0, 2),
                          st.integers(-2, 2), st.text(max_size=20), st.integers(-5, 5),
                          st.integers(1, 3), st.booleans()), max_size=14)


def _args(name, k, c, v, n):
    return {"ins": (k, c, v, n), "ins_v": (k, c, v), "ins_ttl": (k, c, v, n),
            "upd": (n, k, c), "del_row": (k, c), "del_v": (k, c), "del_range": (k, c),
            "del_part": (k,)}[name]


def _reads(s, reads) -> list:
    out = []
    for stmt, binds in reads:
        for k in range(3):
            for c in range(-2, 3):
                values = [{"k": k, "c": c}[b] for b in binds]
                out.append(sorted(tuple(r) for r in s.execute(stmt, values)))
                if not binds:
                    break
            if not binds:
                break
    return out


@pytest.mark.parametrize("engine", ["memory", "lsm"])
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_ops)
def test_plain_rows_read_as_general_rows(tmp_path_factory, monkeypatch, engine, ops):
    for module in (write_builder, plan_base):  # the same `now` for both paths
        monkeypatch.setattr(module, "_time", lambda: NOW)
    sessions = []
    try:
        for fast in (True, False):
            if engine == "memory":
                s = cql.connect(":memory:")
            else:
                s = cql.connect(_tmpdir(tmp_path_factory), flush_on_close=False,
                                compaction_in_background=False)
            sessions.append(s)
            s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                      "'replication_factor': 1}")
            s.execute("USE ks")
            s.execute("CREATE TABLE t (k int, c int, v text, n int, PRIMARY KEY (k, c))")
            prepared = {name: s.prepare(text) for name, text in WRITES.items()}
            for p in prepared.values():
                plan = p._prepared.plan
                if not fast and getattr(plan, "fast_write", False):
                    plan.fast_write = False
                    plan.writer = None  # the plan's operations: general rows
            reads = [(s.prepare(stmt), binds) for stmt, binds in READS]
            s.seen = []
            for name, k, c, v, n, ts, flush in ops:
                s.execute(prepared[name], _args(name, k, c, v, n), timestamp=ts)
                if flush and engine == "lsm":
                    s.database.engine.flush()
            s.seen.append(_reads(s, reads))
            if engine == "lsm":
                s.database.engine.flush()
                s.seen.append(_reads(s, reads))
        assert sessions[0].seen == sessions[1].seen
    finally:
        for s in sessions:
            s.close()
            if engine == "lsm":
                shutil.rmtree(s.database.engine.path, ignore_errors=True)


def test_prepared_insert_writes_plain_rows():
    """The prepared INSERT of values (no null, no unset, no TTL) makes plain rows; the
    others keep cells (and read the same, see above)."""
    s = cql.connect(":memory:")
    s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("USE ks")
    s.execute("CREATE TABLE t (k int, c int, v text, n int, PRIMARY KEY (k, c))")
    ins = s.prepare("INSERT INTO t (k, c, v, n) VALUES (?, ?, ?, ?)")
    s.execute(ins, (1, 1, "a", 2), timestamp=5)
    s.execute(ins, (1, 2, None, 2), timestamp=5)
    s.execute(ins, (1, 3, cql.UNSET_VALUE, 2), timestamp=5)
    engine, tid = s.database.engine, str(s.database.schema.table("ks", "t").id)
    rows = next(iter(engine._tables[tid].values())).rows
    kinds = [(row.names, row.values) for row in rows.values()]
    assert kinds[0] == (("v", "n"), (b"a", b"\x00\x00\x00\x02"))
    assert kinds[1] == kinds[2] == (None, None)
    assert [tuple(r) for r in s.execute("SELECT c, v, n, WRITETIME(v), TTL(n) FROM t")] == [
        (1, "a", 2, 5, None), (2, None, 2, None, None), (3, None, 2, None, None)]
