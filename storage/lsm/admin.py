"""Operator actions on an open LSMEngine (what ``nodetool`` does against a node).

Tables can be selected by keyspace and table *name* (as nodetool does) or by table id.
Snapshots are directories of hard links, ``<table dir>/snapshots/<tag>/``, plus a
``manifest.json`` listing the files and the table's id, name and options.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import TYPE_CHECKING

from .. import nodeinfo
from ..errors import CorruptionError
from . import restore
from .fsutil import fsync_dir
from .sstable import SSTableReader

if TYPE_CHECKING:
    from .engine import LSMEngine
    from .table import Table


def check_tag(tag: str) -> None:
    """A snapshot tag names one directory."""
    if not tag or "/" in tag or tag in (".", ".."):
        raise ValueError(f"invalid snapshot tag {tag!r}")


def snapshot_table(t: Table, tag: str) -> str:
    """Hard-link every live SSTable of ``t`` into ``snapshots/<tag>``; returns the dir."""
    check_tag(tag)
    target = os.path.join(t.directory, "snapshots", tag)
    os.makedirs(target, exist_ok=True)
    files = []
    for s in t.live_sstables():
        for path in s.files():
            dest = os.path.join(target, os.path.basename(path))
            if not os.path.exists(dest):
                os.link(path, dest)
            files.append(os.path.basename(path))
    info = t.info
    meta = {"table_id": info.table_id, "keyspace": info.keyspace, "table": info.name,
            "options": t.manifest.state.options, "created_at": int(time.time()),
            "files": sorted(files)}
    with open(os.path.join(target, "manifest.json"), "w") as f:
        json.dump(meta, f, indent=2, default=str)
    fsync_dir(target)
    return target


class Admin:
    def __init__(self, engine: LSMEngine):
        self.engine = engine

    # ------------------------------------------------------------ selection

    def select(self, keyspace: str | None = None, tables: list[str] | str | None = None
               ) -> list[Table]:
        """Tables by keyspace and names (or ids); everything when both are None."""
        if isinstance(tables, str):
            tables = [tables]
        out = []
        for t in self.engine.tables():
            if keyspace is not None and t.info.keyspace != keyspace:
                continue
            if tables and t.info.name not in tables and t.table_id not in tables:
                continue
            out.append(t)
        return out

    # ------------------------------------------------------------ verbs

    def flush(self, keyspace: str | None = None, tables: list[str] | str | None = None) -> None:
        for t in self.select(keyspace, tables):
            self.engine.flush(t.table_id)

    def compact(self, keyspace: str | None = None, tables: list[str] | str | None = None) -> None:
        for t in self.select(keyspace, tables):
            self.engine.compact(t.table_id)

    def snapshot(self, tag: str | None = None, keyspace: str | None = None,
                 tables: list[str] | str | None = None) -> str:
        """Flush, then hard-link every live SSTable (like ``nodetool snapshot``)."""
        tag = tag or str(int(time.time() * 1000))
        selected = self.select(keyspace, tables)
        for t in selected:
            self.engine.flush(t.table_id)
        for t in selected:
            with self.engine.lock:
                snapshot_table(t, tag)
        return tag

    def list_snapshots(self) -> dict[str, list[dict]]:
        """tag -> [{keyspace, table, path, size}] over every table directory on disk."""
        out: dict[str, list[dict]] = {}
        for tdir in self._table_dirs():
            snaps = os.path.join(tdir, "snapshots")
            if not os.path.isdir(snaps):
                continue
            for tag in sorted(os.listdir(snaps)):
                path = os.path.join(snaps, tag)
                size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
                ks = os.path.basename(os.path.dirname(tdir))
                out.setdefault(tag, []).append({
                    "keyspace": ks, "table": os.path.basename(tdir).rpartition("-")[0],
                    "path": path, "size": size})
        return out

    def clear_snapshot(self, tag: str | None = None) -> list[str]:
        """Remove snapshot ``tag`` (every snapshot when None); returns removed dirs."""
        removed = []
        for tdir in self._table_dirs():
            snaps = os.path.join(tdir, "snapshots")
            if not os.path.isdir(snaps):
                continue
            for name in os.listdir(snaps):
                if tag is None or name == tag:
                    shutil.rmtree(os.path.join(snaps, name))
                    removed.append(os.path.join(snaps, name))
            if not os.listdir(snaps):
                os.rmdir(snaps)
            if not os.path.exists(os.path.join(tdir, "manifest.log")) and not os.listdir(tdir):
                os.rmdir(tdir)  # a dropped table kept only for its snapshots
        return removed

    def _table_dirs(self) -> list[str]:
        data = self.engine.data_dir
        dirs = []
        for ks in sorted(os.listdir(data)):
            ks_dir = os.path.join(data, ks)
            if os.path.isdir(ks_dir):
                dirs += [os.path.join(ks_dir, t) for t in sorted(os.listdir(ks_dir))
                         if os.path.isdir(os.path.join(ks_dir, t))]
        return dirs

    def verify(self, keyspace: str | None = None, tables: list[str] | str | None = None
               ) -> list[Exception]:
        """Check every SSTable's digest, chunks and index; returns the problems found."""
        problems: list[Exception] = []
        for t in self.select(keyspace, tables):
            problems += t.corrupt
            for s in t.live_sstables():
                try:
                    s.verify()
                except Exception as exc:
                    if not isinstance(exc, CorruptionError):
                        raise
                    problems.append(exc)
        problems += list(self.engine.unavailable().values())
        return problems

    # ------------------------------------------------------------ node reports, restore

    def info(self, data_dir: str) -> dict:
        return nodeinfo.info(self.engine, data_dir)

    def status(self) -> dict:
        return nodeinfo.status(self.engine)

    def compaction_stats(self) -> dict:
        return nodeinfo.compaction_stats(self.engine)

    def table_histograms(self, keyspace: str, table: str) -> dict | None:
        """The table's histograms; None when there is no such table."""
        tables = self.select(keyspace, [table])
        return nodeinfo.table_histograms(self.engine, tables[0]) if tables else None

    def restore(self, tag: str, keyspace: str | None = None,
                tables: list[str] | str | None = None) -> list[tuple[str, str, int]]:
        """Replace the selected tables that have snapshot ``tag`` by it: (ks, table, SSTables)."""
        chosen = [t for t in self.select(keyspace, tables)
                  if os.path.isdir(os.path.join(t.directory, "snapshots", tag))]
        return [(t.info.keyspace, t.info.name, restore.restore_snapshot(self.engine, t, tag))
                for t in chosen]

    def refresh(self, keyspace: str, table: str, source: str | None = None) -> int | None:
        """Load the SSTables uploaded for a table; None when there is no such table."""
        tables = self.select(keyspace, [table])
        return restore.refresh(self.engine, tables[0], source) if tables else None

    def tablestats(self, keyspace: str | None = None, tables: list[str] | str | None = None
                   ) -> list[dict]:
        """Structured per-table statistics (the numbers ``nodetool tablestats`` shows)."""
        out = []
        for t in self.select(keyspace, tables):
            ssts: list[SSTableReader] = t.live_sstables()
            mems = t._view[0]
            live = sum(s.disk_size() for s in ssts)
            snap_dir = os.path.join(t.directory, "snapshots")
            snap_size = 0
            if os.path.isdir(snap_dir):
                for root, _, files in os.walk(snap_dir):
                    snap_size += sum(os.path.getsize(os.path.join(root, f)) for f in files)
            fp = sum(s.bloom_fp for s in ssts)
            tp = sum(s.bloom_tp for s in ssts)
            levels: dict[int, int] = {}
            for s in ssts:
                levels[s.level] = levels.get(s.level, 0) + 1
            uncompressed = sum(s.stats.data_size for s in ssts)
            compressed = sum(s.stats.compressed_size for s in ssts)
            out.append({
                "keyspace": t.info.keyspace,
                "table": t.info.name,
                "table_id": t.table_id,
                "directory": t.directory,
                "compaction_strategy": t.strategy.name,
                "sstable_count": len(ssts),
                "sstables_per_level": [levels.get(i, 0) for i in range(max(levels) + 1)]
                if levels else [],
                "space_used_live": live,
                "space_used_total": live,
                "space_used_by_snapshots": snap_size,
                "sstable_compression_ratio": (compressed / uncompressed) if uncompressed else None,
                "partitions_estimate": sum(s.stats.partitions for s in ssts)
                + sum(len(m.partitions) for m in mems),
                "rows_in_sstables": sum(s.stats.rows for s in ssts),
                "tombstones_in_sstables": sum(s.stats.tombstones for s in ssts),
                "memtable_partitions": sum(len(m.partitions) for m in mems),
                "memtable_data_size": sum(m.size for m in mems),
                "memtable_switch_count": t.memtable_switches,
                "pending_flushes": len(t.flushing),
                "local_read_count": t.reads,
                "local_write_count": t.writes,
                "flush_count": t.flushes,
                "compactions_completed": t.compactions,
                "bytes_compacted": t.bytes_compacted,
                "bloom_filter_false_positives": fp,
                "bloom_filter_false_ratio": fp / (fp + tp) if fp + tp else 0.0,
                "bloom_filter_space_used": sum(s.bloom.size_bytes() for s in ssts),
                "compacted_partition_maximum_bytes": max(
                    (s.stats.max_partition_size for s in ssts), default=0),
                "min_timestamp": min((s.stats.min_ts for s in ssts), default=None),
                "max_timestamp": max((s.stats.max_ts for s in ssts), default=None),
                "corrupt_sstables": [str(e) for e in t.corrupt],
            })
        return out
