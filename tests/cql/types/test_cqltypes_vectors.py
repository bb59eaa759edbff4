"""Exact bytes: native-protocol cells, byte-comparable examples from storage-engines.md §3,
partition keys, protocol options."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

import cql.types as T
from cql.types.comparable import escape_bytes, unescape_bytes
from cql.types.native import read_unsigned_vint, write_unsigned_vint


@pytest.mark.parametrize("t, value, hexbytes", [
    (T.INT, 1, "00000001"),
    (T.INT, -1, "ffffffff"),
    (T.BIGINT, 1, "0000000000000001"),
    (T.COUNTER, -2, "fffffffffffffffe"),
    (T.SMALLINT, -2, "fffe"),
    (T.TINYINT, 127, "7f"),
    (T.VARINT, 0, "00"),
    (T.VARINT, 127, "7f"),
    (T.VARINT, 128, "0080"),
    (T.VARINT, -1, "ff"),
    (T.VARINT, -128, "80"),
    (T.VARINT, -129, "ff7f"),
    (T.DECIMAL, Decimal("1.5"), "000000010f"),
    (T.DECIMAL, Decimal("-0.001"), "00000003ff"),
    (T.DECIMAL, Decimal("1.50"), "000000020096"),
    (T.DECIMAL, Decimal("1E+3"), "fffffffd01"),
    (T.FLOAT, 1.0, "3f800000"),
    (T.DOUBLE, -2.0, "c000000000000000"),
    (T.BOOLEAN, True, "01"),
    (T.BOOLEAN, False, "00"),
    (T.TEXT, "é", "c3a9"),
    (T.ASCII, "ab", "6162"),
    (T.BLOB, b"\xca\xfe", "cafe"),
    (T.INET, "127.0.0.1", "7f000001"),
    (T.INET, "::1", "00000000000000000000000000000001"),
    (T.UUID, uuid.UUID("cc520882-9507-44fb-8fc9-b349ecdee658"), "cc520882950744fb8fc9b349ecdee658"),
    (T.TIMESTAMP, datetime.datetime(1970, 1, 1, 0, 0, 1), "00000000000003e8"),
    (T.TIMESTAMP, -1, "ffffffffffffffff"),
    (T.DATE, datetime.date(1970, 1, 1), "80000000"),
    (T.DATE, datetime.date(1970, 1, 2), "80000001"),
    (T.TIME, T.Time(1), "0000000000000001"),
    (T.DURATION, T.Duration(1, 2, 3), "020406"),
    (T.DURATION, T.Duration(-1, -2, -3), "010305"),
    (T.DURATION, T.Duration(0, 0, 3_600_000_000_000), "0000fc068c61714000"),
    (T.parse_type("list<int>"), [1, 2], ("00000002" "00000004" "00000001" "00000004" "00000002")),
    (T.parse_type("set<text>"), {"b", "a"}, ("00000002" "00000001" "61" "00000001" "62")),
    (T.parse_type("map<text, int>"), {"a": 1}, ("00000001" "00000001" "61" "00000004" "00000001")),
    (T.parse_type("tuple<int, text>"), (1, None), ("00000004" "00000001" "ffffffff")),
    (T.parse_type("vector<float, 2>"), [1.0, 2.0], ("3f800000" "40000000")),
    (T.parse_type("vector<text, 2>"), ["a", "bc"], ("01" "61" "02" "6263")),
])
def test_cell_bytes(t, value, hexbytes):
    v = t.validate(value)
    assert t.serialize(v).hex() == hexbytes
    assert t.deserialize(bytes.fromhex(hexbytes)) == v


def test_decimal_keeps_scale():
    v = T.DECIMAL.deserialize(T.DECIMAL.serialize(Decimal("1.50")))
    assert str(v) == "1.50"


def test_udt_cells_may_miss_trailing_fields():
    u = T.UserType("ks", "addr", ["street", "zip"], [T.TEXT, T.INT])
    v = u.deserialize(bytes.fromhex("00000001" "61"))
    assert v == ("a", None) and v.street == "a" and v.zip is None
    with pytest.raises(T.MarshalError, match="Invalid remaining data after end of UDT value"):
        u.deserialize(bytes.fromhex("00000001" "61" "00000000" "00000000"))


@pytest.mark.parametrize("t, value, hexbytes", [
    (T.INT, 1, "80000001"),
    (T.SMALLINT, -1, "7fff"),
    (T.BIGINT, -(2**63), "0000000000000000"),
    (T.FLOAT, 1.0, "bf800000"),
    (T.FLOAT, -1.0, "407fffff"),
    (T.DOUBLE, float("-inf"), "000fffffffffffff"),
    (T.UUID, uuid.UUID("cc520882-9507-44fb-8fc9-b349ecdee658"), "4cc52088295074fb8fc9b349ecdee658"),
    (T.UUID, uuid.UUID("2a92d750-d8dc-11e6-a2de-cf8ecd4cf053"), "11e6d8dc2a92d750a2decf8ecd4cf053"),
    (T.TIMEUUID, uuid.UUID("2a92d750-d8dc-11e6-a2de-cf8ecd4cf053"),
     "11e6d8dc2a92d750" + "225e4f0e4dcc70d3"),
    (T.VARINT, 0, "8000"),
    (T.VARINT, 1, "8001"),
    (T.VARINT, -1, "7fff"),
    (T.VARINT, 255, "80ff"),
    (T.VARINT, -256, "7f00"),
    (T.VARINT, 2**16, "82010000"),
    (T.VARINT, -(2**32), "7c00000000"),
    (T.VARINT, 2**1024, "ff8001" + "00" * 128),
    (T.VARINT, -(2**2048), "000080" + "00" * 256),
    (T.DECIMAL, Decimal("1.1"), "c101818a00"),
    (T.DECIMAL, Decimal(1), "c1018100"),
    (T.DECIMAL, Decimal("1.00"), "c1018100"),
    (T.DECIMAL, Decimal("0.01"), "c08100"),
    (T.DECIMAL, Decimal(0), "80"),
    (T.DECIMAL, Decimal(-1), "3fff7f00"),
    (T.DECIMAL, Decimal("-1.1"), "3fff7eda00"),
    (T.DECIMAL, Decimal("-98.9"), "3fff1d8a00"),
    (T.DECIMAL, Decimal(-99), "3fff1d00"),
    (T.DECIMAL, Decimal("-99.9"), "3fff1c8a00"),
    (T.DECIMAL, Decimal("-8.1e2000"), "3efc1777da00"),
    (T.DECIMAL, Decimal("-8.1e-2000"), "4203e777da00"),
    (T.DECIMAL, Decimal("8.1e-2000"), "befc19888a00"),
    (T.DECIMAL, Decimal("8.1e2000"), "c203e9888a00"),
    (T.DATE, datetime.date(1970, 1, 1), "80000000"),
    (T.BOOLEAN, True, "01"),
])
def test_comparable_bytes(t, value, hexbytes):
    assert t.to_comparable(value).hex() == hexbytes
    back, pos = t.from_comparable(bytes.fromhex(hexbytes), 0)
    assert back == value and pos == len(hexbytes) // 2


@pytest.mark.parametrize("raw, enc", [
    ("2200", "2200fe"),
    ("22000033", "2200feff3300"),
    ("220011", "2200ff1100"),
    ("", "00"),
    ("00", "00fe"),
    ("2200000000", "2200fefefefe"),
])
def test_escaped_bytes(raw, enc):
    assert escape_bytes(bytes.fromhex(raw)).hex() == enc
    assert unescape_bytes(bytes.fromhex(enc) + b"\x40", 0) == (bytes.fromhex(raw), len(enc) // 2)


def test_sequence_examples():
    assert T.encode_clustering([T.SMALLINT, T.FLOAT], [1, 1.0]).hex() == "40800140bf80000038"
    assert T.encode_clustering([T.SMALLINT, T.FLOAT], [-1, None]).hex() == "407fff3f38"
    assert (T.clustering_prefix([T.SMALLINT, T.FLOAT], [0, float("-inf")]) + b"\x20").hex() \
        == "40800040007fffff20"
    assert T.encode_clustering([T.BLOB, T.SMALLINT], [b"\x22", 0]).hex() == "40220040800038"
    # DESC component: inverted encoding; a null uses separator 0x41
    assert T.encode_clustering([T.INT], [1], [True]).hex() == "407ffffffe38"
    assert T.encode_clustering([T.INT], [None], [True]).hex() == "4138"
    assert (T.SEP, T.TERMINATOR, T.BOTTOM, T.TOP) == (0x40, 0x38, 0x20, 0x60)


def test_decode_clustering_desc_and_bounds():
    types = [T.TEXT, T.INT]
    flags = [True, False]
    key = T.encode_clustering(types, ["a\x00b", 5], flags)
    assert T.decode_clustering(types, key, flags) == ["a\x00b", 5]
    assert T.decode_clustering(types, T.clustering_bound(types, ["x"], flags, top=False),
                               flags) == ["x"]


def test_partition_keys():
    pk = T.serialize_partition_key([T.INT, T.TEXT], [1, "a"])
    assert pk.hex() == "0004000000010000016100"
    assert T.deserialize_partition_key([T.INT, T.TEXT], pk) == [1, "a"]
    assert T.serialize_partition_key([T.INT], [1]).hex() == "00000001"
    with pytest.raises(T.MarshalError):
        T.deserialize_partition_key([T.INT, T.TEXT], pk[:-1])


def test_vints():
    for v in [0, 1, 127, 128, 2**14, 2**56 - 1, 2**56, 2**63, 2**64 - 1]:
        b = write_unsigned_vint(v)
        assert read_unsigned_vint(b, 0) == (v, len(b))
    assert write_unsigned_vint(2**64 - 1).hex() == "ff" + "ff" * 8
    assert write_unsigned_vint(128).hex() == "8080"


def test_protocol_options():
    assert T.INT.protocol_option() == (0x0009,)
    assert T.TEXT.protocol_option() == (0x000D,)
    assert T.native_type("varchar") is T.TEXT and T.TEXT.name == "text"
    assert T.COUNTER.protocol_option() == (0x0005,)
    assert T.DURATION.protocol_option(4) == (0, "org.apache.cassandra.db.marshal.DurationType")
    assert T.DURATION.protocol_option(5) == (0x0015,)
    assert T.parse_type("map<text, frozen<list<int>>>").protocol_option() == \
        (0x21, (0x0D,), (0x20, (0x09,)))
    assert T.parse_type("set<int>").protocol_option() == (0x22, (0x09,))
    assert T.parse_type("tuple<int, text>").protocol_option() == (0x31, ((0x09,), (0x0D,)))
    u = T.UserType("ks", "addr", ["street", "zip"], [T.TEXT, T.INT])
    assert u.protocol_option() == (0x30, "ks", "addr", (("street", (0x0D,)), ("zip", (0x09,))))
    assert T.parse_type("vector<float, 3>").protocol_option() == (
        0, "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)")
