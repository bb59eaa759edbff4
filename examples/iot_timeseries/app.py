"""IoT time series: day-bucketed partitions, TWCS, default TTL, range queries per day.

    python examples/iot_timeseries/app.py --db :memory:
    python examples/iot_timeseries/app.py --db ./iot-data --sensors 10 --days 7 --rows 1440

Writes ``--rows`` readings per sensor per day for the last ``--days`` full days (each written
``USING TIMESTAMP`` of its event time, as a device uploading its buffer would), then runs
a time-range query across day buckets, the latest reading and per-day aggregates. With a
directory it also flushes every six hours of data and shows TWCS keeping one SSTable per
day after a major compaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import admin_of, arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")
UTC = dt.UTC


@dataclass
class Reading:
    sensor_id: str
    ts: dt.datetime
    temperature: float
    humidity: float


def micros(ts: dt.datetime) -> int:
    return int(ts.timestamp()) * 1_000_000 + ts.microsecond


def days_between(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The day buckets ``[start, end)`` touches, newest first."""
    last = (end - dt.timedelta(microseconds=1)).date()
    return [last - dt.timedelta(days=i) for i in range((last - start.date()).days + 1)]


class ReadingStore:
    def __init__(self, session: cql.Session):
        self.session = session
        # The write time is the event time, so TWCS windows follow the data's own days.
        self._insert = session.prepare(
            "INSERT INTO readings (sensor_id, day, ts, temperature, humidity) "
            "VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?")
        self._range = session.prepare(
            "SELECT ts, temperature, humidity FROM readings "
            "WHERE sensor_id = ? AND day = ? AND ts >= ? AND ts < ?")
        self._latest = session.prepare(
            "SELECT ts, temperature, humidity, TTL(temperature) AS ttl FROM readings "
            "WHERE sensor_id = ? AND day = ? LIMIT 1")
        self._summary = session.prepare(
            "SELECT min(temperature) AS low, max(temperature) AS high, "
            "avg(temperature) AS mean, count(*) AS n FROM readings "
            "WHERE sensor_id = ? AND day = ?")

    def write(self, r: Reading) -> None:
        self.session.execute(self._insert, (r.sensor_id, r.ts.date(), r.ts, r.temperature,
                                            r.humidity, micros(r.ts)))

    def between(self, sensor_id: str, start: dt.datetime, end: dt.datetime) -> list[Reading]:
        """Readings in ``[start, end)``, newest first: one partition read per day."""
        out = []
        for day in days_between(start, end):
            for row in self.session.execute(self._range, (sensor_id, day, start, end)):
                out.append(Reading(sensor_id, row.ts.replace(tzinfo=UTC), row.temperature,
                                   row.humidity))
        return out

    def latest(self, sensor_id: str, today: dt.date, lookback_days: int = 2):
        """The newest reading (and its TTL left): today's partition first, then earlier
        days, a few at most (a sensor that has been silent longer is reported as such)."""
        for i in range(lookback_days + 1):
            row = self.session.execute(
                self._latest, (sensor_id, today - dt.timedelta(days=i))).one()
            if row is not None:
                return row
        return None

    def daily_summary(self, sensor_id: str, day: dt.date):
        return self.session.execute(self._summary, (sensor_id, day)).one()


def simulate(sensors: list[str], start: dt.datetime, days: int, per_day: int,
             seed: int) -> Iterator[Reading]:
    """Readings in time order: a daily temperature cycle plus noise, per sensor."""
    rng = random.Random(seed)
    step = dt.timedelta(days=1) / per_day
    offsets = {s: rng.uniform(-3, 3) for s in sensors}
    for i in range(days * per_day):
        ts = start + step * i
        hour = ts.hour + ts.minute / 60
        for s in sensors:
            temperature = 21 + offsets[s] + 4 * math.sin((hour - 9) / 24 * 2 * math.pi)
            yield Reading(s, ts, round(temperature + rng.gauss(0, 0.3), 2),
                          round(rng.uniform(35, 60), 1))


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 288,
                        "readings per sensor per day (default 288: every 5 minutes)")
    parser.add_argument("--sensors", type=int, default=4, help="sensors (default 4)")
    parser.add_argument("--days", type=int, default=3, help="days of history (default 3)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)

    # The last --days complete days (UTC); today has no data yet.
    today = dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - dt.timedelta(days=args.days)
    sensors = [f"sensor-{i:03d}" for i in range(args.sensors)]
    total = args.sensors * args.days * args.rows

    print(f"database: {args.db}")
    with open_session(args.db, SCHEMA) as session:
        store = ReadingStore(session)
        admin = admin_of(session)  # a directory: flush and compact on demand
        flushed_at = start
        with timed(f"write {total} readings ({args.sensors} sensors x {args.days} days)", total):
            for reading in simulate(sensors, start, args.days, args.rows, args.seed):
                if admin is not None and reading.ts - flushed_at >= dt.timedelta(hours=6):
                    admin.flush("iot", "readings")  # a few SSTables per day window
                    flushed_at = reading.ts
                store.write(reading)

        sensor = sensors[0]
        window_end = today
        window_start = window_end - dt.timedelta(hours=30)  # spans two day buckets
        with timed(f"{sensor}, last 30 hours of data"):
            recent = store.between(sensor, window_start, window_end)
        print(f"    {len(recent)} readings from {len(days_between(window_start, window_end))} "
              "day partitions")
        latest = store.latest(sensor, today.date())
        if latest is not None:
            print(f"  latest: {latest.ts:%Y-%m-%d %H:%M} {latest.temperature} C, "
                  f"expires in {latest.ttl / 86400:.1f} days")
        summaries = {}
        for day in days_between(start, window_end):
            s = store.daily_summary(sensor, day)
            summaries[day] = s
            print(f"  {day}: {s.n} readings, {s.low:.1f} .. {s.high:.1f} C, mean {s.mean:.2f}")

        sstables = None
        if admin is not None:
            admin.flush("iot", "readings")
            before = admin.tablestats("iot", "readings")[0]["sstable_count"]
            with timed("major compaction"):
                admin.compact("iot", "readings")
            sstables = admin.tablestats("iot", "readings")[0]["sstable_count"]
            print(f"  TWCS: {before} SSTables -> {sstables} (one per day window)")

    return {"recent": recent, "latest": latest, "summaries": summaries, "sstables": sstables,
            "window": (window_start, window_end), "sensors": sensors}


if __name__ == "__main__":
    main()
