"""A minimal blocking native-protocol client for tests that need exact frames."""

from __future__ import annotations

import socket
import struct
from typing import Self

from cassalite.server import wire
from cassalite.server.frame import HEADER, HEADER_SIZE, Opcode, lz4_compress, lz4_decompress
from cassalite.server.wire import Reader

ERROR_CODE = struct.Struct(">i")


class Reply:
    def __init__(self, version: int, flags: int, stream: int, opcode: int, body: bytes):
        self.version, self.flags, self.stream, self.opcode, self.body = (
            version, flags, stream, opcode, body)

    @property
    def is_error(self) -> bool:
        return self.opcode == Opcode.ERROR

    def error(self) -> tuple[int, str]:
        r = Reader(self.body)
        return r.int(), r.string()

    def warnings(self) -> list[str]:
        """The warnings in front of the body when the WARNING flag (0x08) is set."""
        return Reader(self.body).string_list() if self.flags & 0x08 else []

    def result_kind(self) -> int:
        assert self.opcode == Opcode.RESULT, (self.opcode, self.body[:80])
        r = Reader(self.body)
        if self.flags & 0x08:
            r.string_list()
        return r.int()

    def __repr__(self) -> str:
        return f"<Reply op={self.opcode:#x} stream={self.stream} {self.body[:60]!r}>"


class RawClient:
    def __init__(self, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.compress = False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, opcode: int, body: bytes = b"", stream: int = 0, flags: int = 0,
             version: int = 4) -> None:
        if self.compress and opcode != Opcode.STARTUP and body:
            body, flags = lz4_compress(body), flags | 0x01
        self.send_raw(HEADER.pack(version, flags, stream, opcode, len(body)) + body)

    def _exactly(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed by server")
            buf += chunk
        return buf

    def recv(self) -> Reply:
        v, flags, stream, opcode, length = HEADER.unpack(self._exactly(HEADER_SIZE))
        body = self._exactly(length)
        if flags & 0x01:
            body, flags = lz4_decompress(body, 1 << 30), flags & ~0x01
        return Reply(v, flags, stream, opcode, body)

    def is_closed(self, timeout: float = 2.0) -> bool:
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    def request(self, opcode: int, body: bytes = b"", stream: int = 0, flags: int = 0) -> Reply:
        self.send(opcode, body, stream, flags)
        return self.recv()

    def startup(self, compression: str | None = None) -> Reply:
        options = {"CQL_VERSION": "3.4.7"}
        if compression:
            options["COMPRESSION"] = compression
        reply = self.request(Opcode.STARTUP, wire.string_map(options))
        self.compress = compression == "lz4"
        return reply

    def query(self, text: str, stream: int = 0, consistency: int = 1, flags: int = 0,
              extra: bytes = b"") -> Reply:
        body = wire.long_string(text) + wire.short(consistency) + wire.byte(flags) + extra
        return self.request(Opcode.QUERY, body, stream)
