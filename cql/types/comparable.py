"""Byte-comparable encodings (storage-engines.md §3, after Cassandra's ByteComparable.md).

Every encoding here is prefix-free and its unsigned byte order equals CQL order, so the storage
layer can sort clustering keys as plain `bytes`. Multi-component sequences put SEP (0x40) before
each component (NULL_SEP 0x3F for a null, 0x41 in a DESC position; EMPTY_SEP 0x3E for an empty
value, 0x42 in a DESC position) and TERMINATOR (0x38) after the last; slice bounds replace the terminator by BOTTOM (0x20) or TOP (0x60). A DESC component has
all its bits inverted.

Also here: Cassandra's partition-key serialization (single value bytes, or the composite form
uint16 length + bytes + 0x00 per component).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .values import EMPTY, MarshalError

if TYPE_CHECKING:
    from .base import CQLType

SEP = 0x40
NULL_SEP = 0x3F
NULL_SEP_DESC = 0x41
EMPTY_SEP = 0x3E        # an empty value (`EMPTY`) sorts before every value...
EMPTY_SEP_DESC = 0x42   # ...and after every value in a DESC position
TERMINATOR = 0x38
BOTTOM = 0x20
TOP = 0x60

_SEP_B = b"\x40"
_TERM_B = b"\x38"
_INVERT = bytes(range(255, -1, -1))


def invert(data: bytes) -> bytes:
    """Flip every bit (encoding of a DESC component)."""
    return data.translate(_INVERT)


# ----------------------------------------------------------------------------------------------
# Variable-length byte strings (text, ascii, blob, inet): escape 00, end with 00.

def escape_bytes(v: bytes) -> bytes:
    if b"\x00" not in v:
        return v + b"\x00"
    out = bytearray()
    i = 0
    n = len(v)
    while i < n:
        j = v.find(0, i)
        if j < 0:
            out += v[i:]
            out.append(0)
            return bytes(out)
        out += v[i:j]
        k = j
        while k < n and v[k] == 0:
            k += 1
        out.append(0)
        out += b"\xfe" * (k - j - 1)
        if k == n:
            out.append(0xFE)
            return bytes(out)
        out.append(0xFF)
        i = k
    out.append(0)
    return bytes(out)


def unescape_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    n = len(data)
    end = data.find(0, pos)
    if end < 0:
        raise MarshalError("Unterminated byte-comparable string")
    if end + 1 >= n or data[end + 1] < 0xFE:
        return data[pos:end], end + 1
    out = bytearray()
    while True:
        if end < 0:
            raise MarshalError("Unterminated byte-comparable string")
        out += data[pos:end]
        i = end + 1
        # each FE/FF after a 00 stands for one zero byte; FF means the value continues
        while i < n and data[i] == 0xFE:
            out.append(0)
            i += 1
        if i < n and data[i] == 0xFF:
            out.append(0)
            pos = i + 1
            end = data.find(0, pos)
            continue
        return bytes(out), i


# ----------------------------------------------------------------------------------------------
# Signed fixed-width integers: big-endian with the sign bit flipped.

_STRUCTS = {1: struct.Struct(">B"), 2: struct.Struct(">H"), 4: struct.Struct(">I"),
            8: struct.Struct(">Q")}


def signed_to_comparable(v: int, size: int) -> bytes:
    bias = 1 << (size * 8 - 1)
    return _STRUCTS[size].pack(v + bias)


def signed_from_comparable(data: bytes, pos: int, size: int) -> tuple[int, int]:
    end = pos + size
    if end > len(data):
        raise MarshalError("Truncated byte-comparable value")
    bias = 1 << (size * 8 - 1)
    return _STRUCTS[size].unpack_from(data, pos)[0] - bias, end


# ----------------------------------------------------------------------------------------------
# IEEE floats: positive -> flip the sign bit, negative -> flip all bits. NaN is canonicalized to
# the positive quiet NaN so it sorts last, like Java's Float/Double.compare.

_F32 = struct.Struct(">f")
_U32 = struct.Struct(">I")
_F64 = struct.Struct(">d")
_U64 = struct.Struct(">Q")


def float_to_comparable(v: float, double: bool) -> bytes:
    if double:
        bits = 0x7FF8000000000000 if math.isnan(v) else _U64.unpack(_F64.pack(v))[0]
        bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | 0x8000000000000000
        return _U64.pack(bits)
    bits = 0x7FC00000 if math.isnan(v) else _U32.unpack(_F32.pack(v))[0]
    bits = bits ^ 0xFFFFFFFF if bits >> 31 else bits | 0x80000000
    return _U32.pack(bits)


def float_from_comparable(data: bytes, pos: int, double: bool) -> tuple[float, int]:
    size = 8 if double else 4
    if pos + size > len(data):
        raise MarshalError("Truncated byte-comparable value")
    if double:
        bits = _U64.unpack_from(data, pos)[0]
        bits = bits & 0x7FFFFFFFFFFFFFFF if bits >> 63 else bits ^ 0xFFFFFFFFFFFFFFFF
        return _F64.unpack(_U64.pack(bits))[0], pos + 8
    bits = _U32.unpack_from(data, pos)[0]
    bits = bits & 0x7FFFFFFF if bits >> 31 else bits ^ 0xFFFFFFFF
    return _F32.unpack(_U32.pack(bits))[0], pos + 4


# ----------------------------------------------------------------------------------------------
# varint: length/sign byte(s) then the minimal two's-complement bytes.

def varint_bytes(v: int) -> bytes:
    """Minimal big-endian two's complement (the native-protocol varint cell)."""
    return v.to_bytes((v + (v < 0)).bit_length() // 8 + 1, "big", signed=True)


def varint_to_comparable(v: int) -> bytes:
    """Length/sign header then the digits without sign-extension bytes (storage-engines §3.4):
    n digit bytes = 128*q + rem; q group bytes (FF positive, 00 negative), then 0x7F + rem
    (positive) or 0x80 - rem (negative), then the digits."""
    if v >= 0:
        n = max(1, (v.bit_length() + 7) // 8)
        q, rem = divmod(n, 128)
        return b"\xff" * q + bytes((0x7F + rem,)) + v.to_bytes(n, "big")
    n = max(1, ((-v - 1).bit_length() + 7) // 8)
    q, rem = divmod(n, 128)
    return b"\x00" * q + bytes((0x80 - rem,)) + (v % (1 << (8 * n))).to_bytes(n, "big")


def varint_from_comparable(data: bytes, pos: int) -> tuple[int, int]:
    try:
        b = data[pos]
        q = 0
        if b >= 0x80:
            while b == 0xFF:
                q += 1
                pos += 1
                b = data[pos]
            n = q * 128 + b - 0x7F
            negative = False
        else:
            while b == 0x00:
                q += 1
                pos += 1
                b = data[pos]
            n = q * 128 + 0x80 - b
            negative = True
        pos += 1
        end = pos + n
        if end > len(data) or n <= 0:
            raise IndexError
        v = int.from_bytes(data[pos:end], "big")
        if negative:
            v -= 1 << (8 * n)
        return v, end
    except IndexError:
        raise MarshalError("Truncated byte-comparable varint") from None


# ----------------------------------------------------------------------------------------------
# decimal: sign + exponent header, base-100 mantissa digits (floor-rounded), 00 terminator.
# Scale is not kept: 1.0 and 1.00 encode identically, as they compare equal in Cassandra.

def decimal_to_comparable(v: Decimal) -> bytes:
    if not v.is_finite():
        raise MarshalError(f"unable to make BigDecimal from '{v}'")
    if v.is_zero():
        return b"\x80"
    sign, digits, exp = v.as_tuple()
    ds = "".join(map(str, digits))  # a non-zero Decimal has no leading zero digits
    p = len(ds) + exp  # value_abs = 0.ds * 10^p
    if p % 2:
        ds = "0" + ds
        p += 1
    if len(ds) % 2:
        ds += "0"
    E = p // 2  # value_abs = 0.(pairs) * 100^E
    mant = [int(ds[i:i + 2]) for i in range(0, len(ds), 2)]
    while mant and mant[-1] == 0:
        mant.pop()
    negative = sign == 1
    mexp = -E if negative else E
    if mexp == 0:
        elen = 0
        ebytes = b""
    else:
        elen = (mexp + (mexp < 0)).bit_length() // 8 + 1
        ebytes = mexp.to_bytes(elen, "big", signed=True)
    header = (0x00 if negative else 0x80) + 0x40 + (elen if mexp > 0 else -elen)
    out = bytearray((header,))
    out += ebytes
    if not negative:
        out += bytes(0x80 + d for d in mant)
    else:
        rest = mant[1:]
        if any(rest):
            out.append(0x80 - mant[0] - 1)
            # remainder = 1 - 0.rest (base 100), written with the same number of digits
            k = len(rest)
            # through Decimal, not str: int(str) refuses more than 4300 digits
            n = 100**k - int(Decimal((0, tuple(x for d in rest for x in divmod(d, 10)), 0)))
            comp = [int(x) for x in _base100_digits(n, k)]
            out += bytes(0x80 + d for d in comp)
        else:
            out.append(0x80 - mant[0])
    out.append(0)
    return bytes(out)


def _base100_digits(n: int, k: int) -> list[int]:
    out = []
    for _ in range(k):
        n, d = divmod(n, 100)
        out.append(d)
    return out[::-1]


def decimal_from_comparable(data: bytes, pos: int) -> tuple[Decimal, int]:
    try:
        header = data[pos]
        pos += 1
        if header == 0x80:
            return Decimal(0), pos
        negative = header < 0x80
        t = (header & 0x7F) - 0x40
        elen = abs(t)
        if elen:
            mexp = int.from_bytes(data[pos:pos + elen], "big", signed=True)
            if pos + elen > len(data):
                raise IndexError
            pos += elen
        else:
            mexp = 0
        E = -mexp if negative else mexp
        end = data.index(0, pos)
    except (IndexError, ValueError):
        raise MarshalError("Truncated byte-comparable decimal") from None
    digits = [b - 0x80 for b in data[pos:end]]
    k = len(digits)
    n = 0
    for d in digits:
        n = n * 100 + d
    # value = n * 100^(E-k), built exactly (Decimal arithmetic would round to the context)
    value = Decimal((1 if n < 0 else 0, Decimal(abs(n)).as_tuple().digits, 2 * (E - k)))
    return _tidy_decimal(value), end + 1


def _tidy_decimal(v: Decimal) -> Decimal:
    """Smallest non-negative scale that keeps the value (the comparable form keeps no scale)."""
    sign, digits, exp = v.as_tuple()
    if 0 < exp <= 20:
        return Decimal((sign, digits + (0,) * exp, 0))
    if exp > 0:
        return v
    digits = list(digits)
    while exp < 0 and len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    return Decimal((sign, tuple(digits), exp))


# ----------------------------------------------------------------------------------------------
# Sequences (clustering keys, tuples, frozen collections)

def encode_components(types: Sequence[CQLType], values: Sequence[Any],
                      reversed_flags: Sequence[bool] | None = None) -> bytes:
    """SEP + encoding (or NULL_SEP) per component, no terminator."""
    parts = []
    for i, (t, v) in enumerate(zip(types, values)):
        desc = bool(reversed_flags[i]) if reversed_flags else False
        if v is None:
            parts.append(b"\x41" if desc else b"\x3f")
        elif v is EMPTY:
            parts.append(b"\x42" if desc else b"\x3e")
        elif desc:
            parts.append(_SEP_B)
            parts.append(invert(t.to_comparable(v)))
        else:
            parts.append(_SEP_B)
            parts.append(t.to_comparable(v))
    return b"".join(parts)


def encode_clustering(types: Sequence[CQLType], values: Sequence[Any],
                      reversed_flags: Sequence[bool] | None = None) -> bytes:
    """Row key of a full clustering (or any prefix that names a row): components + 0x38."""
    if len(values) > len(types):
        raise MarshalError("Too many clustering values")
    return encode_components(types, values, reversed_flags) + _TERM_B


def clustering_encoder(types: Sequence[CQLType],
                       reversed_flags: Sequence[bool] | None = None):
    """``encode_clustering`` specialised once for these types, for plans that encode full,
    non-null clusterings per execution (a single component skips the generic loop)."""
    if len(types) == 1:
        enc = types[0].to_comparable
        size = getattr(types[0], "signed_comparable_size", None)
        if size is not None:  # SEP, the biased (DESC: inverted) value, TERMINATOR: one pack
            return _signed_encoder(size, bool(reversed_flags and reversed_flags[0]))
        if reversed_flags and reversed_flags[0]:
            return lambda values: b"".join((_SEP_B, enc(values[0]).translate(_INVERT), _TERM_B)) \
                if values[0] is not EMPTY else b"\x42\x38"
        return lambda values: b"".join((_SEP_B, enc(values[0]), _TERM_B)) \
            if values[0] is not EMPTY else b"\x3e\x38"
    types, flags = list(types), list(reversed_flags) if reversed_flags else None
    return lambda values: encode_clustering(types, values, flags)


def _signed_encoder(size: int, desc: bool):
    """``clustering_encoder`` of one fixed-width integer column."""
    pack = struct.Struct(">B" + {1: "B", 2: "H", 4: "I", 8: "Q"}[size] + "B").pack
    bias = 1 << (size * 8 - 1)
    if desc:  # the inverted bytes of v + bias are those of bias - 1 - v
        top = bias - 1
        return lambda values: pack(SEP, top - values[0], TERMINATOR) \
            if values[0] is not EMPTY else b"\x42\x38"
    return lambda values: pack(SEP, values[0] + bias, TERMINATOR) \
        if values[0] is not EMPTY else b"\x3e\x38"


def clustering_prefix(types: Sequence[CQLType], values: Sequence[Any],
                      reversed_flags: Sequence[bool] | None = None) -> bytes:
    """Encoded prefix without terminator; append BOTTOM (0x20) or TOP (0x60) to make a bound."""
    if len(values) > len(types):
        raise MarshalError("Too many clustering values")
    return encode_components(types, values, reversed_flags)


def clustering_bound(types: Sequence[CQLType], values: Sequence[Any],
                     reversed_flags: Sequence[bool] | None, top: bool) -> bytes:
    """clustering_prefix + TOP/BOTTOM: TOP sorts after every row extending the prefix."""
    return clustering_prefix(types, values, reversed_flags) + (b"\x60" if top else b"\x20")


def decode_components(types: Sequence[CQLType], data: bytes, pos: int = 0,
                      reversed_flags: Sequence[bool] | None = None) -> tuple[list[Any], int]:
    """Decode SEP-prefixed components until the terminator/bound byte or the types run out.

    Returns (values, position of the byte after the last component)."""
    out: list[Any] = []
    n = len(data)
    inv: bytes | None = None
    for i, t in enumerate(types):
        if pos >= n:
            break
        b = data[pos]
        desc = bool(reversed_flags[i]) if reversed_flags else False
        if b == SEP:
            if desc:
                if inv is None:
                    inv = invert(data)  # bytewise, so positions line up
                v, pos = t.from_comparable(inv, pos + 1)
                out.append(v)
            else:
                v, pos = t.from_comparable(data, pos + 1)
                out.append(v)
        elif b == (NULL_SEP_DESC if desc else NULL_SEP):
            out.append(None)
            pos += 1
        elif b == (EMPTY_SEP_DESC if desc else EMPTY_SEP):
            out.append(EMPTY)
            pos += 1
        else:
            break
    return out, pos


def decode_clustering(types: Sequence[CQLType], data: bytes,
                      reversed_flags: Sequence[bool] | None = None) -> list[Any]:
    """Inverse of encode_clustering (also accepts bounds and prefixes; returns the values)."""
    values, pos = decode_components(types, data, 0, reversed_flags)
    if pos < len(data) and data[pos] not in (TERMINATOR, BOTTOM, TOP):
        raise MarshalError("Malformed clustering key")
    if len(values) < len(types) and pos < len(data) and data[pos] == TERMINATOR:
        values += [None] * (len(types) - len(values))  # a compact table's row named by a prefix
    return values


def clustering_decoder(types: Sequence[CQLType],
                       reversed_flags: Sequence[bool] | None = None) -> Callable[[bytes], list]:
    """``decode_clustering`` for one table's clustering columns, with a short path for the
    usual row key of a single-column clustering (one value, then the terminator)."""
    if len(types) != 1:
        return lambda data: decode_clustering(types, data, reversed_flags)
    from_comparable = types[0].from_comparable
    desc = bool(reversed_flags[0]) if reversed_flags else False
    size = getattr(types[0], "signed_comparable_size", None)
    if size is not None:
        return _signed_decoder(size, desc, lambda data: decode_clustering(types, data,
                                                                         reversed_flags))

    def decode(data: bytes) -> list:
        if len(data) > 1 and data[0] == SEP:
            v, pos = from_comparable(data.translate(_INVERT) if desc else data, 1)
            if pos == len(data) or data[pos] in _ENDS:
                return [v]
        return decode_clustering(types, data, reversed_flags)
    return decode


_ENDS = frozenset((TERMINATOR, BOTTOM, TOP))


def _signed_decoder(size: int, desc: bool, general: Callable[[bytes], list]
                    ) -> Callable[[bytes], list]:
    """``clustering_decoder`` of one fixed-width integer column (``signed_to_comparable``),
    reading the value with one struct call; anything else goes to ``general``."""
    unpack_from = _STRUCTS[size].unpack_from
    bias = 1 << (size * 8 - 1)
    mask = (1 << (size * 8)) - 1  # a DESC column's bytes are inverted: u -> mask - u
    end = 1 + size

    def decode(data: bytes) -> list:
        n = len(data)
        if (n == end or (n > end and data[end] in _ENDS)) and data[0] == SEP:
            u = unpack_from(data, 1)[0]
            return [(mask - u if desc else u) - bias]
        return general(data)
    return decode

# ----------------------------------------------------------------------------------------------
# Partition keys

_U16 = struct.Struct(">H")


def serialize_partition_key(types: Sequence[CQLType], values: Sequence[Any]) -> bytes:
    """Cassandra's partition key bytes: the value itself, or per component uint16 length +
    bytes + 0x00 for a composite key (what the Murmur3 token hashes)."""
    if len(types) == 1:
        return types[0].serialize(values[0])
    parts = []
    for t, v in zip(types, values):
        b = t.serialize(v)
        if len(b) > 0xFFFF:
            raise MarshalError(f"Key length of {len(b)} is longer than maximum of 65535")
        parts.append(_U16.pack(len(b)))
        parts.append(b)
        parts.append(b"\x00")
    return b"".join(parts)


def split_partition_key(n: int, data: bytes) -> list[bytes]:
    """The component byte strings of a serialized partition key with n components."""
    if n == 1:
        return [data]
    out = []
    pos = 0
    for _ in range(n):
        if pos + 2 > len(data):
            raise MarshalError("Malformed composite partition key")
        (size,) = _U16.unpack_from(data, pos)
        pos += 2
        if pos + size + 1 > len(data):
            raise MarshalError("Malformed composite partition key")
        out.append(data[pos:pos + size])
        pos += size + 1
    if pos != len(data):
        raise MarshalError("Malformed composite partition key")
    return out


def deserialize_partition_key(types: Sequence[CQLType], data: bytes) -> list[Any]:
    return [t.deserialize(b) for t, b in zip(types, split_partition_key(len(types), data))]
