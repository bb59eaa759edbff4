"""Version-1 (time-based) uuids: the one generator of the process.

Trace session and event ids, ``now()`` and ``current_timeuuid()`` all come from
:func:`timeuuid`: 100 ns ticks since 1582-10-15 that never repeat within the process (a
tick already used moves on by 100 ns), a random clock sequence and a random node id with the
multicast bit set, as RFC 4122 asks of ids that are not MAC addresses.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

#: 1582-10-15 (the uuid epoch), in 100 ns units before the Unix epoch.
UUID_EPOCH = 0x01B21DD213814000

_NODE = int.from_bytes(os.urandom(6), "big") | 0x010000000000
_CLOCK_SEQ = int.from_bytes(os.urandom(2), "big") & 0x3FFF
_last_ticks = 0
_ticks_lock = threading.Lock()


def timeuuid(unix_ns: int | None = None) -> uuid.UUID:
    """A version-1 uuid for ``unix_ns`` (default now), unique within the process."""
    global _last_ticks
    ticks = (time.time_ns() if unix_ns is None else unix_ns) // 100 + UUID_EPOCH
    with _ticks_lock:
        if ticks <= _last_ticks:
            ticks = _last_ticks + 1
        _last_ticks = ticks
    fields = (ticks & 0xFFFFFFFF, (ticks >> 32) & 0xFFFF, 0x1000 | (ticks >> 48) & 0x0FFF,
              0x80 | _CLOCK_SEQ >> 8, _CLOCK_SEQ & 0xFF, _NODE)
    return uuid.UUID(fields=fields)
