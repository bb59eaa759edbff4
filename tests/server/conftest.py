"""Servers on free loopback ports, run in a background thread (the driver has its own)."""

from __future__ import annotations

import itertools

import pytest

from cassalite.server import ServerConfig, ServerThread

_ks_counter = itertools.count()


@pytest.fixture(scope="session")
def server():
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING")) as t:
        yield t


@pytest.fixture(scope="session")
def auth_server():
    with ServerThread(ServerConfig(memory=True, port=0, auth=True)) as t:
        yield t


@pytest.fixture(scope="session")
def cluster(server):
    cassandra_cluster = pytest.importorskip("cassandra.cluster")
    c = cassandra_cluster.Cluster(["127.0.0.1"], port=server.port, protocol_version=4,
                                  connect_timeout=5)
    yield c
    c.shutdown()


@pytest.fixture(scope="session")
def dsession(cluster):
    """A driver session (no keyspace) shared by the driver tests."""
    return cluster.connect()


@pytest.fixture
def keyspace(dsession):
    """A fresh keyspace per test, set as the driver session's keyspace."""
    name = f"ks{next(_ks_counter)}"
    dsession.execute(f"CREATE KEYSPACE {name} WITH replication = "
                     "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    dsession.set_keyspace(name)
    return name
