"""Per-table manifest: an append-only transaction log of SSTable additions and removals.

``manifest.log`` in the table directory holds checksummed frames (see :mod:`framing`)
whose payloads are small JSON objects:

- ``{"op": "table", ...}``: table id, keyspace, name, options and the commit-log position
  at creation (older records for a re-used id are ignored);
- ``{"op": "txn", "add": [[gen, level], ...], "remove": [gen, ...], "replay": [seg, off]}``:
  one flush or compaction, applied all-or-nothing. ``replay`` (flushes) says that every
  commit-log record of this table before that position is now in SSTables;
- ``{"op": "truncate", "replay": [seg, off]}``: drops every SSTable.

A flush or compaction writes and fsyncs its SSTable files first and appends its ``txn``
last, so the append is the commit point: SSTable files that no committed record names
are leftovers of a crash and are deleted on open. A torn last record (crash mid-append)
is truncated; a damaged record elsewhere makes the table unavailable with a
CorruptionError naming the manifest.
"""

from __future__ import annotations

import json
import logging
import os

from ..errors import CorruptionError
from . import framing
from .fsutil import atomic_write, fsync_dir, write_all

log = logging.getLogger(__name__)

NAME = "manifest.log"
REWRITE_AFTER = 500  # records; then the log is rewritten as one snapshot


class ManifestState:
    """What replaying a manifest yields."""

    def __init__(self) -> None:
        self.table_id = ""
        self.keyspace = ""
        self.name = ""
        self.options: dict = {}
        self.created: tuple[int, int] = (0, 0)
        self.live: dict[int, int] = {}  # generation -> level
        self.replay: tuple[int, int] = (0, 0)
        self.max_gen = 0
        self.records = 0
        self.warnings: list[str] = []


def _json_default(value: object) -> object:
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


class Manifest:
    def __init__(self, directory: str):
        self.directory = directory
        self.path = os.path.join(directory, NAME)
        self.state = ManifestState()
        self._fd: int | None = None

    # ------------------------------------------------------------ reading

    @classmethod
    def exists(cls, directory: str) -> bool:
        return os.path.exists(os.path.join(directory, NAME))

    def load(self) -> ManifestState:
        with open(self.path, "rb") as f:
            buf = f.read()
        records, stop, problem = framing.read_frames(buf, 0)
        if problem is not None:
            if framing.valid_frame_after(buf, stop) is not None:
                raise CorruptionError(self.path, stop, f"manifest: {problem}")
            msg = f"manifest {self.path} at offset {stop}: {problem}; torn tail truncated"
            log.warning(msg)
            self.state.warnings.append(msg)
            os.truncate(self.path, stop)
        st = self.state
        for off, payload in records:
            try:
                rec = json.loads(payload)
                self._apply(rec)
            except (ValueError, KeyError, TypeError) as exc:
                raise CorruptionError(self.path, off, f"manifest record not understood: {exc}") from None
        if not st.table_id:
            raise CorruptionError(self.path, 0, "manifest has no table record")
        return st

    def _apply(self, rec: dict) -> None:
        st = self.state
        st.records += 1
        op = rec["op"]
        if op == "table":
            st.table_id = rec["table_id"]
            st.keyspace = rec["keyspace"]
            st.name = rec["name"]
            st.options = rec.get("options", {})
            st.created = tuple(rec.get("created", (0, 0)))
            st.replay = max(st.replay, st.created)
        elif op == "options":
            st.options = rec["options"]
            st.keyspace = rec.get("keyspace", st.keyspace)
            st.name = rec.get("name", st.name)
        elif op == "txn":
            for gen in rec.get("remove", ()):
                st.live.pop(gen, None)
            for gen, level in rec.get("add", ()):
                st.live[gen] = level
                st.max_gen = max(st.max_gen, gen)
            if rec.get("replay"):
                st.replay = max(st.replay, tuple(rec["replay"]))
        elif op == "truncate":
            st.live.clear()
            st.replay = max(st.replay, tuple(rec["replay"]))
        elif op == "snapshot":  # a rewritten log starts with the full state
            st.live = {g: lv for g, lv in rec["live"]}
            st.max_gen = max(rec.get("max_gen", 0), max(st.live, default=0))
            st.replay = tuple(rec["replay"])
        else:
            raise ValueError(f"unknown op {op!r}")

    # ------------------------------------------------------------ writing

    def create(self, table_id: str, keyspace: str, name: str, options: dict,
               created: tuple[int, int]) -> None:
        rec = {"op": "table", "table_id": table_id, "keyspace": keyspace, "name": name,
               "options": options, "created": list(created)}
        atomic_write(self.path, framing.frame(self._dump(rec)))
        self.state = ManifestState()
        self._apply(rec)

    def _dump(self, rec: dict) -> bytes:
        return json.dumps(rec, default=_json_default, separators=(",", ":")).encode()

    def append(self, rec: dict) -> None:
        """Append and fsync one record; the state changes only once it is durable."""
        if self.state.records >= REWRITE_AFTER:
            self._apply(rec)
            self.rewrite()
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        write_all(self._fd, framing.frame(self._dump(rec)))
        os.fsync(self._fd)
        self._apply(rec)

    def rewrite(self) -> None:
        st = self.state
        head = {"op": "table", "table_id": st.table_id, "keyspace": st.keyspace,
                "name": st.name, "options": st.options, "created": list(st.created)}
        snap = {"op": "snapshot", "live": sorted(st.live.items()), "max_gen": st.max_gen,
                "replay": list(st.replay)}
        self.close()
        atomic_write(self.path, framing.frame(self._dump(head)) + framing.frame(self._dump(snap)))
        st.records = 2

    def commit(self, add: list[tuple[int, int]], remove: list[int],
               replay: tuple[int, int] | None = None) -> None:
        rec: dict = {"op": "txn", "add": [list(a) for a in add], "remove": list(remove)}
        if replay is not None:
            rec["replay"] = list(replay)
        self.append(rec)

    def set_options(self, options: dict, keyspace: str, name: str) -> None:
        st = self.state
        if options == st.options and (keyspace, name) == (st.keyspace, st.name):
            return
        self.append({"op": "options", "options": options, "keyspace": keyspace, "name": name})

    def truncate(self, replay: tuple[int, int]) -> None:
        self.append({"op": "truncate", "replay": list(replay)})

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Delete the manifest: the commit point of dropping the table."""
        self.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        fsync_dir(self.directory)


def normalize_options(options) -> dict:
    """Table options as JSON-able plain values (what the manifest stores)."""
    return json.loads(json.dumps(dict(options), default=_json_default))
