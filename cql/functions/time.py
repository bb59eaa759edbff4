"""Time and timeuuid functions (Cassandra's TimeFcts, TimeuuidFcts, UuidFcts)."""

from __future__ import annotations

import time as _time
import uuid as _uuid
from typing import Any

from cassalite.storage.timeuuid import UUID_EPOCH, timeuuid
from cql.errors import InvalidRequest
from cql.types.base import CQLType
from cql.types.native import (
    BIGINT,
    DATE,
    DURATION,
    TIME,
    TIMESTAMP,
    TIMEUUID,
    UUID,
    ms_to_timestamp,
    timestamp_to_ms,
)
from cql.types.values import (
    NANOS_PER_DAY,
    NANOS_PER_MILLI,
    Duration,
    Time,
    civil_from_days,
    date_from_days,
    days_from_civil,
    days_in_month,
    days_of,
)

from .base import Function
from .javanum import _java_int_div
from .registry import _add

_UUID_EPOCH_MS = -(UUID_EPOCH // 10_000)  # 1582-10-15T00:00:00Z in Unix milliseconds
_MIN_CLOCK_SEQ_AND_NODE = 0x8080808080808080
_MAX_CLOCK_SEQ_AND_NODE = 0x7F7F7F7F7F7F7F7F


def timeuuid_ms(u: _uuid.UUID) -> int:
    """Unix milliseconds of a version-1 uuid (UUIDGen.unixTimestamp)."""
    return u.time // 10000 + _UUID_EPOCH_MS


def _timeuuid_from(raw_ts: int, lsb: int) -> _uuid.UUID:
    raw_ts &= (1 << 60) - 1
    msb = ((raw_ts & 0xFFFFFFFF) << 32) | (((raw_ts >> 32) & 0xFFFF) << 16) | 0x1000 \
        | ((raw_ts >> 48) & 0x0FFF)
    return _uuid.UUID(int=(msb << 64) | lsb)


def min_timeuuid(ms: int) -> _uuid.UUID:
    """The smallest timeuuid of a millisecond (TimeUUID.minAtUnixMillis)."""
    return _timeuuid_from((ms - _UUID_EPOCH_MS) * 10000, _MIN_CLOCK_SEQ_AND_NODE)


def max_timeuuid(ms: int) -> _uuid.UUID:
    """The largest timeuuid of a millisecond (TimeUUID.maxAtUnixMillis)."""
    return _timeuuid_from((ms - _UUID_EPOCH_MS) * 10000 + 9999, _MAX_CLOCK_SEQ_AND_NODE)


def now_timeuuid() -> _uuid.UUID:
    return timeuuid()


def _now_ms() -> int:
    return _time.time_ns() // 1_000_000


def _ms_to_days(ms: int) -> int:
    """SimpleDateType.fromTimeInMillis: java.time Duration.ofMillis(ms).toDays(), i.e. floor to
    whole seconds then truncate toward zero to days (so -1ms is still 1970-01-01)."""
    secs = ms // 1000
    days = abs(secs) // 86400
    days = days if secs >= 0 else -days
    if not -(2**31) <= days < 2**31:
        raise InvalidRequest(f"Unable to convert timestamp {ms} to a date: out of range")
    return days


def _temporal_ms(t: CQLType, v: Any) -> int:
    """TemporalType.toTimeInMillis of a timestamp, date or timeuuid value."""
    if t is TIMESTAMP:
        return timestamp_to_ms(v)
    if t is DATE:
        return days_of(v) * 86_400_000
    if t is TIMEUUID:
        return timeuuid_ms(v)
    raise AssertionError(t)


def _register_time_functions() -> None:
    _add(Function("now", (), TIMEUUID, now_timeuuid, deterministic=False))
    _add(Function("current_timeuuid", (), TIMEUUID, now_timeuuid, deterministic=False),
         "currenttimeuuid")
    _add(Function("current_timestamp", (), TIMESTAMP, lambda: ms_to_timestamp(_now_ms()),
                  deterministic=False), "currenttimestamp")
    _add(Function("current_date", (), DATE,
                  lambda: date_from_days(_ms_to_days(_now_ms())), deterministic=False),
         "currentdate")
    _add(Function("current_time", (), TIME, lambda: Time(_time.time_ns() % NANOS_PER_DAY),
                  deterministic=False), "currenttime")
    _add(Function("min_timeuuid", (TIMESTAMP,), TIMEUUID,
                  lambda v: min_timeuuid(timestamp_to_ms(v)), monotonic=True), "mintimeuuid")
    _add(Function("max_timeuuid", (TIMESTAMP,), TIMEUUID,
                  lambda v: max_timeuuid(timestamp_to_ms(v)), monotonic=True), "maxtimeuuid")
    for t in (TIMEUUID, TIMESTAMP):
        _add(Function("to_date", (t,), DATE,
                      lambda v, t=t: date_from_days(_ms_to_days(_temporal_ms(t, v))),
                      monotonic=True), "todate")
    for t in (TIMEUUID, DATE):
        _add(Function("to_timestamp", (t,), TIMESTAMP,
                      lambda v, t=t: ms_to_timestamp(_temporal_ms(t, v)), monotonic=True),
             "totimestamp")
    for t in (TIMEUUID, TIMESTAMP, DATE):
        _add(Function("to_unix_timestamp", (t,), BIGINT, lambda v, t=t: _temporal_ms(t, v),
                      monotonic=True), "tounixtimestamp")
    # floor(time, duration[, start]) -- monotonic in its first argument (GROUP BY)
    for t, ret, start in ((TIMESTAMP, TIMESTAMP, TIMESTAMP), (TIMEUUID, TIMESTAMP, TIMESTAMP),
                          (DATE, DATE, DATE)):
        _add(Function("floor", (t, DURATION), ret,
                      lambda v, d, t=t, ret=ret: _floor_temporal(t, ret, v, d, None),
                      partially_monotonic=True))
        _add(Function("floor", (t, DURATION, start), ret,
                      lambda v, d, s, t=t, ret=ret, st=start: _floor_temporal(
                          t, ret, v, d, _temporal_ms(st, s)),
                      partially_monotonic=True))
    _add(Function("floor", (TIME, DURATION), TIME, _floor_time, partially_monotonic=True))


def add_duration_ms(ms: int, months: int, days: int, nanos: int) -> int:
    """Duration.addTo on a UTC calendar: months (day clamped to month end), days, then whole
    milliseconds of the nanoseconds."""
    millis = _java_int_div(nanos, NANOS_PER_MILLI)
    if months == 0 and days == 0:
        return ms + millis
    day, rem = divmod(ms, 86_400_000)
    y, m, d = civil_from_days(day)
    total = y * 12 + (m - 1) + months
    y2, m0 = divmod(total, 12)
    m2 = m0 + 1
    d2 = min(d, days_in_month(y2, m2))
    return (days_from_civil(y2, m2, d2) + days) * 86_400_000 + rem + millis


def _floor_ms(time_ms: int, dur: Duration, start_ms: int) -> int:
    """Duration.floorTimestamp: the latest start + k*dur (k >= 0) not after time_ms."""
    if start_ms > time_ms:
        raise InvalidRequest("The floor function starting time is greater than the provided time")
    if dur.months < 0 or dur.days < 0 or dur.nanoseconds < 0:
        raise InvalidRequest("Negative durations are not supported by the floor function")
    if dur.months == 0:
        step = dur.days * 86_400_000 + dur.nanoseconds // NANOS_PER_MILLI
        if step == 0:
            return time_ms
        return time_ms - (time_ms - start_ms) % step

    def at(k: int) -> int:
        return add_duration_ms(start_ms, dur.months * k, dur.days * k, dur.nanoseconds * k)

    # estimate with 31-day months (an underestimate of k), then walk forward
    approx_ms = dur.months * 31 * 86_400_000 + dur.days * 86_400_000 \
        + dur.nanoseconds // NANOS_PER_MILLI
    k = max(0, (time_ms - start_ms) // approx_ms - 1)
    while at(k) > time_ms and k > 0:
        k -= 1
    while at(k + 1) <= time_ms:
        k += 1
    return at(k)


def _floor_temporal(t: CQLType, ret: CQLType, v: Any, d: Duration, start: int | None) -> Any:
    if ret is DATE:
        if d.nanoseconds != 0:
            raise InvalidRequest(f"The floor on date values cannot be computed for the {d} "
                                 "duration as precision is below 1 day")
    elif d.nanoseconds % NANOS_PER_MILLI != 0:
        raise InvalidRequest(f"The floor cannot be computed for the {d} duration as precision "
                             "is below 1 millisecond")
    ms = _floor_ms(_temporal_ms(t, v), d, 0 if start is None else start)
    if ret is DATE:
        return date_from_days(_ms_to_days(ms))
    return ms_to_timestamp(ms)


def _floor_time(v: Time, d: Duration) -> Time:
    if d.months < 0 or d.days < 0 or d.nanoseconds < 0:
        raise InvalidRequest("Negative durations are not supported by the floor function")
    if d.months != 0 or d.days != 0 or d.nanoseconds > NANOS_PER_DAY:
        raise InvalidRequest("For time values, the floor can only be computed for durations "
                             "smaller that a day")
    if d.nanoseconds == 0:
        return Time(int(v))
    return Time(int(v) - int(v) % d.nanoseconds)


def _register_uuid_functions() -> None:
    _add(Function("uuid", (), UUID, _uuid.uuid4, deterministic=False))
