"""cql_server: cassandra-driver talks to a cassalite server; embedded sessions share its data."""

import pytest

cassandra = pytest.importorskip("cassandra")


@pytest.fixture(scope="module")
def driver_session(cql_server):
    cluster = cql_server.cluster(connect_timeout=5)
    yield cluster.connect()
    cluster.shutdown()


def test_driver_writes_embedded_reads(cql_server, driver_session):
    driver_session.execute("CREATE KEYSPACE app WITH replication = "
                           "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    driver_session.execute("CREATE TABLE app.users (id int PRIMARY KEY, name text)")
    insert = driver_session.prepare("INSERT INTO app.users (id, name) VALUES (?, ?)")
    driver_session.execute(insert, (1, "ada"))
    with cql_server.connect("app") as embedded:
        assert embedded.execute("SELECT name FROM users WHERE id = 1").one().name == "ada"


def test_embedded_writes_driver_reads(cql_server, driver_session):
    with cql_server.connect("app") as embedded:
        embedded.execute("INSERT INTO users (id, name) VALUES (2, 'grace')")
    row = driver_session.execute("SELECT name FROM app.users WHERE id = 2").one()
    assert row.name == "grace"


def test_server_address(cql_server):
    assert cql_server.host == "127.0.0.1" and cql_server.contact_points == ["127.0.0.1"]
    assert 0 < cql_server.port < 65536


def test_driver_errors_are_cassandras(driver_session):
    with pytest.raises(cassandra.InvalidRequest, match="table nope does not exist"):
        driver_session.execute("SELECT * FROM app.nope")
