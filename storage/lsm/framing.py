"""Checksummed record framing shared by the commit log and the manifest.

A frame is ``u32 length | u32 crc32(length bytes) | payload | u32 crc32(payload)`` (little
endian). The separate length CRC lets a reader tell "the length itself is garbage" from
"the payload is damaged", and lets :func:`valid_frame_after` look for intact frames past a
damaged one: a torn tail (a crash mid-append) has none, corruption in the middle does.
"""

from __future__ import annotations

import struct
import zlib

_HEAD = struct.Struct("<II")
_CRC = struct.Struct("<I")
HEADER_SIZE = 8
OVERHEAD = 12
MAX_FRAME = 1 << 30
_crc32 = zlib.crc32


def frame(payload: bytes) -> bytes:
    n = len(payload)
    lb = _CRC.pack(n)
    return lb + _CRC.pack(_crc32(lb)) + payload + _CRC.pack(_crc32(payload))


_HEADS: dict[int, bytes] = {}  # payload length -> the frame's 8 head bytes (kept < 64 KiB)


def _head(n: int) -> bytes:
    lb = _CRC.pack(n)
    head = lb + _CRC.pack(_crc32(lb))
    if n < 0x10000:
        _HEADS[n] = head
    return head


def frame_into(buf, pos: int, payload: bytes) -> None:
    """Write ``frame(payload)`` into the writable buffer ``buf`` at ``pos`` (the caller
    checked there are ``len(payload) + OVERHEAD`` bytes of room). The head of a length
    seen before is looked up: a commit log's records mostly repeat a few lengths."""
    n = len(payload)
    end = pos + HEADER_SIZE + n
    buf[pos:end] = (_HEADS.get(n) or _head(n)) + payload
    _CRC.pack_into(buf, end, _crc32(payload))


def read_frames(buf: bytes, pos: int, end: int | None = None):
    """Parse frames from ``pos``: returns (list of (offset, payload), stop, problem).

    ``stop`` is where parsing ended; ``problem`` is None when it ended cleanly at ``end``,
    else a short description of what was wrong at ``stop``.
    """
    end = len(buf) if end is None else end
    out = []
    unpack = _HEAD.unpack_from
    while pos < end:
        if end - pos < HEADER_SIZE:
            return out, pos, "truncated frame header"
        n, lcrc = unpack(buf, pos)
        if _crc32(buf[pos:pos + 4]) != lcrc or n == 0 or n > MAX_FRAME:
            return out, pos, "bad frame length or length checksum"
        body_end = pos + HEADER_SIZE + n
        if body_end + 4 > end:
            return out, pos, "truncated frame payload"
        payload = buf[pos + HEADER_SIZE:body_end]
        if _crc32(payload) != _CRC.unpack_from(buf, body_end)[0]:
            return out, pos, "payload checksum mismatch"
        out.append((pos, payload))
        pos = body_end + 4
    return out, pos, None


def valid_frame_after(buf: bytes, pos: int, end: int | None = None) -> int | None:
    """Offset of the first intact frame strictly after ``pos``, or None (a torn tail)."""
    end = len(buf) if end is None else end
    unpack = _HEAD.unpack_from
    for off in range(pos + 1, end - OVERHEAD + 1):
        n, lcrc = unpack(buf, off)
        if n == 0 or off + OVERHEAD + n > end:
            continue
        if _crc32(buf[off:off + 4]) != lcrc:
            continue
        body_end = off + HEADER_SIZE + n
        if _crc32(buf[off + HEADER_SIZE:body_end]) == _CRC.unpack_from(buf, body_end)[0]:
            return off
    return None
