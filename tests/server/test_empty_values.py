"""Empty values (zero-length, not null) through cassalite-server: the wire keeps length 0 in
results and in bound values, length -1 stays a null."""

from __future__ import annotations

import struct

import pytest

import cql
from cassalite.server import results
from cql.types import INT, TEXT

cqltypes = pytest.importorskip("cassandra.cqltypes")


def test_rows_encode_an_empty_value_with_length_zero():
    body = results.rows("ks", "t", ["v", "s"], [INT, TEXT],
                        [(cql.EMPTY, ""), (None, None)], skip_metadata=True)[1]
    assert body.endswith(struct.pack(">iiii", 0, 0, -1, -1))


@pytest.fixture
def empty_ints():
    """The driver returns cassandra.cqltypes.EMPTY for a length-0 int (as cqlsh sets it)."""
    saved = cqltypes.CassandraType.support_empty_values  # the flag cqlsh (and our shell) set
    cqltypes.CassandraType.support_empty_values = True
    try:
        yield
    finally:
        cqltypes.CassandraType.support_empty_values = saved


def test_empty_int_in_results_and_binds(dsession, keyspace, empty_ints):
    dsession.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    dsession.execute("INSERT INTO t (k, v) VALUES (0, blobAsInt(0x))")
    dsession.execute("INSERT INTO t (k, v) VALUES (1, null)")
    ins = dsession.prepare("INSERT INTO t (k, v) VALUES (?, ?) USING TTL ?")
    bound = ins.bind((2, 0, 0))
    bound.values[1] = b""  # an empty int: [bytes] length 0, not -1 (null)
    bound.values[2] = b""  # an empty TTL is no TTL
    dsession.execute(bound)
    rows = {r[0]: r[1:] for r in dsession.execute("SELECT k, v, intAsBlob(v), ttl(v) FROM t")}
    assert rows[0][0] is cqltypes.EMPTY and rows[0][1:] == (b"", None)
    assert rows[1] == (None, None, None)  # a null stays a null
    assert rows[2][0] is cqltypes.EMPTY and rows[2][1:] == (b"", None)
    # prepared reads bind an empty value too, and find it
    sel = dsession.prepare("SELECT k FROM t WHERE v = ? ALLOW FILTERING")
    bound = sel.bind((0,))
    bound.values[0] = b""
    assert sorted(r[0] for r in dsession.execute(bound)) == [0, 2]
    assert list(dsession.execute("SELECT JSON v FROM t WHERE k = 2")) == [('{"v": ""}',)]


def test_empty_int_reads_as_none_by_default(dsession, keyspace):
    dsession.execute("CREATE TABLE t (k int PRIMARY KEY, v int)")
    dsession.execute("INSERT INTO t (k, v) VALUES (0, blobAsInt(0x))")
    assert list(dsession.execute("SELECT v, intAsBlob(v) FROM t")) == [(None, b"")]
