"""A prepared SELECT's first page read by ``Session._read_fast`` (``SelectPlan.first_page``,
rows made as the session's named tuples) against the ExecutionContext path (``_run``) and a
tuple-factory session's rows converted by the row factory: the same rows, row types, column
metadata, paging states, next pages and errors, for point reads, slices with LIMIT, IN
queries and scans, with any fetch size."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import cql
from cql.session import Session, dict_factory, named_tuple_factory, tuple_factory

_sessions: list = []

QUERIES = [
    ("SELECT * FROM ks.m WHERE p = ? AND c = ?", 2),
    ("SELECT v, c FROM ks.m WHERE p = ? AND c = ?", 2),
    ("SELECT * FROM ks.m WHERE p = ? AND c < ? LIMIT ?", 3),
    ("SELECT p, t, c FROM ks.m WHERE p = ? AND c >= ? LIMIT 5", 2),
    ("SELECT * FROM ks.m WHERE p IN (?, ?) AND c < ?", 3),
    ("SELECT * FROM ks.m WHERE p = ? PER PARTITION LIMIT ?", 2),
    ("SELECT * FROM ks.m", 0),
    ("SELECT c, v FROM ks.m LIMIT ?", 1),
]


def _s():
    if not _sessions:
        s = cql.connect(":memory:")
        s.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                  "'replication_factor': 1}")
        s.execute("CREATE TABLE ks.m (p bigint, c bigint, v bigint, t text, "
                  "PRIMARY KEY (p, c)) WITH CLUSTERING ORDER BY (c DESC)")
        ins = s.prepare("INSERT INTO ks.m (p, c, v, t) VALUES (?, ?, ?, ?)")
        for i in range(120):
            s.execute(ins, (i % 4, i // 4 - 10, i % 7, f"t{i}" if i % 5 else None))
        tuples = Session(s.database)
        tuples.row_factory = tuple_factory
        dicts = Session(s.database)
        dicts.row_factory = dict_factory
        _sessions.extend((s, tuples, dicts))
    return _sessions


def _pages(run):
    """Each page's (rows, their types, paging state, metadata), or the error."""
    try:
        rs = run()
        pages = []
        while True:
            pages.append((list(rs.current_rows), [type(r).__name__ for r in rs.current_rows],
                          rs.paging_state, rs.column_names, [t.name for t in rs.column_types],
                          rs.warnings, rs.keyspace, rs.table, rs.response_kind, rs.trace,
                          rs.schema_change))
            if not rs.has_more_pages or len(pages) > 40:
                return pages
            rs.fetch_next_page()
    except Exception as exc:  # noqa: BLE001 - compared by class and message
        return (type(exc).__name__, str(exc))


_value = st.one_of(st.integers(-12, 40), st.none(), st.just(0))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(QUERIES), st.lists(_value, min_size=3, max_size=3),
       st.one_of(st.none(), st.integers(-1, 12)))
def test_fast_first_page_is_the_general_paths(query, values, fetch_size):
    s, tuples, dicts = _s()
    text, n = query
    values = values[:n]
    prepared = s.prepare(text)
    plan = prepared._prepared.plan
    fast = _pages(lambda: s.execute(prepared, values, fetch_size=fetch_size))
    size = s.default_fetch_size if fetch_size is None else fetch_size
    general = _pages(lambda: s._run(prepared._prepared, values, size, None, None, False))
    assert fast == general
    plain = _pages(lambda: tuples.execute(tuples.prepare(text), values, fetch_size=fetch_size))
    if isinstance(fast, list):
        assert plan.fast_read  # every query here: a plain selection of a stored table
        assert [named_tuple_factory(p[3], p[0]) for p in plain] == [p[0] for p in fast]
        assert [p[2:] for p in plain] == [p[2:] for p in fast]
        as_dicts = _pages(lambda: dicts.execute(dicts.prepare(text), values,
                                                fetch_size=fetch_size))
        assert [dict_factory(p[3], p[0]) for p in plain] == [p[0] for p in as_dicts]
    else:
        assert plain == fast
