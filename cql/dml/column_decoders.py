"""Whole-column decoders: one column's values of a batch of rows in a few C-level calls.

A plain selection's rows (:mod:`cql.dml.plain_rows`) can be decoded column by column: all
the bigints of a column are one ``struct`` call over the joined value bytes, all its texts
one ``map`` of ``bytes.decode``, a fixed-width integer clustering column two byte
translations of the joined row keys and one ``struct`` call. Each decoder gives exactly what the per-value decoder gives for
well-formed values, and raises (ValueError, TypeError, struct.error, UnicodeDecodeError)
on anything else (a null, an empty or malformed value, a collection), so the caller redoes
the batch value by value for the per-value results and errors.
"""

from __future__ import annotations

import struct
from functools import lru_cache, partial
from itertools import repeat
from typing import Callable, Iterable

from cql.types import native
from cql.types.comparable import SEP, TERMINATOR, invert

# struct codes of the fixed-width types (same class and name: COUNTER is not BIGINT)
_FIXED = ((native.BIGINT, "q"), (native.INT, "i"), (native.SMALLINT, "h"),
          (native.TINYINT, "b"), (native.DOUBLE, "d"), (native.FLOAT, "f"))
_INT_CODES = {1: "b", 2: "h", 4: "i", 8: "q"}


@lru_cache(maxsize=256)
def _unpack_many(code: str, size: int, n: int) -> tuple:
    """(``unpack`` of ``n`` big-endian values of the struct ``code``, the list of their
    ``n`` lengths, ``size`` each)."""
    return struct.Struct(f">{n}{code}").unpack, [size] * n


def _fixed_width(code: str, size: int, column: tuple) -> tuple:
    unpack, sizes = _unpack_many(code, size, len(column))
    if list(map(len, column)) != sizes:  # an empty value (EMPTY), a malformed one
        raise ValueError("not every value has the type's width")
    return unpack(b"".join(column))


def _ascii(column: tuple) -> Iterable:
    return map(bytes.decode, column, repeat("ascii"))


def cell_decoder(ctype) -> Callable[[tuple], Iterable] | None:
    """The whole-column decoder of cell values of ``ctype`` (value bytes -> what
    ``ctype.deserialize`` gives), or None for types decoded value by value."""
    for known, code in _FIXED:
        if ctype is known:
            return partial(_fixed_width, code, struct.calcsize(code))
    if ctype is native.TEXT:  # b'' is '' both ways; invalid UTF-8 raises
        return partial(map, bytes.decode)
    if ctype is native.ASCII:  # a byte over 127 raises
        return _ascii
    if ctype is native.BLOB:  # bytes(b) is b; a null raises
        return partial(map, bytes)
    return None


#: a value's first byte -> its two's complement's: ASC flips the top bit (the bias), DESC
#: inverts the byte and then flips the top bit
_HIGH = {False: bytes(b ^ 0x80 for b in range(256)), True: bytes(b ^ 0x7F for b in range(256))}


@lru_cache(maxsize=256)
def _int_keys(size: int, n: int) -> tuple:
    """(unpack, separators, terminators, key width, the list of the ``n`` key widths) for
    ``n`` joined row keys of one ``size``-byte integer clustering column: each key is SEP,
    the value's comparable bytes, TERMINATOR."""
    width = size + 2
    unpack = struct.Struct(">" + f"x{_INT_CODES[size]}x" * n).unpack
    return unpack, bytes((SEP,)) * n, bytes((TERMINATOR,)) * n, width, [width] * n


def int_clustering_decoder(size: int, desc: bool) -> Callable[[tuple], tuple]:
    """The values of a single fixed-width integer clustering column from the row keys
    (what ``clustering_decoder`` gives for keys of exactly SEP, value, TERMINATOR).

    The comparable bytes are v + bias (ASC) or their inversion, bias - 1 - v (DESC): two
    byte translations of the joined keys (every byte inverted for DESC, each value's first
    byte mapped through ``_HIGH``) give each v's two's complement, and one struct call
    reads them all."""
    high = _HIGH[desc]

    def decode(keys: tuple) -> tuple:
        unpack, seps, terminators, width, widths = _int_keys(size, len(keys))
        data = b"".join(keys)
        if list(map(len, keys)) != widths or data[::width] != seps \
                or data[width - 1::width] != terminators:
            raise ValueError("a row key of another shape")
        values = bytearray(invert(data) if desc else data)
        values[1::width] = data[1::width].translate(high)
        return unpack(values)
    return decode
