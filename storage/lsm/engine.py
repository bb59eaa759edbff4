"""LSMEngine: the durable storage engine (commit log + memtables + SSTables + compaction).

Directory layout (Cassandra's)::

    <path>/LOCK                                   flock'ed while an engine has it open
    <path>/commitlog/CommitLog-7-<id>.log         commit log segments
    <path>/data/<keyspace>/<table>-<id>/          one directory per table:
        manifest.log                              SSTable transaction log (+ table info)
        nb-<gen>-big-<Component>                  SSTable components
        snapshots/<tag>/                          hard-linked snapshots

Opening: take the lock, load every table directory that has a manifest (so tables the
``cql`` layer has not registered yet still get their commit-log records back), replay the
commit log into memtables (records before a table's replay position, or for tables with
no manifest, i.e. dropped ones, are skipped), then start a fresh segment. ``create_table``
for a loaded table only refreshes its options. Dropping a table deletes its manifest
first (the commit point), then its files; with ``auto_snapshot`` or the table option
``allow_auto_snapshot`` the SSTables are first hard-linked into a snapshot that survives.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from typing import Self

from .. import tracing
from ..engine import FULL_RANGE, KeyRange, Slices, StorageEngine, TableInfo, now_seconds
from ..errors import CorruptionError, DirectoryLockedError
from ..model import Mutation, PartitionView, Row, one_row_mutation
from ..murmur3 import decorate
from .commitlog import CommitLog, Position
from .encoding import (
    DecodeError,
    encode_mutations,
    iter_mutations,
    row_record,
    safe_decode_partition,
)
from .framing import OVERHEAD
from .fsutil import fsync_dir
from .manifest import Manifest, normalize_options
from .sstable import ChunkCache
from .table import Table, table_dir_name

log = logging.getLogger(__name__)

MIB = 1 << 20
MAX_FLUSH_BACKLOG = 4


def _norm_id(table_id: str) -> str:
    return table_id.replace("-", "")


class LSMEngine(StorageEngine):
    encodes_rows = True

    def __init__(
        self,
        path: str,
        *,
        commitlog_sync: str = "periodic",
        commitlog_sync_period_ms: float = 10000,
        commitlog_sync_group_window_ms: float = 15,
        memtable_size_bytes: int = 64 * MIB,
        commitlog_segment_size_bytes: int = 32 * MIB,
        commitlog_total_space_bytes: int = 512 * MIB,
        compaction_in_background: bool = True,
        flush_in_background: bool | None = None,
        chunk_cache_bytes: int = 64 * MIB,
        commitlog_ignore_replay_errors: bool = False,
        auto_snapshot: bool = False,
        flush_on_close: bool = True,
        crash_points: dict[str, float] | None = None,
    ):
        self.path = os.path.abspath(path)
        self.data_dir = os.path.join(self.path, "data")
        self.commitlog_dir = os.path.join(self.path, "commitlog")
        os.makedirs(self.data_dir, exist_ok=True)
        self._lock_fd = self._take_lock()
        self.lock = threading.RLock()
        self.memtable_size_bytes = memtable_size_bytes
        self.commitlog_total_space = commitlog_total_space_bytes
        self.background_compaction = compaction_in_background
        self.background_flush = (compaction_in_background if flush_in_background is None
                                 else flush_in_background)
        self.auto_snapshot = auto_snapshot
        self.flush_on_close = flush_on_close
        self._crash_points = dict(crash_points or {})
        self.chunk_cache = ChunkCache(chunk_cache_bytes)
        self._active_bytes = 0  # active memtables only: the flush trigger
        self._tables: dict[str, Table] = {}
        self._unavailable: dict[str, Exception] = {}  # normalized id -> why
        self._pinned: dict[str, Position] = {}  # records of unavailable tables
        self._closed = False
        self._cond = threading.Condition(self.lock)
        self._flush_queue: list[Table] = []
        self._compact_wanted = threading.Event()
        self._threads: list[threading.Thread] = []
        self.background_errors: list[BaseException] = []
        self.replayed = 0
        self._replaying = True
        try:
            self._load_tables()
            self.commitlog = CommitLog(
                self.commitlog_dir,
                sync=commitlog_sync,
                period_ms=commitlog_sync_period_ms,
                group_window_ms=commitlog_sync_group_window_ms,
                segment_size=commitlog_segment_size_bytes,
                ignore_replay_errors=commitlog_ignore_replay_errors,
            )
            self._replay()
            self._replaying = False
            recorded = [max(t.replay_floor, t.manifest.state.created)[0]
                        for t in self._tables.values()]
            self.commitlog.start(min_segment_id=max(recorded, default=0) + 1)
            self._last_segment = self.commitlog.position()[0]
        except BaseException:
            self._release_lock()
            raise
        if self.background_flush:
            self._start_thread(self._flush_loop, "lsm-flush")
        if self.background_compaction:
            self._start_thread(self._compaction_loop, "lsm-compaction")
            self._compact_wanted.set()

    # ================================================================== opening

    def _take_lock(self) -> int:
        lock_path = os.path.join(self.path, "LOCK")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            finally:
                os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise DirectoryLockedError(
                f"data directory {self.path} is already in use by another cassalite "
                f"engine{who}; lock file {lock_path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None

    def _load_tables(self) -> None:
        for ks in sorted(os.listdir(self.data_dir)):
            ks_dir = os.path.join(self.data_dir, ks)
            if not os.path.isdir(ks_dir):
                continue
            for name in sorted(os.listdir(ks_dir)):
                tdir = os.path.join(ks_dir, name)
                if not os.path.isdir(tdir) or not Manifest.exists(tdir):
                    continue
                manifest = Manifest(tdir)
                try:
                    st = manifest.load()
                except Exception as exc:  # noqa: BLE001 - reported as a corrupt table
                    if not isinstance(exc, CorruptionError):
                        exc = CorruptionError(manifest.path, None, f"unreadable manifest: {exc}")
                    log.error("table in %s unavailable: %s", tdir, exc)
                    self._unavailable[name.rpartition("-")[2]] = exc
                    continue
                info = TableInfo(st.table_id, st.keyspace, st.name, st.options)
                table = Table(self, tdir, manifest, info)
                table.load_sstables()
                self._tables[st.table_id] = table

    def _replay(self) -> None:
        tables = self._tables
        for pos, payload in self.commitlog.replay():
            try:
                items = list(iter_mutations(payload))
                for tid, pk, start, end in items:
                    table = tables.get(tid)
                    if table is None:
                        norm = _norm_id(tid)
                        if norm in self._unavailable:
                            self._pinned.setdefault(norm, pos)
                        continue
                    if pos < table.replay_floor:
                        continue
                    partition, _ = safe_decode_partition(payload, start)
                    grow = table.memtable.apply(decorate(pk), partition, end - start, pos)
                    self._active_bytes += grow
                    self.replayed += 1
            except DecodeError as exc:
                path = os.path.join(self.commitlog_dir, f"CommitLog-7-{pos[0]}.log")
                raise CorruptionError(path, pos[1], f"commit log record does not decode: {exc}"
                                 ) from None
            if self._active_bytes > self.memtable_size_bytes:
                # Replaying a long log: flush as we go (everything before the next record).
                end_pos = (pos[0], pos[1] + len(payload) + 12)
                for table in list(tables.values()):
                    with self.lock:
                        self._switch(table, end_pos)
                    table.flush_pending()

    # ================================================================== schema

    def create_table(self, table: TableInfo) -> None:
        with self.lock:
            self._check_open()
            existing = self._tables.get(table.table_id)
            if existing is not None:
                existing.update_info(table)
                return
            norm = _norm_id(table.table_id)
            if norm in self._unavailable:
                return  # reads and writes will report why
            ks_dir = os.path.join(self.data_dir, table.keyspace)
            tdir = os.path.join(ks_dir, table_dir_name(table.name, table.table_id))
            os.makedirs(tdir, exist_ok=True)
            manifest = Manifest(tdir)
            manifest.create(table.table_id, table.keyspace, table.name,
                            normalize_options(table.options), self.commitlog.position())
            fsync_dir(ks_dir)
            fsync_dir(self.data_dir)
            t = Table(self, tdir, manifest, table)
            t.load_sstables()
            self._tables[table.table_id] = t

    def alter_table(self, table: TableInfo) -> None:
        with self.lock:
            t = self._table(table.table_id)
            t.update_info(table)
        self._compact_wanted.set()

    def drop_table(self, table_id: str) -> None:
        with self.lock:
            t = self._tables.get(table_id)
            if t is None:
                self._unavailable.pop(_norm_id(table_id), None)
                self._pinned.pop(_norm_id(table_id), None)
                return
        with t.flush_lock, t.compaction_lock, self.lock:
            snapshot = self.auto_snapshot or t.opts.allow_auto_snapshot
            if snapshot and t.sstables:
                from .admin import snapshot_table

                snapshot_table(t, f"dropped-{int(time.time() * 1000)}-{t.info.name}")
            t.dropped = True
            t.epoch += 1
            self._active_bytes -= t.memtable.size
            del self._tables[table_id]
            t.drop_files(keep_snapshots=True)
            for s in t.sstables:
                self.chunk_cache.drop_owner(s.uid)
        self._discard_commitlog()

    def truncate(self, table_id: str) -> None:
        t = self._table(table_id)
        with t.flush_lock, t.compaction_lock, self.lock:
            self._active_bytes -= t.memtable.size
            t.truncate(self.commitlog.position())
        self._discard_commitlog()

    def _table(self, table_id: str) -> Table:
        t = self._tables.get(table_id)
        if t is None:
            exc = self._unavailable.get(_norm_id(table_id))
            if exc is not None:
                raise exc
            raise KeyError(f"unknown table id {table_id}")
        return t

    def tables(self) -> list[Table]:
        return list(self._tables.values())

    def unavailable(self) -> dict[str, Exception]:
        return dict(self._unavailable)

    # ================================================================== writes

    def apply(self, mutations: list[Mutation]) -> None:
        if not mutations:
            return
        tables = self._tables
        targets = [tables.get(m.table_id) or self._table(m.table_id) for m in mutations]
        payload, sizes = encode_mutations(mutations)
        log = self.commitlog
        with self.lock:
            if self._closed:
                raise RuntimeError("engine is closed")
            start = log.append_serialized(payload)
            pos = (log.segment_id, start)
            end = (pos[0], start + len(payload) + OVERHEAD)
            grown = 0
            for i, m in enumerate(mutations):
                t = targets[i]
                grown += t.memtable.apply(decorate(m.pk), m.update, sizes[i], pos)
                t.writes += 1
            self._active_bytes += grown
        self._logged(len(mutations), targets, len(payload), pos, end)

    def write_row(self, table_id: str, pk: bytes, ck: bytes, row: Row) -> None:
        """``apply`` of the one-row mutation, its commit-log record made straight from
        the row's kept encoding (``encoding.row_record``) when it has one: the same
        record, memtable contents, size accounting, sync and flush pressure."""
        t = self._tables.get(table_id)
        if t is None:
            t = self._table(table_id)
        record = row_record(table_id, pk, ck, row)
        if record is None:
            return self.apply([one_row_mutation(table_id, pk, ck, row)])
        payload, size = record
        log = self.commitlog
        with self.lock:
            if self._closed:
                raise RuntimeError("engine is closed")
            start = log.append_serialized(payload)
            segment = log.segment_id
            t.writes += 1
            self._active_bytes += t.memtable.put_row(decorate(pk), ck, row, size, segment,
                                                     start)
        # what _logged does, its tuples built only when there is something to do
        if segment != self._last_segment or self._active_bytes > self.memtable_size_bytes \
                or log.sync_mode != "periodic" or tracing.current() is not None:
            self._logged(1, (t,), len(payload), (segment, start),
                         (segment, start + len(payload) + OVERHEAD))

    def _logged(self, count: int, targets, size: int, pos: Position, end: Position) -> None:
        """After a write's ``size``-byte record (``count`` mutations into the tables
        ``targets``) went into the commit log at ``pos``..``end`` and the memtables:
        the sync of non-periodic modes, tracing, and the flush pressure check."""
        log = self.commitlog
        if log.sync_mode != "periodic":
            log.sync_to(end)
        if tracing.current() is not None:  # the table names are worth building only then
            self._trace_write(count, targets, size, pos)
        if self._active_bytes > self.memtable_size_bytes or end[0] != self._last_segment:
            self._pressure(end[0])

    def _trace_write(self, count: int, targets, size: int, pos: Position) -> None:
        log = self.commitlog
        synced = "" if log.sync_mode == "periodic" else f", fsynced ({log.sync_mode} mode)"
        tracing.trace("Appended {} mutations ({} bytes) to commit log segment {}{}",
                      count, size, pos[0], synced, stage=tracing.MUTATION)
        for name in dict.fromkeys(f"{t.info.keyspace}.{t.info.name}" for t in targets):
            tracing.trace("Adding to {} memtable", name, stage=tracing.MUTATION)

    def _pressure(self, segment: int) -> None:
        """Memtables too big or commit log too long: switch memtables out for flushing."""
        chosen: list[Table] = []
        with self.lock:
            if segment != self._last_segment:
                self._last_segment = segment
                if self.commitlog.total_bytes() > self.commitlog_total_space:
                    oldest = self.commitlog.oldest_segment()
                    for t in self._tables.values():
                        floor = t.dirty_floor()
                        if floor is not None and oldest is not None and floor[0] <= oldest:
                            chosen.append(t)
            if self._active_bytes > self.memtable_size_bytes:
                biggest = max(self._tables.values(), key=lambda t: t.memtable.size, default=None)
                if biggest is not None and biggest not in chosen:
                    chosen.append(biggest)
            pos = self.commitlog.position()
            chosen = [t for t in chosen if self._switch(t, pos)]
        if not chosen:
            return
        if self.background_flush:
            with self._cond:
                for t in chosen:
                    if t not in self._flush_queue:
                        self._flush_queue.append(t)
                self._cond.notify_all()
                while (self._backlog() > MAX_FLUSH_BACKLOG and not self._closed
                       and self._threads):
                    self._cond.wait(0.5)  # write stall: flushing is behind
        else:
            for t in chosen:
                t.flush_pending()

    def _switch(self, t: Table, pos: Position) -> bool:
        size = t.memtable.size
        if t.switch_memtable(pos) is None:
            return False
        self._active_bytes -= size
        return True

    @property
    def memtable_bytes(self) -> int:
        """The estimated size of all unflushed memtables (summed when asked: a write
        keeps only the active memtables' total, the flush trigger, up to date)."""
        with self.lock:
            return sum(t.memtable.size + sum(m.size for m in t.flushing)
                       for t in self._tables.values())

    def _backlog(self) -> int:
        return sum(len(t.flushing) for t in self._tables.values())

    def flushed(self, table: Table) -> None:
        """Called by a table after a flush commits."""
        if self._replaying:
            return  # segments are still being read; compaction waits for a full picture
        self._discard_commitlog()
        with self._cond:
            self._cond.notify_all()
        if self.background_compaction:
            self._compact_wanted.set()
        else:
            self._compact_table(table)

    def _discard_commitlog(self) -> None:
        if self._replaying:
            return
        with self.lock:
            floors = [f for t in self._tables.values() if (f := t.dirty_floor()) is not None]
            floors += self._pinned.values()
            self.commitlog.discard_before(min(floors) if floors else None)

    # ================================================================== reads

    def read_partition(
        self,
        table_id: str,
        pk: bytes,
        slices: Slices = None,
        reverse: bool = False,
        now: int | None = None,
        limit: int | None = None,
    ) -> PartitionView | None:
        t = self._tables.get(table_id)
        if t is None:
            t = self._table(table_id)
        return t.read(pk, slices, reverse, now if now is not None else now_seconds(), limit)

    def scan(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
    ) -> Iterator[PartitionView]:
        t = self._table(table_id)
        return t.scan(key_range, slices, now if now is not None else now_seconds())

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
        t = self._tables.get(table_id)
        if t is None:
            t = self._table(table_id)
        return t.read_rows(pk, slices, reverse, now if now is not None else now_seconds(),
                           limit, columns)

    def scan_rows(
        self,
        table_id: str,
        key_range: KeyRange = FULL_RANGE,
        slices: Slices = None,
        now: int | None = None,
        *,
        columns: tuple[str, ...],
    ) -> Iterator[PartitionView]:
        t = self._table(table_id)
        return t.scan_rows(key_range, slices, now if now is not None else now_seconds(),
                           columns)

    # ================================================================== flush / compact

    def flush(self, table_id: str | None = None) -> None:
        tables = [self._table(table_id)] if table_id is not None else self.tables()
        with self.lock:
            pos = self.commitlog.position()
            for t in tables:
                self._switch(t, pos)
        for t in tables:
            t.flush_pending()
        self._discard_commitlog()

    def compact(self, table_id: str | None = None) -> None:
        """Major compaction: everything of the table(s) into as few SSTables as the
        strategy allows, purging what gc_grace_seconds permits."""
        tables = [self._table(table_id)] if table_id is not None else self.tables()
        for t in tables:
            with t.compaction_lock:
                for task in t.major_tasks():
                    if len(task.inputs) > 1 or task.drop_only or task.reason == "major":
                        t.run_compaction(task)

    def _compact_table(self, t: Table) -> None:
        """Run the strategy's tasks until it has nothing to do."""
        for _ in range(100):
            if self._closed or t.dropped:
                return
            with t.compaction_lock:
                task = t.pick_compaction()
                if task is None or not t.run_compaction(task):
                    return

    def _start_thread(self, target, name: str) -> None:
        th = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(th)
        th.start()

    def _flush_loop(self) -> None:
        while True:
            with self._cond:
                while not self._flush_queue and not self._closed:
                    self._cond.wait(1.0)
                if self._closed and not self._flush_queue:
                    return
                t = self._flush_queue.pop(0)
            try:
                t.flush_pending()
            except BaseException as exc:
                log.exception("flush of %s failed", t.directory)
                self.background_errors.append(exc)
                time.sleep(0.5)
                with self._cond:
                    if not self._closed and t.flushing:
                        self._flush_queue.append(t)
            with self._cond:
                self._cond.notify_all()

    def _compaction_loop(self) -> None:
        while not self._closed:
            self._compact_wanted.wait(60.0)
            self._compact_wanted.clear()
            for t in self.tables():
                if self._closed:
                    return
                try:
                    self._compact_table(t)
                except BaseException as exc:
                    log.exception("compaction of %s failed", t.directory)
                    self.background_errors.append(exc)

    # ================================================================== misc

    def crash_point(self, name: str) -> None:
        """Fault injection for crash tests: SIGKILL ourselves at a named point."""
        if self._crash_points:
            p = self._crash_points.get(name)
            if p and random.random() < p:
                os.kill(os.getpid(), signal.SIGKILL)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("engine is closed")

    @property
    def admin(self):
        from .admin import Admin

        return Admin(self)

    def close(self) -> None:
        if self._closed:
            return
        error: BaseException | None = None
        if self.flush_on_close:
            try:
                self.flush()
            except BaseException as exc:  # noqa: BLE001 - still release files and the lock
                error = exc
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._compact_wanted.set()
        for th in self._threads:
            th.join(timeout=30)
        clean = error is None and all(t.dirty_floor() is None for t in self._tables.values()
                                      ) and not self._pinned
        if clean:
            self.commitlog.discard_before(None)
        self.commitlog.close(delete_active=clean)
        for t in self._tables.values():
            t.manifest.close()
            for s in t.sstables:
                s.close()
        self._release_lock()
        if error is not None:
            raise error

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
