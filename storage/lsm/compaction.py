"""Compaction: which SSTables to merge (strategies) and how merged data is purged.

Strategies only *pick*: given the table's SSTables not already being compacted they
return a :class:`Task` (inputs, output level, output size cap) or None. Executing a task
lives in :mod:`table`. The purge rules follow Cassandra:

- data shadowed by a deletion inside the merged partition is dropped;
- expired cells become tombstones dated at their write time (ldt - ttl);
- a tombstone (cell, row, range, complex, partition, or expired liveness) is dropped only
  when its local deletion time is before ``gc_before`` (now - gc_grace_seconds) and its
  timestamp is below ``max_purgeable``: the oldest timestamp any SSTable outside the
  compaction, or a memtable, may hold for that partition.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..model import (
    MIN_TIMESTAMP,
    NO_TTL,
    Cell,
    ComplexColumn,
    DeletionTime,
    Partition,
    Row,
    max_deletion,
)
from ..sdict import sorted_dict_from_sorted
from .options import as_float, as_int
from .sstable import SSTableReader

MIB = 1 << 20


@dataclass
class Task:
    inputs: list[SSTableReader]
    level: int = 0
    max_output_bytes: int | None = None
    reason: str = ""
    drop_only: bool = False  # fully expired SSTables: removed without rewriting
    extra: dict = field(default_factory=dict)


# ======================================================================================
# Purging
# ======================================================================================


def _purgeable(ts: int, ldt: int, gc_before: int, max_purgeable: int) -> bool:
    return ldt < gc_before and ts < max_purgeable


def _purge_cell(c: Cell, floor: int, gc_before: int, max_purgeable: int, now: int):
    value, ts, ttl, ldt = c
    if ts <= floor:
        return None
    if value is None:
        return None if _purgeable(ts, ldt, gc_before, max_purgeable) else c
    if ttl != NO_TTL and now >= ldt:
        dead_at = ldt - ttl
        if _purgeable(ts, dead_at, gc_before, max_purgeable):
            return None
        return Cell(None, ts, NO_TTL, dead_at)
    return c


def purge_gc_row(row: Row, shadow: DeletionTime | None, gc_before: int, max_purgeable: int,
                 now: int) -> Row | None:
    """One row as compaction keeps it (the rules above); None when nothing is left."""
    deletion = row.deletion
    if deletion is not None and shadow is not None and not deletion.supersedes(shadow):
        deletion = None  # redundant under a stronger partition/range deletion
    effective = max_deletion(shadow, row.deletion)
    floor = effective.marked_at if effective is not None else MIN_TIMESTAMP
    if deletion is not None and _purgeable(deletion.marked_at, deletion.local_deletion_time,
                                           gc_before, max_purgeable):
        deletion = None
    liveness = row.liveness
    if liveness is not None:
        if liveness.timestamp <= floor:
            liveness = None
        elif liveness.ttl != NO_TTL and now >= liveness.local_expiration_time:
            dead_at = liveness.local_expiration_time - liveness.ttl
            if _purgeable(liveness.timestamp, dead_at, gc_before, max_purgeable):
                liveness = None
    cells: dict = {}
    for name, data in row.cells.items():
        if type(data) is Cell:
            kept = _purge_cell(data, floor, gc_before, max_purgeable, now)
            if kept is not None:
                cells[name] = kept
            continue
        cdel = data.deletion
        cfloor = floor
        if cdel is not None:
            if cdel.marked_at <= floor:
                cdel = None
            else:
                cfloor = cdel.marked_at
                if _purgeable(cdel.marked_at, cdel.local_deletion_time, gc_before,
                              max_purgeable):
                    cdel = None
        items = []
        for path, c in data.cells.items():
            kept = _purge_cell(c, cfloor, gc_before, max_purgeable, now)
            if kept is not None:
                items.append((path, kept))
        if items or cdel is not None:
            cells[name] = ComplexColumn(cdel, sorted_dict_from_sorted(items))
    if liveness is None and deletion is None and not cells:
        return None
    return Row(liveness, deletion, cells)


def purge_partition(p: Partition, gc_before: int, max_purgeable: int, now: int) -> Partition | None:
    """``p`` without shadowed data and droppable tombstones; None when nothing is left."""
    pdel = p.deletion
    kept_pdel = pdel
    if pdel is not None and _purgeable(pdel.marked_at, pdel.local_deletion_time, gc_before,
                                       max_purgeable):
        kept_pdel = None
    rts = []
    seen = set()
    for rt in p.range_tombstones:
        if pdel is not None and rt.deletion.marked_at <= pdel.marked_at:
            continue
        if rt in seen:
            continue
        seen.add(rt)
        rts.append(rt)
    static = None
    if p.static_row is not None:
        static = purge_gc_row(p.static_row, pdel, gc_before, max_purgeable, now)
    rows = []
    for ck, row in p.rows.items():
        shadow = pdel
        for rt in rts:
            if rt.lo <= ck and (rt.hi is None or ck < rt.hi):
                shadow = max_deletion(shadow, rt.deletion)
        kept = purge_gc_row(row, shadow, gc_before, max_purgeable, now)
        if kept is not None:
            rows.append((ck, kept))
    kept_rts = [rt for rt in rts if not _purgeable(
        rt.deletion.marked_at, rt.deletion.local_deletion_time, gc_before, max_purgeable)]
    out = Partition(kept_pdel, kept_rts, static, sorted_dict_from_sorted(rows))
    return None if out.is_empty() else out


# ======================================================================================
# Strategies
# ======================================================================================


def _overlaps(a: SSTableReader, b: SSTableReader) -> bool:
    return a.first_dk <= b.last_dk and b.first_dk <= a.last_dk


def tombstone_candidate(sstables: list[SSTableReader], options: dict, gc_before: int,
                        now: float) -> Task | None:
    """Cassandra's single-SSTable tombstone compaction."""
    threshold = as_float(options.get("tombstone_threshold"), 0.2)
    interval = as_int(options.get("tombstone_compaction_interval"), 86400)
    best = None
    for s in sstables:
        st = s.stats
        total = st.cells + st.tombstones
        if not total or now - st.created_at < interval:
            continue
        ratio = st.droppable_tombstones(gc_before) / total
        if ratio > threshold and (best is None or ratio > best[0]):
            best = (ratio, s)
    if best is None:
        return None
    return Task([best[1]], best[1].level, reason="tombstone ratio")


class SizeTiered:
    name = "SizeTieredCompactionStrategy"

    def __init__(self, options: dict):
        self.options = options
        self.min_threshold = max(2, as_int(options.get("min_threshold"), 4))
        self.max_threshold = max(self.min_threshold, as_int(options.get("max_threshold"), 32))
        self.bucket_low = as_float(options.get("bucket_low"), 0.5)
        self.bucket_high = as_float(options.get("bucket_high"), 1.5)
        self.min_sstable_size = as_int(options.get("min_sstable_size"), 50 * MIB)

    def buckets(self, sstables: list[SSTableReader]) -> list[list[SSTableReader]]:
        buckets: list[tuple[float, list[SSTableReader]]] = []
        for s in sorted(sstables, key=lambda s: s.data_size):
            size = s.data_size
            for i, (avg, members) in enumerate(buckets):
                if (self.bucket_low * avg <= size <= self.bucket_high * avg) or (
                        size < self.min_sstable_size and avg < self.min_sstable_size):
                    members.append(s)
                    buckets[i] = ((avg * (len(members) - 1) + size) / len(members), members)
                    break
            else:
                buckets.append((float(size), [s]))
        return [members for _, members in buckets]

    def pick(self, sstables: list[SSTableReader], gc_before: int, now: float) -> Task | None:
        ready = [b for b in self.buckets(sstables) if len(b) >= self.min_threshold]
        if ready:
            bucket = min(ready, key=lambda b: sum(s.data_size for s in b) / len(b))
            bucket.sort(key=lambda s: s.data_size)
            return Task(bucket[:self.max_threshold], 0, reason="size tier")
        return tombstone_candidate(sstables, self.options, gc_before, now)

    def major(self, sstables: list[SSTableReader]) -> list[Task]:
        return [Task(list(sstables), 0, reason="major")] if sstables else []


class Leveled:
    name = "LeveledCompactionStrategy"

    def __init__(self, options: dict):
        self.options = options
        self.sstable_size = max(1, as_int(options.get("sstable_size_in_mb"), 160)) * MIB
        self.fanout = max(2, as_int(options.get("fanout_size"), 10))
        self.l0_trigger = 4
        self.max_l0 = 32
        self._pointer: dict[int, bytes] = {}

    def level_bytes(self, level: int) -> int:
        return self.sstable_size * self.fanout ** level

    def pick(self, sstables: list[SSTableReader], gc_before: int, now: float) -> Task | None:
        levels: dict[int, list[SSTableReader]] = {}
        for s in sstables:
            levels.setdefault(s.level, []).append(s)
        l0 = levels.get(0, [])
        if len(l0) >= self.l0_trigger:
            l0 = sorted(l0, key=lambda s: s.gen)[:self.max_l0]
            inputs = list(l0)
            inputs += [s for s in levels.get(1, []) if any(_overlaps(s, t) for t in l0)]
            return Task(inputs, 1, self.sstable_size, reason="L0")
        for level in sorted(k for k in levels if k > 0):
            members = levels[level]
            if sum(s.data_size for s in members) <= self.level_bytes(level):
                continue
            members.sort(key=lambda s: s.first_dk)
            pointer = self._pointer.get(level, b"")
            chosen = next((s for s in members if s.first_dk > pointer), members[0])
            self._pointer[level] = chosen.first_dk
            nxt = [s for s in levels.get(level + 1, []) if _overlaps(s, chosen)]
            return Task([chosen, *nxt], level + 1, self.sstable_size, reason=f"L{level}")
        return tombstone_candidate(sstables, self.options, gc_before, now)

    def major(self, sstables: list[SSTableReader]) -> list[Task]:
        if not sstables:
            return []
        return [Task(list(sstables), 1, self.sstable_size, reason="major")]


_UNITS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}
_RESOLUTION = {"MICROSECONDS": 1, "MILLISECONDS": 1000, "SECONDS": 1_000_000}


class TimeWindow:
    name = "TimeWindowCompactionStrategy"

    def __init__(self, options: dict):
        self.options = options
        unit = str(options.get("compaction_window_unit", "DAYS")).upper()
        size = max(1, as_int(options.get("compaction_window_size"), 1))
        self.window_us = _UNITS.get(unit, 86400) * size * 1_000_000
        res = str(options.get("timestamp_resolution", "MICROSECONDS")).upper()
        self.resolution = _RESOLUTION.get(res, 1)
        self.tiered = SizeTiered(options)

    def window(self, s: SSTableReader) -> int:
        return (s.stats.max_ts * self.resolution) // self.window_us

    def pick(self, sstables: list[SSTableReader], gc_before: int, now: float) -> Task | None:
        if not sstables:
            return None
        windows: dict[int, list[SSTableReader]] = {}
        for s in sstables:
            windows.setdefault(self.window(s), []).append(s)
        newest = max(windows)
        task = self.tiered.pick(windows[newest], gc_before, now)
        if task is not None and task.reason == "size tier":
            return task
        for w in sorted(windows, reverse=True):
            if w != newest and len(windows[w]) >= 2:
                members = sorted(windows[w], key=lambda s: s.data_size)
                return Task(members[:self.tiered.max_threshold], 0, reason="time window")
        return tombstone_candidate(sstables, self.options, gc_before, now)

    def major(self, sstables: list[SSTableReader]) -> list[Task]:
        windows: dict[int, list[SSTableReader]] = {}
        for s in sstables:
            windows.setdefault(self.window(s), []).append(s)
        return [Task(m, 0, reason="major") for m in windows.values()]


def make_strategy(kind: str, options: dict):
    """A strategy object for 'stcs' | 'lcs' | 'twcs' | 'ucs'."""
    if kind == "lcs":
        return Leveled(options)
    if kind == "twcs":
        return TimeWindow(options)
    if kind == "ucs":
        # UCS's scaling parameter: Tn ~ size-tiered with threshold n, Ln ~ leveled with
        # fanout n, N ~ tiered with threshold 2. Only the first level's value is used.
        param = str(options.get("scaling_parameters", "T4")).split(",")[0].strip().upper()
        if param.startswith("L") and param[1:].isdigit():
            return Leveled({**options, "fanout_size": param[1:]})
        threshold = int(param[1:]) if param.startswith("T") and param[1:].isdigit() else 2
        return SizeTiered({**options, "min_threshold": max(2, threshold), "min_sstable_size": 0,
                           "max_threshold": options.get("max_threshold", 32)})
    return SizeTiered(options)


def fully_expired(sstables: list[SSTableReader], others: list[SSTableReader],
                  memtable_min_ts: int, gc_before: int) -> list[SSTableReader]:
    """SSTables whose every cell is a droppable tombstone and which cannot shadow anything
    older elsewhere (Cassandra's fully expired SSTable check)."""
    candidates = [s for s in sstables if s.stats.fully_expired(gc_before)]
    if not candidates:
        return []
    keep = [s for s in others + sstables if s not in candidates]
    out = []
    for s in candidates:
        if s.stats.max_ts >= memtable_min_ts:
            continue
        if any(_overlaps(s, o) and o.stats.min_ts <= s.stats.max_ts for o in keep):
            continue
        out.append(s)
    return out


def gc_before(gc_grace_seconds: int, now: float | None = None) -> int:
    return int(now if now is not None else time.time()) - gc_grace_seconds
