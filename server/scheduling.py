"""Where a request runs: inline on the event loop, or on the worker pool.

A thread hop costs far more than a cheap engine call (GIL hand-offs, wake-ups), so
statements whose measured cost is small run inline; anything unknown or slower runs on
the pool so the loop keeps serving other connections. Costs are an exponential moving
average per statement (prepared id or query text), measured as they run.

A cost is the CPU time of the thread that ran the statement, not its wall time: with
workers busy, a cheap statement's wall time is mostly waiting for the GIL, and counting
that sent every statement to the pool, where the hops made the waits longer still. A
statement that spent long off the CPU (``BLOCKED`` seconds: disk I/O, a lock) is charged
its wall time, so it moves to the pool.

A statement known to be cheap is re-measured on one call in ``SAMPLE_EVERY`` (others on
every call, so a slow first run does not keep a statement on the pool for long):
reading a thread's CPU clock is a system call (2 us idle, 7 us on average in the server
under load on this shared VM, with outliers of milliseconds). Those samples read the wall
clock only (a vDSO call): a wall time under the threshold bounds the CPU time, so it is
recorded as is; a longer one may be GIL waits, so the statement's next call is measured
in CPU time as above before anything is decided.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

_ALPHA = 0.2
_MAX_KEYS = 20_000
BLOCKED = 0.02
SAMPLE_EVERY = 16


class CostModel:
    def __init__(self, inline_threshold_ms: float):
        self.threshold = inline_threshold_ms / 1000.0
        self._costs: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()
        self._calls = 0  # unlocked: a lost increment only shifts which call is sampled
        self._recheck: set[Hashable] = set()  # cheap statements whose wall sample was long

    def run_inline(self, key: Hashable | None) -> bool:
        """True when the statement has been measured cheaper than the threshold."""
        if key is None or self.threshold <= 0:
            return False
        cost = self._costs.get(key)
        return cost is not None and cost < self.threshold

    def record(self, key: Hashable | None, seconds: float) -> None:
        if key is None:
            return
        with self._lock:
            old = self._costs.get(key)
            self._costs[key] = seconds if old is None else old + _ALPHA * (seconds - old)
            if old is None and len(self._costs) > _MAX_KEYS:
                self._costs.popitem(last=False)

    def timed(self, key: Hashable | None, fn, *args):
        """``fn(*args)``, its cost recorded under ``key`` when this call is sampled."""
        cost = self._costs.get(key)
        if cost is not None and cost < self.threshold and key not in self._recheck:
            self._calls += 1
            if self._calls % SAMPLE_EVERY:
                return fn(*args)
            start = time.perf_counter()
            try:
                return fn(*args)
            finally:
                wall = time.perf_counter() - start
                if wall < self.threshold:
                    self.record(key, wall)
                else:
                    self._recheck.add(key)
        start, cpu_start = time.perf_counter(), time.thread_time()
        try:
            return fn(*args)
        finally:
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
            self._recheck.discard(key)
            self.record(key, wall if wall - cpu > BLOCKED else cpu)
