"""Queries answered through a secondary index (legacy and SAI): DISTINCT and PER PARTITION
LIMIT count partitions, every page size gives the unpaged rows and ends, a page resumes
where the last one stopped; an index built over existing data skips oversized values."""

import itertools

import pytest

import cql
from cql import InvalidRequest
from cql.derived import indexes

from .conftest import ks_session

INDEXED = ["p1", "v", "s", "c"]


def _session(using: str) -> cql.Session:
    s = ks_session(
        "CREATE TABLE t (p1 int, p2 int, c int, s int static, v int, w int, "
        "PRIMARY KEY ((p1, p2), c)) WITH CLUSTERING ORDER BY (c DESC)",
        row_factory=cql.tuple_factory)
    for column in INDEXED:
        s.execute(f"CREATE INDEX ON t ({column}){using}")
    for p2 in range(4):
        for c in range(3):
            s.execute("INSERT INTO t (p1, p2, c, s, v, w) VALUES (7, %s, %s, %s, %s, %s)",
                      (p2, c, p2 % 2, c % 2, c))
    s.execute("INSERT INTO t (p1, p2, s) VALUES (7, 9, 1)")  # a partition with no rows
    return s


@pytest.fixture(params=["", " USING 'sai'"], ids=["legacy", "sai"])
def s(request):
    with _session(request.param) as session:
        yield session


def q(s, query, fetch_size=None):
    return list(itertools.islice(s.execute(query, fetch_size=fetch_size), 200))


# token order of the partitions (7, p2): 1, 0, 3, 9, 2
def test_distinct_through_a_partition_key_index_gives_one_row_per_partition(s):
    expected = [(7, 1), (7, 0), (7, 3), (7, 9), (7, 2)]
    assert q(s, "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7") == expected
    assert q(s, "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7 ALLOW FILTERING") == expected
    assert q(s, "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7 LIMIT 2") == expected[:2]
    assert q(s, "SELECT p1, p2 FROM t") == [(7, 1)] * 3 + [(7, 0)] * 3 + [(7, 3)] * 3 + [
        (7, 9)] + [(7, 2)] * 3
    assert q(s, "SELECT DISTINCT p1, p2 FROM t WHERE s = 1") == [(7, 1), (7, 3), (7, 9)]


def test_per_partition_limit_through_an_index(s):
    assert q(s, "SELECT p2, c FROM t WHERE v = 0 PER PARTITION LIMIT 1") == [
        (1, 2), (0, 2), (3, 2), (2, 2)]
    assert q(s, "SELECT p2, c FROM t WHERE p1 = 7 PER PARTITION LIMIT 2") == [
        (1, 2), (1, 1), (0, 2), (0, 1), (3, 2), (3, 1), (9, None), (2, 2), (2, 1)]
    assert q(s, "SELECT p2, c FROM t WHERE p1 = 7 PER PARTITION LIMIT 2 LIMIT 3") == [
        (1, 2), (1, 1), (0, 2)]


SHAPES = [
    "SELECT * FROM t WHERE p1 = 7",
    "SELECT * FROM t WHERE v = 1",
    "SELECT * FROM t WHERE c = 1",
    "SELECT * FROM t WHERE s = 1",
    "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7",
    "SELECT DISTINCT p1, p2 FROM t WHERE s = 1",
    "SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7 LIMIT 3",
    "SELECT * FROM t WHERE v = 0 PER PARTITION LIMIT 1",
    "SELECT * FROM t WHERE p1 = 7 PER PARTITION LIMIT 2",
    "SELECT * FROM t WHERE s = 1 PER PARTITION LIMIT 2",
    "SELECT * FROM t WHERE p1 = 7 LIMIT 5",
    "SELECT * FROM t WHERE v = 0 AND w = 2 ALLOW FILTERING",
    "SELECT * FROM t WHERE p1 = 7 AND c > 0 ALLOW FILTERING",
    "SELECT p1, p2, count(*) FROM t WHERE p1 = 7 GROUP BY p1, p2",
    "SELECT p1, p2, max(c) FROM t WHERE v = 0 GROUP BY p1, p2 LIMIT 3",
    "SELECT count(*) FROM t WHERE p1 = 7",
    "SELECT JSON p2, c FROM t WHERE v = 1",
]


@pytest.mark.parametrize("query", SHAPES)
def test_every_page_size_gives_the_unpaged_rows_and_ends(s, query):
    full = q(s, query)
    assert len(full) < 200
    for fetch_size in (1, 2, 3, 5):
        assert q(s, query, fetch_size) == full, fetch_size


def test_paging_state_of_distinct_ends():
    with _session("") as s:
        page = s.execute("SELECT DISTINCT p1, p2 FROM t WHERE p1 = 7", fetch_size=2)
        seen = list(page.current_rows)
        while page.has_more_pages:
            page.fetch_next_page()
            seen += page.current_rows
            assert len(seen) <= 5
        assert seen == [(7, 1), (7, 0), (7, 3), (7, 9), (7, 2)]


def test_a_page_resumes_where_the_last_one_stopped(monkeypatch):
    """Index entries are read from the resume point on: paging 1,000 rows ten at a time
    decodes about as many entries as rows (it used to reread them all on every page)."""
    with ks_session("CREATE TABLE w (p int, c int, v int, PRIMARY KEY (p, c))",
                    "CREATE INDEX ON w (v)", row_factory=cql.tuple_factory) as s:
        ins = s.prepare("INSERT INTO w (p, c, v) VALUES (?, ?, 1)")
        for i in range(1000):
            s.execute(ins, (i % 3, i))
        decoded = 0
        decode = indexes.decode_clustering

        def counting(*args):
            nonlocal decoded
            decoded += 1
            return decode(*args)

        monkeypatch.setattr(indexes, "decode_clustering", counting)
        rows = list(s.execute("SELECT p, c FROM w WHERE v = 1", fetch_size=10))
        assert len(rows) == 1000 and len(set(rows)) == 1000
        assert decoded < 2500  # 1,307 now; every page reread them all: 50,599


def test_index_build_skips_values_too_large_to_index():
    with ks_session("CREATE TABLE t (p int PRIMARY KEY, v text)",
                    row_factory=cql.tuple_factory) as s:
        for i in range(5):
            s.execute("INSERT INTO t (p, v) VALUES (%s, %s)", (i, str(i)))
        big = "x" * 66536
        s.execute("INSERT INTO t (p, v) VALUES (5, %s)", (big,))
        s.execute("CREATE INDEX ON t (v)")  # Cassandra's build leaves the big value out
        for i in range(5):
            assert q(s, f"SELECT p FROM t WHERE v = '{i}'") == [(i,)]
        select = s.prepare("SELECT p FROM t WHERE v = ?")
        with pytest.raises(InvalidRequest) as e:
            s.execute(select, (big,))
        assert str(e.value) == "Index expression values may not be larger than 64K"
        with pytest.raises(InvalidRequest) as e:  # a write still refuses it
            s.execute("INSERT INTO t (p, v) VALUES (6, %s)", (big,))
        assert str(e.value) == ("Cannot index value of size 66536 for index t_v_idx on "
                                "ks.t(v) (maximum allowed size=65535)")
