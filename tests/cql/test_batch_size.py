"""The batch size guardrail (scylladb test/cqlpy/test_batch.py, tests that pass on Cassandra):
a batch over more than one partition warns above batch_size_warn_threshold (5 KiB) and fails
above batch_size_fail_threshold (50 KiB); Cassandra's BatchStatement.verifyBatchSize."""

from __future__ import annotations

import pytest

import cql

from .conftest import ks_session


def _batch(rows: int, kind: str = "", table: str = "t", same_partition: bool = False) -> str:
    inserts = "\n".join(
        f"INSERT INTO {table} (k, c, t) VALUES ({0 if same_partition else i}, {i}, '{'x' * 1024}')"
        for i in range(rows))
    return f"BEGIN {kind}BATCH\n{inserts}\n APPLY BATCH"


@pytest.fixture
def s():
    with ks_session("CREATE TABLE t (k int, c int, t text, PRIMARY KEY (k, c))") as session:
        yield session


def test_warning_above_warn_threshold(s):
    # each partition: row (4-byte clustering + liveness 8 + deletion 12 + cell 16 + 1024),
    # empty static row 20, partition deletion 12
    result = s.execute(_batch(10))
    assert result.warnings == [
        "Batch for [ks.t] is of size 10960, exceeding specified threshold of 5120 by 5840."]
    assert s.execute("SELECT count(*) FROM t").one()[0] == 10


def test_no_warning_below_threshold_or_in_one_partition(s):
    assert s.execute(_batch(4)).warnings == []
    # a single mutation is never checked (CASSANDRA-10876), however large
    assert s.execute(_batch(60, same_partition=True)).warnings == []


def test_size_warning_comes_before_the_unlogged_warning(s):
    warnings = s.execute(_batch(11, kind="UNLOGGED ")).warnings
    assert len(warnings) == 2
    assert warnings[0].startswith("Batch for [ks.t] is of size ")
    assert warnings[1].startswith("Unlogged batch covering 11 partitions")


def test_error_above_fail_threshold(s):
    with pytest.raises(cql.InvalidRequest, match="^Batch too large$"):
        s.execute(_batch(1025))
    assert s.execute("SELECT count(*) FROM t").one()[0] == 0  # nothing applied
