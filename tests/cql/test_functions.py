"""Built-in functions: resolution, exact values and Cassandra's messages."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

import cql.functions as F
from cql.errors import FunctionFailure, InvalidRequest
from cql.functions import LiteralArg as L
from cql.types.native import (
    ASCII,
    BIGINT,
    BLOB,
    COUNTER,
    DATE,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    INET,
    INT,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMEUUID,
    TINYINT,
    UUID,
    VARINT,
)
from cql.types.values import Duration, Time, date_from_days


def call(name: str, types: list, values: list, receiver=None):
    return F.resolve(name, types, receiver).execute(values)


def agg(name: str, t, values: list):
    fn = F.resolve(name, [t])
    s = fn.new_state()
    for v in values:
        s = fn.add(s, [v])
    return fn.result(s)


def raises(msg: str, exc: type = InvalidRequest):
    return pytest.raises(exc, match="^" + _escape(msg) + "$")


def _escape(s: str) -> str:
    import re

    return re.escape(s)


# -- resolution ------------------------------------------------------------------------------

def test_unknown_function_messages():
    with raises("Unknown function foo called"):
        F.resolve("foo", [])
    with raises("Unknown function 'foo'"):
        F.resolve("foo", [], context="selector")
    with raises("Unknown function ks.max called"):
        F.resolve("ks.max", [INT])
    # removed in 5.0
    for name in ("dateof", "unixtimestampof"):
        with raises(f"Unknown function {name} called"):
            F.resolve(name, [TIMEUUID])


def test_qualified_system_and_current_keyspace():
    assert F.resolve("system.max", [INT]).return_type is INT
    assert F.resolve("max", [INT], keyspace="ks").return_type is INT


def test_argument_count_and_type_errors():
    with raises("Invalid number of arguments in call to function system.blob_as_int: "
                "1 required but 2 provided"):
        F.resolve("blob_as_int", [BLOB, BLOB])
    with raises("Type error: k2 cannot be passed as argument 0 of function system.int_as_blob "
                "of type int"):
        F.resolve("int_as_blob", [UUID], arg_texts=["k2"])
    with raises("Type error: 'x' cannot be passed as argument 0 of function system.blob_as_int "
                "of type blob"):
        F.resolve("blob_as_int", [L("string", "x")])
    with raises("Invalid number of arguments for function system.max(any)"):
        F.resolve("max", [INT, INT])


def test_ambiguous_and_no_match():
    sigs = ("system.to_unix_timestamp : (timeuuid) -> bigint, "
            "system.to_unix_timestamp : (timestamp) -> bigint, "
            "system.to_unix_timestamp : (date) -> bigint")
    with raises(f"Ambiguous call to function to_unix_timestamp (can be matched by following "
                f"signatures: {sigs}): use type casts to disambiguate"):
        F.resolve("to_unix_timestamp", [None])
    with raises(f"Invalid call to function to_unix_timestamp, none of its type signatures match "
                f"(known type signatures: {sigs})"):
        F.resolve("to_unix_timestamp", [INT])
    with raises("Cannot infer type of argument ? in call to function system.max(any): "
                "use type casts to disambiguate"):
        F.resolve("max", [None])


def test_literal_overload_preference():
    # exact match on the literal's preferred type wins
    assert F.resolve("abs", [L("integer", "1")]).arg_types == (INT,)
    assert F.resolve("abs", [L("integer", "3000000000")]).arg_types == (BIGINT,)
    assert F.resolve("abs", [L("integer", "30000000000000000000")]).arg_types == (VARINT,)
    assert F.resolve("abs", [L("float", "1.5")]).arg_types == (DOUBLE,)
    assert F.resolve("to_date", [L("string", "2020-01-01")]).arg_types == (TIMESTAMP,)
    # a string also fits timestamp and date: to_unix_timestamp('...') is ambiguous
    with pytest.raises(InvalidRequest, match="Ambiguous call"):
        F.resolve("to_unix_timestamp", [L("string", "2020-01-01")])
    # type hint / known type resolves it
    assert F.resolve("to_unix_timestamp", [DATE]).arg_types == (DATE,)


def test_receiver_filters_overloads():
    assert F.resolve("blob_as_int", [None], receiver=INT).return_type is INT
    # 1 + 2 into a bigint: int + int is filtered out by the receiver, then (bigint, bigint)
    fn = F.arithmetic("+", L("integer", "1"), L("integer", "2"), receiver=BIGINT)
    assert fn.arg_types == (BIGINT, BIGINT) and fn.return_type is BIGINT


def test_helpers_for_planner():
    assert F.literal_type("integer") is INT
    assert F.literal_type("float") is DOUBLE
    assert F.literal_type("string") is TEXT
    assert F.is_aggregate_name("max") and F.is_aggregate_name("count")
    assert not F.is_aggregate_name("abs")
    assert F.function_exists("to_timestamp") and F.function_exists("totimestamp")
    assert not F.function_exists("dateof")


# -- column names ----------------------------------------------------------------------------

def test_column_names():
    assert F.column_name(F.resolve("max", [INT]), ["b"]) == "system.max(b)"
    assert F.column_name(F.count_rows(), []) == "count"
    assert F.column_name(F.resolve("count", [INT]), ["v"]) == "system.count(v)"
    assert F.column_name(F.arithmetic("+", INT, INT), ["a", "b"]) == "a + b"
    assert F.column_name(F.negate(INT), ["a"]) == "-a"
    assert F.column_name(F.cast_function(INT, TEXT), ["v"]) == "cast(v as text)"
    assert F.column_name(F.cast_function(INT, INT), ["c"]) == "c"
    assert F.column_name(F.resolve("totimestamp", [TIMEUUID]), ["system.now()"]) == \
        "system.totimestamp(system.now())"


# -- time functions --------------------------------------------------------------------------

TU = uuid.UUID("e2c3fa30-0a43-11e5-a1f0-0800200c9a66")  # 2015-06-03 22:57:18.824 UTC


def test_time_conversions():
    assert call("to_unix_timestamp", [TIMEUUID], [TU]) == 1433372238824
    assert call("tounixtimestamp", [TIMEUUID], [TU]) == 1433372238824
    assert call("to_timestamp", [TIMEUUID], [TU]) == \
        datetime.datetime(2015, 6, 3, 22, 57, 18, 824000)
    assert call("to_date", [TIMEUUID], [TU]) == datetime.date(2015, 6, 3)
    ts = datetime.datetime(2015, 6, 3, 22, 57, 18, 824000)
    assert call("to_date", [TIMESTAMP], [ts]) == datetime.date(2015, 6, 3)
    assert call("to_unix_timestamp", [TIMESTAMP], [ts]) == 1433372238824
    assert call("to_timestamp", [DATE], [datetime.date(2015, 6, 3)]) == \
        datetime.datetime(2015, 6, 3)
    assert call("to_unix_timestamp", [DATE], [datetime.date(1970, 1, 2)]) == 86400000
    assert call("to_date", [TIMESTAMP], [None]) is None
    # java.time truncation toward zero: -1 ms is still 1970-01-01
    assert call("to_date", [TIMESTAMP], [-1]) == datetime.date(1970, 1, 1)


def test_min_max_timeuuid():
    ms = 1356998700000  # 2013-01-01 00:05:00 UTC
    lo = call("min_timeuuid", [TIMESTAMP], [ms])
    hi = call("maxtimeuuid", [TIMESTAMP], [ms])
    assert str(lo) == "e23f1e00-53a6-11e2-8080-808080808080"
    assert str(hi) == "e23f450f-53a6-11e2-7f7f-7f7f7f7f7f7f"
    assert F.timeuuid_ms(lo) == ms and F.timeuuid_ms(hi) == ms
    assert hi.time - lo.time == 9999


def test_now_and_current():
    a = call("now", [], [])
    b = call("current_timeuuid", [], [])
    assert (a.int >> 76) & 0xF == 1 and (b.int >> 76) & 0xF == 1 and a != b
    assert F.timeuuid_ms(b) >= F.timeuuid_ms(a)
    assert a.time < b.time
    assert isinstance(call("currenttimestamp", [], []), datetime.datetime)
    assert isinstance(call("current_date", [], []), datetime.date)
    assert isinstance(call("current_time", [], []), Time)
    assert call("uuid", [], []).version == 4
    assert not F.resolve("now", []).is_deterministic


def test_floor():
    ts = datetime.datetime(2016, 10, 12, 10, 37, 41, 123000)
    d = Duration
    assert call("floor", [TIMESTAMP, DURATION], [ts, d(0, 0, 3600 * 10**9)]) == \
        datetime.datetime(2016, 10, 12, 10, 0)
    assert call("floor", [TIMESTAMP, DURATION], [ts, d(0, 1, 0)]) == \
        datetime.datetime(2016, 10, 12)
    assert call("floor", [TIMESTAMP, DURATION], [ts, d(2, 0, 0)]) == \
        datetime.datetime(2016, 9, 1)
    start = datetime.datetime(2016, 1, 1, 0, 20)
    assert call("floor", [TIMESTAMP, DURATION, TIMESTAMP],
                [ts, d(0, 0, 3600 * 10**9), start]) == datetime.datetime(2016, 10, 12, 10, 20)
    assert call("floor", [DATE, DURATION], [datetime.date(2016, 10, 12), d(0, 7, 0)]) == \
        datetime.date(2016, 10, 6)
    assert call("floor", [TIME, DURATION], [Time(10 * 3600 * 10**9 + 5), d(0, 0, 3600 * 10**9)]) \
        == Time(10 * 3600 * 10**9)
    assert call("floor", [TIMEUUID, DURATION], [TU, d(0, 1, 0)]) == datetime.datetime(2015, 6, 3)
    with raises("Negative durations are not supported by the floor function"):
        call("floor", [TIMESTAMP, DURATION], [ts, d(0, 0, -3600 * 10**9)])
    with raises("The floor cannot be computed for the 10us duration as precision is below 1 "
                "millisecond"):
        call("floor", [TIMESTAMP, DURATION], [ts, d(0, 0, 10_000)])
    with raises("The floor function starting time is greater than the provided time"):
        call("floor", [TIMESTAMP, DURATION, TIMESTAMP],
             [ts, d(0, 1, 0), datetime.datetime(2017, 1, 1)])
    with raises("The floor on date values cannot be computed for the 1h duration as precision "
                "is below 1 day"):
        call("floor", [DATE, DURATION], [datetime.date(2016, 1, 1), d(0, 0, 3600 * 10**9)])
    # monotonic only in its first argument once the others are fixed (Cassandra's
    # isPartialApplicationMonotonic): GROUP BY floor(t, 5m, t) is rejected
    floor = F.resolve("floor", [TIMESTAMP, DURATION])
    assert floor.is_partially_monotonic and not floor.is_monotonic
    assert F.resolve("to_date", [TIMESTAMP]).is_monotonic
    assert not F.resolve("abs", [INT]).is_monotonic


# -- blob conversions ------------------------------------------------------------------------

def test_blob_conversions():
    assert call("int_as_blob", [INT], [1]) == b"\x00\x00\x00\x01"
    assert call("intasblob", [INT], [-1]) == b"\xff\xff\xff\xff"
    assert call("blob_as_int", [BLOB], [b"\x00\x00\x01\x00"]) == 256
    assert call("blobasbigint", [BLOB], [b"\x00" * 7 + b"\x02"]) == 2
    assert call("text_as_blob", [TEXT], ["abc"]) == b"abc"
    assert call("varchar_as_blob", [TEXT], ["é"]) == "é".encode()
    assert call("blob_as_text", [BLOB], [b"abc"]) == "abc"
    assert call("blob_as_uuid", [BLOB], [TU.bytes]) == TU
    assert call("timeuuid_as_blob", [TIMEUUID], [TU]) == TU.bytes
    assert call("boolean_as_blob", [L("boolean", "true")], [True]) == b"\x01"
    # counterasblob takes a counter and bigintasblob a bigint, neither the other (cqlpy
    # test_counter.py::test_counter_to_blob, test_counter_to_blob2)
    assert F.resolve("counter_as_blob", [COUNTER]).arg_types == (COUNTER,)
    with raises("Type error: i cannot be passed as argument 0 of function "
                "system.counterasblob of type counter"):
        F.resolve("counterasblob", [BIGINT], arg_texts=["i"])
    assert call("blob_as_int", [BLOB], [None]) is None
    with raises("In call to function system.blob_as_int, value 0x0000000000000001 is not a "
                "valid binary representation for type int"):
        call("blob_as_int", [BLOB], [b"\x00" * 7 + b"\x01"])
    with raises("In call to function system.blobasint, value 0x01 is not a valid binary "
                "representation for type int"):
        call("blobasint", [BLOB], [b"\x01"])
    # a blob parameter accepts a value of any type (BytesType reads anything)
    assert F.resolve("blob_as_int", [INT]).arg_types == (BLOB,)


# -- arithmetic ------------------------------------------------------------------------------

@pytest.mark.parametrize("left,right,result", [
    (INT, BIGINT, BIGINT), (INT, FLOAT, FLOAT), (BIGINT, FLOAT, DOUBLE), (INT, DECIMAL, DECIMAL),
    (INT, VARINT, VARINT), (TINYINT, SMALLINT, SMALLINT), (TINYINT, TINYINT, TINYINT),
    (COUNTER, INT, BIGINT), (FLOAT, DOUBLE, DOUBLE), (VARINT, FLOAT, DECIMAL),
    (DOUBLE, DECIMAL, DECIMAL), (COUNTER, COUNTER, BIGINT),
])
def test_arithmetic_promotion(left, right, result):
    assert F.arithmetic("+", left, right).return_type is result
    assert F.arithmetic("%", right, left).return_type is result


def test_arithmetic_values():
    def op(o, lt, rt, a, b):
        return F.arithmetic(o, lt, rt).execute([a, b])

    assert op("+", INT, INT, 2**31 - 1, 1) == -(2**31)
    assert op("*", BIGINT, BIGINT, 2**62, 4) == 0
    assert op("+", TINYINT, TINYINT, 127, 1) == -128
    assert op("/", INT, INT, -7, 2) == -3
    assert op("%", INT, INT, -7, 2) == -1
    assert op("/", INT, INT, -(2**31), -1) == -(2**31)
    assert op("/", VARINT, VARINT, -7, 2) == -3
    assert op("+", INT, VARINT, 1, 10**30) == 10**30 + 1
    assert op("/", INT, DOUBLE, 1, 0.0) == float("inf")
    assert op("/", FLOAT, FLOAT, 1.0, 3.0) == pytest.approx(0.33333334, rel=1e-7)
    assert op("+", INT, FLOAT, 1, 0.5) == 1.5
    assert op("/", DECIMAL, DECIMAL, Decimal(10), Decimal(4)) == Decimal("2.5")
    assert str(op("/", DECIMAL, INT, Decimal(1), 3)) == "0." + "3" * 34  # DECIMAL128
    assert str(op("/", DECIMAL, INT, Decimal(100), 1)) == "100"  # no stripTrailingZeros
    assert str(op("+", DECIMAL, INT, Decimal("1.50"), 1)) == "2.50"
    assert str(op("+", DECIMAL, DOUBLE, Decimal(1), 0.1)) == "1.1"
    assert op("%", DECIMAL, DECIMAL, Decimal("-7.5"), Decimal(2)) == Decimal("-1.5")
    assert op("%", DOUBLE, DOUBLE, -7.5, 2.0) == -1.5
    assert op("%", DOUBLE, DOUBLE, 1.0, 0.0) != op("%", DOUBLE, DOUBLE, 1.0, 0.0)  # NaN
    assert op("*", FLOAT, FLOAT, 3.4e38, 10.0) == float("inf")
    assert op("-", INT, INT, None, 1) is None
    assert op("+", TEXT, TEXT, "a", "b") == "ab"
    assert F.arithmetic("+", ASCII, TEXT).return_type is TEXT
    assert F.arithmetic("+", ASCII, ASCII).return_type is ASCII


def test_arithmetic_errors():
    with raises("the operation 'int / int' failed: / by zero", FunctionFailure):
        F.arithmetic("/", INT, INT).execute([1, 0])
    with raises("the operation 'bigint % int' failed: / by zero", FunctionFailure):
        F.arithmetic("%", BIGINT, INT).execute([1, 0])
    with raises("the operation 'decimal / int' failed: Division by zero", FunctionFailure):
        F.arithmetic("/", DECIMAL, INT).execute([Decimal(1), 0])
    with raises("the operation 'varint / varint' failed: BigInteger divide by zero",
                FunctionFailure):
        F.arithmetic("/", VARINT, VARINT).execute([1, 0])
    with raises("the '+' operation is not supported between a and b"):
        F.arithmetic("+", UUID, INT, arg_texts=["a", "b"])
    with raises("Ambiguous '+' operation with args ? and 1: use type hint to disambiguate, "
                "example '(int) ?'"):
        F.arithmetic("+", None, L("integer", "1"), receiver=INT)


def test_arithmetic_literal_operands():
    assert F.arithmetic("+", INT, L("integer", "1")).arg_types == (INT, INT)
    assert F.arithmetic("+", TINYINT, L("integer", "1")).return_type is INT
    assert F.arithmetic("*", INT, L("float", "1.5")).return_type is DOUBLE


def test_temporal_arithmetic():
    ts = datetime.datetime(2016, 1, 31, 12)
    fn = F.arithmetic("+", TIMESTAMP, DURATION)
    assert fn.return_type is TIMESTAMP
    assert fn.execute([ts, Duration(1, 0, 0)]) == datetime.datetime(2016, 2, 29, 12)
    assert fn.execute([ts, Duration(0, 1, 3600 * 10**9)]) == datetime.datetime(2016, 2, 1, 13)
    # finer than the stored unit is rejected (OperationFctsTest.testOperationsWithDuration)
    with pytest.raises(FunctionFailure, match="millisecond precision. Was: 1ms500us"):
        F.arithmetic("-", TIMESTAMP, DURATION).execute([ts, Duration(0, 0, 1_500_000)])
    fd = F.arithmetic("-", DATE, DURATION)
    assert fd.return_type is DATE
    assert fd.execute([datetime.date(2016, 3, 31), Duration(1, 0, 0)]) == datetime.date(2016, 2, 29)


def test_negation():
    assert F.negate(INT).execute([5]) == -5
    assert F.negate(INT).execute([-(2**31)]) == -(2**31)
    assert F.negate(TINYINT).execute([-128]) == -128
    assert F.negate(DECIMAL).execute([Decimal("1.50")]) == Decimal("-1.50")
    assert F.negate(L("integer", "1")).return_type is INT
    assert F.negate(DOUBLE).execute([None]) is None


# -- casts -----------------------------------------------------------------------------------

def test_casts():
    def cast(src, dst, v):
        return F.cast_function(src, dst).execute([v])

    assert cast(FLOAT, TEXT, 1.0) == "1.0"
    assert cast(DOUBLE, TEXT, 1e10) == "1.0E10"
    assert cast(FLOAT, TEXT, 0.1) == "0.1" or cast(FLOAT, TEXT, 0.10000000149011612) == "0.1"
    assert cast(INT, TEXT, 5) == "5"
    assert cast(INT, ASCII, -5) == "-5"
    assert cast(INT, VARINT, 5) == 5
    assert cast(DOUBLE, INT, 3.99) == 3
    assert cast(DOUBLE, INT, -3.99) == -3
    assert cast(DOUBLE, INT, 1e20) == 2**31 - 1
    assert cast(DOUBLE, INT, float("nan")) == 0
    assert cast(BIGINT, INT, 2**32 + 7) == 7
    assert cast(INT, TINYINT, 300) == 44
    assert cast(DECIMAL, INT, Decimal("-2.7")) == -2
    assert cast(FLOAT, DECIMAL, 0.10000000149011612) == Decimal("0.1")
    assert cast(DOUBLE, DECIMAL, 0.1) == Decimal("0.1")
    assert cast(INT, DOUBLE, 3) == 3.0
    assert cast(VARINT, BIGINT, 2**64 + 1) == 1
    assert cast(TIMESTAMP, DATE, datetime.datetime(2015, 5, 21, 11, 3)) == datetime.date(2015, 5, 21)
    assert cast(DATE, TIMESTAMP, datetime.date(2015, 5, 21)) == datetime.datetime(2015, 5, 21)
    assert cast(TIMEUUID, TIMESTAMP, TU) == datetime.datetime(2015, 6, 3, 22, 57, 18, 824000)
    assert cast(TIMEUUID, DATE, TU) == datetime.date(2015, 6, 3)
    assert cast(TIMESTAMP, TEXT, datetime.datetime(2015, 5, 21, 11, 3, 2)) == \
        "2015-05-21T11:03:02.000Z"
    assert cast(DATE, TEXT, datetime.date(2015, 5, 21)) == "2015-05-21"
    assert cast(TIME, TEXT, Time(11 * 3600 * 10**9)) == "11:00:00.000000000"
    assert cast(BOOLEAN_T(), TEXT, True) == "true"
    assert cast(INET, TEXT, "::1") == "0:0:0:0:0:0:0:1"
    assert cast(UUID, TEXT, TU) == str(TU)
    assert cast(ASCII, TEXT, "x") == "x"
    assert cast(INT, INT, 7) == 7
    assert cast(SMALLINT, INT, None) is None
    assert F.cast_function(INT, BIGINT).name == "cast_as_bigint"
    with raises("v cannot be cast to int"):
        F.cast_function(TEXT, INT, "v")
    with raises("uuid cannot be cast to timestamp"):
        F.cast_function(UUID, TIMESTAMP)


def BOOLEAN_T():
    from cql.types.native import BOOLEAN

    return BOOLEAN


def test_cast_functions_by_name():
    assert call("cast_as_int", [DOUBLE], [2.5]) == 2
    assert call("castasint", [DOUBLE], [2.5]) == 2


# -- aggregates ------------------------------------------------------------------------------

def test_count():
    rows = F.count_rows()
    assert rows.is_aggregate and rows.return_type is BIGINT
    s = rows.new_state()
    for _ in range(3):
        s = rows.add(s, [])
    assert rows.result(s) == 3
    assert rows.result(rows.new_state()) == 0
    assert agg("count", INT, [1, None, 3]) == 2
    assert agg("count", TEXT, []) == 0
    assert F.resolve("count", [UUID]).return_type is BIGINT


def test_min_max():
    assert agg("max", INT, [3, None, -5, 7]) == 7
    assert agg("min", INT, [3, None, -5, 7]) == -5
    assert agg("max", TEXT, ["b", "a", "ab"]) == "b"
    assert agg("min", TIMEUUID, []) is None
    assert agg("max", DOUBLE, [1.0, float("nan")]) != agg("max", DOUBLE, [1.0, 2.0])
    lo = F.min_timeuuid(1000)
    hi = F.max_timeuuid(1000)
    assert agg("max", TIMEUUID, [hi, lo]) == hi
    assert F.resolve("max", [DATE]).return_type is DATE
    assert F.resolve("max", [L("string", "abc")]).return_type is TEXT
    assert F.resolve("max", [None], receiver=INT).return_type is INT


def test_sum_avg():
    assert agg("sum", INT, [2**31 - 1, 1]) == -(2**31)
    assert agg("sum", INT, [1, None, 2]) == 3
    assert agg("avg", INT, [1, 2]) == 1
    assert agg("avg", INT, [-1, -2]) == -1
    assert agg("avg", INT, [2**31 - 1, 2**31 - 1]) == 2**31 - 1  # no overflow in the average
    assert agg("sum", TINYINT, [100, 100]) == -56
    assert agg("avg", BIGINT, [2**62, 2**62, 2**62]) == 2**62
    assert agg("sum", VARINT, [10**30, 1]) == 10**30 + 1
    assert agg("avg", VARINT, [1, 2]) == 1
    assert agg("sum", DOUBLE, [0.1, 0.2]) == pytest.approx(0.3)
    assert agg("avg", FLOAT, [1.0, 2.0]) == 1.5
    assert agg("sum", DECIMAL, [Decimal("1.1"), Decimal("2.20")]) == Decimal("3.30")
    assert agg("avg", DECIMAL, [Decimal(1), Decimal(2)]) == Decimal(1)  # scale-0 HALF_EVEN
    assert agg("avg", DECIMAL, [Decimal("1.0"), Decimal("2.0")]) == Decimal("1.5")
    # running average: (2.0 - 1.5) / 2 is rounded to one decimal place (HALF_EVEN) -> 1.7
    assert agg("avg", DECIMAL, [Decimal("1.5"), Decimal("2.0")]) == Decimal("1.7")
    assert agg("sum", COUNTER, [5, 6]) == 11
    assert F.resolve("sum", [COUNTER]).return_type is COUNTER


def test_empty_aggregates():
    assert agg("sum", INT, []) == 0
    assert agg("avg", INT, []) == 0
    assert agg("sum", DOUBLE, []) == 0.0 and isinstance(agg("sum", DOUBLE, []), float)
    assert agg("avg", FLOAT, []) == 0.0
    assert agg("sum", DECIMAL, []) == Decimal(0)
    assert agg("avg", VARINT, []) == 0
    assert agg("max", INT, []) is None


def test_aggregate_type_errors():
    with pytest.raises(InvalidRequest, match="none of its type signatures match"):
        F.resolve("sum", [TEXT])
    with pytest.raises(InvalidRequest, match="Ambiguous call to function avg"):
        F.resolve("avg", [None])
    assert F.resolve("sum", [L("integer", "1")]).arg_types == (INT,)


def test_date_fixture_sanity():
    assert date_from_days(0) == datetime.date(1970, 1, 1)


# -- math ------------------------------------------------------------------------------------

def test_math_functions():
    assert call("abs", [INT], [-3]) == 3
    assert call("abs", [INT], [-(2**31)]) == -(2**31)  # Math.abs overflow
    assert call("abs", [DECIMAL], [Decimal("-1.50")]) == Decimal("1.50")
    assert call("exp", [INT], [1]) == 2
    assert call("exp", [INT], [100]) == 2**31 - 1  # (int) of a huge double saturates
    assert call("log", [INT], [0]) == -(2**31)
    assert call("log10", [DOUBLE], [1000.0]) == 3.0
    assert call("log", [DOUBLE], [-1.0]) != call("log", [DOUBLE], [-1.0])  # NaN
    assert call("round", [DOUBLE], [2.5]) == 3.0
    assert call("round", [DOUBLE], [-2.5]) == -2.0  # Math.round: floor(x + 0.5)
    assert call("round", [DECIMAL], [Decimal("-2.5")]) == Decimal(-3)  # HALF_UP
    assert call("round", [INT], [7]) == 7
    assert str(call("exp", [DECIMAL], [Decimal(1)])) == "2.7182818284590452353602874713527"
    assert call("log10", [VARINT], [1000]) == 3
    with raises("execution of 'system.log[decimal]' failed: Natural log of number zero or less",
                FunctionFailure):
        call("log", [DECIMAL], [Decimal(0)])
    assert call("abs", [L("integer", "-5")], [-5]) == 5
    with pytest.raises(InvalidRequest, match="^Ambiguous call to function abs"):
        F.resolve("abs", [None])


# -- collections -----------------------------------------------------------------------------

def test_collection_functions():
    import cql.types as T

    m = T.MapType(TEXT, INT, False)
    lst = T.ListType(INT, False)
    st = T.SetType(DOUBLE, True)
    keys = F.resolve("map_keys", [m])
    assert keys.return_type == T.SetType(TEXT, True)
    assert list(keys.execute([m.validate({"b": 1, "a": 2})])) == ["a", "b"]
    assert call("map_values", [m], [m.validate({"b": 1, "a": 2})]) == [2, 1]
    assert call("collection_count", [lst], [[1, 2, 3]]) == 3
    assert call("collection_count", [m], [None]) is None
    assert call("collection_min", [st], [st.validate([2.0, 1.5])]) == 1.5
    assert call("collection_max", [lst], [[3, 9, 1]]) == 9
    assert call("collection_max", [lst], [[]]) is None
    assert call("collection_sum", [lst], [[2**31 - 1, 1]]) == -(2**31)
    assert call("collection_sum", [st], [st.validate([1.5, 2.0])]) == 3.5
    assert call("collection_avg", [lst], [[1, 2]]) == 1
    assert call("collection_avg", [lst], [[]]) == 0
    literal = L("list", elements=(L("integer", "1"), L("integer", "2")))
    assert F.resolve("collection_avg", [literal]).arg_types == (T.ListType(INT, True),)
    with raises("Function system.map_keys requires a map argument, but found argument l of "
                "type list<int>"):
        F.resolve("map_keys", [lst], arg_texts=["l"])
    with raises("Function system.collection_sum requires a numeric set/list argument, but found "
                "argument l of type list<text>"):
        F.resolve("collection_sum", [T.ListType(TEXT, False)], arg_texts=["l"])
    with raises("Function system.collection_min requires a set or list argument, but found "
                "argument v of type int"):
        F.resolve("collection_min", [INT], arg_texts=["v"])
    with raises("Invalid number of arguments for function system.collection_count(collection)"):
        F.resolve("collection_count", [lst, lst])


# -- masking ---------------------------------------------------------------------------------

def test_masking_functions():
    import cql.types as T

    one, two = L("integer", "1"), L("integer", "2")
    assert call("mask_inner", [TEXT, one, two], ["abcdef", 1, 2]) == "a***ef"
    assert call("mask_outer", [TEXT, one, two, L("string", "#")], ["abcdef", 1, 2, "#"]) == \
        "#bcd##"
    assert call("mask_inner", [TEXT, one, two], ["ab", 1, 2]) == "ab"
    assert call("mask_outer", [TEXT, one, two], ["ab", 1, 2]) == "**"
    assert call("mask_inner", [ASCII, None, None], ["abc", None, None]) == "***"
    assert call("mask_inner", [TEXT, one, two], [None, 1, 2]) is None
    assert F.resolve("mask_inner", [ASCII, one, one]).return_type is ASCII
    with raises("The padding argument for function system.mask_inner should be "
                "single-character, but 'ab' has 2 characters."):
        call("mask_inner", [TEXT, one, two, L("string", "ab")], ["abcdef", 1, 2, "ab"])
    with raises("Function system.mask_inner requires an argument of type [text|varchar|ascii], "
                "but found argument v of type int"):
        F.resolve("mask_inner", [INT, one, two], arg_texts=["v", "1", "2"])
    with raises("Invalid number of arguments for function system.mask_inner("
                "[text|varchar|ascii], int, int, [text])"):
        F.resolve("mask_inner", [TEXT, one])
    assert call("mask_null", [INT], [5]) is None
    assert call("mask_default", [INT], [5]) == 0
    assert call("mask_default", [TEXT], [None]) == "****"
    assert call("mask_default", [DATE], ["x"]) == datetime.date(1970, 1, 1)
    assert len(call("mask_default", [T.MapType(TEXT, INT, False)], [{}])) == 0
    fn = F.resolve("mask_replace", [INT, L("integer", "0")])
    assert fn.arg_types == (INT, INT) and fn.execute([5, 0]) == 0
    assert call("mask_hash", [TEXT], ["abc"]).hex() == \
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert call("mask_hash", [INT, L("string", "MD5")], [1, "MD5"]) == \
        __import__("hashlib").md5(b"\x00\x00\x00\x01").digest()
    assert F.resolve("mask_hash", [INT]).return_type is BLOB
    with raises("Hash algorithm not found: foo"):
        call("mask_hash", [TEXT, L("string", "foo")], ["abc", "foo"])


# -- vectors ---------------------------------------------------------------------------------

def test_vector_similarity():
    import cql.types as T

    v2 = T.VectorType(FLOAT, 2)
    assert call("similarity_cosine", [v2, v2], [[1.0, 0.0], [0.0, 1.0]]) == 0.5
    assert call("similarity_cosine", [v2, v2], [[1.0, 2.0], [2.0, 4.0]]) == 1.0
    assert call("similarity_euclidean", [v2, v2], [[1.0, 2.0], [2.0, 3.0]]) == \
        pytest.approx(1 / 3)
    assert call("similarity_dot_product", [v2, v2], [[1.0, 0.0], [1.0, 0.0]]) == 1.0
    assert call("similarity_dot_product", [v2, v2], [None, [1.0, 0.0]]) is None
    lit = L("list", elements=(L("float", "1.0"), L("float", "2.0")))
    fn = F.resolve("similarity_cosine", [v2, lit])
    assert fn.arg_types == (v2, v2) and fn.return_type is FLOAT
    with raises("Function system.similarity_cosine doesn't support all-zero vectors."):
        call("similarity_cosine", [v2, v2], [[0.0, 0.0], [1.0, 0.0]])
    assert call("similarity_euclidean", [v2, v2], [[0.0, 0.0], [0.0, 0.0]]) == 1.0
    with raises("All arguments must have the same vector dimensions, but found "
                "vector<float, 2> and vector<float, 3>"):
        F.resolve("similarity_cosine", [v2, T.VectorType(FLOAT, 3)])
    with raises("Function system.similarity_cosine requires a float vector argument, but found "
                "argument v of type vector<int, 2>"):
        F.resolve("similarity_cosine", [T.VectorType(INT, 2), v2], arg_texts=["v", "w"])


# -- JSON ------------------------------------------------------------------------------------

def test_json_functions():
    import cql.types as T

    m = T.MapType(TEXT, INT, False)
    assert call("to_json", [m], [m.validate({"b": 1, "a": 2})]) == '{"a": 2, "b": 1}'
    assert call("tojson", [TIMESTAMP], [0]) == '"1970-01-01 00:00:00.000Z"'
    assert call("to_json", [INT], [None]) == "null"
    assert call("to_json", [L("integer", "3")], [3]) == "3"
    assert F.column_name(F.resolve("to_json", [INT]), ["v"]) == "system.to_json(v)"
    with raises("from_json() cannot be used in the selection clause of a SELECT statement"):
        F.resolve("from_json", [L("string", "1")])
    # the pre-5.0 names are factories of their own: messages name the function as called
    with raises("fromjson() cannot be used in the selection clause of a SELECT statement"):
        F.resolve("fromjson", [L("string", "1")])
    with raises("Cannot infer type of argument ? in call to function system.tojson(any): "
                "use type casts to disambiguate"):
        F.resolve("tojson", [None], receiver=TEXT, arg_texts=["?"])
    fn = F.resolve("from_json", [None], receiver=m)
    assert fn.return_type == m and fn.arg_types == (TEXT,)
    assert dict(fn.execute(['{"a": 1}'])) == {"a": 1}
    assert call("fromjson", [L("string", "null")], ["null"], receiver=INT) is None
    with raises("execution of 'system.fromjson[text]' failed: Unable to make int from 'abc'",
                FunctionFailure):
        call("fromjson", [None], ['"abc"'], receiver=INT)
    with pytest.raises(FunctionFailure, match="^execution of 'system.from_json\\[text\\]' "
                       "failed: Could not decode JSON string '\\{'"):
        call("from_json", [None], ["{"], receiver=INT)


# -- token -----------------------------------------------------------------------------------

def test_token():
    from cassalite.storage.murmur3 import token
    from cql.types.comparable import serialize_partition_key

    fn = F.resolve("token", [INT])
    assert fn.return_type is BIGINT and fn.execute([1]) == token(b"\x00\x00\x00\x01")
    both = F.token_function([INT, TEXT])
    assert both.execute([1, "a"]) == token(serialize_partition_key([INT, TEXT], [1, "a"]))
    assert F.column_name(fn, ["k"]) == "system.token(k)"
    with raises("Type error: k2 cannot be passed as argument 0 of function system.token of "
                "type uuid"):
        F.resolve("token", [INT], partition_key=[UUID], arg_texts=["k2"])
    with raises("Invalid number of arguments in call to function system.token: 2 required but "
                "1 provided"):
        F.resolve("token", [INT], partition_key=[INT, INT])
    assert F.resolve("token", [L("integer", "1")], partition_key=[BIGINT]).arg_types == (BIGINT,)
