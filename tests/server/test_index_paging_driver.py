"""The cassandra-driver pages through a query answered by a secondary index until the
server stops handing back a paging state: DISTINCT through an index on a partition key
component used to return the same row with a paging state forever (the driver looped)."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("cassandra")

from cassandra.query import SimpleStatement


def _rows(dsession, query: str, fetch_size: int) -> list:
    result = dsession.execute(SimpleStatement(query, fetch_size=fetch_size), timeout=20)
    return list(itertools.islice(result, 100))  # a paging loop fails instead of hanging


@pytest.mark.parametrize("using", ["", " USING 'sai'"], ids=["legacy", "sai"])
def test_distinct_through_an_index_pages_to_its_end(dsession, keyspace, using):
    dsession.execute("CREATE TABLE t (p1 int, p2 int, c int, PRIMARY KEY ((p1, p2), c)) "
                     "WITH CLUSTERING ORDER BY (c DESC)")
    dsession.execute(f"CREATE INDEX ON t (p1){using}")
    for p2 in range(3):
        for c in (41, 42):
            dsession.execute(f"INSERT INTO t (p1, p2, c) VALUES (7, {p2}, {c})")
    distinct = "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7"
    expected = sorted((7, p2) for p2 in range(3))
    for fetch_size in (1, 2, 5000):
        assert sorted(_rows(dsession, distinct, fetch_size)) == expected
        assert len(_rows(dsession, "SELECT p1, p2 FROM t WHERE p1 = 7", fetch_size)) == 6
        assert len(_rows(dsession, "SELECT p1, p2, c FROM t WHERE p1 = 7 PER PARTITION LIMIT 1",
                         fetch_size)) == 3
