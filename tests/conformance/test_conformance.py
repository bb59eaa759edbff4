"""The conformance corpus (``cases/*.cqlt``) as pytest items: one per case per mode.

Every case runs on the memory and the LSM engine; a deterministic ~5% sample also runs
through ``cassalite-server`` with cassandra-driver (skipped when the driver is missing).
``known_failures.txt`` turns a listed failing case into an xfail, and a listed case that
passes into a failure (remove it from the list).

The memory/LSM outcomes are computed up front in ``$CQLT_JOBS`` worker processes (default:
the CPUs, at most 8; ``CQLT_JOBS=1`` runs each case inside its own item instead).

Under pytest the LSM mode flushes before every read that follows a write but does not also
reopen the directory, unless ``CQLT_LSM_REOPEN=1``: reopening ~7,000 times costs ten times
the rest of the corpus, too much for every CI run. The pass rates in docs/compatibility.md come
from ``python -m tests.conformance.update_known_failures``, which reopens; an LSM entry of
known_failures.txt that passes without the reopen is therefore not an error here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
os.environ.setdefault("CQLT_LSM_REOPEN", "0")  # read by the runner at import (see above)
try:
    from tests.conformance import runner as R
except ImportError:  # pytest without the repository root on sys.path
    sys.path.insert(0, str(HERE.parent.parent))
    from tests.conformance import runner as R

FILES, PARSE_ERRORS = R.load_corpus(R.CASES_DIR)
CASES = {c.id: c for cf in FILES for c in cf.cases}
SKIPS = [s for cf in FILES for s in cf.skips]

try:
    _KNOWN = R.parse_known_failures(R.KNOWN_FAILURES)
    _KNOWN_ERROR = None
except R.CorpusError as e:
    _KNOWN, _KNOWN_ERROR = [], e
KNOWN = R.known_failure_index(_KNOWN)

PARAMS = [pytest.param(case.id, mode, id=f"{case.id}-{mode}")
          for cf in FILES for case in cf.cases
          for mode in R.planned_modes(case.id, R.MODES)]


@pytest.fixture(scope="session")
def conformance_outcomes(request):
    """(case id, mode) -> Outcome for the memory/LSM items of this session, run in worker
    processes on first use."""
    cache: dict = {}
    jobs = R.default_jobs()
    if jobs > 1 and not os.environ.get("PYTEST_XDIST_WORKER"):
        pairs = []
        for item in request.session.items:
            callspec = getattr(item, "callspec", None)
            if item.module.__name__ != __name__ or callspec is None or \
                    item.originalname != "test_case":
                continue
            case_id, mode = callspec.params["case_id"], callspec.params["mode"]
            if mode != "server":
                pairs.append((CASES[case_id], mode))
        if len(pairs) >= 4 * jobs:
            tr = request.config.pluginmanager.get_plugin("terminalreporter")
            total, step, done = len(pairs), max(1, len(pairs) // 10), [0]
            if tr is not None:
                tr.write_line(f"conformance: running {total} memory/LSM cases in {jobs} "
                              "worker processes (CQLT_JOBS)")

            def progress(outcome):
                done[0] += 1
                if tr is not None and (done[0] % step == 0 or done[0] == total):
                    tr.write_line(f"conformance: {done[0]}/{total} done")

            cache.update(R.run_many(pairs, jobs, progress))
    yield cache
    R.shutdown_server()


@pytest.mark.parametrize("case_id, mode", PARAMS)
def test_case(case_id, mode, conformance_outcomes, pytestconfig):
    if mode == "server":
        pytest.importorskip("cassandra", reason="server mode needs cassandra-driver")
    outcome = conformance_outcomes.get((case_id, mode))
    if outcome is None:
        outcome = R.run_case(CASES[case_id], mode)
    known = KNOWN.get((case_id, mode))
    # For the pass-rate summary at the end of the run (conftest.py).
    if not hasattr(pytestconfig, "cqlt_outcomes"):
        pytestconfig.cqlt_outcomes = []
    pytestconfig.cqlt_outcomes.append(outcome)
    if outcome.passed:
        weaker = mode == "lsm" and not R.LSM_REOPEN
        if known is not None and not known.flaky and not weaker:
            pytest.fail(f"{case_id} [{mode}] passes now: remove it from known_failures.txt "
                        f"(line {known.line}: {known.reason})", pytrace=False)
        return
    if known is not None:
        pytest.xfail(f"{known.reason} | now: {outcome.first_line}")
    pytest.fail(outcome.message, pytrace=False)


@pytest.mark.parametrize("skip", SKIPS, ids=[s.id for s in SKIPS])
def test_skipped(skip):
    pytest.skip(f"{skip.reason} ({Path(skip.path).name}:{skip.line})")


@pytest.mark.parametrize("error", PARSE_ERRORS, ids=[Path(e.path).name for e in PARSE_ERRORS])
def test_parse_error(error):
    pytest.fail(f"malformed corpus file: {error}", pytrace=False)


def test_known_failures_file():
    """known_failures.txt parses and names only cases (and modes) that exist and run."""
    if _KNOWN_ERROR is not None:
        pytest.fail(str(_KNOWN_ERROR), pytrace=False)
    broken = {Path(e.path).stem for e in PARSE_ERRORS}
    problems = []
    for kf in _KNOWN:
        if kf.case_id.split(".", 1)[0] in broken:
            continue  # its file does not parse today: reported by test_parse_error
        if kf.case_id not in CASES:
            problems.append(f"line {kf.line}: no case {kf.case_id}")
            continue
        for mode in kf.modes or ():
            if mode not in R.planned_modes(kf.case_id, R.MODES):
                problems.append(f"line {kf.line}: {kf.case_id} does not run in {mode} mode")
    if problems:
        pytest.fail("known_failures.txt:\n  " + "\n  ".join(problems), pytrace=False)
