"""A materialized view's build is recorded as Cassandra's ViewBuilder records it: a row in
system.built_views and this node's 'SUCCESS' in system_distributed.view_build_status (views
build as they are created), both gone when the view is dropped."""

import cql

from .conftest import ks_session

VIEW = ("CREATE MATERIALIZED VIEW {} AS SELECT * FROM t WHERE v IS NOT NULL AND p IS NOT NULL "
        "PRIMARY KEY (v, p)")
STATUS = "SELECT keyspace_name, view_name, host_id, status FROM system_distributed.view_build_status"
BUILT = "SELECT keyspace_name, view_name, status_replicated FROM system.built_views"


def test_view_build_status_follows_create_and_drop(tmp_path):
    path = str(tmp_path / "db")
    with ks_session("CREATE TABLE t (p int PRIMARY KEY, v int)", "INSERT INTO t (p, v) VALUES (1, 2)",
                    VIEW.format("mv"), VIEW.format('"Mv2"'), row_factory=cql.tuple_factory,
                    path=path) as s:
        host = s.execute("SELECT host_id FROM system.local").one()[0]
        assert list(s.execute(
            "SELECT status FROM system_distributed.view_build_status "
            "WHERE keyspace_name = 'ks' AND view_name = 'mv'")) == [("SUCCESS",)]
        assert sorted(s.execute(STATUS)) == [("ks", "Mv2", host, "SUCCESS"),
                                             ("ks", "mv", host, "SUCCESS")]
        assert list(s.execute(BUILT)) == [("ks", "Mv2", True), ("ks", "mv", True)]
        s.execute("DROP MATERIALIZED VIEW mv")
        assert list(s.execute(STATUS)) == [("ks", "Mv2", host, "SUCCESS")]
        assert list(s.execute(BUILT)) == [("ks", "Mv2", True)]
    with cql.connect(path) as s:  # kept across a restart, like any table
        s.row_factory = cql.tuple_factory
        assert list(s.execute(STATUS)) == [("ks", "Mv2", host, "SUCCESS")]
        s.execute("DROP KEYSPACE ks")
        assert list(s.execute(STATUS)) == []
        assert list(s.execute(BUILT)) == []
