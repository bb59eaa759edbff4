"""Permissions through cassandra-driver against ``cassalite-server --auth``."""

from __future__ import annotations

import pytest

pytest.importorskip("cassandra")

from cassandra import Unauthorized  # noqa: E402
from cassandra.auth import PlainTextAuthProvider  # noqa: E402
from cassandra.cluster import Cluster  # noqa: E402

from cassalite.server import ServerConfig, ServerThread  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with ServerThread(ServerConfig(memory=True, port=0, auth=True,
                                   auth_failure_delay_seconds=0)) as t:
        yield t


def connect(server, user, password):
    cluster = Cluster(["127.0.0.1"], port=server.port, protocol_version=4,
                      auth_provider=PlainTextAuthProvider(user, password), connect_timeout=5)
    return cluster, cluster.connect()


def test_non_superuser_without_select_is_refused(server):
    admin_cluster, admin = connect(server, "cassandra", "cassandra")
    alice_cluster = None
    try:
        admin.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
                      "'replication_factor': 1}")
        admin.execute("CREATE TABLE ks.t (k int PRIMARY KEY, v int)")
        admin.execute("INSERT INTO ks.t (k, v) VALUES (1, 1)")
        admin.execute("CREATE ROLE alice WITH LOGIN = true AND PASSWORD = 'pw'")
        alice_cluster, alice = connect(server, "alice", "pw")
        with pytest.raises(Unauthorized) as info:
            alice.execute("SELECT * FROM ks.t")
        assert ("User alice has no SELECT permission on <table ks.t> or any of its parents"
                in str(info.value))
        admin.execute("GRANT SELECT ON ks.t TO alice")
        assert list(alice.execute("SELECT k, v FROM ks.t")) == [(1, 1)]
        prepared = alice.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)")
        with pytest.raises(Unauthorized, match="has no MODIFY permission on <table ks.t>"):
            alice.execute(prepared, (2, 2))
        rows = list(admin.execute("LIST ALL PERMISSIONS OF alice"))
        assert [tuple(r) for r in rows] == [("alice", "alice", "<table ks.t>", "SELECT")]
    finally:
        if alice_cluster is not None:
            alice_cluster.shutdown()
        admin_cluster.shutdown()
