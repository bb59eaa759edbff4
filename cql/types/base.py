"""The CQLType base class and helpers shared by every type."""

from __future__ import annotations

import json
import math
import struct
from decimal import Decimal
from typing import Any

from .values import EMPTY, MarshalError

# Constant kinds as the parser reports them, and as Cassandra names them in messages.
CONSTANT_KINDS = ("string", "integer", "float", "boolean", "uuid", "hex", "duration")

def java_class_name(obj: Any) -> str:
    """The Java class Jackson would have produced for a parsed JSON value (for messages)."""
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "Boolean"
    if isinstance(obj, int):
        if -(2**31) <= obj < 2**31:
            return "Integer"
        return "Long" if -(2**63) <= obj < 2**63 else "BigInteger"
    if isinstance(obj, (float, Decimal)):  # JSON is parsed with Decimal floats to keep a
        return "Double"  # decimal's digits; Jackson's default reads every float as a Double
    if isinstance(obj, str):
        return "String"
    if isinstance(obj, (list, tuple)):
        return "ArrayList"
    if isinstance(obj, dict):
        return "LinkedHashMap"
    return type(obj).__name__


def java_repr(obj: Any) -> str:
    """Rough Java toString() of a parsed JSON value, for error messages."""
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, (float, Decimal)):  # a JSON float: Jackson's Double (see above)
        return java_float_str(float(obj))
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(java_repr(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{java_repr(k)}={java_repr(v)}" for k, v in obj.items()) + "}"
    return str(obj)


def json_quote(s: str) -> str:
    """A JSON string literal, non-ASCII characters kept as they are (like Jackson)."""
    return json.dumps(s, ensure_ascii=False)


_F32 = struct.Struct(">f")


def to_float32(v: float) -> float:
    """Round a Python float to the nearest float32 (too large -> +-inf, like Java's cast)."""
    try:
        return _F32.unpack(_F32.pack(v))[0]
    except OverflowError:
        return float("inf") if v > 0 else float("-inf")


def shortest_float32_repr(v: float) -> str:
    for p in range(1, 10):
        s = f"{v:.{p}g}"
        if to_float32(float(s)) == v:
            return s
    return repr(v)


def java_float_str(v: float, single: bool = False) -> str:
    """Java's Float/Double.toString: '1.0', '1.0E10', '1.0E-5', 'NaN', 'Infinity'."""
    if math.isnan(v):
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "-0.0" if str(v).startswith("-") else "0.0"
    text = shortest_float32_repr(v) if single else repr(v)
    sign, digits, exp = Decimal(text).as_tuple()
    ds = "".join(map(str, digits))  # no leading zeros for a non-zero value
    point = len(ds) + exp  # value = 0.ds * 10^point
    ds = ds.rstrip("0") or "0"
    a = abs(v)
    s = "-" if sign else ""
    if 1e-3 <= a < 1e7:
        if point <= 0:
            return f"{s}0.{'0' * -point}{ds}"
        if point >= len(ds):
            return f"{s}{ds}{'0' * (point - len(ds))}.0"
        return f"{s}{ds[:point]}.{ds[point:]}"
    frac = ds[1:] or "0"
    return f"{s}{ds[0]}.{frac}E{point - 1}"


class CQLType:
    """One CQL type. Instances are immutable; equality and hashing are structural.

    Values are the canonical Python values described in the package docstring. Subclasses
    implement the underscore methods, whose `h` flag asks for the hashable form of the value
    (used for set elements and map keys: list -> tuple, set -> FrozenSortedSet, map ->
    FrozenSortedDict).
    """

    name: str = ""
    type_id: int = 0x0000
    marshal_class: str = ""
    is_collection = False
    is_multicell = False
    is_counter = False
    is_udt = False
    is_tuple = False
    is_vector = False
    frozen = False
    comparable = True          # False for duration (and types that contain one)
    fixed_length: int | None = None
    constant_kinds: frozenset[str] = frozenset()
    # Whether a zero-length value is a value of this type (`EMPTY`; Cassandra's
    # isEmptyValueMeaningless): numbers but smallint/tinyint, boolean, uuids, inet, timestamp
    accepts_empty = False

    # -- identity ---------------------------------------------------------------------------
    def _key(self) -> tuple:
        return (type(self).__name__,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CQLType) and type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<CQLType {self.name}>"

    @property
    def subtypes(self) -> tuple[CQLType, ...]:
        return ()

    @property
    def bare_name(self) -> str:
        """The name without an outer frozen<> ('tuple<int, text>', 'list<int>', 'addr')."""
        return self.name

    @property
    def is_frozen_or_simple(self) -> bool:
        return not self.is_multicell

    def freeze(self) -> CQLType:
        """Frozen copy (recursive). Simple types are their own frozen form."""
        return self

    @property
    def references_duration(self) -> bool:
        return not self.comparable

    def references_udt(self, keyspace: str | None, name: str) -> bool:
        return any(t.references_udt(keyspace, name) for t in self.subtypes)

    # -- values ----------------------------------------------------------------------------
    def validate(self, value: Any) -> Any:
        """Canonical Python value for a bind/application value; MarshalError if it does not fit."""
        if value is None:
            return None
        if value is EMPTY:
            return self.deserialize(b"")
        if type(value) is bytes:
            # a byte string is the serialized value, as on the wire (a Java ByteBuffer): b'' is
            # EMPTY, '' or b'', else the type's error ('Expected 2 bytes for a smallint (0)')
            return self.deserialize(value)
        return self._val(value, False)

    def _val(self, value: Any, h: bool) -> Any:
        raise NotImplementedError

    def serialize(self, value: Any) -> bytes:
        """Native protocol v4 cell bytes of a (validated) value; None -> None (a null)."""
        raise NotImplementedError

    def deserialize(self, data: bytes) -> Any:
        """Value of cell bytes; MarshalError when malformed. Empty bytes are `EMPTY` for the
        types that accept one, '' / b'' for strings and blobs."""
        if data is None:
            return None
        if not data and self.accepts_empty:
            return EMPTY
        return self._des(bytes(data), False)

    def _des(self, data: bytes, h: bool) -> Any:
        raise NotImplementedError

    def _elem(self, value: Any, h: bool) -> Any:
        """An element of a collection, tuple or UDT given as `EMPTY` or a byte string (callers
        test for those first; `_val` takes the rest): what `validate` gives them."""
        return self._des_elem(b"" if value is EMPTY else value, h)

    def _des_elem(self, data: bytes, h: bool) -> Any:
        """An element's value from its bytes: `EMPTY` for a zero-length one if the type has it."""
        if not data and self.accepts_empty:
            return EMPTY
        return self._des(data, h)

    def _seq_comparable(self, value: Any) -> bytes:
        """An element's byte-comparable form inside a sequence (frozen collections, tuples):
        SEP + encoding, or EMPTY_SEP alone for `EMPTY`."""
        return b"\x3e" if value is EMPTY else b"\x40" + self.to_comparable(value)

    def to_comparable(self, value: Any) -> bytes:
        """Byte-comparable, prefix-free encoding: unsigned byte order == CQL order."""
        raise NotImplementedError

    def from_comparable(self, data: bytes, pos: int = 0,
                        hashable: bool = False) -> tuple[Any, int]:
        """``(value, next position)``; ``hashable`` gives nested collections their hashable
        forms (for a set element or a map key). Nothing left to read is `EMPTY` (alone, its
        encoding is b'': a set element's or map key's cell path)."""
        if pos == len(data) and self.accepts_empty:
            return EMPTY, pos
        return self._fcmp(data, pos, hashable)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        raise NotImplementedError

    def sort_key(self, value: Any) -> bytes:
        return self.to_comparable(value)

    # -- literals --------------------------------------------------------------------------
    def accepts_constant(self, kind: str) -> bool:
        """Whether a literal of this kind may be assigned (Constants.Literal.testAssignment)."""
        return kind in self.constant_kinds

    def from_constant(self, kind: str, text: str) -> Any:
        if not self.accepts_constant(kind):
            raise MarshalError(f"Invalid {kind.upper()} constant ({text}) for type {self.name}")
        if not text and kind == "string" and self.accepts_empty:
            return EMPTY  # inet and timestamp: Cassandra's fromString("") is the empty value
        return self._from_constant(kind, text)

    def _from_constant(self, kind: str, text: str) -> Any:
        raise NotImplementedError

    def to_cql_literal(self, value: Any) -> str:
        """A CQL literal that parses back to the same value."""
        if value is None:
            return "null"
        if value is EMPTY:
            return f"blobAs{self.name.capitalize()}(0x)"
        return self._literal(value)

    def _literal(self, value: Any) -> str:
        raise NotImplementedError

    # -- JSON ------------------------------------------------------------------------------
    def to_json_text(self, value: Any) -> str:
        """Cassandra's JSON text for a value (toJson() / SELECT JSON)."""
        if value is None:
            return "null"
        if value is EMPTY:
            return '""'
        return self._json(value)

    def _json(self, value: Any) -> str:
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """The same as a Python object (json.loads of to_json_text; decimals as Decimal)."""
        return json.loads(self.to_json_text(value), parse_float=Decimal)

    def from_json(self, obj: Any) -> Any:
        """Value from a parsed JSON object (fromJson() / INSERT JSON), Cassandra's messages."""
        if obj is None:
            return None
        if obj == "" and self.accepts_empty:  # each type's fromString("") is empty
            return EMPTY
        return self._from_json(obj, False)

    def _from_json(self, obj: Any, h: bool) -> Any:
        raise NotImplementedError

    # -- protocol --------------------------------------------------------------------------
    def protocol_option(self, protocol_version: int = 4) -> tuple:
        """[option] of result/prepared metadata: (type id, *params)."""
        return (self.type_id,)
