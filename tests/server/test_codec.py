"""Server encodings checked against the driver's own decoder (no sockets)."""

from __future__ import annotations

import struct

import pytest

import cql
from cassalite.server import errors, frame, messages, results, wire
from cassalite.server.config import ServerConfig
from cassalite.server.wire import UNSET, ProtocolViolation, Reader
from cql.errors import ErrorCode
from cql.plan.base import SchemaChange
from cql.types import parse_type

protocol = pytest.importorskip("cassandra.protocol")


def decode(opcode: int, body: bytes, flags: int = 0):
    return protocol.ProtocolHandler.decode_message(4, {}, 0, flags, opcode, body, None, None)


# ---- primitives -------------------------------------------------------------------------

def test_reader_round_trips_primitives():
    body = (wire.string("héllo") + wire.long_string("x" * 70000) + wire.bytes_(None)
            + wire.bytes_(b"ab") + wire.int32(-2) + wire.int32(-1) + wire.string_list(["a", "b"])
            + wire.string_map({"k": "v"}) + wire.bytes_map({"p": b"\x00"}) + wire.long(-5))
    r = Reader(body)
    assert r.string() == "héllo"
    assert r.long_string() == "x" * 70000
    assert r.bytes() is None and r.bytes() == b"ab"
    assert r.value() is UNSET and r.value() is None
    assert r.string_list() == ["a", "b"]
    assert r.string_map() == {"k": "v"}
    assert r.bytes_map() == {"p": b"\x00"}
    assert r.long() == -5
    assert r.remaining() == 0


@pytest.mark.parametrize("body", [b"", b"\x00", b"\x00\x05ab", b"\x00\x00\x00\x09abc",
                                  b"\x00\x02\xff\xfe"])
def test_reader_overruns_are_protocol_violations(body):
    r = Reader(body)
    with pytest.raises(ProtocolViolation):
        r.string()
        r.long_string()


def test_invalid_value_length():
    with pytest.raises(ProtocolViolation, match="Invalid value length -3"):
        Reader(wire.int32(-3)).value()


def test_lz4_round_trip_and_limits():
    data = b"cassalite " * 1000
    packed = frame.lz4_compress(data)
    assert struct.unpack(">I", packed[:4])[0] == len(data)
    assert frame.lz4_decompress(packed, 1 << 20) == data
    with pytest.raises(ProtocolViolation):
        frame.lz4_decompress(packed, 100)
    with pytest.raises(ProtocolViolation):
        frame.lz4_decompress(packed[:4] + b"\xff" * 10, 1 << 20)
    # the driver's own lz4 decompressor accepts our bodies
    from cassandra.connection import locally_supported_compressions

    assert locally_supported_compressions["lz4"][1](packed) == data


def test_request_decoding_with_custom_payload_and_flags():
    params = (wire.short(10) + wire.byte(0x01 | 0x40 | 0x04 | 0x08 | 0x10 | 0x20)
              + wire.short(2) + wire.string("a") + wire.bytes_(b"\x00\x00\x00\x01")
              + wire.string("b") + wire.int32(-2) + wire.int32(100) + wire.bytes_(b"ps")
              + wire.short(9) + wire.long(12345))
    body = wire.bytes_map({"x": b"y"}) + wire.long_string("SELECT 1") + params
    msg = messages.decode(frame.Opcode.QUERY, frame.CUSTOM_PAYLOAD, body)
    p = msg.params
    assert msg.query == "SELECT 1" and p.consistency == 10
    assert p.names == ["a", "b"] and p.values == [b"\x00\x00\x00\x01", UNSET]
    assert (p.page_size, p.paging_state, p.serial_consistency, p.timestamp) == (
        100, b"ps", 9, 12345)


def test_batch_decoding():
    body = (wire.byte(1) + wire.short(2)
            + wire.byte(0) + wire.long_string("INSERT") + wire.short(1) + wire.int32(-1)
            + wire.byte(1) + wire.short_bytes(b"id") + wire.short(0)
            + wire.short(1) + wire.byte(0x20) + wire.long(7))
    msg = messages.decode(frame.Opcode.BATCH, 0, body)
    assert msg.kind == "UNLOGGED" and msg.timestamp == 7
    assert msg.statements[0].query == "INSERT" and msg.statements[0].values == [None]
    assert msg.statements[1].query_id == b"id"
    with pytest.raises(ProtocolViolation):
        messages.decode(frame.Opcode.BATCH, 0, wire.byte(7) + wire.short(0))


def test_config_file(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text('[server]\nport = 9999\nauth = true\nworkers = 0\n')
    cfg = ServerConfig.from_file(path)
    assert (cfg.port, cfg.auth, cfg.workers, cfg.host) == (9999, True, 0, "127.0.0.1")
    path.write_text("bogus = 1\n")
    with pytest.raises(ValueError, match="bogus"):
        ServerConfig.from_file(path)


# ---- responses through the driver's decoder -------------------------------------------------

def test_supported_has_the_keys_the_driver_needs():
    msg = decode(*messages.supported({"CQL_VERSION": ["3.4.7"], "COMPRESSION": ["lz4"]}))
    assert msg.cql_versions == ["3.4.7"]
    assert msg.options["COMPRESSION"] == ["lz4"]


ERROR_CASES = [
    (cql.AlreadyExists("ks", "t"), {"keyspace": "ks", "table": "t"}),
    (cql.Unavailable("x"), {"consistency": 1, "required_replicas": 1, "alive_replicas": 0}),
    (cql.WriteTimeout("x"), {"write_type": 0}),
    (cql.ReadTimeout("x"), {"data_retrieved": False}),
    (cql.ReadFailure("x"), {"failures": 1}),
    (cql.WriteFailure("x"), {"failures": 1}),
    (cql.FunctionFailure("x"), {"keyspace": "", "arg_types": []}),
    (cql.SyntaxException("bad"), None),
    (cql.InvalidRequest("unconfigured table foo"), None),
    (cql.ConfigurationException("cfg"), None),
    (cql.Unauthorized("no"), None),
    (cql.ServerError("boom"), None),
    (cql.ProtocolError("proto"), None),
    (errors.RequestError(ErrorCode.BAD_CREDENTIALS, "bad creds"), None),
    (errors.RequestError(ErrorCode.OVERLOADED, "busy"), None),
    (errors.RequestError(0x1002, "bootstrapping"), None),
    (errors.RequestError(0x1003, "truncate"), None),
    (errors.RequestError(ErrorCode.CDC_WRITE_FAILURE, "cdc"), None),
    (errors.RequestError(ErrorCode.CAS_WRITE_UNKNOWN, "cas"), None),
]


@pytest.mark.parametrize("exc,info", ERROR_CASES, ids=lambda v: type(v).__name__)
def test_every_error_code_decodes(exc, info):
    msg = decode(*errors.from_exception(exc))
    assert msg.code == exc.code
    assert msg.message == str(exc)
    if info:
        for k, v in info.items():
            assert msg.info[k] == v


def test_write_type_is_always_one_the_driver_knows():
    e = cql.WriteTimeout("x")
    e.write_type = "NOT_A_TYPE"
    assert decode(*errors.from_exception(e)).info["write_type"] == 0  # SIMPLE


def test_unprepared_carries_the_id():
    msg = decode(*errors.from_exception(errors.unprepared(b"\x01\x02\x03")))
    assert msg.code == 0x2500 and msg.info == b"\x01\x02\x03"


def test_unexpected_exceptions_become_server_errors_without_traceback():
    msg = decode(*errors.from_exception(KeyError("oops")))
    assert msg.code == 0 and msg.message == "KeyError: 'oops'"


def test_schema_change_result_and_event():
    change = SchemaChange("CREATED", "FUNCTION", "ks", "f", ("int", "text"))
    res = decode(*results.schema_change(change))
    assert res.kind == results.SCHEMA_CHANGE
    event = res.schema_change_event
    assert (event["change_type"], event["target_type"], event["keyspace"]) == (
        "CREATED", "FUNCTION", "ks")
    assert (event["function"].name, event["function"].argument_types) == ("f", ["int", "text"])
    ev = decode(*messages.schema_change_event(SchemaChange("DROPPED", "TABLE", "ks", "t")))
    assert ev.event_type == "SCHEMA_CHANGE"
    assert ev.event_args == {"change_type": "DROPPED", "target_type": "TABLE",
                             "keyspace": "ks", "table": "t"}


TYPES = ["int", "text", "ascii", "bigint", "blob", "boolean", "counter", "decimal", "double",
         "float", "timestamp", "uuid", "varint", "timeuuid", "inet", "date", "time",
         "smallint", "tinyint", "duration", "list<int>", "set<text>", "map<text, bigint>",
         "frozen<list<frozen<map<int, frozen<tuple<int, text>>>>>>", "vector<float, 3>"]


def test_type_options_decode_to_the_same_types():
    from cassandra.cqltypes import lookup_casstype  # noqa: F401  (loads the type tables)

    names = [f"c{i}" for i in range(len(TYPES))]
    types = [parse_type(t) for t in TYPES]
    msg = decode(*results.rows("ks", "t", names, types, []))
    decoded = [t.cql_parameterized_type() for t in msg.column_types]
    # frozen<> is invisible on the wire (the driver still marks tuples frozen)
    expected = [t if not t.startswith("frozen<list") else
                "list<map<int, frozen<tuple<int, text>>>>" for t in TYPES]
    vector = msg.column_types[-1]
    assert vector.vector_size == 3 and vector.subtype.typename == "float"
    decoded[-1] = "vector<float, 3>"
    for got, want in zip(decoded, expected):
        assert got.replace(" ", "").replace("varchar", "text") == want.replace(" ", ""), (
            got, want)
    assert msg.column_metadata[0][:3] == ("ks", "t", "c0")


def test_rows_with_paging_state_and_nulls():
    types = [parse_type("int"), parse_type("text")]
    msg = decode(*results.rows("ks", "t", ["a", "b"], types, [(1, None), (None, "x")],
                               paging_state=b"\x01\x02"))
    assert msg.paging_state == b"\x01\x02"
    assert msg.parsed_rows == [(1, None), (None, "x")]


def test_skip_metadata_sends_no_column_specs():
    types = [parse_type("int")]
    body = results.rows("ks", "t", ["a"], types, [(1,)], skip_metadata=True)[1]
    r = Reader(body)
    assert r.int() == results.ROWS
    assert r.int() == results.NO_METADATA
    assert r.int() == 1 and r.int() == 1  # column count, then row count


def test_prepared_metadata_has_partition_key_indexes():
    s = cql.connect(":memory:")
    s.execute("CREATE KEYSPACE p WITH replication = {'class': 'SimpleStrategy', "
              "'replication_factor': 1}")
    s.execute("CREATE TABLE p.t (a int, b text, c int, v int, PRIMARY KEY ((a, b), c))")
    ps = s.prepare("SELECT v FROM p.t WHERE c = ? AND b = :bee AND a = ? LIMIT ?")
    msg = decode(*results.prepared(b"\xaa" * 16, ps))
    assert msg.query_id == b"\xaa" * 16
    assert msg.pk_indexes == [2, 1]
    assert [m[2] for m in msg.bind_metadata] == ["c", "bee", "a", "[limit]"]
    assert [m[:2] for m in msg.bind_metadata] == [("p", "t")] * 4
    assert [m[2] for m in msg.column_metadata] == ["v"]
    insert = s.prepare("INSERT INTO p.t (a, b, c, v) VALUES (?, ?, ?, ?)")
    msg = decode(*results.prepared(b"\xbb" * 16, insert))
    assert msg.pk_indexes == [0, 1] and not msg.column_metadata


@pytest.mark.parametrize("compress", [False, True])
def test_warnings_and_compression_in_the_frame(compress):
    from cassandra.connection import locally_supported_compressions

    from cassalite.server.connection import encode_response
    from cassalite.server.handler import Response

    types = [parse_type("text")]
    resp = Response(*results.rows("ks", "t", ["a"], types, [("x" * 600,)]),
                    warnings=["Aggregation query used without partition key"])
    data = encode_response(5, resp, compress)
    version, flags, stream, opcode, length = frame.HEADER.unpack(data[:9])
    assert (version, stream, opcode, length) == (0x84, 5, frame.Opcode.RESULT, len(data) - 9)
    assert bool(flags & frame.COMPRESSED) == compress
    msg = protocol.ProtocolHandler.decode_message(
        4, {}, stream, flags, opcode, data[9:], locally_supported_compressions["lz4"][1], None)
    assert msg.warnings == ["Aggregation query used without partition key"]
    assert msg.parsed_rows == [("x" * 600,)]
