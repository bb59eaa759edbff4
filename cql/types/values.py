"""Python value classes for CQL types that have no exact stdlib counterpart.

`Duration`, `Time` and `Date` follow the DataStax driver's shapes (so application code written
for the driver keeps working) but print the way Cassandra prints them. `OrderedSet` and
`OrderedMap` are what set and map columns read as: sorted containers in CQL order that print
like a plain set or dict. `FrozenSortedSet` and `FrozenSortedDict` are the hashable forms used
for collections nested inside set elements and map keys.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Self

from sortedcontainers import SortedDict, SortedSet

from cql.errors import InvalidRequest


class MarshalError(InvalidRequest, ValueError):
    """A value, literal or byte string does not fit its CQL type (Cassandra's MarshalException).

    It is an `InvalidRequest`, so the text reaches the client unchanged when nobody rewraps it,
    and a `ValueError` for plain-Python callers.
    """


class _Empty:
    """The type of `EMPTY`, Cassandra's *empty value* of a non-string type.

    CQL lets most types hold a zero-length value (native protocol length 0) that is not a
    null: the cell exists. Only the types whose ``accepts_empty`` is true (int, bigint,
    varint, float, double, decimal, boolean, uuid, timeuuid, inet, timestamp) have one; for
    text and blob the empty value is simply '' and b''. It comes from ``blobAsInt(0x)``,
    ``fromJson('""')`` / ``INSERT JSON '{"v": ""}'``, the string constant '' for inet and
    timestamp, a zero-length bound value (``b''`` bound to such a type in the embedded API).
    It serializes to b'', sorts before every other value, shows as ``""`` in JSON and as
    nothing in the shell, makes most functions return null, and a driver decodes it as None.
    """

    __slots__ = ()
    _instance: _Empty | None = None

    def __new__(cls) -> _Empty:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "EMPTY"

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()


# ----------------------------------------------------------------------------------------------
# Calendar arithmetic on the proleptic Gregorian calendar, for any year (Cassandra's date range
# is far wider than Python's 1..9999).

def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01 (any range)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return (y + (m <= 2), m, d)


def days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def java_year(y: int) -> str:
    """Year as java.time's ISO formatter prints it: 4 digits, '+' beyond 9999, '-' before 0."""
    if 0 <= y <= 9999:
        return f"{y:04d}"
    if y > 9999:
        return f"+{y}"
    return f"-{-y:04d}"


EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH_DATE.toordinal()
MIN_PY_DAYS = datetime.date.min.toordinal() - EPOCH_ORDINAL
MAX_PY_DAYS = datetime.date.max.toordinal() - EPOCH_ORDINAL


@dataclass(frozen=True, order=True)
class Date:
    """A CQL `date` outside Python's date range (years 1..9999): days since the epoch.

    Values inside the range are plain `datetime.date`; this class only appears for the rest.
    """

    days: int

    @property
    def days_from_epoch(self) -> int:  # the driver's attribute name
        return self.days

    def __str__(self) -> str:
        y, m, d = civil_from_days(self.days)
        return f"{java_year(y)}-{m:02d}-{d:02d}"

    def date(self) -> datetime.date:
        return EPOCH_DATE + datetime.timedelta(days=self.days)


def date_from_days(days: int) -> datetime.date | Date:
    """Canonical Python value for a day count: datetime.date when representable, else Date."""
    if MIN_PY_DAYS <= days <= MAX_PY_DAYS:
        return datetime.date.fromordinal(days + EPOCH_ORDINAL)
    return Date(days)


def days_of(value: datetime.date | Date) -> int:
    if isinstance(value, Date):
        return value.days
    return value.toordinal() - EPOCH_ORDINAL


NANOS_PER_DAY = 86_400_000_000_000


class Time(int):
    """A CQL `time`: nanoseconds since midnight. An int, printed as 'HH:MM:SS.nnnnnnnnn'."""

    __slots__ = ()

    def __new__(cls, nanos: int = 0) -> Self:
        return super().__new__(cls, nanos)

    @property
    def hour(self) -> int:
        return int(self) // 3_600_000_000_000

    @property
    def minute(self) -> int:
        return int(self) // 60_000_000_000 % 60

    @property
    def second(self) -> int:
        return int(self) // 1_000_000_000 % 60

    @property
    def nanosecond(self) -> int:
        return int(self) % 1_000_000_000

    def time(self) -> datetime.time:
        """As datetime.time (sub-microsecond digits dropped)."""
        return datetime.time(self.hour, self.minute, self.second, self.nanosecond // 1000)

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}.{self.nanosecond:09d}"

    def __repr__(self) -> str:
        return f"Time('{self}')"


NANOS_PER_MICRO = 1_000
NANOS_PER_MILLI = 1_000_000
NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND
NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Duration:
    """A CQL `duration`: months, days and nanoseconds kept apart (a month or a day has no fixed
    length). All three are >= 0 or all <= 0. str() is Cassandra's form ('1y2mo', '1h30m', '-5m')."""

    months: int = 0
    days: int = 0
    nanoseconds: int = 0

    def __str__(self) -> str:
        out = []
        if self.months < 0 or self.days < 0 or self.nanoseconds < 0:
            out.append("-")
        months = abs(self.months)
        if months >= 12:
            out.append(f"{months // 12}y")
            months %= 12
        if months:
            out.append(f"{months}mo")
        if self.days:
            out.append(f"{abs(self.days)}d")
        rest = abs(self.nanoseconds)
        for per, unit in ((NANOS_PER_HOUR, "h"), (NANOS_PER_MINUTE, "m"), (NANOS_PER_SECOND, "s"),
                          (NANOS_PER_MILLI, "ms"), (NANOS_PER_MICRO, "us"), (1, "ns")):
            if rest >= per:
                out.append(f"{rest // per}{unit}")
                rest %= per
        return "".join(out)

    @classmethod
    def from_string(cls, text: str) -> Duration:
        """Parse Cassandra's duration forms: '1h30m', ISO 8601 'P1Y2M3DT4H5M6S', 'P3W',
        'P0001-02-03T04:05:06'; a leading '-' negates."""
        return parse_duration(text)


_UNIT_INDEX = {"y": 1, "mo": 2, "w": 3, "d": 4, "h": 5, "m": 6, "s": 7, "ms": 8, "us": 9,
               "µs": 9, "ns": 10}
_UNIT_NAMES = {1: "years", 2: "months", 3: "weeks", 4: "days", 5: "hours", 6: "minutes",
               7: "seconds", 8: "milliseconds", 9: "microseconds", 10: "nanoseconds"}
# (field, multiplier) per unit index
_UNIT_SCALE = {1: ("months", 12), 2: ("months", 1), 3: ("days", 7), 4: ("days", 1),
               5: ("nanos", NANOS_PER_HOUR), 6: ("nanos", NANOS_PER_MINUTE),
               7: ("nanos", NANOS_PER_SECOND), 8: ("nanos", NANOS_PER_MILLI),
               9: ("nanos", NANOS_PER_MICRO), 10: ("nanos", 1)}

_STANDARD_RE = re.compile(r"(\d+)(mo|ms|us|µs|ns|y|w|d|h|s|m)", re.IGNORECASE)
_ISO_RE = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_ISO_WEEK_RE = re.compile(r"P(\d+)W")
_ISO_ALT_RE = re.compile(r"P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")


class _DurationBuilder:
    def __init__(self, negative: bool):
        self.negative = negative
        self.months = 0
        self.days = 0
        self.nanos = 0
        self.current = 0

    def add(self, index: int, number: int) -> None:
        if index == self.current:
            raise MarshalError(f"Invalid duration. The {_UNIT_NAMES[index]} are specified multiple times")
        if index <= self.current:
            raise MarshalError(f"Invalid duration. The {_UNIT_NAMES[self.current]} should be after "
                               f"{_UNIT_NAMES[index]}")
        self.current = index
        field, per = _UNIT_SCALE[index]
        if field == "months":
            if number > (INT32_MAX - self.months) // per:
                raise MarshalError("Invalid duration. The total number of months must be less or "
                                   f"equal to {INT32_MAX}")
            self.months += number * per
        elif field == "days":
            if number > (INT32_MAX - self.days) // per:
                raise MarshalError("Invalid duration. The total number of days must be less or "
                                   f"equal to {INT32_MAX}")
            self.days += number * per
        else:
            if number > (INT64_MAX - self.nanos) // per:
                raise MarshalError("Invalid duration. The total number of nanoseconds must be less "
                                   f"or equal to {INT32_MAX}")
            self.nanos += number * per

    def build(self) -> Duration:
        if self.negative:
            return Duration(-self.months, -self.days, -self.nanos)
        return Duration(self.months, self.days, self.nanos)


def parse_duration(text: str) -> Duration:
    negative = text.startswith("-")
    source = text[1:] if negative else text
    b = _DurationBuilder(negative)
    bad = MarshalError(f"Unable to convert '{source}' to a duration")
    if source.startswith("P"):
        if source.endswith("W"):
            m = _ISO_WEEK_RE.fullmatch(source)
            if not m:
                raise bad
            b.add(3, int(m.group(1)))
        elif "-" in source:
            m = _ISO_ALT_RE.fullmatch(source)
            if not m:
                raise bad
            for index, group in zip((1, 2, 4, 5, 6, 7), m.groups()):
                b.add(index, int(group))
        else:
            m = _ISO_RE.fullmatch(source)
            if not m:
                raise bad
            for index, group in zip((1, 2, 4, 5, 6, 7), m.groups()):
                if group is not None:
                    b.add(index, int(group))
        return b.build()
    pos = 0
    if not source:
        raise bad
    while pos < len(source):
        m = _STANDARD_RE.match(source, pos)
        if not m:
            raise bad
        b.add(_UNIT_INDEX[m.group(2).lower()], int(m.group(1)))
        pos = m.end()
    return b.build()


# ----------------------------------------------------------------------------------------------
# Collections in CQL order. The sortedcontainers reprs show the key function; these print
# like the set or dict they equal.

class OrderedSet(SortedSet):
    """A set column's value: a SortedSet in CQL order (equal to the same plain set)."""

    def __repr__(self) -> str:
        return "{" + ", ".join(map(repr, self)) + "}" if self else "set()"

    def __reduce__(self):
        # the key function belongs to a CQL type and does not pickle: copies are plain sets
        return (set, (list(self),))


class OrderedMap(SortedDict):
    """A map column's value: a SortedDict in CQL key order (equal to the same plain dict)."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"

    def __reduce__(self):
        # the key function belongs to a CQL type and does not pickle: copies are plain dicts
        return (dict, (list(self.items()),))


# Hashable collection forms (for collections nested inside set elements and map keys).

class FrozenSortedSet(frozenset):
    """A frozenset that iterates in CQL order. Equal to (and hashes like) the same set."""

    def __new__(cls, ordered: Iterable[Any] = ()) -> Self:
        items = tuple(ordered)
        obj = super().__new__(cls, items)
        obj._order = items
        return obj

    def __iter__(self) -> Iterator[Any]:
        return iter(self._order)

    def __repr__(self) -> str:
        return "{" + ", ".join(map(repr, self._order)) + "}"

    def __reduce__(self):
        return (FrozenSortedSet, (self._order,))


class FrozenSortedDict(Mapping):
    """A read-only mapping in CQL key order, hashable. Equal to a dict with the same items."""

    __slots__ = ("_dict", "_hash", "_items")

    def __init__(self, ordered_items: Iterable[tuple[Any, Any]] = ()):
        self._items = tuple(ordered_items)
        self._dict = dict(self._items)
        self._hash: int | None = None

    def __getitem__(self, key: Any) -> Any:
        return self._dict[key]

    def __iter__(self) -> Iterator[Any]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._dict == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items))
        return self._hash

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self._items) + "}"
