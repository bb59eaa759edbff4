"""The live progress line: ``[####......]  40%  12,000 rows  1.2 MiB  3,000 rows/s  ETA 0:00:06``.

Progress is the share of (table, token range) units finished; the ETA extrapolates the
elapsed time over it (ranges are equal slices of the ring, so of the data, on average).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

WIDTH = 24


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Progress:
    def __init__(self, total_units: int, done_units: int = 0, out: TextIO | None = None,
                 enabled: bool = True, interval: float = 0.2):
        self.total = max(total_units, 1)
        self.done = done_units
        self.rows = 0
        self.bytes = 0
        self.out = out or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.started = time.monotonic()
        self._skipped = done_units  # finished by an earlier run: not in this run's rate
        self._last = 0.0
        self._lock = threading.Lock()

    def add(self, rows: int, nbytes: int) -> None:
        with self._lock:
            self.rows += rows
            self.bytes += nbytes
        self._draw()

    def unit_done(self) -> None:
        with self._lock:
            self.done += 1
        self._draw(force=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total
        filled = int(WIDTH * share)
        rate = self.rows / elapsed
        run_done = self.done - self._skipped
        left = self.total - self.done
        eta = clock(elapsed / run_done * left) if run_done and left else \
            ("0:00:00" if not left else "--:--:--")
        return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {self.rows:,} rows  "
                f"{human_bytes(self.bytes)}  {rate:,.0f} rows/s  ETA {eta}")

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        self.out.write("\r" + self.line())
        self.out.flush()

    def close(self) -> None:
        if self.enabled:
            self.out.write("\r" + self.line() + "\n")
            self.out.flush()
