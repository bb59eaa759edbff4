"""A social feed: fan-out on write into TTL'd home feeds, profiles in static columns.

    python examples/feed/app.py --db :memory: --rows 500
    python examples/feed/app.py --db :memory: --rows 20 --ttl 2 --wait-for-expiry

Creates users who follow each other, posts ``--rows`` reviews, photos and check-ins (each
copied into every follower's home feed), then reads a home feed, a profile, and the
entries a user has not seen yet. With ``--wait-for-expiry`` it waits out ``--ttl`` and
shows the feed entries gone while the static per-user data stays.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _support import arg_parser, open_session, timed

import cql

SCHEMA = Path(__file__).with_name("schema.cql")

PLACES = ("Toit", "Truffles", "Meghana Foods", "Vidyarthi Bhavan", "CTR", "Koshy's",
          "Glen's Bakehouse", "Brahmin's Coffee Bar")
KINDS = {
    "review": "{stars} stars for {place}",
    "photo": "photo: the thali at {place}",
    "checkin": "checked in at {place}",
}


@dataclass
class Entry:
    id: uuid.UUID
    author: str
    kind: str
    body: str
    ttl: int | None  # seconds left before the entry expires


class Feed:
    """Posts go to the author's partition and to a copy in every follower's home feed."""

    def __init__(self, session: cql.Session, entry_ttl: int | None = None):
        self.session = session
        ttl = "USING TTL ?" if entry_ttl is not None else ""  # none: the table's default
        self.entry_ttl = entry_ttl
        self._profile = session.prepare(
            "INSERT INTO users_with_status_updates (username, email, display_name) "
            "VALUES (?, ?, ?)")
        self._follow = session.prepare("INSERT INTO followers (username, follower) VALUES (?, ?)")
        self._followers = session.prepare("SELECT follower FROM followers WHERE username = ?")
        self._own_post = session.prepare(
            "INSERT INTO users_with_status_updates (username, id, kind, body) VALUES (?, ?, ?, ?)")
        self._feed_entry = session.prepare(
            f"INSERT INTO home_feed (owner, id, author, kind, body) VALUES (?, ?, ?, ?, ?) {ttl}")
        self._home = session.prepare(
            "SELECT id, author, kind, body, TTL(body) AS ttl FROM home_feed "
            "WHERE owner = ? LIMIT ?")
        self._updates = session.prepare(
            "SELECT email, display_name, id, kind, body FROM users_with_status_updates "
            "WHERE username = ? LIMIT ?")
        self._set_email = session.prepare(
            "UPDATE users_with_status_updates SET email = ? WHERE username = ?")
        self._mark_seen = session.prepare(
            "UPDATE home_feed USING TTL 0 SET last_seen = ? WHERE owner = ?")
        self._last_seen = session.prepare(
            "SELECT last_seen FROM home_feed WHERE owner = ? LIMIT 1")
        self._newer = session.prepare(
            "SELECT id, author, kind, body, TTL(body) AS ttl FROM home_feed "
            "WHERE owner = ? AND id > ?")

    def add_user(self, username: str, email: str, display_name: str) -> None:
        """A partition with only static columns: a profile with no posts yet."""
        self.session.execute(self._profile, (username, email, display_name))

    def follow(self, username: str, follower: str) -> None:
        self.session.execute(self._follow, (username, follower))

    def post(self, author: str, kind: str, body: str) -> uuid.UUID:
        """Write the post once for the author and once per follower (author included)."""
        entry_id = uuid.uuid1()
        self.session.execute(self._own_post, (author, entry_id, kind, body))
        owners = [author] + [r.follower for r in self.session.execute(self._followers, (author,))]
        extra = (self.entry_ttl,) if self.entry_ttl is not None else ()
        for owner in owners:
            self.session.execute(self._feed_entry, (owner, entry_id, author, kind, body, *extra))
        return entry_id

    def home(self, owner: str, limit: int = 20) -> list[Entry]:
        """The newest entries first: one partition, read from its start.

        A partition whose entries have all expired still has its static read marker, and
        Cassandra returns that as one row with null clustering columns: skipped here.
        """
        return [Entry(r.id, r.author, r.kind, r.body, r.ttl)
                for r in self.session.execute(self._home, (owner, limit)) if r.id is not None]

    def profile(self, username: str, limit: int = 5) -> tuple[str | None, str | None, list]:
        """(email, display name, latest posts): the statics come back on every row.

        A user with no posts still has a row: the static columns with null clustering
        columns, which is how a profile is read before its first post.
        """
        rows = self.session.execute(self._updates, (username, limit)).all()
        if not rows:
            return None, None, []
        posts = [(r.id, r.kind, r.body) for r in rows if r.id is not None]
        return rows[0].email, rows[0].display_name, posts

    def change_email(self, username: str, email: str) -> None:
        """One cell, whatever the number of posts in the partition."""
        self.session.execute(self._set_email, (email, username))

    def mark_seen(self, owner: str, entry_id: uuid.UUID) -> None:
        self.session.execute(self._mark_seen, (entry_id, owner))

    def unseen(self, owner: str) -> list[Entry]:
        """Entries newer than the owner's read marker (all of them when there is none)."""
        row = self.session.execute(self._last_seen, (owner,)).one()
        if row is None or row.last_seen is None:
            return self.home(owner, 10_000)
        return [Entry(r.id, r.author, r.kind, r.body, r.ttl)
                for r in self.session.execute(self._newer, (owner, row.last_seen))]


def wait_for_expiry(feed: Feed, owner: str, timeout: float) -> float:
    """Poll until ``owner``'s home feed is empty; returns the seconds waited."""
    start = time.monotonic()
    while feed.home(owner, 1) and time.monotonic() - start < timeout:
        time.sleep(0.2)
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> dict:
    parser = arg_parser(__doc__.splitlines()[0], 200, "posts to make (default 200)")
    parser.add_argument("--users", type=int, default=12, help="users (default 12)")
    parser.add_argument("--ttl", type=int, default=None,
                        help="seconds feed entries live (default: the table's 7 days)")
    parser.add_argument("--wait-for-expiry", action="store_true",
                        help="wait until the feed entries expire and read again")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    users = [f"user{i:02d}" for i in range(args.users)]
    reader = users[0]

    print(f"database: {args.db}")
    with open_session(args.db, SCHEMA) as session:
        feed = Feed(session, args.ttl)
        for name in users:
            feed.add_user(name, f"{name}@example.com", name.replace("user", "Foodie "))
        following: dict[str, list[str]] = {}
        for name in users:
            following[name] = [u for u in rng.sample(users, min(4, len(users))) if u != name]
            for other in following[name]:
                feed.follow(other, name)
        # Before any post, the reader's profile is the static row alone.
        _, display_name, _ = feed.profile(reader)
        print(f"{reader} ({display_name}) follows {', '.join(sorted(following[reader]))}")

        posts: list[uuid.UUID] = []
        with timed(f"{args.rows} posts, fanned out to followers", args.rows):
            for i in range(args.rows):
                kind = rng.choice(sorted(KINDS))
                body = KINDS[kind].format(stars=rng.randint(1, 5), place=rng.choice(PLACES))
                posts.append(feed.post(rng.choice(users), kind, body))
                if i == args.rows // 2:
                    feed.mark_seen(reader, posts[-1])

        with timed(f"home feed of {reader}"):
            home = feed.home(reader, 20)
        for e in home[:5]:
            print(f"    {e.author:>7} {e.kind:<8} {e.body}  (expires in {e.ttl} s)")
        unseen = feed.unseen(reader)
        print(f"  {len(unseen)} entries newer than {reader}'s read marker")

        feed.change_email(reader, f"{reader}@example.org")
        email, display_name, own_posts = feed.profile(reader, 5)
        print(f"  profile {reader}: {display_name} <{email}>, {len(own_posts)} latest posts shown")

        expired = None
        if args.wait_for_expiry:
            waited = wait_for_expiry(feed, reader, (args.ttl or 604800) + 3)
            expired = feed.home(reader, 20)
            marker = session.execute("SELECT last_seen FROM home_feed WHERE owner = %s",
                                     (reader,)).one()
            print(f"  after {waited:.1f} s: {len(expired)} feed entries left, read marker "
                  f"{'kept' if marker and marker.last_seen else 'gone'}")

    return {"users": users, "posts": posts, "home": home, "unseen": unseen, "email": email,
            "display_name": display_name, "own_posts": own_posts, "expired": expired}


if __name__ == "__main__":
    main()
