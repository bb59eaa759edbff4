"""storage.sdict builds SortedDicts through sortedcontainers' internals, checked by a
self-test at import (which falls back to the public constructor if they changed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from cassalite.storage import sdict


def test_the_self_test_passes_with_the_installed_sortedcontainers() -> None:
    assert sdict._self_test()
    assert sdict.sorted_dict_from_sorted is sdict._fast


@given(st.sets(st.binary(max_size=3), max_size=2 * sdict._LOAD + 50), st.binary(max_size=3))
def test_fast_build_behaves_as_the_public_constructor(keys: set, probe: bytes) -> None:
    pairs = [(k, i) for i, k in enumerate(sorted(keys))]
    fast, ref = sdict._fast(pairs), SortedDict(pairs)
    for d in (fast, ref):
        d[probe] = -1
    fast._list._check()
    assert list(fast.items()) == list(ref.items())
    assert list(fast.irange(b"\x01", b"\x80")) == list(ref.irange(b"\x01", b"\x80"))
    assert fast.peekitem(0) == ref.peekitem(0) and fast.peekitem(-1) == ref.peekitem(-1)
