"""ANN OF: exact nearest neighbours on the exact path, recall on the graph path, the index
kept in step with every write, and Cassandra 5.0's messages for every rule."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cql
from cql import InvalidRequest
from cql.derived import vector_index
from cql.derived.vector_index import VectorStore, score

_NAMES = itertools.count()
KS = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"


def session(*statements: str, path: str | None = None) -> cql.Session:
    s = cql.connect(path or f":memory:vector-{next(_NAMES)}")
    s.row_factory = cql.tuple_factory
    s.execute(KS)
    s.set_keyspace("ks")
    for statement in statements:
        s.execute(statement)
    return s


def q(s, query, params=None):
    return list(s.execute(query, params))


def reference(s, table: str, column: str, similarity: str, query: list[float], k: int,
              where: str = "", allow: bool = False) -> list[tuple[float, tuple]]:
    """Exact top-k by brute force over SELECT * (token order breaks ties)."""
    rows = q(s, f"SELECT * FROM {table} {where}" + (" ALLOW FILTERING" if allow else ""))
    names = [c for c in s.execute(f"SELECT * FROM {table} LIMIT 1").column_names]
    i = names.index(column)
    scored = [(score(similarity, [float(x) for x in r[i]], query), pos, r)
              for pos, r in enumerate(rows) if r[i] is not None]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [(sc, r) for sc, _, r in scored[:k]]


def assert_exact(got: list[tuple], ref: list[tuple[float, tuple]], scores: list[float]) -> None:
    """Same length, each row's exact score equal to the reference's at its rank (so only
    rows with equal scores may trade places), every row a real row of the reference."""
    assert len(got) == len(ref)
    for (ref_score, _), sc in zip(ref, scores):
        assert sc == pytest.approx(ref_score, rel=1e-12, abs=1e-12)


def test_issue_example_returns_nearest_not_token_order():
    s = session("CREATE TABLE v (id int PRIMARY KEY, e vector<float, 3>)",
                "CREATE CUSTOM INDEX ON v (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}")
    for i in range(100):
        s.execute("INSERT INTO v (id, e) VALUES (%s, %s)", (i, [float(i), 1.0, 2.0]))
    got = q(s, "SELECT id FROM v ORDER BY e ANN OF [3.0, 1.0, 2.0] LIMIT 3")
    # 2 and 4 tie (distance 1) behind 3: token order decides
    token_order = [r[0] for r in q(s, "SELECT id FROM v") if r[0] in (2, 4)]
    assert got == [(3,)] + [(i,) for i in token_order]


vectors = st.lists(st.integers(-3, 3).map(float), min_size=3, max_size=3).filter(any)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(similarity=st.sampled_from(["cosine", "euclidean", "dot_product"]),
       ops=st.lists(st.tuples(st.sampled_from(["put", "put", "put", "del_row", "del_part",
                                               "null", "tag"]),
                              st.integers(0, 3), st.integers(0, 5), vectors,
                              st.integers(0, 2)), max_size=40),
       query=vectors, k=st.integers(1, 8), mode=st.sampled_from(["all", "part", "tag"]))
def test_exact_path_equals_brute_force(similarity, ops, query, k, mode):
    s = session("CREATE TABLE t (p int, c int, e vector<float, 3>, tag int, PRIMARY KEY (p, c))",
                "CREATE CUSTOM INDEX ON t (tag) USING 'sai'",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                f"WITH OPTIONS = {{'similarity_function': '{similarity}'}}")
    q(s, "SELECT * FROM t ORDER BY e ANN OF [1.0, 1.0, 1.0] LIMIT 1")  # the store exists
    for op, p, c, vec, tag in ops:
        if op == "put":
            s.execute("INSERT INTO t (p, c, e, tag) VALUES (%s, %s, %s, %s)", (p, c, vec, tag))
        elif op == "del_row":
            s.execute("DELETE FROM t WHERE p = %s AND c = %s", (p, c))
        elif op == "del_part":
            s.execute("DELETE FROM t WHERE p = %s", (p,))
        elif op == "null":
            s.execute("UPDATE t SET e = null WHERE p = %s AND c = %s", (p, c))
        else:
            s.execute("UPDATE t SET tag = %s WHERE p = %s AND c = %s", (tag, p, c))
    where = {"all": "", "part": "WHERE p = 1", "tag": "WHERE tag = 1"}[mode]
    got = q(s, f"SELECT p, c, e, tag FROM t {where} ORDER BY e ANN OF %s LIMIT {k}", (query,))
    ref = reference(s, "t", "e", similarity, query, k, where, allow=mode == "tag")
    assert_exact(got, ref, [score(similarity, [float(x) for x in r[2]], query) for r in got])
    assert len({r[:2] for r in got}) == len(got)
    live = {r[:2]: r for r in q(s, f"SELECT p, c, e, tag FROM t {where}"
                                   + (" ALLOW FILTERING" if mode == "tag" else ""))}
    assert all(live.get(r[:2]) == r for r in got)


def test_ties_in_token_order():
    s = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 2>)",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai'")
    for i in range(20):
        s.execute("INSERT INTO t (id, e) VALUES (%s, [1.0, 2.0])", (i,))
    token_order = [r[0] for r in q(s, "SELECT id FROM t")]
    assert [r[0] for r in q(s, "SELECT id FROM t ORDER BY e ANN OF [1.0, 2.0] LIMIT 20")] == \
        token_order


def test_store_exact_search_matches_python_reference_at_scale():
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    for similarity in ("cosine", "euclidean", "dot_product"):
        data = rng.standard_normal((3000, 16)).astype(np.float32)
        data[10] = data[20] = data[30]  # exact ties
        store = VectorStore(16, similarity)
        for i, v in enumerate(data):
            store.upsert((i.to_bytes(8, "big"), b""), v.astype(np.float64).tolist(), 1, 0)
        for query in (rng.standard_normal(16).tolist(), data[20].astype(np.float64).tolist()):
            search = store.search(query, 0)
            got = [next(search) for _ in range(300)]
            search.close()
            ref = sorted((-score(similarity, data[i].astype(np.float64).tolist(), query),
                          i.to_bytes(8, "big")) for i in range(len(data)))[:300]
            assert [key[0] for _, key in got] == [key for _, key in ref]


def test_graph_path_recall(monkeypatch):
    np = pytest.importorskip("numpy")
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    rng = np.random.default_rng(5)
    dim, n = 32, 4000
    centres = rng.standard_normal((40, dim))
    data = (centres[rng.integers(0, 40, n)] + 0.3 * rng.standard_normal((n, dim))).astype(np.float32)
    store = VectorStore(dim, "cosine")
    for i, v in enumerate(data):
        store.upsert((i.to_bytes(8, "big"), b""), v.astype(np.float64).tolist(), 1, 0)
    assert store.wait_for_graph()
    recalls = []
    for _ in range(40):
        query = (centres[rng.integers(0, 40)] + 0.3 * rng.standard_normal(dim)).tolist()
        search = store.search(query, 0)
        got = {next(search)[1] for _ in range(10)}
        search.close()
        exact = set(key for _, key in itertools.islice(store._ordered(
            store._all_slots(), query, 0), 10))
        recalls.append(len(got & exact) / 10)
    assert sum(recalls) / len(recalls) >= 0.95
    # the graph follows deletes and updates
    victim = next(iter(store.slot_of))
    store.remove(victim, 2)
    query = data[int.from_bytes(victim[0], "big")].astype(np.float64).tolist()
    search = store.search(query, 0)
    assert victim not in {next(search)[1] for _ in range(10)}
    search.close()


def test_cosine_graph_holds_vectors_beyond_half_precision(monkeypatch):
    """A cosine graph stores unit rows in float16: components far past its range (65504)
    are found as well as small ones, built in bulk or added to a built graph."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    rng = np.random.default_rng(9)
    dim, n = 16, 2000
    centres = rng.standard_normal((20, dim))
    data = 1e6 * (centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, dim)))
    store = VectorStore(dim, "cosine")
    for i, v in enumerate(data):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert store.wait_for_graph()
    assert store.graph.dtype.name == "F16"
    newcomer = (n.to_bytes(8, "big"), b"")
    store.upsert(newcomer, (3e7 * centres[0]).tolist(), 1, 0)  # into the built graph
    hits = 0
    for c in range(20):
        query = (1e6 * centres[c]).tolist()
        search = store.search(query, 0)
        got = [next(search) for _ in range(10)]
        search.close()
        exact = list(itertools.islice(store._ordered(store._all_slots(), query, 0), 10))
        assert [s for s, _ in got] == sorted((s for s, _ in got), reverse=True)
        hits += len({k for _, k in got} & {k for _, k in exact})
    assert hits / 200 >= 0.95
    search = store.search((1e6 * centres[0]).tolist(), 0)
    assert next(search)[1] == newcomer
    search.close()


def test_graph_path_through_cql(monkeypatch):
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    s = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 2>, tag int)",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}",
                "CREATE CUSTOM INDEX ON t (tag) USING 'sai'")
    for i in range(300):
        s.execute("INSERT INTO t (id, e, tag) VALUES (%s, %s, %s)", (i, [float(i), 0.0], i % 7))
    q(s, "SELECT id FROM t ORDER BY e ANN OF [1.0, 0.0] LIMIT 1")  # builds the store
    table = s.database.schema.table("ks", "t")
    index = next(i for i in table.indexes.values() if i.target_column == "e")
    store = vector_index.registry(s.database).existing(table, index)
    assert store.wait_for_graph()
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [100.2, 0.0] LIMIT 3") == [(100,), (101,), (99,)]
    # a selective filter: the graph rounds widen, then the rest is searched exactly
    assert q(s, "SELECT id FROM t WHERE tag = 3 ORDER BY e ANN OF [100.2, 0.0] LIMIT 2") == \
        [(101,), (94,)]
    s.execute("DELETE FROM t WHERE id = 100")
    s.execute("UPDATE t SET e = [500.0, 0.0] WHERE id = 101")
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [100.2, 0.0] LIMIT 2") == [(99,), (102,)]


def test_calibration_keeps_exact_search_when_the_graph_loses(monkeypatch):
    np = pytest.importorskip("numpy")
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    store = VectorStore(8, "cosine")
    monkeypatch.setattr(store, "_calibrate", lambda *a: None)
    for i, v in enumerate(np.random.default_rng(1).standard_normal((200, 8))):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert not store.wait_for_graph()
    assert store.verdict == ("exact", 200) and store.graph is None


def test_pure_python_fallback(monkeypatch):
    monkeypatch.setattr(vector_index, "np", None)
    monkeypatch.setattr(vector_index, "_UsearchIndex", None)
    s = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 2>)",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'dot_product'}")
    for i in range(30):
        s.execute("INSERT INTO t (id, e) VALUES (%s, %s)", (i, [i / 30, 1 - i / 30]))
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [1.0, 0.0] LIMIT 2") == [(29,), (28,)]


def test_index_follows_ttl_truncate_drop_and_reopen(tmp_path):
    s = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 2>)",
                "CREATE CUSTOM INDEX e_idx ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}")
    s.execute("INSERT INTO t (id, e) VALUES (1, [0.0, 0.0]) USING TTL 1")
    s.execute("INSERT INTO t (id, e) VALUES (2, [5.0, 5.0])")
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 1") == [(1,)]
    time.sleep(2.1)
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 2") == [(2,)]
    s.execute("TRUNCATE t")
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 2") == []
    s.execute("INSERT INTO t (id, e) VALUES (3, [1.0, 1.0])")
    s.execute("DROP INDEX e_idx")
    with pytest.raises(InvalidRequest, match="requires the column to be indexed"):
        q(s, "SELECT id FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 2")
    s.execute("CREATE CUSTOM INDEX e_idx ON t (e) USING 'sai'")
    assert q(s, "SELECT id FROM t ORDER BY e ANN OF [1.0, 1.0] LIMIT 2") == [(3,)]
    # LSM: the index is rebuilt from the table on open
    path = str(tmp_path / "db")
    d = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 2>)",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}", path=path)
    for i in range(10):
        d.execute("INSERT INTO t (id, e) VALUES (%s, %s)", (i, [float(i), 0.0]))
    assert q(d, "SELECT id FROM t ORDER BY e ANN OF [4.1, 0.0] LIMIT 2") == [(4,), (5,)]
    d.execute("DELETE FROM t WHERE id = 4")
    d.cluster.shutdown() if hasattr(d, "cluster") else d.close()
    r = cql.connect(path)
    r.row_factory = cql.tuple_factory
    r.set_keyspace("ks")
    assert q(r, "SELECT id FROM t ORDER BY e ANN OF [4.1, 0.0] LIMIT 2") == [(5,), (3,)]
    r.close()


# ---- every rule, with Cassandra's message ------------------------------------------------

SETUP = (
    "CREATE TABLE t (pk int, ck int, v vector<float, 3>, w vector<float, 3>, "
    "iv vector<int, 2>, one vector<float, 1>, n int, x int, s text, PRIMARY KEY (pk, ck))",
    "CREATE CUSTOM INDEX ON t (v) USING 'sai'",
    "CREATE CUSTOM INDEX ON t (n) USING 'sai'",
)

MESSAGES = [
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0], w ANN OF [1.0, 2.0, 3.0] LIMIT 1",
     "Cannot specify more than one ANN ordering"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0], ck ASC LIMIT 1",
     "ANN ordering does not support any other ordering"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0] DESC LIMIT 1",
     "Descending ANN ordering is not supported"),
    ("SELECT * FROM t ORDER BY nope ANN OF [1.0] LIMIT 1",
     "Undefined column name nope in table ks.t"),
    ("SELECT * FROM t ORDER BY n ANN OF 1 LIMIT 1",
     "ANN ordering is only supported on float vector indexes"),
    ("SELECT * FROM t ORDER BY w ANN OF [1.0, 2.0, 3.0] LIMIT 1",
     "ANN ordering by vector requires the column to be indexed"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0] LIMIT 1",
     "Invalid vector literal for v of type vector<float, 3>; expected 3 elements, but given 2"),
    ("SELECT * FROM t WHERE x = 1 ORDER BY v ANN OF [1.0, 2.0, 3.0] LIMIT 1 ALLOW FILTERING",
     "ANN ordering by vector requires all restricted column(s) to be indexed"),
    ("SELECT * FROM t WHERE ck > 1 ORDER BY v ANN OF [1.0, 2.0, 3.0] LIMIT 1 ALLOW FILTERING",
     "ANN ordering by vector requires all restricted column(s) to be indexed"),
    ("SELECT * FROM t WHERE pk > 1 ORDER BY v ANN OF [1.0, 2.0, 3.0] LIMIT 1 ALLOW FILTERING",
     "ANN ordering by vector requires all restricted column(s) to be indexed"),
    ("SELECT count(*) FROM t WHERE pk = 1 ORDER BY v ANN OF [1.0, 2.0, 3.0] LIMIT 1",
     "Top-K queries can not be run with aggregation"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0] PER PARTITION LIMIT 1 LIMIT 1",
     "Top-K queries do not support per-partition limits"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0]",
     "Top-K queries must have a limit specified and the limit must be less than the query "
     "page size"),
    ("SELECT * FROM t ORDER BY v ANN OF [1.0, 2.0, 3.0] LIMIT 1001",
     "Use of ANN OF in an ORDER BY clause requires a LIMIT that is not greater than 1000. "
     "LIMIT was 1001"),
    ("SELECT * FROM t ORDER BY v ANN OF [0.0, 0.0, 0.0] LIMIT 1",
     "Zero and near-zero vectors cannot be indexed or queried with cosine similarity"),
    ("INSERT INTO t (pk, ck, v) VALUES (1, 1, [0.0, 0.0, 0.0])",
     "Zero and near-zero vectors cannot be indexed or queried with cosine similarity"),
    ("SELECT * FROM t WHERE v = [1.0, 2.0, 3.0]", "Vector indexes only support ANN queries"),
    ("SELECT * FROM t ORDER BY n ASC", None),  # not an ANN rule: checked elsewhere
    ("CREATE CUSTOM INDEX ON t (iv) USING 'sai'",
     "SAI ANN indexes are only allowed on vector columns with float elements"),
    ("CREATE CUSTOM INDEX ON t (one) USING 'sai'",
     "Cosine similarity is not supported for single-dimension vectors"),
    ("CREATE CUSTOM INDEX ON t (w) USING 'sai' WITH OPTIONS = {'similarity_function': 'l1'}",
     "Similarity function l1 was not recognized for the vector index. Valid values are: "
     "cosine, euclidean, dot_product"),
    ("CREATE CUSTOM INDEX ON t (w) USING 'sai' WITH OPTIONS = {'shards': '2'}",
     "vector column does not support sharding"),
    ("CREATE CUSTOM INDEX ON t (w) USING 'sai' WITH OPTIONS = "
     "{'maximum_node_connections': '10'}",
     "Maximum node connections cannot be set without enabling SAI_VECTOR_ALLOW_CUSTOM_PARAMETERS"),
    ("SELECT * FROM t ORDER BY v ANN OF ? LIMIT 1", "Unsupported null value for column v"),
]


@pytest.mark.parametrize("statement, message", [m for m in MESSAGES if m[1] is not None])
def test_ann_message_table(statement, message):
    s = session(*SETUP)
    params = (None,) if "?" in statement else None
    with pytest.raises(InvalidRequest) as info:
        if params:
            s.execute(s.prepare(statement), params)
        else:
            s.execute(statement)
    assert message in str(info.value)


def test_allowed_ann_shapes():
    s = session(*SETUP)
    for i in range(6):
        s.execute("INSERT INTO t (pk, ck, v, n) VALUES (%s, %s, %s, %s)",
                  (i % 2, i, [1.0, float(i), 1.0], i % 3))
    v = "[1.0, 2.0, 1.0]"
    assert q(s, f"SELECT ck FROM t WHERE pk = 0 ORDER BY v ANN OF {v} LIMIT 2") == [(2,), (4,)]
    assert q(s, f"SELECT ck FROM t WHERE pk = 0 AND ck > 2 ORDER BY v ANN OF {v} LIMIT 2") == \
        [(4,)]
    assert q(s, f"SELECT ck FROM t WHERE pk IN (0, 1) ORDER BY v ANN OF {v} LIMIT 1") == [(2,)]
    assert q(s, f"SELECT ck FROM t WHERE n = 1 ORDER BY v ANN OF {v} LIMIT 2") == [(4,), (1,)]
    # one page: top-k queries are not paged
    assert len(list(s.execute(f"SELECT ck FROM t ORDER BY v ANN OF {v} LIMIT 5",
                              fetch_size=2))) == 5


def test_masks_apply_to_ann_selects():
    """Column masks (CEP-20) apply to ANN results exactly as to any other select; the
    ordering uses clear vectors; ANN on a masked vector column is a query of that column."""
    name = f":memory:vector-{next(_NAMES)}"
    admin = cql.connect(name, dynamic_data_masking_enabled=True)
    admin.row_factory = cql.tuple_factory
    admin.execute(KS)
    admin.set_keyspace("ks")
    admin.execute("CREATE TABLE t (k int, c int MASKED WITH mask_replace(-1), v text MASKED WITH "
                  "mask_inner(1, 1), e vector<float, 2>, PRIMARY KEY (k, c))")
    admin.execute("CREATE TABLE m (k int PRIMARY KEY, e vector<float, 2> MASKED WITH mask_null())")
    for t in ("t", "m"):
        admin.execute(f"CREATE CUSTOM INDEX ON {t} (e) USING 'sai' "
                      "WITH OPTIONS = {'similarity_function': 'euclidean'}")
    for i in range(6):
        admin.execute("INSERT INTO t (k, c, v, e) VALUES (%s, %s, 'word', %s)",
                      (i % 2, i, [float(i), 0.0]))
        admin.execute("INSERT INTO m (k, e) VALUES (%s, %s)", (i, [float(i), 0.0]))
    admin.execute("CREATE ROLE reader WITH PASSWORD = 'pw' AND LOGIN = true")
    admin.execute("GRANT SELECT ON KEYSPACE ks TO reader")
    reader = cql.connect(name, "ks", user="reader", password="pw")
    reader.row_factory = cql.tuple_factory
    ann = "ORDER BY e ANN OF [3.9, 0.0] LIMIT 3"
    assert q(admin, f"SELECT k, c, v FROM t {ann}") == [(0, 4, "word"), (1, 3, "word"),
                                                         (1, 5, "word")]
    assert q(reader, f"SELECT k, c, v FROM t {ann}") == [(0, -1, "w**d"), (1, -1, "w**d"),
                                                          (1, -1, "w**d")]
    assert q(reader, f"SELECT c, e FROM t WHERE k = 1 {ann}") == [
        (-1, [3.0, 0.0]), (-1, [5.0, 0.0]), (-1, [1.0, 0.0])]
    prepared = reader.prepare("SELECT * FROM t ORDER BY e ANN OF ? LIMIT 1")
    assert q(reader, prepared, ([0.2, 0.0],)) == [(0, -1, [0.0, 0.0], "w**d")]
    assert q(admin, prepared, ([0.2, 0.0],)) == [(0, 0, [0.0, 0.0], "word")]
    with pytest.raises(cql.Unauthorized, match=r"User reader has no UNMASK nor SELECT_MASKED "
                       r"permission on table ks\.m, cannot query masked columns \[e\]"):
        q(reader, f"SELECT k FROM m {ann}")
    admin.execute("GRANT SELECT_MASKED ON TABLE ks.m TO reader")
    assert q(reader, f"SELECT k, e FROM m {ann}") == [(4, None), (3, None), (5, None)]
    admin.execute("GRANT UNMASK ON TABLE ks.t TO reader")
    assert q(reader, f"SELECT k, c, v FROM t {ann}") == [(0, 4, "word"), (1, 3, "word"),
                                                          (1, 5, "word")]


def test_a_store_entry_out_of_step_is_repaired_by_the_query_that_reads_it():
    s = session("CREATE TABLE t (k int, c int, e vector<float, 2>, PRIMARY KEY (k, c))",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}")
    for i in range(20):
        s.execute("INSERT INTO t (k, c, e) VALUES (%s, %s, %s)", (i % 3, i, [float(i), 0.0]))
    assert q(s, "SELECT c FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 2") == [(0,), (1,)]
    table = s.database.schema.table("ks", "t")
    index = next(i for i in table.indexes.values() if i.target_column == "e")
    store = vector_index.registry(s.database).existing(table, index)
    key = next(k for k in store.slot_of if store.vector(k) == [15.0, 0.0])
    store.resync(key, [0.0, 0.0], timestamp=1)  # a wrong vector from a "missed" write
    assert q(s, "SELECT c FROM t ORDER BY e ANN OF [0.0, 0.0] LIMIT 2") == [(0,), (1,)]
    assert store.vector(key) == [15.0, 0.0]
    assert q(s, "SELECT c FROM t ORDER BY e ANN OF [15.2, 0.0] LIMIT 1") == [(15,)]


def test_a_graph_whose_sample_misses_the_recall_is_never_built(monkeypatch):
    np = pytest.importorskip("numpy")
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "PROBE_VECTORS", 300)
    monkeypatch.setattr(vector_index, "CALIBRATION_RECALL", 1.01)  # out of reach
    built = []
    store = VectorStore(64, "cosine")
    new_graph = store._new_graph
    monkeypatch.setattr(store, "_new_graph", lambda: built.append(1) or new_graph())
    for i, v in enumerate(np.random.default_rng(2).standard_normal((1500, 64))):
        store.upsert((i.to_bytes(8, "big"), b""), v, 1, 0)
    assert not store.wait_for_graph()
    assert built == [1] and store.verdict == ("exact", 1500)  # the probe only


# ---- the product-quantization (faiss) candidate path -----------------------------------------

def _pq_only(monkeypatch):
    """Thresholds down, the speed check off and no usearch: past calibration, PQ answers."""
    pytest.importorskip("faiss")
    vector_index._load_optional()
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    monkeypatch.setattr(vector_index, "_UsearchIndex", None)


@pytest.mark.parametrize("similarity", ["cosine", "euclidean", "dot_product"])
def test_pq_path_recall_on_random_data(monkeypatch, similarity):
    """i.i.d. random data (where HNSW fails): the PQ candidates, re-scored exactly, reach
    recall@10 >= 0.95, and every returned row carries its exact score, best first."""
    np = pytest.importorskip("numpy")
    _pq_only(monkeypatch)
    rng = np.random.default_rng(11)
    dim, n = 64, 6000
    data = rng.standard_normal((n, dim)).astype(np.float32)
    store = VectorStore(dim, similarity)
    store.load([((i.to_bytes(8, "big"), b""), data[i].astype(">f4").tobytes(), 1, 0)
                for i in range(n)])
    assert store.wait_for_graph()
    assert store.verdict == ("pq", n) and store.path().startswith("pq m=32 x")
    hits = 0
    for _ in range(40):
        query = rng.standard_normal(dim).tolist()
        search = store.search(query, 0)
        got = [next(search) for _ in range(10)]
        search.close()
        assert [s for s, _ in got] == pytest.approx([  # double precision (numpy vs fsum)
            score(similarity, data[int.from_bytes(key[0], "big")].astype(np.float64).tolist(),
                  query) for _, key in got], rel=1e-12)
        assert got == sorted(got, key=lambda item: (-item[0], item[1]))
        exact = list(itertools.islice(store._ordered(store._all_slots(), query, 0), 10))
        hits += len({k for _, k in got} & {k for _, k in exact})
    assert hits / 400 >= 0.95


def test_pq_path_follows_writes_through_cql(monkeypatch):
    np = pytest.importorskip("numpy")
    _pq_only(monkeypatch)
    s = session("CREATE TABLE t (id int PRIMARY KEY, e vector<float, 8>, tag int)",
                "CREATE CUSTOM INDEX ON t (e) USING 'sai' "
                "WITH OPTIONS = {'similarity_function': 'euclidean'}",
                "CREATE CUSTOM INDEX ON t (tag) USING 'sai'")
    data = np.random.default_rng(4).standard_normal((1500, 8)).astype(np.float32)
    ins = s.prepare("INSERT INTO t (id, e, tag) VALUES (?, ?, ?)")
    for i, v in enumerate(data):
        s.execute(ins, (i, v.tolist(), i % 7))
    far = [40.0] * 8
    q(s, "SELECT id FROM t ORDER BY e ANN OF [0, 0, 0, 0, 0, 0, 0, 0] LIMIT 1")  # the store
    table = s.database.schema.table("ks", "t")
    index = next(i for i in table.indexes.values() if i.target_column == "e")
    store = vector_index.registry(s.database).existing(table, index)
    assert store.wait_for_graph() and store.verdict[0] == "pq"
    ann = "SELECT id FROM t ORDER BY e ANN OF %s LIMIT 3"
    # an insert after the build: encoded with the trained codebooks
    s.execute("INSERT INTO t (id, e, tag) VALUES (5000, %s, 1)", ([39.0] * 8,))
    s.execute("INSERT INTO t (id, e, tag) VALUES (5001, %s, 2)", ([38.0] * 8,))
    s.execute("INSERT INTO t (id, e, tag) VALUES (5002, %s, 3) USING TTL 5", ([40.0] * 8,))
    assert q(s, ann, (far,)) == [(5002,), (5000,), (5001,)]
    # a filtered query keeps its rules (candidates widen, then the rest exactly)
    assert q(s, "SELECT id FROM t WHERE tag = 2 ORDER BY e ANN OF %s LIMIT 1", (far,)) == [(5001,)]
    # update (the old code stays, stale: the row is found by its new vector only), delete
    s.execute("UPDATE t SET e = %s WHERE id = 5000", ([-39.0] * 8,))
    s.execute("DELETE FROM t WHERE id = 5001")
    top = q(s, ann, (far,))
    assert top[0] == (5002,) and (5000,) not in top and (5001,) not in top
    assert q(s, ann, ([-39.0] * 8,))[0] == (5000,)
    time.sleep(5.1)  # the TTL expires
    assert (5002,) not in q(s, ann, (far,))
    ref = [(r[1][0],) for r in reference(s, "t", "e", "euclidean", far, 3)]
    assert q(s, ann, (far,)) == ref
    s.execute("TRUNCATE t")
    assert q(s, ann, (far,)) == []
    s.execute("INSERT INTO t (id, e, tag) VALUES (7, %s, 0)", (far,))
    assert q(s, ann, (far,)) == [(7,)]


def test_without_faiss_the_store_falls_back_to_graph_or_exact(monkeypatch):
    np = pytest.importorskip("numpy")
    pytest.importorskip("usearch")
    vector_index._load_optional()
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    monkeypatch.setattr(vector_index, "faiss", None)
    rows = np.random.default_rng(6).standard_normal((800, 16))
    store = VectorStore(16, "cosine")
    for i, v in enumerate(rows):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert store.wait_for_graph() and store.verdict == ("graph", 800)
    assert store.path().startswith("graph ef=")
    monkeypatch.setattr(vector_index, "_UsearchIndex", None)
    store = VectorStore(16, "cosine")
    for i, v in enumerate(rows):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert not store.graph_eligible() and not store.wait_for_graph()
    assert store.path() == "exact"


@pytest.mark.parametrize("pq_seconds, graph_seconds, chosen", [
    (0.001, 0.002, "pq"), (0.002, 0.001, "graph")])
def test_calibration_picks_the_faster_candidate_source(monkeypatch, pq_seconds,
                                                       graph_seconds, chosen):
    np = pytest.importorskip("numpy")
    pytest.importorskip("faiss")
    pytest.importorskip("usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    store = VectorStore(8, "euclidean")
    monkeypatch.setattr(store, "_calibrate", lambda source, *a: (
        (20, pq_seconds) if isinstance(source, vector_index._PQCandidates)
        else (32, graph_seconds)))
    for i, v in enumerate(np.random.default_rng(1).standard_normal((400, 8))):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert store.wait_for_graph()
    assert store.verdict == (chosen, 400)
    assert store.path() == ("pq m=4 x20" if chosen == "pq" else "graph ef=32")


def test_pq_path_takes_writes_made_during_its_build(monkeypatch):
    """Rows written while the PQ index is built and calibrated (the store stays writable)
    are added to it when it is installed; rows deleted meanwhile are not returned."""
    np = pytest.importorskip("numpy")
    _pq_only(monkeypatch)
    rows = np.random.default_rng(8).standard_normal((1000, 16))
    store = VectorStore(16, "euclidean")
    for i, v in enumerate(rows):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    newcomer, victim = (b"new", b""), (int(7).to_bytes(8, "big"), b"")

    def calibrate(source, *args):
        store.upsert(newcomer, [30.0] * 16, 2, 0)  # a write racing the build
        store.remove(victim, 2)
        return 10, 0.001

    monkeypatch.setattr(store, "_calibrate", calibrate)
    assert store.wait_for_graph() and store.verdict == ("pq", 1000)
    search = store.search([30.0] * 16, 0, 1)
    assert next(search)[1] == newcomer
    search.close()
    search = store.search(rows[7].tolist(), 0, 10)
    assert victim not in {next(search)[1] for _ in range(10)}
    search.close()


def test_a_build_overtaken_by_a_truncate_installs_nothing(monkeypatch):
    """A TRUNCATE while a build runs, then new rows and a new build: the first build,
    finishing last, must neither install its stale snapshot nor unmark the second."""
    np = pytest.importorskip("numpy")
    vector_index._load_optional()
    if vector_index.faiss is None and vector_index._UsearchIndex is None:
        pytest.skip("needs faiss or usearch")
    monkeypatch.setattr(vector_index, "GRAPH_MIN_WORK", 1)
    monkeypatch.setattr(vector_index, "GRAPH_MIN_VECTORS", 1)
    monkeypatch.setattr(vector_index, "CALIBRATE_SPEED", False)
    entered, gate, first = threading.Event(), threading.Event(), []
    calibrated = VectorStore._calibrated

    def gated(self, *args, **kwargs):
        if not first:
            first.append(threading.current_thread())
        if threading.current_thread() is first[0]:
            entered.set()
            gate.wait(60)
        return calibrated(self, *args, **kwargs)

    monkeypatch.setattr(VectorStore, "_calibrated", gated)
    rng = np.random.default_rng(8)
    store = VectorStore(16, "cosine")
    for i, v in enumerate(rng.standard_normal((600, 16))):
        store.upsert((i.to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    store.uses_graph()  # the first build starts, and waits in its calibration
    assert entered.wait(30)
    store.clear()
    fresh = rng.standard_normal((500, 16))
    for i, v in enumerate(fresh):
        store.upsert(((10_000 + i).to_bytes(8, "big"), b""), v.tolist(), 1, 0)
    assert store.wait_for_graph()  # the second build, not gated
    installed, verdict = store.graph, store.verdict
    gate.set()
    first[0].join(60)
    assert store.graph is installed and store.verdict == verdict and verdict[1] == 500
    keys = {key for _, key in itertools.islice(store.search(fresh[0].tolist(), now=0), 50)}
    assert keys and all(int.from_bytes(k[0], "big") >= 10_000 for k in keys)
