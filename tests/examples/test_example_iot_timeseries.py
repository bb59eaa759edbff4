"""examples/iot_timeseries: day buckets, TWCS, default TTL, range queries."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

EXAMPLE = "iot_timeseries"


def test_main_range_latest_and_summaries(app: ModuleType) -> None:
    result = app.main(["--db", ":memory:", "--sensors", "2", "--days", "2", "--rows", "24"])
    end = result["window"][1]
    recent = result["recent"]
    # Hourly readings over the 30 hours before midnight, newest first, across two days.
    assert [r.ts for r in recent] == [end - dt.timedelta(hours=h) for h in range(1, 31)]
    assert {r.ts.date() for r in recent} == {end.date() - dt.timedelta(days=d) for d in (1, 2)}
    assert result["latest"].ts == (end - dt.timedelta(hours=1)).replace(tzinfo=None)
    assert 2591990 <= result["latest"].ttl <= 2592000  # the table's default TTL
    assert [s.n for s in result["summaries"].values()] == [24, 24]
    for s in result["summaries"].values():
        assert s.low <= s.mean <= s.high
    assert result["sstables"] is None


def test_days_between(app: ModuleType) -> None:
    utc = dt.UTC
    day = dt.datetime(2024, 3, 1, tzinfo=utc)
    assert app.days_between(day, day + dt.timedelta(days=1)) == [day.date()]
    assert app.days_between(day - dt.timedelta(hours=1), day + dt.timedelta(minutes=1)) == [
        dt.date(2024, 3, 1), dt.date(2024, 2, 29)]


def test_twcs_keeps_one_sstable_per_day(app: ModuleType, data_dir: str) -> None:
    result = app.main(["--db", data_dir, "--sensors", "1", "--days", "3", "--rows", "8"])
    assert result["sstables"] == 3
    assert len(result["recent"]) == 10  # a reading every 3 hours over 30 hours
