"""Loading SSTables into a live table: ``nodetool refresh`` and restoring a snapshot.

``import_sstables`` links (or copies) every complete SSTable found in a directory into the
table under new generation numbers, checks each one's checksums, and commits them in one
manifest transaction, so a table either gains all of them or none. ``restore_snapshot``
truncates the table and imports ``snapshots/<tag>/``: the table then holds exactly what it
held when the snapshot was taken (the snapshot itself is left as it was).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

from ..errors import CorruptionError
from .fsutil import fsync_dir
from .sstable import SSTableReader, component_path, parse_component_name

if TYPE_CHECKING:
    from .engine import LSMEngine
    from .table import Table

#: the directory ``nodetool refresh`` loads from, inside the table's directory
UPLOAD_DIR = "upload"


def sstables_in(directory: str) -> dict[int, list[str]]:
    """Generation -> component names of the complete SSTables (TOC.txt present) in a dir."""
    found: dict[int, list[str]] = {}
    for name in sorted(os.listdir(directory)):
        parsed = parse_component_name(name)
        if parsed is not None:
            found.setdefault(parsed[0], []).append(parsed[1])
    return {gen: comps for gen, comps in found.items() if "TOC.txt" in comps}


def _link(src: str, dst: str, move: bool) -> None:
    if move:
        os.replace(src, dst)
        return
    try:
        os.link(src, dst)
    except OSError:  # another file system: copy
        shutil.copy2(src, dst)


def import_sstables(engine: LSMEngine, t: Table, source: str, *, move: bool) -> int:
    """Add the SSTables in ``source`` to table ``t``; returns how many. ``move`` takes the
    files away from ``source`` (refresh); otherwise they are hard-linked (restore)."""
    found = sstables_in(source)
    if not found:
        return 0
    readers: list[SSTableReader] = []
    added: list[tuple[int, int]] = []
    try:
        for gen, comps in sorted(found.items()):
            new = t._allocate_gen()
            for comp in comps:
                _link(component_path(source, gen, comp), component_path(t.directory, new, comp),
                      move)
            reader = SSTableReader(t.directory, new, engine.chunk_cache, 0)
            readers.append(reader)
            added.append((new, 0))
            reader.verify()
    except (CorruptionError, OSError, ValueError):
        for reader in readers:
            reader.close()
        for gen, _ in added:
            t._delete_files(gen)
        raise
    fsync_dir(t.directory)
    with t.flush_lock, t.compaction_lock, engine.lock:
        t.manifest.commit(added, [])
        t.sstables = t.sstables + readers
        t._publish()
    return len(readers)


def refresh(engine: LSMEngine, t: Table, source: str | None = None) -> int:
    """Load the SSTables an operator put in ``<table dir>/upload/`` (or ``source``)."""
    source = source or os.path.join(t.directory, UPLOAD_DIR)
    if not os.path.isdir(source):
        raise FileNotFoundError(f"no SSTables to load: {source} does not exist")
    return import_sstables(engine, t, source, move=True)


def restore_snapshot(engine: LSMEngine, t: Table, tag: str) -> int:
    """Replace the table's data by its snapshot ``tag``; returns the SSTables restored."""
    source = os.path.join(t.directory, "snapshots", tag)
    if not os.path.isdir(source):
        raise FileNotFoundError(f"table {t.info.keyspace}.{t.info.name} has no snapshot {tag!r}")
    engine.truncate(t.table_id)
    return import_sstables(engine, t, source, move=False)
