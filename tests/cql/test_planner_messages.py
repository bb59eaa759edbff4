"""Statement -> error class + Cassandra's exact message, for the planner's rules."""

import pytest

from cql import InvalidRequest, SyntaxException

from .conftest import ks_session

AF = (
    "Cannot execute this query as it might involve data filtering and thus may have "
    "unpredictable performance. If you want to execute this query despite the performance "
    "unpredictability, use ALLOW FILTERING"
)

CASES = [
    # name resolution
    ("SELECT nope FROM t", InvalidRequest, "Undefined column name nope in table ks.t"),
    ("SELECT * FROM t WHERE nope = 1", InvalidRequest, "Undefined column name nope in table ks.t"),
    ("SELECT * FROM missing", InvalidRequest, "table missing does not exist"),
    ("SELECT * FROM ks2.t", InvalidRequest, "keyspace ks2 does not exist"),
    # per-column merging
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c = 1 AND c > 0", InvalidRequest,
     "c cannot be restricted by more than one relation if it includes an Equal"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c IN (1, 2) AND c > 0", InvalidRequest,
     "c cannot be restricted by more than one relation if it includes a IN"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c > 0 AND c > 1", InvalidRequest,
     "More than one restriction was found for the start bound on c"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c < 0 AND c <= 1", InvalidRequest,
     "More than one restriction was found for the end bound on c"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c > 0 AND c = 1", InvalidRequest,
     "c cannot be restricted by more than one relation if it includes an Equal"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c != 1 AND d = 1", InvalidRequest,
     'Clustering column "d" cannot be restricted (preceding column "c" is restricted by a '
     "non-EQ relation)"),
    # partition key and token
    ("SELECT * FROM t WHERE a = 1", InvalidRequest, AF),
    ("SELECT * FROM t WHERE token(a) > 0", InvalidRequest,
     "The token() function must be applied to all partition key components or none of them"),
    # trunk checks (TokenRelation): every key column, then duplicates, then only key columns
    ("SELECT * FROM t WHERE token(a, a) > 0", InvalidRequest,
     "The token() function must be applied to all partition key components or none of them"),
    ("SELECT * FROM t WHERE token(a, c) > 0", InvalidRequest,
     "The token() function must be applied to all partition key components or none of them"),
    ("SELECT * FROM t WHERE token(a, b, a) > 0", InvalidRequest,
     "The token() function contains duplicate partition key components"),
    ("SELECT * FROM t WHERE token(a, b, c) > 0", InvalidRequest,
     "The token() function must contains only partition key components"),
    ("SELECT * FROM t WHERE token(b, a) > 0", InvalidRequest,
     "The token function arguments must be in the partition key order: a, b"),
    ("SELECT * FROM t WHERE token(a, b) IN (1, 2)", SyntaxException, "line 1:34 "),
    ("SELECT * FROM t WHERE (a, b) = (1, 1)", InvalidRequest,
     "Multi-column relations can only be applied to clustering columns but was applied to: a"),
    # clustering
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND d = 1", InvalidRequest,
     'PRIMARY KEY column "d" cannot be restricted as preceding column "c" is not restricted'),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c > 1 AND d = 1", InvalidRequest,
     'Clustering column "d" cannot be restricted (preceding column "c" is restricted by a '
     'non-EQ relation)'),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND (d, c) = (1, 1)", InvalidRequest,
     "Clustering columns must appear in the PRIMARY KEY order in multi-column relations: "
     "(d, c)"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND (c, d) = (1, 1, 1)", InvalidRequest,
     "Expected 2 elements in value for tuple (c, d), but got 3: (1, 1, 1)"),
    ("SELECT * FROM t WHERE c = 1", InvalidRequest, AF),
    ("SELECT * FROM t WHERE v = 1", InvalidRequest, AF),
    # collections
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND v CONTAINS 1 ALLOW FILTERING", InvalidRequest,
     "Cannot use CONTAINS on non-collection column v"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND l CONTAINS KEY 1 ALLOW FILTERING",
     InvalidRequest, "Cannot use CONTAINS KEY on non-map column l"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND l = [1] ALLOW FILTERING", InvalidRequest,
     "Collection column 'l' (list<int>) cannot be restricted by a '=' relation"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND l[0] = 1 ALLOW FILTERING", InvalidRequest,
     "Indexes on list entries (l[index] = value) are not currently supported."),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND fm['x'] = 1 ALLOW FILTERING", InvalidRequest,
     "Map-entry predicates on frozen map column fm are not supported"),
    # ORDER BY
    ("SELECT * FROM t WHERE a = 1 AND b = 1 ORDER BY v DESC", InvalidRequest,
     "Order by is currently only supported on the clustered columns of the PRIMARY KEY, got v"),
    ("SELECT * FROM t ORDER BY c DESC", InvalidRequest,
     "ORDER BY is only supported when the partition key is restricted by an EQ or an IN."),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 ORDER BY d DESC", InvalidRequest,
     "Order by currently only supports the ordering of columns following their declared "
     "order in the PRIMARY KEY"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 ORDER BY c ASC, d DESC", InvalidRequest,
     "Unsupported order by relation"),
    # DISTINCT, GROUP BY, LIMIT, aggregates
    ("SELECT DISTINCT c FROM t", InvalidRequest,
     "SELECT DISTINCT queries must only request partition key columns and/or static columns "
     "(not c)"),
    ("SELECT DISTINCT a FROM t", InvalidRequest,
     "SELECT DISTINCT queries must request all the partition key columns (missing b)"),
    ("SELECT DISTINCT a, b FROM t PER PARTITION LIMIT 1", InvalidRequest,
     "PER PARTITION LIMIT is not allowed with SELECT DISTINCT queries"),
    ("SELECT a, count(*) FROM t GROUP BY v", InvalidRequest,
     "Group by is currently only supported on the columns of the PRIMARY KEY, got v"),
    ("SELECT a, count(*) FROM t GROUP BY a", InvalidRequest,
     "Group by is not supported on only a part of the partition key"),
    ("SELECT a, count(*) FROM t GROUP BY a, b, d", InvalidRequest,
     "Group by currently only support groups of columns following their declared order in "
     "the PRIMARY KEY"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 LIMIT 0", InvalidRequest,
     "LIMIT must be strictly positive"),
    ("SELECT count(*) FROM t PER PARTITION LIMIT 2", InvalidRequest,
     "PER PARTITION LIMIT is not allowed with aggregate queries."),
    ("SELECT max(count(*)) FROM t", InvalidRequest,
     "aggregate functions cannot be used as arguments of aggregate functions"),
    ("SELECT writetime(a) FROM t", InvalidRequest,
     "Cannot use selection function writetime on PRIMARY KEY part a"),
    ("SELECT ttl(c) FROM t", InvalidRequest,
     "Cannot use selection function ttl on PRIMARY KEY part c"),
    # writes
    ("INSERT INTO t (a, b, c, d, v, v) VALUES (1, 1, 1, 1, 1, 1)", InvalidRequest,
     "The column names contains duplicates"),
    ("INSERT INTO t (a, b, c, d) VALUES (1, 1, 1)", InvalidRequest,
     "Unmatched column names/values"),
    ("INSERT INTO t (a, b, c, d, v) VALUES (1, 1, 1, 1, 'x')", InvalidRequest,
     'Invalid STRING constant (x) for "v" of type int'),
    ("INSERT INTO t (a, b, c, d) VALUES (1, null, 1, 1)", InvalidRequest,
     "Invalid null value for column b"),  # trunk's wording (5.0: "... in condition for ...")
    ("UPDATE t SET v = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d > 1", InvalidRequest,
     "Slice restrictions are not supported on the clustering columns in UPDATE statements"),
    ("UPDATE t SET v = v + 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1", InvalidRequest,
     "Invalid operation (v = v + 1) for non counter column v"),
    ("UPDATE t SET fm['k'] = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1", InvalidRequest,
     "Invalid operation (fm['k'] = 1) for frozen collection column fm"),
    ("UPDATE t SET v[1] = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1", InvalidRequest,
     "Invalid operation (v[1] = 1) for non collection column v"),
    ("UPDATE t SET s = [1] + s WHERE a = 1 AND b = 1 AND c = 1 AND d = 1", InvalidRequest,
     "Invalid operation (s = [1] + s) for non list column s"),
    ("UPDATE t SET v = 1 WHERE token(a, b) = 1 AND c = 1 AND d = 1", InvalidRequest,
     "The token function cannot be used in WHERE clauses for UPDATE statements"),
    ("DELETE FROM t WHERE a = 1 AND b > 1", InvalidRequest,
     "Only EQ and IN relation are supported on the partition key (unless you use the token() "
     "function) for DELETE statements"),
    ("DELETE l[0] FROM t WHERE a = 9 AND b = 9 AND c = 9 AND d = 9", InvalidRequest,
     "Attempted to delete an element from a list which is null"),
    ("DELETE v[0] FROM t WHERE a = 1 AND b = 1 AND c = 1 AND d = 1", InvalidRequest,
     "Invalid deletion operation for non collection column v"),
    ("UPDATE t USING TIMESTAMP 5 SET v = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1 IF v = 1",
     InvalidRequest, "Cannot provide custom timestamp for conditional updates"),
    ("UPDATE t SET v = 1 WHERE a IN (1, 2) AND b = 1 AND c = 1 AND d = 1 IF v = 1",
     InvalidRequest, "IN on the partition key is not supported with conditional updates"),
    ("DELETE FROM t WHERE a = 1 AND b = 1 AND c IN (1, 2) AND d = 1 IF v = 1", InvalidRequest,
     "IN on the clustering key columns is not supported with conditional deletions"),
    ("UPDATE t SET v = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1 IF s CONTAINS 1 AND v < null",
     InvalidRequest, 'Invalid comparison with null for operator "<"'),
    ("UPDATE t SET v = 1 WHERE a = 1 AND b = 1 AND c = 1 AND d = 1 IF s[0] = 1", InvalidRequest,
     "Invalid element access syntax for set column s"),
    ("BEGIN BATCH USING TTL 5 INSERT INTO t (a, b, c, d) VALUES (1, 1, 1, 1) APPLY BATCH",
     InvalidRequest, "Global TTL on the BATCH statement is not supported."),
    ("INSERT INTO t (a, b, c, d) VALUES (1, 1, 1, 1) USING TTL -1", InvalidRequest,
     "A TTL must be greater or equal to 0, but was -1"),
    # syntax errors keep Cassandra's position prefix
    ("SELECT * FORM t", SyntaxException, "line 1:9 "),
]


@pytest.fixture(scope="module")
def s():
    with ks_session("CREATE TABLE t (a int, b int, c int, d int, v int, l list<int>, "
                    "s set<int>, fm frozen<map<text, int>>, PRIMARY KEY ((a, b), c, d))",
                    "INSERT INTO t (a, b, c, d, v) VALUES (1, 1, 1, 1, 1)") as session:
        yield session


@pytest.mark.parametrize("query,error,message", CASES, ids=[c[0][:60] for c in CASES])
def test_planner_message(s, query, error, message):
    with pytest.raises(error) as e:
        s.execute(query)
    if error is SyntaxException:
        assert str(e.value).startswith(message)
    else:
        assert str(e.value) == message
    assert type(e.value) is error


AMBIGUOUS = "use type hint to disambiguate, example '(int) ?'"


@pytest.mark.parametrize("query,message", [
    # a marker beside a literal: tinyint, smallint or int operands all give an int
    ("SELECT * FROM t WHERE a = ? + 1 AND b = 1", f"Ambiguous '+' operation with args ? and 1: {AMBIGUOUS}"),
    ("SELECT * FROM t WHERE a = 1 AND b = 1 AND c = 1 * (? + 1)",
     f"Ambiguous '+' operation with args ? and 1: {AMBIGUOUS}"),
    # no receiver in a selection
    ("SELECT 1 + ?, v FROM t", f"Ambiguous '+' operation with args 1 and ?: {AMBIGUOUS}"),
    ("SELECT ? + 50 FROM t", f"Ambiguous '+' operation with args ? and 50: {AMBIGUOUS}"),
    # trunk resolves WHERE and ORDER BY names among the columns only: an alias is unknown
    ("SELECT a AS x FROM t WHERE x = 0", "Undefined column name x in table ks.t"),
    ("SELECT c AS x FROM t WHERE a = 1 AND b = 1 ORDER BY x",
     "Undefined column name x in table ks.t"),
])
def test_prepare_message(s, query, message):
    with pytest.raises(InvalidRequest) as e:
        s.prepare(query)
    assert str(e.value) == message


def test_operation_with_marker_typed_by_receiver(s):
    # only tinyint + tinyint gives a tinyint: the marker is a tinyint
    s.execute("CREATE TABLE IF NOT EXISTS ops (k int, c tinyint, PRIMARY KEY (k, c))")
    s.execute("INSERT INTO ops (k, c) VALUES (1, 2)")
    assert list(s.execute("SELECT c FROM ops WHERE k = 1 AND c = 1 + ?", [1])) == [(2,)]
    assert list(s.execute("SELECT c FROM ops WHERE k = (int) ? + 1 AND c = 2", [0])) == [(2,)]
