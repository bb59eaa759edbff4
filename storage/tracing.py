"""Request tracing: what the database did for one request, as timed events.

A trace is made current for the length of one request through a context variable, so requests
running on other threads or asyncio tasks never mix their events. Any layer reports a step by
calling :func:`trace`; when no trace is current that costs a single context-variable lookup,
so the calls can sit on hot paths. Work that only matters to a trace (counting tombstones,
telling a bloom-filter skip from an index miss) is guarded by :func:`current`.

The objects are shaped like the DataStax driver's ``QueryTrace`` and ``TraceEvent``, so code
(and cqlsh's printer) that reads a driver trace reads ours unchanged.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from .timeuuid import UUID_EPOCH, timeuuid

# Stages, named after the Cassandra thread pools that do the same work, so traces read alike.
COORDINATOR = "Native-Transport-Requests"
READ = "ReadStage"
MUTATION = "MutationStage"

def uuid_datetime(u: uuid.UUID) -> datetime.datetime:
    """The moment a version-1 uuid was made, in UTC, computed exactly as the DataStax driver
    does for trace events (float seconds, so the same microsecond rounding; tz-aware)."""
    return datetime.datetime.fromtimestamp((u.time - UUID_EPOCH) / 1e7, datetime.UTC)


class TraceEvent(NamedTuple):
    description: str
    datetime: datetime.datetime  # tz-aware UTC, as the driver gives event times
    source: str
    source_elapsed: datetime.timedelta
    thread_name: str
    event_id: uuid.UUID


class QueryTrace:
    """The events of one request, with when it started and how long it took."""

    def __init__(self, request_type: str, parameters: dict[str, str] | None = None,
                 client: str = "127.0.0.1", coordinator: str = "127.0.0.1",
                 command: str = "QUERY"):
        self._start_ns = time.perf_counter_ns()
        self._start_unix_ns = time.time_ns()
        self.trace_id = timeuuid(self._start_unix_ns)
        self.request_type = request_type
        self.parameters = dict(parameters or {})
        self.client = client
        self.coordinator = coordinator
        self.command = command
        # naive UTC, as drivers read system_traces.sessions.started_at
        self.started_at = uuid_datetime(self.trace_id).replace(tzinfo=None)
        self.duration: datetime.timedelta | None = None
        self.events: list[TraceEvent] = []
        # what storage read since the last read summary (see take_read_counts)
        self.live_rows = 0
        self.tombstones = 0

    def elapsed_micros(self) -> int:
        return (time.perf_counter_ns() - self._start_ns) // 1000

    def add(self, activity: str, stage: str = COORDINATOR) -> None:
        # event times are the start time plus monotonic elapsed time, so they never run
        # backwards or past the request's end, whatever the wall clock does meanwhile
        elapsed_ns = time.perf_counter_ns() - self._start_ns
        event_id = timeuuid(self._start_unix_ns + elapsed_ns)
        self.events.append(TraceEvent(
            activity, uuid_datetime(event_id), self.coordinator,
            datetime.timedelta(microseconds=elapsed_ns // 1000), stage, event_id))

    def count_read(self, live_rows: int, tombstones: int) -> None:
        self.live_rows += live_rows
        self.tombstones += tombstones

    def take_read_counts(self) -> tuple[int, int]:
        """Rows and tombstones read since the previous call (one summary per read step)."""
        counts = (self.live_rows, self.tombstones)
        self.live_rows = self.tombstones = 0
        return counts

    def finish(self) -> None:
        self.duration = datetime.timedelta(microseconds=self.elapsed_micros())

    def __repr__(self) -> str:
        return f"<QueryTrace {self.trace_id} {self.request_type!r}: {len(self.events)} events>"


_current: ContextVar[QueryTrace | None] = ContextVar("cassalite_trace", default=None)


def current() -> QueryTrace | None:
    """The trace of the request being served here, if it is traced."""
    return _current.get()


def trace(activity: str, *args: object, stage: str = COORDINATOR) -> None:
    """Record a step of the current request; nothing happens when it is not traced, not even
    the formatting: ``args`` fill the ``{}`` fields of ``activity`` only for a traced request."""
    t = _current.get()
    if t is not None:
        t.add(activity.format(*args) if args else activity, stage)


@contextmanager
def tracing(t: QueryTrace | None) -> Iterator[QueryTrace | None]:
    """Make ``t`` the current trace inside the block (None: run this block untraced)."""
    token = _current.set(t)
    try:
        yield t
    finally:
        _current.reset(token)
