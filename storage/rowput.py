"""One row into a table's partitions: the write of a prepared INSERT or UPDATE.

The memory engine's tables and the LSM memtables have the same shape: a SortedDict of
decorated key -> ``Partition``, whose rows are a SortedDict of clustering key -> row.
:func:`put_row` is ``merge_partition_into`` of an update holding one row and nothing else,
without building that update: the row becomes the partition's (copy-on-write: a row
already there is replaced by a merged copy, never changed in place).
"""

from __future__ import annotations

from sortedcontainers import SortedDict, SortedList

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
    _add_key(rows._list, ck)  # SortedDict.__setitem__ of a new key, without its lookups
    _dset(rows, ck, row)
    return NEW_ROW


def _add_at_an_end(keys: SortedList, key: bytes) -> None:
    """``keys.add(key)``, a key past either end without a search: rows are mostly written
    in key order (growing values of an ASC clustering: appended) or in reverse (of a DESC
    one, time series newest first: each goes in front, where ``add`` would bisect)."""
    lists = keys._lists
    if lists:
        first = lists[0]
        if key < first[0]:
            first.insert(0, key)
            pos = 0
        else:
            pos = len(lists) - 1
            last = lists[pos]
            if not key > last[-1]:
                keys.add(key)
                return
            last.append(key)
            keys._maxes[pos] = key
        keys._len += 1
        if len(lists[pos]) > keys._load << 1 or keys._index:
            keys._expand(pos)  # splits a sublist grown too long; keeps the index right
        return
    keys.add(key)


def _self_test() -> bool:
    """``_add_at_an_end`` reaches into SortedList's internals (sortedcontainers 2.x):
    it is used only if it gives what ``add`` gives, on keys added in front, at the end
    and between, filling several sublists (with and without a positional index built)."""
    try:
        ref, fast = SortedList(), SortedList()
        ref._reset(4)  # sublists of 4 to 8 keys: splits come after a few keys
        fast._reset(4)
        keys = [bytes((i,)) for i in range(90, 40, -1)] + [bytes((i,)) for i in range(91, 140)] \
            + [b"\x05", b"\x99", b"\x50\x01", b"\x8d"]
        for i, key in enumerate(keys):
            ref.add(key)
            _add_at_an_end(fast, key)
            if i == 30:  # a positional index, which _expand must keep up to date
                assert ref[7] == fast[7]
        fast._check()
        return list(ref) == list(fast) and ref[45] == fast[45] and len(ref) == len(fast) \
            and len(fast._lists) > 10
    except Exception:  # noqa: BLE001 - any surprise means "use the public API"
        return False


def _first_add(keys: SortedList, key: bytes) -> None:
    """The first add picks the function (the self-test costs nothing at import)."""
    global _add_key
    _add_key = _add_at_an_end if _self_test() else SortedList.add
    _add_key(keys, key)


_add_key = _first_add
