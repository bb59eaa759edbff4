"""Hostile input: random, truncated and mutated frames never crash the server.

Seeded and bounded. Each case runs on its own connection; afterwards the server must
still answer a fresh client, and must not have logged an unexpected failure.
"""

from __future__ import annotations

import logging
import random
import socket

import pytest
from rawclient import RawClient

from cassalite.server import ServerConfig, ServerThread, wire
from cassalite.server.frame import HEADER, Opcode

SEED = 20240611
CASES = 2000


def _params(flags: int = 0x04, extra: bytes = b"\x00\x00\x00\x10") -> bytes:
    return wire.short(1) + wire.byte(flags) + extra


def seed_frames() -> list[bytes]:
    bodies = [
        (Opcode.OPTIONS, b""),
        (Opcode.STARTUP, wire.string_map({"CQL_VERSION": "3.4.7", "COMPRESSION": "lz4"})),
        (Opcode.REGISTER, wire.string_list(["SCHEMA_CHANGE", "STATUS_CHANGE"])),
        (Opcode.QUERY, wire.long_string("SELECT * FROM system.local WHERE key = 'local'")
         + _params()),
        (Opcode.QUERY, wire.long_string("INSERT INTO fz.t (k, v) VALUES (?, ?)")
         + _params(0x01 | 0x20, wire.short(2) + wire.bytes_(b"\x00\x00\x00\x01")
                   + wire.int32(-2) + wire.long(1))),
        (Opcode.PREPARE, wire.long_string("SELECT v FROM fz.t WHERE k = ?")),
        (Opcode.EXECUTE, wire.short_bytes(b"\x00" * 16) + _params()),
        (Opcode.BATCH, wire.byte(0) + wire.short(1) + wire.byte(0)
         + wire.long_string("INSERT INTO fz.t (k, v) VALUES (1, 'x')") + wire.short(0)
         + wire.short(1) + wire.byte(0)),
        (Opcode.AUTH_RESPONSE, wire.bytes_(b"\x00cassandra\x00cassandra")),
    ]
    return [HEADER.pack(4, 0, i, op, len(body)) + body for i, (op, body) in enumerate(bodies)]


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if kind < 0.5 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind < 0.7 and b:
            del b[rng.randrange(len(b))]
        elif kind < 0.9:
            b.insert(rng.randrange(len(b) + 1), rng.randrange(256))
        else:
            b += rng.randbytes(rng.randint(1, 20))
    return bytes(b)


def random_case(rng: random.Random, seeds: list[bytes]) -> bytes:
    startup = seeds[1]
    kind = rng.randrange(5)
    if kind == 0:  # pure noise
        return rng.randbytes(rng.randint(1, 64))
    if kind == 1:  # a plausible header with a random opcode, flags and body
        body = rng.randbytes(rng.randint(0, 48))
        header = HEADER.pack(rng.choice([4, 4, 4, 0x84, 5, 3]), rng.randrange(32),
                             rng.randint(-5, 100), rng.randrange(20), len(body))
        return (startup if rng.random() < 0.5 else b"") + header + body
    frame = rng.choice(seeds)
    if kind == 2:  # truncated
        return startup + frame[:rng.randrange(len(frame))]
    if kind == 3:  # mutated body, header fixed up so the frame is well delimited
        body = mutate(rng, frame[9:])
        v, flags, stream, op, _ = HEADER.unpack(frame[:9])
        return startup + HEADER.pack(v, flags & ~0x01, stream, op, len(body)) + body
    return startup + mutate(rng, frame)  # mutated anywhere, header included


def exchange(port: int, data: bytes, half_close: bool) -> None:
    """Send; then either half-close and read until the server hangs up, or hang up at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65536):
                    pass
        except ConnectionError:
            pass


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def fuzz_server():
    handler = _Errors()
    log = logging.getLogger("cassalite.server")
    log.addHandler(handler)
    try:
        with ServerThread(ServerConfig(memory=True, port=0, max_frame_size=64 * 1024)) as t:
            with RawClient(t.port) as c:
                c.startup()
                c.query("CREATE KEYSPACE fz WITH replication = {'class': 'SimpleStrategy', "
                        "'replication_factor': 1}")
                c.query("CREATE TABLE fz.t (k int PRIMARY KEY, v text)")
            yield t, handler
    finally:
        log.removeHandler(handler)


def test_random_and_truncated_frames_never_crash_the_server(fuzz_server):
    server, errors = fuzz_server
    rng = random.Random(SEED)
    seeds = seed_frames()
    for _ in range(CASES):
        exchange(server.port, random_case(rng, seeds), rng.random() < 0.8)
    with RawClient(server.port) as c:
        assert c.request(Opcode.OPTIONS).opcode == Opcode.SUPPORTED
        assert c.startup().opcode == Opcode.READY
        assert c.query("SELECT key FROM system.local").result_kind() == 2
    assert not [r.getMessage() for r in errors.records]


def test_garbage_after_a_good_request_only_kills_that_connection(fuzz_server):
    server, _ = fuzz_server
    with RawClient(server.port) as good, RawClient(server.port) as bad:
        good.startup()
        bad.startup()
        bad.send_raw(b"\x04\x00\x00\x01\x07\x7f\xff\xff\xff" + b"\x00" * 100)
        assert bad.recv().error()[0] == 0x000A
        assert bad.is_closed()
        assert good.query("SELECT key FROM system.local").result_kind() == 2


def test_decoder_only_raises_protocol_violations():
    """Any body for any opcode decodes or raises ProtocolViolation, nothing else."""
    from cassalite.server import messages
    from cassalite.server.wire import ProtocolViolation

    rng = random.Random(SEED)
    seeds = [f[9:] for f in seed_frames()]
    for _ in range(20_000):
        body = mutate(rng, rng.choice(seeds)) if rng.random() < 0.7 else rng.randbytes(
            rng.randint(0, 40))
        try:
            messages.decode(rng.randrange(18), rng.randrange(32), body)
        except ProtocolViolation:
            pass
