"""One table's storage: memtables, live SSTables, flushing and compaction.

Readers work on an immutable *view*, a tuple ``(memtables newest first, sstables by
max timestamp descending)``, replaced atomically whenever a flush or compaction commits,
so reads never wait for those. Only the active memtable mutates; it is read under the
engine's write lock. Flushes of a table run one at a time, oldest memtable first, so the
manifest's replay position only ever moves over data that is already in SSTables.
"""

from __future__ import annotations

import heapq
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from operator import itemgetter
from typing import TYPE_CHECKING

from .. import tracing
from ..engine import KeyRange, TableInfo
from ..errors import CorruptionError
from ..model import (
    MIN_TIMESTAMP,
    Partition,
    PartitionView,
    live_row_values,
    live_values,
    max_deletion,
    merge_partition_into,
    merge_partitions,
    merged_view,
    project_view,
    view_partition,
)
from ..murmur3 import decorate
from . import compaction
from .encoding import name_index
from .manifest import Manifest, normalize_options
from .memtable import Memtable
from .options import TableOptions
from .sstable import (
    COMPONENTS,
    SSTableReader,
    SSTableWriter,
    component_path,
    parse_component_name,
)

if TYPE_CHECKING:
    from .engine import LSMEngine

log = logging.getLogger(__name__)
Position = tuple[int, int]


_first = itemgetter(0)
_order = itemgetter(0, 1)  # _chained_rows: by key, SSTables not looked up first
_OVERLAP = object()  # versions that must be merged rather than read one after the other


def _by_max_ts(s) -> int:
    return -s.stats.max_ts


class CompactionAborted(Exception):
    """The engine is closing or the table was dropped: drop the outputs, keep the inputs."""


def _tagged_keys(keys, source: int):
    for dk in keys:
        yield dk, source, None


def _tagged_entries(entries, source: int):
    for e in entries:
        yield e[0], source, e


def _tagged_scan(sstable: SSTableReader, source: int):
    for dk, p in sstable.scan(cache=False):
        yield dk, source, p


def _miss_reason(s: SSTableReader, dk: bytes) -> str:
    """Why an SSTable did not hold a partition (for traces)."""
    if not s.first_dk <= dk <= s.last_dk:
        return f"Partition is outside the key range of sstable {s.gen}"
    if not s.bloom.might_contain(dk):
        return f"Bloom filter allows skipping sstable {s.gen}"
    return f"Bloom filter false positive: partition not in the index of sstable {s.gen}"


def _is_exact(slices) -> bool:
    """Whether ``slices`` is one exact clustering key ``[ck, ck + 0x00)``."""
    if slices is None or len(slices) != 1:
        return False
    lo, hi = slices[0]
    return hi is not None and len(hi) == len(lo) + 1 and hi[-1] == 0 and hi.startswith(lo)


def _looked_up(found: list, dk: bytes) -> list:
    """``found`` with each entry None looked up (the SSTables without ``dk`` left out)."""
    out = []
    for s, entry in found:
        if entry is None:
            entry = s.find(dk)
            if entry is None:
                continue
        out.append((s, entry))
    return out


def _disjoint(ranged: list) -> bool:
    """Whether the ``(lowest, highest or None: unbounded, ...)`` clustering ranges overlap
    nowhere; sorts them by their lowest key."""
    ranged.sort(key=_first)
    for i in range(1, len(ranged)):
        hi = ranged[i - 1][1]
        if hi is None or hi >= ranged[i][0]:
            return False
    return True


def table_dir_name(name: str, table_id: str) -> str:
    return f"{name}-{table_id.replace('-', '')}"


class Table:
    def __init__(self, engine: LSMEngine, directory: str, manifest: Manifest, info: TableInfo):
        self.engine = engine
        self.directory = directory
        self.manifest = manifest
        self.info = info
        self.table_id = info.table_id
        self.opts = TableOptions(info.options)
        self.strategy = compaction.make_strategy(self.opts.strategy, self.opts.compaction)
        self.memtable = Memtable()
        self.flushing: list[Memtable] = []
        self.sstables: list[SSTableReader] = []
        self.corrupt: list[Exception] = []  # SSTables that failed to open
        self.compacting: set[int] = set()
        self.quarantined: set[int] = set()  # generations a compaction found corrupt
        self.flush_lock = threading.Lock()
        self.compaction_lock = threading.Lock()
        self.replay_floor: Position = manifest.state.replay
        self.next_gen = manifest.state.max_gen + 1
        self.dropped = False
        self.epoch = 0  # bumped by truncate/drop: in-flight flushes/compactions discard
        # counters for tablestats
        self.reads = 0
        self.writes = 0
        self.flushes = 0
        self.compactions = 0
        self.bytes_compacted = 0
        self.memtable_switches = 0
        self._view: tuple[tuple[Memtable, ...], tuple[SSTableReader, ...]] = ((self.memtable,), ())

    # ------------------------------------------------------------------ loading

    def load_sstables(self) -> None:
        """Open the SSTables the manifest lists; delete files it does not list."""
        live = self.manifest.state.live
        on_disk: set[int] = set()
        for name in os.listdir(self.directory):
            full = os.path.join(self.directory, name)
            if name.endswith(".tmp"):
                os.unlink(full)
                continue
            parsed = parse_component_name(name)
            if parsed is None:
                continue
            gen, _ = parsed
            if gen not in live:
                log.info("removing leftover SSTable file %s", full)
                os.unlink(full)
            else:
                on_disk.add(gen)
            self.next_gen = max(self.next_gen, gen + 1)
        for gen, level in sorted(live.items()):
            try:
                self.sstables.append(SSTableReader(self.directory, gen, self.engine.chunk_cache,
                                                   level))
            except Exception as exc:  # noqa: BLE001 - reported as a corrupt SSTable
                if not isinstance(exc, CorruptionError):
                    exc = CorruptionError(component_path(self.directory, gen, "Data.db"), None,
                                     f"cannot open SSTable: {exc}")
                log.error("%s", exc)
                self.corrupt.append(exc)
        self._publish()

    def _publish(self) -> None:
        mems = (self.memtable, *reversed(self.flushing))
        self._view = (mems, tuple(sorted(self.sstables, key=_by_max_ts)))

    def update_info(self, info: TableInfo) -> None:
        self.info = info
        self.opts = TableOptions(info.options)
        self.strategy = compaction.make_strategy(self.opts.strategy, self.opts.compaction)
        self.manifest.set_options(normalize_options(info.options), info.keyspace, info.name)

    def check_readable(self) -> None:
        if self.corrupt:
            raise self.corrupt[0]

    # ------------------------------------------------------------------ writes

    def dirty_floor(self) -> Position | None:
        """Oldest commit-log position whose data is only in memtables."""
        floor = None
        for mt in (*self.flushing, self.memtable):
            if mt.first_pos is not None and (floor is None or mt.first_pos < floor):
                floor = mt.first_pos
        return floor

    def switch_memtable(self, end_pos: Position) -> Memtable | None:
        """Start a new memtable (caller holds the engine lock); the old one is queued."""
        mt = self.memtable
        if not mt.partitions:
            return None
        mt.end_pos = end_pos
        self.memtable = Memtable()
        self.flushing.append(mt)
        self.memtable_switches += 1
        self._publish()
        return mt

    def flush_pending(self) -> None:
        """Write queued memtables to SSTables, oldest first."""
        with self.flush_lock:
            while self.flushing and not self.dropped:
                self._flush_one(self.flushing[0])

    def _flush_one(self, mt: Memtable) -> None:
        engine = self.engine
        epoch = self.epoch
        gen = self._allocate_gen()
        writer = SSTableWriter(self.directory, gen, self.opts.sstable, len(mt.partitions),
                               keep_chunks=engine.chunk_cache.capacity // 2)
        try:
            for dk, partition in mt.partitions.items():
                writer.append(dk, partition)
            assert mt.end_pos is not None
            writer.finish(mt.end_pos)
            reader = SSTableReader(self.directory, gen, engine.chunk_cache, 0)
        except BaseException:
            writer.abort()
            raise
        engine.crash_point("flush.before_manifest")
        with engine.lock:
            if self.epoch != epoch or self.dropped:
                writer.abort()
                return
            self.manifest.commit([(gen, 0)], [], mt.end_pos)
            engine.crash_point("flush.after_manifest")
            self.replay_floor = max(self.replay_floor, mt.end_pos)
            self.flushing.remove(mt)
            self.sstables.append(reader)
            self._publish()
            self.flushes += 1
        reader.warm(writer.kept_chunks, writer.warm_entries)
        engine.flushed(self)

    def _allocate_gen(self) -> int:
        with self.engine.lock:
            gen = self.next_gen
            self.next_gen += 1
        return gen

    # ------------------------------------------------------------------ reads

    def _read_fast(self, pk: bytes, slices, reverse: bool, now: int, limit: int | None
                   ) -> PartitionView | None:
        """``read`` without tracing: versions merged lazily (``merged_view``), SSTable rows
        decoded on demand in forward reads, stopping at ``limit`` live rows."""
        self.reads += 1
        if self.corrupt:
            self.check_readable()
        dk = decorate(pk)
        mems, ssts = self._view
        engine_lock = self.engine.lock
        sources: list = []
        top_deletion = MIN_TIMESTAMP
        with engine_lock:
            for mt in mems:
                p = mt.partitions.get(dk)
                if p is not None:
                    sources.append((p, None))
                    if p.deletion is not None and p.deletion.marked_at > top_deletion:
                        top_deletion = p.deletion.marked_at
        lazy = not reverse and limit is not None and not _is_exact(slices)
        fresh = False
        for s in ssts:
            st = s.stats
            if st.max_ts <= top_deletion:
                break  # this and every older SSTable is shadowed by a partition deletion
            if slices is not None and not st.may_intersect(slices):
                continue
            entry = s.find(dk)
            if entry is None:
                continue
            fresh = True
            if lazy:
                header, rows = s.read_lazy(entry, slices)
                sources.append((header, rows))
            else:
                header = s.read(entry, slices)
                sources.append((header, None))
            if header.deletion is not None and header.deletion.marked_at > top_deletion:
                top_deletion = header.deletion.marked_at
        if not sources:
            return None
        if len(sources) == 1 and not fresh:
            with engine_lock:
                return view_partition(pk, sources[0][0], slices, reverse, now, limit)
        with engine_lock:
            return merged_view(pk, sources, slices, reverse, now, limit)

    def read(self, pk: bytes, slices, reverse: bool, now: int, limit: int | None
             ) -> PartitionView | None:
        if tracing.current() is None:
            return self._read_fast(pk, slices, reverse, now, limit)
        self.reads += 1
        if self.corrupt:
            self.check_readable()
        dk = decorate(pk)
        mems, ssts = self._view
        engine_lock = self.engine.lock
        top_deletion = MIN_TIMESTAMP
        with engine_lock:
            for mt in mems:
                p = mt.partitions.get(dk)
                if p is not None and p.deletion is not None:
                    top_deletion = max(top_deletion, p.deletion.marked_at)
        tr = tracing.current()
        fresh: list[Partition] = []
        skipped = 0
        for s in ssts:
            st = s.stats
            if st.max_ts <= top_deletion:
                if tr is not None:
                    tr.add(f"Partition deletion shadows sstable {s.gen} and all older ones",
                           tracing.READ)
                break  # this and every older SSTable is shadowed by a partition deletion
            if slices is not None and not st.may_intersect(slices):
                skipped += 1
                continue
            entry = s.find(dk)
            if entry is None:
                if tr is not None:
                    tr.add(_miss_reason(s, dk), tracing.READ)
                continue
            if tr is not None:
                tr.add(f"Partition index found the partition in sstable {s.gen}", tracing.READ)
            p = s.read(entry, slices)
            fresh.append(p)
            if p.deletion is not None and p.deletion.marked_at > top_deletion:
                top_deletion = p.deletion.marked_at
        with engine_lock:
            versions = [p for mt in mems if (p := mt.partitions.get(dk)) is not None]
            if tr is not None:
                tr.add(f"Skipped {skipped}/{len(ssts)} non-slice-intersecting sstables",
                       tracing.READ)
                tr.add(f"Merged data from {len(versions)} of {len(mems)} memtables and "
                       f"{len(fresh)} sstables", tracing.READ)
            if not fresh:
                if not versions:
                    return None
                merged = versions[0] if len(versions) == 1 else merge_partitions(versions)
                return view_partition(pk, merged, slices, reverse, now, limit)
            target = fresh[0]
            for p in versions:
                merge_partition_into(target, p)
        for p in fresh[1:]:
            merge_partition_into(target, p)
        return view_partition(pk, target, slices, reverse, now, limit)

    def read_rows(self, pk: bytes, slices, reverse: bool, now: int, limit: int | None,
                  columns: tuple[str, ...]) -> PartitionView | None:
        """``read`` projected on ``columns`` (see ``StorageEngine.read_rows``)."""
        if tracing.current() is not None:
            return project_view(self.read(pk, slices, reverse, now, limit), columns)
        self.reads += 1
        if self.corrupt:
            self.check_readable()
        dk = decorate(pk)
        mems, ssts = self._view
        if _is_exact(slices) and (limit is None or limit > 0):
            ck = slices[0][0]
            found = []
            for s in ssts:
                bounds = s.ck_bounds  # may_intersect(slices), inline
                if bounds is not None and bounds[0] <= ck and (bounds[1] is None
                                                                or ck <= bounds[1]):
                    entry = s.find(dk)
                    if entry is not None:
                        found.append((s, entry))
            return self._row_at(pk, dk, mems, found, slices, reverse, now, columns)
        # the SSTables are looked up as the read needs them (see _chained_rows)
        found = [(s, None) for s in ssts if slices is None or s.stats.may_intersect(slices)]
        return self._live_rows(pk, dk, mems, found, slices, reverse, now, limit, columns)

    def _row_at(self, pk: bytes, dk: bytes, mems, found: list, slices, reverse: bool,
                now: int, columns) -> PartitionView | None:
        """``_live_rows`` of one clustering key (``slices`` is ``[(ck, ck + 0x00)]``).
        When one version alone has data for it (the memtables' row, or one SSTable's
        partition, with no memtable deletion that could shadow it), that version's row
        is read by itself (SSTable rows via ``point_row``); otherwise the versions are
        merged by ``_versions_rows``."""
        ck, hi = slices[0]
        with self.engine.lock:
            parts = []
            for mt in mems:
                p = mt.partitions.get(dk)
                if p is not None:
                    parts.append(p)
            if parts:
                row = None
                for p in parts:
                    r = p.rows.get(ck)
                    if p.deletion is not None or p.range_tombstones or (
                            r is not None and (row is not None or found)):
                        return self._versions_rows(pk, dk, parts, found, slices, reverse,
                                                   now, None, columns)
                    if r is not None:
                        row = r
                if row is not None:
                    values = live_row_values(ck, row, None, None, now, columns)
                    if values is None:
                        return None
                    return PartitionView(pk, None, [(ck, values)])
        if not found:
            return None
        if len(found) > 1:
            return self._versions_rows(pk, dk, [], found, slices, reverse, now, None, columns)
        s, entry = found[0]
        out: list = []
        s.point_row(entry, ck, hi, name_index(columns), len(columns), now, out)
        return PartitionView(pk, None, out) if out else None

    def _live_rows(self, pk: bytes, dk: bytes, mems, found: list, slices, reverse: bool,
                   now: int, limit: int | None, columns) -> PartitionView | None:
        """The live rows of the partition ``dk`` projected on ``columns``, from the
        memtables ``mems`` and the ``(sstable, index entry)`` pairs ``found`` (newest
        first; an entry None: the SSTable may hold the partition, not looked up yet).
        Memtable rows are read under the engine lock."""
        lock = self.engine.lock
        with lock:
            parts = [p for mt in mems if (p := mt.partitions.get(dk)) is not None]
            if parts:
                return self._versions_rows(pk, dk, parts, found, slices, reverse, now, limit,
                                           columns)
        return self._versions_rows(pk, dk, parts, found, slices, reverse, now, limit, columns)

    def _versions_rows(self, pk: bytes, dk: bytes, parts: list, found: list, slices,
                       reverse: bool, now: int, limit: int | None, columns
                       ) -> PartitionView | None:
        """``_live_rows`` of the memtable versions ``parts`` and the SSTable versions
        ``found``. When no clustering key can be in two versions (their clustering ranges
        are disjoint, as when a time series writes new keys only), the versions are read
        one after the other, each row purged on its own (SSTable rows decoded straight
        into values); otherwise they are merged (``merged_view``)."""
        if not reverse and (slices is None or len(slices) == 1) and (limit is None or limit > 0):
            view = self._chained_rows(pk, dk, parts, found, slices, now, limit, columns)
            if view is not _OVERLAP:
                return view
        found = _looked_up(found, dk)
        pdel = None
        rts: list = []
        ranged = []  # (lowest ck, highest ck or None: unbounded, memtable partition, sstable, cursor)
        for p in parts:
            if p.deletion is not None:
                pdel = max_deletion(pdel, p.deletion)
            if p.range_tombstones:
                rts.extend(p.range_tombstones)
            if p.rows:
                keys = p.rows.keys()
                ranged.append((keys[0], keys[-1], p, None, None))
        opened = []
        row = slices[0][0] if found and _is_exact(slices) else None
        for s, entry in found:
            if pdel is not None and s.stats.max_ts <= pdel.marked_at:
                break  # this and every older SSTable is shadowed by a partition deletion
            header, cursor = s.open_partition(entry, row)
            opened.append((s, entry, header, cursor))
            if header.deletion is not None:
                pdel = max_deletion(pdel, header.deletion)
            if header.range_tombstones:
                rts.extend(header.range_tombstones)
            st = s.stats
            if st.min_ck is not None:
                ranged.append((st.min_ck, None if st.ck_unbounded else st.max_ck, None, s,
                               cursor))
        if not _disjoint(ranged):
            # The SSTables' table-wide bounds overlap; this partition's own keys may not
            # (worth finding out unless one row is read: merging that is cheap).
            exact = None if _is_exact(slices) else [r for r in ranged if r[2] is not None]
            if exact is not None:
                for s, _, _, cursor in opened:
                    keys = s.row_key_range(cursor)
                    if keys is not None:
                        exact.append((keys[0], keys[1], None, s, cursor))
            if exact is None or not _disjoint(exact):
                return self._merged_rows(pk, parts, opened, slices, reverse, now, limit,
                                         columns)
            ranged = exact
        floor = pdel.marked_at if pdel is not None else MIN_TIMESTAMP
        names = None
        out: list = []
        for _, _, p, s, cursor in (reversed(ranged) if reverse else ranged):
            if limit is not None and len(out) >= limit:
                break
            if p is not None:
                live_values(p.rows, slices, reverse, pdel, rts, now, columns, limit, out)
                continue
            if names is None:
                names = name_index(columns)
            if not reverse:
                s.live_rows(cursor, slices, names, len(columns), floor, rts, now, limit, out)
                continue
            rows: list = []
            s.live_rows(cursor, slices, names, len(columns), floor, rts, now, None, rows)
            rows.reverse()
            out.extend(rows if limit is None else rows[:limit - len(out)])
        return PartitionView(pk, None, out) if out else None

    def _chained_rows(self, pk: bytes, dk: bytes, parts: list, found: list, slices,
                      now: int, limit: int | None, columns):
        """The forward read of ``_versions_rows`` for at most one clustering range, with
        the versions ordered by their first clustering key and read one after the other,
        each up to the next one's first key (SSTable partitions from their cached header,
        one row-index block at a time). _OVERLAP when a version has rows at or past the
        next one's first key within the range: those versions must be merged.

        An SSTable of ``found`` not looked up yet (entry None) that holds no partition
        deletion is looked up only when the rows read reach its lowest clustering key
        (statistics: its rows and range tombstones are all at or after it): until then
        it stands in the order at that key, and a LIMIT the newer versions fill never
        looks at it (a slice of the newest rows of a time series: the older SSTables)."""
        lo, hi = slices[0] if slices is not None else (b"", None)
        if lo is None:
            lo = b""
        pdel = None
        rts: list = []
        # (first ck, or the lowest an SSTable not looked up can hold; 1 when looked up,
        # memtable partition or None, sstable, index entry, where its rows go on or None)
        versions = []
        for p in parts:
            if p.deletion is not None:
                pdel = max_deletion(pdel, p.deletion)
            if p.range_tombstones:
                rts.extend(p.range_tombstones)
            if p.rows:
                versions.append((p.rows.peekitem(0)[0], 1, p, None, None, None))
        for s, entry in found:
            st = s.stats
            if pdel is not None and st.max_ts <= pdel.marked_at:
                break  # this and every older SSTable is shadowed by a partition deletion
            if entry is None:
                if not st.has_partition_deletion and st.min_ck is not None:
                    versions.append((st.min_ck, 0, None, s, None, None))
                    continue
                entry = s.find(dk)
                if entry is None:
                    continue
            header, _, _, first = s.head(entry)
            if header.deletion is not None:
                pdel = max_deletion(pdel, header.deletion)
            if header.range_tombstones:
                rts.extend(header.range_tombstones)
            if first is not None:
                versions.append((first, 1, None, s, entry, None))
        floor = pdel.marked_at if pdel is not None else MIN_TIMESTAMP
        names = None
        out: list = []
        while versions:
            if len(versions) > 1:
                versions.sort(key=_order)
            key, known, p, s, entry, at = versions[0]
            # an SSTable to look up: the first version when the rows read reached its
            # lowest key; the next one before a memtable version is read (going on from
            # a pause costs that one more than the lookup)
            j = 0 if not known else 1 if p is not None and len(versions) > 1 \
                and not versions[1][1] else -1
            if j >= 0:
                s = versions.pop(j)[3]
                entry = s.find(dk)
                if entry is None:
                    continue
                header, _, _, first = s.head(entry)
                if header.deletion is not None:
                    return _OVERLAP  # the statistics said none: rows read may be shadowed
                if header.range_tombstones:  # all at or after key: past the rows read
                    rts.extend(header.range_tombstones)
                if first is not None:
                    versions.append((first, 1, None, s, entry, None))
                continue
            start = key if key > lo else lo
            top = hi
            clipped = len(versions) > 1 and (hi is None or versions[1][0] < hi)
            if clipped:
                top = versions[1][0]
            if p is not None:
                rows = p.rows
                if live_values(rows, [(start, top)], False, pdel, rts, now, columns, limit,
                               out):
                    return PartitionView(pk, None, out)
                past = clipped and rows.peekitem(-1)[0] >= top
            else:
                if names is None:
                    names = name_index(columns)
                at = s.live_rows_in(entry, start, top, names, len(columns), floor, rts, now,
                                    limit, out, at)
                if limit is not None and len(out) >= limit:
                    return PartitionView(pk, None, out)
                past = at is not None
            if not clipped:
                break  # the later versions start at or past the range's end
            if not past:
                del versions[0]
            elif versions[1][1]:
                return _OVERLAP
            else:  # its rows from top on come once the next SSTable is looked up
                versions[0] = (top, 1, p, s, entry, at)
        return PartitionView(pk, None, out) if out else None

    def _merged_rows(self, pk: bytes, parts: list, opened: list, slices, reverse: bool,
                     now: int, limit: int | None, columns) -> PartitionView | None:
        sources: list = [(p, None) for p in parts]
        lazy = not reverse and limit is not None and not _is_exact(slices)
        for s, entry, header, cursor in opened:
            if lazy:
                sources.append((header, s.lazy_rows(cursor, slices)))
            else:
                sources.append((s.read(entry, slices), None))
        if not sources:
            return None
        return project_view(merged_view(pk, sources, slices, reverse, now, limit), columns)

    def scan(self, key_range: KeyRange, slices, now: int) -> Iterator[PartitionView]:
        mems, ssts = self._view
        for dk, group in self._scan_groups(mems, ssts, key_range, slices):
            view = self._scan_view(dk, group, mems, ssts, slices, now)
            if view is not None:
                yield view

    def scan_rows(self, key_range: KeyRange, slices, now: int,
                  columns: tuple[str, ...]) -> Iterator[PartitionView]:
        """``scan`` projected on ``columns`` (see ``StorageEngine.scan_rows``)."""
        if tracing.current() is not None:
            for view in self.scan(key_range, slices, now):
                view = project_view(view, columns)
                if view is not None:
                    yield view
            return
        mems, ssts = self._view
        nm = len(mems)
        for dk, group in self._scan_groups(mems, ssts, key_range, slices):
            view = self._live_rows(dk[8:], dk, [mems[i] for _, i, _ in group if i < nm],
                                   [(ssts[i - nm], e) for _, i, e in group if i >= nm],
                                   slices, False, now, None, columns)
            if view is not None:
                yield view

    def _scan_groups(self, mems, ssts, key_range: KeyRange, slices) -> Iterator:
        """``(dk, [(dk, source, index entry or None)])`` per partition in the range, in
        key order; sources below ``len(mems)`` are memtables, the others SSTables."""
        if self.corrupt:
            self.check_readable()
        lock = self.engine.lock
        lo, hi = key_range.start, key_range.end
        incl = (key_range.start_inclusive, key_range.end_inclusive)
        sources = []
        with lock:
            for i, mt in enumerate(mems):
                keys = list(mt.partitions.irange(lo, hi, inclusive=incl))
                if keys:
                    sources.append(_tagged_keys(keys, i))
        nm = len(mems)
        from_memtables = len(sources)
        for j, s in enumerate(ssts):
            if slices is not None and not s.stats.may_intersect(slices):
                continue
            if (hi is not None and s.first_dk > hi) or (lo is not None and s.last_dk < lo):
                continue
            entries = s.entries(lo, incl[0], hi, incl[1])
            sources.append(_tagged_entries(entries, nm + j))
        tracing.trace("Scanning {}/{} memtables and {}/{} sstables that overlap the range",
                      from_memtables, nm, len(sources) - from_memtables, len(ssts),
                      stage=tracing.READ)
        if not sources:
            return
        merged = sources[0] if len(sources) == 1 else heapq.merge(*sources, key=itemgetter(0))
        group: list = []
        current = None
        for item in merged:
            if item[0] != current:
                if group:
                    yield current, group
                group = []
                current = item[0]
            group.append(item)
        if group:
            yield current, group

    def _scan_view(self, dk, group, mems, ssts, slices, now) -> PartitionView | None:
        nm = len(mems)
        if tracing.current() is None:
            sources = [(ssts[i - nm].read(e, slices), None) for _, i, e in group if i >= nm]
            with self.engine.lock:
                for _, i, _ in group:
                    if i < nm:
                        p = mems[i].partitions.get(dk)
                        if p is not None:
                            sources.append((p, None))
                if not sources:
                    return None
                if len(sources) == 1:
                    return view_partition(dk[8:], sources[0][0], slices, False, now)
                return merged_view(dk[8:], sources, slices, False, now)
        fresh = [ssts[i - nm].read(e, slices) for _, i, e in group if i >= nm]
        with self.engine.lock:
            versions = [p for _, i, _ in group if i < nm
                        and (p := mems[i].partitions.get(dk)) is not None]
            if not fresh:
                if not versions:
                    return None
                merged = versions[0] if len(versions) == 1 else merge_partitions(versions)
                return view_partition(dk[8:], merged, slices, False, now)
            merged = fresh[0]
            for p in versions:
                merge_partition_into(merged, p)
        for p in fresh[1:]:
            merge_partition_into(merged, p)
        return view_partition(dk[8:], merged, slices, False, now)

    # ------------------------------------------------------------------ compaction

    def pick_compaction(self, now: float | None = None) -> compaction.Task | None:
        if not self.opts.compaction_enabled or self.dropped:
            return None
        now = now if now is not None else time.time()
        gcb = compaction.gc_before(self.opts.gc_grace_seconds, now)
        with self.engine.lock:
            idle = [s for s in self.sstables
                    if s.gen not in self.compacting and s.gen not in self.quarantined]
            busy = [s for s in self.sstables if s not in idle]
        if any(s.stats.fully_expired(gcb) for s in idle):
            expired = compaction.fully_expired(idle, busy, self._memtables_min_ts(), gcb)
            if expired:
                return compaction.Task(expired, 0, reason="fully expired", drop_only=True)
        return self.strategy.pick(idle, gcb, now)

    def _memtables_min_ts(self) -> int:
        with self.engine.lock:
            mems = self._view[0]
            return min((mt.min_timestamp() for mt in mems), default=(1 << 63) - 1)

    def major_tasks(self) -> list[compaction.Task]:
        with self.engine.lock:
            idle = [s for s in self.sstables
                    if s.gen not in self.compacting and s.gen not in self.quarantined]
        gcb = compaction.gc_before(self.opts.gc_grace_seconds)
        expired = compaction.fully_expired(idle, [], self._memtables_min_ts(), gcb)
        tasks = []
        if expired:
            tasks.append(compaction.Task(expired, 0, reason="fully expired", drop_only=True))
            idle = [s for s in idle if s not in expired]
        return tasks + self.strategy.major(idle)

    def run_compaction(self, task: compaction.Task) -> bool:
        """Execute ``task``; returns False if it could not start (inputs busy or gone)."""
        engine = self.engine
        with engine.lock:
            gens = {s.gen for s in task.inputs}
            live = {s.gen for s in self.sstables}
            if gens & self.compacting or not gens <= live or self.dropped:
                return False
            self.compacting |= gens
            epoch = self.epoch
        outputs: list[tuple[SSTableWriter, int]] = []
        try:
            if not task.drop_only:
                outputs = self._write_compacted(task)
            engine.crash_point("compaction.before_manifest")
            with engine.lock:
                if self.epoch != epoch or self.dropped:
                    for w, _ in outputs:
                        w.abort()
                    return True
                readers = [SSTableReader(self.directory, w.gen, engine.chunk_cache, task.level)
                           for w, _ in outputs]
                self.manifest.commit([(w.gen, task.level) for w, _ in outputs], sorted(gens))
                engine.crash_point("compaction.after_manifest")
                self.sstables = [s for s in self.sstables if s.gen not in gens] + readers
                self._publish()
                self.compactions += 1
                self.bytes_compacted += sum(s.data_size for s in task.inputs)
            for s in task.inputs:
                self._delete_files(s.gen)
                engine.chunk_cache.drop_owner(s.uid)
            return True
        except CompactionAborted:
            for w, _ in outputs:
                w.abort()
            return False
        except BaseException as exc:
            for w, _ in outputs:
                w.abort()
            if isinstance(exc, CorruptionError):
                # Leave the damaged SSTable out of later compactions (reads still report
                # it); the operator decides what to do (verify, restore a snapshot).
                bad = {s.gen for s in task.inputs if getattr(exc, "path", None) in s.files()}
                self.quarantined |= bad or gens
            raise
        finally:
            with engine.lock:
                self.compacting -= gens

    def _write_compacted(self, task: compaction.Task) -> list[tuple[SSTableWriter, int]]:
        now = int(time.time())
        gcb = compaction.gc_before(self.opts.gc_grace_seconds, now)
        inputs = task.inputs
        input_gens = {s.gen for s in inputs}
        with self.engine.lock:
            others = [s for s in self.sstables if s.gen not in input_gens]
            mems = self._view[0]
        replay = max((s.stats.merged_replay_position() for s in inputs), default=(0, 0))
        expected = sum(s.stats.partitions for s in inputs)
        outputs: list[tuple[SSTableWriter, int]] = []
        writer: SSTableWriter | None = None

        def max_purgeable(dk: bytes) -> int:
            for mt in mems:
                if dk in mt.partitions:
                    return MIN_TIMESTAMP
            lo = (1 << 63) - 1
            for o in others:
                if o.stats.min_ts < lo and o.may_contain(dk):
                    lo = o.stats.min_ts
            return lo

        iters = [_tagged_scan(s, i) for i, s in enumerate(inputs)]
        merged_iter = heapq.merge(*iters, key=itemgetter(0)) if len(iters) > 1 else iters[0]
        try:
            group: list[Partition] = []
            current = None

            def emit(dk: bytes, versions: list[Partition]) -> None:
                nonlocal writer
                p = versions[0]
                for v in versions[1:]:
                    merge_partition_into(p, v)
                kept = compaction.purge_partition(p, gcb, max_purgeable(dk), now)
                if kept is None:
                    return
                if writer is None:
                    writer = SSTableWriter(self.directory, self._allocate_gen(),
                                           self.opts.sstable, expected)
                    outputs.append((writer, 0))
                writer.append(dk, kept)
                if task.max_output_bytes and writer.bytes_written >= task.max_output_bytes:
                    writer.finish(replay)
                    writer = None

            engine = self.engine
            for dk, _, p in merged_iter:
                if engine._closed or self.dropped:
                    raise CompactionAborted
                if dk != current:
                    if group:
                        emit(current, group)
                    group = []
                    current = dk
                group.append(p)
            if group:
                emit(current, group)
            if writer is not None:
                writer.finish(replay)
        except BaseException:
            for w, _ in outputs:
                w.abort()
            raise
        return outputs

    def _delete_files(self, gen: int) -> None:
        for comp in COMPONENTS:
            try:
                os.unlink(component_path(self.directory, gen, comp))
            except FileNotFoundError:
                pass

    # ------------------------------------------------------------------ admin

    def truncate(self, replay: Position) -> None:
        """Drop memtables and SSTables (caller holds flush and compaction locks and the
        engine lock)."""
        self.epoch += 1
        self.memtable = Memtable()
        self.flushing = []
        self.manifest.truncate(replay)
        self.replay_floor = max(self.replay_floor, replay)
        old = self.sstables
        self.sstables = []
        self.corrupt = []
        self._publish()
        for s in old:
            self._delete_files(s.gen)
            self.engine.chunk_cache.drop_owner(s.uid)

    def drop_files(self, keep_snapshots: bool) -> None:
        self.manifest.remove()
        snapshots = os.path.join(self.directory, "snapshots")
        if keep_snapshots and os.path.isdir(snapshots):
            for name in os.listdir(self.directory):
                full = os.path.join(self.directory, name)
                if name != "snapshots" and os.path.isfile(full):
                    os.unlink(full)
        else:
            shutil.rmtree(self.directory, ignore_errors=True)

    def live_sstables(self) -> list[SSTableReader]:
        return list(self._view[1])
