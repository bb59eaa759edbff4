"""Discord-style chat history: ``(channel_id, bucket)`` partitions, newest message first.

    python examples/messages/app.py --db :memory: --rows 5000

Posts ``--rows`` messages spread over the last ``--days`` days into one channel, then loads
the latest 50 (what a client shows when a channel opens) and jumps to an old message
(what a search result or reply link does), printing how many partitions each read touched.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")

#: Snowflake epoch (Discord's: 2015-01-01T00:00:00Z) in milliseconds.
EPOCH_MS = 1_420_070_400_000
#: A bucket is ten days of messages: small enough that even a busy channel's partition
#: stays far below the size where Cassandra partitions get slow to compact and repair.
BUCKET_MS = 10 * 24 * 3600 * 1000


def make_snowflake(unix_ms: int, sequence: int = 0, worker: int = 0) -> int:
    """A 64-bit id that sorts by creation time: ms since the epoch, then worker, sequence."""
    return ((unix_ms - EPOCH_MS) << 22) | ((worker & 0x3FF) << 12) | (sequence & 0xFFF)


def snowflake_ms(snowflake: int) -> int:
    """The Unix time in milliseconds at which ``snowflake`` was made."""
    return (snowflake >> 22) + EPOCH_MS


def bucket_of(snowflake: int) -> int:
    """The 10-day bucket a message (or a channel, whose id is also a snowflake) falls in."""
    return (snowflake >> 22) // BUCKET_MS


@dataclass
class Message:
    message_id: int
    author_id: int
    content: str


class ChannelHistory:
    """Writes and reads one table of messages; every read walks buckets from one end."""

    def __init__(self, session: cql.Session):
        self.session = session
        self._insert = session.prepare(
            "INSERT INTO messages (channel_id, bucket, message_id, author_id, content) "
            "VALUES (?, ?, ?, ?, ?)")
        columns = "SELECT message_id, author_id, content FROM messages"
        where = "WHERE channel_id = ? AND bucket = ?"
        self._newest = session.prepare(f"{columns} {where} LIMIT ?")
        self._at_or_before = session.prepare(f"{columns} {where} AND message_id <= ? LIMIT ?")
        self._oldest = session.prepare(f"{columns} {where} ORDER BY message_id ASC LIMIT ?")
        self._after = session.prepare(
            f"{columns} {where} AND message_id > ? ORDER BY message_id ASC LIMIT ?")
        self._count = session.prepare(f"SELECT count(*) FROM messages {where}")
        self._last_ms = 0
        self._sequence = 0
        #: Partitions read by the last ``latest``/``around`` call (for the printout).
        self.partitions_read = 0

    def new_id(self, unix_ms: int) -> int:
        """A fresh snowflake; ids made in the same millisecond differ by sequence."""
        if unix_ms == self._last_ms:
            self._sequence += 1
        else:
            self._last_ms, self._sequence = unix_ms, 0
        return make_snowflake(unix_ms, self._sequence)

    def post(self, channel_id: int, author_id: int, content: str,
             unix_ms: int | None = None) -> int:
        at = int(time.time() * 1000) if unix_ms is None else unix_ms
        message_id = self.new_id(at)
        self.session.execute(
            self._insert, (channel_id, bucket_of(message_id), message_id, author_id, content))
        return message_id

    def latest(self, channel_id: int, limit: int = 50, now_ms: int | None = None
               ) -> list[Message]:
        """The newest ``limit`` messages, newest first: current bucket, then older ones."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        newest_bucket = bucket_of(make_snowflake(now))
        return self._walk(channel_id, range(newest_bucket, bucket_of(channel_id) - 1, -1),
                          limit, first=None, plain=self._newest)

    def around(self, channel_id: int, message_id: int, before: int = 25, after: int = 25,
               now_ms: int | None = None) -> list[Message]:
        """Jump to a message: it and ``before`` older ones, plus ``after`` newer ones.

        Newest first, like ``latest``. Older messages come from the message's bucket down
        to the channel's first; newer ones from its bucket up to the current one.
        """
        now = int(time.time() * 1000) if now_ms is None else now_ms
        start = bucket_of(message_id)
        older = self._walk(channel_id, range(start, bucket_of(channel_id) - 1, -1),
                           before + 1, first=(self._at_or_before, message_id),
                           plain=self._newest)
        reads = self.partitions_read
        newer = self._walk(channel_id, range(start, bucket_of(make_snowflake(now)) + 1),
                           after, first=(self._after, message_id), plain=self._oldest)
        self.partitions_read += reads
        return newer[::-1] + older

    def _walk(self, channel_id: int, buckets: Iterable[int], limit: int,
              first: tuple[cql.PreparedStatement, int] | None,
              plain: cql.PreparedStatement) -> list[Message]:
        """Read bucket after bucket until ``limit`` messages are found or buckets run out.

        ``first`` restricts the first bucket to one side of a message id.
        """
        found: list[Message] = []
        self.partitions_read = 0
        for i, bucket in enumerate(buckets):
            if len(found) >= limit:
                break
            want = limit - len(found)
            if i == 0 and first is not None:
                statement, bound = first
                rows = self.session.execute(statement, (channel_id, bucket, bound, want))
            else:
                rows = self.session.execute(plain, (channel_id, bucket, want))
            self.partitions_read += 1
            found.extend(Message(r.message_id, r.author_id, r.content) for r in rows)
        return found

    def bucket_sizes(self, channel_id: int, now_ms: int) -> dict[int, int]:
        """Messages per bucket, from the channel's first bucket to the current one."""
        sizes = {}
        for bucket in range(bucket_of(channel_id), bucket_of(make_snowflake(now_ms)) + 1):
            sizes[bucket] = self.session.execute(self._count, (channel_id, bucket)).one().count
        return sizes


def chat_lines(seed: int) -> Iterator[tuple[int, str]]:
    """An endless, reproducible stream of (author, text) pairs."""
    rng = random.Random(seed)
    words = ("ship it", "lgtm", "anyone around?", "the build is red again", "brb",
             "which partition is hot?", "compaction finished", "nice", "+1", "see thread")
    while True:
        yield rng.randrange(1, 40), rng.choice(words)


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 2000, "messages to post (default 2000)")
    parser.add_argument("--days", type=int, default=45, help="history length (default 45)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    now_ms = int(time.time() * 1000)
    start_ms = now_ms - args.days * 24 * 3600 * 1000
    rng = random.Random(args.seed)
    # Sorted send times over the history, so ids grow as they would in a live channel.
    times = sorted(rng.randrange(start_ms + 1, now_ms) for _ in range(args.rows))

    print(f"database: {args.db}")
    with open_session(args.db, SCHEMA) as session:
        history = ChannelHistory(session)
        channel_id = history.new_id(start_ms)  # a channel's id is the snowflake of its creation
        posted = []
        with timed(f"post {args.rows} messages over {args.days} days", args.rows):
            for at, (author, text) in zip(times, chat_lines(args.seed)):
                posted.append(history.post(channel_id, author, text, at))

        sizes = history.bucket_sizes(channel_id, now_ms)
        print(f"channel {channel_id}: {len(sizes)} buckets of 10 days, "
              f"largest holds {max(sizes.values(), default=0)} messages")

        with timed("latest 50"):
            latest = history.latest(channel_id, 50, now_ms)
        print(f"    {len(latest)} messages from {history.partitions_read} partition(s)")
        for m in latest[:3]:
            print(f"    {m.message_id} <{m.author_id}> {m.content}")

        target = posted[len(posted) // 3] if posted else channel_id
        with timed(f"jump to message {target}"):
            context = history.around(channel_id, target, 25, 25, now_ms)
        print(f"    {len(context)} messages from {history.partitions_read} partition(s), "
              f"sent around {time.strftime('%Y-%m-%d %H:%M', time.gmtime(snowflake_ms(target) / 1000))} UTC")

    return {
        "channel_id": channel_id,
        "posted": posted,
        "bucket_sizes": sizes,
        "latest": [m.message_id for m in latest],
        "target": target,
        "around": [m.message_id for m in context],
    }


if __name__ == "__main__":
    main()
