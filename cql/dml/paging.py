"""Paging state: where the next page of a SELECT starts (opaque bytes to clients)."""

from __future__ import annotations

import struct

from cassalite.storage.engine import KeyRange
from cql.errors import InvalidRequest


def _encode_state(pk: bytes, ck: bytes | None, in_partition: int, remaining: int) -> bytes:
    flag = 0 if ck is None else 1
    ck = ck or b""
    return struct.pack(">I", len(pk)) + pk + struct.pack(">BI", flag, len(ck)) + ck + struct.pack(
        ">qq", in_partition, remaining
    )


def _decode_state(state: bytes) -> tuple[bytes, bytes | None, int, int]:
    try:
        (n,) = struct.unpack_from(">I", state, 0)
        pk = state[4:4 + n]
        flag, m = struct.unpack_from(">BI", state, 4 + n)
        pos = 9 + n
        ck = state[pos:pos + m] if flag else None
        in_partition, remaining = struct.unpack_from(">qq", state, pos + m)
        return pk, ck, in_partition, remaining
    except struct.error:
        raise InvalidRequest("Invalid value for the paging state") from None


def _describe_range(key_range: KeyRange) -> str:
    """A key range in token terms, Cassandra-style: ``(min(...), max(...)]``."""
    def token(dk: bytes | None, edge: str) -> str:
        if dk is None:
            return f"{edge}({-(1 << 63) if edge == 'min' else (1 << 63) - 1})"
        return str(int.from_bytes(dk[:8], "big") - (1 << 63))

    lo = ("[" if key_range.start_inclusive else "(") + token(key_range.start, "min")
    hi = token(key_range.end, "max") + ("]" if key_range.end_inclusive else ")")
    return f"{lo}, {hi}"


def _after(slices, ck: bytes, reverse: bool):
    """Clip slices to the rows strictly after ``ck`` in iteration order."""
    if slices is None:
        slices = [(b"", None)]
    out = []
    for lo, hi in slices:
        if reverse:
            hi = ck if hi is None or ck < hi else hi
        else:
            nxt = ck + b"\x00"
            lo = nxt if nxt > lo else lo
        if hi is None or lo < hi:
            out.append((lo, hi))
    return out
