"""What ``nodetool info``, ``status``, ``compactionstats`` and ``tablehistograms`` report,
computed from an open LSM engine as a single node would report them.

Each function returns plain data (``nodetool`` prints it; ``--json`` dumps it). The node is
alone: it owns 100% of the ring, is always Up/Normal, and lives in ``datacenter1`` /
``rack1`` (what cassalite's ``system.local`` says).
"""

from __future__ import annotations

import os
import resource
import sys
from typing import TYPE_CHECKING, Any

from .lsm.sstable import parse_component_name

if TYPE_CHECKING:
    from .lsm.engine import LSMEngine
    from .lsm.table import Table

DATA_CENTER = "datacenter1"
RACK = "rack1"
PERCENTILES = (("50%", 0.50), ("75%", 0.75), ("95%", 0.95), ("98%", 0.98), ("99%", 0.99))


def dir_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def _live_bytes(t: Table) -> int:
    return sum(s.disk_size() for s in t.live_sstables())


def info(engine: LSMEngine, data_dir: str) -> dict[str, Any]:
    """``nodetool info``: load, memtables, commit log and snapshot sizes of the node."""
    tables = engine.tables()
    mems = [m for t in tables for m in t._view[0]]
    return {
        "data_directory": os.path.abspath(data_dir),
        "load": sum(_live_bytes(t) for t in tables),
        "tables": len(tables),
        "sstables": sum(len(t.live_sstables()) for t in tables),
        "memtable_partitions": sum(len(m.partitions) for m in mems),
        "memtable_bytes": sum(m.size for m in mems),
        "commitlog_bytes": dir_size(os.path.join(data_dir, "commitlog")),
        "snapshots_bytes": sum(dir_size(os.path.join(t.directory, "snapshots"))
                               for t in tables),
        "pending_compactions": compaction_stats(engine)["pending_tasks"],
        **node_facts(),
    }


def node_facts() -> dict[str, Any]:
    """What ``info`` reports of the process and the (single-node) ring, whatever the engine."""
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"max_rss_bytes": rss_kib if sys.platform == "darwin" else rss_kib * 1024,
            "data_center": DATA_CENTER, "rack": RACK, "percent_repaired": 100.0}


def status(engine: LSMEngine, address: str = "127.0.0.1") -> dict[str, Any]:
    """``nodetool status``: one node, Up and Normal, owning the whole ring."""
    return node_status(sum(_live_bytes(t) for t in engine.tables()), address)


def node_status(load: int | None, address: str = "127.0.0.1") -> dict[str, Any]:
    """The single node's ``status`` entry with the engine's ``load`` (live bytes)."""
    return {"data_center": DATA_CENTER, "nodes": [{
        "state": "UN", "address": address, "load": load,
        "tokens": 16, "owns": 100.0, "rack": RACK}]}


def _active(t: Table) -> dict[str, Any] | None:
    """A compaction running on ``t``: its inputs (the generations being compacted) against
    the outputs written so far (SSTable files on disk that are neither live nor inputs)."""
    busy = set(t.compacting)
    if not busy:
        return None
    live = {s.gen: s for s in t.sstables}
    total = sum(live[g].data_size for g in busy if g in live)
    written = 0
    for name in os.listdir(t.directory):
        parsed = parse_component_name(name)
        if parsed and parsed[1] == "Data.db" and parsed[0] not in live:
            written += os.path.getsize(os.path.join(t.directory, name))
    done = min(written, total)
    return {"keyspace": t.info.keyspace, "table": t.info.name, "compaction_type": "Compaction",
            "completed": done, "total": total, "unit": "bytes",
            "progress": round(100.0 * done / total, 2) if total else 0.0,
            "inputs": sorted(busy)}


def compaction_stats(engine: LSMEngine) -> dict[str, Any]:
    """``nodetool compactionstats``: pending tasks per table (what the strategies would
    compact next) and the running compactions with their progress."""
    pending: dict[str, dict[str, int]] = {}
    active = []
    for t in engine.tables():
        if t.pick_compaction() is not None:
            pending.setdefault(t.info.keyspace, {})[t.info.name] = 1
        running = _active(t)
        if running is not None:
            active.append(running)
    return {"pending_tasks": sum(sum(v.values()) for v in pending.values()),
            "pending_by_table": pending, "active": active}


def _percentile(values: list[int], q: float) -> int:
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * len(values) + 0.5)) - 1))]


def table_histograms(engine: LSMEngine, t: Table) -> dict[str, Any]:
    """``nodetool tablehistograms``: SSTables per partition, partition size and cell count
    percentiles over the partitions in SSTables (as Cassandra's estimates are)."""
    sstables_per_key: dict[bytes, int] = {}
    sizes: dict[bytes, int] = {}
    cells: dict[bytes, int] = {}
    for s in t.live_sstables():
        for entry in s.entries():
            dk = entry[0]
            sstables_per_key[dk] = sstables_per_key.get(dk, 0) + 1
            sizes[dk] = sizes.get(dk, 0) + entry[2]
            p = s.read(entry, cache=False)
            count = sum(len(r.cells) for r in p.rows.values())
            if p.static_row is not None:
                count += len(p.static_row.cells)
            cells[dk] = cells.get(dk, 0) + count
    rows = []
    for label, q in PERCENTILES:
        rows.append((label, _percentile(list(sstables_per_key.values()), q),
                     _percentile(list(sizes.values()), q), _percentile(list(cells.values()), q)))
    rows.append(("Min", min(sstables_per_key.values(), default=0), min(sizes.values(), default=0),
                 min(cells.values(), default=0)))
    rows.append(("Max", max(sstables_per_key.values(), default=0), max(sizes.values(), default=0),
                 max(cells.values(), default=0)))
    return {"keyspace": t.info.keyspace, "table": t.info.name, "partitions": len(sizes),
            "percentiles": [dict(zip(("percentile", "sstables", "partition_size",
                                      "cell_count"), r)) for r in rows]}
