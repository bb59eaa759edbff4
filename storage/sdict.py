"""Build a SortedDict from already-sorted pairs without SortedDict.__init__'s overhead.

``SortedDict()`` costs ~8 us in CPython, which dominated decoding of small partitions.
When the keys are known sorted and unique we can fill the dict and the SortedList's
internal lists directly. This reaches into sortedcontainers 2.x internals, so the module
checks itself at import and falls back to the public constructor if anything differs.
"""

from __future__ import annotations

from sortedcontainers import SortedDict, SortedList

_LOAD = SortedList.DEFAULT_LOAD_FACTOR
_onew = object.__new__
_dnew = dict.__new__
_dupdate = dict.update


def _fast(pairs: list, keys: list | None = None) -> SortedDict:
    if keys is None:
        keys = [k for k, _ in pairs]
    sd = _dnew(SortedDict)
    if pairs:
        _dupdate(sd, pairs)
    sl = _onew(SortedList)
    n = len(keys)
    sl._len = n
    sl._load = _LOAD
    sl._index = []
    sl._offset = 0
    if n == 0:
        sl._lists = []
        sl._maxes = []
    elif n <= _LOAD:
        sl._lists = [keys]
        sl._maxes = [keys[-1]]
    else:
        lists = [keys[i:i + _LOAD] for i in range(0, n, _LOAD)]
        sl._lists = lists
        sl._maxes = [part[-1] for part in lists]
    d = sd.__dict__
    d["_key"] = None
    d["_list"] = sl
    d["_list_add"] = sl.add
    d["_list_clear"] = sl.clear
    d["_list_iter"] = sl.__iter__
    d["_list_reversed"] = sl.__reversed__
    d["_list_pop"] = sl.pop
    d["_list_remove"] = sl.remove
    d["_list_update"] = sl.update
    d["bisect_left"] = sl.bisect_left
    d["bisect"] = sl.bisect_right
    d["bisect_right"] = sl.bisect_right
    d["index"] = sl.index
    d["irange"] = sl.irange
    d["islice"] = sl.islice
    d["_reset"] = sl._reset
    return sd


def _slow(pairs: list, keys: list | None = None) -> SortedDict:
    return SortedDict(pairs)


def _self_test() -> bool:
    try:
        ref = SortedDict()
        if set(ref.__dict__) - {"_key", "_list", "_list_add", "_list_clear", "_list_iter",
                                "_list_reversed", "_list_pop", "_list_remove", "_list_update",
                                "bisect_left", "bisect", "bisect_right", "index", "irange",
                                "islice", "_reset"}:
            return False
        # a few more keys than one internal list holds: two lists, the last one short
        pairs = [(bytes([i // 256, i % 256]), i) for i in range(_LOAD + 100)]
        sd = _fast(pairs)
        sd[b"\xff"] = -1
        del sd[b"\x00\x05"]
        sd.pop(b"\x00\x06")
        expect = SortedDict(pairs)
        expect[b"\xff"] = -1
        del expect[b"\x00\x05"]
        expect.pop(b"\x00\x06")
        sd._list._check()
        return (
            list(sd.items()) == list(expect.items())
            and list(sd.irange(b"\x01", b"\x02")) == list(expect.irange(b"\x01", b"\x02"))
            and sd.peekitem(-1) == expect.peekitem(-1)
            and list(_fast([]).items()) == []
        )
    except Exception:  # noqa: BLE001 - any surprise means "use the public API"
        return False


sorted_dict_from_sorted = _fast if _self_test() else _slow


def sorted_rows(rows: dict) -> SortedDict:
    """An update's rows as a SortedDict: the plain dict of a one-row write (or of a batch
    that merged more rows into one) becomes one; a SortedDict is returned as it is."""
    if type(rows) is not dict:
        return rows
    if len(rows) == 1:
        items = list(dict.items(rows))
        return sorted_dict_from_sorted(items, [items[0][0]])
    return SortedDict(rows)
