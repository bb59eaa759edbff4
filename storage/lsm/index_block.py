"""Decoding one Index.db block: the index entries of up to ``index_interval`` partitions.

A point read on a cold SSTable decodes the whole block that holds its key (32 entries,
each with its row index), so this is on the read path. It reads the format that
``encoding.get_bytes`` / ``get_uvarint`` read, with their one- and two-byte cases inline
(lengths, sizes and row offsets are nearly always that short): ~40 % less CPU than a
call per field.
"""

from __future__ import annotations

from .encoding import DecodeError, get_uvarint


class IndexBlockError(DecodeError):
    """An undecodable entry; ``pos`` is where it starts in the block."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def parse_index_block(raw: bytes, length: int) -> list:
    """The entries ``(dk, data position, size, row-index keys or None, row-index offsets
    or None)`` of the block in ``raw[:length]``; IndexBlockError when the bytes do not
    hold whole entries."""
    entries: list = []
    append = entries.append
    pos = start = 0
    try:
        while pos < length:
            start = pos
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
                append((dk, dpos, size, None, None))
                continue
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
            append((dk, dpos, size, cks, offs))
    except (IndexError, DecodeError) as exc:
        raise IndexBlockError(str(exc), start) from None
    if pos != length:
        raise IndexBlockError("entry past end of block", start)
    return entries
