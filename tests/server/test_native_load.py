"""The benchmark's lean native-protocol load client (benchmarks/native_load.py): it must
really check answers, so a wrong row or a failed request is reported, never counted as a
good op."""

from __future__ import annotations

import itertools
import time

from benchmarks import native_load, server_load

from .rawclient import RawClient


def _schema(port: int) -> None:
    with RawClient(port) as c:
        c.startup()
        for stmt in server_load.SCHEMA:
            assert not c.query(stmt).is_error


def _load(port: int, value_for, clients=(0, 1, 2), in_flight=4, read_ratio=0.8):
    st = native_load.Statements(server_load.INSERT, server_load.SELECT, value_for)
    return native_load.run_clients(port, list(clients), st, read_ratio, in_flight,
                                   time.time(), 0.5, 10.0)


def test_pipelined_load_checks_every_answer(server):
    _schema(server.port)
    results = _load(server.port, server_load.value_for)
    assert set(results) == {0, 1, 2}
    for r in results.values():
        assert r.errors == [] and r.mismatches == 0
        assert len(r.written) > 0 and len(r.latencies) > len(r.written)
        assert sorted(r.written) == list(range(len(r.written)))


def test_wrong_rows_are_counted(server):
    """A value function that changes between the write and the read: every read of a
    row whose value changed is a mismatch."""
    _schema(server.port)
    counter = itertools.count()

    def drifting(client: int, seq: int) -> tuple[str, int]:
        return f"c{client}-s{seq}", next(counter)

    results = _load(server.port, drifting, clients=(10,), in_flight=2, read_ratio=0.9)
    r = results[10]
    assert r.errors == []
    assert r.mismatches > 0 and r.mismatches == len(r.latencies) - len(r.written)


def test_errors_are_reported(server):
    """INSERTs the server rejects (an 8-byte bigint bound to an int column) are errors,
    and none of their rows is taken as written."""
    _schema(server.port)
    with RawClient(server.port) as c:
        c.startup()
        assert not c.query("CREATE TABLE IF NOT EXISTS load.narrow (client int, seq int, "
                           "v text, n int, PRIMARY KEY (client, seq))").is_error
    st = native_load.Statements(server_load.INSERT.replace("load.kv", "load.narrow"),
                                server_load.SELECT.replace("load.kv", "load.narrow"),
                                server_load.value_for)
    results = native_load.run_clients(server.port, [30], st, 0.5, 2, time.time(), 0.3, 10.0)
    r = results[30]
    assert r.written == [] and r.mismatches == 0
    assert r.errors and len(r.errors) == len(r.latencies)
    assert r.errors[0].startswith("error 0x2200")  # Invalid
