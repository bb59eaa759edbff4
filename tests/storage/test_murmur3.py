import struct

import pytest

from cassalite.storage.murmur3 import decorate, token, token_of_decorated

VECTORS = [
    (b"123", -7468325962851647638),
    (b"\x00\xff\x10\xfa\x99" * 10, 5837342703291459765),
    (b"\xfe" * 8, -8927430733708461935),
    (b"\x10" * 8, 1446172840243228796),
    (b"9223372036854775807", 7162290910810015547),
    (bytes(range(1, 17)), -5563837382979743776),
    (bytes(range(2, 18)), -1513403162740402161),
    (struct.pack(">i", 1), -4069959284402364209),
    (struct.pack(">i", 2), -3248873570005575792),
    (struct.pack(">i", 3), 9010454139840013625),
    (struct.pack(">i", 0), -3485513579396041028),
    (struct.pack(">i", 42), -7160136740246525330),
    (struct.pack(">q", 1), 6292367497774912474),
    (b"hello", -3758069500696749310),
    (b"\x00\x04\x00\x00\x00\x01\x00\x00\x01a\x00", 6516349416904725244),
]


@pytest.mark.parametrize("key,expected", VECTORS)
def test_cassandra_token_vectors(key, expected):
    assert token(key) == expected


def test_empty_key_is_minimum_token():
    assert token(b"") == -(1 << 63)


def test_decorated_keys_sort_in_token_order():
    keys = [struct.pack(">i", i) for i in range(200)]
    by_bytes = sorted(keys, key=decorate)
    assert [token(k) for k in by_bytes] == sorted(token(k) for k in keys)
    assert all(token_of_decorated(decorate(k)) == token(k) for k in keys)
