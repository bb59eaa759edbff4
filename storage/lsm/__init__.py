"""The durable LSM storage engine: commit log, memtables, SSTables, compaction.

Entry points: :class:`LSMEngine` (a :class:`storage.engine.StorageEngine`) and
:func:`admin` (flush/compact/snapshot/tablestats, what ``cassalite-nodetool`` calls).
File layouts are documented in ``storage/lsm/FORMAT.md``.
"""

from __future__ import annotations

from ..errors import DirectoryLockedError
from .admin import Admin
from .engine import LSMEngine


def admin(engine: LSMEngine) -> Admin:
    return Admin(engine)


__all__ = ["Admin", "DirectoryLockedError", "LSMEngine", "admin"]
