"""Crash tests: SIGKILL a batch-mode writer at random points (including inside flushes
and compactions) 50 times; every acknowledged write must survive and the write in flight
must be all-or-nothing. ``tests/storage/crash_soak.py`` runs the same loop for longer."""

from . import crash_soak


def test_crash_loop_keeps_acknowledged_writes():
    stats = crash_soak.run(iterations=50, seed=20240601, max_wait=0.5)
    assert stats["iterations"] == 50
    assert stats["acked"] > 0
    assert stats["self_killed"] > 0  # whitebox kill points were exercised
