"""The native CQL types (ascii ... varint, counter, duration)."""

from __future__ import annotations

import datetime
import ipaddress
import math
import operator
import re
import struct
import uuid
from decimal import Decimal, InvalidOperation
from numbers import Real
from typing import Any

from . import comparable as bc
from .base import (
    CQLType,
    java_class_name,
    java_float_str,
    java_repr,
    json_quote,
    shortest_float32_repr,
    to_float32,
)
from .values import (
    EMPTY,
    INT32_MAX,
    INT64_MAX,
    MAX_PY_DAYS,
    MIN_PY_DAYS,
    NANOS_PER_DAY,
    Date,
    Duration,
    MarshalError,
    Time,
    civil_from_days,
    date_from_days,
    days_from_civil,
    days_in_month,
    days_of,
    java_year,
    parse_duration,
)

_I8 = struct.Struct(">b")
_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")
_U32 = struct.Struct(">I")
_F32 = struct.Struct(">f")
_F64 = struct.Struct(">d")


def _expect_size(data: bytes, sizes: tuple[int, ...], what: str) -> None:
    if len(data) not in sizes:
        raise MarshalError(f"Expected {sizes[0]} or 0 byte {what} ({len(data)})")


def _bad_json(what: str, obj: Any) -> MarshalError:
    return MarshalError(f"Expected {what}, but got a {java_class_name(obj)}: {java_repr(obj)}")


# ----------------------------------------------------------------------------------------------
# Integers

class _IntegerType(CQLType):
    """tinyint, smallint, int, bigint and counter: fixed-width two's complement."""

    constant_kinds = frozenset({"integer"})

    def __init__(self, name: str, type_id: int, size: int, java: str, json_word: str,
                 marshal: str):
        self.name = name
        self.type_id = type_id
        self.size = size
        self.java = java
        self.json_word = json_word
        self.marshal_class = "org.apache.cassandra.db.marshal." + marshal
        self._struct = {1: _I8, 2: _I16, 4: _I32, 8: _I64}[size]
        self.lo = -(1 << (size * 8 - 1))
        self.hi = (1 << (size * 8 - 1)) - 1
        # Cassandra treats only int and bigint as fixed-length (vector element layout)
        self.fixed_length = size if size in (4, 8) else None
        self.accepts_empty = size in (4, 8)
        # to_comparable is bc.signed_to_comparable(v, size): clustering_decoder reads it
        self.signed_comparable_size = size

    def _key(self) -> tuple:
        return ("int", self.name)

    def _val(self, v: Any, h: bool) -> int:
        if type(v) is not int:
            if isinstance(v, (float, Decimal)) or not hasattr(v, "__index__"):
                raise MarshalError(f"Expected an integer for type {self.name}, got "
                                   f"{type(v).__name__}: {v!r}")
            v = operator.index(v)
        if not self.lo <= v <= self.hi:
            raise MarshalError(f"Unable to make {self.java} from '{v}'")
        return int(v)

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        try:
            return self._struct.pack(v)
        except struct.error:
            if v is EMPTY:
                return b""
            raise MarshalError(f"Unable to make {self.java} from '{v}'") from None

    def _des(self, data: bytes, h: bool) -> int | None:
        if len(data) != self.size:
            if not data and self.size >= 4:
                return None  # an empty element inside a collection, or a counter
            if self.size < 4:  # smallint and tinyint have no empty value
                raise MarshalError(f"Expected {self.size} byte{'s' if self.size > 1 else ''} "
                                   f"for a {self.name} ({len(data)})")
            raise MarshalError(f"Expected {self.size} or 0 byte {self.java} ({len(data)})")
        return self._struct.unpack(data)[0]

    def to_comparable(self, v: int) -> bytes:
        if v is EMPTY:
            return b""
        return bc.signed_to_comparable(v, self.size)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[int, int]:
        return bc.signed_from_comparable(data, pos, self.size)

    def _from_constant(self, kind: str, text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise MarshalError(f"Unable to make {self.java} from '{text}'") from None
        if not self.lo <= v <= self.hi:
            raise MarshalError(f"Unable to make {self.java} from '{text}'")
        return v

    def _literal(self, v: int) -> str:
        return str(int(v))

    def _json(self, v: int) -> str:
        return str(int(v))

    def _from_json(self, obj: Any, h: bool) -> int:
        what = f"{'an' if self.json_word[0] in 'aeiou' else 'a'} {self.json_word} value"
        if isinstance(obj, bool) or not isinstance(obj, (str, int, float, Decimal)):
            raise _bad_json(what, obj)
        # Int32Type/LongType.fromJSONObject take a JSON number only as an Integer (a Long too
        # for bigint): a larger or fractional number is refused by its Java class
        if self.java in ("int", "long") and not isinstance(obj, str) and \
                java_class_name(obj) not in (("Integer",) if self.java == "int"
                                             else ("Integer", "Long")):
            raise _bad_json(what, obj)
        text = java_repr(obj) if isinstance(obj, float) else str(obj)
        return self._from_constant("integer", text)


TINYINT = _IntegerType("tinyint", 0x0014, 1, "byte", "byte", "ByteType")
SMALLINT = _IntegerType("smallint", 0x0013, 2, "short", "short", "ShortType")
INT = _IntegerType("int", 0x0009, 4, "int", "int", "Int32Type")
BIGINT = _IntegerType("bigint", 0x0002, 8, "long", "bigint", "LongType")


class _CounterType(_IntegerType):
    is_counter = True

    def __init__(self) -> None:
        super().__init__("counter", 0x0005, 8, "long", "bigint", "CounterColumnType")
        self.accepts_empty = False

    def _key(self) -> tuple:
        return ("counter",)


COUNTER = _CounterType()


class _VarintType(CQLType):
    name = "varint"
    type_id = 0x000E
    marshal_class = "org.apache.cassandra.db.marshal.IntegerType"
    constant_kinds = frozenset({"integer"})
    accepts_empty = True

    def _val(self, v: Any, h: bool) -> int:
        if type(v) is not int:
            if isinstance(v, (float, Decimal)) or not hasattr(v, "__index__"):
                raise MarshalError(f"Expected an integer for type varint, got "
                                   f"{type(v).__name__}: {v!r}")
            v = operator.index(v)
        return int(v)

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b"" if v is EMPTY else bc.varint_bytes(v)

    def _des(self, data: bytes, h: bool) -> int | None:
        if not data:
            return None
        return int.from_bytes(data, "big", signed=True)

    def to_comparable(self, v: int) -> bytes:
        return b"" if v is EMPTY else bc.varint_to_comparable(v)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[int, int]:
        return bc.varint_from_comparable(data, pos)

    def _from_constant(self, kind: str, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise MarshalError(f"unable to make int from '{text}'") from None

    def _literal(self, v: int) -> str:
        return str(v)

    _json = _literal

    def from_json(self, obj: Any) -> Any:
        """Unlike the other numbers, varint's JSON parsing never reads "" as the empty value
        (IntegerType.fromJSONObject parses the text as a BigInteger)."""
        return None if obj is None else self._from_json(obj, False)

    def _from_json(self, obj: Any, h: bool) -> int:
        if isinstance(obj, bool) or not isinstance(obj, (str, int, float, Decimal)):
            raise MarshalError(f"Value '{java_repr(obj)}' is not a valid representation of a "
                               "varint value")
        try:
            return int(java_repr(obj) if isinstance(obj, float) else str(obj))
        except ValueError:
            raise MarshalError(f"Value '{java_repr(obj)}' is not a valid representation of a "
                               "varint value") from None


VARINT = _VarintType()


# ----------------------------------------------------------------------------------------------
# Floating point and decimal

_SPECIAL_FLOATS = {"nan": float("nan"), "-nan": float("nan"), "infinity": float("inf"),
                   "+infinity": float("inf"), "-infinity": float("-inf")}


def _parse_java_float(text: str) -> float:
    t = text.strip()
    low = t.lower()
    if low in _SPECIAL_FLOATS and t.lstrip("+-") in ("NaN", "Infinity"):
        return _SPECIAL_FLOATS[low]
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?", t):
        raise ValueError(text)
    return float(t.rstrip("fFdD"))


class _FloatingType(CQLType):
    constant_kinds = frozenset({"integer", "float"})
    accepts_empty = True

    def __init__(self, double: bool):
        self.double = double
        self.name = "double" if double else "float"
        self.type_id = 0x0007 if double else 0x0008
        self.marshal_class = "org.apache.cassandra.db.marshal." + ("DoubleType" if double
                                                                   else "FloatType")
        self.fixed_length = 8 if double else 4
        self._struct = _F64 if double else _F32

    def _key(self) -> tuple:
        return ("float", self.double)

    def _round(self, v: float) -> float:
        return v if self.double else to_float32(v)

    def _val(self, v: Any, h: bool) -> float:
        if isinstance(v, bool) or not isinstance(v, (Real, Decimal)):
            raise MarshalError(f"Expected a number for type {self.name}, got "
                               f"{type(v).__name__}: {v!r}")
        return self._round(float(v))

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        try:
            return self._struct.pack(v)
        except (struct.error, OverflowError):
            if v is EMPTY:
                return b""
            raise MarshalError(f"Unable to make {self.name} from '{v}'") from None

    def _des(self, data: bytes, h: bool) -> float | None:
        if len(data) != self.fixed_length:
            if not data:
                return None
            raise MarshalError(f"Expected {self.fixed_length} or 0 byte value for a "
                               f"{self.name} ({len(data)})")
        return self._struct.unpack(data)[0]

    def to_comparable(self, v: float) -> bytes:
        return b"" if v is EMPTY else bc.float_to_comparable(v, self.double)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[float, int]:
        return bc.float_from_comparable(data, pos, self.double)

    def _from_constant(self, kind: str, text: str) -> float:
        try:
            return self._round(_parse_java_float(text))
        except ValueError:
            raise MarshalError(f"Unable to make {self.name} from '{text}'") from None

    def _literal(self, v: float) -> str:
        if math.isnan(v):
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        if self.double:
            return repr(v)
        s = shortest_float32_repr(v)
        return s if any(c in s for c in ".eEn") else s + ".0"

    def _json(self, v: float) -> str:
        if math.isnan(v) or v in (float("inf"), float("-inf")):
            return "null"  # JSON has no NaN/Infinity; Cassandra writes null
        return java_float_str(v, single=not self.double)

    def _from_json(self, obj: Any, h: bool) -> float:
        if isinstance(obj, str):
            return self._from_constant("float", obj)
        if isinstance(obj, bool) or not isinstance(obj, (int, float, Decimal)):
            raise _bad_json(f"a {self.name} value", obj)
        return self._round(float(obj))


FLOAT = _FloatingType(False)
DOUBLE = _FloatingType(True)


class _DecimalType(CQLType):
    name = "decimal"
    type_id = 0x0006
    marshal_class = "org.apache.cassandra.db.marshal.DecimalType"
    constant_kinds = frozenset({"integer", "float"})
    accepts_empty = True

    def _val(self, v: Any, h: bool) -> Decimal:
        if isinstance(v, Decimal):
            d = v
        elif isinstance(v, bool):
            raise MarshalError(f"Expected a number for type decimal, got bool: {v!r}")
        elif isinstance(v, int):
            d = Decimal(v)
        elif isinstance(v, float):
            d = Decimal(repr(v))  # the decimal the user wrote, not the binary expansion
        elif isinstance(v, str):
            return self._from_constant("float", v)
        else:
            raise MarshalError(f"Expected a number for type decimal, got "
                               f"{type(v).__name__}: {v!r}")
        if not d.is_finite():
            raise MarshalError(f"unable to make BigDecimal from '{v}'")
        return d

    def serialize(self, v: Any) -> bytes | None:
        if v is None or v is EMPTY:
            return None if v is None else b""
        sign, digits, exp = v.as_tuple()
        # through Decimal, not str: int(str) refuses more than 4300 digits
        unscaled = int(Decimal((sign, digits, 0)))
        scale = -exp
        if not -(2**31) <= scale < 2**31:
            raise MarshalError(f"Decimal scale out of range: {v}")
        return _I32.pack(scale) + bc.varint_bytes(unscaled)

    def _des(self, data: bytes, h: bool) -> Decimal | None:
        if not data:
            return None
        if len(data) < 5:
            raise MarshalError(f"Expected at least 5 bytes for a decimal ({len(data)})")
        scale = _I32.unpack_from(data)[0]
        unscaled = int.from_bytes(data[4:], "big", signed=True)
        sign, digits, _ = Decimal(unscaled).as_tuple()
        return Decimal((sign, digits, -scale))

    def to_comparable(self, v: Decimal) -> bytes:
        return b"" if v is EMPTY else bc.decimal_to_comparable(v)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Decimal, int]:
        return bc.decimal_from_comparable(data, pos)

    def _from_constant(self, kind: str, text: str) -> Decimal:
        try:
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text.strip()):
                raise InvalidOperation
            d = Decimal(text.strip())
            if not -(2**31) <= -d.as_tuple().exponent < 2**31:
                raise InvalidOperation  # new BigDecimal(text): the scale must be an int
            return d
        except InvalidOperation:
            raise MarshalError(f"unable to make BigDecimal from '{text}'") from None

    def _literal(self, v: Decimal) -> str:
        return str(v)

    _json = _literal

    def _from_json(self, obj: Any, h: bool) -> Decimal:
        bad = MarshalError(f"Value '{java_repr(obj)}' is not a valid representation of a "
                           "decimal value")
        if isinstance(obj, bool) or not isinstance(obj, (str, int, float, Decimal)):
            raise bad
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise bad
            return obj
        try:
            return self._from_constant("float", java_repr(obj) if isinstance(obj, float)
                                       else str(obj))
        except MarshalError:
            raise bad from None


DECIMAL = _DecimalType()


# ----------------------------------------------------------------------------------------------
# Strings and bytes

class _BytesLikeType(CQLType):
    """Shared comparable form: escaped bytes (ordering = unsigned bytes)."""

    def _raw(self, v: Any) -> bytes:
        raise NotImplementedError

    def _from_raw(self, b: bytes) -> Any:
        raise NotImplementedError

    def to_comparable(self, v: Any) -> bytes:
        return bc.escape_bytes(self._raw(v))

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        raw, pos = bc.unescape_bytes(data, pos)
        return self._from_raw(raw), pos


class _TextType(_BytesLikeType):
    name = "text"
    type_id = 0x000D
    marshal_class = "org.apache.cassandra.db.marshal.UTF8Type"
    constant_kinds = frozenset({"string"})

    def _val(self, v: Any, h: bool) -> str:
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise MarshalError("String didn't validate.") from None
            return v
        if isinstance(v, (bytes, bytearray, memoryview)):
            try:
                return bytes(v).decode("utf-8")
            except UnicodeDecodeError:
                raise MarshalError("String didn't validate.") from None
        raise MarshalError(f"Expected a string for type {self.name}, got "
                           f"{type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else v.encode("utf-8")

    def _des(self, data: bytes, h: bool) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise MarshalError("String didn't validate.") from None

    def _raw(self, v: str) -> bytes:
        return v.encode("utf-8")

    def _from_raw(self, b: bytes) -> str:
        return self._des(b, False)

    def _from_constant(self, kind: str, text: str) -> str:
        return self._val(text, False)

    def _literal(self, v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    def _json(self, v: str) -> str:
        return json_quote(v)

    def _from_json(self, obj: Any, h: bool) -> str:
        if not isinstance(obj, str):
            raise _bad_json("a UTF-8 string", obj)
        return obj


TEXT = _TextType()


class _AsciiType(_TextType):
    name = "ascii"
    type_id = 0x0001
    marshal_class = "org.apache.cassandra.db.marshal.AsciiType"

    def _val(self, v: Any, h: bool) -> str:
        if isinstance(v, (bytes, bytearray, memoryview)):
            return self._des(bytes(v), h)
        s = super()._val(v, h)
        if not s.isascii():
            bad = next(c for c in s if ord(c) > 127)
            raise MarshalError(f"Invalid byte for ascii: {ord(bad)}")
        return s

    def _des(self, data: bytes, h: bool) -> str:
        for b in data:
            if b > 127:
                raise MarshalError(f"Invalid byte for ascii: {b - 256}")
        return data.decode("ascii")

    def _from_constant(self, kind: str, text: str) -> str:
        if not text.isascii():
            raise MarshalError("Invalid ASCII character in string literal: "
                               "java.nio.charset.UnmappableCharacterException: Input length = 1")
        return text

    def _from_json(self, obj: Any, h: bool) -> str:
        if not isinstance(obj, str):
            raise _bad_json("an ascii string", obj)
        return self._from_constant("string", obj)


ASCII = _AsciiType()


class _BlobType(_BytesLikeType):
    name = "blob"
    type_id = 0x0003
    marshal_class = "org.apache.cassandra.db.marshal.BytesType"
    constant_kinds = frozenset({"hex"})

    def _val(self, v: Any, h: bool) -> bytes:
        if isinstance(v, bytes):
            return v
        if isinstance(v, (bytearray, memoryview)):
            return bytes(v)
        raise MarshalError(f"Expected bytes for type blob, got {type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return v

    def _des(self, data: bytes, h: bool) -> bytes:
        return data

    def _raw(self, v: bytes) -> bytes:
        return v

    def _from_raw(self, b: bytes) -> bytes:
        return b

    def _from_constant(self, kind: str, text: str) -> bytes:
        hexpart = text[2:] if text[:2] in ("0x", "0X") else text
        try:
            if len(hexpart) % 2:
                raise ValueError
            return bytes.fromhex(hexpart)
        except ValueError:
            raise MarshalError(f"cannot parse '{hexpart}' as hex bytes") from None

    def _literal(self, v: bytes) -> str:
        return "0x" + v.hex()

    def _json(self, v: bytes) -> str:
        return '"0x' + v.hex() + '"'

    def _from_json(self, obj: Any, h: bool) -> bytes:
        # BytesType.fromJSONObject wraps every failure (the cast to String included)
        try:
            if not isinstance(obj, str):
                raise MarshalError(f"class java.lang.{java_class_name(obj)} cannot be cast to "
                                   "class java.lang.String")
            if not obj.startswith("0x"):
                raise MarshalError(f"String representation of blob is missing 0x prefix: {obj}")
            return self._from_constant("hex", obj)
        except MarshalError as e:
            raise MarshalError(f"Value '{java_repr(obj)}' is not a valid blob representation: "
                               f"{e}") from None


BLOB = _BlobType()


class _InetType(_BytesLikeType):
    name = "inet"
    type_id = 0x0010
    marshal_class = "org.apache.cassandra.db.marshal.InetAddressType"
    constant_kinds = frozenset({"string"})
    accepts_empty = True

    def _val(self, v: Any, h: bool) -> str:
        if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return str(v)
        if isinstance(v, str):
            try:
                address = ipaddress.ip_address(v.strip())
            except ValueError:
                raise MarshalError(f"Unable to make inet address from '{v}'") from None
            # InetAddress.getByName: an IPv4-mapped IPv6 address is the IPv4 address (4 bytes)
            mapped = getattr(address, "ipv4_mapped", None)
            return str(mapped if mapped is not None else address)
        if isinstance(v, (bytes, bytearray)) and len(v) in (4, 16):
            return str(ipaddress.ip_address(bytes(v)))
        raise MarshalError(f"Expected an address string for type inet, got "
                           f"{type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b"" if v is EMPTY else ipaddress.ip_address(v).packed

    def to_comparable(self, v: Any) -> bytes:
        return b"" if v is EMPTY else bc.escape_bytes(self._raw(v))

    def _des(self, data: bytes, h: bool) -> str | None:
        if len(data) not in (4, 16):
            if not data:
                return None
            raise MarshalError(f"Invalid inet address length: {len(data)}")
        return str(ipaddress.ip_address(data))

    def _raw(self, v: str) -> bytes:
        return ipaddress.ip_address(v).packed

    def _from_raw(self, b: bytes) -> str:
        r = self._des(b, False)
        if r is None:
            raise MarshalError("Invalid inet address length: 0")
        return r

    def _from_constant(self, kind: str, text: str) -> str:
        return self._val(text, False)

    def _literal(self, v: str) -> str:
        return "'" + v + "'"

    def _json(self, v: str) -> str:
        # InetAddress.getHostAddress: IPv6 as eight uncompressed hex groups (0:0:0:0:0:0:0:1)
        address = ipaddress.ip_address(v)
        if address.version == 6:
            packed = address.packed
            v = ":".join(f"{int.from_bytes(packed[i:i + 2], 'big'):x}" for i in range(0, 16, 2))
        return '"' + v + '"'

    def _from_json(self, obj: Any, h: bool) -> str:
        if not isinstance(obj, str):
            raise _bad_json("a string representation of an inet value", obj)
        return self._val(obj, h)


INET = _InetType()


# ----------------------------------------------------------------------------------------------
# boolean, uuid, timeuuid

class _BooleanType(CQLType):
    name = "boolean"
    type_id = 0x0004
    marshal_class = "org.apache.cassandra.db.marshal.BooleanType"
    constant_kinds = frozenset({"boolean"})
    fixed_length = 1
    accepts_empty = True

    def _val(self, v: Any, h: bool) -> bool:
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return bool(v)
        raise MarshalError(f"Expected a boolean for type boolean, got {type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b"" if v is EMPTY else (b"\x01" if v else b"\x00")

    def _des(self, data: bytes, h: bool) -> bool | None:
        if len(data) != 1:
            if not data:
                return None
            raise MarshalError(f"Expected 1 or 0 byte value for a boolean ({len(data)})")
        return data != b"\x00"

    def to_comparable(self, v: bool) -> bytes:
        return b"" if v is EMPTY else b"\x01" if v else b"\x00"

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[bool, int]:
        if pos >= len(data):
            raise MarshalError("Truncated byte-comparable boolean")
        return data[pos] != 0, pos + 1

    def _from_constant(self, kind: str, text: str) -> bool:
        low = text.lower()
        if low == "true":
            return True
        if low == "false":
            return False
        raise MarshalError(f"Unable to make boolean from '{text}'")

    def _literal(self, v: bool) -> str:
        return "true" if v else "false"

    _json = _literal

    def from_json(self, obj: Any) -> Any:
        # BooleanType.fromString("") is false, not the empty value
        return False if obj == "" else super().from_json(obj)

    def _from_json(self, obj: Any, h: bool) -> bool:
        if isinstance(obj, str):
            return self._from_constant("boolean", obj)
        if not isinstance(obj, bool):
            raise _bad_json("a boolean value", obj)
        return obj


BOOLEAN = _BooleanType()

_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class _UUIDType(CQLType):
    name = "uuid"
    type_id = 0x000C
    marshal_class = "org.apache.cassandra.db.marshal.UUIDType"
    constant_kinds = frozenset({"uuid"})
    fixed_length = 16
    accepts_empty = True

    def _check(self, u: uuid.UUID) -> uuid.UUID:
        return u

    def _val(self, v: Any, h: bool) -> uuid.UUID:
        if isinstance(v, uuid.UUID):
            return self._check(v)
        if isinstance(v, str):
            return self._from_constant("uuid", v)
        if isinstance(v, (bytes, bytearray)) and len(v) == 16:
            return self._check(uuid.UUID(bytes=bytes(v)))
        raise MarshalError(f"Expected a UUID for type {self.name}, got {type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b"" if v is EMPTY else v.bytes

    def _des(self, data: bytes, h: bool) -> uuid.UUID | None:
        if len(data) != 16:
            if not data:
                return None
            raise MarshalError(f"UUID should be 16 or 0 bytes ({len(data)})")
        return self._check(uuid.UUID(bytes=data))

    def to_comparable(self, v: uuid.UUID) -> bytes:
        if v is EMPTY:
            return b""
        n = v.int
        msb = n >> 64
        lsb = n & 0xFFFFFFFFFFFFFFFF
        version = (msb >> 12) & 0xF
        if version == 1:
            # version nibble, then time_hi (12 bits), time_mid, time_low
            hi = (version << 60) | ((msb & 0xFFF) << 48) | (((msb >> 16) & 0xFFFF) << 32) | (msb >> 32)
        else:
            # version nibble, then the other 15 hex digits of the msb in order
            hi = (version << 60) | ((msb >> 16) << 12) | (msb & 0xFFF)
        return ((hi << 64) | lsb).to_bytes(16, "big")

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[uuid.UUID, int]:
        if pos + 16 > len(data):
            raise MarshalError("Truncated byte-comparable uuid")
        n = int.from_bytes(data[pos:pos + 16], "big")
        hi = n >> 64
        lsb = n & 0xFFFFFFFFFFFFFFFF
        version = hi >> 60
        if version == 1:
            time_hi = (hi >> 48) & 0xFFF
            time_mid = (hi >> 32) & 0xFFFF
            time_low = hi & 0xFFFFFFFF
            msb = (time_low << 32) | (time_mid << 16) | (version << 12) | time_hi
        else:
            rest = hi & 0x0FFFFFFFFFFFFFFF  # 15 hex digits
            msb = ((rest >> 12) << 16) | (version << 12) | (rest & 0xFFF)
        return uuid.UUID(int=(msb << 64) | lsb), pos + 16

    def _from_constant(self, kind: str, text: str) -> uuid.UUID:
        if not _UUID_RE.fullmatch(text.strip()):
            raise MarshalError(f"Unable to make UUID from '{text}'")
        return self._check(uuid.UUID(text.strip()))

    def _literal(self, v: uuid.UUID) -> str:
        return str(v)

    def _json(self, v: uuid.UUID) -> str:
        return '"' + str(v) + '"'

    def _from_json(self, obj: Any, h: bool) -> uuid.UUID:
        if not isinstance(obj, str):
            raise _bad_json(f"a string representation of a {self.name}", obj)
        return self._from_constant("uuid", obj)


UUID = _UUIDType()


class _TimeUUIDType(_UUIDType):
    name = "timeuuid"
    type_id = 0x000F
    marshal_class = "org.apache.cassandra.db.marshal.TimeUUIDType"

    def _check(self, u: uuid.UUID) -> uuid.UUID:
        if (u.int >> 76) & 0xF != 1:
            raise MarshalError(f"Invalid UUID version {(u.int >> 76) & 0xF} for timeuuid")
        return u

    def to_comparable(self, v: uuid.UUID) -> bytes:
        if v is EMPTY:
            return b""
        msb = v.int >> 64
        lsb = v.int & 0xFFFFFFFFFFFFFFFF
        hi = ((msb & 0xFFFF) << 48) | (((msb >> 16) & 0xFFFF) << 32) | (msb >> 32)
        # the low half compares as signed bytes: flip each byte's top bit
        return ((hi << 64) | (lsb ^ 0x8080808080808080)).to_bytes(16, "big")

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[uuid.UUID, int]:
        if pos + 16 > len(data):
            raise MarshalError("Truncated byte-comparable timeuuid")
        n = int.from_bytes(data[pos:pos + 16], "big")
        hi = n >> 64
        lsb = (n & 0xFFFFFFFFFFFFFFFF) ^ 0x8080808080808080
        msb = ((hi & 0xFFFFFFFF) << 32) | (((hi >> 32) & 0xFFFF) << 16) | (hi >> 48)
        return self._check(uuid.UUID(int=(msb << 64) | lsb)), pos + 16

    def _from_constant(self, kind: str, text: str) -> uuid.UUID:
        if not _UUID_RE.fullmatch(text.strip()):
            raise MarshalError(f"Unknown timeuuid representation: {text}")
        u = uuid.UUID(text.strip())
        if (u.int >> 76) & 0xF != 1:
            raise MarshalError("TimeUUID supports only version 1 UUIDs")
        return u


TIMEUUID = _TimeUUIDType()


# ----------------------------------------------------------------------------------------------
# timestamp, date, time, duration

_EPOCH = datetime.datetime(1970, 1, 1)
_MIN_MS = (datetime.datetime.min - _EPOCH) // datetime.timedelta(milliseconds=1)
_MAX_MS = (datetime.datetime.max - _EPOCH) // datetime.timedelta(milliseconds=1)

_TS_RE = re.compile(
    r"(?P<y>[+-]?\d+)-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ Tt](?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,3}))?)?)?"
    r" ?(?P<z>(?i:Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT|UT)(?:[+-]\d{1,2}(?::?\d{2})?)?))?")


def _zone_offset_minutes(z: str) -> int:
    z = z.upper()  # Cassandra's formatter parses case-insensitively ('2011-02-03z')
    if z == "Z":
        return 0
    for prefix in ("UTC", "GMT", "UT"):
        if z.startswith(prefix):
            z = z[len(prefix):]
            if not z:
                return 0
            break
    sign = -1 if z[0] == "-" else 1
    body = z[1:].replace(":", "")
    if len(body) <= 2:
        hh, mm = int(body), 0
    else:
        hh, mm = int(body[:-2]), int(body[-2:])
    if hh > 23 or mm > 59:
        raise ValueError(z)
    return sign * (hh * 60 + mm)


def parse_timestamp_string(text: str) -> int:
    """Milliseconds since the epoch of one of Cassandra's timestamp string forms (zone-less
    strings are taken as UTC, our server's zone)."""
    source = text
    if re.fullmatch(r"-?\d+", source):
        v = int(source)
        if not -(2**63) <= v <= INT64_MAX:
            raise MarshalError(f"Unable to make long (for date) from: '{source}'")
        return v
    m = _TS_RE.fullmatch(source)
    bad = MarshalError(f"Unable to coerce '{source}' to a formatted date (long)")
    if not m:
        raise bad
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    h = int(m["h"] or 0)
    mi = int(m["mi"] or 0)
    s = int(m["s"] or 0)
    ms = int(m["f"] or 0)  # SimpleDateFormat's 'SSS' reads the digits as a millisecond count
    if not (1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo) and h < 24 and mi < 60 and s < 60):
        raise bad
    try:
        offset = _zone_offset_minutes(m["z"]) if m["z"] else 0
    except ValueError:
        raise bad from None
    days = days_from_civil(y, mo, d)
    return ((days * 86400 + h * 3600 + mi * 60 + s - offset * 60) * 1000) + ms


def format_timestamp_ms(ms: int, sep: str = " ", zone: str = "Z") -> str:
    """'yyyy-MM-dd HH:mm:ss.SSS' + zone, in UTC, for any millisecond value."""
    days, rem = divmod(ms, 86_400_000)
    y, mo, d = civil_from_days(days)
    secs, milli = divmod(rem, 1000)
    return (f"{java_year(y)}-{mo:02d}-{d:02d}{sep}{secs // 3600:02d}:{secs // 60 % 60:02d}:"
            f"{secs % 60:02d}.{milli:03d}{zone}")


def timestamp_to_ms(v: datetime.datetime | int) -> int:
    if isinstance(v, datetime.datetime):
        return (v - _EPOCH) // datetime.timedelta(milliseconds=1)
    return v


def ms_to_timestamp(ms: int) -> datetime.datetime | int:
    """Canonical value: naive UTC datetime when representable, else the int milliseconds."""
    if _MIN_MS <= ms <= _MAX_MS:
        return _EPOCH + datetime.timedelta(milliseconds=ms)
    return ms


class _TimestampType(CQLType):
    name = "timestamp"
    type_id = 0x000B
    marshal_class = "org.apache.cassandra.db.marshal.TimestampType"
    constant_kinds = frozenset({"string", "integer"})
    fixed_length = 8
    accepts_empty = True

    def _val(self, v: Any, h: bool) -> datetime.datetime | int:
        if isinstance(v, datetime.datetime):
            if v.tzinfo is not None:
                off = v.utcoffset()
                v = v.replace(tzinfo=None) - (off or datetime.timedelta(0))
            return ms_to_timestamp(timestamp_to_ms(v))
        if isinstance(v, datetime.date):
            return ms_to_timestamp(days_of(v) * 86_400_000)
        if isinstance(v, Date):
            return ms_to_timestamp(v.days * 86_400_000)
        if isinstance(v, bool):
            raise MarshalError(f"Expected a datetime for type timestamp, got bool: {v!r}")
        if isinstance(v, int):
            if not -(2**63) <= v <= INT64_MAX:
                raise MarshalError(f"Unable to make long (for date) from: '{v}'")
            return ms_to_timestamp(v)
        if isinstance(v, float):
            return self._val(int(v), h)
        if isinstance(v, str):
            return ms_to_timestamp(parse_timestamp_string(v))
        raise MarshalError(f"Expected a datetime for type timestamp, got "
                           f"{type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b"" if v is EMPTY else _I64.pack(timestamp_to_ms(v))

    def _des(self, data: bytes, h: bool) -> datetime.datetime | int | None:
        if len(data) != 8:
            if not data:
                return None
            raise MarshalError(f"Expected 8 or 0 byte long for date ({len(data)})")
        return ms_to_timestamp(_I64.unpack(data)[0])

    def to_comparable(self, v: Any) -> bytes:
        return b"" if v is EMPTY else bc.signed_to_comparable(timestamp_to_ms(v), 8)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        ms, pos = bc.signed_from_comparable(data, pos, 8)
        return ms_to_timestamp(ms), pos

    def _from_constant(self, kind: str, text: str) -> datetime.datetime | int:
        return ms_to_timestamp(parse_timestamp_string(text))

    def _literal(self, v: Any) -> str:
        if isinstance(v, int):
            return str(v)
        return "'" + format_timestamp_ms(timestamp_to_ms(v), "T") + "'"

    def _json(self, v: Any) -> str:
        return '"' + format_timestamp_ms(timestamp_to_ms(v)) + '"'

    def _from_json(self, obj: Any, h: bool) -> Any:
        if isinstance(obj, int) and not isinstance(obj, bool):
            return self._val(obj, h)
        if not isinstance(obj, str):
            raise _bad_json("a long or a datestring representation of a timestamp value", obj)
        return self._from_constant("string", obj)


TIMESTAMP = _TimestampType()

_DATE_RE = re.compile(r"([+-]?\d{4,})-(\d{2})-(\d{2})")
_MIN_DATE_DAYS = -(2**31)
_MAX_DATE_DAYS = 2**31 - 1


def parse_date_string(text: str) -> int:
    """Days since the epoch of a date literal: 'yyyy-mm-dd' or a raw unsigned day number with
    the epoch at 2^31."""
    if re.fullmatch(r"-?\d+", text):
        v = int(text)
        if not 0 <= v <= 2**32 - 1:
            raise MarshalError(f"Unable to make unsigned int (for date) from: '{text}'")
        return v - 2**31
    m = _DATE_RE.fullmatch(text)
    bad = MarshalError(f"Unable to coerce '{text}' to a formatted date (long)")
    if not m:
        raise bad
    ys = m.group(1)
    ndigits = len(ys.lstrip("+-"))
    if (ys[0] == "+" and ndigits <= 4) or (ys[0] not in "+-" and ndigits > 4):
        raise bad  # java.time: a year beyond 9999 needs '+', 4-digit years take no '+'
    y, mo, d = int(ys), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= days_in_month(y, mo)):
        raise bad
    days = days_from_civil(y, mo, d)
    if days < _MIN_DATE_DAYS:
        raise MarshalError(f"Input date {text} is less than min supported date "
                           "-5877641-06-23T00:00Z")
    if days > _MAX_DATE_DAYS:
        raise MarshalError(f"Input date {text} is greater than max supported date "
                           "5881580-07-11T00:00Z")
    return days


def format_date(v: datetime.date | Date) -> str:
    if isinstance(v, Date):
        return str(v)
    return f"{java_year(v.year)}-{v.month:02d}-{v.day:02d}"


class _DateType(CQLType):
    name = "date"
    type_id = 0x0011
    marshal_class = "org.apache.cassandra.db.marshal.SimpleDateType"
    constant_kinds = frozenset({"string", "integer"})
    fixed_length = 4

    def _val(self, v: Any, h: bool) -> datetime.date | Date:
        if isinstance(v, datetime.datetime):
            v = v.date()
        if isinstance(v, datetime.date):
            return v
        if isinstance(v, Date):
            days = v.days
        elif isinstance(v, bool):
            raise MarshalError(f"Expected a date for type date, got bool: {v!r}")
        elif isinstance(v, int):
            days = v  # the driver's convention: signed days since the epoch
        elif isinstance(v, str):
            days = parse_date_string(v)
        else:
            raise MarshalError(f"Expected a date for type date, got {type(v).__name__}: {v!r}")
        if not _MIN_DATE_DAYS <= days <= _MAX_DATE_DAYS:
            raise MarshalError(f"Unable to make unsigned int (for date) from: '{days + 2**31}'")
        return date_from_days(days)

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else _U32.pack(days_of(v) + 2**31)

    def _des(self, data: bytes, h: bool) -> datetime.date | Date | None:
        if len(data) != 4:
            raise MarshalError(f"Expected 4 byte long for date ({len(data)})")
        return date_from_days(_U32.unpack(data)[0] - 2**31)

    def to_comparable(self, v: Any) -> bytes:
        return _U32.pack(days_of(v) + 2**31)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        if pos + 4 > len(data):
            raise MarshalError("Truncated byte-comparable date")
        return date_from_days(_U32.unpack_from(data, pos)[0] - 2**31), pos + 4

    def _from_constant(self, kind: str, text: str) -> Any:
        return date_from_days(parse_date_string(text))

    def _literal(self, v: Any) -> str:
        days = days_of(v)
        if MIN_PY_DAYS <= days <= MAX_PY_DAYS:
            return "'" + format_date(v) + "'"
        return str(days + 2**31)  # the raw form always parses back

    def _json(self, v: Any) -> str:
        return '"' + format_date(v) + '"'

    def _from_json(self, obj: Any, h: bool) -> Any:
        if not isinstance(obj, str):
            raise _bad_json("a string representation of a date value", obj)
        return self._from_constant("string", obj)


DATE = _DateType()


def parse_time_string(text: str) -> int:
    """Nanoseconds since midnight of 'hh:mm:ss[.fffffffff]' or a raw nanosecond count."""
    if re.fullmatch(r"-?\d+", text):
        v = int(text)
        if not 0 <= v < NANOS_PER_DAY:
            raise MarshalError(f"Unable to make long (for time) from: '{text}'")
        return v
    m = re.fullmatch(r"\s*(\d+):(\d+):(\d+)(?:\.(\d{1,9}))?\s*", text)
    if not m or int(m.group(1)) >= 24 or int(m.group(2)) >= 60 or int(m.group(3)) >= 60:
        raise MarshalError(f"(TimeType) Unable to coerce '{text}' to a formatted time (long)")
    frac = (m.group(4) or "").ljust(9, "0")
    return ((int(m.group(1)) * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 10**9 + int(frac)


class _TimeType(CQLType):
    name = "time"
    type_id = 0x0012
    marshal_class = "org.apache.cassandra.db.marshal.TimeType"
    constant_kinds = frozenset({"string", "integer"})
    fixed_length = 8

    def _val(self, v: Any, h: bool) -> Time:
        if isinstance(v, Time):
            return v
        if isinstance(v, datetime.time):
            return Time(((v.hour * 60 + v.minute) * 60 + v.second) * 10**9 + v.microsecond * 1000)
        if isinstance(v, bool):
            raise MarshalError(f"Expected a time for type time, got bool: {v!r}")
        if isinstance(v, int):
            if not 0 <= v < NANOS_PER_DAY:
                raise MarshalError(f"Unable to make long (for time) from: '{v}'")
            return Time(v)
        if isinstance(v, str):
            return Time(parse_time_string(v))
        raise MarshalError(f"Expected a time for type time, got {type(v).__name__}: {v!r}")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else _I64.pack(v)

    def _des(self, data: bytes, h: bool) -> Time | None:
        if len(data) != 8:
            raise MarshalError(f"Expected 8 byte long for time ({len(data)})")
        v = _I64.unpack(data)[0]
        if not 0 <= v < NANOS_PER_DAY:
            raise MarshalError(f"Time value out of range: {v}")
        return Time(v)

    def to_comparable(self, v: int) -> bytes:
        return bc.signed_to_comparable(v, 8)

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Time, int]:
        v, pos = bc.signed_from_comparable(data, pos, 8)
        return Time(v), pos

    def _from_constant(self, kind: str, text: str) -> Time:
        return Time(parse_time_string(text))

    def _literal(self, v: Time) -> str:
        return f"'{Time(v)}'"

    def _json(self, v: Time) -> str:
        return f'"{Time(v)}"'

    def _from_json(self, obj: Any, h: bool) -> Time:
        if not isinstance(obj, str):
            raise _bad_json("a string representation of a time value", obj)
        return self._from_constant("string", obj)


TIME = _TimeType()


def write_unsigned_vint(v: int) -> bytes:
    """Cassandra's unsigned vint: leading 1-bits of the first byte count the extra bytes."""
    if v < 0x80:
        return bytes((v,))
    size = min(9, (v.bit_length() + 6) // 7)
    extra = size - 1
    out = bytearray(v.to_bytes(size, "big"))
    out[0] |= (0xFF << (8 - extra)) & 0xFF
    return bytes(out)


def read_unsigned_vint(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise MarshalError("Truncated vint")
    first = data[pos]
    extra = 0
    while extra < 8 and first & (0x80 >> extra):
        extra += 1
    end = pos + 1 + extra
    if end > len(data):
        raise MarshalError("Truncated vint")
    value = first & (0xFF >> extra) if extra < 8 else 0
    for b in data[pos + 1:end]:
        value = (value << 8) | b
    return value, end


def write_signed_vint(v: int) -> bytes:
    return write_unsigned_vint((v << 1) if v >= 0 else ((-v) << 1) - 1)


def read_signed_vint(data: bytes, pos: int) -> tuple[int, int]:
    u, pos = read_unsigned_vint(data, pos)
    return (u >> 1) ^ -(u & 1), pos


class _DurationType(CQLType):
    name = "duration"
    type_id = 0x0015
    marshal_class = "org.apache.cassandra.db.marshal.DurationType"
    constant_kinds = frozenset({"duration", "integer"})
    comparable = False

    def _val(self, v: Any, h: bool) -> Duration:
        if isinstance(v, str):
            return parse_duration(v)
        if not isinstance(v, Duration):
            if all(hasattr(v, a) for a in ("months", "days", "nanoseconds")):
                v = Duration(v.months, v.days, v.nanoseconds)
            else:
                raise MarshalError(f"Expected a Duration for type duration, got "
                                   f"{type(v).__name__}: {v!r}")
        m, d, n = v.months, v.days, v.nanoseconds
        if not (-(2**31) <= m <= INT32_MAX and -(2**31) <= d <= INT32_MAX
                and -(2**63) <= n <= INT64_MAX):
            raise MarshalError(f"Duration out of range: {m}, {d}, {n}")
        if not ((m >= 0 and d >= 0 and n >= 0) or (m <= 0 and d <= 0 and n <= 0)):
            raise MarshalError("The duration months, days and nanoseconds must be all of the "
                               f"same sign ({m}, {d}, {n})")
        return v

    def serialize(self, v: Any) -> bytes | None:
        if v is None:
            return None
        return (write_signed_vint(v.months) + write_signed_vint(v.days)
                + write_signed_vint(v.nanoseconds))

    def _des(self, data: bytes, h: bool) -> Duration | None:
        if len(data) < 3:
            raise MarshalError(f"Expected at least 3 bytes for a duration ({len(data)})")
        m, pos = read_signed_vint(data, 0)
        d, pos = read_signed_vint(data, pos)
        n, pos = read_signed_vint(data, pos)
        if pos != len(data):
            raise MarshalError("Invalid duration: trailing bytes")
        return self._val(Duration(m, d, n), h)

    def to_comparable(self, v: Duration) -> bytes:
        # Durations are not orderable in CQL; this total order only serves containers.
        return (bc.signed_to_comparable(v.months, 4) + bc.signed_to_comparable(v.days, 4)
                + bc.signed_to_comparable(v.nanoseconds, 8))

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Duration, int]:
        m, pos = bc.signed_from_comparable(data, pos, 4)
        d, pos = bc.signed_from_comparable(data, pos, 4)
        n, pos = bc.signed_from_comparable(data, pos, 8)
        return Duration(m, d, n), pos

    def _from_constant(self, kind: str, text: str) -> Duration:
        return self._val(parse_duration(text), False)

    def _literal(self, v: Duration) -> str:
        s = str(v)
        return s if s not in ("", "-") else "0s"

    def _json(self, v: Duration) -> str:
        return '"' + str(v) + '"'

    def _from_json(self, obj: Any, h: bool) -> Duration:
        if not isinstance(obj, str):
            raise _bad_json("a string representation of a duration", obj)
        return self._from_constant("duration", obj)

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        if protocol_version >= 5:
            return (0x0015,)
        return (0x0000, self.marshal_class)


DURATION = _DurationType()


class _EmptyType(CQLType):
    """Cassandra's EmptyType: only the zero-length value. It is the type of the hidden
    ``value`` column of a dense COMPACT STORAGE table without one, which DROP COMPACT STORAGE
    makes visible; no DDL can name it (hence not in NATIVE_TYPES)."""

    name = "empty"
    marshal_class = "org.apache.cassandra.db.marshal.EmptyType"
    accepts_empty = True
    comparable = False

    def _val(self, v: Any, h: bool) -> Any:
        raise MarshalError("EmptyType only accept empty values")

    def serialize(self, v: Any) -> bytes | None:
        return None if v is None else b""

    def _des(self, data: bytes, h: bool) -> Any:
        raise MarshalError("EmptyType only accept empty values")  # EmptySerializer.validate

    def to_comparable(self, v: Any) -> bytes:
        return b""

    def _fcmp(self, data: bytes, pos: int, h: bool) -> tuple[Any, int]:
        return EMPTY, pos

    def _from_json(self, obj: Any, h: bool) -> Any:
        if not isinstance(obj, str):
            raise MarshalError(f"Expected an empty string, but got: {java_repr(obj)}")
        raise MarshalError(f"'{obj}' is not empty")

    def protocol_option(self, protocol_version: int = 4) -> tuple:
        return (0x0000, self.marshal_class)


EMPTY_TYPE = _EmptyType()

NATIVE_TYPES: dict[str, CQLType] = {
    "ascii": ASCII, "bigint": BIGINT, "blob": BLOB, "boolean": BOOLEAN, "counter": COUNTER,
    "date": DATE, "decimal": DECIMAL, "double": DOUBLE, "duration": DURATION, "float": FLOAT,
    "inet": INET, "int": INT, "smallint": SMALLINT, "text": TEXT, "varchar": TEXT, "time": TIME,
    "timestamp": TIMESTAMP, "timeuuid": TIMEUUID, "tinyint": TINYINT, "uuid": UUID,
    "varint": VARINT,
}


def native_type(name: str) -> CQLType:
    """The native type named `name` (case-insensitive; 'varchar' is text)."""
    try:
        return NATIVE_TYPES[name.lower()]
    except KeyError:
        raise MarshalError(f"Unknown type {name}") from None
