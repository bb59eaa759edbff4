"""DDL through the public API: Cassandra 5.0's rules, error classes and message texts."""

from __future__ import annotations

import pytest

import cql
from cassalite.storage.memory import MemoryEngine
from cql.database import Database
from cql.errors import (
    AlreadyExists,
    ConfigurationException,
    InvalidRequest,
    SyntaxException,
)
from cql.session import Session

from .conftest import KS


def rows(session, query):
    return [tuple(r) for r in session.execute(query)]


# --------------------------------------------------------------------------------------
# Every rule: (setup statements, statement, error class, exact message)

SETUP_T = "CREATE TABLE t (k int, c int, v int, s int static, l list<int>, PRIMARY KEY (k, c))"
SETUP_SIMPLE = "CREATE TABLE p (k int PRIMARY KEY, v int, m map<text, int>, f frozen<list<int>>)"
SETUP_TYPE = "CREATE TYPE addr (street text, zip int)"

ERRORS = [
    # keyspaces
    ([], "USE nope", InvalidRequest, "Keyspace 'nope' does not exist"),
    ([], ("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': 1}"), AlreadyExists, 'Cannot add existing keyspace "ks"'),
    ([], "CREATE KEYSPACE k2 WITH durable_writes = true", InvalidRequest,
     "Missing mandatory option 'replication'"),
    ([], "CREATE KEYSPACE k2 WITH replication = {'replication_factor': 1}",
     ConfigurationException, "Missing replication strategy class"),
    ([], "CREATE KEYSPACE k2 WITH replication = {'class': 'LocalStrategy'}", InvalidRequest,
     "Unable to use given strategy class: LocalStrategy is reserved for internal use."),
    ([], ("CREATE KEYSPACE k2 WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': 1, 'dc1': 2}"), ConfigurationException,
     "Unrecognized strategy option {dc1} passed to SimpleStrategy for keyspace k2"),
    ([], ("CREATE KEYSPACE k2 WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': -1}"), ConfigurationException,
     "Replication factor must be non-negative, found -1"),
    ([], "CREATE KEYSPACE k2 WITH replication = {'class': 'NetworkTopologyStrategy', 'dc9': 1}",
     ConfigurationException,
     "Unrecognized strategy option {dc9} passed to NetworkTopologyStrategy for keyspace k2"),
    ([], "CREATE KEYSPACE k2 WITH replication = {'class': 'FooStrategy'}",
     ConfigurationException,
     "Unable to find replication strategy class 'org.apache.cassandra.locator.FooStrategy'"),
    ([], ("CREATE KEYSPACE system WITH replication = {'class': 'SimpleStrategy', "
         "'replication_factor': 1}"), InvalidRequest,
     "System keyspace 'system' is not user-modifiable"),
    ([], "ALTER KEYSPACE nope WITH durable_writes = false", InvalidRequest,
     "Keyspace 'nope' doesn't exist"),
    ([], "DROP KEYSPACE nope", InvalidRequest, "Keyspace 'nope' doesn't exist"),
    ([], "DROP KEYSPACE system_schema", InvalidRequest,
     "System keyspace 'system_schema' is not user-modifiable"),
    # CREATE TABLE
    ([], "CREATE TABLE nope.t (k int PRIMARY KEY)", InvalidRequest,
     "Keyspace 'nope' doesn't exist"),
    ([SETUP_T], "CREATE TABLE t (k int PRIMARY KEY)", AlreadyExists,
     'Cannot add already existing table "t" to keyspace "ks"'),
    ([], "CREATE TABLE t (k int, v int)", InvalidRequest,
     "No PRIMARY KEY specifed for table 't' (exactly one required)"),
    ([], "CREATE TABLE t (k int, v int, PRIMARY KEY (k, x))", InvalidRequest,
     "Unknown column 'x' referenced in PRIMARY KEY for table 't'"),
    ([], "CREATE TABLE t (k int, v int, PRIMARY KEY (k, k))", InvalidRequest,
     "Duplicate column 'k' in PRIMARY KEY clause for table 't'"),
    ([], "CREATE TABLE t (k list<int> PRIMARY KEY)", InvalidRequest,
     "Invalid non-frozen collection type list<int> for PRIMARY KEY column 'k'"),
    ([SETUP_TYPE], "CREATE TABLE t (k addr PRIMARY KEY)", InvalidRequest,
     "Invalid non-frozen user-defined type addr for PRIMARY KEY column 'k'"),
    ([], "CREATE TABLE t (k counter PRIMARY KEY, v counter)", InvalidRequest,
     "counter type is not supported for PRIMARY KEY column 'k'"),
    ([], "CREATE TABLE t (k int, m duration, PRIMARY KEY (k, m))", InvalidRequest,
     "duration type is not supported for PRIMARY KEY column 'm'"),
    ([], "CREATE TABLE t (k int, c int static, PRIMARY KEY (k, c))", InvalidRequest,
     "Static column 'c' cannot be part of the PRIMARY KEY"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, s int static)", InvalidRequest,
     ("Static columns are only useful (and thus allowed) if the table has at least one "
     "clustering column")),
    ([], "CREATE TABLE t (k int PRIMARY KEY, a counter, b int)", InvalidRequest,
     "Cannot mix counter and non counter columns in the same table"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, a counter) WITH default_time_to_live = 5",
     InvalidRequest, "Cannot set default_time_to_live on a table with counters"),
    ([], ("CREATE TABLE t (k int, c int, v int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY "
         "(v ASC)"), InvalidRequest,
     ("Only clustering key columns can be defined in CLUSTERING ORDER directive: [v] are not "
     "clustering columns")),
    ([], ("CREATE TABLE t (k int, a int, b int, PRIMARY KEY (k, a, b)) WITH CLUSTERING ORDER BY "
         "(b ASC, a ASC)"), InvalidRequest,
     ("The order of columns in the CLUSTERING ORDER directive must match that of the clustering "
     "columns (a must appear before b)")),
    ([], ("CREATE TABLE t (k int, a int, b int, PRIMARY KEY (k, a, b)) WITH CLUSTERING ORDER BY "
         "(b ASC)"), InvalidRequest, "Missing CLUSTERING ORDER for column a"),
    ([SETUP_TYPE], "CREATE TABLE t (k int PRIMARY KEY, l list<addr>)", InvalidRequest,
     "Non-frozen UDTs are not allowed inside collections: list<addr>"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, l list<list<int>>)", InvalidRequest,
     "Non-frozen collections are not allowed inside collections: list<list<int>>"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, l set<counter>)", InvalidRequest,
     "Counters are not allowed inside collections: set<counter>"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, l set<duration>)", InvalidRequest,
     "Durations are not allowed inside sets: set<duration>"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, l map<duration, int>)", InvalidRequest,
     "Durations are not allowed as map keys: map<duration, int>"),
    (["CREATE TYPE n (l list<int>)"], "CREATE TABLE t (k int PRIMARY KEY, v n)", InvalidRequest,
     "Non-frozen UDTs with nested non-frozen collections are not supported"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, v nosuch)", InvalidRequest,
     "Unknown type ks.nosuch"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH COMPACT STORAGE", InvalidRequest,
     "No definition found that is not part of the PRIMARY KEY"),
    ([], "CREATE TABLE t (k int, c int, v int, w int, PRIMARY KEY (k, c)) WITH COMPACT STORAGE",
     InvalidRequest, "COMPACT STORAGE with composite PRIMARY KEY allows no more than one column "
     "not part of the PRIMARY KEY (got: v, w)"),
    ([], "CREATE TABLE t (k int, c int, s int static, PRIMARY KEY (k, c)) WITH COMPACT STORAGE",
     InvalidRequest, "Static columns are not supported in COMPACT STORAGE tables"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, l list<int>) WITH COMPACT STORAGE", InvalidRequest,
     "Non-frozen collections and UDTs are not supported with COMPACT STORAGE"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH default_time_to_live = -1",
     ConfigurationException, "default_time_to_live must be greater than or equal to 0 (got -1)"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH default_time_to_live = 630720001",
     ConfigurationException,
     "default_time_to_live must be less than or equal to 630720000 (got 630720001)"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH gc_grace_seconds = -5",
     ConfigurationException, "gc_grace_seconds must be greater than or equal to 0 (got -5)"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH gc_grace_seconds = 'x'", SyntaxException,
     "Invalid integer value x for 'gc_grace_seconds'"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH bloom_filter_fp_chance = 0",
     ConfigurationException,
     "bloom_filter_fp_chance must be larger than 6.71E-5 and less than or equal to 1.0 (got 0.0)"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH cdc = 'maybe'", SyntaxException,
     ("Invalid boolean value maybe for 'cdc'. Positive values can be '1', 'true' or 'yes'. "
     "Negative values can be '0', 'false' or 'no'.")),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH compaction = {'min_threshold': '2'}",
     ConfigurationException, "Missing sub-option 'class' for the 'compaction' option"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH compaction = {'class': 'Nope'}",
     ConfigurationException,
     "Unable to find compaction strategy class 'org.apache.cassandra.db.compaction.Nope'"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH caching = {'keys': 'SOME'}",
     ConfigurationException,
     "Invalid value 'SOME' for caching sub-option 'keys': only 'ALL' and 'NONE' are allowed"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH caching = {'foo': 'x'}",
     ConfigurationException,
     "Invalid caching sub-options [foo]: only 'keys' and 'rows_per_partition' are allowed"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH compression = {'chunk_length_in_kb': '16'}",
     ConfigurationException, "Missing sub-option 'class' for the 'compression' option."),
    ([], ("CREATE TABLE t (k int PRIMARY KEY) WITH compression = {'class': 'LZ4Compressor', "
         "'chunk_length_in_kb': '3'}"), ConfigurationException,
     "chunk_length_in_kb must be a power of 2"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH comment = {'a': 'b'}", SyntaxException,
     "Invalid value for property 'comment'. It should be a string"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH caching = 'ALL'", SyntaxException,
     "Invalid value for property 'caching'. It should be a map."),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH id = 'zzz'", ConfigurationException,
     "Invalid table id"),
    ([], "CREATE TABLE t (k int PRIMARY KEY, v int MASKED WITH DEFAULT)", InvalidRequest,
     ("Cannot mask columns because dynamic data masking is not enabled. You can enable it with "
     "the dynamic_data_masking_enabled property on cassandra.yaml")),
    # ALTER TABLE
    ([], "ALTER TABLE nope ADD v int", InvalidRequest, "Table 'ks.nope' doesn't exist"),
    ([SETUP_T], "ALTER TABLE t ALTER v TYPE bigint", InvalidRequest,
     "Altering column types is no longer supported"),
    ([SETUP_T], "ALTER TABLE t ADD v int", InvalidRequest, "Column with name 'v' already exists"),
    ([SETUP_SIMPLE], "ALTER TABLE p ADD s int static", InvalidRequest,
     ("Static columns are only useful (and thus allowed) if the table has at least one "
     "clustering column")),
    ([SETUP_T, "ALTER TABLE t DROP v"], "ALTER TABLE t ADD v text", InvalidRequest,
     ("Cannot re-add previously dropped column 'v' of type text, incompatible with previous "
     "type int")),
    ([SETUP_T], "ALTER TABLE t ADD x counter", ConfigurationException,
     'Cannot have a counter column ("x") in a non counter table'),
    (["CREATE TABLE cnt (k int PRIMARY KEY, n counter)"], "ALTER TABLE cnt ADD x int",
     ConfigurationException, 'Cannot have a non counter column ("x") in a counter table'),
    ([SETUP_T], "ALTER TABLE t DROP nope", InvalidRequest,
     "Column nope was not found in table 'ks.t'"),
    ([SETUP_T], "ALTER TABLE t DROP k", InvalidRequest, "Cannot drop PRIMARY KEY column k"),
    ([SETUP_T, "CREATE INDEX vi ON t (v)"], "ALTER TABLE t DROP v", InvalidRequest,
     "Cannot drop column v because it has dependent secondary indexes (vi)"),
    ([SETUP_T], "ALTER TABLE t RENAME v TO w", InvalidRequest,
     "Cannot rename non PRIMARY KEY column v"),
    ([SETUP_T], "ALTER TABLE t RENAME c TO v", InvalidRequest,
     ("Cannot rename column c to v in table 'ks.t'; another column with that name already "
     "exists")),
    ([SETUP_T], "ALTER TABLE t RENAME nope TO x", InvalidRequest,
     "Undefined column name nope in table ks.t"),
    ([SETUP_T], "ALTER TABLE t WITH id = 'e5d94b7e-3b4c-11ef-9454-0242ac120002'",
     ConfigurationException, "Cannot alter table id."),
    (["CREATE TABLE cnt (k int PRIMARY KEY, n counter)"],
     "ALTER TABLE cnt WITH default_time_to_live = 10", InvalidRequest,
     "Cannot set default_time_to_live on a table with counters"),
    # DROP TABLE / TRUNCATE
    ([], "DROP TABLE nope", InvalidRequest, "Table 'ks.nope' doesn't exist"),
    ([], "TRUNCATE nope", InvalidRequest, "table nope does not exist"),
    ([], "TRUNCATE nope.t", InvalidRequest, "keyspace nope does not exist"),
    # types
    ([SETUP_TYPE], "CREATE TYPE addr (a int)", InvalidRequest,
     "A user type with name 'addr' already exists"),
    ([], "CREATE TYPE x (a int, a text)", InvalidRequest,
     "Duplicate field name 'a' in type 'x'"),
    ([], "CREATE TYPE x (a counter)", InvalidRequest, "A user type cannot contain counters"),
    ([SETUP_TYPE], "CREATE TYPE x (a addr)", InvalidRequest,
     "A user type cannot contain non-frozen UDTs"),
    ([SETUP_TYPE], "ALTER TYPE addr ALTER zip TYPE text", InvalidRequest,
     "Altering field types is no longer supported"),
    ([SETUP_TYPE], "ALTER TYPE addr ADD zip text", InvalidRequest,
     "Cannot add field zip to type ks.addr: a field with name zip already exists"),
    ([], "ALTER TYPE nope ADD a int", InvalidRequest, "Type ks.nope doesn't exist"),
    ([SETUP_TYPE], "ALTER TYPE addr RENAME nope TO x", InvalidRequest,
     "Unkown field nope in user type ks.addr"),
    ([], "DROP TYPE nope", InvalidRequest, "Type 'ks.nope' doesn't exist"),
    ([SETUP_TYPE, "CREATE TABLE ut (k int PRIMARY KEY, a frozen<addr>)"], "DROP TYPE addr",
     InvalidRequest, "Cannot drop user type 'ks.addr' as it is still used by tables ut"),
    ([SETUP_TYPE, "CREATE TYPE person (a frozen<addr>)"], "DROP TYPE addr", InvalidRequest,
     "Cannot drop user type 'ks.addr' as it is still used by user types person"),
    # indexes
    ([SETUP_T, "CREATE INDEX i ON t (v)"], "CREATE INDEX i ON t (c)", InvalidRequest,
     "Index 'i' already exists"),
    ([SETUP_T, "CREATE INDEX i ON t (v)"], "CREATE INDEX i2 ON t (v)", InvalidRequest,
     "Index i2 is a duplicate of existing index i"),
    ([SETUP_T], "CREATE INDEX ON t (nope)", InvalidRequest,
     "Undefined column name nope in table ks.t"),
    ([SETUP_SIMPLE], "CREATE INDEX ON p (k)", InvalidRequest,
     "Cannot create secondary index on the only partition key column k"),
    (["CREATE TABLE cnt (k int PRIMARY KEY, n counter)"], "CREATE INDEX ON cnt (n)",
     InvalidRequest, "Secondary indexes on counter tables aren't supported"),
    ([SETUP_SIMPLE], "CREATE INDEX ON p (keys(f))", InvalidRequest,
     ("Cannot create keys() index on frozen column f. Frozen collections are immutable and must "
     "be fully indexed by using the 'full(f)' modifier")),
    ([SETUP_SIMPLE], "CREATE INDEX ON p (full(m))", InvalidRequest,
     "full() indexes can only be created on frozen collections"),
    ([SETUP_SIMPLE], "CREATE INDEX ON p (keys(v))", InvalidRequest,
     "Cannot create keys() index on v. Non-collection columns only support simple indexes"),
    ([SETUP_T], "CREATE INDEX ON t (keys(l))", InvalidRequest,
     "Cannot create index on keys of column l with non-map type"),
    ([SETUP_TYPE, "CREATE TABLE ut (k int PRIMARY KEY, a addr)"], "CREATE INDEX ON ut (a)",
     InvalidRequest, "Cannot create index on non-frozen UDT column a"),
    (["CREATE TABLE d (k int PRIMARY KEY, v duration)"], "CREATE INDEX ON d (v)",
     InvalidRequest, "Secondary indexes are not supported on duration columns"),
    ([SETUP_T], "CREATE INDEX ON t (v) USING 'SASIIndex'", InvalidRequest,
     "SASI indexes are disabled. Enable in cassandra.yaml to use."),
    ([], "DROP INDEX nope", InvalidRequest, "Index 'ks.nope' doesn't exist'"),
    # materialized views
    (["CREATE TABLE b (k int, c int, v int, w int, PRIMARY KEY (k, c))"],
     ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
     "PRIMARY KEY (v, k)"), InvalidRequest,
     "Cannot create materialized view 'mv' without primary key columns c from base table 'b'"),
    (["CREATE TABLE b (k int, c int, v int, w int, PRIMARY KEY (k, c))"],
     ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
     "AND c IS NOT NULL AND w IS NOT NULL PRIMARY KEY ((v, w), k, c)"), InvalidRequest,
     ("Cannot include more than one non-primary key column in materialized view primary key "
     "(got v, w)")),
    (["CREATE TABLE b (k int, c int, v int, w int, PRIMARY KEY (k, c))"],
     ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
     "PRIMARY KEY (v, k, c)"), InvalidRequest,
     "Primary key columns c must be restricted with 'IS NOT NULL' or otherwise"),
    ([], ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM nope WHERE k IS NOT NULL "
         "PRIMARY KEY (k)"), InvalidRequest, "Base table 'nope' doesn't exist"),
    ([], "DROP MATERIALIZED VIEW nope", InvalidRequest,
     "Materialized view 'ks.nope' doesn't exist"),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)",
      ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)")], "DROP TABLE b", InvalidRequest,
     "Cannot drop a table when materialized views still depend on it (ks)"),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)",
      ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)")], "ALTER TABLE mv ADD x int", InvalidRequest,
     "Cannot use ALTER TABLE on a materialized view; use ALTER MATERIALIZED VIEW instead"),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)",
      ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)")], "TRUNCATE mv", InvalidRequest,
     "Cannot TRUNCATE materialized view directly; must truncate base table instead"),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)",
      ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)")], "ALTER MATERIALIZED VIEW mv WITH default_time_to_live = 3",
     InvalidRequest,
     ("Forbidden default_time_to_live detected for a materialized view. Data in a materialized "
     "view always expire at the same time than the corresponding data in the parent table. "
     "default_time_to_live must be set to zero, see CASSANDRA-12868 for more information")),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)",
      ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)")], "ALTER MATERIALIZED VIEW mv WITH gc_grace_seconds = 0",
     InvalidRequest,
     ("Cannot alter gc_grace_seconds of a materialized view to 0, since this value is used to "
     "TTL undelivered updates. Setting gc_grace_seconds too low might cause undelivered updates "
     "to expire before being replayed.")),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)"],
     ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k) WITH default_time_to_live = 5"), InvalidRequest,
     ("Cannot set default_time_to_live for a materialized view. Data in a materialized view "
     "always expire at the same time than the corresponding data in the parent table.")),
    (["CREATE TABLE b (k int PRIMARY KEY, v int, w int)"],
     ("CREATE MATERIALIZED VIEW mv AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "AND w = 1 PRIMARY KEY (v, k)"), InvalidRequest,
     ("Non-primary key columns can only be restricted with 'IS NOT NULL' (got: w restricted "
     "illegally)")),
    (["CREATE TABLE b (k int PRIMARY KEY, v int)"],
     ("CREATE MATERIALIZED VIEW b AS SELECT * FROM b WHERE v IS NOT NULL AND k IS NOT NULL "
      "PRIMARY KEY (v, k)"), InvalidRequest,
     "Cannot create materialized view 'b' - a table with the same name already exists"),
    # more options
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH speculative_retry = 'sometimes'",
     ConfigurationException, "Invalid value sometimes for option 'speculative_retry'"),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH speculative_retry = '100p'",
     ConfigurationException,
     ("Invalid value 100p for PERCENTILE option 'speculative_retry': must be between "
     "(0.0 and 100.0)")),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH crc_check_chance = 2.0",
     ConfigurationException,
     ("crc_check_chance must be larger than or equal to 0 and smaller than or equal to 1.0 "
     "(got 2.0)")),
    ([], "CREATE TABLE t (k int PRIMARY KEY) WITH min_index_interval = 0",
     ConfigurationException, "min_index_interval must be greater than or equal to 1 (got 0)"),
    # unsupported features
    ([], ("CREATE FUNCTION f (a int) CALLED ON NULL INPUT RETURNS int LANGUAGE java AS "
         "'return a;'"), InvalidRequest, "User-defined functions are not supported by cassalite"),
    ([], "CREATE TRIGGER tr ON t USING 'x'", InvalidRequest,
     "Triggers are not supported by cassalite"),
    (["CREATE ROLE r"], "CREATE ROLE r", InvalidRequest, "r already exists"),
]


@pytest.mark.parametrize("setup,statement,error,message", ERRORS,
                         ids=[e[1][:60] for e in ERRORS])
def test_error(session, setup, statement, error, message):
    for query in setup:
        session.execute(query)
    with pytest.raises(error) as info:
        session.execute(statement)
    assert str(info.value) == message
    assert type(info.value) is error


def test_no_keyspace():
    s = cql.connect(":memory:")
    with pytest.raises(InvalidRequest) as info:
        s.execute("CREATE TABLE t (k int PRIMARY KEY)")
    assert str(info.value) == (
        "No keyspace has been specified. USE a keyspace, or explicitly specify "
        "keyspace.tablename")


# --------------------------------------------------------------------------------------
# Successful statements and what they store


def test_if_not_exists_and_if_exists_are_no_ops(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    for query in [
        ("CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', "
        "'replication_factor': 1}"),
        "CREATE TABLE IF NOT EXISTS t (k int PRIMARY KEY, v int)",
        "DROP TABLE IF EXISTS nope",
        "DROP KEYSPACE IF EXISTS nope",
        "ALTER TABLE IF EXISTS nope ADD v int",
        "ALTER TABLE t ADD IF NOT EXISTS k int",
        "ALTER TABLE t DROP IF EXISTS nope",
        "DROP TYPE IF EXISTS nope",
        "DROP INDEX IF EXISTS nope",
        "DROP MATERIALIZED VIEW IF EXISTS nope",
    ]:
        session.execute(query)
    assert rows(session, "SELECT column_name FROM system_schema.columns "
                         "WHERE keyspace_name = 'ks' AND table_name = 't'") == [("k",)]


def test_keyspace_replication_is_stored_fully_qualified(session):
    session.execute("CREATE KEYSPACE n WITH replication = {'class': 'NetworkTopologyStrategy', "
                    "'replication_factor': 1} AND durable_writes = false")
    assert rows(session, "SELECT durable_writes, replication FROM system_schema.keyspaces "
                         "WHERE keyspace_name = 'n'") == [
        (False, {"class": "org.apache.cassandra.locator.NetworkTopologyStrategy",
                 "datacenter1": "1"})]
    assert rows(session, "SELECT replication FROM system_schema.keyspaces "
                         "WHERE keyspace_name = 'ks'") == [
        ({"class": "org.apache.cassandra.locator.SimpleStrategy",
          "replication_factor": "1"},)]


def test_replication_factor_warning(session):
    result = session.execute("CREATE KEYSPACE w WITH replication = {'class': 'SimpleStrategy', "
                             "'replication_factor': 3}")
    assert result.warnings == [
        "Your replication factor 3 for keyspace w is higher than the number of nodes 1"]


def test_alter_keyspace(session):
    session.execute("ALTER KEYSPACE ks WITH durable_writes = false")
    assert rows(session, "SELECT durable_writes FROM system_schema.keyspaces "
                         "WHERE keyspace_name = 'ks'") == [(False,)]


def test_drop_keyspace_drops_its_tables(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    session.execute("INSERT INTO t (k, v) VALUES (1, 1)")
    session.execute("DROP KEYSPACE ks")
    session.execute(KS)
    session.execute("CREATE TABLE ks.t (k int PRIMARY KEY, v int)")
    assert rows(session, "SELECT * FROM ks.t") == []


def test_create_table_columns_in_system_schema(session):
    session.execute("CREATE TABLE t (k int, c text, v int, s int static, PRIMARY KEY (k, c)) "
                    "WITH CLUSTERING ORDER BY (c DESC)")
    got = rows(session, "SELECT column_name, clustering_order, kind, position, type "
                        "FROM system_schema.columns WHERE keyspace_name = 'ks' "
                        "AND table_name = 't'")
    assert sorted(got) == [
        ("c", "desc", "clustering", 0, "text"),
        ("k", "none", "partition_key", 0, "int"),
        ("s", "none", "static", -1, "int"),
        ("v", "none", "regular", -1, "int"),
    ]


def test_table_options_are_canonical(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY) WITH compaction = {'class': "
                    "'LeveledCompactionStrategy'} AND caching = {'rows_per_partition': '10'} "
                    "AND speculative_retry = '95PERCENTILE' AND comment = 'hi'")
    (row,) = rows(session, "SELECT compaction, caching, speculative_retry, comment, "
                           "bloom_filter_fp_chance FROM system_schema.tables "
                           "WHERE keyspace_name = 'ks' AND table_name = 't'")
    assert row == (
        {"class": "org.apache.cassandra.db.compaction.LeveledCompactionStrategy",
         "max_threshold": "32", "min_threshold": "4"},
        {"keys": "NONE", "rows_per_partition": "10"},
        "95p", "hi", 0.1,
    )


def test_table_id_option(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY) WITH id = "
                    "'5a1c395e-b41f-11e5-9f22-ba0be0483c18'")
    assert rows(session, "SELECT id FROM system_schema.tables WHERE keyspace_name = 'ks' "
                         "AND table_name = 't'")[0][0].hex == "5a1c395eb41f11e59f22ba0be0483c18"


def test_compact_tables(session):
    """WITH COMPACT STORAGE (compact_tables_enabled is true by default in 5.0): rows live only
    through their value cells, system_schema.tables.flags tell the kind, ALTER ... ADD and
    DROP COMPACT STORAGE are refused."""
    session.execute("CREATE TABLE d (k int, c int, v int, PRIMARY KEY (k, c)) WITH COMPACT STORAGE")
    session.execute("CREATE TABLE d2 (k int, c1 int, c2 int, PRIMARY KEY (k, c1, c2)) "
                    "WITH COMPACT STORAGE")
    session.execute("CREATE TABLE s (k int PRIMARY KEY, a int, b int) WITH COMPACT STORAGE")
    session.execute("CREATE TABLE n (k int PRIMARY KEY, n counter) WITH COMPACT STORAGE")
    flags = {r.table_name: r.flags for r in session.execute(
        "SELECT table_name, flags FROM system_schema.tables WHERE keyspace_name = 'ks'")}
    assert flags == {"d": {"dense"}, "d2": {"dense", "compound"}, "s": set(), "n": {"counter"}}
    with pytest.raises(InvalidRequest, match="^Column v is mandatory for this COMPACT STORAGE "
                                             "table$"):
        session.execute("INSERT INTO d (k, c) VALUES (0, 0)")
    session.execute("INSERT INTO d (k, c, v) VALUES (0, 0, 0)")
    session.execute("DELETE v FROM d WHERE k = 0 AND c = 0")
    assert list(session.execute("SELECT * FROM d")) == []
    session.execute("INSERT INTO d2 (k, c1, c2) VALUES (0, 0, 0)")  # the empty value cell
    assert [tuple(r) for r in session.execute("SELECT * FROM d2")] == [(0, 0, 0)]
    with pytest.raises(InvalidRequest, match="^Some clustering keys are missing: column1$"):
        session.execute("INSERT INTO s (k) VALUES (0)")  # no column: the hidden clustering
    session.execute("INSERT INTO s (k, a, b) VALUES (1, 1, 1)")
    session.execute("DELETE a, b FROM s WHERE k = 1")
    assert list(session.execute("SELECT * FROM s")) == []
    with pytest.raises(InvalidRequest, match="^Cannot add new column to a COMPACT STORAGE table$"):
        session.execute("ALTER TABLE s ADD c int")
    with pytest.raises(InvalidRequest, match="^DROP COMPACT STORAGE is disabled. Enable in "
                                             "cassandra.yaml to use.$"):
        session.execute("ALTER TABLE s DROP COMPACT STORAGE")
    session.execute("CREATE TABLE d3 LIKE d")  # CopyTableStatement parses the source's CQL
    with pytest.raises(InvalidRequest, match="^Column v is mandatory"):
        session.execute("INSERT INTO d3 (k, c) VALUES (0, 0)")
    # a static compact table's columns are static ones, its hidden column1 part of the key
    with pytest.raises(InvalidRequest, match="^Cannot include static column 'a' in "
                                             "materialized view 'mv'$"):
        session.execute("CREATE MATERIALIZED VIEW mv AS SELECT k, a FROM s WHERE k IS NOT NULL "
                        "AND a IS NOT NULL PRIMARY KEY (a, k)")
    with pytest.raises(InvalidRequest, match="^Cannot create materialized view 'mv' without "
                                             "primary key columns column1 from base table 's'$"):
        session.execute("CREATE MATERIALIZED VIEW mv AS SELECT k FROM s WHERE k IS NOT NULL "
                        "PRIMARY KEY (k)")


def test_compact_tables_survive_reopen(tmp_path):
    session = cql.connect(str(tmp_path))
    session.execute(KS)
    session.execute("CREATE TABLE ks.d (k int, c int, v int, PRIMARY KEY (k, c)) "
                    "WITH COMPACT STORAGE")
    session.execute("CREATE TABLE ks.s (k int PRIMARY KEY, a int) WITH COMPACT STORAGE")
    session.execute("CREATE TABLE ks.t (k int PRIMARY KEY, a int)")
    session.execute("CREATE TABLE ks.e (k int, c int, PRIMARY KEY (k, c)) WITH COMPACT STORAGE")
    session.close()
    session = cql.connect(str(tmp_path))
    assert [tuple(r) for r in session.execute(
        "SELECT table_name, column_name, kind, type FROM system_schema.columns "
        "WHERE keyspace_name = 'ks' AND table_name IN ('e', 's')")] == [
        ("e", "c", "clustering", "int"), ("e", "k", "partition_key", "int"),
        ("e", "value", "regular", "empty"), ("s", "a", "static", "int"),
        ("s", "column1", "clustering", "text"), ("s", "k", "partition_key", "int"),
        ("s", "value", "regular", "blob")]
    assert [c.name for c in session.database.schema.keyspaces["ks"].tables["s"].regular_columns] \
        == ["a"]
    session.execute("INSERT INTO ks.e (k, c) VALUES (0, 0)")
    assert [tuple(r) for r in session.execute("SELECT * FROM ks.e")] == [(0, 0)]
    with pytest.raises(InvalidRequest, match="Column v is mandatory"):
        session.execute("INSERT INTO ks.d (k, c) VALUES (0, 0)")
    for table in ("s", "t"):
        session.execute(f"INSERT INTO ks.{table} (k, a) VALUES (0, null)")
    assert list(session.execute("SELECT * FROM ks.s")) == []  # no row marker
    assert [tuple(r) for r in session.execute("SELECT * FROM ks.t")] == [(0, None)]
    session.close()


def test_schema_change_results(session):
    result = session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    assert result.response_kind == "schema_change"
    assert result._result.schema_change.change_type == "CREATED"
    assert result._result.schema_change.target == "TABLE"


def test_alter_add_drop_rename(session):
    session.execute("CREATE TABLE t (k int, c int, v int, PRIMARY KEY (k, c))")
    session.execute("INSERT INTO t (k, c, v) VALUES (1, 1, 1)")
    session.execute("ALTER TABLE t ADD (a text, b set<int>)")
    session.execute("ALTER TABLE t DROP v")
    session.execute("ALTER TABLE t RENAME c TO cc AND k TO kk")
    assert session.execute("SELECT * FROM t").column_names == ["kk", "cc", "a", "b"]
    assert rows(session, "SELECT * FROM t") == [(1, 1, None, None)]


def test_dropped_column_data_stays_invisible_after_re_add(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    session.execute("INSERT INTO t (k, v) VALUES (1, 1)")
    session.execute("ALTER TABLE t DROP v")
    session.execute("ALTER TABLE t ADD v int")
    assert rows(session, "SELECT k, v FROM t") == [(1, None)]
    dropped = rows(session, "SELECT column_name, kind, type FROM system_schema.dropped_columns "
                            "WHERE keyspace_name = 'ks'")
    assert dropped == [("v", "regular", "int")]


def test_drop_using_timestamp(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    session.execute("INSERT INTO t (k, v) VALUES (1, 1) USING TIMESTAMP 100")
    session.execute("INSERT INTO t (k, v) VALUES (2, 2) USING TIMESTAMP 300")
    session.execute("ALTER TABLE t DROP v USING TIMESTAMP 200")
    session.execute("ALTER TABLE t ADD v int")
    assert sorted(rows(session, "SELECT k, v FROM t")) == [(1, None), (2, 2)]


def test_alter_options(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY)")
    session.execute("ALTER TABLE t WITH gc_grace_seconds = 10 AND comment = 'c'")
    assert rows(session, "SELECT gc_grace_seconds, comment FROM system_schema.tables "
                         "WHERE keyspace_name = 'ks' AND table_name = 't'") == [(10, "c")]


def test_truncate(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    session.execute("INSERT INTO t (k, v) VALUES (1, 1)")
    session.execute("TRUNCATE TABLE t")
    assert rows(session, "SELECT * FROM t") == []


def test_user_types(session):
    session.execute("CREATE TYPE addr (street text)")
    session.execute("CREATE TABLE t (k int PRIMARY KEY, a frozen<addr>, b addr)")
    session.execute("ALTER TYPE addr ADD zip int")
    session.execute("ALTER TYPE addr RENAME street TO road")
    assert rows(session, "SELECT field_names, field_types FROM system_schema.types "
                         "WHERE keyspace_name = 'ks'") == [(["road", "zip"], ["text", "int"])]
    session.execute("INSERT INTO t (k, a) VALUES (1, {road: 'x', zip: 2})")
    assert rows(session, "SELECT a.zip FROM t") == [(2,)]
    session.execute("DROP TABLE t")
    session.execute("DROP TYPE addr")
    assert rows(session, "SELECT * FROM system_schema.types WHERE keyspace_name = 'ks'") == []


def test_indexes_stored(session):
    session.execute("CREATE TABLE t (k int, c int, v int, m map<text, int>, l list<int>, "
                    "f frozen<set<int>>, s text, PRIMARY KEY (k, c))")
    for query in ["CREATE INDEX ON t (v)", "CREATE INDEX ON t (m)", "CREATE INDEX ON t (l)",
                  "CREATE INDEX mk ON t (keys(m))", "CREATE INDEX me ON t (entries(m))",
                  "CREATE INDEX ff ON t (full(f))", "CREATE INDEX ON t (c) USING 'sai'",
                  ("CREATE CUSTOM INDEX cu ON t (s) USING 'StorageAttachedIndex' "
                  "WITH OPTIONS = {'case_sensitive': 'false'}")]:
        session.execute(query)
    got = sorted(rows(session, "SELECT index_name, kind, options FROM system_schema.indexes "
                               "WHERE keyspace_name = 'ks'"))
    sai = "org.apache.cassandra.index.sai.StorageAttachedIndex"
    assert got == [
        ("cu", "CUSTOM", {"case_sensitive": "false", "class_name": sai, "target": "s"}),
        ("ff", "COMPOSITES", {"target": "full(f)"}),
        ("me", "COMPOSITES", {"target": "entries(m)"}),
        ("mk", "COMPOSITES", {"target": "keys(m)"}),
        ("t_c_idx", "CUSTOM", {"class_name": sai, "target": "c"}),
        ("t_l_idx", "COMPOSITES", {"target": "values(l)"}),
        ("t_m_idx", "COMPOSITES", {"target": "values(m)"}),
        ("t_v_idx", "COMPOSITES", {"target": "v"}),
    ]
    session.execute("CREATE INDEX IF NOT EXISTS ON t (v)")
    session.execute("DROP INDEX t_v_idx")
    session.execute("CREATE INDEX ON t (v)")
    assert ("t_v_idx",) in rows(session, "SELECT index_name FROM system_schema.indexes "
                                         "WHERE keyspace_name = 'ks'")


def test_default_index_name_is_made_unique(session):
    session.execute("CREATE TABLE t (k int PRIMARY KEY, v int, w int)")
    session.execute("CREATE TABLE t_v (k int PRIMARY KEY, idx int)")
    session.execute("CREATE INDEX t_v_idx ON t_v (idx)")
    session.execute("CREATE INDEX ON t (v)")
    assert ("t_v_idx_1",) in rows(session, "SELECT index_name FROM system_schema.indexes "
                                           "WHERE keyspace_name = 'ks'")


def test_view_stored(session):
    session.execute("CREATE TABLE b (k int, c int, v int, PRIMARY KEY (k, c))")
    result = session.execute(
        "CREATE MATERIALIZED VIEW mv AS SELECT k, c, v FROM b WHERE v IS NOT NULL AND "
        "k IS NOT NULL AND c IS NOT NULL PRIMARY KEY (v, k, c) WITH CLUSTERING ORDER BY "
        "(k DESC, c ASC)")
    assert result.warnings == [
        "Materialized views are experimental and are not recommended for production use."]
    assert rows(session, "SELECT base_table_name, include_all_columns, where_clause "
                         "FROM system_schema.views WHERE keyspace_name = 'ks'") == [
        ("b", False, "v IS NOT NULL AND k IS NOT NULL AND c IS NOT NULL")]
    session.execute("ALTER MATERIALIZED VIEW mv WITH comment = 'x'")
    session.execute("DROP MATERIALIZED VIEW mv")
    session.execute("DROP TABLE b")


def test_unsupported_statements_prepare_but_fail(session):
    prepared = session.prepare("DROP FUNCTION f")
    with pytest.raises(InvalidRequest):
        session.execute(prepared)


def test_list_roles(session):
    assert rows(session, "LIST ROLES") == [("cassandra", True, True, {}, "ALL")]


def _ms(row: tuple) -> tuple:
    import re

    return row[:3] + (re.sub(r"USING TIMESTAMP (\d+)\d{3};",
                             lambda m: f"USING TIMESTAMP {m.group(1)}xxx;", row[3]),)


def test_schema_survives_reopen():
    engine = MemoryEngine()
    first = Session(Database(engine))
    first.execute(KS)
    first.execute("CREATE TYPE ks.addr (street text)")
    first.execute("CREATE TABLE ks.t (k int, c int, v frozen<addr>, PRIMARY KEY (k, c)) "
                  "WITH CLUSTERING ORDER BY (c DESC) AND comment = 'kept'")
    first.execute("CREATE INDEX ON ks.t (c)")
    first.execute("ALTER TABLE ks.t ADD w int")
    first.execute("ALTER TABLE ks.t DROP w")
    first.execute("INSERT INTO ks.t (k, c) VALUES (1, 2)")
    before = [tuple(r) for r in first.execute("DESCRIBE KEYSPACE ks WITH INTERNALS")]
    second = Session(Database(engine))
    after = [tuple(r) for r in second.execute("DESCRIBE KEYSPACE ks WITH INTERNALS")]
    # system_schema.dropped_columns.dropped_time is a timestamp: milliseconds, as in Cassandra
    assert [_ms(r) for r in after] == [_ms(r) for r in before]
    assert [tuple(r) for r in second.execute("SELECT k, c FROM ks.t")] == [(1, 2)]


def test_view_filtering_on_non_key_columns_needs_the_unsafe_setting():
    view = ("CREATE MATERIALIZED VIEW ks.mv AS SELECT * FROM ks.t WHERE a IS NOT NULL AND "
            "b IS NOT NULL AND d = 1 PRIMARY KEY (b, a)")
    s = cql.connect(":memory:")
    s.execute(KS)
    s.execute("CREATE TABLE ks.t (a int, b int, d int, PRIMARY KEY (a, b))")
    with pytest.raises(InvalidRequest, match=r"^Non-primary key columns can only be restricted "
                       r"with 'IS NOT NULL' \(got: d restricted illegally\)$"):
        s.execute(view)
    # -Dcassandra.mv.allow_filtering_nonkey_columns_unsafe=true: the view keeps matching rows
    s = cql.connect(":memory:", mv_allow_filtering_nonkey_columns_unsafe=True)
    s.execute(KS)
    s.execute("CREATE TABLE ks.t (a int, b int, d int, PRIMARY KEY (a, b))")
    s.execute("INSERT INTO ks.t (a, b, d) VALUES (0, 0, 1)")
    s.execute(view)
    s.execute("INSERT INTO ks.t (a, b, d) VALUES (0, 1, 2)")
    s.execute("INSERT INTO ks.t (a, b, d) VALUES (1, 2, 1)")
    assert sorted(tuple(r) for r in s.execute("SELECT a, b, d FROM ks.mv")) == [(0, 0, 1), (1, 2, 1)]
    s.execute("UPDATE ks.t SET d = 3 WHERE a = 0 AND b = 0")
    assert [tuple(r) for r in s.execute("SELECT a, b, d FROM ks.mv")] == [(1, 2, 1)]


def test_dropped_column_stays_hidden_after_reopen(tmp_path, monkeypatch):
    # the insert and the drop in one millisecond: dropped_columns.dropped_time keeps
    # milliseconds, so the drop time must be a whole millisecond after the insert
    import cql.cells

    monkeypatch.setattr(cql.cells.time, "time_ns", lambda: 1_700_000_000_000_500_000)
    s = cql.connect(str(tmp_path))
    s.execute(KS)
    s.execute("CREATE TABLE ks.t (id text PRIMARY KEY, content text, l list<text>)")
    s.execute("INSERT INTO ks.t (id, content, l) VALUES ('test', 'first', ['first element'])")
    s.execute("ALTER TABLE ks.t DROP l")
    s.execute("ALTER TABLE ks.t ADD l list<text>")
    assert [tuple(r) for r in s.execute("SELECT * FROM ks.t")] == [("test", "first", None)]
    s.close()
    monkeypatch.setattr(cql.cells.time, "time_ns", lambda: 1_700_000_000_002_000_000)
    s = cql.connect(str(tmp_path))
    assert [tuple(r) for r in s.execute("SELECT * FROM ks.t")] == [("test", "first", None)]
    s.execute("UPDATE ks.t SET l = ['second'] WHERE id = 'test'")
    assert [tuple(r) for r in s.execute("SELECT * FROM ks.t")] == [("test", "first", ["second"])]
    s.close()
