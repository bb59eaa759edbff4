"""cql.connect's targets: cluster URLs, and node addresses that are not directories."""

from __future__ import annotations

import os

import pytest

import cql
from cql.cluster import ClusterConnectionError, parse_target
from cql.cluster.target import TargetError


def test_url_parsing() -> None:
    t = parse_target("cassandra://h1,h2:9043/ks?consistency=local_quorum&dc=dc1&user=u"
                     "&password=p%40ss&ssl=true&request_timeout=3")
    assert (t.scheme, t.hosts, t.port, t.keyspace) == ("cassandra", ("h1", "h2"), 9043, "ks")
    assert (t.consistency, t.dc, t.user, t.password, t.ssl) == \
        ("LOCAL_QUORUM", "dc1", "u", "p@ss", True)
    assert t.request_timeout == 3.0 and t.serial_consistency == "SERIAL"
    t = parse_target("scylla://me:secret@[::1]:19042")
    assert (t.scheme, t.hosts, t.port, t.keyspace, t.user, t.password) == \
        ("scylla", ("::1",), 19042, None, "me", "secret")
    assert t.url() == "scylla://me@::1:19042/"
    assert parse_target("cassandra://node").port == 9042


@pytest.mark.parametrize(("url", "message"), [
    ("cassandra:///ks", "No host in 'cassandra:///ks'"),
    ("cassandra://h:99999", "Bad port '99999'"),
    ("cassandra://h?consistency=MOST", "Unknown consistency level 'MOST' for consistency"),
    ("cassandra://h?ssl=maybe", "Option ssl takes true or false, not 'maybe'"),
    ("cassandra://h?colour=red", "Unknown option 'colour'"),
    ("cassandra://h?serial_consistency=ONE", "serial_consistency is SERIAL or LOCAL_SERIAL"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(TargetError) as info:
        cql.connect(url)
    assert message in str(info.value)


@pytest.mark.parametrize("path", ["127.0.0.1:9042", "localhost:9042", "h1,h2:9042/ks",
                                  "[::1]:9042"])
def test_an_address_is_not_a_directory(tmp_path, monkeypatch, path: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=f"^'{path.replace('[', '.').replace(']', '.')}' looks "
                                         "like a node's address, not a data directory: to "
                                         "connect to a cluster, use cql.connect"):
        cql.connect(path)
    assert os.listdir(tmp_path) == []
    (tmp_path / "db:1").mkdir()  # an existing directory of such a name still opens
    with cql.connect("db:1") as session:
        assert isinstance(session, cql.Session)


def test_no_node_is_a_connection_error() -> None:
    with pytest.raises(ClusterConnectionError, match="^Could not connect to "
                                                     r"cassandra://127\.0\.0\.1:1/: "):
        cql.connect("cassandra://127.0.0.1:1?connect_timeout=2")


def test_keyspace_in_the_url(server, cluster_url: str) -> None:
    with cql.connect(cluster_url) as s:
        s.execute("CREATE KEYSPACE IF NOT EXISTS urlks WITH replication = "
                  "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    url = f"scylla://127.0.0.1:{server.port}/urlks?protocol_version=4&consistency=QUORUM"
    with cql.connect(url) as s:
        assert s.keyspace == "urlks"
        assert s.default_consistency_level == cql.ConsistencyLevel.QUORUM
        assert repr(s) == f"<ClusterSession scylla://127.0.0.1:{server.port}/urlks " \
                          "keyspace=urlks>"
    with cql.connect(cluster_url, keyspace="urlks") as s:
        assert s.keyspace == "urlks"
    with pytest.raises(cql.InvalidRequest, match="Keyspace 'nope' does not exist"):
        cql.connect(cluster_url, keyspace="nope")


def test_cluster_session_has_no_admin(cluster_url: str) -> None:
    with cql.connect(cluster_url) as s, pytest.raises(cql.InvalidRequest, match="nodetool"):
        s.admin  # noqa: B018
