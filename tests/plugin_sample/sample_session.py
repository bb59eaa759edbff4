"""cql_session: a fresh in-memory database per test, its keyspace created and in use."""

import pytest

import cql


def test_keyspace_is_created_and_in_use(cql_session):
    assert cql_session.keyspace == "test_keyspace_is_created_and_in_use"
    row = cql_session.execute(
        "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = %s",
        (cql_session.keyspace,)).one()
    assert row.keyspace_name == cql_session.keyspace


def test_first_writes_a_table(cql_session):
    cql_session.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
    cql_session.execute("INSERT INTO t (k, v) VALUES (1, 'one')")
    assert cql_session.execute("SELECT v FROM t WHERE k = 1").one().v == "one"


def test_second_sees_a_fresh_database(cql_session):
    tables = cql_session.execute("SELECT table_name FROM system_schema.tables "
                                 "WHERE keyspace_name = %s", (cql_session.keyspace,)).all()
    assert tables == []
    with pytest.raises(cql.InvalidRequest):
        cql_session.execute("SELECT * FROM t")


@pytest.mark.parametrize("n", [1, 2])
def test_parametrized_names_are_valid_keyspaces(cql_session, n):
    assert cql_session.keyspace == f"test_parametrized_names_are_valid_keyspaces_{n}"


@pytest.mark.cql_schema("schema.cql")
def test_schema_file(cql_session):
    assert cql_session.execute("SELECT name FROM users WHERE id = 1").one().name == "ada"


@pytest.mark.cql_schema("CREATE TABLE kv (k text PRIMARY KEY, v int);"
                        "INSERT INTO kv (k, v) VALUES ('a', 1)")
def test_schema_text(cql_session):
    assert cql_session.execute("SELECT v FROM kv WHERE k = 'a'").one().v == 1


def test_named_memory_databases_are_shared_in_process():
    a = cql.connect(":memory:sample-shared")
    b = cql.connect(":memory:sample-shared")
    a.execute("CREATE KEYSPACE IF NOT EXISTS shared WITH replication = "
              "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    a.execute("CREATE TABLE IF NOT EXISTS shared.t (k int PRIMARY KEY)")
    a.execute("INSERT INTO shared.t (k) VALUES (7)")
    assert b.execute("SELECT k FROM shared.t").one().k == 7
    a.close()  # closing one session leaves the database to the others
    assert b.execute("SELECT k FROM shared.t").one().k == 7
    private = cql.connect(":memory:")
    with pytest.raises(cql.InvalidRequest):
        private.execute("SELECT k FROM shared.t")
