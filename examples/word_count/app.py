"""Streaming word count: a Kafka-like topic consumed in batches into counter tables.

    python examples/word_count/app.py --db :memory: --rows 5000

``topic_records`` stands in for a Kafka topic: a reproducible stream of records with a
topic partition, an offset and an event timestamp. The consumer polls batches, counts the
words of each batch in memory, adds them to ``word_counts`` (running totals) and
``word_counts_by_minute`` (per minute of event time), then commits the next offset of each
topic partition, so a second run against the same ``--db`` skips what was counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")
TOPIC = "chat-lines"
GROUP = "word-count"
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)

SENTENCES = (
    "the quick brown fox jumps over the lazy dog",
    "a partition is the unit of distribution and of atomic writes",
    "counters can only be incremented or decremented",
    "the commit log makes every write durable before it is acknowledged",
    "compaction merges sstables and drops what tombstones shadow",
    "a stream never ends so the counts are never final",
)
WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Record:
    """What a Kafka consumer hands over: where the record sits, when it happened, what."""

    partition: int
    offset: int
    timestamp: dt.datetime
    value: str


def topic_records(partitions: int = 3, seed: int = 1, step_ms: int = 250) -> Iterator[Record]:
    """An endless topic: records round-robin over partitions, 4 per second of event time."""
    rng = random.Random(seed)
    offsets = [0] * partitions
    for n in itertools.count():
        p = n % partitions
        yield Record(p, offsets[p], START + dt.timedelta(milliseconds=n * step_ms),
                     rng.choice(SENTENCES))
        offsets[p] += 1


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def minute_of(ts: dt.datetime) -> dt.datetime:
    return ts.replace(second=0, microsecond=0)


class WordCountConsumer:
    """Counts words from batches of records and commits offsets after each batch.

    Counter increments are not idempotent: a batch counted twice is counted twice. The
    offset commit after the counters gives at-least-once counting: a crash between the
    two re-counts that batch on restart.
    """

    def __init__(self, session: cql.Session, group: str = GROUP, topic: str = TOPIC):
        self.session = session
        self.group, self.topic = group, topic
        self._total = session.prepare("UPDATE word_counts SET count = count + ? WHERE word = ?")
        self._by_minute = session.prepare(
            "UPDATE word_counts_by_minute SET count = count + ? WHERE minute = ? AND word = ?")
        self._commit = session.prepare(
            "INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset) "
            "VALUES (?, ?, ?, ?)")
        self._offsets = session.prepare(
            "SELECT partition, next_offset FROM consumer_offsets "
            "WHERE consumer_group = ? AND topic = ?")
        self.positions = {r.partition: r.next_offset
                          for r in session.execute(self._offsets, (group, topic))}

    def consume(self, records: Iterable[Record], batch_size: int = 200) -> int:
        """Process records not yet committed; returns how many were counted."""
        counted = 0
        fresh = (r for r in records if r.offset >= self.positions.get(r.partition, 0))
        while batch := list(itertools.islice(fresh, batch_size)):
            self._apply(batch)
            counted += len(batch)
        return counted

    def _apply(self, batch: list[Record]) -> None:
        totals: Counter[str] = Counter()
        per_minute: Counter[tuple[dt.datetime, str]] = Counter()
        for record in batch:
            for word in words(record.value):
                totals[word] += 1
                per_minute[minute_of(record.timestamp), word] += 1
        # One increment per distinct word and batch, not one per occurrence.
        for word, n in totals.items():
            self.session.execute(self._total, (n, word))
        for (minute, word), n in per_minute.items():
            self.session.execute(self._by_minute, (n, minute, word))
        for record in batch:
            self.positions[record.partition] = record.offset + 1
        for partition, offset in sorted(self.positions.items()):
            self.session.execute(self._commit, (self.group, self.topic, partition, offset))

    def top(self, n: int = 10) -> list[tuple[str, int]]:
        """The most frequent words overall.

        Cassandra cannot order by a counter, so the (small) table is read and sorted here;
        a large vocabulary would keep a separate top-N table instead.
        """
        rows = self.session.execute("SELECT word, count FROM word_counts")
        return sorted(((r.word, r.count) for r in rows), key=lambda wc: (-wc[1], wc[0]))[:n]

    def minute(self, minute: dt.datetime) -> dict[str, int]:
        rows = self.session.execute(
            "SELECT word, count FROM word_counts_by_minute WHERE minute = %s", (minute,))
        return {r.word: r.count for r in rows}


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 2000,
                        "records of the topic to consume (default 2000)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"database: {args.db}")
    with open_session(args.db, SCHEMA) as session:
        consumer = WordCountConsumer(session)
        records = itertools.islice(topic_records(seed=args.seed), args.rows)
        with timed(f"consume {args.rows} records", args.rows):
            counted = consumer.consume(records, args.batch_size)
        print(f"  counted {counted} records, skipped {args.rows - counted} committed by an "
              f"earlier run; next offsets: {dict(sorted(consumer.positions.items()))}")
        top = consumer.top(10)
        print("  top words: " + ", ".join(f"{w} {n}" for w, n in top))
        first_minute = consumer.minute(minute_of(START))
        print(f"  {minute_of(START):%H:%M} UTC: {sum(first_minute.values())} words, "
              f"'the' x{first_minute.get('the', 0)}")
    return {"counted": counted, "top": top, "first_minute": first_minute,
            "positions": dict(consumer.positions)}


if __name__ == "__main__":
    main()
