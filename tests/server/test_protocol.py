"""The server at the frame level: handshake, negotiation, streams, errors, compression."""

from __future__ import annotations

import hashlib
import socket
import struct

import pytest

from cassalite.server import ServerConfig, ServerThread, wire
from cassalite.server.frame import HEADER, Opcode
from cassalite.server.wire import Reader

from .rawclient import RawClient

CREATE_KS = ("CREATE KEYSPACE IF NOT EXISTS proto WITH replication = "
             "{'class': 'SimpleStrategy', 'replication_factor': 1}")


@pytest.fixture
def client(server):
    with RawClient(server.port) as c:
        assert c.startup().opcode == Opcode.READY
        yield c


@pytest.fixture(scope="module")
def proto_table(server):
    with RawClient(server.port) as c:
        c.startup()
        c.query(CREATE_KS)
        c.query("CREATE TABLE IF NOT EXISTS proto.kv (k int PRIMARY KEY, v text)")
    return "proto.kv"


def test_options_answers_supported(server):
    with RawClient(server.port) as c:
        reply = c.request(Opcode.OPTIONS)
        assert reply.opcode == Opcode.SUPPORTED and reply.version == 0x84
        r = Reader(reply.body)
        options = {r.string(): r.string_list() for _ in range(r.short())}
        assert options["CQL_VERSION"] == ["3.4.7"]
        assert options["COMPRESSION"] == ["lz4"]
        assert "PRODUCT_TYPE" not in options


@pytest.mark.parametrize("version", [0x42, 0x41, 6, 5, 3, 2, 1])
def test_unsupported_versions_get_the_downgrade_error_then_close(server, version):
    with RawClient(server.port) as c:
        c.send(Opcode.OPTIONS, version=version, stream=3)
        reply = c.recv()
        assert reply.version == 0x84 and reply.stream == 3 and reply.is_error
        code, message = reply.error()
        assert code == 0x000A
        assert "unsupported protocol version" in message
        assert f"({version})" in message
        assert c.is_closed()


def test_query_before_startup_is_a_protocol_error_but_connection_stays(server):
    with RawClient(server.port) as c:
        reply = c.query("SELECT * FROM system.local")
        assert reply.error() == (0x000A,
                                 "Unexpected message QUERY, expecting STARTUP or OPTIONS")
        assert c.startup().opcode == Opcode.READY
        assert c.query("SELECT key FROM system.local").result_kind() == 2


def test_second_startup_and_bad_cql_version(server):
    with RawClient(server.port) as c:
        bad = c.request(Opcode.STARTUP, wire.string_map({"CQL_VERSION": "2.0.0"}))
        assert bad.error()[0] == 0x000A
        assert c.startup().opcode == Opcode.READY
        assert c.startup().error()[0] == 0x000A
        assert c.startup("snappy").error()[0] == 0x000A


def test_register_and_schema_change_event(server, client):
    reply = client.request(Opcode.REGISTER, wire.string_list(["SCHEMA_CHANGE"]))
    assert reply.opcode == Opcode.READY
    bad = client.request(Opcode.REGISTER, wire.string_list(["NOPE"]))
    assert bad.error() == (0x000A, "Invalid value 'NOPE' for Type")
    with RawClient(server.port) as other:
        other.startup()
        other.query("CREATE KEYSPACE evks WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}")
    event = client.recv()
    assert event.opcode == Opcode.EVENT and event.stream == -1
    r = Reader(event.body)
    assert [r.string() for _ in range(4)] == ["SCHEMA_CHANGE", "CREATED", "KEYSPACE", "evks"]


def test_pipelined_streams_all_answered(client, proto_table):
    n = 200
    frames = b""
    for i in range(n):
        text = f"INSERT INTO {proto_table} (k, v) VALUES ({i}, 'v{i}')"
        body = wire.long_string(text) + wire.short(1) + wire.byte(0)
        frames += HEADER.pack(4, 0, i, Opcode.QUERY, len(body)) + body
    client.send_raw(frames)
    streams = set()
    for _ in range(n):
        reply = client.recv()
        assert reply.result_kind() == 1  # Void
        streams.add(reply.stream)
    assert streams == set(range(n))
    count = client.query(f"SELECT count(*) FROM {proto_table}")
    assert count.result_kind() == 2
    assert count.warnings() == ["Aggregation query used without partition key"]


def test_malformed_bodies_and_unknown_opcodes_keep_the_connection(client):
    client.send(Opcode.QUERY, b"\x00\x00\x00\x50SELECT", stream=1)
    assert client.recv().error()[0] == 0x000A
    client.send(0x04, b"", stream=2)  # CREDENTIALS (v1), gone since v2
    assert client.recv().error()[0] == 0x000A
    client.send(0x42, b"junk", stream=3)
    assert client.recv().error()[0] == 0x000A
    client.send(Opcode.QUERY, b"", stream=4, flags=0x01)  # compressed, not negotiated
    assert client.recv().error()[0] == 0x000A
    assert client.query("SELECT key FROM system.local", stream=5).result_kind() == 2


def test_oversized_frame_is_refused_and_closed(server, client):
    client.send_raw(HEADER.pack(4, 0, 7, Opcode.QUERY, 512 * 1024 * 1024))
    reply = client.recv()
    assert reply.stream == 7 and reply.error()[0] == 0x000A
    assert "too big" in reply.error()[1]
    assert client.is_closed()
    with RawClient(server.port) as c:  # the server still serves others
        assert c.startup().opcode == Opcode.READY


def test_version_change_mid_connection_closes(client):
    client.send(Opcode.OPTIONS, version=3)
    assert client.recv().error()[0] == 0x000A
    assert client.is_closed()


def test_response_frame_from_client_is_rejected(client):
    client.send(Opcode.OPTIONS, version=0x84)
    assert client.recv().error()[0] == 0x000A


def test_lz4_compression(server, proto_table):
    with RawClient(server.port) as c:
        assert c.startup("lz4").opcode == Opcode.READY
        big = "x" * 5000
        assert c.query(f"INSERT INTO {proto_table} (k, v) VALUES (-1, '{big}')").result_kind() == 1
        reply = c.query(f"SELECT v FROM {proto_table} WHERE k = -1")
        assert reply.result_kind() == 2 and big.encode() in reply.body


def test_execute_unknown_id_is_unprepared(client):
    qid = b"\x13" * 16
    body = wire.short_bytes(qid) + wire.short(1) + wire.byte(0)
    reply = client.request(Opcode.EXECUTE, body)
    r = Reader(reply.body)
    assert r.int() == 0x2500
    r.string()
    assert r.short_bytes() == qid


def test_prepare_ids_are_cassandra_md5(client, proto_table):
    text = f"SELECT v FROM {proto_table} WHERE k = ?"
    reply = client.request(Opcode.PREPARE, wire.long_string(text))
    r = Reader(reply.body)
    assert r.int() == 4
    assert r.short_bytes() == hashlib.md5(text.encode()).digest()


def test_query_with_named_and_unset_values(client, proto_table):
    text = f"INSERT INTO {proto_table} (k, v) VALUES (:k, :v)"
    params = (wire.short(1) + wire.byte(0x01 | 0x40) + wire.short(2)
              + wire.string("v") + wire.bytes_(b"named") + wire.string("k")
              + wire.bytes_(struct.pack(">i", 77)))
    assert client.request(Opcode.QUERY, wire.long_string(text) + params).result_kind() == 1
    # unset leaves the column alone
    params = (wire.short(1) + wire.byte(0x01) + wire.short(2)
              + wire.bytes_(struct.pack(">i", 77)) + wire.int32(-2))
    text2 = f"INSERT INTO {proto_table} (k, v) VALUES (?, ?)"
    assert client.request(Opcode.QUERY, wire.long_string(text2) + params).result_kind() == 1
    reply = client.query(f"SELECT v FROM {proto_table} WHERE k = 77")
    assert b"named" in reply.body


def test_cql_errors_map_to_codes(client):
    assert client.query("SELEC nonsense").error()[0] == 0x2000
    assert client.query("SELECT * FROM nope.nope").error()[0] == 0x2200
    client.query(CREATE_KS)
    reply = client.query(CREATE_KS.replace(" IF NOT EXISTS", ""))
    r = Reader(reply.body)
    assert r.int() == 0x2400
    r.string()
    assert (r.string(), r.string()) == ("proto", "")


def test_auth_handshake(auth_server):
    with RawClient(auth_server.port) as c:
        reply = c.startup()
        assert reply.opcode == Opcode.AUTHENTICATE
        assert Reader(reply.body).string() == "org.apache.cassandra.auth.PasswordAuthenticator"
        assert c.query("SELECT key FROM system.local").error()[0] == 0x000A
        bad = c.request(Opcode.AUTH_RESPONSE, wire.bytes_(b"\x00cassandra\x00wrong"))
        assert bad.error() == (0x0100,
                               "Provided username cassandra and/or password are incorrect")
        ok = c.request(Opcode.AUTH_RESPONSE, wire.bytes_(b"\x00cassandra\x00cassandra"))
        assert ok.opcode == Opcode.AUTH_SUCCESS
        assert c.query("SELECT salted_hash FROM system_auth.roles").result_kind() == 2


def test_clean_shutdown_answers_in_flight_and_closes():
    t = ServerThread(ServerConfig(memory=True, port=0)).start()
    c = RawClient(t.port)
    c.startup()
    t.stop()
    assert c.is_closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", t.port), timeout=1).recv(1)


def test_back_pressure_from_a_client_that_does_not_read():
    """A client that floods requests without reading stalls only itself; nothing is lost."""
    import threading

    with ServerThread(ServerConfig(memory=True, port=0, max_inflight_per_connection=8)) as t:
        with RawClient(t.port) as setup:
            setup.startup()
            setup.query(CREATE_KS)
            setup.query("CREATE TABLE proto.wide (k int PRIMARY KEY, v text)")
            setup.query(f"INSERT INTO proto.wide (k, v) VALUES (1, '{'w' * 4000}')")
        n = 3000  # 24 MB of requests, 12 MB of responses: far beyond the socket buffers
        flood = RawClient(t.port, timeout=30)
        flood.startup()
        text = "SELECT v FROM proto.wide WHERE k = 1"
        padding = wire.bytes_map({"pad": b"p" * 8000})  # a custom payload, ignored
        body = padding + wire.long_string(text) + wire.short(1) + wire.byte(0)
        frames = b"".join(HEADER.pack(4, 0x04, i % 32768, Opcode.QUERY, len(body)) + body
                          for i in range(n))
        sender = threading.Thread(target=flood.send_raw, args=(frames,), daemon=True)
        sender.start()
        sender.join(1)
        assert sender.is_alive()  # the server stopped reading: the client's send blocks
        with RawClient(t.port) as other:  # ...while everyone else is served
            other.startup()
            assert other.query("SELECT key FROM system.local").result_kind() == 2
        replies = [flood.recv() for _ in range(n)]
        sender.join(10)
        assert not sender.is_alive()
        assert all(r.result_kind() == 2 and len(r.body) > 4000 for r in replies)
        assert sorted(r.stream for r in replies) == sorted(i % 32768 for i in range(n))
        flood.close()
