"""The v4 frame (envelope): 9-byte header, body, optional lz4 body compression.

Kept apart from the message bodies so another transport (v5 segments) would only need a
new framing module.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import lz4.block

from cassalite.server.wire import ProtocolViolation

HEADER = struct.Struct(">BBhBi")
HEADER_SIZE = HEADER.size  # 9

PROTOCOL_VERSION = 4
RESPONSE = 0x80

# header flags
COMPRESSED = 0x01
TRACING = 0x02
CUSTOM_PAYLOAD = 0x04
WARNING = 0x08
USE_BETA = 0x10

EVENT_STREAM = -1

DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024


class Opcode:
    ERROR = 0x00
    STARTUP = 0x01
    READY = 0x02
    AUTHENTICATE = 0x03
    OPTIONS = 0x05
    SUPPORTED = 0x06
    QUERY = 0x07
    RESULT = 0x08
    PREPARE = 0x09
    EXECUTE = 0x0A
    REGISTER = 0x0B
    EVENT = 0x0C
    BATCH = 0x0D
    AUTH_CHALLENGE = 0x0E
    AUTH_RESPONSE = 0x0F
    AUTH_SUCCESS = 0x10


OPCODE_NAMES = {v: k for k, v in vars(Opcode).items() if not k.startswith("_")}


@dataclass(slots=True)
class Header:
    version: int  # low 7 bits of the first byte
    is_response: bool
    flags: int
    stream: int
    opcode: int
    length: int

    @classmethod
    def parse(cls, raw: bytes) -> Header:
        v, flags, stream, opcode, length = HEADER.unpack(raw)
        return cls(v & 0x7F, bool(v & RESPONSE), flags, stream, opcode, length)


@dataclass(slots=True)
class Frame:
    header: Header
    body: bytes

    @property
    def opcode(self) -> int:
        return self.header.opcode

    @property
    def stream(self) -> int:
        return self.header.stream

    @property
    def flags(self) -> int:
        return self.header.flags


def encode(stream: int, opcode: int, body: bytes, flags: int = 0,
           version: int = PROTOCOL_VERSION, compress: bool = False) -> bytes:
    """A response frame; compresses the body with lz4 when asked."""
    if compress and body:
        body = lz4_compress(body)
        flags |= COMPRESSED
    return HEADER.pack(version | RESPONSE, flags, stream, opcode, len(body)) + body


def lz4_compress(body: bytes) -> bytes:
    """v4 lz4: 4-byte big-endian uncompressed length + one raw lz4 block."""
    return struct.pack(">I", len(body)) + lz4.block.compress(body, store_size=False)


def lz4_decompress(body: bytes, max_size: int) -> bytes:
    if len(body) < 4:
        raise ProtocolViolation("Compressed body too short")
    (size,) = struct.unpack_from(">I", body)
    if size > max_size:
        raise ProtocolViolation(f"Uncompressed body of {size} bytes exceeds the frame limit")
    if size == 0:
        return b""
    try:
        out = lz4.block.decompress(body[4:], uncompressed_size=size)
    except (lz4.block.LZ4BlockError, ValueError) as e:
        raise ProtocolViolation(f"Invalid lz4 body: {e}") from None
    if len(out) != size:
        raise ProtocolViolation("lz4 body does not match its announced length")
    return out
