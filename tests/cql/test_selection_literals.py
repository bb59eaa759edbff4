"""Collection, tuple and UDT literals of selectors in a selection (Selectable.WithList,
WithSet, WithMapOrUdt, BetweenParenthesesOrWithTuple)."""

import pytest

from cql import InvalidRequest

from .conftest import ks_session

CANNOT = "in selection clause (try using a cast to force a type)"


@pytest.fixture(scope="module")
def s():
    with ks_session("CREATE TYPE u (a int, b text)",
                    "CREATE TABLE t (pk int, ck int, d duration, PRIMARY KEY (pk, ck))",
                    "INSERT INTO t (pk, ck, d) VALUES (1, 1, 1h)",
                    "INSERT INTO t (pk, ck, d) VALUES (1, 2, 2h)") as session:
        yield session


def rows(s, q):
    return [tuple(r) for r in s.execute(q)]


def test_types_from_the_elements(s):
    assert rows(s, "SELECT [pk, ck] FROM t") == [([1, 1],), ([1, 2],)]
    assert rows(s, "SELECT {ck, pk} FROM t") == [({1},), ({1, 2},)]
    assert rows(s, "SELECT (pk, ck) FROM t") == [((1, 1),), ((1, 2),)]
    # the first element whose type is known types the others ([] and 1)
    assert rows(s, "SELECT [[], [min(ck), max(ck)]], [1, max(ck)] FROM t") == [([[], [1, 2]], [1, 2])]


def test_types_from_a_cast(s):
    assert rows(s, "SELECT (map<text, int>){'min': min(ck), 'max': max(ck)} FROM t") == [
        ({"max": 2, "min": 1},)]
    row = rows(s, "SELECT (u){a: max(ck)}, ((u){a: ck, b: 'x'}).a FROM t WHERE pk = 1 AND ck = 1")[0]
    assert (row[0].a, row[0].b, row[1]) == (1, None, 1)
    assert rows(s, "SELECT (vector<int, 2>)[pk, ck] FROM t") == [([1, 1],), ([1, 2],)]
    # a one-element tuple of the cast's type, else parentheses
    assert rows(s, "SELECT (map<int, frozen<tuple<int>>>){ck: (pk)} FROM t WHERE pk = 1 AND ck = 2") == [
        ({2: (1,)},)]


@pytest.mark.parametrize("query,message", [
    ("SELECT 'a const' FROM t", f"Cannot infer type for term 'a const' {CANNOT}"),
    ("SELECT [1, 2] FROM t", f"Cannot infer type for term [1, 2] {CANNOT}"),
    ("SELECT ((1)) FROM t", f"Cannot infer type for term ((1)) {CANNOT}"),
    ("SELECT {'min': min(ck)} FROM t", f"Cannot infer type for term {{'min': system.min(ck)}} {CANNOT}"),
    ("SELECT {d, d} FROM t", "Durations are not allowed inside sets: frozen<set<duration>>"),
    ("SELECT (map<duration, int>){d: ck} FROM t",
     "Durations are not allowed as map keys: map<duration, int>"),
    ("SELECT (u){c: ck} FROM t", "Unknown field 'c' in value of user defined type u"),
    ("SELECT (ck) FROM t", f"Cannot infer type for term (ck) {CANNOT}"),
    ("SELECT (vector<int, 3>)[pk, ck] FROM t",
     "Unable to create a vector selector of type vector<int, 3> from 2 elements"),
])
def test_errors(s, query, message):
    with pytest.raises(InvalidRequest) as e:
        s.execute(query)
    assert str(e.value) == message


def test_operation_with_one_literal_resolved_like_cassandra(s):
    # FunctionResolver: the literal's own kind and size pick the overload
    s.execute("CREATE TABLE IF NOT EXISTS n (k tinyint PRIMARY KEY, d decimal)")
    s.execute("INSERT INTO n (k, d) VALUES (1, 1.5)")
    r = s.execute("SELECT k + 2147483657, k + 1, (int) -1 FROM n")
    assert [tuple(x) for x in r] == [(2147483658, 2, -1)]
    assert [t.name for t in r.column_types] == ["bigint", "int", "int"]
    with pytest.raises(Exception, match="the operation 'decimal \\+ double' failed: A NaN "
                       "cannot be converted into a decimal"):
        list(s.execute("SELECT d + NAN FROM n"))
