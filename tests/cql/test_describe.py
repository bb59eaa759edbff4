"""DESCRIBE: result shapes, Cassandra 5.0's exact CQL text, messages, and round trips."""

from __future__ import annotations

import pytest

import cql
from cql.errors import InvalidRequest

from .conftest import KS

OPTIONS = """    AND additional_write_policy = '99p'
    AND allow_auto_snapshot = true
    AND bloom_filter_fp_chance = 0.01
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND cdc = false
    AND comment = ''
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}
    AND compression = {'chunk_length_in_kb': '16', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}
    AND memtable = 'default'
    AND crc_check_chance = 1.0
    AND default_time_to_live = 0
    AND extensions = {}
    AND gc_grace_seconds = 864000
    AND incremental_backups = true
    AND max_index_interval = 2048
    AND memtable_flush_period_in_ms = 0
    AND min_index_interval = 128
    AND read_repair = 'BLOCKING'
    AND speculative_retry = '99p';"""


def with_options(head: str, first: str | None = None) -> str:
    """A CREATE TABLE head followed by the default option block."""
    lines = OPTIONS.splitlines()
    if first is None:
        lines[0] = lines[0].replace("    AND ", "", 1)
        return head + " WITH " + "\n".join(lines)
    return head + " WITH " + first + "\n" + "\n".join(lines)


def statements(session, query: str) -> list[str]:
    return [r.create_statement for r in session.execute(query)]


def test_keyspace_text(session):
    assert statements(session, "DESCRIBE ONLY KEYSPACE ks") == [
        ("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': '1'}  AND durable_writes = true;")]
    session.execute("CREATE KEYSPACE n WITH replication = {'class': "
                    "'org.apache.cassandra.locator.NetworkTopologyStrategy', 'datacenter1': 3} "
                    "AND durable_writes = false")
    assert statements(session, "DESCRIBE KEYSPACE n") == [
        ("CREATE KEYSPACE n WITH replication = {'class': 'NetworkTopologyStrategy', "
        "'datacenter1': '3'}  AND durable_writes = false;")]


def test_system_keyspace_text(session):
    assert statements(session, "DESCRIBE ONLY KEYSPACE system") == [
        ("CREATE KEYSPACE system WITH replication = {'class': 'LocalStrategy'}  AND "
        "durable_writes = true;")]


def test_single_primary_key_table(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, b text, a int, m map<text, int>, "
                    "l list<text>, f frozen<set<int>>, vec vector<float, 3>)")
    assert statements(session, "DESCRIBE TABLE t") == [with_options(
        "CREATE TABLE ks.t (\n"
        "    k int PRIMARY KEY,\n"
        "    a int,\n"
        "    b text,\n"
        "    f frozen<set<int>>,\n"
        "    vec vector<float, 3>,\n"
        "    l list<text>,\n"
        "    m map<text, int>\n"
        ")")]


def test_compound_key_table(session):
    session.execute('CREATE TABLE t ("K" int, k2 text, c1 int, "select" int, s int static, '
                    'v varchar, PRIMARY KEY (("K", k2), c1, "select")) '
                    "WITH CLUSTERING ORDER BY (c1 DESC)")
    assert statements(session, "DESCRIBE TABLE t") == [with_options(
        "CREATE TABLE ks.t (\n"
        '    "K" int,\n'
        "    k2 text,\n"
        "    c1 int,\n"
        '    "select" int,\n'
        "    s int static,\n"
        "    v text,\n"
        '    PRIMARY KEY (("K", k2), c1, "select")\n'
        ")", 'CLUSTERING ORDER BY (c1 DESC, "select" ASC)')]


def test_compact_tables(session):
    """CompactTableMetadata.appendCqlTo: the CREATE inside the legacy-API warning comment,
    WITH COMPACT STORAGE before the clustering order; a static compact table's columns show
    as regular ones."""
    warning = ("/*\nWarning: Table ks.{} omitted because it has constructs not compatible with "
               "CQL (was created via legacy API).\nApproximate structure, for reference:\n"
               "(this should not be used to reproduce this schema)\n\n")
    session.execute("CREATE TABLE d (k int, c int, v text, PRIMARY KEY (k, c)) "
                    "WITH COMPACT STORAGE AND CLUSTERING ORDER BY (c DESC)")
    assert statements(session, "DESCRIBE TABLE d") == [warning.format("d") + with_options(
        "CREATE TABLE ks.d (\n"
        "    k int,\n"
        "    c int,\n"
        "    v text,\n"
        "    PRIMARY KEY (k, c)\n"
        ")", "COMPACT STORAGE\n    AND CLUSTERING ORDER BY (c DESC)") + "\n*/"]
    session.execute("CREATE TABLE s (k int PRIMARY KEY, b int, a text) WITH COMPACT STORAGE")
    assert statements(session, "DESCRIBE TABLE s") == [warning.format("s") + with_options(
        "CREATE TABLE ks.s (\n"
        "    k int PRIMARY KEY,\n"
        "    a text,\n"
        "    b int\n"
        ")", "COMPACT STORAGE") + "\n*/"]


def test_options_in_text(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY) WITH comment = 'it''s' AND "
                    "gc_grace_seconds = 10 AND compaction = {'class': "
                    "'LeveledCompactionStrategy', 'sstable_size_in_mb': '64'} AND "
                    "compression = {'enabled': false} AND crc_check_chance = 0.5")
    (text,) = statements(session, "DESCRIBE TABLE t")
    assert "\n    AND comment = 'it''s'\n" in text
    assert "\n    AND gc_grace_seconds = 10\n" in text
    assert "\n    AND bloom_filter_fp_chance = 0.1\n" in text
    assert ("\n    AND compaction = {'class': "
            "'org.apache.cassandra.db.compaction.LeveledCompactionStrategy', "
            "'max_threshold': '32', 'min_threshold': '4', 'sstable_size_in_mb': '64'}\n") in text
    assert "\n    AND compression = {'enabled': 'false'}\n" in text
    assert "\n    AND crc_check_chance = 0.5\n" in text


def test_types_indexes_and_views(session):
    session.execute("CREATE TYPE zeta (z int)")
    session.execute("CREATE TYPE alpha (a frozen<zeta>, m map<text, frozen<zeta>>)")
    session.execute("CREATE TABLE t (k int, c int, v int, m map<text, int>, s text, "
                    "PRIMARY KEY (k, c))")
    session.execute("CREATE INDEX ON t (v)")
    session.execute("CREATE INDEX mk ON t (keys(m))")
    session.execute("CREATE CUSTOM INDEX sai_c ON t (s) USING 'sai' "
                    "WITH OPTIONS = {'case_sensitive': 'false'}")
    session.execute("CREATE MATERIALIZED VIEW mv AS SELECT k, c, v FROM t "
                    "WHERE v IS NOT NULL AND k IS NOT NULL AND c IS NOT NULL "
                    "PRIMARY KEY (v, k, c) WITH CLUSTERING ORDER BY (k DESC, c ASC)")
    result = session.execute("DESCRIBE KEYSPACE ks")
    assert result.column_names == ["keyspace_name", "type", "name", "create_statement"]
    got = [tuple(r)[:3] for r in result]
    assert got == [("ks", "keyspace", "ks"), ("ks", "type", "zeta"), ("ks", "type", "alpha"),
                   ("ks", "table", "t"), ("ks", "index", "mk"), ("ks", "index", "sai_c"),
                   ("ks", "index", "t_v_idx"), ("ks", "materialized_view", "mv")]
    texts = [r.create_statement for r in result]
    assert texts[1] == "CREATE TYPE ks.zeta (\n    z int\n);"
    assert texts[2] == ("CREATE TYPE ks.alpha (\n    a frozen<zeta>,\n"
                        "    m map<text, frozen<zeta>>\n);")
    assert texts[4] == "CREATE INDEX mk ON ks.t (keys(m));"
    assert texts[5] == ("CREATE CUSTOM INDEX sai_c ON ks.t (s) USING "
                        "'org.apache.cassandra.index.sai.StorageAttachedIndex' "
                        "WITH OPTIONS = {'case_sensitive': 'false'};")
    assert texts[6] == "CREATE INDEX t_v_idx ON ks.t (v);"
    view_options = OPTIONS.replace("    AND default_time_to_live = 0\n", "")
    assert texts[7] == (
        "CREATE MATERIALIZED VIEW ks.mv AS\n"
        "    SELECT v, k, c\n"
        "    FROM ks.t\n"
        "    WHERE v IS NOT NULL AND k IS NOT NULL AND c IS NOT NULL\n"
        "    PRIMARY KEY (v, k, c)\n"
        " WITH CLUSTERING ORDER BY (k DESC, c ASC)\n" + view_options)
    # DESCRIBE TABLE lists the table, its indexes, then its views (DescribeStatementTest)
    assert statements(session, "DESCRIBE TABLE t")[1:] == texts[4:8]
    assert statements(session, "DESCRIBE INDEX mk") == [texts[4]]
    assert statements(session, "DESCRIBE MATERIALIZED VIEW mv") == [texts[7]]
    assert statements(session, "DESCRIBE TYPE alpha") == [texts[2]]


def test_with_internals(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int, w text) WITH id = "
                    "'5a1c395e-b41f-11e5-9f22-ba0be0483c18'")
    session.execute("ALTER TABLE t DROP w USING TIMESTAMP 1000")
    session.execute("ALTER TABLE t DROP v USING TIMESTAMP 2000")
    session.execute("ALTER TABLE t ADD v int")
    (text,) = statements(session, "DESCRIBE TABLE t WITH INTERNALS")
    assert text == with_options(
        "CREATE TABLE ks.t (\n"
        "    k int PRIMARY KEY,\n"
        "    v int,\n"
        "    w text\n"
        ")", "ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18") + (
        "\nALTER TABLE ks.t DROP v USING TIMESTAMP 2000;"
        "\nALTER TABLE ks.t ADD v int;"
        "\nALTER TABLE ks.t DROP w USING TIMESTAMP 1000;")


def test_listings(session):
    session.execute("CREATE TABLE b (k int PRIMARY KEY)")
    session.execute('CREATE TABLE "A" (k int PRIMARY KEY)')
    session.execute("CREATE TYPE ty (a int)")
    result = session.execute("DESCRIBE TABLES")
    assert result.column_names == ["keyspace_name", "type", "name"]
    assert [tuple(r) for r in result] == [("ks", "table", '"A"'), ("ks", "table", "b")]
    assert [tuple(r) for r in session.execute("DESCRIBE TYPES")] == [("ks", "type", "ty")]
    assert [tuple(r) for r in session.execute("DESCRIBE FUNCTIONS")] == []
    keyspaces = [r.name for r in session.execute("DESCRIBE KEYSPACES")]
    assert keyspaces == sorted(keyspaces, key=str.lower)
    assert {"ks", "system", "system_schema"} <= set(keyspaces)
    everywhere = cql.connect(":memory:")
    everywhere.execute(KS)
    everywhere.execute("CREATE TABLE ks.x (k int PRIMARY KEY)")
    names = [(r.keyspace_name, r.name) for r in everywhere.execute("DESCRIBE TABLES")]
    assert ("ks", "x") in names and ("system_schema", "tables") in names


def test_schema_forms(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    assert [tuple(r)[:3] for r in session.execute("DESCRIBE SCHEMA")] == [
        ("ks", "keyspace", "ks"), ("ks", "table", "t")]
    full = {r.keyspace_name for r in session.execute("DESCRIBE FULL SCHEMA")}
    assert {"ks", "system", "system_schema"} <= full


def test_cluster(session):
    result = session.execute("DESCRIBE CLUSTER")
    assert result.column_names == ["cluster", "partitioner", "snitch", "range_ownership"]
    assert tuple(result.one())[:3] == ("Test Cluster", "Murmur3Partitioner",
                                       "DynamicEndpointSnitch")
    bare = cql.connect(":memory:")
    assert bare.execute("DESCRIBE CLUSTER").column_names == ["cluster", "partitioner", "snitch"]


def test_generic_describe(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    session.execute("CREATE INDEX vi ON t (v)")
    assert [r.type for r in session.execute("DESCRIBE ks")][:2] == ["keyspace", "table"]
    assert [r.type for r in session.execute("DESCRIBE t")] == ["table", "index"]
    assert [r.type for r in session.execute("DESCRIBE vi")] == ["index"]


MISSING = [
    ("DESCRIBE KEYSPACE nope", "'nope' not found in keyspaces"),
    ("DESCRIBE TABLE nope", "Table 'nope' not found in keyspace 'ks'"),
    ("DESCRIBE TABLE nope.t", "'nope' not found in keyspaces"),
    ("DESCRIBE TYPE nope", "User defined type 'nope' not found in 'ks'"),
    ("DESCRIBE INDEX nope", "Table for existing index 'nope' not found in 'ks'"),
    ("DESCRIBE MATERIALIZED VIEW nope", "Materialized view 'nope' not found in 'ks'"),
    ("DESCRIBE FUNCTION nope", "User defined function 'nope' not found in 'ks'"),
    ("DESCRIBE AGGREGATE nope", "User defined aggregate 'nope' not found in 'ks'"),
    ("DESCRIBE nope", "'nope' not found in keyspace 'ks'"),
]


@pytest.mark.parametrize("query,message", MISSING)
def test_missing_objects(session, query, message):
    with pytest.raises(InvalidRequest) as info:
        session.execute(query)
    assert str(info.value) == message


def test_no_current_keyspace():
    s = cql.connect(":memory:")
    for query in ("DESCRIBE KEYSPACE", "DESCRIBE TABLE t"):
        with pytest.raises(InvalidRequest) as info:
            s.execute(query)
        assert str(info.value) == "No keyspace specified and no current keyspace"


def _build_rich_schema(session) -> None:
    for query in [
        "CREATE TYPE zeta (z int, l frozen<list<text>>)",
        "CREATE TYPE alpha (a frozen<zeta>, t frozen<tuple<int, text>>)",
        ("CREATE TABLE t (k int, c text, \"Q\" int, v frozen<alpha>, u zeta, s set<int> static, "
        "m map<int, frozen<list<int>>>, d duration, PRIMARY KEY ((k, \"Q\"), c)) "
        "WITH CLUSTERING ORDER BY (c DESC) AND comment = 'x''y' AND default_time_to_live = 7 "
        "AND caching = {'keys': 'NONE', 'rows_per_partition': 'ALL'} "
        "AND speculative_retry = 'ALWAYS' AND read_repair = 'NONE'"),
        "CREATE TABLE counts (k text PRIMARY KEY, n counter)",
        "CREATE INDEX ON t (keys(m))",
        "CREATE INDEX c_idx ON t (c)",
        ("CREATE MATERIALIZED VIEW mv AS SELECT k, c, \"Q\", v, d FROM t WHERE c IS NOT NULL "
        "AND k IS NOT NULL "
        "AND \"Q\" IS NOT NULL PRIMARY KEY (c, k, \"Q\")"),
    ]:
        session.execute(query)


def test_round_trip(session):
    """DESCRIBE KEYSPACE output, executed elsewhere, describes identically (cqlsh's test)."""
    _build_rich_schema(session)
    original = statements(session, "DESCRIBE KEYSPACE ks")
    fresh = cql.connect(":memory:")
    for text in original:
        fresh.execute(text)
    assert statements(fresh, "DESCRIBE KEYSPACE ks") == original


def test_round_trip_with_internals(session):
    _build_rich_schema(session)
    session.execute("ALTER TABLE counts ADD (a counter)")
    session.execute("ALTER TABLE counts DROP a USING TIMESTAMP 12345000")
    original = statements(session, "DESCRIBE KEYSPACE ks WITH INTERNALS")
    fresh = cql.connect(":memory:")
    for text in original:
        for statement in text.split(";\n"):
            fresh.execute(statement)
    assert statements(fresh, "DESCRIBE KEYSPACE ks WITH INTERNALS") == original
