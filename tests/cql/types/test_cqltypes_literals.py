"""Literal constants, Cassandra's messages, CQL literal output, JSON, parse_type, validation."""

from __future__ import annotations

import datetime
import math
import re
import uuid
from decimal import Decimal

import pytest
from sortedcontainers import SortedDict, SortedSet

import cql.types as T
from cql.errors import InvalidRequest
from cql.vocabulary import quote_name

KINDS = ["string", "integer", "float", "boolean", "uuid", "hex", "duration"]
ACCEPTS = {
    "ascii": {"string"}, "text": {"string"}, "inet": {"string"},
    "date": {"string", "integer"}, "time": {"string", "integer"},
    "timestamp": {"string", "integer"},
    "tinyint": {"integer"}, "smallint": {"integer"}, "int": {"integer"}, "bigint": {"integer"},
    "counter": {"integer"}, "varint": {"integer"},
    "float": {"integer", "float"}, "double": {"integer", "float"}, "decimal": {"integer", "float"},
    "uuid": {"uuid"}, "timeuuid": {"uuid"}, "boolean": {"boolean"}, "blob": {"hex"},
    "duration": {"duration", "integer"},
}


@pytest.mark.parametrize("name", sorted(ACCEPTS))
def test_accepts_constant_mirrors_cassandra(name):
    t = T.native_type(name)
    assert {k for k in KINDS if t.accepts_constant(k)} == ACCEPTS[name]


def test_collections_accept_no_constant():
    for text in ["list<int>", "set<int>", "map<int, int>", "vector<float, 2>"]:
        t = T.parse_type(text)
        assert not any(t.accepts_constant(k) for k in KINDS)


def test_tuple_accepts_a_string_constant():
    # Cassandra parses it with TupleType.fromString (TupleTypeTest.testTupleFromString)
    t = T.parse_type("tuple<int, text>")
    assert {k for k in KINDS if t.accepts_constant(k)} == {"string"}
    assert t.from_constant("string", "1:a\\:b") == (1, "a:b")
    assert t.from_constant("string", "@:x") == (None, "x")
    assert t.from_constant("string", "2") == (2, None)


def test_marshal_error_is_invalid_request_and_value_error():
    with pytest.raises(InvalidRequest):
        T.INT.from_constant("integer", "2147483648")
    with pytest.raises(ValueError):
        T.INT.from_constant("integer", "2147483648")


@pytest.mark.parametrize("t, kind, text, message", [
    (T.INT, "integer", "2147483648", "Unable to make int from '2147483648'"),
    (T.BIGINT, "integer", "9223372036854775808", "Unable to make long from '9223372036854775808'"),
    (T.SMALLINT, "integer", "32768", "Unable to make short from '32768'"),
    (T.TINYINT, "integer", "-129", "Unable to make byte from '-129'"),
    (T.UUID, "uuid", "zz", "Unable to make UUID from 'zz'"),
    (T.TIMEUUID, "uuid", "zz", "Unknown timeuuid representation: zz"),
    (T.TIMEUUID, "uuid", "cc520882-9507-44fb-8fc9-b349ecdee658",
     "TimeUUID supports only version 1 UUIDs"),
    (T.BOOLEAN, "boolean", "yes", "Unable to make boolean from 'yes'"),
    (T.INET, "string", "not-an-ip", "Unable to make inet address from 'not-an-ip'"),
    (T.ASCII, "string", "é", "Invalid ASCII character in string literal"),
    (T.BLOB, "hex", "0xabc", "cannot parse 'abc' as hex bytes"),
    (T.DECIMAL, "float", "NaN", "unable to make BigDecimal from 'NaN'"),
    (T.TIMESTAMP, "string", "now-ish", "Unable to coerce 'now-ish' to a formatted date (long)"),
    (T.TIMESTAMP, "string", "2020-02-30", "Unable to coerce '2020-02-30' to a formatted date"),
    (T.DATE, "string", "2020-13-01", "Unable to coerce '2020-13-01' to a formatted date (long)"),
    (T.DATE, "integer", "4294967296", "Unable to make unsigned int (for date) from: '4294967296'"),
    (T.TIME, "string", "25:00:00",
     "(TimeType) Unable to coerce '25:00:00' to a formatted time (long)"),
    (T.TIME, "integer", "86400000000000",
     "Unable to make long (for time) from: '86400000000000'"),
    (T.DURATION, "duration", "1h1h", "Invalid duration. The hours are specified multiple times"),
    (T.DURATION, "duration", "1m1h", "Invalid duration. The minutes should be after hours"),
    (T.DURATION, "integer", "5", "Unable to convert '5' to a duration"),
    (T.DURATION, "duration", "P1X", "Unable to convert 'P1X' to a duration"),
])
def test_literal_errors(t, kind, text, message):
    with pytest.raises(T.MarshalError) as e:
        t.from_constant(kind, text)
    assert message in str(e.value)


def test_kind_mismatch_raises():
    with pytest.raises(T.MarshalError):
        T.INT.from_constant("string", "abc")


@pytest.mark.parametrize("t, kind, text, value", [
    (T.INT, "integer", "-42", -42),
    (T.VARINT, "integer", "123456789012345678901234567890", 123456789012345678901234567890),
    (T.FLOAT, "float", "NaN", None),
    (T.FLOAT, "float", "-Infinity", float("-inf")),
    (T.DOUBLE, "float", "Infinity", float("inf")),
    (T.FLOAT, "float", "0.1", 0.10000000149011612),
    (T.DOUBLE, "float", "1.5e3", 1500.0),
    (T.DOUBLE, "integer", "7", 7.0),
    (T.DECIMAL, "float", "1.50", Decimal("1.50")),
    (T.DECIMAL, "integer", "10", Decimal(10)),
    (T.TEXT, "string", "it's", "it's"),
    (T.BOOLEAN, "boolean", "TRUE", True),
    (T.BLOB, "hex", "0xCAFE", b"\xca\xfe"),
    (T.BLOB, "hex", "0x", b""),
    (T.INET, "string", "::1", "::1"),
    (T.UUID, "uuid", "CC520882-9507-44FB-8FC9-B349ECDEE658",
     uuid.UUID("cc520882-9507-44fb-8fc9-b349ecdee658")),
    (T.TIMESTAMP, "integer", "1000", datetime.datetime(1970, 1, 1, 0, 0, 1)),
    (T.TIMESTAMP, "string", "1000", datetime.datetime(1970, 1, 1, 0, 0, 1)),
    (T.TIMESTAMP, "string", "2011-02-03", datetime.datetime(2011, 2, 3)),
    (T.TIMESTAMP, "string", "2011-02-03 04:05", datetime.datetime(2011, 2, 3, 4, 5)),
    (T.TIMESTAMP, "string", "2011-02-03 04:05:06", datetime.datetime(2011, 2, 3, 4, 5, 6)),
    (T.TIMESTAMP, "string", "2011-02-03T04:05:06.789",
     datetime.datetime(2011, 2, 3, 4, 5, 6, 789000)),
    (T.TIMESTAMP, "string", "2011-02-03 04:05+0100", datetime.datetime(2011, 2, 3, 3, 5)),
    (T.TIMESTAMP, "string", "2011-02-03 04:05:00-08:00", datetime.datetime(2011, 2, 3, 12, 5)),
    (T.TIMESTAMP, "string", "2011-02-03T04:05:00.000Z", datetime.datetime(2011, 2, 3, 4, 5)),
    (T.TIMESTAMP, "string", "2011-02-03 04:05:00 UTC", datetime.datetime(2011, 2, 3, 4, 5)),
    (T.TIMESTAMP, "string", "2011-02-03+0000", datetime.datetime(2011, 2, 3)),
    (T.DATE, "string", "2011-02-03", datetime.date(2011, 2, 3)),
    (T.DATE, "string", "2147483648", datetime.date(1970, 1, 1)),
    (T.DATE, "integer", "2147483649", datetime.date(1970, 1, 2)),
    (T.TIME, "string", "08:12:54", T.Time(29574 * 10**9)),
    (T.TIME, "string", "08:12:54.123", T.Time(29574 * 10**9 + 123_000_000)),
    (T.TIME, "string", "08:12:54.123456789", T.Time(29574 * 10**9 + 123456789)),
    (T.TIME, "integer", "1", T.Time(1)),
    (T.DURATION, "duration", "1h30m", T.Duration(0, 0, 90 * 60 * 10**9)),
    (T.DURATION, "duration", "1y2mo", T.Duration(14, 0, 0)),
    (T.DURATION, "duration", "-5m", T.Duration(0, 0, -5 * 60 * 10**9)),
    (T.DURATION, "duration", "2w3d", T.Duration(0, 17, 0)),
    (T.DURATION, "duration", "1ms2us3ns", T.Duration(0, 0, 1_002_003)),
    (T.DURATION, "duration", "10µs", T.Duration(0, 0, 10_000)),
    (T.DURATION, "duration", "1MO", T.Duration(1, 0, 0)),
    (T.DURATION, "duration", "P1Y2M3DT4H5M6S",
     T.Duration(14, 3, (4 * 3600 + 5 * 60 + 6) * 10**9)),
    (T.DURATION, "duration", "P3W", T.Duration(0, 21, 0)),
    (T.DURATION, "duration", "-P0001-02-03T04:05:06",
     T.Duration(-14, -3, -(4 * 3600 + 5 * 60 + 6) * 10**9)),
    (T.DURATION, "duration", "PT1H", T.Duration(0, 0, 3600 * 10**9)),
])
def test_literal_values(t, kind, text, value):
    v = t.from_constant(kind, text)
    if value is None:
        assert math.isnan(v)
    else:
        assert v == value


def test_date_outside_python_range():
    v = T.DATE.from_constant("integer", "0")
    assert isinstance(v, T.Date) and v.days == -(2**31)
    assert str(v) == "-5877641-06-23"
    assert T.DATE.to_cql_literal(v) == "0"
    assert T.DATE.deserialize(T.DATE.serialize(v)) == v
    assert str(T.Date(2932897)) == "+10000-01-01"
    assert T.DATE.from_constant("string", "+10000-01-01") == T.Date(2932897)


def test_timestamp_outside_datetime_range_is_int_ms():
    v = T.TIMESTAMP.from_constant("integer", str(2**62))
    assert v == 2**62
    assert T.TIMESTAMP.deserialize(T.TIMESTAMP.serialize(v)) == 2**62


@pytest.mark.parametrize("t, value, literal", [
    (T.TEXT, "it's", "'it''s'"),
    (T.BLOB, b"\xca\xfe", "0xcafe"),
    (T.INT, 5, "5"),
    (T.FLOAT, 0.1, "0.1"),
    (T.DOUBLE, float("nan"), "NaN"),
    (T.DOUBLE, float("-inf"), "-Infinity"),
    (T.DECIMAL, Decimal("1.50"), "1.50"),
    (T.BOOLEAN, False, "false"),
    (T.UUID, uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    (T.INET, "10.0.0.1", "'10.0.0.1'"),
    (T.TIMESTAMP, datetime.datetime(2011, 2, 3, 4, 5, 6, 789000), "'2011-02-03T04:05:06.789Z'"),
    (T.DATE, datetime.date(2011, 2, 3), "'2011-02-03'"),
    (T.TIME, T.Time(1), "'00:00:00.000000001'"),
    (T.DURATION, T.Duration(14, 3, 5), "1y2mo3d5ns"),
    (T.DURATION, T.Duration(0, 0, 0), "0s"),
    (T.parse_type("set<int>"), {2, 1}, "{1, 2}"),
    (T.parse_type("list<text>"), ["a", "b"], "['a', 'b']"),
    (T.parse_type("map<text, int>"), {"b": 2, "a": 1}, "{'a': 1, 'b': 2}"),
    (T.parse_type("tuple<int, text>"), (1, None), "(1, null)"),
    (T.parse_type("vector<float, 2>"), [1, 2], "[1.0, 2.0]"),
    (T.UserType("ks", "u", ["a", "B"], [T.INT, T.TEXT]), (1, "x"), "{a: 1, \"B\": 'x'}"),
    (T.INT, None, "null"),
])
def test_to_cql_literal(t, value, literal):
    assert t.to_cql_literal(t.validate(value)) == literal


@pytest.mark.parametrize("value, text", [
    (T.Duration(0, 0, 90 * 60 * 10**9), "1h30m"),
    (T.Duration(14, 0, 0), "1y2mo"),
    (T.Duration(0, 0, -5 * 60 * 10**9), "-5m"),
    (T.Duration(0, 10, 1_000_001), "10d1ms1ns"),
    (T.Duration(0, 0, 0), ""),
])
def test_duration_str(value, text):
    assert str(value) == text


def test_time_value():
    t = T.TIME.validate(datetime.time(8, 12, 54, 123456))
    assert isinstance(t, int) and str(t) == "08:12:54.123456000"
    assert T.TIME.validate("08:12:54") == 29574 * 10**9
    assert t.time() == datetime.time(8, 12, 54, 123456)


@pytest.mark.parametrize("t, value, text", [
    (T.INT, 3, "3"),
    (T.TEXT, 'a"b', '"a\\"b"'),
    (T.ASCII, "x", '"x"'),
    (T.BLOB, b"\x01", '"0x01"'),
    (T.BOOLEAN, True, "true"),
    (T.FLOAT, 0.1, "0.1"),
    (T.DOUBLE, 1e10, "1.0E10"),
    (T.DOUBLE, 1.5, "1.5"),
    (T.DOUBLE, float("nan"), "null"),
    (T.DECIMAL, Decimal("1.50"), "1.50"),
    (T.VARINT, -5, "-5"),
    (T.UUID, uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
    (T.INET, "::1", '"0:0:0:0:0:0:0:1"'),  # InetAddress.getHostAddress, uncompressed
    (T.TIMESTAMP, datetime.datetime(2011, 2, 3, 4, 5), '"2011-02-03 04:05:00.000Z"'),
    (T.DATE, datetime.date(2011, 2, 3), '"2011-02-03"'),
    (T.TIME, T.Time(1), '"00:00:00.000000001"'),
    (T.DURATION, T.Duration(0, 0, 3600 * 10**9), '"1h"'),
    (T.parse_type("list<int>"), [1, 2], "[1, 2]"),
    (T.parse_type("set<text>"), {"b", "a"}, '["a", "b"]'),
    (T.parse_type("map<int, text>"), {2: "b", 1: "a"}, '{"1": "a", "2": "b"}'),
    (T.parse_type("map<text, int>"), {"k": 1}, '{"k": 1}'),
    (T.parse_type("map<frozen<list<int>>, int>"), {(1, 2): 3}, '{"[1, 2]": 3}'),
    (T.parse_type("tuple<int, text>"), (1, None), '[1, null]'),
    (T.UserType("ks", "u", ["a", "B"], [T.INT, T.TEXT]), (1, "x"), '{"a": 1, "\\"B\\"": "x"}'),
    (T.INT, None, "null"),
])
def test_to_json_text(t, value, text):
    assert t.to_json_text(t.validate(value)) == text


@pytest.mark.parametrize("t, obj, value", [
    (T.INT, "12", 12),
    (T.INT, 12, 12),
    (T.BIGINT, "-3", -3),
    (T.FLOAT, "1.5", 1.5),
    (T.DOUBLE, 2, 2.0),
    (T.DECIMAL, "1.50", Decimal("1.50")),
    (T.DECIMAL, Decimal("2.5"), Decimal("2.5")),
    (T.BOOLEAN, "false", False),
    (T.BLOB, "0xcafe", b"\xca\xfe"),
    (T.TIMESTAMP, 1000, datetime.datetime(1970, 1, 1, 0, 0, 1)),
    (T.TIMESTAMP, "2011-02-03 04:05:00.000Z", datetime.datetime(2011, 2, 3, 4, 5)),
    (T.parse_type("map<int, text>"), {"1": "a"}, {1: "a"}),
    (T.parse_type("list<int>"), "[1, 2]", [1, 2]),
    (T.parse_type("set<int>"), [2, 1, 2], {1, 2}),
    (T.UserType("ks", "u", ["a", "B"], [T.INT, T.TEXT]), {"A": 1, '"B"': "x"}, (1, "x")),
])
def test_from_json(t, obj, value):
    assert t.from_json(obj) == value


@pytest.mark.parametrize("t, obj, message", [
    (T.INT, True, "Expected an int value, but got a Boolean: true"),
    (T.INT, "1.5", "Unable to make int from '1.5'"),
    (T.BIGINT, [1], "Expected a bigint value, but got a ArrayList: [1]"),
    (T.TEXT, 1, "Expected a UTF-8 string, but got a Integer: 1"),
    (T.ASCII, 1, "Expected an ascii string, but got a Integer: 1"),
    (T.BLOB, "cafe", "String representation of blob is missing 0x prefix: cafe"),
    (T.BOOLEAN, 1, "Expected a boolean value, but got a Integer: 1"),
    (T.UUID, 1, "Expected a string representation of a uuid, but got a Integer: 1"),
    (T.DATE, 1, "Expected a string representation of a date value, but got a Integer: 1"),
    (T.TIME, 1, "Expected a string representation of a time value, but got a Integer: 1"),
    (T.TIMESTAMP, 1.5, "Expected a long or a datestring representation of a timestamp value"),
    (T.DECIMAL, "x", "Value 'x' is not a valid representation of a decimal value"),
    (T.parse_type("list<int>"), 1, "Expected a list, but got a Integer: 1"),
    (T.parse_type("set<int>"), {"a": 1}, ("Expected a list (representing a set), but got a "
                                         "LinkedHashMap")),
    (T.parse_type("map<int, int>"), [1], "Expected a map, but got a ArrayList: [1]"),
    (T.parse_type("tuple<int, int>"), [1, 2, 3], "Tuple contains extra items (expected 2)"),
    (T.parse_type("tuple<int, int>"), [1], "Tuple is missing items (expected 2)"),
    (T.UserType("ks", "u", ["a"], [T.INT]), {"b": 1},
     "Unknown field 'b' in value of user defined type u"),
    (T.parse_type("vector<int, 2>"), [1], "List had incorrect size: expected 2 but given 1"),
    # a JSON float is parsed as a Decimal (digits kept) but named as Jackson's Double
    (T.TIMESTAMP, Decimal("123.456"), ("Expected a long or a datestring representation of a "
                                       "timestamp value, but got a Double: 123.456")),
    (T.BIGINT, Decimal("1e-5"), "Expected a bigint value, but got a Double: 1.0E-5"),
    (T.parse_type("list<int>"), [None], "Invalid null element in list"),
    (T.parse_type("set<int>"), [None], "Invalid null element in set"),
    (T.parse_type("map<text, int>"), {"a": None}, "Invalid null value in map"),
    (T.parse_type("vector<int, 1>"), [None], "Invalid null element in list"),
])
def test_from_json_errors(t, obj, message):
    with pytest.raises(T.MarshalError) as e:
        t.from_json(obj)
    assert message in str(e.value)


def test_parse_type_names():
    cases = {
        "int": "int", "VARCHAR": "text", "text": "text",
        "list<int>": "list<int>", "frozen<list<int>>": "frozen<list<int>>",
        "map<text,frozen<list<int>>>": "map<text, frozen<list<int>>>",
        "tuple<int,text>": "frozen<tuple<int, text>>",
        "frozen<tuple<int, text>>": "frozen<tuple<int, text>>",
        "vector<float,3>": "vector<float, 3>",
        "set<frozen<map<int, frozen<set<text>>>>>": "set<frozen<map<int, frozen<set<text>>>>>",
        "list<frozen<tuple<int, frozen<list<int>>>>>": "list<frozen<tuple<int, frozen<list<int>>>>>",
    }
    for text, name in cases.items():
        t = T.parse_type(text)
        assert t.name == name == str(t)
        assert T.parse_type(name) == t and hash(T.parse_type(name)) == hash(t)


def test_parse_type_udts_and_errors():
    addr = T.UserType("ks", "addr", ["street"], [T.TEXT], frozen=False)
    odd = T.UserType("ks", "My Type", ["x"], [T.INT], frozen=False)
    lookup = {"addr": addr, "My Type": odd}.get
    assert T.parse_type("addr", lookup) == addr and addr.name == "addr"
    assert T.parse_type("frozen<addr>", lookup) == addr.freeze()
    assert addr.freeze().name == "frozen<addr>" and addr.freeze().is_multicell is False
    assert addr.is_multicell
    assert odd.name == '"My Type"' and T.parse_type('frozen<"My Type">', lookup).name == \
        'frozen<"My Type">'
    assert T.parse_type("list<frozen<addr>>", lookup).name == "list<frozen<addr>>"
    with pytest.raises(T.MarshalError, match="Unknown type nope"):
        T.parse_type("nope", lookup)
    with pytest.raises(T.MarshalError, match="Unknown type nope"):
        T.parse_type("nope")
    with pytest.raises(T.MarshalError, match=r"frozen<> is only allowed on collections, "
                                             r"tuples, and user-defined types \(got text\)"):
        T.parse_type("frozen<text>")
    with pytest.raises(T.MarshalError, match="vectors may only have positive dimensions; given 0"):
        T.parse_type("vector<float, 0>")
    with pytest.raises(T.MarshalError):
        T.parse_type("map<int>")
    with pytest.raises(T.MarshalError):
        T.parse_type("list<int")
    assert quote_name("select") == '"select"' and quote_name("ok_1") == "ok_1"


def test_type_flags():
    lst = T.parse_type("list<int>")
    assert lst.is_collection and lst.is_multicell and not lst.frozen
    f = lst.freeze()
    assert f.frozen and not f.is_multicell and f != lst and f.name == "frozen<list<int>>"
    assert T.COUNTER.is_counter and not T.BIGINT.is_counter
    assert not T.DURATION.comparable and not T.parse_type("list<duration>").comparable
    tup = T.parse_type("tuple<int, text>")
    assert tup.is_tuple and tup.frozen and not tup.is_multicell
    assert tup.bare_name == "tuple<int, text>"
    assert T.parse_type("vector<float, 2>").is_multicell is False
    nested = T.parse_type("map<int, list<int>>").freeze()
    assert nested.name == "frozen<map<int, frozen<list<int>>>>"


def test_validate_canonical_forms():
    s = T.parse_type("set<int>").validate([3, 1, 2, 1])
    assert isinstance(s, SortedSet) and list(s) == [1, 2, 3] and s == {1, 2, 3}
    m = T.parse_type("map<text, int>").validate({"b": 2, "a": 1})
    assert isinstance(m, SortedDict) and list(m) == ["a", "b"] and m == {"a": 1, "b": 2}
    ss = T.parse_type("set<frozen<set<int>>>").validate([{2, 1}, {3}])
    inner = list(ss)
    assert inner == [{1, 2}, {3}] and isinstance(inner[0], T.FrozenSortedSet)
    assert list(inner[0]) == [1, 2]
    mk = T.parse_type("map<frozen<map<int, int>>, frozen<list<int>>>").validate({})
    assert mk == {}
    mk = T.parse_type("map<frozen<map<int, int>>, frozen<list<int>>>").validate(
        [({2: 1, 1: 2}, [1])])
    key = next(iter(mk))
    assert isinstance(key, T.FrozenSortedDict) and key == {1: 2, 2: 1} and list(key) == [1, 2]
    assert mk[key] == [1]
    u = T.UserType("ks", "addr", ["street", "zip code"], [T.TEXT, T.INT])
    v = u.validate({"street": "x"})
    assert v.street == "x" and v[1] is None and v == ("x", None)
    assert u.validate(("y", 5))[1] == 5
    # a bound value with fields the type lacks: what Cassandra says of it serialized
    with pytest.raises(T.MarshalError, match="^Invalid remaining data after end of UDT value$"):
        u.validate({"nope": 1})
    with pytest.raises(T.MarshalError, match="^Invalid remaining data after end of UDT value$"):
        u.validate(("y", 5, 6))
    ts = T.TIMESTAMP.validate(datetime.datetime(2020, 1, 1, 1, 0, 0, 123999,
                                                tzinfo=datetime.timezone(datetime.timedelta(hours=1))))
    assert ts == datetime.datetime(2020, 1, 1, 0, 0, 0, 123000)
    assert T.TIMESTAMP.validate(datetime.date(2020, 1, 1)) == datetime.datetime(2020, 1, 1)
    assert T.FLOAT.validate(0.1) == 0.10000000149011612
    assert T.DECIMAL.validate(0.1) == Decimal("0.1")
    assert T.DATE.validate(1) == datetime.date(1970, 1, 2)
    assert T.INET.validate("::ffff:0:0:1") == "::ffff:0:0:1"


@pytest.mark.parametrize("t, value, message", [
    (T.INT, 2**31, "Unable to make int from '2147483648'"),
    (T.INT, "1", "Expected an integer"),
    (T.TEXT, b"\xff", "String didn't validate."),
    (T.ASCII, "é", "Invalid byte for ascii"),
    (T.TIMEUUID, uuid.UUID(int=0), "Invalid UUID version 0 for timeuuid"),
    (T.DURATION, T.Duration(1, -1, 0), ("The duration months, days and nanoseconds must be all "
                                       "of the same sign (1, -1, 0)")),
    (T.parse_type("list<int>"), [1, None], "null is not supported inside collections"),
    (T.parse_type("vector<int, 2>"), [1, None], "null is not supported inside vectors"),
    (T.parse_type("vector<int, 2>"), [1], "Not enough bytes to read a vector<int, 2>"),
    (T.parse_type("vector<int, 2>"), [1, 2, 3],
     "Unexpected 4 extraneous bytes after vector<int, 2> value"),
    (T.parse_type("vector<text, 2>"), ["a", "b", "cd"],
     "Unexpected 3 extraneous bytes after vector<text, 2> value"),
    (T.parse_type("tuple<int>"), (1, 2), "Invalid remaining data after end of tuple value"),
])
def test_validate_errors(t, value, message):
    with pytest.raises(T.MarshalError) as e:
        t.validate(value)
    assert message in str(e.value)


@pytest.mark.parametrize("t, data", [
    (T.INT, b"\x00\x01"),
    (T.UUID, b"\x00" * 3),
    (T.TIMEUUID, uuid.UUID(int=0).bytes),
    (T.TEXT, b"\xff"),
    (T.ASCII, b"\x80"),
    (T.parse_type("list<int>"), b"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01"),
    (T.parse_type("list<int>"), b"\x00\x00\x00\x01\xff\xff\xff\xff"),
    (T.parse_type("map<int, int>"), b"\x00\x00"),
    (T.parse_type("tuple<int>"), b"\x00\x00\x00\x04\x00\x00\x00\x01\x00"),
    (T.DURATION, b"\xff"),
    (T.TIME, b"\xff" * 8),
    (T.parse_type("vector<float, 2>"), b"\x00" * 7),
])
def test_malformed_bytes(t, data):
    with pytest.raises(T.MarshalError):
        t.deserialize(data)


def test_empty_values():
    """A zero-length value is EMPTY (not null) for the types that accept one."""
    for t in (T.INT, T.BIGINT, T.UUID, T.TIMEUUID, T.TIMESTAMP, T.BOOLEAN, T.DOUBLE, T.FLOAT,
              T.DECIMAL, T.VARINT, T.INET):
        assert t.accepts_empty
        assert t.deserialize(b"") is T.EMPTY and t.validate(b"") is T.EMPTY
        assert t.validate(T.EMPTY) is T.EMPTY and t.serialize(T.EMPTY) == b""
        assert t.to_json_text(T.EMPTY) == '""'
        if t is T.VARINT:  # IntegerType.fromJSONObject parses "" as a BigInteger: an error
            with pytest.raises(T.MarshalError, match="not a valid representation of a varint"):
                t.from_json("")
        else:
            assert t.from_json("") is (False if t is T.BOOLEAN else T.EMPTY)
        # alone it is b'', before every other value's encoding
        assert t.to_comparable(T.EMPTY) == b""
    assert T.INET.from_constant("string", "") is T.EMPTY
    assert T.TIMESTAMP.from_constant("string", "") is T.EMPTY
    assert T.BOOLEAN.from_json("") is False  # BooleanType.fromString("") is false
    for t, msg in ((T.SMALLINT, "Expected 2 bytes for a smallint (0)"),
                   (T.TINYINT, "Expected 1 byte for a tinyint (0)"),
                   (T.DATE, "Expected 4 byte long for date (0)"),
                   (T.TIME, "Expected 8 byte long for time (0)"),
                   (T.DURATION, "Expected at least 3 bytes for a duration (0)")):
        assert not t.accepts_empty
        with pytest.raises(T.MarshalError, match=re.escape(msg)):
            t.deserialize(b"")
        with pytest.raises(T.MarshalError, match=re.escape(msg)):
            t.validate(b"")  # a zero-length bound value means what it means on the wire
    # any byte string binds as the serialized value (CreateTest binds 4-byte ints to smallints)
    assert T.INT.validate(b"\x00\x00\x00\x05") == 5 and T.BLOB.validate(b"\x05") == b"\x05"
    with pytest.raises(T.MarshalError, match=re.escape("Expected 2 bytes for a smallint (4)")):
        T.SMALLINT.validate(b"\x00\x00\x00\x01")
    for name in ("vector<int, 2>", "vector<text, 2>"):
        with pytest.raises(T.MarshalError, match="Invalid empty vector value"):
            T.parse_type(name).validate(b"")
    assert T.TEXT.deserialize(b"") == "" and T.BLOB.deserialize(b"") == b""
    assert T.TEXT.validate(T.EMPTY) == "" and T.BLOB.validate(T.EMPTY) == b""
    assert T.INT.serialize(None) is None and T.INT.validate(None) is None
    assert repr(T.EMPTY) == "EMPTY" and not T.EMPTY and T.EMPTY is not None
    assert T.INT.to_cql_literal(T.EMPTY) == "blobAsInt(0x)"


def test_empty_values_inside_collections_and_tuples():
    """EMPTY elements, keys, values and components survive bytes and byte-comparable forms."""
    E = T.EMPTY
    for name, v in (("list<int>", [E, 1]), ("set<int>", {E, 1}), ("map<int, int>", {E: E, 2: 3}),
                    ("tuple<int, text>", (E, "a")), ("frozen<list<bigint>>", [1, E])):
        t = T.parse_type(name)
        value = t.validate(v)
        assert t.deserialize(t.serialize(value)) == value
        assert t.from_comparable(t.to_comparable(value))[0] == value
    # a byte string element is a serialized value too
    assert T.parse_type("list<int>").validate([b"", b"\x00\x00\x00\x02"]) == [E, 2]
    # in a frozen list, EMPTY sorts before every value and after the end of a shorter list
    t = T.parse_type("frozen<list<int>>")
    keys = sorted(t.to_comparable(x) for x in ([0], [E, 1], [], [E]))
    assert [t.from_comparable(k)[0] for k in keys] == [[], [E], [E, 1], [0]]


def test_empty_value_in_clustering_order():
    """In a clustering, EMPTY sorts first (ASC) or last (DESC) and decodes back."""
    from cql.types.comparable import decode_clustering, encode_clustering
    for desc in (False, True):
        keys = sorted(encode_clustering([T.INT, T.TEXT], [v, "x"], [desc, False])
                      for v in (7, T.EMPTY, -3, None))
        values = [decode_clustering([T.INT, T.TEXT], k, [desc, False])[0] for k in keys]
        assert values == ([7, -3, None, T.EMPTY] if desc else [T.EMPTY, None, -3, 7])


def test_declaration_rules():
    from cql.types.rules import (
        check_declared_type,
        check_non_frozen_udt_column,
        check_udt_field_type,
    )

    udt = T.UserType("ks", "u", ["a"], [T.INT])
    lookup = {"u": udt}.get
    bad = {
        "set<set<int>>": "Non-frozen collections are not allowed inside collections: "
                         "set<set<int>>",
        "list<u>": "Non-frozen UDTs are not allowed inside collections: list<u>",
        "list<counter>": "Counters are not allowed inside collections: list<counter>",
        "set<duration>": "Durations are not allowed inside sets: set<duration>",
        "map<duration, int>": "Durations are not allowed as map keys: map<duration, int>",
        "tuple<int, counter>": "Counters are not allowed inside tuples",
    }
    for text, message in bad.items():
        with pytest.raises(InvalidRequest) as e:
            check_declared_type(T.parse_type(text, lookup))
        assert str(e.value) == message
    for ok in ["list<frozen<u>>", "map<int, duration>", "frozen<set<frozen<list<int>>>>", "u"]:
        check_declared_type(T.parse_type(ok, lookup))
    with pytest.raises(InvalidRequest, match="A user type cannot contain non-frozen UDTs"):
        check_udt_field_type(udt)
    with pytest.raises(InvalidRequest, match="A user type cannot contain counters"):
        check_udt_field_type(T.COUNTER)
    with pytest.raises(InvalidRequest, match="Non-frozen UDTs with nested non-frozen"):
        check_non_frozen_udt_column(T.UserType("ks", "v", ["l"], [T.parse_type("list<int>")]))
