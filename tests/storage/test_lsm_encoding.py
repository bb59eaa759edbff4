from hypothesis import given, settings
from hypothesis import strategies as st

from cassalite.storage.lsm import encoding as enc
from cassalite.storage.lsm.encoding import (
    decode_partition,
    encode_mutations,
    encode_partition,
    iter_mutations,
    put_partition,
)
from cassalite.storage.model import CachedRow, LivenessInfo, Mutation, Partition, Row

from .lsm_strategies import partitions
from .lsm_strategies import rows as rows_strategy


@settings(max_examples=120)
@given(partitions)
def test_partition_roundtrip(p):
    data = encode_partition(p)
    back, end = decode_partition(data)
    assert end == len(data)
    assert back == p


@given(partitions)
def test_row_offsets_point_at_rows(p):
    out = bytearray()
    offsets = []
    put_partition(out, p, offsets)
    assert [ck for ck, _ in offsets] == list(p.rows.keys())


@given(partitions, partitions)
def test_mutation_record_roundtrip(p1, p2):
    payload, sizes = encode_mutations([Mutation("t1", b"k1", p1), Mutation("t-2", b"", p2)])
    got = list(iter_mutations(payload))
    assert [(t, pk) for t, pk, _, _ in got] == [("t1", b"k1"), ("t-2", b"")]
    assert [e - s for _, _, s, e in got] == sizes
    assert decode_partition(payload, got[0][2])[0] == p1
    assert decode_partition(payload, got[1][2])[0] == p2


def _cached(p, order=1):
    """``p`` with its rows as CachedRows (what the prepared-statement writer makes), in a
    plain dict as an update has them (``order`` -1: in reverse clustering order)."""
    rows = [(ck, CachedRow(r.liveness, r.deletion, r.cells)) for ck, r in p.rows.items()]
    return Partition(p.deletion, p.range_tombstones, p.static_row, dict(rows[::order]))


@given(partitions)
def test_cached_rows_and_unsorted_update_rows_encode_as_plain_ones(p):
    expect = encode_partition(p)
    cached = _cached(p)
    assert encode_partition(cached) == expect  # encodes and keeps the tails
    assert encode_partition(cached) == expect  # copies the tails
    unsorted = encode_partition(_cached(p, -1))
    assert decode_partition(unsorted) == (p, len(unsorted))
    # a flush puts the same rows under another partition's base timestamp
    marker = Row(LivenessInfo(-5), None, {})
    shifted = Partition(rows={b"": marker, **{b"\x01" + ck: r for ck, r in cached.rows.items()}})
    plain = Partition(rows={b"": marker, **{b"\x01" + ck: r for ck, r in p.rows.items()}})
    assert encode_partition(shifted) == encode_partition(plain)


@given(rows_strategy, st.binary(max_size=20), st.booleans())
def test_one_row_records_encode_as_the_general_path(row, ck, encoded_first):
    """encode_mutations' shortcut for an INSERT's one-row update gives the general bytes."""
    cached = CachedRow(row.liveness, row.deletion, row.cells)
    if encoded_first:
        encode_partition(Partition(rows={ck: cached}))  # the tail is kept
    plain = Mutation("t", b"pk", Partition(rows={ck: row}))
    fast = encode_mutations([Mutation("t", b"pk", Partition(rows={ck: cached}))])
    assert fast[0] == encode_mutations([plain])[0] and fast[1] == encode_mutations([plain])[1]


@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1) | st.integers(0, 1 << 20)
                | st.integers(1_700_000_000_000_000, 1_700_000_100_000_000), max_size=50))
def test_timestamp_svarint_is_put_svarint(timestamps):
    """The commit-log record's base timestamp (the high part kept from the previous call,
    the low 14 bits looked up) against the general varint, in any order and sorted."""
    for ts in timestamps + sorted(timestamps):
        out = bytearray()
        enc.put_svarint(out, ts)
        assert enc._timestamp_svarint(ts) == bytes(out)
