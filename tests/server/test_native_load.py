"""The benchmark's lean native-protocol load client (benchmarks/native_load.py): it must
really check answers, so a wrong row or a failed request is reported, never counted as a
good op."""

from __future__ import annotations

import time

from benchmarks import native_load, server_load

from .rawclient import RawClient


def _schema(port: int) -> None:
    with RawClient(port) as c:
        c.startup()
        for stmt in server_load.SCHEMA:
            assert not c.query(stmt).is_error


def _load(port: int, value_for, clients=(0, 1, 2), in_flight=4, read_ratio=0.8):
    """Half a second of load; {client: ClientResult}."""
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
    """Reads that come back with another row than the one written are mismatches: here
    the SELECT reads a table holding other values under the same keys."""
    _schema(server.port)
    with RawClient(server.port) as c:
        c.startup()
        assert not c.query("CREATE TABLE IF NOT EXISTS load.other (client int, seq int, "
                           "v text, n bigint, PRIMARY KEY (client, seq))").is_error
        for seq in range(300):
            v, n = server_load.value_for(10, seq + 1)
            assert not c.query(f"INSERT INTO load.other (client, seq, v, n) "
                               f"VALUES (10, {seq}, '{v}', {n})").is_error
    st = native_load.Statements(server_load.INSERT,
                                server_load.SELECT.replace("load.kv", "load.other"),
                                server_load.value_for)
    r = native_load.run_clients(server.port, [10], st, 0.9, 2, time.time(), 0.5, 10.0)[10]
    assert r.errors == []
    reads = len(r.latencies) - len(r.written)
    assert reads > 0 and r.mismatches == reads


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
