"""Prints the conformance pass rates per file and mode after a run that had corpus items."""

from __future__ import annotations

import time


def pytest_sessionstart(session):
    session.config.cqlt_started = time.perf_counter()


def pytest_terminal_summary(terminalreporter, config):
    outcomes = getattr(config, "cqlt_outcomes", None)
    if not outcomes:
        return
    from tests.conformance import runner as R

    files, _ = R.load_corpus(R.CASES_DIR)
    modes = tuple(m for m in R.MODES if any(o.mode == m for o in outcomes))
    terminalreporter.section("conformance pass rates")
    terminalreporter.write_line(R.pass_rate_table(files, outcomes, modes))
    counts = {m: sum(1 for o in outcomes if o.mode == m) for m in modes}
    busy = {m: sum(o.seconds for o in outcomes if o.mode == m) for m in modes}
    terminalreporter.write_line(
        "case time (summed over workers): "
        + ", ".join(f"{m} {counts[m]} cases {busy[m]:.1f}s" for m in modes)
        + f"; wall {time.perf_counter() - getattr(config, 'cqlt_started', time.perf_counter()):.1f}s")
