"""The errors the storage layer raises: one root, :class:`StorageError`.

``storage`` sits below ``cql`` and knows nothing of it: the ``cql`` layer turns these into
its own exceptions (``cql.CorruptionError``, ``cql.DirectoryLockedError``) at its boundary,
keeping the storage error as ``__cause__``.
"""

from __future__ import annotations

import os


class StorageError(Exception):
    """Base of the errors a storage engine raises on purpose."""


class CorruptionError(StorageError):
    """A file on disk failed its checksum or could not be decoded; names the file."""

    def __init__(self, path: str | os.PathLike, offset: int | None = None, detail: str = ""):
        self.path = str(path)
        self.offset = offset
        self.detail = detail
        where = self.path if offset is None else f"{self.path} at offset {offset}"
        super().__init__(f"Corrupt data in {where}" + (f": {detail}" if detail else ""))


class DirectoryLockedError(StorageError):
    """Another process (or another engine in this process) has the data directory open."""


class UnsupportedOperation(StorageError):
    """A maintenance verb (``nodetool``, ``session.admin``) this engine cannot carry out."""

    def __init__(self, verb: str, engine: str, why: str):
        self.verb = verb
        self.engine = engine
        super().__init__(f"{verb} is not supported by the {engine} storage engine: {why}")
