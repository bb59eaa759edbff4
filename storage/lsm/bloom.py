"""Bloom filter over decorated partition keys (the Filter.db component).

The decorated key already starts with the partition's Murmur3 token, a well-mixed 64-bit
hash, so the k probe positions come from it by double hashing (Kirsch-Mitzenmacher) plus
a CRC32 of the whole key for the second hash: no extra hashing of the key in Python.
"""

from __future__ import annotations

import math
import struct
import zlib

_HEAD = struct.Struct("<4sBQ")  # magic, k, number of bits
MAGIC = b"BLM1"
_crc32 = zlib.crc32
_from = int.from_bytes


def _params(n: int, fp: float) -> tuple[int, int]:
    n = max(n, 1)
    fp = min(max(fp, 1e-9), 0.999)
    m = max(64, math.ceil(-n * math.log(fp) / (math.log(2) ** 2)))
    k = max(1, min(20, round(m / n * math.log(2))))
    return m, k


class BloomFilter:
    __slots__ = ("bits", "k", "m")

    def __init__(self, m: int, k: int, bits: bytearray | None = None):
        self.m = m
        self.k = k
        self.bits = bits if bits is not None else bytearray((m + 7) // 8)

    @classmethod
    def for_keys(cls, n: int, fp_chance: float) -> BloomFilter:
        if fp_chance >= 1.0:  # Cassandra: 1.0 disables the filter
            return cls(0, 0, bytearray())
        return cls(*_params(n, fp_chance))

    def add(self, dk: bytes) -> None:
        m = self.m
        if not m:
            return
        h1 = _from(dk[:8], "big")
        h2 = _crc32(dk) | 1
        bits = self.bits
        for i in range(self.k):
            pos = (h1 + i * h2) % m
            bits[pos >> 3] |= 1 << (pos & 7)

    def might_contain(self, dk: bytes) -> bool:
        m = self.m
        if not m:
            return True
        h1 = _from(dk[:8], "big")
        h2 = _crc32(dk) | 1
        bits = self.bits
        for i in range(self.k):
            pos = (h1 + i * h2) % m
            if not bits[pos >> 3] & (1 << (pos & 7)):
                return False
        return True

    def serialize(self) -> bytes:
        body = _HEAD.pack(MAGIC, self.k, self.m) + bytes(self.bits)
        return body + struct.pack("<I", _crc32(body))

    @classmethod
    def deserialize(cls, data: bytes) -> BloomFilter:
        """Raises ValueError when the bytes are not an intact filter."""
        if len(data) < _HEAD.size + 4:
            raise ValueError("filter too short")
        (crc,) = struct.unpack_from("<I", data, len(data) - 4)
        if _crc32(data[:-4]) != crc:
            raise ValueError("filter checksum mismatch")
        magic, k, m = _HEAD.unpack_from(data)
        if magic != MAGIC or len(data) - 4 - _HEAD.size != (m + 7) // 8:
            raise ValueError("bad filter header")
        return cls(m, k, bytearray(data[_HEAD.size:-4]))

    def size_bytes(self) -> int:
        return len(self.bits)
