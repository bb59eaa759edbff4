"""TRACING output in cqlsh's layout, from the trace the engine attaches to a ResultSet.

The trace is read duck-typed, shaped like the DataStax driver's ``QueryTrace``:
``trace_id``, ``request_type``, ``coordinator``, ``client``, ``started_at`` (UTC datetime),
``duration`` (timedelta) and ``events`` with ``description``, ``thread_name``, ``source``,
``source_elapsed`` (timedelta) and ``datetime``. Dicts with the same keys work too.
"""

from __future__ import annotations

import datetime
import time
import uuid
from typing import TYPE_CHECKING, Any

from .formatting import MAGENTA, RED

if TYPE_CHECKING:
    from .core import Shell

COLUMNS = ["activity", "timestamp", "source", "source_elapsed", "client"]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _local(dt: Any) -> str:
    """A trace time as cqlsh shows it: moved by the local zone's current UTC offset but keeping
    its tzinfo, so the driver's aware event times print with "+00:00" and the naive session
    start without."""
    if not isinstance(dt, datetime.datetime):
        return str(dt)
    now = time.time()
    offset = (datetime.datetime.fromtimestamp(now)
              - datetime.datetime.fromtimestamp(now, datetime.UTC).replace(tzinfo=None))
    return str(dt + offset)


def _micros(value: Any) -> int:
    if isinstance(value, datetime.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return int(value or 0)


def trace_rows(trace: Any) -> list[list[Any]]:
    events = list(_get(trace, "events", None) or [])
    if not events:
        return []
    client = _get(trace, "client", "127.0.0.1")
    coordinator = _get(trace, "coordinator", "127.0.0.1")
    started = _get(trace, "started_at")
    rows: list[list[Any]] = [[_get(trace, "request_type", ""), _local(started), coordinator, 0,
                              client]]
    for ev in events:
        rows.append([f"{_get(ev, 'description', '')} [{_get(ev, 'thread_name', '')}]",
                     _local(_get(ev, "datetime")), _get(ev, "source", coordinator),
                     _micros(_get(ev, "source_elapsed")), client])
    duration = _get(trace, "duration")
    if duration:
        finished = started + duration if isinstance(started, datetime.datetime) else started
        rows.append(["Request complete", _local(finished), coordinator, _micros(duration), client])
    return rows


def print_trace_object(shell: Shell, trace: Any) -> None:
    rows = trace_rows(trace)
    trace_id = _get(trace, "trace_id", "")
    if not rows:
        shell.printerr(f"No rows for session {trace_id} found.")
        return
    shell.writeresult("")
    shell.writeresult("Tracing session: ", color=MAGENTA, newline=False)
    shell.writeresult(str(trace_id))
    shell.writeresult("")
    shell.print_table(COLUMNS, rows)
    shell.writeresult("")


def print_trace(shell: Shell, rs: Any) -> None:
    trace = getattr(rs, "trace", None)
    if trace is None:
        shell.writeresult("Tracing is not available for this statement: the engine recorded "
                          "no trace.", color=RED)
        return
    print_trace_object(shell, trace)


def show_session(shell: Shell, session_id: uuid.UUID) -> None:
    """SHOW SESSION: rebuild a trace from system_traces.sessions/events, if the engine has it."""
    try:
        srs = shell.session.execute(
            "SELECT request, coordinator, client, started_at, duration FROM "
            f"system_traces.sessions WHERE session_id = {session_id}", fetch_size=0)
        ers = shell.session.execute(
            "SELECT activity, source, source_elapsed, thread, event_id FROM "
            f"system_traces.events WHERE session_id = {session_id}", fetch_size=0)
    except Exception:  # noqa: BLE001
        shell.printerr(f"Session {session_id} wasn't found.")
        return
    if not srs.current_rows:
        shell.printerr(f"Session {session_id} wasn't found.")
        return
    request, coordinator, client, started_at, duration = srs.current_rows[0]
    events = []
    for activity, source, elapsed, thread, event_id in ers.current_rows:
        ts = _uuid_time(event_id)
        events.append({"description": activity, "thread_name": thread, "source": source,
                       "source_elapsed": datetime.timedelta(microseconds=elapsed or 0),
                       "datetime": ts})
    trace = {"trace_id": session_id, "request_type": request, "coordinator": coordinator,
             "client": client, "started_at": started_at, "events": events,
             "duration": datetime.timedelta(microseconds=duration) if duration else None}
    print_trace_object(shell, trace)


def _uuid_time(u: Any) -> Any:
    """When a timeuuid was made, as the driver computes a trace event's time (aware UTC)."""
    try:
        return datetime.datetime.fromtimestamp((u.time - 0x01B21DD213814000) / 1e7,
                                               datetime.UTC)
    except Exception:  # noqa: BLE001
        return u
