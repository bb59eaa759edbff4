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


def test_login_from_outside_the_roles_cidr_groups_is_refused(server):
    from cassandra.cluster import NoHostAvailable

    admin_cluster, admin = connect(server, "cassandra", "cassandra")
    clusters = []
    try:
        admin.execute("INSERT INTO system_auth.cidr_groups (cidr_group, cidrs) "
                      "VALUES ('office', {('10.1.0.0', 16)})")
        admin.execute("INSERT INTO system_auth.cidr_groups (cidr_group, cidrs) "
                      "VALUES ('loopback', {('127.0.0.0', 8)})")
        admin.execute("CREATE ROLE remote WITH LOGIN = true AND PASSWORD = 'pw' "
                      "AND ACCESS FROM CIDRS {'office'}")
        admin.execute("CREATE ROLE local WITH LOGIN = true AND PASSWORD = 'pw' "
                      "AND ACCESS FROM CIDRS {'loopback'} AND ACCESS TO DATACENTERS "
                      "{'datacenter1'}")
        with pytest.raises(NoHostAvailable) as info:
            connect(server, "remote", "pw")
        assert "You do not have access from this IP 127.0.0.1" in str(info.value)
        local_cluster, local = connect(server, "local", "pw")
        clusters.append(local_cluster)
        assert [tuple(r) for r in local.execute("LIST ROLES")] == [
            ("local", False, True, {}, "datacenter1")]
        # lifting the restriction lets the role in
        admin.execute("ALTER ROLE remote WITH ACCESS FROM ALL CIDRS")
        remote_cluster, _ = connect(server, "remote", "pw")
        clusters.append(remote_cluster)
    finally:
        for c in clusters:
            c.shutdown()
        admin.execute("DROP ROLE IF EXISTS remote")
        admin.execute("DROP ROLE IF EXISTS local")
        admin_cluster.shutdown()
