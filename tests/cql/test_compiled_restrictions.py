"""The clustering slices and partition keys a SELECT plan compiles from its restrictions
(cql.plan.slices.compile_slices, WhereClause.compile_partition_keys) are what the general
``clustering_slices`` / ``partition_keys`` compute, values and errors, for any bound
values."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
import cql.types as T
from cql.plan.slices import clustering_slices
from cql.plan.terms import UNSET

from .types.cqltypes_strategies import values as typed_values

TYPES = [T.BIGINT, T.INT, T.TEXT, T.BLOB, T.DOUBLE, T.UUID, T.TIMESTAMP, T.BOOLEAN]
OPS = ["=", "<", "<=", ">", ">=", "!=", "IN"]

_session = None
_tables = itertools.count()


def _session_():
    global _session
    if _session is None:
        _session = cql.connect(":memory:")
        _session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                         "'replication_factor': 1}")
    return _session


@st.composite
def _cases(draw):
    pk = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2))
    ck = draw(st.lists(st.tuples(st.sampled_from(TYPES), st.booleans()), min_size=1,
                       max_size=3))
    name = f"t{next(_tables)}"
    cols = [f"p{i} {t.name}" for i, t in enumerate(pk)] + \
        [f"c{i} {t.name}" for i, (t, _) in enumerate(ck)] + ["v int"]
    key = "(" + ", ".join(f"p{i}" for i in range(len(pk))) + ")" + \
        "".join(f", c{i}" for i in range(len(ck)))
    order = ", ".join(f"c{i} {'DESC' if d else 'ASC'}" for i, (_, d) in enumerate(ck))
    s = _session_()
    s.execute(f"CREATE TABLE ks.{name} ({', '.join(cols)}, PRIMARY KEY ({key})) "
              f"WITH CLUSTERING ORDER BY ({order})")
    where = [f"p{i} = ?" for i in range(len(pk))]
    n_eq = draw(st.integers(0, len(ck)))
    where += [f"c{i} = ?" for i in range(n_eq)]
    if n_eq < len(ck):
        ops = draw(st.lists(st.sampled_from(OPS[1:]), max_size=2, unique=True))
        for op in ops:
            if op == "IN":
                where.append(f"c{n_eq} IN (?, ?)")
            else:
                where.append(f"c{n_eq} {op} ?")
    text = f"SELECT * FROM ks.{name} WHERE {' AND '.join(where)}"
    try:
        prepared = s.database.prepare(text, "ks")
    except cql.InvalidRequest:  # a combination CQL refuses: nothing to compare
        return None
    bound = [draw(st.one_of(typed_values(m.type), st.none(), st.just(UNSET)) if
                  draw(st.integers(0, 9)) == 0 else typed_values(m.type))
             for m in prepared.markers]
    return prepared.plan, bound


def _outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return type(exc).__name__, str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_compiled_restrictions_match_the_general_ones(case):
    if case is None:
        return
    plan, bound = case
    if plan._slices is not None:
        assert _outcome(plan._slices, bound) == \
            _outcome(clustering_slices, plan.meta, plan.where, bound)
    if plan._partition_keys is not None:
        assert _outcome(plan._partition_keys, bound) == \
            _outcome(plan.where.partition_keys, bound)
