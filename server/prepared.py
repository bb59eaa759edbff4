"""The node-wide prepared statement cache.

Ids are Cassandra's: MD5 of (keyspace at prepare time + query text), so re-preparing is
idempotent and ids survive a server restart (drivers re-prepare on Unprepared anyway).
Entries are re-planned transparently after any schema change, since a plan may point at
columns that changed; eviction is LRU.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from cassalite.server.errors import unprepared
from cql.session import PreparedStatement, Session

DEFAULT_CAPACITY = 10_000


def statement_id(keyspace: str | None, query: str) -> bytes:
    return hashlib.md5(((keyspace or "") + query).encode("utf-8")).digest()


@dataclass(slots=True)
class _Entry:
    query: str
    keyspace: str | None
    statement: PreparedStatement
    generation: int
    bind_types: list = field(default_factory=list)  # the markers' types, for decoding values

    def __post_init__(self) -> None:
        self.bind_types = self.statement.bind_types


class PreparedCache:
    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        self.capacity = capacity
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def prepare(self, session: Session, query: str) -> tuple[bytes, PreparedStatement]:
        keyspace = session.keyspace
        generation = session.schema.generation
        statement = session.prepare(query)
        qid = statement_id(keyspace, query)
        with self._lock:
            self._entries[qid] = _Entry(query, keyspace, statement, generation)
            self._entries.move_to_end(qid)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return qid, statement

    def query_text(self, qid: bytes) -> str | None:
        entry = self._entries.get(qid)
        return entry.query if entry is not None else None

    def get(self, session: Session, qid: bytes) -> PreparedStatement:
        """The statement for an id (re-planned if the schema moved on), else Unprepared."""
        return self.lookup(session, qid)[0]

    def lookup(self, session: Session, qid: bytes) -> tuple[PreparedStatement, list]:
        """``get`` with the statement's bind marker types (what decodes its values)."""
        with self._lock:
            entry = self._entries.get(qid)
            if entry is not None:
                self._entries.move_to_end(qid)
        if entry is None:
            raise unprepared(qid)
        generation = session.schema.generation
        if entry.generation == generation:
            return entry.statement, entry.bind_types
        planner = Session(session.database)
        if entry.keyspace:
            planner.set_keyspace(entry.keyspace)
        statement = planner.prepare(entry.query)
        fresh = _Entry(entry.query, entry.keyspace, statement, generation)
        with self._lock:
            if qid in self._entries:
                self._entries[qid] = fresh
        return statement, fresh.bind_types
