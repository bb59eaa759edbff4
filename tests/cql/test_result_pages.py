"""ResultSet iteration and the named-tuple row factory: iterating gives every page's rows in
order, fetching each next page only once the previous one has been read (as the driver's),
and named tuples are what ``Row._make`` makes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import cql
from cql.session import _row_class, named_tuple_factory

_session = None


def _s():
    global _session
    if _session is None:
        _session = cql.connect(":memory:")
        _session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                         "'replication_factor': 1}")
        _session.execute("CREATE TABLE ks.t (k int, c int, v text, PRIMARY KEY (k, c))")
        ins = _session.prepare("INSERT INTO ks.t (k, c, v) VALUES (?, ?, ?)")
        for i in range(60):
            _session.execute(ins, (i % 7, i, f"v{i}"))
    return _session


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 70))
def test_iterating_pages_fetches_each_page_after_the_previous_one(fetch_size):
    s = _s()
    everything = s.execute("SELECT * FROM ks.t", fetch_size=0).all()
    rs = s.execute("SELECT * FROM ks.t", fetch_size=fetch_size)
    pages = [rs.current_rows]
    seen = []
    for row in rs:
        if rs.current_rows is not pages[-1]:  # a new page, fetched for this row
            assert len(seen) == sum(map(len, pages))  # only once the last one was read
            pages.append(rs.current_rows)
        assert row is rs.current_rows[len(seen) - sum(map(len, pages[:-1]))]
        seen.append(row)
    assert seen == everything == [r for page in pages for r in page]
    assert [len(p) for p in pages[:-1]] == [fetch_size] * (len(pages) - 1)
    assert type(seen[0]).__name__ == "Row" and seen[0]._fields == ("k", "c", "v")
    assert rs.has_more_pages is False


@given(st.lists(st.tuples(st.integers(), st.text()), max_size=5))
def test_named_tuples_are_what_make_makes(rows):
    made = named_tuple_factory(["a", "b"], rows)
    cls = _row_class(("a", "b"))
    assert [type(r) for r in made] == [cls] * len(rows)
    assert made == [cls._make(r) for r in rows]
