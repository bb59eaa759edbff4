"""Errors the LSM engine raises.

Corruption is reported with ``cql.errors.CorruptionError`` so every layer sees one class;
it is imported lazily because ``storage`` sits below ``cql``.
"""

from __future__ import annotations


class DirectoryLockedError(RuntimeError):
    """Another process (or another engine in this process) has the data directory open."""


class TableUnavailableError(RuntimeError):
    """A table could not be loaded (e.g. its manifest is corrupt); carries the cause."""


def corruption(path, offset: int | None, detail: str) -> Exception:
    from cql.errors import CorruptionError

    return CorruptionError(str(path), offset, detail)


def is_corruption(exc: BaseException) -> bool:
    from cql.errors import CorruptionError

    return isinstance(exc, CorruptionError)
