"""Decoding Index.db blocks: the index entries of up to ``index_interval`` partitions.

A point read on a cold SSTable needs one entry of the block that holds its key. Format 1
blocks (``SUM1`` summaries) are decoded whole (32 entries, each with its row index:
~170 µs). Format 2 blocks (``SUM2``) end with a table of their entries' start offsets,
so :class:`IndexBlock` reads only the keys, binary-searches them and decodes the one
entry asked for (which the SSTable reader's key cache then keeps).

Decoding reads the format that ``encoding.get_bytes`` / ``get_uvarint`` read, with their
one- and two-byte cases inline (lengths, sizes and row offsets are nearly always that
short): ~40 % less CPU than a call per field.
"""

from __future__ import annotations

import struct
from bisect import bisect_left

from .encoding import DecodeError, get_bytes, get_uvarint

_U32 = struct.Struct("<I")


class IndexBlockError(DecodeError):
    """An undecodable entry; ``pos`` is where it starts in the block."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def parse_index_block(raw: bytes, length: int) -> list:
    """The entries ``(dk, data position, size, row-index keys or None, row-index offsets
    or None)`` of the format 1 block in ``raw[:length]``; IndexBlockError when the bytes
    do not hold whole entries."""
    entries: list = []
    append = entries.append
    pos = 0
    while pos < length:
        entry, pos = parse_index_entry(raw, pos, length)
        append(entry)
    return entries


def parse_index_entry(raw: bytes, pos: int, length: int) -> tuple[tuple, int]:
    """The entry starting at ``pos`` (see ``parse_index_block``) and where it ends, which
    is at most ``length``; IndexBlockError (at ``pos``) otherwise."""
    start = pos
    try:
        n = raw[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = get_uvarint(raw, pos)
        end = pos + n
        if end > length:
            raise DecodeError("length past end of buffer")
        dk = raw[pos:end]
        dpos, pos = get_uvarint(raw, end)
        b0 = raw[pos]
        b1 = raw[pos + 1]
        if b0 & 0x80 and b1 < 0x80:
            size = (b0 & 0x7F) | (b1 << 7)
            pos += 2
        else:
            size, pos = get_uvarint(raw, pos)
        nb = raw[pos]
        if nb < 0x80:
            pos += 1
        else:
            nb, pos = get_uvarint(raw, pos)
        if not nb:
            if pos > length:
                raise DecodeError("entry past end of block")
            return (dk, dpos, size, None, None), pos
        cks = []
        offs = []
        for _ in range(nb):
            n = raw[pos]
            if n < 0x80:
                pos += 1
            else:
                n, pos = get_uvarint(raw, pos)
            end = pos + n
            if end > length:
                raise DecodeError("length past end of buffer")
            cks.append(raw[pos:end])
            b0 = raw[end]
            if b0 < 0x80:
                offs.append(b0)
                pos = end + 1
                continue
            b1 = raw[end + 1]
            if b1 < 0x80:
                offs.append((b0 & 0x7F) | (b1 << 7))
                pos = end + 2
            else:
                o, pos = get_uvarint(raw, end)
                offs.append(o)
    except (IndexError, DecodeError) as exc:
        raise IndexBlockError(str(exc), start) from None
    if pos > length:
        raise IndexBlockError("entry past end of block", start)
    return (dk, dpos, size, cks, offs), pos


def entry_table(starts: list[int]) -> bytes:
    """The tail of a format 2 block whose entries start at ``starts``."""
    return struct.pack(f"<{len(starts)}I", *starts) + _U32.pack(len(starts))


class IndexBlock:
    """One decoded-on-demand Index.db block: ``find`` one entry, or all ``entries``."""

    __slots__ = ("_all", "_found", "_keys", "_raw", "_starts")

    def __init__(self, raw: bytes, length: int, with_table: bool) -> None:
        """``raw[:length]`` is the block (its CRC already checked); ``with_table``: it is
        a format 2 block. IndexBlockError when it does not decode."""
        self._found: dict = {}  # format 1: every entry by key
        self._all: list | None = None
        if not with_table:
            self._all = parse_index_block(raw, length)
            self._found = {e[0]: e for e in self._all}
            self._raw = self._starts = self._keys = None
            return
        if length < 4:
            raise IndexBlockError("block too short for its entry table", 0)
        (count,) = _U32.unpack_from(raw, length - 4)
        end = length - 4 - 4 * count
        if count < 1 or end < 0:
            raise IndexBlockError("bad entry count", max(end, 0))
        starts = list(struct.unpack_from(f"<{count}I", raw, end))
        if starts[0] != 0 or any(a >= b for a, b in zip(starts, starts[1:])) \
                or starts[-1] >= end:
            raise IndexBlockError("entry offsets out of order", end)
        starts.append(end)
        if max(map(raw.__getitem__, starts[:-1])) < 0x80:  # keys under 128 bytes
            keys = [raw[o + 1:o + 1 + raw[o]] for o in starts[:-1]]
        else:
            try:
                keys = [get_bytes(raw, o)[0] for o in starts[:-1]]
            except (IndexError, DecodeError) as exc:
                raise IndexBlockError(str(exc), 0) from None
        if sorted(keys) != keys:
            raise IndexBlockError("keys out of order", 0)
        self._raw = raw
        self._starts = starts
        self._keys = keys

    def find(self, dk: bytes) -> tuple | None:
        """The entry of ``dk``, or None when the block does not hold it."""
        keys = self._keys
        if keys is None:
            return self._found.get(dk)
        i = bisect_left(keys, dk)
        if i == len(keys) or keys[i] != dk:
            return None
        return self._entry(i)

    def entries(self) -> list:
        """Every entry, in key order."""
        entries = self._all
        if entries is None:
            entries = self._all = [self._entry(i) for i in range(len(self._keys))]
        return entries

    def _entry(self, i: int) -> tuple:
        starts = self._starts
        entry, pos = parse_index_entry(self._raw, starts[i], starts[i + 1])
        if pos != starts[i + 1]:
            raise IndexBlockError("entry shorter than its slot", starts[i])
        return entry
