"""The EXECUTE fast path (connection.answer_inline): plain EXECUTEs of statements known to
be cheap are answered straight from the received bytes. Whatever it leaves to the reader
(other requests, partial frames, a client that does not read) must behave as before."""

from __future__ import annotations

import threading
import time

import pytest

from cassalite.server import ServerConfig, ServerThread, wire
from cassalite.server.connection import Connection
from cassalite.server.frame import COMPRESSED, HEADER, Opcode, lz4_compress
from cassalite.server.wire import Reader

from .rawclient import RawClient

SKIP_METADATA = 0x02
VALUES = 0x01


def _execute(qid: bytes, key: int, stream: int, compress: bool = False) -> bytes:
    body = (wire.short_bytes(qid) + wire.short(1) + wire.byte(VALUES | SKIP_METADATA)
            + wire.short(1) + wire.bytes_(key.to_bytes(4, "big", signed=True)))
    if compress:
        body = lz4_compress(body)
    return HEADER.pack(4, COMPRESSED if compress else 0, stream, Opcode.EXECUTE,
                       len(body)) + body


def _query(text: str, stream: int) -> bytes:
    body = wire.long_string(text) + wire.short(1) + wire.byte(0)
    return HEADER.pack(4, 0, stream, Opcode.QUERY, len(body)) + body


def _text_rows(reply) -> list[str | None]:
    """The single text column of a Rows result sent without metadata."""
    assert reply.opcode == Opcode.RESULT, reply
    r = Reader(reply.body)
    assert r.int() == 2  # Rows
    assert r.int() == 0x0004  # No_metadata, no paging state
    assert r.int() == 1  # one column
    out = []
    for _ in range(r.int()):
        cell = r.bytes()
        out.append(None if cell is None else cell.decode())
    return out


@pytest.fixture
def counted(monkeypatch):
    """Counts the frames the fast path answered."""
    answered = [0]
    original = Connection.answer_inline

    def answer_inline(self, data):
        rest = original(self, data)
        if len(rest) < len(data):
            answered[0] += 1
        return rest

    monkeypatch.setattr(Connection, "answer_inline", answer_inline)
    return answered


def _setup(port: int, value: str = "v") -> bytes:
    """A table with keys 0..99, and the prepared id of a point read on it, warmed up so
    the server knows it is cheap."""
    with RawClient(port) as c:
        c.startup()
        c.query("CREATE KEYSPACE IF NOT EXISTS fp WITH replication = "
                "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        c.query("CREATE TABLE IF NOT EXISTS fp.kv (k int PRIMARY KEY, v text)")
        for k in range(100):
            c.query(f"INSERT INTO fp.kv (k, v) VALUES ({k}, '{value}{k}')")
        reply = c.request(Opcode.PREPARE, wire.long_string("SELECT v FROM fp.kv WHERE k = ?"))
        r = Reader(reply.body)
        assert r.int() == 4
        qid = r.short_bytes()
        for i in range(3):  # first runs are measured (on the pool), then run inline
            c.send_raw(_execute(qid, i, i))
            assert _text_rows(c.recv()) == [f"{value}{i}"]
    return qid


def test_pipelined_executes_with_a_query_and_split_frames_between(counted):
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING")) as t:
        qid = _setup(t.port)
        with RawClient(t.port) as c:
            c.startup()
            frames = [_execute(qid, k % 100, k) for k in range(150)]
            frames.insert(70, _query("SELECT v FROM fp.kv WHERE k = 42", 1000))
            frames.append(_execute(qid, 12345, 2000))  # no such row
            data = b"".join(frames)
            c.send_raw(data[:-30])  # the last frame arrives in two pieces
            time.sleep(0.05)
            c.send_raw(data[-30:])
            replies = {}
            for _ in range(len(frames)):
                reply = c.recv()
                replies[reply.stream] = reply
            assert sorted(replies) == [*range(150), 1000, 2000]
            for k in range(150):
                assert _text_rows(replies[k]) == [f"v{k % 100}"]
            assert _text_rows(replies[2000]) == []
            r = Reader(replies[1000].body)  # the QUERY, answered with full metadata
            assert r.int() == 2 and r.int() == 0x0001
            # only EXECUTEs, cut inside a header and inside a body
            data = b"".join(_execute(qid, k, 3000 + k) for k in range(6))
            frame_size = len(data) // 6
            for piece in (data[:frame_size + 4], data[frame_size + 4:3 * frame_size + 20],
                          data[3 * frame_size + 20:]):
                c.send_raw(piece)
                time.sleep(0.05)
            replies = {r.stream: r for r in (c.recv() for _ in range(6))}
            assert {k: _text_rows(r) for k, r in replies.items()} == {
                3000 + k: [f"v{k}"] for k in range(6)}
    assert counted[0] >= 1


def test_lz4_compressed_executes(counted):
    """Drivers compress every frame once lz4 is negotiated; small answers go uncompressed."""
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING")) as t:
        qid = _setup(t.port)
        with RawClient(t.port) as c:
            assert c.startup(compression="lz4").opcode == Opcode.READY
            answered = counted[0]
            c.send_raw(b"".join(_execute(qid, k, k, compress=True) for k in range(50)))
            replies = {r.stream: r for r in (c.recv() for _ in range(50))}
            assert {k: _text_rows(r) for k, r in replies.items()} == {
                k: [f"v{k}"] for k in range(50)}
            # the flag is per frame: an uncompressed one is still answered
            c.send_raw(_execute(qid, 1, 77))
            reply = c.recv()
            assert (reply.stream, _text_rows(reply)) == (77, ["v1"])
            assert counted[0] > answered


def test_errors_from_the_fast_path_are_error_replies(counted):
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING")) as t:
        qid = _setup(t.port)
        with RawClient(t.port) as c:
            c.startup()
            bad_value = (wire.short_bytes(qid) + wire.short(1) + wire.byte(VALUES)
                         + wire.short(1) + wire.bytes_(b"\x01\x02"))  # 2 bytes for an int
            c.send_raw(_execute(qid, 1, 1)
                       + HEADER.pack(4, 0, 2, Opcode.EXECUTE, len(bad_value)) + bad_value
                       + _execute(qid, 3, 3))
            replies = {r.stream: r for r in (c.recv(), c.recv(), c.recv())}
            assert _text_rows(replies[1]) == ["v1"]
            assert replies[2].error() == (0x2200, "Expected 4 or 0 byte int (2)")
            assert _text_rows(replies[3]) == ["v3"]
    assert counted[0] >= 1


def test_idle_timeout_counts_requests_answered_on_the_fast_path(counted):
    config = ServerConfig(memory=True, port=0, log_level="WARNING", idle_timeout_seconds=0.3)
    with ServerThread(config) as t:
        qid = _setup(t.port)
        with RawClient(t.port) as c:
            c.startup()
            answered = counted[0]
            for i in range(10):  # busy for 1 s, three times the idle timeout
                c.send_raw(_execute(qid, i, i))
                assert _text_rows(c.recv()) == [f"v{i}"]
                time.sleep(0.1)
            assert counted[0] >= answered + 9
            assert c.is_closed(timeout=3)  # then idle, then closed


def test_a_client_that_does_not_read_is_held_back_and_loses_nothing():
    with ServerThread(ServerConfig(memory=True, port=0, log_level="WARNING",
                                   max_inflight_per_connection=8)) as t:
        qid = _setup(t.port, "w" * 4000)
        n = 3000  # 12 MB of answers: far beyond the socket buffers
        flood = RawClient(t.port, timeout=30)
        flood.startup()
        frames = b"".join(_execute(qid, i % 100, i) for i in range(n))
        sender = threading.Thread(target=flood.send_raw, args=(frames,), daemon=True)
        sender.start()
        time.sleep(0.5)
        with RawClient(t.port) as other:  # everyone else is served meanwhile
            other.startup()
            other.send_raw(_execute(qid, 7, 1))
            assert _text_rows(other.recv()) == ["w" * 4000 + "7"]
        replies = [flood.recv() for _ in range(n)]
        sender.join(10)
        assert not sender.is_alive()
        assert sorted(r.stream for r in replies) == list(range(n))
        assert all(_text_rows(r) == ["w" * 4000 + str(r.stream % 100)] for r in replies)
        flood.close()


def test_driver_over_tls_with_lz4_answered_on_the_fast_path(counted, tmp_path):
    """The cassandra-driver negotiates lz4 (the package is installed) and here TLS: its
    prepared reads and writes go through the fast path and come back exact."""
    cluster_mod = pytest.importorskip("cassandra.cluster")
    import ssl

    from .certs import make_certs

    certs = make_certs(tmp_path)
    config = ServerConfig(memory=True, port=0, log_level="WARNING",
                          ssl_certfile=str(certs.server_cert),
                          ssl_keyfile=str(certs.server_key))
    with ServerThread(config) as t:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile=str(certs.ca))
        cluster = cluster_mod.Cluster(["127.0.0.1"], port=t.port, protocol_version=4,
                                      ssl_context=ctx)
        try:
            s = cluster.connect()
            s.execute("CREATE KEYSPACE tlsfp WITH replication = "
                      "{'class': 'SimpleStrategy', 'replication_factor': 1}")
            s.execute("CREATE TABLE tlsfp.kv (k int PRIMARY KEY, v text)")
            ins = s.prepare("INSERT INTO tlsfp.kv (k, v) VALUES (?, ?)")
            sel = s.prepare("SELECT k, v FROM tlsfp.kv WHERE k = ?")
            answered = counted[0]
            for k in range(40):
                s.execute(ins, (k, "x" * k))
            assert [tuple(s.execute(sel, (k,)).one()) for k in range(40)] == [
                (k, "x" * k) for k in range(40)]
            assert s.execute(sel, (99,)).one() is None
            assert counted[0] > answered + 40
        finally:
            cluster.shutdown()
