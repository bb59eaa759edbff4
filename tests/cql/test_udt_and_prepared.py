"""UDT field operations, element-level WRITETIME, bind markers in LIMIT/TTL/TIMESTAMP."""

import pytest

import cql
from cql import InvalidRequest

from .conftest import ks_session


@pytest.fixture
def s():
    with ks_session("CREATE TYPE addr (city text, zip int)",
                    "CREATE TABLE u (k int PRIMARY KEY, a addr, fa frozen<addr>, "
                    "m map<text, int>, t tuple<int, text>)",
                    row_factory=cql.tuple_factory) as session:
        yield session


def test_udt_fields(s):
    s.execute("INSERT INTO u (k, a, fa) VALUES (1, {city: 'x', zip: 1}, {city: 'y', zip: 2}) "
              "USING TIMESTAMP 10")
    s.execute("UPDATE u USING TIMESTAMP 11 SET a.city = 'z' WHERE k = 1")
    row = s.execute("SELECT a, a.city, fa.zip FROM u WHERE k = 1").one()
    assert row[0] == ("z", 1) and row[0].city == "z" and row[1:] == ("z", 2)
    s.execute("DELETE a.zip FROM u USING TIMESTAMP 12 WHERE k = 1")
    assert s.execute("SELECT a FROM u WHERE k = 1").one()[0] == ("z", None)
    with pytest.raises(InvalidRequest) as e:
        s.execute("UPDATE u SET fa.city = 'q' WHERE k = 1")
    assert str(e.value) == "Invalid operation (fa.city = 'q') for frozen UDT column fa"
    with pytest.raises(InvalidRequest) as e:
        s.execute("UPDATE u SET a.nope = 'q' WHERE k = 1")
    assert str(e.value) == "UDT column a does not have a field named nope"


def test_tuples_and_element_writetime(s):
    s.execute("INSERT INTO u (k, m, t) VALUES (1, {'a': 1}, (1, 'one')) USING TIMESTAMP 5")
    s.execute("UPDATE u USING TIMESTAMP 7 SET m['b'] = 2 WHERE k = 1")
    assert s.execute("SELECT t, writetime(m), maxwritetime(m) FROM u WHERE k = 1").one() == (
        (1, "one"), [5, 7], 7)


def test_bind_markers_in_limit_ttl_timestamp(s):
    for k in range(5):
        s.execute("INSERT INTO u (k) VALUES (%s)", (k,))
    limited = s.prepare("SELECT k FROM u LIMIT ?")
    assert len(s.execute(limited, (2,)).all()) == 2
    insert = s.prepare("INSERT INTO u (k, t) VALUES (?, ?) USING TTL ? AND TIMESTAMP ?")
    s.execute(insert, (9, (1, "x"), 100, 42))
    ttl, ts = s.execute("SELECT ttl(t), writetime(t) FROM u WHERE k = 9").one()
    assert 98 <= ttl <= 100 and ts == 42
    s.execute(insert, (9, cql.UNSET_VALUE, 0, 43))
    assert s.execute("SELECT t FROM u WHERE k = 9").one() == ((1, "x"),)
    with pytest.raises(InvalidRequest) as e:
        s.execute(limited, (0,))
    assert str(e.value) == "LIMIT must be strictly positive"
