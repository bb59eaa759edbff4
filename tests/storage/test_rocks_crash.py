"""Crash tests for the RocksDB engine: the LSM engine's SIGKILL loop (``crash_soak``) with a
RocksDB writer in ``batch``/``group`` mode; every acknowledged write must survive and the
write in flight must be all-or-nothing (skipped without rocksdict)."""

import pytest

from . import crash_soak

pytest.importorskip("rocksdict")


def test_crash_loop_keeps_acknowledged_writes():
    stats = crash_soak.run(iterations=40, seed=20240607, max_wait=0.5, engine="rocks")
    assert stats["iterations"] == 40
    assert stats["acked"] > 0
