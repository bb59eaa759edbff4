"""SSTable statistics (the Statistics.db component): what reads and compaction use to skip
or drop whole SSTables without opening their data.

- min/max timestamp: timestamp-ordered reads stop at SSTables older than a partition
  deletion already seen; fully expired SSTables must not shadow newer data elsewhere.
- min/max local deletion time: ``max_ldt`` is NO_DELETION_TIME as soon as anything is live
  and non-expiring, so ``max_ldt < gc_before`` means "everything here is droppable".
- min/max clustering (widened by range-tombstone bounds) and the static/partition-deletion
  flags let a sliced read skip an SSTable that cannot intersect the slice.
- a histogram of tombstone drop times estimates the droppable-tombstone ratio for
  single-SSTable tombstone compactions.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from ..model import MIN_TIMESTAMP, NO_DELETION_TIME, Cell, Partition, Row
from .encoding import get_bytes, get_svarint, put_bytes, put_svarint

MAGIC = b"STA1"
MAX_TIMESTAMP = (1 << 63) - 1
HISTOGRAM_BINS = 64
_MAX_CK = b"\xff" * 8  # stands for "unbounded" when a range tombstone has no upper bound


@dataclass
class Stats:
    partitions: int = 0
    rows: int = 0
    cells: int = 0
    tombstones: int = 0
    expiring: int = 0
    min_ts: int = MAX_TIMESTAMP
    max_ts: int = MIN_TIMESTAMP
    min_ldt: int = NO_DELETION_TIME
    max_ldt: int = -(1 << 31)
    min_ttl: int = 0
    max_ttl: int = 0
    min_ck: bytes | None = None
    max_ck: bytes | None = None
    ck_unbounded: bool = False  # a range tombstone reaches the end of its partition
    has_static: bool = False
    has_partition_deletion: bool = False
    has_range_tombstones: bool = False
    first_dk: bytes = b""
    last_dk: bytes = b""
    replay_segment: int = 0
    replay_offset: int = 0
    max_partition_size: int = 0
    data_size: int = 0
    compressed_size: int = 0
    created_at: int = 0
    drop_times: dict[int, int] = field(default_factory=dict)  # ldt bucket -> count

    # ------------------------------------------------------------ collection

    def _ts(self, ts: int) -> None:
        self.min_ts = min(self.min_ts, ts)
        self.max_ts = max(self.max_ts, ts)

    def _ldt(self, ldt: int) -> None:
        self.min_ldt = min(self.min_ldt, ldt)
        self.max_ldt = max(self.max_ldt, ldt)
        bucket = ldt - ldt % 60
        self.drop_times[bucket] = self.drop_times.get(bucket, 0) + 1

    def _cell(self, c: Cell) -> None:
        self._ts(c.timestamp)
        if c.value is None:
            self.tombstones += 1
            self._ldt(c.local_deletion_time)
        elif c.ttl:
            self.expiring += 1
            self.cells += 1
            self._ldt(c.local_deletion_time)
            if not self.min_ttl or c.ttl < self.min_ttl:
                self.min_ttl = c.ttl
            self.max_ttl = max(self.max_ttl, c.ttl)
        else:
            self.cells += 1
            self.max_ldt = NO_DELETION_TIME

    def _row(self, row: Row) -> None:
        lv = row.liveness
        if lv is not None:
            self._ts(lv.timestamp)
            if lv.ttl:
                self._ldt(lv.local_expiration_time)
            else:
                self.max_ldt = NO_DELETION_TIME
        if row.deletion is not None:
            self.tombstones += 1
            self._ts(row.deletion.marked_at)
            self._ldt(row.deletion.local_deletion_time)
        cell_type = Cell
        for data in row.cells.values():
            if type(data) is cell_type:
                self._cell(data)
            else:
                if data.deletion is not None:
                    self.tombstones += 1
                    self._ts(data.deletion.marked_at)
                    self._ldt(data.deletion.local_deletion_time)
                for c in data.cells.values():
                    self._cell(c)

    def _ck(self, lo: bytes, hi: bytes | None) -> None:
        if self.min_ck is None or lo < self.min_ck:
            self.min_ck = lo
        top = lo if hi is None else hi
        if self.max_ck is None or top > self.max_ck:
            self.max_ck = top

    def add_partition(self, dk: bytes, p: Partition, size: int, cached=None) -> None:
        """``cached``: the ``encoding.CachedRowsSummary`` of ``p``'s rows (the writer's
        encoding pass summed up the rows that kept their encoding; the others are walked)."""
        if not self.partitions:
            self.first_dk = dk
        self.last_dk = dk
        self.partitions += 1
        self.max_partition_size = max(self.max_partition_size, size)
        if p.deletion is not None:
            self.has_partition_deletion = True
            self.tombstones += 1
            self._ts(p.deletion.marked_at)
            self._ldt(p.deletion.local_deletion_time)
        for rt in p.range_tombstones:
            self.has_range_tombstones = True
            self.tombstones += 1
            self._ts(rt.deletion.marked_at)
            self._ldt(rt.deletion.local_deletion_time)
            self._ck(rt.lo, rt.hi)
            if rt.hi is None:
                self.ck_unbounded = True
        if p.static_row is not None:
            self.has_static = True
            self._row(p.static_row)
        rows = p.rows
        if rows:
            self.rows += len(rows)
            if cached is None:
                self._ck(rows.peekitem(0)[0], rows.peekitem(-1)[0])
                plain = dict.values(rows)  # any order: C iteration
            else:
                self._ck(cached.first, cached.last)
                plain = cached.others
                if cached.count:  # what _plain_rows finds of them
                    self.min_ts = min(self.min_ts, cached.min_ts)
                    self.max_ts = max(self.max_ts, cached.max_ts)
                    self.cells += cached.cells
                    self.max_ldt = NO_DELETION_TIME
            if plain:
                for row in self._plain_rows(plain):
                    self._row(row)

    def _plain_rows(self, rows) -> list[Row]:
        """What ``_row`` does for the rows that hold only a non-expiring marker and live,
        non-expiring cells (what INSERTs write: most rows of a flush), in one loop; returns
        the other rows."""
        lo, hi = self.min_ts, self.max_ts
        cells = 0
        others = []
        cell_type = Cell
        for row in rows:
            lv = row.liveness
            if lv is None or lv.ttl or row.deletion is not None:
                others.append(row)
                continue
            ts = lv.timestamp
            if ts < lo:
                lo = ts
            if ts > hi:
                hi = ts
            for c in row.cells.values():
                if type(c) is not cell_type or c[0] is None or c[2]:
                    others.append(row)  # its timestamps so far are bounds all the same
                    break
                ts = c[1]
                if ts < lo:
                    lo = ts
                elif ts > hi:
                    hi = ts
            else:
                cells += len(row.cells)
        self.min_ts, self.max_ts = lo, hi
        if len(others) < len(rows):
            self.cells += cells
            self.max_ldt = NO_DELETION_TIME
        return others

    # ------------------------------------------------------------ queries

    def may_intersect(self, slices: list[tuple[bytes, bytes | None]] | None) -> bool:
        """False when no row or range tombstone here can fall in ``slices``."""
        if slices is None or self.has_static or self.has_partition_deletion:
            return True
        if self.min_ck is None:
            return False
        for lo, hi in slices:
            if (hi is None or self.min_ck < hi) and (self.ck_unbounded or lo <= self.max_ck):
                return True
        return False

    def droppable_tombstones(self, gc_before: int) -> int:
        return sum(n for bucket, n in self.drop_times.items() if bucket + 60 <= gc_before)

    def fully_expired(self, gc_before: int) -> bool:
        return self.max_ldt < gc_before

    # ------------------------------------------------------------ serialization

    def serialize(self) -> bytes:
        out = bytearray(MAGIC)
        for v in (
            self.partitions, self.rows, self.cells, self.tombstones, self.expiring,
            self.min_ts, self.max_ts, self.min_ldt, self.max_ldt, self.min_ttl, self.max_ttl,
            self.replay_segment, self.replay_offset, self.max_partition_size, self.data_size,
            self.compressed_size, self.created_at,
        ):
            put_svarint(out, v)
        flags = (
            (self.min_ck is not None)
            | self.ck_unbounded << 1
            | self.has_static << 2
            | self.has_partition_deletion << 3
            | self.has_range_tombstones << 4
        )
        out.append(flags)
        if self.min_ck is not None:
            put_bytes(out, self.min_ck)
            put_bytes(out, self.max_ck or b"")
        put_bytes(out, self.first_dk)
        put_bytes(out, self.last_dk)
        bins = _compress_histogram(self.drop_times)
        put_svarint(out, len(bins))
        for bucket, n in bins:
            put_svarint(out, bucket)
            put_svarint(out, n)
        out += struct.pack("<I", zlib.crc32(out))
        return bytes(out)

    @classmethod
    def deserialize(cls, data: bytes) -> Stats:
        """Raises ValueError when the bytes are not intact statistics."""
        if len(data) < 8 or data[:4] != MAGIC:
            raise ValueError("bad statistics header")
        (crc,) = struct.unpack_from("<I", data, len(data) - 4)
        if zlib.crc32(data[:-4]) != crc:
            raise ValueError("statistics checksum mismatch")
        s = cls()
        pos = 4
        vals = []
        for _ in range(17):
            v, pos = get_svarint(data, pos)
            vals.append(v)
        (
            s.partitions, s.rows, s.cells, s.tombstones, s.expiring,
            s.min_ts, s.max_ts, s.min_ldt, s.max_ldt, s.min_ttl, s.max_ttl,
            s.replay_segment, s.replay_offset, s.max_partition_size, s.data_size,
            s.compressed_size, s.created_at,
        ) = vals
        flags = data[pos]
        pos += 1
        s.ck_unbounded = bool(flags & 2)
        s.has_static = bool(flags & 4)
        s.has_partition_deletion = bool(flags & 8)
        s.has_range_tombstones = bool(flags & 16)
        if flags & 1:
            s.min_ck, pos = get_bytes(data, pos)
            s.max_ck, pos = get_bytes(data, pos)
        s.first_dk, pos = get_bytes(data, pos)
        s.last_dk, pos = get_bytes(data, pos)
        n, pos = get_svarint(data, pos)
        for _ in range(n):
            bucket, pos = get_svarint(data, pos)
            count, pos = get_svarint(data, pos)
            s.drop_times[bucket] = count
        if pos != len(data) - 4:
            raise ValueError("trailing bytes in statistics")
        return s

    def merged_replay_position(self) -> tuple[int, int]:
        return (self.replay_segment, self.replay_offset)


def _compress_histogram(hist: dict[int, int]) -> list[tuple[int, int]]:
    """At most HISTOGRAM_BINS bins; a merged bin keeps the later drop time, so the
    droppable estimate errs on the late side."""
    bins = sorted(hist.items())
    while len(bins) > HISTOGRAM_BINS:
        merged = []
        for i in range(0, len(bins) - 1, 2):
            merged.append((bins[i + 1][0], bins[i][1] + bins[i + 1][1]))
        if len(bins) % 2:
            merged.append(bins[-1])
        bins = merged
    return bins
