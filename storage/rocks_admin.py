"""Operator actions on an open RocksEngine: the verbs of ``storage.lsm.admin.Admin``.

RocksDB keeps every table in one database, so what it does is database-wide: ``flush``
writes its one memtable, a snapshot is a RocksDB checkpoint (hard links to the live files)
of the whole database in ``<data dir>/snapshots/<tag>/`` with a ``manifest.json`` naming
the tables it holds. Per-table numbers come from a scan of the table's key prefix (exact
counts of what is stored, tombstones included). A verb RocksDB cannot carry out raises
:class:`~storage.errors.UnsupportedOperation` naming the verb and the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import TYPE_CHECKING

from . import nodeinfo
from .errors import CorruptionError, UnsupportedOperation
from .lsm.admin import check_tag
from .lsm.fsutil import fsync_dir

if TYPE_CHECKING:
    from .engine import TableInfo
    from .rocks import RocksEngine

ENGINE = "rocks"


def unsupported(verb: str, why: str) -> UnsupportedOperation:
    return UnsupportedOperation(verb, ENGINE, why)


class RocksAdmin:
    def __init__(self, engine: RocksEngine):
        self.engine = engine

    @property
    def snapshots_dir(self) -> str:
        return os.path.join(self.engine.path, "snapshots")

    def select(self, keyspace: str | None = None, tables: list[str] | str | None = None
               ) -> list[TableInfo]:
        """Tables by keyspace and names (or ids); everything when both are None."""
        if isinstance(tables, str):
            tables = [tables]
        return [t for t in self.engine.tables()
                if (keyspace is None or t.keyspace == keyspace)
                and (not tables or t.name in tables or t.table_id in tables)]

    # ------------------------------------------------------------ verbs

    def flush(self, keyspace: str | None = None, tables: list[str] | str | None = None) -> None:
        """RocksDB's memtable holds every table: flushing one flushes them all."""
        if self.select(keyspace, tables):
            self.engine.flush()

    def compact(self, keyspace: str | None = None, tables: list[str] | str | None = None) -> None:
        for t in self.select(keyspace, tables):
            self.engine.compact(t.table_id)

    def snapshot(self, tag: str | None = None, keyspace: str | None = None,
                 tables: list[str] | str | None = None) -> str:
        """A checkpoint of the whole database (a selection of tables cannot be one)."""
        if keyspace is not None or tables:
            raise unsupported("snapshot of selected tables",
                              "a RocksDB checkpoint holds the whole database")
        tag = tag or str(int(time.time() * 1000))
        check_tag(tag)
        target = os.path.join(self.snapshots_dir, tag)
        if os.path.exists(target):
            raise ValueError(f"snapshot {tag!r} already exists")
        os.makedirs(self.snapshots_dir, exist_ok=True)
        self.engine.checkpoint(target)
        meta = {"engine": ENGINE, "created_at": int(time.time()),
                "tables": sorted([t.keyspace, t.name, t.table_id] for t in self.select())}
        with open(os.path.join(target, "manifest.json"), "w") as f:
            json.dump(meta, f, indent=2)
        fsync_dir(target)
        return tag

    def list_snapshots(self) -> dict[str, list[dict]]:
        """tag -> one entry per table the checkpoint holds; ``size`` is the checkpoint's,
        shared by all of them (hard links: it costs disk only once the live files change)."""
        out: dict[str, list[dict]] = {}
        if not os.path.isdir(self.snapshots_dir):
            return out
        for tag in sorted(os.listdir(self.snapshots_dir)):
            path = os.path.join(self.snapshots_dir, tag)
            with open(os.path.join(path, "manifest.json")) as f:
                tables = json.load(f)["tables"]
            size = nodeinfo.dir_size(path)
            out[tag] = [{"keyspace": ks, "table": name, "path": path, "size": size}
                        for ks, name, _ in tables]
        return out

    def clear_snapshot(self, tag: str | None = None) -> list[str]:
        """Remove snapshot ``tag`` (every snapshot when None); returns removed dirs."""
        if not os.path.isdir(self.snapshots_dir):
            return []
        removed = []
        for name in sorted(os.listdir(self.snapshots_dir)):
            if tag is None or name == tag:
                path = os.path.join(self.snapshots_dir, name)
                shutil.rmtree(path)
                removed.append(path)
        if not os.listdir(self.snapshots_dir):
            os.rmdir(self.snapshots_dir)
        return removed

    def verify(self, keyspace: str | None = None, tables: list[str] | str | None = None
               ) -> list[CorruptionError]:
        """Decode every stored key and value of the selected tables; the problems found."""
        return [p for t in self.select(keyspace, tables)
                for p in self.engine.verify_table(t.table_id)]

    def tablestats(self, keyspace: str | None = None, tables: list[str] | str | None = None
                   ) -> list[dict]:
        """Per table, what its key prefix holds (counted by a scan)."""
        out = []
        for t in self.select(keyspace, tables):
            counts = self.engine.table_counts(t.table_id)
            out.append({"keyspace": t.keyspace, "table": t.name, "table_id": t.table_id,
                        "directory": self.engine.path, "engine": ENGINE,
                        "partitions_estimate": counts["partitions"],
                        "stored_rows": counts["rows"], "stored_bytes": counts["bytes"]})
        return out

    # ------------------------------------------------------------ node reports, restore

    def info(self, data_dir: str) -> dict:
        """Database-wide sizes from RocksDB's own estimates and the directory."""
        wal = sum(os.path.getsize(os.path.join(self.engine.path, n))
                  for n in os.listdir(self.engine.path) if n.endswith(".log"))
        return {"data_directory": os.path.abspath(data_dir), "engine": ENGINE,
                "load": self._load(), "tables": len(self.select()),
                "sstables": self.engine.live_file_count(),
                "memtable_bytes": self.engine.property_int("rocksdb.cur-size-all-mem-tables"),
                "commitlog_bytes": wal,
                "snapshots_bytes": nodeinfo.dir_size(self.snapshots_dir),
                "pending_compactions": self.engine.property_int("rocksdb.compaction-pending"),
                **nodeinfo.node_facts()}

    def status(self) -> dict:
        return nodeinfo.node_status(self._load())

    def _load(self) -> int | None:
        return self.engine.property_int("rocksdb.estimate-live-data-size")

    def compaction_stats(self) -> dict:
        raise unsupported("compactionstats", "RocksDB runs its compactions itself and "
                          "reports no per-table progress")

    def table_histograms(self, keyspace: str, table: str) -> dict | None:
        raise unsupported("tablehistograms", "RocksDB keeps no per-partition statistics")

    def restore(self, tag: str, keyspace: str | None = None,
                tables: list[str] | str | None = None) -> list[tuple[str, str, int]]:
        raise unsupported("restore", "a checkpoint is a whole database: open "
                          f"{os.path.join(self.snapshots_dir, tag)} as the data directory "
                          "instead")

    def refresh(self, keyspace: str, table: str, source: str | None = None) -> int | None:
        raise unsupported("refresh", "it loads SSTables, which only the lsm engine reads")
