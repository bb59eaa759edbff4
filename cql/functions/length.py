"""length and octet_length (trunk; Cassandra's LengthFcts)."""

from __future__ import annotations

from cql.types.native import (
    ASCII,
    BIGINT,
    BLOB,
    BOOLEAN,
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

from .base import Function
from .registry import _add

_OCTET_TYPES = (ASCII, BIGINT, BLOB, BOOLEAN, COUNTER, DATE, DECIMAL, DOUBLE, DURATION, FLOAT,
                INET, INT, SMALLINT, TEXT, TIME, TIMESTAMP, TIMEUUID, TINYINT, UUID, VARINT)


def _utf16_length(s: str) -> int:
    """Java's String.length(): UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def _register_length_functions() -> None:
    for t in _OCTET_TYPES:  # the size of the value's serialized form
        _add(Function("octet_length", (t,), INT, lambda v, t=t: len(t.serialize(v))))
    _add(Function("length", (TEXT,), INT, _utf16_length))
