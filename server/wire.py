"""Native-protocol primitives ([int], [string], [bytes map] ...): a bounds-checked reader and
plain encoding functions.

Every overrun or malformed field raises :class:`ProtocolViolation`, so a hostile body can
only ever produce a protocol error, never an IndexError deep in the server.
"""

from __future__ import annotations

import struct
import uuid
from typing import Self

_B = struct.Struct(">B")
_H = struct.Struct(">H")
_h = struct.Struct(">h")
_I = struct.Struct(">i")
_Q = struct.Struct(">q")


class ProtocolViolation(Exception):
    """The peer broke the protocol; answered with a ProtocolError (0x000A)."""


class Unset:
    """The 'not set' [value] (length -2): leave the column unchanged."""

    _instance: Unset | None = None

    def __new__(cls) -> Self:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


class Reader:
    """A cursor over one message body."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes | memoryview):
        self.data = bytes(data)
        self.pos = 0

    def _take(self, n: int) -> bytes:
        pos = self.pos
        end = pos + n
        if n < 0 or end > len(self.data):
            raise ProtocolViolation("Not enough bytes to read the message")
        self.pos = end
        return self.data[pos:end]

    def _unpack(self, st: struct.Struct) -> int:
        pos = self.pos
        try:
            (v,) = st.unpack_from(self.data, pos)
        except struct.error:
            raise ProtocolViolation("Not enough bytes to read the message") from None
        self.pos = pos + st.size
        return v

    def unpack(self, st: struct.Struct) -> tuple:
        """Several fixed-size fields at once."""
        pos = self.pos
        try:
            fields = st.unpack_from(self.data, pos)
        except struct.error:
            raise ProtocolViolation("Not enough bytes to read the message") from None
        self.pos = pos + st.size
        return fields

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def byte(self) -> int:
        return self._unpack(_B)

    def short(self) -> int:
        return self._unpack(_H)

    def int(self) -> int:
        return self._unpack(_I)

    def long(self) -> int:
        return self._unpack(_Q)

    def string(self) -> str:
        return self._text(self.short())

    def long_string(self) -> str:
        n = self.int()
        if n < 0:
            raise ProtocolViolation(f"Invalid negative length {n} for a long string")
        return self._text(n)

    def _text(self, n: int) -> str:
        raw = self._take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolViolation("Invalid UTF-8 in a string") from None

    def bytes(self) -> bytes | None:
        n = self.int()
        return None if n < 0 else self._take(n)

    def short_bytes(self) -> bytes:
        return self._take(self.short())

    def value(self) -> bytes | None | Unset:
        # _unpack and _take inlined: every bound value of every request comes through here
        data, pos = self.data, self.pos
        try:
            (n,) = _I.unpack_from(data, pos)
        except struct.error:
            raise ProtocolViolation("Not enough bytes to read the message") from None
        pos += 4
        if n >= 0:
            end = pos + n
            if end > len(data):
                raise ProtocolViolation("Not enough bytes to read the message")
            self.pos = end
            return data[pos:end]
        self.pos = pos
        if n == -1:
            return None
        if n == -2:
            return UNSET
        raise ProtocolViolation(f"Invalid value length {n}")

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(bytes=self._take(16))

    def string_list(self) -> list[str]:
        return [self.string() for _ in range(self.short())]

    def string_map(self) -> dict[str, str]:
        return {self.string(): self.string() for _ in range(self.short())}

    def bytes_map(self) -> dict[str, bytes | None]:
        out = {}
        for _ in range(self.short()):
            k = self.string()
            out[k] = self.bytes()
        return out


# ---- encoding ---------------------------------------------------------------------------

def byte(v: int) -> bytes:
    return _B.pack(v)


def short(v: int) -> bytes:
    return _H.pack(v)


def int32(v: int) -> bytes:
    return _I.pack(v)


def long(v: int) -> bytes:
    return _Q.pack(v)


def string(s: str) -> bytes:
    raw = s.encode("utf-8")
    return _H.pack(len(raw)) + raw


def long_string(s: str) -> bytes:
    raw = s.encode("utf-8")
    return _I.pack(len(raw)) + raw


def bytes_(b: bytes | None) -> bytes:
    if b is None:
        return b"\xff\xff\xff\xff"
    return _I.pack(len(b)) + b


def short_bytes(b: bytes) -> bytes:
    return _H.pack(len(b)) + b


def string_list(items: list[str]) -> bytes:
    return _H.pack(len(items)) + b"".join(string(s) for s in items)


def string_map(m: dict[str, str]) -> bytes:
    return _H.pack(len(m)) + b"".join(string(k) + string(v) for k, v in m.items())


def string_multimap(m: dict[str, list[str]]) -> bytes:
    return _H.pack(len(m)) + b"".join(string(k) + string_list(v) for k, v in m.items())


def bytes_map(m: dict[str, bytes | None]) -> bytes:
    return _H.pack(len(m)) + b"".join(string(k) + bytes_(v) for k, v in m.items())


def signed_short(v: int) -> bytes:
    return _h.pack(v)
