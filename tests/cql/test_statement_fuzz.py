"""Statement fuzzer for the embedded API: mutated CQL never escapes as a Python error.

Valid statements over a small schema are mutated at the token level (dropped, doubled,
swapped, replaced by odd literals and keywords, cut short) and executed, some prepared
and bound with odd values. Every failure must be one of cql's errors (a DriverException
with Cassandra's class and code), never ServerError nor a bare Python exception, which
the server would have to turn into a ServerError for its client.

Seeded; runs for ``CASSALITE_FUZZ_SECONDS`` (default 3) so CI time stays fixed. Failures
name the seed and the statement.
"""

from __future__ import annotations

import os
import random
import re
import time

import pytest

import cql

SEED = int(os.environ.get("CASSALITE_FUZZ_SEED", "20250114"))
BUDGET = float(os.environ.get("CASSALITE_FUZZ_SECONDS", "3"))

SCHEMA = [
    "CREATE KEYSPACE fz WITH replication = {'class': 'SimpleStrategy', "
    "'replication_factor': 1}",
    "USE fz",
    "CREATE TYPE pt (x int, y text)",
    "CREATE TABLE t (k int, c text, v bigint, s set<int>, l list<text>, m map<text, int>, "
    "p frozen<pt>, tu tuple<int, text>, d decimal, u uuid, ts timestamp, b blob, "
    "PRIMARY KEY (k, c))",
    "CREATE TABLE cnt (k int PRIMARY KEY, n counter)",
    "CREATE TABLE st (k int, c int, sv text static, v int, PRIMARY KEY (k, c))",
    "CREATE INDEX ON t (v)",
]

CORPUS = [
    "INSERT INTO t (k, c, v, s, l, m, p, tu, d, u, ts, b) VALUES (1, 'a', 10, {1, 2}, "
    "['x', 'y'], {'a': 1}, {x: 1, y: 'q'}, (1, 'z'), 1.5, "
    "123e4567-e89b-12d3-a456-426614174000, '2024-01-01', 0x6869) USING TTL 100",
    "INSERT INTO t (k, c) VALUES (2, 'b') IF NOT EXISTS",
    "INSERT INTO t JSON '{\"k\": 3, \"c\": \"c\", \"v\": 5}'",
    "UPDATE t SET v = 11 WHERE k = 1 AND c = 'a'",
    "UPDATE t USING TTL 5 SET s = s + {3}, l = l + ['w'], m['b'] = 2 WHERE k = 1 "
    "AND c = 'a' IF v = 10",
    "UPDATE t USING TIMESTAMP 5 SET s = s - {1}, l[0] = 'z' WHERE k = 1 AND c = 'a'",
    "UPDATE cnt SET n = n + 1 WHERE k = 1",
    "DELETE s[1], m['a'] FROM t WHERE k = 1 AND c = 'a'",
    "DELETE FROM t WHERE k = 1 AND c > 'a' AND c < 'z'",
    "SELECT * FROM t WHERE k = 1",
    "SELECT k, c, writetime(v), ttl(v), token(k) FROM t WHERE k IN (1, 2) ORDER BY c DESC "
    "LIMIT 3",
    "SELECT count(*), max(v), sum(v) FROM t WHERE v = 10 ALLOW FILTERING",
    "SELECT JSON k, c FROM t WHERE token(k) > -100 PER PARTITION LIMIT 1",
    "SELECT DISTINCT k FROM t",
    "SELECT k, cast(v AS text), blobAsText(b), toJson(p), p.x, tu FROM t WHERE k = 1 "
    "AND (c) >= ('a')",
    "SELECT k, c, max(v) FROM st WHERE k = 1 GROUP BY k, c",
    "BEGIN BATCH INSERT INTO t (k, c) VALUES (4, 'd'); UPDATE t SET v = 1 WHERE k = 4 AND "
    "c = 'd'; APPLY BATCH",
    "BEGIN COUNTER BATCH UPDATE cnt SET n = n + 2 WHERE k = 2; APPLY BATCH",
    "ALTER TABLE t ADD extra int",
    "ALTER TABLE t WITH comment = 'x' AND gc_grace_seconds = 10",
    "CREATE TABLE IF NOT EXISTS t2 (a int, b int, PRIMARY KEY ((a), b)) WITH CLUSTERING "
    "ORDER BY (b DESC)",
    "CREATE MATERIALIZED VIEW mv AS SELECT k, c FROM t WHERE k IS NOT NULL AND c IS NOT "
    "NULL PRIMARY KEY (c, k)",
    "CREATE FUNCTION IF NOT EXISTS f (a int) RETURNS NULL ON NULL INPUT RETURNS int "
    "LANGUAGE java AS 'return a;'",
    "DROP TABLE IF EXISTS t2",
    "TRUNCATE st",
    "SELECT * FROM system_schema.tables WHERE keyspace_name = 'fz'",
    "DESCRIBE TABLE t",
    "SELECT * FROM t WHERE k = ? AND c = ?",
    "INSERT INTO t (k, c, m) VALUES (?, ?, ?)",
]

ODD = [
    "0", "-1", "2147483648", "-9223372036854775809", "1e308", "-0.0", "NaN", "Infinity",
    "''", "'x'", "'\\''", "$$ $$", "null", "?", ":name", "[]", "{}", "()", "{1: 2}", "(1,)",
    "0x", "0xZZ", "uuid()", "now()", "token(k)", "k", "c", "*", ",", ";", "=", "IN", "AND",
    "WHERE", "FROM", "SELECT", "IF", "EXISTS", "NOT", "CONTAINS", "KEY", "frozen<", ">",
    "fz.t", "\"Quoted\"", "1d2h", "P1D", "2024-13-45", "'2024-02-30'", "-", "+", "..",
    "t.v", "system.local", "ttl", "writetime", "LIMIT", "TIMESTAMP", "USING", "JSON",
    "DISTINCT", "CAST", "AS", "blob", "varint", "vector<float, 3>", "[1.5, 2]",
]

TOKEN = re.compile(r"'(?:[^']|'')*'|\$\$.*?\$\$|\"(?:[^\"]|\"\")*\"|[A-Za-z_][\w.]*|"
                   r"-?\d[\w.\-:]*|0x[0-9a-fA-F]*|[<>!=]=?|\S", re.S)

BIND_VALUES = [None, 0, -1, 2**31, 2**63, "x", "", b"\x00", 1.5, float("nan"), [1], {1: 2},
               {"a": "b"}, (1, "x"), {1, 2}, True, cql.UNSET_VALUE]


LITERALS = [
    "0", "-1", "1", "2147483648", "-2147483649", "9223372036854775808", "1e308", "-1e400",
    "-0.0", "1.5", "NaN", "-Infinity", "''", "'x'", "'a''b'", "$$dollar$$", "null", "true",
    "?", ":named", "[]", "{}", "{1}", "{1: 2}", "{'a': 'b'}", "{x: 1}", "(1, 'x')", "(1)",
    "[1, 2]", "['x']", "0x", "0xcafe", "0x0", "now()", "uuid()", "currentTimestamp()",
    "123e4567-e89b-12d3-a456-426614174000", "'2024-13-45'", "'2024-02-30 25:61:61'",
    "1d2h", "P1D", "-1mo", "'1.2.3.4'", "'not-a-uuid'", "[1.5, 2]", "token(k)", "k",
    "fromJson('{}')", "toJson(k)", "cast(1 AS text)", "(int) 1", "-", "- 1",
]

#: a literal of the statement (number, string, hex, uuid, boolean, null, duration)
LITERAL = re.compile(r"'.*'|\$\$.*\$\$|-?\d.*|0x.*|true|false|null|NaN|Infinity",
                     re.S | re.I)


def mutate(rng: random.Random, text: str) -> str:
    """Mostly type-level changes (a literal replaced by another kind of value), which get
    past the parser into planning and execution; some structural ones for the parser."""
    tokens = TOKEN.findall(text)
    literals = [i for i, t in enumerate(tokens) if LITERAL.fullmatch(t)]
    if literals and rng.random() < 0.7:
        for _ in range(rng.randint(1, 3)):
            tokens[rng.choice(literals)] = rng.choice(LITERALS)
        return " ".join(tokens)
    for _ in range(rng.randint(1, 2)):
        if not tokens:
            break
        kind = rng.random()
        i = rng.randrange(len(tokens))
        if kind < 0.5:
            tokens[i] = rng.choice(ODD + LITERALS)
        elif kind < 0.8:
            del tokens[i]
        elif kind < 0.88:
            tokens.insert(i, tokens[i])
        elif kind < 0.94 and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif kind < 0.97:
            tokens = tokens[:i]
        else:
            tokens.insert(i, rng.choice(tokens))
    return " ".join(tokens)


def _check(error: BaseException, statement: str, seed: int, case: int) -> None:
    where = f"seed {seed} case {case}: {statement!r}"
    assert isinstance(error, cql.DriverException), (
        f"{where} raised {type(error).__name__}: {error}")
    assert not isinstance(error, cql.ServerError), f"{where} raised ServerError: {error}"
    assert isinstance(getattr(error, "code", None), int), where
    assert str(error), f"{where}: {type(error).__name__} without a message"


def _run_one(session, rng: random.Random, statement: str) -> None:
    if rng.random() < 0.3:
        prepared = session.prepare(statement)
        count = len(getattr(prepared, "bind_types", ()) or ())
        values = [rng.choice(BIND_VALUES) for _ in range(count + rng.choice([0, 0, 0, 1, -1]))]
        session.execute(prepared, values)
    else:
        session.execute(statement)


def fresh_session():
    s = cql.connect(":memory:")
    for statement in SCHEMA:
        s.execute(statement)
    return s


@pytest.fixture
def session():
    s = fresh_session()
    yield s
    s.close()


#: a fresh database every so many cases (mutations drop and alter the schema)
RESET_EVERY = 100


#: Python exceptions the fuzzer found (since fixed), with the error Cassandra (trunk) gives
#: for each: they stay as regression tests.
FOUND_CRASHES = [
    # index lookup with a null value (was a TypeError in storage/murmur3.py)
    ("SELECT k FROM t WHERE v = null", "Invalid null value for column v"),
    # DELETE of a null set element (was a TypeError in the set's to_comparable)
    ("DELETE s[null] FROM t WHERE k = 1 AND c = 'a'", "Invalid null set element"),
    # multi-column slice with a null bound (was an AttributeError in text's serialize)
    ("SELECT k FROM t WHERE k = 1 AND (c) >= (null)", "Invalid null value for c in tuple (c)"),
]


@pytest.mark.parametrize("statement,message", FOUND_CRASHES)
def test_found_crashes_are_invalid_requests(session, statement, message):
    with pytest.raises(cql.InvalidRequest) as e:
        session.execute(statement)
    assert str(e.value) == message


def test_mutated_statements_only_raise_cql_errors(session):
    rng = random.Random(SEED)
    deadline = time.monotonic() + BUDGET
    case = 0
    while time.monotonic() < deadline:
        case += 1
        if case % RESET_EVERY == 0:
            session.close()
            session = fresh_session()
        statement = mutate(rng, rng.choice(CORPUS))
        try:
            _run_one(session, rng, statement)
        except Exception as e:  # noqa: BLE001 - what we check
            _check(e, statement, SEED, case)
    assert case > 50
    # the database is still healthy afterwards
    assert session.execute("SELECT release_version FROM system.local").one()[0] == "5.0.0"


def test_the_corpus_itself_runs(session):
    """Unmutated, the statements are valid (so mutations start from real CQL)."""
    for statement in CORPUS:
        if "?" in statement:
            session.prepare(statement)
            continue
        try:
            session.execute(statement)
        except cql.InvalidRequest as e:
            # Java UDFs are refused by cassalite with Cassandra's message
            assert "CREATE FUNCTION" in statement, (statement, e)
