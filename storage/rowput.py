"""One row into a table's partitions: the write of a prepared INSERT or UPDATE.

The memory engine's tables and the LSM memtables have the same shape: a SortedDict of
decorated key -> ``Partition``, whose rows are a SortedDict of clustering key -> row.
:func:`put_row` is ``merge_partition_into`` of an update holding one row and nothing else,
without building that update: the row becomes the partition's (copy-on-write: a row
already there is replaced by a merged copy, never changed in place).
"""

from __future__ import annotations

from sortedcontainers import SortedDict

from .model import Partition, Row, merged_row
from .sdict import sorted_dict_from_sorted

#: what :func:`put_row` did (engines that account for memory size it by this)
NEW_PARTITION, NEW_ROW, MERGED_ROW = 0, 1, 2

_dset = dict.__setitem__


def put_row(partitions: SortedDict, dk: bytes, ck: bytes, row: Row) -> int:
    """Put ``row`` at ``ck`` in the partition ``dk`` (taking ownership of it)."""
    existing = partitions.get(dk)
    if existing is None:
        partitions[dk] = Partition(None, [], None, sorted_dict_from_sorted([(ck, row)], [ck]))
        return NEW_PARTITION
    rows = existing.rows
    old = rows.get(ck)
    if old is not None:
        _dset(rows, ck, merged_row(old, row))  # a key already there: the dict alone
        return MERGED_ROW
    rows._list_add(ck)  # SortedDict.__setitem__ of a new key, one call less
    _dset(rows, ck, row)
    return NEW_ROW
