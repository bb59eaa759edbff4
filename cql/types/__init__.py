"""CQL types: one object per type, knowing values, bytes, order, literals and JSON.

Python values (the DataStax driver's choices where sensible):

==============================  =============================================================
CQL type                        Python value
==============================  =============================================================
tinyint smallint int bigint     int
counter varint                  int
float double                    float (float is rounded to float32)
decimal                         decimal.Decimal (validate() turns a float into Decimal(repr(f)))
text (varchar) ascii            str
blob                            bytes
boolean                         bool
uuid timeuuid                   uuid.UUID
inet                            str ('127.0.0.1', '::1'); ipaddress objects are accepted
timestamp                       naive datetime.datetime in UTC, millisecond precision; an int
                                (ms since the epoch) when outside datetime's range. validate()
                                also takes int ms, aware datetimes (converted to UTC), dates
                                and Cassandra's timestamp strings.
date                            datetime.date; `Date(days_since_epoch)` outside years 1..9999.
                                validate() takes an int as *signed days since the epoch* (the
                                driver's convention), while a CQL integer literal is Cassandra's
                                raw unsigned day number (epoch = 2**31).
time                            `Time`, an int of nanoseconds since midnight printed
                                'HH:MM:SS.nnnnnnnnn'; validate() takes datetime.time, int, str
duration                        `Duration(months, days, nanoseconds)`; str() is Cassandra's form
list / vector                   list
set                             sortedcontainers.SortedSet in CQL order (== a plain set)
map                             sortedcontainers.SortedDict in CQL key order (== a plain dict)
tuple                           tuple (missing trailing components are None)
user-defined type               an instance of a namedtuple class generated per UDT
                                (`UserType.value_class`); non-identifier field names become
                                positional (_0, _1...) but index access always works
==============================  =============================================================

Inside a set element or a map key, values must be hashable, so nested collections take
hashable forms everywhere there: list -> tuple, set -> `FrozenSortedSet` (a frozenset that
iterates in CQL order), map -> `FrozenSortedDict` (a read-only hashable Mapping in key order),
tuple/UDT components recursively hashable. Map *values* and list elements keep the mutable
forms.

Conventions: `validate(None)` and `serialize(None)` return None (null). The *empty value* of
the types with `accepts_empty` (numbers but smallint/tinyint, boolean, uuids, inet, timestamp)
is the singleton `EMPTY` (see its docstring): `deserialize(b'')` and `validate(b'')` return
it, `serialize(EMPTY)` is b''; smallint, tinyint, date, time and duration refuse b''. A byte
string given to `validate` is a serialized value, as on the wire (`validate(b) == deserialize(b)`). Errors are `MarshalError` (an `InvalidRequest` and a `ValueError`).

JSON: `to_json_text(value)` returns Cassandra's JSON text (use it for toJson()/SELECT JSON);
`to_json(value)` returns the same parsed into Python objects (decimals as Decimal);
`from_json(obj)` takes an already parsed JSON object (parse with parse_float=Decimal to keep
decimal precision) and applies Cassandra's fromJson rules and messages.

Type names are Cassandra 5.0's text (DESCRIBE / system_schema): 'list<int>',
'frozen<map<text, int>>', a tuple always as 'frozen<tuple<int, text>>' (`bare_name` gives
'tuple<int, text>'), 'vector<float, 3>', a UDT as its maybe-quoted bare name or
'frozen<name>'. Components of tuples and vectors are frozen. DDL rules on where types may
appear (non-frozen nesting, counters, durations) are in `cql.types.rules`.

Decimal byte-comparable encodings keep no scale (1.0 and 1.00 are one clustering value in
Cassandra too); decoding gives the shortest non-negative-scale form.
"""

from .base import CONSTANT_KINDS, CQLType
from .collections import InValuesType, ListType, MapType, SetType, TupleType, UserType, VectorType
from .comparable import (
    BOTTOM,
    NULL_SEP,
    NULL_SEP_DESC,
    SEP,
    TERMINATOR,
    TOP,
    clustering_bound,
    clustering_prefix,
    decode_clustering,
    deserialize_partition_key,
    encode_clustering,
    serialize_partition_key,
    split_partition_key,
)
from .native import (
    ASCII,
    BIGINT,
    BLOB,
    BOOLEAN,
    COUNTER,
    DATE,
    DECIMAL,
    DOUBLE,
    DURATION,
    EMPTY_TYPE,
    FLOAT,
    INET,
    INT,
    NATIVE_TYPES,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMEUUID,
    TINYINT,
    UUID,
    VARINT,
    format_timestamp_ms,
    native_type,
    parse_date_string,
    parse_time_string,
    parse_timestamp_string,
)
from .parsing import parse_type
from .values import (
    EMPTY,
    Date,
    Duration,
    FrozenSortedDict,
    FrozenSortedSet,
    MarshalError,
    Time,
)

__all__ = [
    "ASCII",
    "BIGINT",
    "BLOB",
    "BOOLEAN",
    "BOTTOM",
    "CONSTANT_KINDS",
    "COUNTER",
    "DATE",
    "DECIMAL",
    "DOUBLE",
    "DURATION",
    "EMPTY",
    "EMPTY_TYPE",
    "FLOAT",
    "INET",
    "INT",
    "NATIVE_TYPES",
    "NULL_SEP",
    "NULL_SEP_DESC",
    "SEP",
    "SMALLINT",
    "TERMINATOR",
    "TEXT",
    "TIME",
    "TIMESTAMP",
    "TIMEUUID",
    "TINYINT",
    "TOP",
    "UUID",
    "VARINT",
    "CQLType",
    "Date",
    "Duration",
    "FrozenSortedDict",
    "FrozenSortedSet",
    "InValuesType",
    "ListType",
    "MapType",
    "MarshalError",
    "SetType",
    "Time",
    "TupleType",
    "UserType",
    "VectorType",
    "clustering_bound",
    "clustering_prefix",
    "decode_clustering",
    "deserialize_partition_key",
    "encode_clustering",
    "format_timestamp_ms",
    "native_type",
    "parse_date_string",
    "parse_time_string",
    "parse_timestamp_string",
    "parse_type",
    "serialize_partition_key",
    "split_partition_key",
]


def is_list(ctype: CQLType) -> bool:
    """A list type (SetType derives from ListType, so isinstance alone cannot tell)."""
    return isinstance(ctype, ListType) and not isinstance(ctype, SetType)
