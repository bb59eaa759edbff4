"""The real cassandra-driver against the server: statements, paging, batches, LWT,
types, schema metadata, errors, auth, compression."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid

import pytest

cassandra = pytest.importorskip("cassandra")

from cassandra import AlreadyExists, InvalidRequest
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster, NoHostAvailable
from cassandra.protocol import SyntaxException
from cassandra.query import (
    BatchStatement,
    BatchType,
    SimpleStatement,
    dict_factory,
)
from cassandra.util import Duration, OrderedMapSerializedKey


def test_connect_negotiates_v4_and_sees_the_node(server):
    c = Cluster(["127.0.0.1"], port=server.port, connect_timeout=5)  # no version: probes
    try:
        s = c.connect()
        assert c.protocol_version == 4
        host = c.metadata.all_hosts()[0]
        assert host.datacenter == "datacenter1" and host.rack == "rack1"
        assert host.release_version == "5.0.0"
        assert c.metadata.cluster_name == "Test Cluster"
        assert c.metadata.partitioner == "org.apache.cassandra.dht.Murmur3Partitioner"
        assert c.metadata.token_map is not None
        row = s.execute("SELECT cluster_name, cql_version FROM system.local").one()
        assert (row.cluster_name, row.cql_version) == ("Test Cluster", "3.4.7")
    finally:
        c.shutdown()


def test_simple_and_prepared_statements(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE users (id int PRIMARY KEY, name text, age int)")
    s.execute("INSERT INTO users (id, name, age) VALUES (%s, %s, %s)", (1, "ann", 30))
    s.execute("INSERT INTO users (id, name, age) VALUES (%(i)s, %(n)s, %(a)s)",
              {"i": 2, "n": "bob", "a": 40})
    ins = s.prepare("INSERT INTO users (id, name, age) VALUES (?, ?, ?)")
    assert ins.routing_key_indexes == [0]
    s.execute(ins, (3, "cy", None))
    s.execute(ins.bind({"id": 4, "name": "di"}))  # age left unset
    sel = s.prepare("SELECT name, age FROM users WHERE id = ?")
    assert s.execute(sel, [1]).one() == ("ann", 30)
    assert s.execute(sel, [3]).one() == ("cy", None)
    assert s.execute(sel, [4]).one() == ("di", None)
    rows = sorted(s.execute("SELECT id, name FROM users"))
    assert [r.name for r in rows] == ["ann", "bob", "cy", "di"]
    s.row_factory = dict_factory
    try:
        assert s.execute(sel, [2]).one() == {"name": "bob", "age": 40}
    finally:
        from cassandra.query import named_tuple_factory
        s.row_factory = named_tuple_factory
    fut = [s.execute_async(sel, [i % 4 + 1]) for i in range(100)]
    assert all(f.result().one() is not None for f in fut)
    assert s.execute("SELECT * FROM users WHERE id = 1", custom_payload={"x": b"y"}).one()


def test_paging_through_10k_rows(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE big (p int, c int, v text, PRIMARY KEY (p, c))")
    ins = s.prepare("INSERT INTO big (p, c, v) VALUES (?, ?, ?)")
    batches = []
    for start in range(0, 10_000, 250):
        b = BatchStatement(batch_type=BatchType.UNLOGGED)
        for i in range(start, start + 250):
            b.add(ins, (i % 10, i, f"value-{i}"))
        batches.append(b)
    for fut in [s.execute_async(b) for b in batches]:
        fut.result()
    stmt = SimpleStatement("SELECT p, c, v FROM big", fetch_size=1000)
    rs = s.execute(stmt)
    assert len(rs.current_rows) == 1000 and rs.has_more_pages
    seen = [(r.p, r.c) for r in rs]
    assert len(seen) == 10_000 and len(set(seen)) == 10_000
    # resume from a saved paging state, then with a prepared statement
    first = s.execute(SimpleStatement("SELECT c FROM big WHERE p = 3", fetch_size=7))
    state = first.paging_state
    second = s.execute(SimpleStatement("SELECT c FROM big WHERE p = 3", fetch_size=7),
                       paging_state=state)
    assert [r.c for r in first.current_rows] + [r.c for r in second.current_rows] == \
        list(range(3, 3 + 14 * 10, 10))
    prep = s.prepare("SELECT c FROM big WHERE p = ?")
    prep.fetch_size = 333
    assert len(list(s.execute(prep, [5]))) == 1000


def test_batches(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE b (k int, c int, v text, PRIMARY KEY (k, c))")
    s.execute("CREATE TABLE counts (k int PRIMARY KEY, n counter)")
    ins = s.prepare("INSERT INTO b (k, c, v) VALUES (?, ?, ?)")
    batch = BatchStatement()
    for i in range(20):
        batch.add(ins, (1, i, f"v{i}"))
    batch.add(SimpleStatement("INSERT INTO b (k, c, v) VALUES (%s, %s, %s)"), (2, 0, "simple"))
    batch.add("DELETE FROM b WHERE k = 1 AND c = 19")
    s.execute(batch)
    assert s.execute("SELECT count(*) FROM b WHERE k = 1").one()[0] == 19
    assert s.execute("SELECT v FROM b WHERE k = 2 AND c = 0").one().v == "simple"

    unlogged = BatchStatement(batch_type=BatchType.UNLOGGED)
    unlogged.add(ins, (3, 1, "u"))
    s.execute(unlogged)

    counter = BatchStatement(batch_type=BatchType.COUNTER)
    inc = s.prepare("UPDATE counts SET n = n + ? WHERE k = ?")
    for k in range(3):
        counter.add(inc, (k + 1, k))
    s.execute(counter)
    assert sorted(tuple(r) for r in s.execute("SELECT k, n FROM counts")) == [
        (0, 1), (1, 2), (2, 3)]

    bad = BatchStatement()
    bad.add(inc, (1, 0))
    with pytest.raises(InvalidRequest, match="counter statement in a logged batch"):
        s.execute(bad)

    cas = BatchStatement()
    cas.add(SimpleStatement("INSERT INTO b (k, c, v) VALUES (9, 1, 'a') IF NOT EXISTS"))
    cas.add(ins, (9, 2, "b"))
    assert s.execute(cas).was_applied
    assert not s.execute(cas).was_applied


def test_lwt(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE acct (id int PRIMARY KEY, balance int)")
    ins = s.prepare("INSERT INTO acct (id, balance) VALUES (?, ?) IF NOT EXISTS")
    assert s.execute(ins, (1, 100)).was_applied
    rs = s.execute(ins, (1, 5))
    assert not rs.was_applied and rs.one().balance == 100
    upd = s.prepare("UPDATE acct SET balance = ? WHERE id = ? IF balance = ?")
    assert s.execute(upd, (90, 1, 100)).was_applied
    assert not s.execute(upd, (80, 1, 100)).was_applied
    assert s.execute("DELETE FROM acct WHERE id = 1 IF EXISTS").was_applied
    assert s.execute("SELECT * FROM acct WHERE id = 1").one() is None


TYPE_VALUES = {
    "a_ascii": ("ascii", "plain"),
    "a_bigint": ("bigint", -(2**63)),
    "a_blob": ("blob", b"\x00\xffbin"),
    "a_boolean": ("boolean", True),
    "a_date": ("date", cassandra.util.Date(datetime.date(1969, 7, 20))),
    "a_decimal": ("decimal", decimal.Decimal("-123.4500")),
    "a_double": ("double", 2.5e-300),
    "a_duration": ("duration", Duration(1, 2, 3_000_000_007)),
    "a_float": ("float", 1.5),
    "a_inet": ("inet", "::1"),
    "a_int": ("int", -(2**31)),
    "a_smallint": ("smallint", -32768),
    "a_text": ("text", "unicodé ✓"),
    "a_time": ("time", cassandra.util.Time(datetime.time(23, 59, 59, 999999))),
    "a_timestamp": ("timestamp", datetime.datetime(2024, 2, 29, 12, 30, 1, 123000)),
    "a_timeuuid": ("timeuuid", uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
    "a_tinyint": ("tinyint", -128),
    "a_uuid": ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    "a_varint": ("varint", 2**100 + 1),
    "a_list": ("list<int>", [3, 1, 2]),
    "a_set": ("set<text>", {"b", "a"}),
    "a_map": ("map<text, double>", {"x": 1.0, "y": -2.0}),
    "a_tuple": ("tuple<int, text, boolean>", (1, "t", False)),
    "a_nested": ("frozen<map<int, frozen<list<frozen<set<bigint>>>>>>", {1: [{1, 2}, {3}]}),
    "a_udt": ("frozen<address>", None),  # filled in the test (needs the UDT class)
    "a_vector": ("vector<float, 3>", [1.0, 2.5, -3.0]),
}


def _normalize(v):
    if isinstance(v, OrderedMapSerializedKey):
        return {k: _normalize(x) for k, x in v.items()}
    if isinstance(v, (set, frozenset)) or type(v).__name__ == "SortedSet":
        return {_normalize(x) for x in v}
    if isinstance(v, list):
        return [_normalize(x) for x in v]
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return tuple(_normalize(x) for x in v)
    if isinstance(v, dict):
        return {k: _normalize(x) for k, x in v.items()}
    return v


def test_every_type_round_trips(dsession, keyspace):
    s = dsession
    s.execute("CREATE TYPE address (street text, zip int, tags frozen<set<text>>)")
    columns = ", ".join(f"{name} {t}" for name, (t, _) in TYPE_VALUES.items())
    s.execute(f"CREATE TABLE every (k int PRIMARY KEY, {columns})")

    class Address:
        def __init__(self, street=None, zip=None, tags=None):
            self.street, self.zip, self.tags = street, zip, tags

    s.cluster.register_user_type(keyspace, "address", Address)
    values = {name: v for name, (_, v) in TYPE_VALUES.items()}
    values["a_udt"] = Address("Main St", 12345, {"x", "y"})
    names = list(values)
    ins = s.prepare(f"INSERT INTO every (k, {', '.join(names)}) "
                    f"VALUES (?, {', '.join('?' for _ in names)})")
    s.execute(ins, [1, *values.values()])
    # the same values through a simple statement (the driver inlines them as literals;
    # it cannot inline tuples or UDT objects, so those go as CQL literals)
    inlined = [n for n in names if n not in ("a_tuple", "a_udt")]
    s.execute(f"INSERT INTO every (k, {', '.join(inlined)}, a_tuple, a_udt) "
              f"VALUES (%s, {', '.join('%s' for _ in inlined)}, (1, 't', false), "
              "{street: 'Main St', zip: 12345, tags: {'x', 'y'}})",
              [2, *(values[n] for n in inlined)])
    for k in (1, 2):
        row = s.execute(f"SELECT * FROM every WHERE k = {k}").one()._asdict()
        for name, expected in values.items():
            got = row[name]
            if name == "a_udt":
                assert (got.street, got.zip, set(got.tags)) == ("Main St", 12345, {"x", "y"})
            elif name == "a_inet":
                assert ipaddress.ip_address(got) == ipaddress.ip_address(expected)
            else:
                assert _normalize(got) == _normalize(expected), (k, name, got, expected)
    nulls = s.execute(ins, [3] + [None] * len(names))
    assert nulls is not None
    row = s.execute("SELECT * FROM every WHERE k = 3").one()
    assert all(getattr(row, n) is None for n in names)


def test_schema_metadata_is_visible(dsession, keyspace, cluster):
    s = dsession
    s.execute("CREATE TYPE pt (x int, y int)")
    s.execute("CREATE TABLE shapes (id uuid, part int, name text STATIC, pts list<frozen<pt>>, "
              "tags map<text, text>, PRIMARY KEY ((id), part)) WITH CLUSTERING ORDER BY "
              "(part DESC) AND comment = 'shapes'")
    s.execute("CREATE INDEX shapes_name ON shapes (name)")
    ks = cluster.metadata.keyspaces[keyspace]
    assert ks.replication_strategy.replication_factor == 1
    assert "pt" in ks.user_types and ks.user_types["pt"].field_names == ["x", "y"]
    t = ks.tables["shapes"]
    assert [c.name for c in t.partition_key] == ["id"]
    assert [c.name for c in t.clustering_key] == ["part"]
    assert t.columns["part"].is_reversed
    assert t.columns["name"].is_static
    assert t.columns["pts"].cql_type == "list<frozen<pt>>"
    assert t.options["comment"] == "shapes"
    assert "shapes_name" in t.indexes
    ddl = t.export_as_string()
    assert "CREATE TABLE " + keyspace + ".shapes" in ddl
    assert "CLUSTERING ORDER BY (part DESC)" in ddl
    assert "CREATE INDEX shapes_name" in ddl
    s.execute("ALTER TABLE shapes ADD extra int")
    assert "extra" in cluster.metadata.keyspaces[keyspace].tables["shapes"].columns
    s.execute("DROP TABLE shapes")
    assert "shapes" not in cluster.metadata.keyspaces[keyspace].tables
    assert cluster.metadata.get_replicas(keyspace, b"\x00\x00\x00\x01")


def test_errors_raise_the_driver_exceptions(dsession, keyspace):
    s = dsession
    with pytest.raises(SyntaxException):
        s.execute("SELEKT * FROM x")
    with pytest.raises(InvalidRequest, match="unconfigured table|does not exist"):
        s.execute("SELECT * FROM nope")
    s.execute("CREATE TABLE dup (k int PRIMARY KEY)")
    with pytest.raises(AlreadyExists) as info:
        s.execute("CREATE TABLE dup (k int PRIMARY KEY)")
    assert (info.value.keyspace, info.value.table) == (keyspace, "dup")
    with pytest.raises(InvalidRequest, match="Invalid STRING constant"):
        s.execute("INSERT INTO dup (k) VALUES ('text')")


def test_unprepared_recovery(dsession, keyspace, server):
    s = dsession
    s.execute("CREATE TABLE up (k int PRIMARY KEY, v int)")
    ins = s.prepare("INSERT INTO up (k, v) VALUES (?, ?)")
    s.execute(ins, (1, 1))
    server.server.prepared.clear()  # as after a server restart
    s.execute(ins, (2, 2))  # the driver re-prepares on Unprepared and retries
    assert s.execute("SELECT v FROM up WHERE k = 2").one().v == 2


def test_prepared_statements_follow_schema_changes(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE evolve (k int PRIMARY KEY, a int)")
    s.execute("INSERT INTO evolve (k, a) VALUES (1, 1)")
    sel = s.prepare("SELECT * FROM evolve WHERE k = ?")
    s.execute("ALTER TABLE evolve ADD b text")
    s.execute("UPDATE evolve SET b = 'new' WHERE k = 1")
    row = s.execute(sel, [1]).one()
    assert (row.k, row.a, row.b) == (1, 1, "new")


def test_keyspace_per_connection(server, dsession, keyspace):
    other = dsession.cluster.connect()  # a second session: no keyspace
    try:
        with pytest.raises(InvalidRequest, match="No keyspace has been specified"):
            other.execute("CREATE TABLE nokeyspace (k int PRIMARY KEY)")
    finally:
        other.shutdown()


def test_lz4_compression(server):
    c = Cluster(["127.0.0.1"], port=server.port, protocol_version=4, compression="lz4",
                connect_timeout=5)
    try:
        s = c.connect()
        row = s.execute("SELECT * FROM system.local").one()
        assert row.cluster_name == "Test Cluster"
        assert len(list(s.execute("SELECT * FROM system_schema.columns"))) >= 0
    finally:
        c.shutdown()


def test_auth(auth_server):
    def cluster(user, password):
        return Cluster(["127.0.0.1"], port=auth_server.port, protocol_version=4,
                       auth_provider=PlainTextAuthProvider(user, password), connect_timeout=5)

    c = cluster("cassandra", "cassandra")
    try:
        s = c.connect()
        row = s.execute("SELECT role, is_superuser, salted_hash FROM system_auth.roles "
                        "WHERE role = 'cassandra'").one()
        assert row.is_superuser and row.salted_hash.startswith("$2a$10$")
    finally:
        c.shutdown()
    c = cluster("cassandra", "nope")
    try:
        with pytest.raises(NoHostAvailable, match="incorrect"):
            c.connect()
    finally:
        c.shutdown()
    c = Cluster(["127.0.0.1"], port=auth_server.port, protocol_version=4, connect_timeout=5)
    try:
        with pytest.raises(NoHostAvailable, match="requires authentication"):
            c.connect()
    finally:
        c.shutdown()


def test_tracing_a_request(dsession, keyspace):
    s = dsession
    s.execute("CREATE TABLE traced (k int PRIMARY KEY, v text)")
    s.execute("INSERT INTO traced (k, v) VALUES (1, 'a')")
    rs = s.execute("SELECT * FROM traced WHERE k = 1", trace=True)
    assert rs.response_future.get_query_trace_ids()
    t = rs.get_query_trace(max_wait_sec=5)
    assert t.request_type == "Execute CQL3 query"
    assert t.parameters["query"] == "SELECT * FROM traced WHERE k = 1"
    assert t.client == "127.0.0.1" and t.coordinator == "127.0.0.1"
    assert [e.description for e in t.events][-3:] == [
        "Executing single-partition query on traced",
        "Reading the partition from memory",
        "Read 1 live rows and 0 tombstone cells",
    ]
    assert t.duration.total_seconds() > 0
    ps = s.prepare("SELECT * FROM traced WHERE k = ?")
    t = s.execute(ps, [1], trace=True).get_query_trace(max_wait_sec=5)
    assert t.request_type == "Execute CQL3 prepared query"
    assert s.execute("SELECT * FROM traced WHERE k = 1").get_query_trace() is None
