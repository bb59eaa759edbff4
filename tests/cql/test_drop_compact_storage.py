"""ALTER TABLE ... DROP COMPACT STORAGE with drop_compact_storage_enabled (off by default):
the hidden compact columns become real ones, as in Cassandra (CompactTableTest,
DropCompactStorageThriftTest), and the data written before reads the same afterwards, on
both engines and after a reopen."""

from __future__ import annotations

import pytest

import cql
from cassalite.server.__main__ import build_parser, load_config
from cql.errors import InvalidRequest

KS = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"


def connect(path: str, **options):
    s = cql.connect(path, drop_compact_storage_enabled=True, **options)
    s.execute(KS)
    s.execute("USE ks")
    return s


@pytest.fixture(params=["memory", "lsm", "rocks"])
def opened(request, tmp_path):
    """A session and a function that reopens it (the LSM and RocksDB engines) or keeps it
    (memory)."""
    path = ":memory:" if request.param == "memory" else str(tmp_path / "db")
    options = {}
    if request.param == "rocks":
        pytest.importorskip("rocksdict")
        options["engine"] = "rocks"
    state = {"s": connect(path, **options)}

    def reopen():
        if path != ":memory:":
            state["s"].close()
            state["s"] = cql.connect(path, "ks", drop_compact_storage_enabled=True, **options)
        return state["s"]

    yield state["s"], reopen
    state["s"].close()


def rows(s, query, *values):
    return [tuple(r) for r in s.execute(query, values or None)]


def columns(s, table):
    return rows(s, "SELECT column_name, kind, position, type, clustering_order "
                   "FROM system_schema.columns WHERE keyspace_name = 'ks' AND table_name = %s",
                table)


def test_refused_by_default_and_on_a_cql_table():
    s = cql.connect(":memory:")
    s.execute(KS)
    s.execute("CREATE TABLE ks.c (k int PRIMARY KEY, v int) WITH COMPACT STORAGE")
    s.execute("CREATE TABLE ks.n (k int PRIMARY KEY, v int)")
    for table in ("c", "n"):  # the guardrail speaks first
        with pytest.raises(InvalidRequest, match="^DROP COMPACT STORAGE is disabled. Enable in "
                                                 "cassandra.yaml to use.$"):
            s.execute(f"ALTER TABLE ks.{table} DROP COMPACT STORAGE")
    s = connect(":memory:")
    s.execute("CREATE TABLE n (k int PRIMARY KEY, v int)")
    s.execute("CREATE MATERIALIZED VIEW mv AS SELECT * FROM n WHERE k IS NOT NULL AND v IS NOT "
              "NULL PRIMARY KEY (v, k)")
    with pytest.raises(InvalidRequest, match="^Cannot DROP COMPACT STORAGE on table without "
                                             "COMPACT STORAGE$"):
        s.execute("ALTER TABLE n DROP COMPACT STORAGE")
    with pytest.raises(InvalidRequest, match="^Cannot use ALTER TABLE on a materialized view"):
        s.execute("ALTER TABLE mv DROP COMPACT STORAGE")
    with pytest.raises(InvalidRequest, match="^Table 'ks.nope' doesn't exist$"):
        s.execute("ALTER TABLE nope DROP COMPACT STORAGE")
    assert rows(s, "ALTER TABLE IF EXISTS nope DROP COMPACT STORAGE") == []
    with pytest.raises(ValueError, match="drop_compact_storage_enabled must be True or False"):
        cql.connect(":memory:", drop_compact_storage_enabled="yes")


def test_static_compact_table_data_moves_to_static_cells(opened):
    s, reopen = opened
    s.execute("CREATE TABLE t (pk int PRIMARY KEY, v1 int, v2 text) WITH COMPACT STORAGE")
    s.execute("CREATE INDEX ON t(v2)")
    s.execute("INSERT INTO t (pk, v1, v2) VALUES (1, 1, 'a') USING TTL 1000 AND TIMESTAMP 42")
    s.execute("INSERT INTO t (pk, v1) VALUES (2, 2) USING TIMESTAMP 10")
    s.execute("DELETE v1 FROM t USING TIMESTAMP 20 WHERE pk = 2")
    s.execute("INSERT INTO t (pk, v2) VALUES (2, 'b') USING TIMESTAMP 5")
    s.execute("INSERT INTO t (pk, v1) VALUES (3, 3)")
    s.execute("DELETE FROM t WHERE pk = 3")
    s = reopen()
    s.execute("ALTER TABLE t DROP COMPACT STORAGE")
    for _ in range(2):
        result = s.execute("SELECT * FROM t")
        assert result.column_names == ["pk", "column1", "v1", "v2", "value"]
        assert sorted(tuple(r) for r in result) == [(1, None, 1, "a", None),
                                                    (2, None, None, "b", None)]
        (ttl, w1, w2), = rows(s, "SELECT ttl(v1), writetime(v1), writetime(v2) FROM t "
                                 "WHERE pk = 1")
        assert 990 < ttl <= 1000 and (w1, w2) == (42, 42)
        assert rows(s, "SELECT * FROM t WHERE v2 = 'b'") == [(2, None, None, 'b', None)]
        assert columns(s, "t") == [("column1", "clustering", 0, "text", "asc"),
                                   ("pk", "partition_key", 0, "int", "none"),
                                   ("v1", "static", -1, "int", "none"),
                                   ("v2", "static", -1, "text", "none"),
                                   ("value", "regular", -1, "blob", "none")]
        assert rows(s, "SELECT flags FROM system_schema.tables WHERE keyspace_name = 'ks' "
                       "AND table_name = 't'") == [({"compound"},)]
        s = reopen()
    describe = s.execute("DESCRIBE TABLE t").one().create_statement
    assert describe.startswith("CREATE TABLE ks.t (\n    pk int,\n    column1 text,\n    "
                               "v1 int static,\n    v2 text static,\n    value blob,\n    "
                               "PRIMARY KEY (pk, column1)\n) WITH CLUSTERING ORDER BY "
                               "(column1 ASC)\n")
    # a CQL table now: clustering rows beside the static cells, new columns
    s.execute("INSERT INTO t (pk, column1, value) VALUES (1, 'x', 0xff)")
    s.execute("ALTER TABLE t ADD w int")
    s = reopen()
    assert rows(s, "SELECT * FROM t WHERE pk = 1") == [(1, "x", 1, "a", b"\xff", None)]
    with pytest.raises(InvalidRequest, match="^Cannot DROP COMPACT STORAGE on table without"):
        s.execute("ALTER TABLE t DROP COMPACT STORAGE")


def test_hidden_column_names_move_on(opened):
    s, reopen = opened
    s.execute("CREATE TABLE t (column1 int PRIMARY KEY, value int) WITH COMPACT STORAGE")
    s.execute("INSERT INTO t (column1, value) VALUES (1, 2)")
    s.execute("ALTER TABLE t DROP COMPACT STORAGE")
    s = reopen()
    result = s.execute("SELECT * FROM t")
    assert result.column_names == ["column1", "column2", "value", "value1"]
    assert [tuple(r) for r in result] == [(1, None, 2, None)]


def test_counter_static_compact_table(opened):
    s, reopen = opened
    s.execute("CREATE TABLE c (pk int PRIMARY KEY, n counter) WITH COMPACT STORAGE")
    s.execute("UPDATE c SET n = n + 5 WHERE pk = 1")
    s.execute("ALTER TABLE c DROP COMPACT STORAGE")
    s = reopen()
    assert rows(s, "SELECT * FROM c") == [(1, None, 5, None)]
    assert rows(s, "SELECT flags FROM system_schema.tables WHERE keyspace_name = 'ks' "
                   "AND table_name = 'c'") == [({"compound", "counter"},)]
    s.execute("UPDATE c SET n = n + 1 WHERE pk = 1")
    s.execute("UPDATE c SET value = value + 2 WHERE pk = 1 AND column1 = 'a'")
    s = reopen()
    assert rows(s, "SELECT * FROM c") == [(1, "a", 6, 2)]


def test_dense_tables(opened):
    s, reopen = opened
    s.execute("CREATE TABLE d (pk int, ck int, PRIMARY KEY (pk, ck)) WITH COMPACT STORAGE")
    s.execute("INSERT INTO d (pk, ck) VALUES (1, 1) USING TIMESTAMP 42")
    s.execute("INSERT INTO d (pk, ck) VALUES (2, 1) USING TTL 500")
    s.execute("CREATE TABLE v (pk int, ck1 int, ck2 int, v int, PRIMARY KEY (pk, ck1, ck2)) "
              "WITH COMPACT STORAGE")
    s.execute("INSERT INTO v (pk, ck1, v) VALUES (2, 2, 2)")
    s.execute("INSERT INTO v (pk, ck1, ck2, v) VALUES (2, 3, 4, 5)")
    s.execute("ALTER TABLE d DROP COMPACT STORAGE")
    s.execute("ALTER TABLE v DROP COMPACT STORAGE")
    s = reopen()
    result = s.execute("SELECT * FROM d")
    assert result.column_names == ["pk", "ck", "value"]
    # Cassandra's INSERT wrote an empty value cell (ours, a row marker): it reads as empty
    assert [tuple(r) for r in result] == [(1, 1, cql.EMPTY), (2, 1, cql.EMPTY)]
    assert rows(s, "SELECT JSON * FROM d WHERE pk = 1") == [('{"pk": 1, "ck": 1, "value": ""}',)]
    assert rows(s, "SELECT ttl(value), writetime(value) FROM d WHERE pk = 1") == [(None, 42)]
    (ttl,), = rows(s, "SELECT ttl(value) FROM d WHERE pk = 2")
    assert 490 < ttl <= 500
    assert columns(s, "d")[-1] == ("value", "regular", -1, "empty", "none")
    assert rows(s, "SELECT * FROM v") == [(2, 2, None, 2), (2, 3, 4, 5)]
    # the empty type takes only the empty value, and no literal (Constants.Literal)
    insert = s.prepare("INSERT INTO d (pk, ck, value) VALUES (1, ?, ?)")
    s.execute(insert, (2, b""))
    with pytest.raises(InvalidRequest, match="EmptyType only accept empty values"):
        s.execute(insert, (3, b"x"))
    with pytest.raises(InvalidRequest, match='^Invalid HEX constant \\(0x\\) for "value" of '
                                             'type empty$'):
        s.execute("INSERT INTO d (pk, ck, value) VALUES (1, 3, 0x)")
    # rows written without a row marker still live only through their value
    s.execute("DELETE v FROM v WHERE pk = 2 AND ck1 = 3 AND ck2 = 4")
    s.execute("INSERT INTO d (pk, ck) VALUES (1, 4) USING TTL 1000")  # a CQL row: no value
    s = reopen()
    assert rows(s, "SELECT * FROM d WHERE pk = 1") == [(1, 1, cql.EMPTY), (1, 2, cql.EMPTY),
                                                       (1, 4, None)]
    assert rows(s, "SELECT * FROM v") == [(2, 2, None, 2)]
    assert rows(s, "SELECT flags FROM system_schema.tables WHERE keyspace_name = 'ks' "
                   "AND table_name = 'd'") == [({"compound"},)]


def test_server_option_and_setting():
    cfg = load_config(build_parser().parse_args(["--memory", "--drop-compact-storage-enabled"]))
    assert cfg.database_settings()["drop_compact_storage_enabled"] is True
    cfg = load_config(build_parser().parse_args(["--memory"]))
    assert cfg.database_settings()["drop_compact_storage_enabled"] is False
    s = cql.connect(":memory:", drop_compact_storage_enabled=True)
    assert rows(s, "SELECT value FROM system_views.settings "
                   "WHERE name = 'drop_compact_storage_enabled'") == [("true",)]


def test_prepared_statements_are_planned_again():
    """CASSANDRA-16712: DROP COMPACT STORAGE invalidates prepared statements; a statement
    prepared before reads the table's new form afterwards."""
    s = connect(":memory:")
    s.execute("CREATE TABLE t (pk int PRIMARY KEY, v int) WITH COMPACT STORAGE")
    s.execute("INSERT INTO t (pk, v) VALUES (1, 1)")
    select = s.prepare("SELECT * FROM t WHERE pk = ?")
    assert [tuple(r) for r in s.execute(select, (1,))] == [(1, 1)]
    s.execute("ALTER TABLE t DROP COMPACT STORAGE")
    result = s.execute(select, (1,))
    assert result.column_names == select.column_names == ["pk", "column1", "v", "value"]
    assert [tuple(r) for r in result] == [(1, None, 1, None)]
