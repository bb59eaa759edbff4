"""Value and layout formatting against cqlsh's documented outputs."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import tabulate
from hypothesis import given
from hypothesis import strategies as st

from cassalite.shell.formatting import (
    Cell,
    FormatSettings,
    columnize,
    display_width,
    format_cell,
    format_column_name,
    format_value,
    table_lines,
    vertical_lines,
)
from cql.types import (
    BLOB,
    BOOLEAN,
    DECIMAL,
    DOUBLE,
    DURATION,
    FLOAT,
    INT,
    TEXT,
    TIME,
    TIMESTAMP,
    Duration,
    ListType,
    MapType,
    SetType,
    Time,
    TupleType,
    UserType,
)

PLAIN = FormatSettings()
COLOR = FormatSettings(color=True)


def fmt(value, t, settings=PLAIN):
    return format_value(value, t, settings).plain


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, "1"), (-2.1, "-2.1"), (3.14159, "3.14159"), (-1004.1, "-1004.1"), (0.1, "0.1"),
    (-0.0001, "-0.0001"), (100000.0, "1e+05"), (1e7, "1e+07"), (123456.789, "1.2346e+05"),
    (1e20, "1e+20"), (0.0, "0"), (0.05, "0.05"), (float("nan"), "NaN"),
    (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
])
def test_floats(value, expected):
    assert fmt(value, DOUBLE) == expected


def test_float_precision_setting():
    assert fmt(3.14159265, DOUBLE, FormatSettings(double_precision=10)) == "3.14159265"
    assert fmt(3.14159265, FLOAT, FormatSettings(double_precision=10)) == "3.14159"


@pytest.mark.parametrize(("value", "expected"), [
    ("newline:\n", "newline:\\n"), ("return\rand null\x00!", "return\\rand null\\x00!"),
    ("I'm newb", "I'm newb"), ("back\\slash", "back\\\\slash"), ("\x7f\xa0é", "\\x7f\\xa0é"),
])
def test_text_escaping(value, expected):
    assert fmt(value, TEXT) == expected


def test_scalars():
    assert fmt(b"\x00\x01\xff", BLOB) == "0x0001ff"
    assert fmt(b"", BLOB) == "0x"
    assert fmt(True, BOOLEAN) == "True"
    assert fmt(Decimal("1E-14"), DECIMAL) == "1E-14"
    assert fmt(Decimal("10.0000000000000"), DECIMAL) == "10.0000000000000"
    assert fmt(Duration(0, 0, 45030250000000), DURATION) == "12h30m30s250ms"
    assert fmt(Duration(1, 2, 3_000_000_000), DURATION) == "1mo2d3s"
    assert fmt(Time(3723000000123), TIME) == "01:02:03.000000123"
    assert fmt(None, INT) == "null"


def test_empty_values_show_as_nothing():
    # cqlsh (dtest test_int_values / CASSANDRA-7196): blobAsInt(0x), blobAsBigint(0x)... print
    # as blank cells, not as null
    from cql import EMPTY
    for t in (INT, DOUBLE, BOOLEAN, TIMESTAMP, DECIMAL):
        assert fmt(EMPTY, t) == ""
    assert format_value(EMPTY, INT, COLOR).width == 0


def test_timestamps_and_zones():
    ts = datetime.datetime(2012, 5, 14, 12, 53, 20)
    assert fmt(ts, TIMESTAMP) == "2012-05-14 12:53:20.000000+0000"
    sp = FormatSettings(timezone=zoneinfo.ZoneInfo("America/Sao_Paulo"))
    assert fmt(ts, TIMESTAMP, sp) == "2012-05-14 09:53:20.000000-0300"
    assert fmt(253402300800000 * 10, TIMESTAMP) == "2534023008000000"
    assert fmt([ts], ListType(TIMESTAMP)) == "['2012-05-14 12:53:20.000000+0000']"


def test_collections_quote_and_sort():
    assert fmt(["a", "I'm newb"], ListType(TEXT)) == "['a', 'I''m newb']"
    assert fmt({"b": 2, "a": 1}, MapType(TEXT, INT)) == "{'a': 1, 'b': 2}"
    assert fmt([], ListType(INT)) == "[]"
    # a null tuple element goes through the element type's formatter in cqlsh: most print
    # None ('None' quoted for timestamp and inet), the others fail (see format_cell)
    assert fmt((1, "x", None), TupleType([INT, TEXT, INT])) == "(1, 'x', None)"
    assert fmt((None, None), TupleType([TEXT, TIMESTAMP])) == "(None, 'None')"


def test_values_cqlsh_cannot_format_show_their_repr_and_an_error():
    errors: list[str] = []
    cell = format_cell((1, None), TupleType([INT, DOUBLE]), PLAIN, errors)
    assert (cell.plain, cell.width) == ("(1, None)", 9)
    assert errors == ["Failed to format value (1, None) : must be real number, not NoneType"]
    cell = format_cell((1, None), TupleType([INT, ListType(INT)]), COLOR, errors)
    assert cell.colored == "\x1b[0;1;31m(1, None)\x1b[0m"
    assert errors[1] == "Failed to format value (1, None) : object of type 'NoneType' has no len()"
    udt = UserType("ks", "address", ["city", "zip"], [TEXT, INT])
    value = udt.value_class("Austin", None)
    assert fmt(value, udt) == "{city: 'Austin', zip: null}"
    assert fmt({1, 2}, SetType(INT)) == "{1, 2}"


def test_colors():
    cell = format_value("a\\b\n", TEXT, COLOR)
    assert cell.plain == "a\\\\b\\n"
    assert cell.colored == "\x1b[0;1;33ma\\b\x1b[0;35m\\n\x1b[0;1;33m\x1b[0m"
    assert cell.width == 5  # the doubled backslash shows single in colour
    assert format_value(None, INT, COLOR).colored == "\x1b[0;1;31mnull\x1b[0m"
    coll = format_value([1], ListType(INT), COLOR)
    assert coll.colored == "\x1b[0;1;34m[\x1b[0m\x1b[0;1;32m1\x1b[0m\x1b[0;1;34m]\x1b[0m"
    assert format_value([], ListType(INT), COLOR).width == 0  # cqlsh's width quirk
    assert format_column_name("k", "partition_key", COLOR).colored.startswith("\x1b[0;1;31m")
    assert format_column_name("c", "clustering", COLOR).colored.startswith("\x1b[0;1;36m")
    assert format_column_name("s", "static", COLOR).colored.startswith("\x1b[0;1;37m")
    assert format_column_name("v", "regular", COLOR).colored.startswith("\x1b[0;1;35m")


def test_table_layout():
    names = [Cell("a"), Cell("b")]
    rows = [[Cell("1"), Cell("1")], [Cell("13"), Cell("13")], [Cell("2"), Cell("2")]]
    assert table_lines(names, rows, color=False) == [
        " a  | b", "----+----", "  1 |  1", " 13 | 13", "  2 |  2"]
    assert table_lines(names, None, color=False) == [" a | b", "---+---", ""]
    assert table_lines(names, rows[:1], color=False, tty=True)[-1] == ""


def test_table_header_wider_than_values():
    names = [Cell("long_name"), Cell("b")]
    assert table_lines(names, [[Cell("1"), Cell("xy")]], color=False) == [
        " long_name | b", "-----------+----", "         1 | xy"]


def test_table_values_wider_than_header():
    names = [Cell("a"), Cell("b")]
    rows = [[Cell("12345"), Cell("x")], [Cell("1"), Cell("yyy")]]
    assert table_lines(names, rows, color=False) == [
        " a     | b", "-------+-----", " 12345 |   x", "     1 | yyy"]


def test_table_wide_characters():
    names = [Cell("k"), format_column_name("名前", None, PLAIN)]
    rows = [[Cell("1"), format_value("テスト", TEXT, PLAIN)], [Cell("22"), Cell("a")]]
    assert table_lines(names, rows, color=False) == [
        " k  | 名前", "----+--------", "  1 | テスト", " 22 |      a"]


def test_table_keeps_spaces_in_values():
    # only the header line is right-stripped (cqlsh: ' ' + header.rstrip())
    names = [Cell("a"), Cell("b ")]
    rows = [[format_value(" x ", TEXT, PLAIN), format_value("y  ", TEXT, PLAIN)],
            [Cell("long"), Cell("long")]]
    assert table_lines(names, rows, color=False) == [
        " a    | b", "------+------", "   x  |  y  ", " long | long"]


def test_table_colored():
    names = [format_column_name("k", "partition_key", COLOR),
             format_column_name("v", "regular", COLOR)]
    rows = [[format_value(1, INT, COLOR), format_value("hello", TEXT, COLOR)],
            [format_value(None, INT, COLOR), format_value("a\\b", TEXT, COLOR)]]
    red, green, yellow, magenta, reset = (
        "\x1b[0;1;31m", "\x1b[0;1;32m", "\x1b[0;1;33m", "\x1b[0;1;35m", "\x1b[0m")
    assert table_lines(names, rows, color=True) == [
        f" {red}k{reset}    | {magenta}v{reset}",
        "------+-------",
        f"    {green}1{reset} | {yellow}hello{reset}",
        f" {red}null{reset} |   {yellow}a\\b{reset}",  # the doubled backslash shows single
    ]


def test_table_empty_collection_color_quirk():
    # cqlsh counts an empty collection as 0 columns, so its row runs 2 wider
    names = [format_column_name("l", None, COLOR), format_column_name("n", None, COLOR)]
    rows = [[format_value(v, ListType(INT), COLOR), format_value(n, INT, COLOR)]
            for v, n in (([], 7), ([1], 8))]
    blue, green, magenta, reset = "\x1b[0;1;34m", "\x1b[0;1;32m", "\x1b[0;1;35m", "\x1b[0m"
    assert table_lines(names, rows, color=True) == [
        f" {magenta}l{reset}   | {magenta}n{reset}",
        "-----+---",
        f"    {blue}[{reset}{blue}]{reset} | {green}7{reset}",
        f" {blue}[{reset}{green}1{reset}{blue}]{reset} | {green}8{reset}",
    ]
    # and without colour too (cqlsh's plain colormap goes through the same formula)
    plain = [[format_value([], ListType(INT), PLAIN), Cell("7")]]
    assert table_lines([Cell("l"), Cell("n")], plain, color=False) == [
        " l | n", "---+---", "  [] | 7"]


def test_table_later_pages_keep_header_widths():
    names = [Cell("long_header"), Cell("b")]
    rows = [[Cell("1"), Cell("2")]]
    assert table_lines(names, rows, color=False, with_header=False) == ["           1 | 2"]
    assert table_lines(names, rows, color=False, with_header=False, tty=True) == [
        "           1 | 2", ""]
    assert tabulate.MIN_PADDING == 2  # restored after rendering


def test_vertical_layout():
    lines = vertical_lines([Cell("id"), Cell("name")],
                           [[Cell("1"), Cell("x")], [Cell("2"), Cell("a much longer")]],
                           color=False)
    assert lines == ["@ Row 1", "------+---------------", " id   | 1", " name | x", "",
                     "@ Row 2", "------+---------------", " id   | 2", " name | a much longer",
                     ""]


def test_wide_characters():
    assert display_width("テスト") == 6
    cell = format_value("テスト", TEXT, PLAIN)
    assert cell.width == 6
    assert table_lines([Cell("t")], [[cell]], color=False) == [" t", "--------", " テスト"]


def test_columnize_like_cmd():
    assert columnize(["a", "b"], 80) == ["a  b"]
    assert columnize([], 80) == ["<empty>"]


@given(st.floats(min_value=-1e300, max_value=1e300))
def test_float_format_round_trips_approximately(x):
    text = fmt(x, DOUBLE)
    back = float(text)
    assert back == pytest.approx(x, rel=1e-4, abs=1e-4)


@given(st.text())
def test_text_has_no_raw_control_characters(s):
    out = fmt(s, TEXT)
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0xa0 for c in out)


def test_doubles_inside_collections_use_the_float_precision():
    settings = FormatSettings(float_precision=3, double_precision=10)
    assert format_value([1.23456789012345], ListType(DOUBLE), settings).plain == "[1.235]"
    assert format_value(1.23456789012345, DOUBLE, settings).plain == "1.2345678901"


def test_timestamps_carry_the_drivers_float_rounding():
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    far = [epoch + datetime.timedelta(milliseconds=ms) for ms in (-11676095999877,
                                                                  99999999999999)]
    assert [fmt(t, TIMESTAMP) for t in far] == [
        "1600-01-01 00:00:00.122999+0000", "5138-11-16 09:46:39.998993+0000"]
    assert fmt(epoch + datetime.timedelta(milliseconds=1500), TIMESTAMP) == \
        "1970-01-01 00:00:01.500000+0000"
