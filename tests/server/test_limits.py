"""Limits that keep one client from hurting the others, each with Cassandra's behaviour:
connections in total and per source address (the connection over the limit is closed,
as ConnectionLimitHandler does), in-flight requests per connection (back-pressure, or
Overloaded with THROW_ON_OVERLOAD), idle connections, failed logins, request timeouts."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from cassalite.server import ServerConfig, ServerThread, handler, wire
from cassalite.server.frame import Opcode

from .rawclient import RawClient

SLOW = "/*slow*/ SELECT key FROM system.local"


@pytest.fixture
def slow_queries(monkeypatch):
    """Queries starting with /*slow*/ take ``delay[0]`` seconds on their worker."""
    original = handler.query
    delay = [0.5]

    def query(session, msg):
        if msg.query.startswith("/*slow*/"):
            time.sleep(delay[0])
        return original(session, msg)

    monkeypatch.setattr(handler, "query", query)
    return delay


def _server(**options) -> ServerThread:
    return ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING", **options))


def _query_body(text: str) -> bytes:
    return wire.long_string(text) + wire.short(1) + wire.byte(0)


def _ready(port: int, source: str | None = None, expect: int = Opcode.READY,
           **startup) -> RawClient:
    c = RawClient.__new__(RawClient)
    c.sock = socket.create_connection(("127.0.0.1", port), timeout=5,
                                      source_address=(source, 0) if source else None)
    c.compress = False
    options = {"CQL_VERSION": "3.4.7", **startup}
    assert c.request(Opcode.STARTUP, wire.string_map(options)).opcode == expect
    return c


def _refused(port: int, source: str | None = None) -> bool:
    """Connects, asks OPTIONS: True when the server closes without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=5,
                                  source_address=(source, 0) if source else None) as s:
        try:
            s.sendall(b"\x04\x00\x00\x01\x05\x00\x00\x00\x00")
            return s.recv(64) == b""
        except ConnectionError:
            return True


def test_the_101st_connection_is_closed_while_the_first_100_keep_working(caplog):
    with _server(max_connections=100) as t:
        clients = [_ready(t.port) for _ in range(100)]
        try:
            with caplog.at_level("WARNING", logger="cassalite.server"):
                assert _refused(t.port)
            assert ("Exceeded maximum native connection limit of 100 by using 101 connections"
                    in caplog.messages)
            for i, c in enumerate(clients):
                assert c.query(f"SELECT key FROM system.local -- {i}").result_kind() == 2
            clients.pop().close()
            deadline = time.monotonic() + 5
            while t.server.open_count > 99 and time.monotonic() < deadline:
                time.sleep(0.01)
            clients.append(_ready(t.port))  # a freed place is taken again
            assert clients[-1].query("SELECT key FROM system.local").result_kind() == 2
        finally:
            for c in clients:
                c.close()


def test_connections_per_source_address(caplog):
    with _server(max_connections_per_ip=2) as t:
        a, b = _ready(t.port), _ready(t.port)
        try:
            with caplog.at_level("WARNING", logger="cassalite.server"):
                assert _refused(t.port)
            assert ("Exceeded maximum native connection limit per ip of 2 by using 3 "
                    "connections" in caplog.messages)
            other = _ready(t.port, source="127.0.0.2")  # another address has its own count
            assert other.query("SELECT key FROM system.local").result_kind() == 2
            other.close()
            assert a.query("SELECT key FROM system.local").result_kind() == 2
        finally:
            a.close()
            b.close()


def test_inflight_limit_answers_overloaded_with_throw_on_overload(slow_queries):
    with _server(max_inflight_per_connection=1) as t:
        with _ready(t.port, THROW_ON_OVERLOAD="1") as c:
            c.send(Opcode.QUERY, _query_body(SLOW), stream=1)
            c.send(Opcode.QUERY, _query_body("SELECT key FROM system.local"), stream=2)
            first = c.recv()
            assert first.stream == 2
            assert first.error() == (0x1001, "Server is in overloaded state. Cannot accept "
                                             "more requests at this point")
            second = c.recv()
            assert (second.stream, second.opcode) == (1, Opcode.RESULT)


def test_inflight_limit_applies_back_pressure_by_default(slow_queries):
    with _server(max_inflight_per_connection=1) as t:
        with _ready(t.port) as c:
            c.send(Opcode.QUERY, _query_body(SLOW), stream=1)
            c.send(Opcode.QUERY, _query_body("SELECT key FROM system.local"), stream=2)
            assert [(r.stream, r.opcode) for r in (c.recv(), c.recv())] == [
                (1, Opcode.RESULT), (2, Opcode.RESULT)]


def test_idle_connections_are_closed_but_not_busy_ones(slow_queries, caplog):
    slow_queries[0] = 0.8
    with _server(idle_timeout_seconds=0.3) as t:
        busy, idle = _ready(t.port), _ready(t.port)
        try:
            busy.send(Opcode.QUERY, _query_body(SLOW), stream=3)
            start = time.monotonic()
            with caplog.at_level("INFO", logger="cassalite.server"):
                assert idle.is_closed(timeout=3)
            assert 0.25 < time.monotonic() - start < 2
            assert any(m.startswith("Closing client connection") and m.endswith(
                "after timeout of 300ms") for m in caplog.messages)
            reply = busy.recv()  # in flight longer than the idle timeout: still answered
            assert (reply.stream, reply.opcode) == (3, Opcode.RESULT)
            assert busy.is_closed(timeout=3)  # then idle, then closed
        finally:
            busy.close()
            idle.close()


def test_failed_logins_are_answered_after_a_delay():
    with _server(auth=True, auth_failure_delay_seconds=0.6) as t:
        auth = Opcode.AUTHENTICATE
        with _ready(t.port, expect=auth) as bad, _ready(t.port, expect=auth) as good:
            token = wire.bytes_(b"\x00cassandra\x00wrong")
            start = time.monotonic()
            bad.send(Opcode.AUTH_RESPONSE, token)
            # meanwhile another client logs in at once
            ok = good.request(Opcode.AUTH_RESPONSE, wire.bytes_(b"\x00cassandra\x00cassandra"))
            assert ok.opcode == Opcode.AUTH_SUCCESS
            assert time.monotonic() - start < 0.6
            reply = bad.recv()
            assert time.monotonic() - start >= 0.6
            assert reply.error() == (0x0100, "Provided username cassandra and/or password "
                                             "are incorrect")


def test_request_timeout_answers_read_and_write_timeouts(slow_queries):
    slow_queries[0] = 0.6
    with _server(request_timeout_seconds=0.2) as t:
        with _ready(t.port) as c:
            reply = c.query(SLOW, stream=5)
            assert reply.stream == 5
            code, message = reply.error()
            assert (code, message) == (0x1200, "Operation timed out - received only 0 "
                                               "responses.")
            rest = wire.Reader(reply.body)
            rest.int(), rest.string()
            # consistency ONE, received 0, block_for 1, data_present false
            assert (rest.short(), rest.int(), rest.int(), rest.byte()) == (1, 0, 1, 0)
            slow_write = "/*slow*/ INSERT INTO nope.t (k) VALUES (1)"
            reply = c.query(slow_write, stream=6)
            code, message = reply.error()
            assert (code, message) == (0x1100, "Operation timed out - received only 0 "
                                               "responses.")
            time.sleep(0.7)  # the abandoned requests finish; the connection still serves
            assert c.query("SELECT key FROM system.local", stream=7).result_kind() == 2


def test_request_timeout_through_the_driver(slow_queries):
    cluster_mod = pytest.importorskip("cassandra.cluster")
    from cassandra import ReadTimeout

    slow_queries[0] = 0.6
    with _server(request_timeout_seconds=0.2) as t:
        c = cluster_mod.Cluster(["127.0.0.1"], port=t.port, protocol_version=4)
        try:
            s = c.connect()
            with pytest.raises(ReadTimeout, match="Operation timed out - received only 0 "
                                                  "responses."):
                s.execute(SLOW)
        finally:
            c.shutdown()


def test_limits_from_the_command_line():
    from cassalite.server.__main__ import build_parser, load_config

    cfg = load_config(build_parser().parse_args([
        "--max-connections", "100", "--max-connections-per-ip", "10", "--idle-timeout", "60",
        "--auth-failure-delay", "2", "--request-timeout", "5", "--max-inflight", "32"]))
    assert (cfg.max_connections, cfg.max_connections_per_ip, cfg.idle_timeout_seconds,
            cfg.auth_failure_delay_seconds, cfg.request_timeout_seconds,
            cfg.max_inflight_per_connection) == (100, 10, 60, 2, 5, 32)
    with pytest.raises(ValueError, match="request_timeout_seconds must be >= 0"):
        ServerConfig().updated({"request_timeout_seconds": -1})


def test_many_threads_hammering_a_limited_server_never_break_it():
    """Connections above the limit come and go while admitted ones keep working."""
    with _server(max_connections=5) as t:
        held = [_ready(t.port) for _ in range(5)]
        results: list[bool] = []

        def knock():
            for _ in range(10):
                results.append(_refused(t.port))

        threads = [threading.Thread(target=knock) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert results == [True] * 40
        for c in held:
            assert c.query("SELECT key FROM system.local").result_kind() == 2
            c.close()
        deadline = time.monotonic() + 5
        while t.server.open_count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert t.server.open_count == 0 and t.server.open_per_ip == {}
