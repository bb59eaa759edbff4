"""The inline/pool cost model (server/scheduling.py): cheap statements stay inline, and a
long wall time on a sampled call is judged by CPU time before anything moves."""

from __future__ import annotations

import time

import pytest

from cassalite.server import scheduling
from cassalite.server.scheduling import CostModel


def _busy(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.fixture
def every_call(monkeypatch):
    monkeypatch.setattr(scheduling, "SAMPLE_EVERY", 1)


def test_unknown_statements_run_on_the_pool_until_measured_cheap():
    costs = CostModel(inline_threshold_ms=1.0)
    assert not costs.run_inline("q")
    assert costs.timed("q", lambda x: x + 1, 1) == 2
    assert costs.run_inline("q")
    assert not costs.run_inline(None)


def test_a_long_wait_off_the_cpu_keeps_a_cheap_statement_inline(every_call):
    """A sampled call that waited 5 ms (as for the GIL) with next to no CPU: its next
    call is measured in CPU time, which stays cheap."""
    costs = CostModel(inline_threshold_ms=1.0)
    costs.timed("q", lambda: None)
    for _ in range(5):
        costs.timed("q", time.sleep, 0.005)
        assert costs.run_inline("q")
    assert costs._costs["q"] < 0.001


def test_a_statement_that_became_expensive_moves_to_the_pool(every_call):
    costs = CostModel(inline_threshold_ms=1.0)
    costs.timed("q", lambda: None)
    assert costs.run_inline("q")
    for _ in range(20):
        costs.timed("q", _busy, 0.004)
        if not costs.run_inline("q"):
            break
    assert not costs.run_inline("q")


def test_wall_samples_of_cheap_calls_are_recorded(every_call):
    costs = CostModel(inline_threshold_ms=1.0)
    costs.timed("q", lambda: None)
    costs._costs["q"] = 0.0005
    costs.timed("q", lambda: None)  # a wall sample well under the threshold
    assert costs._costs["q"] < 0.0005
    assert "q" not in costs._recheck
