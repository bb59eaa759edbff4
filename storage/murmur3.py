"""Cassandra's Murmur3Partitioner token: h1 of MurmurHash3_x64_128 with Cassandra's quirk.

Cassandra sign-extends the tail bytes (a Java ``byte`` is signed), so keys whose length is
not a multiple of 16 and whose tail has a byte >= 0x80 hash differently from mmh3. We port
the exact algorithm so that ``token(k)`` and scan order match a real cluster.
"""

from __future__ import annotations

import struct
from functools import lru_cache

MASK = (1 << 64) - 1
C1 = 0x87C37B91114253D5
C2 = 0x4CF5AD432745937F
F1 = 0xFF51AFD7ED558CCD  # the finalizer's multipliers
F2 = 0xC4CEB9FE1A85EC53
MIN_TOKEN = -(1 << 63)
MAX_TOKEN = (1 << 63) - 1


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & MASK


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * F1) & MASK
    k ^= k >> 33
    k = (k * F2) & MASK
    k ^= k >> 33
    return k


def _hash_h1(key: bytes) -> int:
    length = len(key)
    nblocks = length >> 4
    h1 = h2 = 0
    for i in range(nblocks):
        k1, k2 = struct.unpack_from("<QQ", key, i << 4)
        k1 = (k1 * C1) & MASK
        k1 = _rotl(k1, 31)
        k1 = (k1 * C2) & MASK
        h1 ^= k1
        h1 = _rotl(h1, 27)
        h1 = (h1 + h2) & MASK
        h1 = (h1 * 5 + 0x52DCE729) & MASK
        k2 = (k2 * C2) & MASK
        k2 = _rotl(k2, 33)
        k2 = (k2 * C1) & MASK
        h2 ^= k2
        h2 = _rotl(h2, 31)
        h2 = (h2 + h1) & MASK
        h2 = (h2 * 5 + 0x38495AB5) & MASK
    tail = key[nblocks << 4:]
    k1 = k2 = 0
    for i in range(len(tail) - 1, -1, -1):
        b = tail[i]
        signed = (b - 256 if b > 127 else b) & MASK  # the Java signed-byte quirk
        if i >= 8:
            k2 ^= (signed << ((i - 8) * 8)) & MASK
        else:
            k1 ^= (signed << (i * 8)) & MASK
    if len(tail) > 8:
        k2 = (k2 * C2) & MASK
        k2 = _rotl(k2, 33)
        k2 = (k2 * C1) & MASK
        h2 ^= k2
    if tail:
        k1 = (k1 * C1) & MASK
        k1 = _rotl(k1, 31)
        k1 = (k1 * C2) & MASK
        h1 ^= k1
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & MASK
    return h1


@lru_cache(maxsize=65536)
def token(key: bytes) -> int:
    """The signed 64-bit Murmur3 token of a serialized partition key."""
    if not key:
        return MIN_TOKEN
    h1 = _hash_h1(key)
    t = h1 - (1 << 64) if h1 >= (1 << 63) else h1
    return MAX_TOKEN if t == MIN_TOKEN else t


def token_prefix(tok: int) -> bytes:
    """8 bytes whose unsigned order is the signed order of tokens."""
    return struct.pack(">Q", tok + (1 << 63))


@lru_cache(maxsize=65536)
def decorate(pk: bytes) -> bytes:
    """The decorated key: token prefix + key, so bytes order is Cassandra's partition order.
    Cached: every write and read of a partition decorates its key again."""
    return token_prefix(token(pk)) + pk


def token_of_decorated(dk: bytes) -> int:
    return struct.unpack_from(">Q", dk)[0] - (1 << 63)
