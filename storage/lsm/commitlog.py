"""The commit log: every acknowledged write is appended here before it reaches a memtable.

Segments ``CommitLog-7-<id>.log`` start with a 20-byte header (magic, version, segment id,
CRC) followed by frames (see :mod:`framing`), one per ``apply()`` call. Positions are
``(segment_id, offset)`` tuples, so ordinary tuple comparison orders them.

The active segment is preallocated (``posix_fallocate``: a full disk fails here, not as a
SIGBUS on a page fault later) and memory-mapped, as Cassandra does: appending a frame is a
copy into the mapping, without a system call or a GIL release per write (the flush thread
would take the GIL at each release and the writer would wait to get it back). The mapped
pages belong to the kernel's page cache, so a process crash loses nothing that was copied.
A segment is cut back to its written length when it is closed; after a crash the active
one ends in zeros, which replay reads as its end (format version 2; version 1 segments,
written with ``write()``, read as before).

Sync modes (Cassandra's):
- ``periodic``: acknowledge once the frame is in the mapping (a process crash loses
  nothing); a thread fsyncs every ``period_ms``.
- ``batch``: fsync before acknowledging; concurrent writers share one fsync.
- ``group``: like batch, but a thread fsyncs at most once per ``group_window_ms`` and
  wakes all writers it covered.

Replay tolerates a torn tail in the last segment (truncated, logged); anything else that
fails its checksum raises a CorruptionError naming the file and offset.
"""

from __future__ import annotations

import errno
import logging
import mmap
import os
import re
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator

from ..errors import CorruptionError
from . import framing
from .framing import OVERHEAD, frame_into
from .fsutil import fsync_dir

log = logging.getLogger(__name__)

MAGIC = b"CLOG"
VERSION = 2  # 2: preallocated, memory-mapped segments that may end in zeros
READABLE_VERSIONS = (1, 2)
_HEADER = struct.Struct("<4sHHQ")  # magic, version, reserved, segment id
HEADER_SIZE = _HEADER.size + 4
_NAME = re.compile(r"^CommitLog-7-(\d+)\.log$")

Position = tuple[int, int]
SYNC_MODES = ("periodic", "batch", "group")
_LINUX = sys.platform.startswith("linux")


def segment_name(seg_id: int) -> str:
    return f"CommitLog-7-{seg_id}.log"


def _header(seg_id: int, version: int = VERSION) -> bytes:
    head = _HEADER.pack(MAGIC, version, 0, seg_id)
    return head + struct.pack("<I", zlib.crc32(head))


def _preallocate(fd: int, size: int) -> None:
    """Reserve ``size`` bytes of disk for ``fd`` (ENOSPC now rather than SIGBUS later)."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
        os.ftruncate(fd, size)  # a file system without fallocate: a sparse file


class _Segment:
    """The active segment: its file, its mapping and how much of it is written."""

    __slots__ = ("capacity", "fd", "id", "map", "path", "size")

    def __init__(self, seg_id: int, path: str, fd: int, capacity: int):
        self.id = seg_id
        self.path = path
        self.fd = fd
        self.capacity = capacity
        self.map = mmap.mmap(fd, capacity)
        self.size = HEADER_SIZE

    def sync(self) -> None:
        # Linux's fsync writes back the pages dirtied through the mapping too (msync
        # would hold the GIL while it waits); elsewhere msync them first.
        if not _LINUX:
            self.map.flush()
        os.fsync(self.fd)

    def close(self) -> None:
        """fsync, unmap and cut the file back to what was written."""
        self.sync()
        self.map.close()
        os.ftruncate(self.fd, self.size)
        os.fsync(self.fd)
        os.close(self.fd)



class CommitLog:
    def __init__(
        self,
        directory: str,
        sync: str = "periodic",
        period_ms: float = 10000,
        group_window_ms: float = 15,
        segment_size: int = 32 << 20,
        ignore_replay_errors: bool = False,
    ):
        if sync not in SYNC_MODES:
            raise ValueError(f"commitlog_sync must be one of {SYNC_MODES}, not {sync!r}")
        self.directory = directory
        self.sync_mode = sync
        self.period = period_ms / 1000.0
        self.group_window = group_window_ms / 1000.0
        self.segment_size = segment_size
        self.ignore_replay_errors = ignore_replay_errors
        os.makedirs(directory, exist_ok=True)
        self._sizes: dict[int, int] = {}  # closed segments still on disk -> size
        for name in os.listdir(directory):
            m = _NAME.match(name)
            if m:
                self._sizes[int(m.group(1))] = os.path.getsize(os.path.join(directory, name))
        self._active: _Segment | None = None
        self.segment_id = 0  # the active segment's id (once started)
        self._min_id = 0
        self._last_sync = 0.0
        self._io_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._synced: Position = (0, 0)
        self._cond = threading.Condition()
        self._waiters = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.sync_count = 0
        self.replay_warnings: list[str] = []

    # ---------------------------------------------------------------- replay

    def replay(self) -> Iterator[tuple[Position, bytes]]:
        """Yield ``(position, payload)`` for every intact record of existing segments."""
        ids = sorted(self._sizes)
        for i, seg_id in enumerate(ids):
            last = i == len(ids) - 1
            path = os.path.join(self.directory, segment_name(seg_id))
            with open(path, "rb") as f:
                buf = f.read()
            version = _HEADER.unpack_from(buf)[1] if len(buf) >= HEADER_SIZE else None
            if version not in READABLE_VERSIONS or buf[:HEADER_SIZE] != _header(seg_id, version):
                if last and len(buf) < HEADER_SIZE:
                    self._warn(path, 0, "torn segment header; segment discarded")
                    self._truncate(path, seg_id, 0)
                    continue
                self._fail(path, 0, "bad segment header")
                continue
            records, stop, problem = framing.read_frames(buf, HEADER_SIZE)
            for off, payload in records:
                yield (seg_id, off), payload
            if problem is not None and version >= 2 and buf.count(0, stop) == len(buf) - stop:
                self._truncate(path, seg_id, stop)  # the unwritten, zeroed end of a mapping
                continue
            if problem is None:
                continue
            later = framing.valid_frame_after(buf, stop)
            if last and later is None:
                self._warn(path, stop, f"{problem}; torn tail of {len(buf) - stop} bytes truncated")
                self._truncate(path, seg_id, stop)
            else:
                self._fail(path, stop, problem)

    def _warn(self, path: str, offset: int, detail: str) -> None:
        msg = f"commit log {path} at offset {offset}: {detail}"
        self.replay_warnings.append(msg)
        log.warning(msg)

    def _fail(self, path: str, offset: int, detail: str) -> None:
        if self.ignore_replay_errors:
            self._warn(path, offset, detail + " (ignored: rest of segment skipped)")
            return
        raise CorruptionError(path, offset, f"commit log: {detail}")

    def _truncate(self, path: str, seg_id: int, size: int) -> None:
        if size <= HEADER_SIZE:
            os.unlink(path)
            self._sizes.pop(seg_id, None)
        else:
            os.truncate(path, size)
            self._sizes[seg_id] = size

    # ---------------------------------------------------------------- writing

    def start(self, min_segment_id: int = 0) -> None:
        """Open a fresh segment and start the sync thread (after replay).

        ``min_segment_id``: the new segment's id must exceed every position recorded
        elsewhere (manifests), even if the clock went backwards since."""
        self._min_id = min_segment_id
        self._new_segment()
        if self.sync_mode in ("periodic", "group"):
            self._thread = threading.Thread(
                target=self._sync_loop, name="commitlog-sync", daemon=True
            )
            self._thread.start()

    def _new_segment(self, frame_size: int = 0) -> None:
        """Create, preallocate and map the next segment (room for ``frame_size`` at least)."""
        seg_id = max(int(time.time() * 1000), max(self._sizes, default=0) + 1, self._min_id)
        if self._active is not None:
            seg_id = max(seg_id, self._active.id + 1)
        path = os.path.join(self.directory, segment_name(seg_id))
        capacity = max(self.segment_size, HEADER_SIZE + frame_size)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            # the header first: a crash before it leaves a short file (a torn header,
            # discarded by replay), never a preallocated one without a header
            os.pwrite(fd, _header(seg_id), 0)
            _preallocate(fd, capacity)
            seg = _Segment(seg_id, path, fd, capacity)
        except BaseException:
            os.close(fd)
            os.unlink(path)
            raise
        seg.sync()
        fsync_dir(self.directory)
        self._active = seg
        self.segment_id = seg_id

    def _roll(self, frame_size: int) -> None:
        old = self._active
        assert old is not None
        with self._sync_lock:
            old.close()
            self._sizes[old.id] = old.size
            self._synced = (old.id, old.size)
            self._new_segment(frame_size)

    def append(self, payload: bytes) -> tuple[Position, Position]:
        """Append one record; returns (its position, the position just past it)."""
        with self._io_lock:
            start = self.append_serialized(payload)
            seg_id = self.segment_id
        return (seg_id, start), (seg_id, start + len(payload) + OVERHEAD)

    def append_serialized(self, payload: bytes) -> int:
        """``append`` for a caller that already keeps every other append and ``close``
        out (LSMEngine appends under its lock and closes the log after its last write):
        no lock and no position tuples per write. Returns the record's offset in the
        active segment, ``segment_id``; it ends ``len(payload) + OVERHEAD`` on."""
        seg = self._active
        if seg is None:
            raise RuntimeError("commit log is closed")
        start = seg.size
        end = start + len(payload) + OVERHEAD
        if end > seg.capacity or (end > self.segment_size and start > HEADER_SIZE):
            self._roll(end - start)
            seg = self._active
            start = seg.size
            end = start + len(payload) + OVERHEAD
        frame_into(seg.map, start, payload)
        seg.size = end
        return start

    def position(self) -> Position:
        seg = self._active
        return (seg.id, seg.size) if seg is not None else (max(self._sizes, default=0) + 1, 0)

    def sync_to(self, pos: Position) -> None:
        """Return once everything before ``pos`` is fsynced (batch and group modes)."""
        if self.sync_mode == "periodic" or self._synced >= pos:
            return
        if self.sync_mode == "batch":
            self.sync(pos)  # concurrent writers share one fsync (group commit)
            return
        with self._cond:
            self._waiters += 1
            self._cond.notify_all()
            try:
                while self._synced < pos and not self._closed:
                    self._cond.wait(1.0)
            finally:
                self._waiters -= 1
        if self._synced < pos:
            self.sync(pos)

    def sync(self, pos: Position | None = None) -> None:
        """fsync the active segment, unless everything before ``pos`` already is."""
        with self._sync_lock:
            seg = self._active
            if seg is None:
                return
            target = (seg.id, seg.size)
            if self._synced >= (pos if pos is not None else target):
                return
            seg.sync()
            self.sync_count += 1
            self._synced = max(self._synced, target)
        if self.sync_mode == "group":
            with self._cond:
                self._cond.notify_all()

    def _sync_loop(self) -> None:
        while not self._closed:
            try:
                if self.sync_mode == "periodic":
                    with self._cond:
                        self._cond.wait(self.period)
                    if not self._closed:
                        self.sync()
                else:
                    with self._cond:
                        while self._waiters == 0 and not self._closed:
                            self._cond.wait(1.0)
                    # at most one fsync per window; right away if the last was long ago
                    delay = self._last_sync + self.group_window - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    self._last_sync = time.monotonic()
                    self.sync()
            except OSError as exc:  # a failing disk must not kill the thread silently
                log.error("commit log sync failed: %s", exc)
                time.sleep(0.1)

    # ---------------------------------------------------------------- segments

    def segment_ids(self) -> list[int]:
        ids = sorted(self._sizes)
        if self._active is not None:
            ids.append(self._active.id)
        return ids

    def total_bytes(self) -> int:
        active = self._active.size if self._active is not None else 0
        return sum(self._sizes.values()) + active

    def discard_before(self, floor: Position | None) -> list[int]:
        """Delete closed segments that hold nothing at or after ``floor`` (None: all)."""
        removed = []
        for seg_id in sorted(self._sizes):
            if floor is not None and seg_id >= floor[0]:
                break
            try:
                os.unlink(os.path.join(self.directory, segment_name(seg_id)))
            except FileNotFoundError:
                pass
            del self._sizes[seg_id]
            removed.append(seg_id)
        return removed

    def oldest_segment(self) -> int | None:
        return min(self._sizes, default=None)

    def close(self, delete_active: bool = False) -> None:
        if self._closed:
            return
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._io_lock, self._sync_lock:
            seg = self._active
            self._active = None
            if seg is not None:
                seg.close()
                if delete_active:
                    os.unlink(seg.path)
                else:
                    self._sizes[seg.id] = seg.size
