"""Memtables: the in-memory, sorted, mutable part of a table.

Partitions are keyed by decorated key in a SortedDict (bytes compare in C); each partition
is a model ``Partition`` whose rows are already keyed by byte-comparable clustering keys.
Updates are folded in with the model's ``merge_partition_into``: the one reconciliation.

The size is a running estimate of real memory: encoded bytes plus measured CPython
overheads (a new partition costs ~2 KB of containers, a row ~600 B of objects, plus the
encoding an INSERTed row keeps for the flush: ``CachedRow``).
"""

from __future__ import annotations

from sortedcontainers import SortedDict

from ..model import (
    MIN_TIMESTAMP,
    CachedRow,
    Cell,
    Partition,
    Row,
    merge_partition_into,
)
from ..rowput import NEW_PARTITION, NEW_ROW, put_row
from ..sdict import sorted_rows

PARTITION_OVERHEAD = 2000
ROW_OVERHEAD = 600
BYTES_OVERHEAD = 33  # a bytes object's header

Position = tuple[int, int]


class Memtable:
    __slots__ = ("_min_ts", "end_pos", "first_pos", "partitions", "size")

    def __init__(self) -> None:
        self.partitions = SortedDict()
        self.size = 0  # grows with every write (what the min_timestamp cache is keyed on)
        self.first_pos: Position | None = None  # commit-log position of the oldest record
        self.end_pos: Position | None = None  # set when switched out for flushing
        self._min_ts: tuple[int, int] | None = None  # (size, the minimum)

    def apply(self, dk: bytes, update: Partition, encoded_size: int, pos: Position) -> int:
        """Fold ``update`` in (taking ownership of it); returns the estimated growth."""
        rows = update.rows
        n = len(rows)
        if n == 1 and update.deletion is None and update.static_row is None \
                and not update.range_tombstones:  # one row, the common write
            for ck, row in dict.items(rows):
                return self.put_row(dk, ck, row, encoded_size, *pos)
        parts = self.partitions
        existing = parts.get(dk)
        if existing is None:
            if type(rows) is dict:
                update.rows = sorted_rows(rows)
            parts[dk] = update
            grow = encoded_size + PARTITION_OVERHEAD + ROW_OVERHEAD * (
                n + (update.static_row is not None))
        else:
            merge_partition_into(existing, update, owned=True)
            grow = encoded_size + ROW_OVERHEAD * (n + (update.static_row is not None))
        self.size += grow
        if self.first_pos is None:
            self.first_pos = pos
        return grow

    def put_row(self, dk: bytes, ck: bytes, row: Row, encoded_size: int, segment: int,
                offset: int) -> int:
        """``apply`` of an update holding just ``row`` at ``ck`` (encoded in
        ``encoded_size`` bytes, logged at ``offset`` of commit-log segment ``segment``),
        without the update: the prepared write's."""
        done = put_row(self.partitions, dk, ck, row)
        if done == NEW_ROW:
            grow = encoded_size + ROW_OVERHEAD
            if type(row) is CachedRow and row.tail is not None:
                grow += BYTES_OVERHEAD + len(row.tail)  # the encoding it keeps
        elif done == NEW_PARTITION:
            grow = encoded_size + PARTITION_OVERHEAD + ROW_OVERHEAD
        else:
            grow = encoded_size + ROW_OVERHEAD
        self.size += grow
        if self.first_pos is None:
            self.first_pos = (segment, offset)
        return grow

    def __len__(self) -> int:
        return len(self.partitions)

    def min_timestamp(self) -> int:
        """Smallest timestamp held (computed on demand, cached until the next write)."""
        if self._min_ts is not None and self._min_ts[0] == self.size:
            return self._min_ts[1]
        lo = (1 << 63) - 1
        for p in list(self.partitions.values()):
            if p.deletion is not None:
                lo = min(lo, p.deletion.marked_at)
            for rt in p.range_tombstones:
                lo = min(lo, rt.deletion.marked_at)
            rows = list(p.rows.values())
            if p.static_row is not None:
                rows.append(p.static_row)
            for row in rows:
                if row.liveness is not None:
                    lo = min(lo, row.liveness.timestamp)
                if row.deletion is not None:
                    lo = min(lo, row.deletion.marked_at)
                for data in row.cells.values():
                    if type(data) is Cell:
                        lo = min(lo, data.timestamp)
                    else:
                        if data.deletion is not None:
                            lo = min(lo, data.deletion.marked_at)
                        for c in data.cells.values():
                            lo = min(lo, c.timestamp)
        if not self.partitions:
            lo = (1 << 63) - 1
        self._min_ts = (self.size, lo)
        return lo


__all__ = ["MIN_TIMESTAMP", "Memtable"]
