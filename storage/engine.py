"""The storage engine interface the ``cql`` layer talks to.

An engine stores partitions of tables identified by ``table_id`` (a UUID string). It knows
bytes, timestamps and tombstones; never CQL syntax or types. Reads return
:class:`~storage.model.PartitionView` values: merged through :mod:`storage.model`, with
deletions applied and expired data dropped, but cell timestamps and TTLs kept.

Bounds for scans are decorated keys (see :func:`storage.murmur3.decorate`); bounds for rows
are half-open clustering byte ranges ``[lo, hi)``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Iterator, Mapping, NamedTuple

from .model import Mutation, PartitionView, Row, one_row_mutation, project_view

Slices = list[tuple[bytes, bytes | None]] | None


class TableInfo(NamedTuple):
    """What an engine needs to know about a table (names for the on-disk layout, options)."""

    table_id: str
    keyspace: str
    name: str
    options: Mapping[str, object]


class KeyRange(NamedTuple):
    """A range of decorated keys; None bounds are unbounded."""

    start: bytes | None = None
    start_inclusive: bool = True
    end: bytes | None = None
    end_inclusive: bool = True

    def contains(self, dk: bytes) -> bool:
        if self.start is not None:
            if dk < self.start or (dk == self.start and not self.start_inclusive):
                return False
        if self.end is not None:
            if dk > self.end or (dk == self.end and not self.end_inclusive):
                return False
        return True


FULL_RANGE = KeyRange()


def now_seconds() -> int:
    return int(time.time())


class StorageEngine(ABC):
    """Every engine (memory, LSM, ...) implements this; ``cql`` uses nothing else."""

    #: The engine encodes rows (the LSM engine's CachedRow tails): writers that can
    #: encode a row as they build it do so.
    encodes_rows = False

    @abstractmethod
    def create_table(self, table: TableInfo) -> None:
        """Register a table (idempotent: re-registering an existing id keeps its data)."""

    @abstractmethod
    def alter_table(self, table: TableInfo) -> None:
        """Options changed (compaction, gc_grace_seconds, ...)."""

    @abstractmethod
    def drop_table(self, table_id: str) -> None:
        """Forget a table and its data."""

    @abstractmethod
    def truncate(self, table_id: str) -> None:
        """Remove all data of a table, tombstones included (not a timestamped operation)."""

    @abstractmethod
    def apply(self, mutations: list[Mutation]) -> None:
        """Apply mutations atomically and durably (as far as the engine's sync mode says).

        The engine takes ownership of the mutation objects.
        """

    def write_row(self, table_id: str, pk: bytes, ck: bytes, row: Row) -> None:
        """Write one row of one partition: ``apply`` of the mutation holding just ``row``
        at ``ck`` (the prepared INSERT's and UPDATE's write). Engines on the hot path
        override it to skip building that mutation; the engine takes ownership of ``row``."""
        self.apply([one_row_mutation(table_id, pk, ck, row)])

    @abstractmethod
    def read_partition(
        self,
        table_id: str,
        pk: bytes,
        slices: Slices = None,
        reverse: bool = False,
        now: int | None = None,
        limit: int | None = None,
    ) -> PartitionView | None:
        """One partition's live rows within ``slices`` (all rows when None).

        ``limit`` caps the number of clustering rows returned (the static row aside).
        """

    @abstractmethod
    def scan(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
    ) -> Iterator[PartitionView]:
        """Live partitions in decorated-key (token) order within ``key_range``."""

    def read_rows(
        self,
        table_id: str,
        pk: bytes,
        slices: Slices = None,
        reverse: bool = False,
        now: int | None = None,
        limit: int | None = None,
        *,
        columns: tuple[str, ...],
    ) -> PartitionView | None:
        """``read_partition``'s clustering rows projected on ``columns``: each row is
        ``(ck, values)`` with, per column, the value bytes of a live simple cell, the
        ComplexColumn of a collection's live cells, or None. The static row is left out
        (None), and so is a partition without live clustering rows (the result is None).
        Which rows are live does not depend on ``columns``. Engines that can decode
        straight into values override this; the default projects ``read_partition``."""
        return project_view(self.read_partition(table_id, pk, slices, reverse, now, limit),
                            columns)

    def scan_rows(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
        *,
        columns: tuple[str, ...],
    ) -> Iterator[PartitionView]:
        """``scan`` with rows projected as ``read_rows`` does; partitions without live
        clustering rows are left out."""
        for view in self.scan(table_id, key_range, slices, now):
            view = project_view(view, columns)
            if view is not None:
                yield view

    def flush(self, table_id: str | None = None) -> None:
        """Make memtables durable as immutable files (no-op for the memory engine)."""

    def compact(self, table_id: str | None = None) -> None:
        """Merge files and purge droppable tombstones (no-op for the memory engine)."""

    def close(self) -> None:
        """Release files and locks."""
