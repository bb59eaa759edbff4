"""A migration: which tables, the target's schema, then every (table, token range) unit
copied on a thread pool, recorded in the state file as it finishes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TextIO

import cql

from . import schema
from .progress import Progress
from .ranges import split_ring
from .rows import RangeCopier
from .state import State


class MigrateError(Exception):
    """A migration that cannot start or go on; the message says why."""


@dataclass
class Migration:
    source: str
    target: str
    keyspaces: list[str] = field(default_factory=list)  # empty: every user keyspace
    tables: list[str] = field(default_factory=list)  # keyspace.table; empty: all
    ranges: int = 64
    workers: int = 4
    state_file: str | None = None
    rate: float | None = None  # rows per second at most (None: as fast as it goes)
    progress: bool = True
    out: TextIO | None = None

    def open(self, where: str) -> Any:
        session = cql.connect(where)
        session.row_factory = cql.tuple_factory
        return session

    def plan(self, source: Any) -> list[schema.Table]:
        wanted = {tuple(t.split(".", 1)) for t in self.tables}
        keyspaces = self.keyspaces or sorted({ks for ks, _ in wanted}) or \
            schema.user_keyspaces(source)
        out = []
        for ks in keyspaces:
            if not schema.keyspace_exists(source, ks):
                raise MigrateError(f"Keyspace {ks} does not exist on the source {self.source}")
            for t in schema.tables(source, ks):
                if not wanted or (ks, t.name) in wanted:
                    out.append(t)
        missing = wanted - {(t.keyspace, t.name) for t in out}
        if missing:
            raise MigrateError("No such table on the source: "
                               + ", ".join(sorted(".".join(m) for m in missing)))
        return out


class _Throttle:
    """At most ``rate`` rows per second over all workers."""

    def __init__(self, rate: float | None):
        self.rate = rate
        self.start = time.monotonic()
        self.rows = 0
        self.lock = threading.Lock()

    def __call__(self, rows: int) -> None:
        if not self.rate:
            return
        with self.lock:
            self.rows += rows
            due = self.start + self.rows / self.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def migrate(m: Migration) -> dict[str, int]:
    """Run a migration; returns rows copied per table (in this run)."""
    try:
        source = m.open(m.source)
    except Exception as e:
        raise MigrateError(f"Cannot open the source {m.source}: {e}") from e
    try:
        try:
            target = m.open(m.target)
        except Exception as e:
            raise MigrateError(f"Cannot open the target {m.target}: {e}") from e
        try:
            return _run(m, source, target)
        finally:
            target.close()
    finally:
        source.close()


def _run(m: Migration, source: Any, target: Any) -> dict[str, int]:
    tables = m.plan(source)
    by_keyspace: dict[str, set[str]] = {}
    for t in tables:
        by_keyspace.setdefault(t.keyspace, set()).add(t.name)
    for ks, names in by_keyspace.items():
        try:
            schema.prepare_target(source, target, ks, names)
        except schema.SchemaError as e:
            raise MigrateError(str(e)) from None
    state = State(m.state_file, m.source, m.target, m.ranges)
    ring = split_ring(m.ranges)
    units = [(t, r) for t in tables for r in ring]
    todo = [(t, r) for t, r in units if not state.is_done(t.qualified, r.index)]
    progress = Progress(len(units), len(units) - len(todo), out=m.out, enabled=m.progress)
    throttle = _Throttle(m.rate)
    copiers = {t.qualified: RangeCopier(source, target, t) for t in tables}
    copied: dict[str, int] = {t.qualified: 0 for t in tables}
    lock = threading.Lock()

    def on_rows(rows: int, nbytes: int) -> None:
        progress.add(rows, nbytes)
        throttle(rows)

    def one(unit: Any) -> None:
        t, r = unit
        name = t.qualified
        redo = state.was_started(name, r.index)
        state.start(name, r.index)
        rows = copiers[name].copy(r, redo=redo, on_rows=on_rows)
        state.finish(name, r.index, rows)
        with lock:
            copied[name] += rows
        progress.unit_done()

    try:
        with ThreadPoolExecutor(max_workers=max(1, m.workers)) as pool:
            futures = [pool.submit(one, u) for u in todo]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for f in futures:
                if f.done() and f.exception() is not None:
                    for other in futures:
                        other.cancel()
                    raise f.exception()  # type: ignore[misc]
    finally:
        progress.close()
    return copied
