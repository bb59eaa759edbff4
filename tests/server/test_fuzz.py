"""Hostile input: random, truncated and mutated frames never crash the server.

Seeded and bounded. Each case runs on its own connection; afterwards the server must
still answer a fresh client, and must not have logged an unexpected failure. A second
fuzzer keeps one connection open and sends it mutated requests for a fixed time budget
(``CASSALITE_FUZZ_SECONDS``, default 3): every answer must be a well-formed RESULT or a
proper CQL error (never ServerError), while another client keeps being served.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time

import pytest

from cassalite.server import ServerConfig, ServerThread, wire
from cassalite.server.frame import HEADER, Opcode

from .rawclient import RawClient

SEED = 20240611
CASES = 2000
BUDGET = float(os.environ.get("CASSALITE_FUZZ_SECONDS", "3"))
#: every error code of protocol v4 except ServerError (0x0000)
CQL_ERROR_CODES = {0x000A, 0x0100, 0x1000, 0x1001, 0x1002, 0x1003, 0x1100, 0x1200, 0x1300,
                   0x1400, 0x1500, 0x1600, 0x1700, 0x2000, 0x2100, 0x2200, 0x2300, 0x2400,
                   0x2500}


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


def _data_frames() -> list[tuple[int, bytes]]:
    """(opcode, body) of well-formed data requests, the fuzzer's starting points."""
    values = (wire.short(3) + wire.bytes_(b"\x00\x00\x00\x07") + wire.bytes_(b"seven")
              + wire.bytes_(None))
    return [
        (Opcode.QUERY, wire.long_string("SELECT k, v FROM fz.t WHERE k = 1") + _params()),
        (Opcode.QUERY, wire.long_string("INSERT INTO fz.t (k, v) VALUES (?, ?) USING TTL ?")
         + _params(0x01, values[:-6] + wire.bytes_(b"\x00\x00\x00\x05"))),
        (Opcode.QUERY, wire.long_string("SELECT * FROM fz.t") + wire.short(1)
         + wire.byte(0x04 | 0x08) + wire.int32(2) + wire.bytes_(b"\x00\x01")),
        (Opcode.QUERY, wire.long_string("UPDATE fz.t SET v = :v WHERE k = :k")
         + wire.short(1) + wire.byte(0x01 | 0x40) + wire.short(2) + wire.string("v")
         + wire.bytes_(b"x") + wire.string("k") + wire.bytes_(b"\x00\x00\x00\x02")),
        (Opcode.PREPARE, wire.long_string("SELECT v FROM fz.t WHERE k = ?")),
        (Opcode.PREPARE, wire.long_string("INSERT INTO fz.t (k, v) VALUES (?, ?)")),
        (Opcode.BATCH, wire.byte(1) + wire.short(2) + wire.byte(0)
         + wire.long_string("INSERT INTO fz.t (k, v) VALUES (?, 'b')") + wire.short(1)
         + wire.bytes_(b"\x00\x00\x00\x09") + wire.byte(0)
         + wire.long_string("DELETE FROM fz.t WHERE k = 9") + wire.short(0)
         + wire.short(1) + wire.byte(0x20) + wire.long(12345)),
    ]


def _check_reply(reply, case: str) -> None:
    assert reply.opcode in (Opcode.RESULT, Opcode.ERROR), (case, reply)
    if reply.opcode == Opcode.ERROR:
        code, message = reply.error()
        assert code in CQL_ERROR_CODES, f"{case}: error {code:#06x} {message}"
        assert message, case
    else:
        assert reply.result_kind() in (1, 2, 3, 4, 5), (case, reply)


def test_mutated_requests_get_proper_cql_answers_for_a_fixed_budget(fuzz_server):
    """One long-lived connection gets mutated data requests (also EXECUTE of the ids it
    prepared); each gets a RESULT or a non-ServerError error, or a protocol error that
    closes the connection (then a new one is opened). A bystander is served throughout."""
    server, errors = fuzz_server
    rng = random.Random(SEED + 1)
    seeds = _data_frames()
    prepared: list[bytes] = []
    stop = threading.Event()
    bystander_errors: list[str] = []

    def bystander() -> None:
        with RawClient(server.port) as c:
            c.startup()
            while not stop.is_set():
                reply = c.query("SELECT key FROM system.local")
                if reply.opcode != Opcode.RESULT:
                    bystander_errors.append(repr(reply))
                time.sleep(0.01)

    watcher = threading.Thread(target=bystander)
    watcher.start()
    client = RawClient(server.port)
    client.startup()
    deadline = time.monotonic() + BUDGET
    cases = 0
    seen: set = set()
    try:
        while time.monotonic() < deadline:
            cases += 1
            if prepared and rng.random() < 0.25:
                opcode = Opcode.EXECUTE
                body = wire.short_bytes(rng.choice(prepared)) + rng.choice(
                    [_params(), _params(0x01, wire.short(1) + wire.bytes_(rng.randbytes(4))),
                     _params(0x01, wire.short(2) + wire.bytes_(rng.randbytes(4))
                             + wire.bytes_(rng.randbytes(rng.randint(0, 9))))])
            else:
                opcode, body = rng.choice(seeds)
            if rng.random() < 0.8:
                body = mutate(rng, body)
            stream = rng.randrange(1, 30000)
            case = f"seed {SEED + 1} case {cases}: op {opcode:#x} body {body!r}"
            try:
                reply = client.request(opcode, body, stream=stream)
            except (ConnectionError, OSError):  # closed after a protocol error
                client.close()
                client = RawClient(server.port)
                client.startup()
                continue
            assert reply.stream == stream, case
            _check_reply(reply, case)
            seen.add(reply.error()[0] if reply.opcode == Opcode.ERROR else "result")
            if reply.opcode == Opcode.RESULT and opcode == Opcode.PREPARE:
                r = wire.Reader(reply.body)
                if r.int() == 4:
                    prepared.append(r.short_bytes())
            if reply.opcode == Opcode.ERROR and reply.error()[0] == 0x000A:
                client.close()
                client = RawClient(server.port)
                client.startup()
    finally:
        stop.set()
        watcher.join()
        client.close()
    assert cases > 50
    # the requests got past decoding into the engine, not only protocol errors
    assert {"result", 0x000A, 0x2200} <= seen, seen
    assert bystander_errors == []
    assert not [r.getMessage() for r in errors.records]
