"""cqlsh's result output as pure functions of (column types, rows, settings).

Everything here is deterministic and terminal-free so it can be golden-tested: values become
:class:`Cell` objects (plain text, coloured text and display width, like cqlsh's
``FormattedValue``) and the table/vertical renderers turn cells into output lines.

The exact rules (right-aligned cells, ``%.5g``-with-adjustment floats, quoting inside
collections, colour display-width quirks) are cqlsh 6.2's; see docs/shell.md.
"""

from __future__ import annotations

import cmd
import contextlib
import datetime
import io
import math
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import tabulate
from wcwidth import wcswidth

from cql import EMPTY

# ANSI colours exactly as cqlsh writes them.
RED = "\033[0;1;31m"
GREEN = "\033[0;1;32m"
YELLOW = "\033[0;1;33m"
BLUE = "\033[0;1;34m"
MAGENTA = "\033[0;1;35m"
CYAN = "\033[0;1;36m"
WHITE = "\033[0;1;37m"
DARK_MAGENTA = "\033[0;35m"
RESET = "\033[0m"

VALUE_COLORS = {
    "text": YELLOW,
    "blob": DARK_MAGENTA,
    "number": GREEN,
    "collection": BLUE,
    "error": RED,
}

# Column-name colours by column kind (cqlsh: partition key red, clustering cyan, static white).
COLUMN_COLORS = {"partition_key": RED, "clustering": CYAN, "static": WHITE}
DEFAULT_COLUMN_COLOR = MAGENTA

DEFAULT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f%z"
UTC = datetime.UTC
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FormatSettings:
    """Display settings that change how a value is printed (cqlshrc [ui] and COPY options)."""

    color: bool = False
    float_precision: int = 5
    double_precision: int = 5
    time_format: str = DEFAULT_TIME_FORMAT
    timezone: datetime.tzinfo = UTC
    null: str = "null"
    # COPY TO extras
    milliseconds_only: bool = False
    boolean_styles: tuple[str, str] | None = None
    decimal_sep: str | None = None
    thousands_sep: str | None = None
    csv: bool = False  # top-level text unescaped (COPY TO writes raw text)


@dataclass
class Cell:
    """One formatted value: what is printed without and with colour, and its display width."""

    plain: str
    colored: str = ""
    width: int = -1
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.colored:
            self.colored = self.plain
        if self.width < 0:
            self.width = display_width(self.plain)

    def text(self, color: bool) -> str:
        return self.colored if color else self.plain

    def ljust(self, width: int, color: bool) -> str:
        return self.text(color) + " " * max(0, width - self.width)


def display_width(text: str) -> int:
    """Terminal columns taken by text (CJK counts 2); falls back to len for unprintables."""
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def _colored(text: str, color: str, settings: FormatSettings) -> Cell:
    if not settings.color:
        return Cell(text)
    return Cell(text, color + text + RESET, display_width(text))


# ---------------------------------------------------------------------------------------------
# text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\xa0]")
_ESCAPES = re.compile(r"\\([^uUx]|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8})")


def _show_control(m: re.Match) -> str:
    return repr(m.group(0))[1:-1]


def escape_text(value: str, quote: bool = False) -> str:
    """cqlsh's text escaping: backslashes doubled, control chars as Python escapes."""
    out = value.replace("\\", "\\\\")
    if quote:
        out = out.replace("'", "''")
    out = _CONTROL.sub(_show_control, out)
    return f"'{out}'" if quote else out


def _text_cell(bval: str, base_color: str, settings: FormatSettings) -> Cell:
    """Colour text the cqlsh way: escapes dark magenta, a literal backslash shown single."""
    width = display_width(bval)
    if not settings.color:
        return Cell(bval, bval, width)

    def repl(m: re.Match) -> str:
        if m.group(0) == "\\\\":
            return "\\"
        return DARK_MAGENTA + m.group(0) + base_color

    colored = base_color + _ESCAPES.sub(repl, bval) + RESET
    return Cell(bval, colored, width - bval.count("\\\\"))


def format_text(value: str, settings: FormatSettings, quote: bool = False) -> Cell:
    if settings.csv and not quote:
        return Cell(value)
    return _text_cell(escape_text(value, quote), YELLOW, settings)


# ---------------------------------------------------------------------------------------------
# numbers


def format_float(value: float, precision: int, settings: FormatSettings) -> str:
    """``%.*g`` where small-magnitude numbers keep ``precision`` significant decimals."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if settings.thousands_sep:
        frac, whole = math.modf(value)
        text = _thousands(whole, settings.thousands_sep)
        digits = ("%.*f" % (precision, math.fabs(frac)))[2:].rstrip("0")  # noqa: UP031
        if digits:
            text += (settings.decimal_sep or ".") + digits
        return text
    if abs(value) > sys.float_info.epsilon:
        exponent = int(math.log10(abs(value)))
    else:
        exponent = -sys.maxsize - 1
    if -4 <= exponent < precision:
        precision = precision + exponent + 1
    text = "%.*g" % (precision, value)  # noqa: UP031
    if settings.decimal_sep:
        text = text.replace(".", settings.decimal_sep)
    return text


def _thousands(value: float, sep: str) -> str:
    return f"{value:,.0f}".replace(",", sep)


# ---------------------------------------------------------------------------------------------
# dates and times


def format_timestamp(value: Any, settings: FormatSettings) -> str:
    """strftime in the display zone; an int (out of datetime's range) prints as-is (ms)."""
    if not isinstance(value, datetime.datetime):
        return str(value)
    dt = value if value.tzinfo else value.replace(tzinfo=UTC)
    # The driver cqlsh reads through rebuilds a timestamp from float seconds (ms / 1000.0),
    # which far from 1970 lands a microsecond off (.122999); print what cqlsh prints.
    ms = (dt - _EPOCH) // datetime.timedelta(milliseconds=1)
    try:
        dt = _EPOCH + datetime.timedelta(seconds=ms / 1000.0)
    except OverflowError:
        return str(ms)
    try:
        text = dt.astimezone(settings.timezone).strftime(settings.time_format)
    except (ValueError, OverflowError):
        return str(ms)
    if settings.milliseconds_only:
        text = round_microseconds(text)
    return text


_MICROS = re.compile(r"(.*)(?:\.(\d{1,6}))(.*)")


def round_microseconds(text: str) -> str:
    """COPY TO keeps milliseconds only (what Cassandra's timestamp parser accepts)."""
    m = _MICROS.match(text)
    if not m:
        return text
    millis = int(m.group(2)) * 10 ** (3 - len(m.group(2)))
    return "%s.%03d%s" % (m.group(1), millis, m.group(3) or "")  # noqa: UP031


def format_date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    days = getattr(value, "days", None)
    return str(days) if days is not None else str(value)


# ---------------------------------------------------------------------------------------------
# dispatch

_INTEGERS = frozenset(["int", "bigint", "smallint", "tinyint", "varint", "counter"])
_QUOTED_SCALARS = frozenset(["inet", "timestamp"])


def kind_of(cqltype: Any) -> str:
    """A formatter key for a CQLType: 'list', 'set', 'map', 'tuple', 'udt', 'vector' or the
    native type name."""
    if cqltype is None:
        return "unknown"
    if getattr(cqltype, "is_udt", False):
        return "udt"
    if getattr(cqltype, "is_tuple", False):
        return "tuple"
    if getattr(cqltype, "is_vector", False):
        return "vector"
    if getattr(cqltype, "is_collection", False):
        bare = cqltype.bare_name
        for prefix in ("list", "set", "map"):
            if bare.startswith(prefix + "<"):
                return prefix
    name = getattr(cqltype, "name", str(cqltype))
    return "text" if name in ("varchar", "ascii") else name


def subtypes(cqltype: Any) -> tuple:
    """The element/field types of a collection, tuple or UDT type (empty otherwise)."""
    return tuple(getattr(cqltype, "subtypes", ()) or ())


def _is_empty_value(value: Any) -> bool:
    """cql.EMPTY, or the driver's cassandra.cqltypes.EMPTY (support_empty_values)."""
    return value is EMPTY or type(value).__name__ == "EmptyValue"


def format_value(value: Any, cqltype: Any, settings: FormatSettings, quote: bool = False) -> Cell:
    """One value as cqlsh prints it (``quote`` is set for elements inside collections)."""
    if value is None:
        return _colored(settings.null, RED, settings)
    if _is_empty_value(value):
        return _colored("", YELLOW, settings)  # an empty int, uuid...: nothing, as cqlsh
    kind = kind_of(cqltype)
    if kind in ("list", "vector"):
        (elem,) = subtypes(cqltype)[:1] or (None,)
        return _sequence(value, [elem] * len(value), "[", "]", settings)
    if kind == "set":
        (elem,) = subtypes(cqltype)[:1] or (None,)
        return _sequence(value, [elem] * len(value), "{", "}", settings)
    if kind == "tuple":
        types = list(subtypes(cqltype))
        return _sequence(value, types + [None] * (len(value) - len(types)), "(", ")", settings)
    if kind == "map":
        return _map(value, cqltype, settings)
    if kind == "udt":
        return _udt(value, cqltype, settings)
    if kind == "text":
        return format_text(str(value), settings, quote)
    if kind == "blob":
        return _colored("0x" + bytes(value).hex(), DARK_MAGENTA, settings)
    if kind in _INTEGERS:
        if settings.thousands_sep:
            return _colored(_thousands(int(value), settings.thousands_sep), GREEN, settings)
        return _colored(str(int(value)), GREEN, settings)
    if kind in ("float", "double"):
        # cqlsh picks the double precision by the column's type only: doubles inside
        # collections, tuples and UDTs get the float precision
        precision = settings.double_precision if kind == "double" and not quote \
            else settings.float_precision
        return _colored(format_float(float(value), precision, settings), GREEN, settings)
    if kind == "decimal":
        if (settings.decimal_sep and settings.decimal_sep != ".") or settings.thousands_sep:
            text = format_float(float(value), settings.float_precision, settings)
        else:
            text = str(value)
        return _colored(text, GREEN, settings)
    if kind == "boolean":
        if settings.boolean_styles:
            text = settings.boolean_styles[0] if value else settings.boolean_styles[1]
        else:
            text = str(bool(value))
        return _colored(text, GREEN, settings)
    if kind == "timestamp":
        text = format_timestamp(value, settings)
        return _colored(f"'{text}'" if quote else text, GREEN, settings)
    if kind == "inet":
        text = str(value)
        return _colored(f"'{text}'" if quote else text, GREEN, settings)
    if kind == "date":
        return _colored(format_date(value), GREEN, settings)
    if kind in ("uuid", "timeuuid", "time", "duration"):
        return _colored(str(value), GREEN, settings)
    if isinstance(value, (bytes, bytearray)):
        return _colored("0x" + bytes(value).hex(), DARK_MAGENTA, settings)
    if isinstance(value, str):
        return format_text(value, settings, quote)
    if isinstance(value, bool):
        return _colored(str(value), GREEN, settings)
    if isinstance(value, (int, float, Decimal)):
        return _colored(str(value), GREEN, settings)
    return format_text(str(value), settings, quote)


class FormatError(Exception):
    """A value cqlsh's own formatter fails on; the shell shows its repr and reports it."""


# A null element of a tuple goes to the element type's formatter, which cqlsh did not write for
# None: these types print it as None (timestamp and inet quote it, as they quote values inside
# collections); the others raise, with these messages.
_NULL_ELEMENT_SHOWN = {"bigint", "boolean", "counter", "date", "decimal", "int", "smallint",
                       "time", "timeuuid", "tinyint", "uuid", "varint", "text", "vector"}
_NULL_ELEMENT_QUOTED = {"timestamp", "inet"}
_NULL_ELEMENT_ERRORS = {
    "ascii": "'NoneType' object has no attribute 'replace'",
    "blob": "'NoneType' object has no attribute 'hex'",
    "float": "must be real number, not NoneType",
    "double": "must be real number, not NoneType",
    "duration": "'NoneType' object has no attribute 'months'",
    "list": "object of type 'NoneType' has no len()",
    "set": "object of type 'NoneType' has no len()",
    "tuple": "object of type 'NoneType' has no len()",
    "map": "'NoneType' object has no attribute 'items'",
    "udt": "'NoneType' object has no attribute '_asdict'",
}


def _null_element(cqltype: Any, settings: FormatSettings) -> Cell:
    kind = kind_of(cqltype)
    if kind == "text" and getattr(cqltype, "name", "") == "ascii":
        kind = "ascii"
    if kind in _NULL_ELEMENT_ERRORS:
        raise FormatError(_NULL_ELEMENT_ERRORS[kind])
    if kind in _NULL_ELEMENT_QUOTED:
        return _colored("'None'", GREEN, settings)
    # text reaches cqlsh as varchar, which has no formatter of its own: the default one, in
    # the text colour
    return _colored("None", YELLOW if kind == "text" else GREEN, settings)


def _sequence(values: Iterable, types: Sequence, left: str, right: str,
              settings: FormatSettings) -> Cell:
    subs = [format_value(v, t, settings, quote=True) if v is not None or left != "("
            else _null_element(t, settings) for v, t in zip(values, types)]
    plain = left + ", ".join(s.plain for s in subs) + right
    # cqlsh's width formula, with and without colour: an empty collection counts 0
    width = 2 * len(subs) + sum(s.width for s in subs)
    if not settings.color:
        return Cell(plain, plain, width)
    lb, sep, rb = (BLUE + s + RESET for s in (left, ", ", right))
    colored = lb + sep.join(s.colored for s in subs) + rb
    return Cell(plain, colored, width)


def _pairs_cell(subs: list[tuple[Cell, Cell]], settings: FormatSettings) -> Cell:
    plain = "{" + ", ".join(k.plain + ": " + v.plain for k, v in subs) + "}"
    width = 4 * len(subs) + sum(k.width + v.width for k, v in subs)
    if not settings.color:
        return Cell(plain, plain, width)
    lb, comma, colon, rb = (BLUE + s + RESET for s in ("{", ", ", ": ", "}"))
    colored = lb + comma.join(k.colored + colon + v.colored for k, v in subs) + rb
    return Cell(plain, colored, width)


def _map(value: Any, cqltype: Any, settings: FormatSettings) -> Cell:
    types = subtypes(cqltype) or (None, None)
    items = list(value.items())
    try:
        items.sort(key=lambda kv: kv[0])
    except TypeError:
        pass
    subs = [(format_value(k, types[0], settings, True), format_value(v, types[1], settings, True))
            for k, v in items]
    return _pairs_cell(subs, settings)


def _udt(value: Any, cqltype: Any, settings: FormatSettings) -> Cell:
    names = list(getattr(cqltype, "field_names", ()))
    types = list(subtypes(cqltype))
    subs = []
    for i, name in enumerate(names):
        v = value[i] if i < len(value) else None
        subs.append((format_text(name, settings), format_value(v, types[i], settings, True)))
    return _pairs_cell(subs, settings)


def format_column_name(name: str, kind: str | None, settings: FormatSettings) -> Cell:
    """A header cell, coloured by column kind (partition_key, clustering, static, regular)."""
    return _text_cell(escape_text(name), COLUMN_COLORS.get(kind or "", DEFAULT_COLUMN_COLOR),
                      settings)


# ---------------------------------------------------------------------------------------------
# layouts


def format_cell(value: Any, cqltype: Any, settings: FormatSettings,
                errors: list[str] | None = None) -> Cell:
    """A top-level value; one cqlsh cannot format shows as its repr (red in colour), and the
    message cqlsh prints after the row count goes to ``errors``."""
    try:
        return format_value(value, cqltype, settings)
    except FormatError as e:
        if errors is not None:
            errors.append(f"Failed to format value {value!r} : {e}")
        return _colored(repr(value), RED, settings)


def format_rows(column_types: Sequence, rows: Iterable[Sequence], settings: FormatSettings,
                errors: list[str] | None = None) -> list[list[Cell]]:
    return [[format_cell(v, t, settings, errors) for v, t in zip(row, column_types)]
            for row in rows]


# The table is drawn by tabulate in a format that reproduces cqlsh's layout: no outer lines or
# padding, " | " between cells, a "-+-" rule under the header. The rows are functions because a
# DataRow is right-stripped by tabulate, while cqlsh strips only the header line (a right-aligned
# value may end in spaces).
_RULE = tabulate.Line("-", "-", "-+-", "-")

# A cell whose cqlsh width is not the width tabulate measures goes to tabulate as a stand-in: an
# escape sequence tabulate does not count (an index, final byte "X", which no formatted value
# contains) and cqlsh's width in "#", swapped for the real text when the row is joined. A
# stand-in is always followed by padding, " | " or the end of the line, so "#*" takes just it.
_STAND_IN = re.compile(r"\033\[(\d+)X#*")
# What tabulate strips before measuring, as far as our cells go: the colour codes.
_ANSI = re.compile(r"\033\[[0-9;]*m")
_MIN_PADDING_LOCK = threading.Lock()


@contextlib.contextmanager
def _no_header_padding():
    """tabulate makes every column its header's width plus ``tabulate.MIN_PADDING`` (2) in all
    formats but its own "pretty", with no parameter to turn that off; cqlsh's column width is
    max(header, values). The lock keeps the save/restore intact if two threads render at once."""
    with _MIN_PADDING_LOCK:
        saved = tabulate.MIN_PADDING
        tabulate.MIN_PADDING = 0
        try:
            yield
        finally:
            tabulate.MIN_PADDING = saved


def table_lines(names: Sequence[Cell], rows: Sequence[Sequence[Cell]] | None, *,
                color: bool, with_header: bool = True, tty: bool = False) -> list[str]:
    """One page in cqlsh's tabular layout (without the leading blank line and footer).

    ``rows is None`` means an empty result: header, rule, then one empty line. Later pages
    (``with_header=False``) keep the header's widths but print no header or rule.

    The table is rendered by tabulate, which measures display widths itself (escape codes
    ignored, CJK counting 2). Where that differs from the cell's cqlsh width -- in colour an
    empty collection counts 0 columns, cqlsh's quirk -- the cell is handed to tabulate as a
    stand-in of the cqlsh width and swapped back when its row is joined, so the output stays
    cqlsh's byte for byte.
    """
    originals: list[str] = []

    def text(cell: Cell) -> str:
        value = cell.text(color)
        if cell.width == wcswidth(_ANSI.sub("", value) if color else value):
            return value
        originals.append(value)
        return f"\033[{len(originals) - 1}X" + "#" * cell.width

    def restore(line: str) -> str:
        return _STAND_IN.sub(lambda m: originals[int(m.group(1))], line) if originals else line

    def header_row(cells: list[str], widths: list[int], aligns: list[str]) -> str:
        return " " + restore(" | ".join(cells)).rstrip()

    def data_row(cells: list[str], widths: list[int], aligns: list[str]) -> str:
        return " " + restore(" | ".join(cells))

    headers = [text(n) for n in names]
    body = [[text(c) for c in row] for row in rows or ()]
    fmt = tabulate.TableFormat(lineabove=None, linebelowheader=_RULE, linebetweenrows=None,
                               linebelow=None, headerrow=header_row, datarow=data_row,
                               padding=0, with_header_hide=None)
    with _no_header_padding():
        table = tabulate.tabulate(body, headers, tablefmt=fmt, disable_numparse=True,
                                  preserve_whitespace=True, colalign=("right",) * len(names),
                                  headersalign=("left",) * len(names))
    lines = table.split("\n")
    if rows is None:
        return lines + [""]
    if not with_header:
        lines = lines[2:]
    if tty:
        lines.append("")
    return lines


def vertical_lines(names: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, color: bool,
                   offset: int = 0) -> list[str]:
    """EXPAND ON layout: one ``@ Row n`` block per row, numbering continuing from offset."""
    name_w = max((n.width for n in names), default=0)
    value_w = max((c.width for row in rows for c in row), default=0)
    lines = []
    for i, row in enumerate(rows):
        lines.append(f"@ Row {offset + i + 1}")
        lines.append("-" + "-+-".join(["-" * name_w, "-" * value_w]) + "-")
        for name, cell in zip(names, row):
            lines.append(" " + " | ".join([name.ljust(name_w, color), cell.text(color)]))
        lines.append("")
    return lines


def columnize(items: Sequence[str], width: int = 80) -> list[str]:
    """Python's cmd.Cmd.columnize (column-major, two spaces apart), as lines."""
    out = io.StringIO()
    cmd.Cmd(stdout=out).columnize(list(items), width)
    return out.getvalue().split("\n")[:-1]
